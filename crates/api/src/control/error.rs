use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use talkchannel_service::ServiceError;
use utoipa::ToSchema;

/// Every control-API error: `{"error": {"code": "...", "message": "...", "field": ...}}`.
#[derive(Debug)]
pub struct ControlError {
    status: StatusCode,
    body: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code: `invalid_request`, `unauthorized`, `not_found`,
    /// `conflict`, `payload_too_large`, `unsupported_media_type`, `internal`, ...
    pub code: &'static str,
    /// What went wrong and what to do, for people.
    pub message: String,
    /// The input field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ControlError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorDetail {
                code,
                message: message.into(),
                field: None,
            },
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::BAD_REQUEST, "invalid_request", message);
        e.body.field = Some(field.to_owned());
        e
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// For errors made by the framework rather than a handler.
    pub fn from_status(status: StatusCode, message: String) -> Self {
        let code = match status {
            StatusCode::UNAUTHORIZED => "unauthorized",
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::REQUEST_TIMEOUT => "timeout",
            s if s.is_server_error() => "internal",
            _ => "invalid_request",
        };
        Self::new(status, code, message)
    }
}

impl From<ServiceError> for ControlError {
    fn from(e: ServiceError) -> Self {
        let message = e.to_string();
        match e {
            ServiceError::Invalid(v) => Self::invalid(&v.field, message),
            ServiceError::NotFound { .. } | ServiceError::FileNotFound(_) => {
                Self::not_found(message)
            }
            ServiceError::Conflict { .. } => Self::new(StatusCode::CONFLICT, "conflict", message),
            ServiceError::ChannelSanctioned(_) => {
                Self::new(StatusCode::CONFLICT, "channel_sanctioned", message)
            }
            ServiceError::ChannelNotConnected(_) => {
                Self::new(StatusCode::CONFLICT, "channel_not_connected", message)
            }
            ServiceError::Unauthenticated(_) => {
                Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
            }
            ServiceError::ScopeRequired(_) | ServiceError::NotLinked => {
                Self::new(StatusCode::FORBIDDEN, "forbidden", message)
            }
            ServiceError::Backend(detail) => {
                tracing::error!(%detail, "storage failure on the control API");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error; the request id in x-request-id identifies it in the logs",
                )
            }
        }
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(ErrorBody { error: self.body })).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"talkchannel control API\""),
            );
        }
        response
    }
}
