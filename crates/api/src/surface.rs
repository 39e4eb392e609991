//! Which surface a path belongs to, and how each surface words an error that the framework
//! (not a handler) produced: unknown path, wrong method, body too large, timeout, panic.

use crate::{control::ControlError, kapi::KapiError};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// Kakao-compatible REST: errors are `{"code": -N, "msg": "..."}`.
    Kapi,
    /// Kakao Login's JSON endpoints (`/oauth/token`, `/api/agt`): errors are
    /// `{"error", "error_description", "error_code"}`.
    Kauth,
    /// Everything else of ours: errors are `{"error": {"code", "message"}}`.
    Control,
}

impl Surface {
    pub fn of(path: &str) -> Self {
        if path.starts_with("/v1/") || path.starts_with("/v2/") {
            Surface::Kapi
        } else if path == "/oauth/token" || path == "/api/agt" {
            Surface::Kauth
        } else {
            Surface::Control
        }
    }

    /// An error response in this surface's own format.
    pub fn error(self, status: StatusCode, message: String) -> Response {
        match self {
            Surface::Kapi => KapiError::from_status(status, message).into_response(),
            Surface::Kauth => {
                crate::kauth::KauthError::from_status(status, message).into_response()
            }
            Surface::Control => ControlError::from_status(status, message).into_response(),
        }
    }
}

pub async fn not_found(uri: Uri) -> Response {
    Surface::of(uri.path()).error(
        StatusCode::NOT_FOUND,
        format!("there is no API at {}", uri.path()),
    )
}

pub async fn method_not_allowed(uri: Uri) -> Response {
    Surface::of(uri.path()).error(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{} does not accept this HTTP method", uri.path()),
    )
}

/// Rewrites error responses that carry no JSON body (made by middleware such as the body
/// limit, the timeout or the panic catcher) into the surface's error format, so a client
/// always gets an error it can parse.
pub async fn surface_errors(req: Request, next: Next) -> Response {
    let surface = Surface::of(req.uri().path());
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        // Pages answer their errors as HTML pages of their own.
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is too large".to_owned(),
        StatusCode::REQUEST_TIMEOUT => "the request took too long".to_owned(),
        s if s.is_server_error() => {
            "internal error; the request id in x-request-id identifies it in the logs".to_owned()
        }
        s => s.canonical_reason().unwrap_or("bad request").to_lowercase(),
    };
    let (mut parts, _) = response.into_parts();
    let rewritten = surface.error(status, message);
    parts.headers.remove(header::CONTENT_LENGTH);
    let (new_parts, body) = rewritten.into_parts();
    parts.headers.extend(new_parts.headers);
    Response::from_parts(parts, Body::new(body))
}
