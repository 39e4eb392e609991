use crate::pages::PageError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use talkchannel_domain::Koe;
use talkchannel_service::{AuthorizeError, OAuthError};

/// A kauth error: the catalogue's `KOE` code with its OAuth `error` and HTTP status, and a
/// description.
#[derive(Debug)]
pub struct KauthError {
    koe: Koe,
    description: String,
    /// Set only for errors the framework made, which keep the framework's status.
    status: Option<StatusCode>,
}

impl KauthError {
    pub fn new(koe: Koe, description: impl Into<String>) -> Self {
        Self {
            koe,
            description: description.into(),
            status: None,
        }
    }

    /// KOE010-style request errors (a missing or repeated parameter).
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(Koe::InvalidRequest, description)
    }

    /// An error the framework made (body too large, timeout, panic), in kauth's shape.
    pub fn from_status(status: StatusCode, description: String) -> Self {
        let koe = if status.is_server_error() {
            Koe::RequestFailed
        } else {
            Koe::InvalidRequest
        };
        Self {
            status: Some(status),
            ..Self::new(koe, description)
        }
    }

    pub fn unsupported_grant_type(grant: &str) -> Self {
        Self::new(
            Koe::UnsupportedGrantType,
            format!(
                "grant_type `{}` is not supported",
                grant.chars().take(40).collect::<String>()
            ),
        )
    }
}

impl From<OAuthError> for KauthError {
    fn from(e: OAuthError) -> Self {
        match e {
            OAuthError::InvalidClient(description) => Self::new(Koe::InvalidClient, description),
            OAuthError::InvalidRefreshToken => {
                Self::new(Koe::InvalidRefreshToken, "expired_or_invalid_refresh_token")
            }
            OAuthError::InvalidCode => Self::new(Koe::InvalidCode, "authorization code not found"),
            OAuthError::BadClientCredentials => {
                Self::new(Koe::BadClientCredentials, "Bad client credentials")
            }
            OAuthError::RedirectUriMismatch => {
                Self::new(Koe::RedirectUriMismatch, "Redirect URI mismatch.")
            }
            // A failed PKCE check spends the code like any bad code (see `Koe::InvalidCode`).
            failed @ (OAuthError::MissingCodeVerifier
            | OAuthError::CodeVerifierMismatch
            | OAuthError::UnexpectedCodeVerifier) => {
                Self::new(Koe::InvalidCode, failed.to_string())
            }
            OAuthError::Service(e) => {
                tracing::error!(error = %e, "token endpoint failed");
                Self::new(Koe::ServerError, "a temporary error occurred; try again")
            }
        }
    }
}

/// A refused authorization request that cannot go back to the client (its client or
/// redirect URI is not trusted, or talkchannel failed), as the authorize page shows it.
/// (`unsupported_response_type` and `invalid_scope` go to the redirect URI instead.)
impl From<AuthorizeError> for PageError {
    fn from(e: AuthorizeError) -> Self {
        match e {
            AuthorizeError::InvalidClient => PageError::koe(
                Koe::InvalidClient,
                "client_id is not the REST API or JavaScript key of an app",
            ),
            AuthorizeError::UnregisteredRedirectUri => PageError::koe(
                Koe::UnregisteredRedirectUri,
                "redirect_uri is not registered for this app",
            ),
            AuthorizeError::ChannelNotConnected(id) => PageError::koe(
                Koe::ChannelNotConnected,
                format!("channel_public_id `{id}` is not a channel connected to this app"),
            ),
            AuthorizeError::Service(e) => PageError::Internal(e.to_string()),
            other => PageError::Internal(format!("{other:?}")),
        }
    }
}

impl IntoResponse for KauthError {
    fn into_response(self) -> Response {
        let body = json!({
            "error": self.koe.error(),
            "error_description": self.description,
            "error_code": self.koe.code(),
        });
        let mut response = crate::kapi::json_body(&body);
        *response.status_mut() = self.status.unwrap_or_else(|| {
            StatusCode::from_u16(self.koe.http_status()).unwrap_or(StatusCode::BAD_REQUEST)
        });
        response
    }
}
