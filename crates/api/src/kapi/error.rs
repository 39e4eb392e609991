use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use talkchannel_domain::KakaoCode;
use talkchannel_service::ServiceError;

/// An error in Kakao's shape: `{"msg": "...", "code": -N}`, plus `required_scopes` on -402.
#[derive(Debug, Clone)]
pub struct KapiError {
    code: KakaoCode,
    msg: String,
    status: Option<StatusCode>,
    required_scopes: Option<Vec<String>>,
}

#[derive(Serialize)]
struct Body<'a> {
    msg: &'a str,
    code: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    required_scopes: Option<&'a [String]>,
}

impl KapiError {
    pub fn new(code: KakaoCode, msg: impl Into<String>) -> Self {
        Self {
            code,
            msg: msg.into(),
            status: None,
            required_scopes: None,
        }
    }

    pub fn invalid(msg: impl Into<String>) -> Self {
        Self::new(KakaoCode::InvalidParameter, msg)
    }

    pub fn unauthenticated(msg: impl Into<String>) -> Self {
        Self::new(KakaoCode::InvalidCredential, msg)
    }

    /// An error the framework made (unknown path, body too large, timeout, panic): it keeps
    /// the framework's status and carries the nearest Kakao code.
    pub fn from_status(status: StatusCode, msg: impl Into<String>) -> Self {
        let code = match status {
            StatusCode::UNAUTHORIZED => KakaoCode::InvalidCredential,
            s if s.is_server_error() => KakaoCode::Internal,
            _ => KakaoCode::InvalidParameter,
        };
        Self {
            status: Some(status),
            ..Self::new(code, msg)
        }
    }

    pub fn code(&self) -> KakaoCode {
        self.code
    }
}

impl From<ServiceError> for KapiError {
    fn from(e: ServiceError) -> Self {
        let msg = e.to_string();
        match e {
            ServiceError::Invalid(_) => Self::invalid(msg),
            ServiceError::NotFound { what, .. } => Self::new(KakaoCode::for_missing(what), msg),
            ServiceError::Conflict { clash, .. } => Self::new(KakaoCode::for_clash(clash), msg),
            ServiceError::ChannelSanctioned(_) => Self::new(KakaoCode::ChannelSanctioned, msg),
            ServiceError::ChannelNotConnected(_) => Self::new(KakaoCode::ChannelNotConnected, msg),
            ServiceError::FileNotFound(_) => Self::new(KakaoCode::FileNotFound, msg),
            ServiceError::Unauthenticated(_) => Self::unauthenticated(msg),
            ServiceError::NotLinked => Self::new(
                KakaoCode::NotLinked,
                "NotRegisteredUserException: the user is not linked to the app",
            ),
            ServiceError::ScopeRequired(scopes) => {
                let mut e = Self::new(
                    KakaoCode::InsufficientScope,
                    "insufficient scopes: the user has not agreed to share this information",
                );
                e.required_scopes = Some(scopes);
                e
            }
            ServiceError::Backend(detail) => {
                tracing::error!(%detail, "storage failure on the Kakao API");
                Self::new(KakaoCode::Internal, "internal error; retry later")
            }
        }
    }
}

impl IntoResponse for KapiError {
    fn into_response(self) -> Response {
        let status = self.status.unwrap_or_else(|| {
            StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::BAD_REQUEST)
        });
        let body = Body {
            msg: &self.msg,
            code: self.code.code(),
            api_type: self.required_scopes.as_ref().map(|_| "TALK_CHANNEL"),
            required_scopes: self.required_scopes.as_deref(),
        };
        let mut response = (status, super::json_body(&body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=invalid_token"),
            );
        }
        response
    }
}
