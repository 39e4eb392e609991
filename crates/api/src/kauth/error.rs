use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use talkchannel_service::OAuthError;

/// A kauth error: HTTP status, OAuth `error`, description and Kakao's `KOE` code.
#[derive(Debug)]
pub struct KauthError {
    status: StatusCode,
    error: &'static str,
    description: String,
    code: &'static str,
}

impl KauthError {
    /// KOE010-style request errors (a missing or repeated parameter).
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request",
            description: description.into(),
            code: "KOE010",
        }
    }

    /// An error the framework made (body too large, timeout, panic), in kauth's shape.
    pub fn from_status(status: StatusCode, description: String) -> Self {
        Self {
            status,
            error: if status.is_server_error() {
                "server_error"
            } else {
                "invalid_request"
            },
            description,
            code: "KOE010",
        }
    }

    pub fn unsupported_grant_type(grant: &str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error: "unsupported_grant_type",
            description: format!(
                "grant_type `{}` is not supported",
                grant.chars().take(40).collect::<String>()
            ),
            code: "KOE010",
        }
    }
}

impl KauthError {
    /// A PKCE check failed at the token endpoint. Kakao documents no KOE code of its own
    /// for it; the code cannot be redeemed (it is spent), which is KOE320's meaning, and
    /// RFC 7636 §4.6 names the error `invalid_grant`.
    fn pkce_failed(description: String) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_grant",
            description,
            code: "KOE320",
        }
    }
}

impl From<OAuthError> for KauthError {
    fn from(e: OAuthError) -> Self {
        match e {
            OAuthError::InvalidClient(description) => Self {
                status: StatusCode::UNAUTHORIZED,
                error: "invalid_client",
                description,
                code: "KOE101",
            },
            OAuthError::InvalidRefreshToken => Self {
                status: StatusCode::BAD_REQUEST,
                error: "invalid_grant",
                description: "expired_or_invalid_refresh_token".into(),
                code: "KOE322",
            },
            OAuthError::InvalidCode => Self {
                status: StatusCode::BAD_REQUEST,
                error: "invalid_grant",
                description: "authorization code not found".into(),
                code: "KOE320",
            },
            OAuthError::BadClientCredentials => Self {
                status: StatusCode::UNAUTHORIZED,
                error: "invalid_client",
                description: "Bad client credentials".into(),
                code: "KOE010",
            },
            OAuthError::RedirectUriMismatch => Self {
                status: StatusCode::BAD_REQUEST,
                error: "invalid_grant",
                description: "Redirect URI mismatch.".into(),
                code: "KOE303",
            },
            failed @ (OAuthError::MissingCodeVerifier
            | OAuthError::CodeVerifierMismatch
            | OAuthError::UnexpectedCodeVerifier) => Self::pkce_failed(failed.to_string()),
            OAuthError::Service(e) => {
                tracing::error!(error = %e, "token endpoint failed");
                Self {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    error: "server_error",
                    description: "a temporary error occurred; try again".into(),
                    code: "KOE003",
                }
            }
        }
    }
}

impl IntoResponse for KauthError {
    fn into_response(self) -> Response {
        let body = json!({
            "error": self.error,
            "error_description": self.description,
            "error_code": self.code,
        });
        let mut response = crate::kapi::json_body(&body);
        *response.status_mut() = self.status;
        response
    }
}
