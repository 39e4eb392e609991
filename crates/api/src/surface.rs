//! The surfaces and what they share: each surface is a sub-router whose routes carry its
//! layers (body limit, the server's stack, error shaping), so a route's behaviour comes
//! from the router that declares it, never from testing its path.

use crate::{control::ControlError, kapi::KapiError, ApiState};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, OriginalUri, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

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

/// The layers the server puts around every surface's routes (timeouts, panics, ...),
/// inside the surface's error shaping, so the errors they make are worded by the surface.
pub type Stack<'a> = &'a dyn Fn(Router<ApiState>) -> Router<ApiState>;

/// How large a request body may be.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    /// Every request but a CSV import.
    pub body: usize,
    /// A CSV import, which streams.
    pub import: usize,
}

impl Surface {
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

    /// Gives `routes` (of this surface) their wrong-method answer, a body limit of
    /// `max_body` bytes, the server's `stack` and, outermost, this surface's error shaping.
    /// Layers added afterwards (CORS) wrap all of it, the wrong-method answers included.
    pub fn wrap(self, routes: Router<ApiState>, max_body: usize, stack: Stack) -> Router<ApiState> {
        let routes = routes
            .method_not_allowed_fallback(move |uri: OriginalUri| method_not_allowed(self, uri));
        stack(limit_body(routes, max_body))
            .layer(middleware::from_fn_with_state(self, surface_errors))
    }

    /// The answer for a path no route of this surface matches.
    pub fn not_found(self) -> impl Fn(OriginalUri) -> std::future::Ready<Response> + Clone {
        move |uri: OriginalUri| {
            std::future::ready(self.error(
                StatusCode::NOT_FOUND,
                format!("there is no API at {}", uri.path()),
            ))
        }
    }
}

/// An unknown path of our own (control API, pages, anything not Kakao's).
pub async fn not_found(uri: OriginalUri) -> Response {
    Surface::Control.not_found()(uri).await
}

async fn method_not_allowed(surface: Surface, uri: OriginalUri) -> Response {
    surface.error(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{} does not accept this HTTP method", uri.path()),
    )
}

/// Caps the request bodies of `routes` at `max` bytes: extractors (`DefaultBodyLimit`) and
/// streaming readers alike. A declared length over the cap is refused before reading.
fn limit_body(routes: Router<ApiState>, max: usize) -> Router<ApiState> {
    routes
        .layer(DefaultBodyLimit::max(max))
        .layer(middleware::from_fn_with_state(max, cap_body))
}

async fn cap_body(State(max): State<usize>, req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    next.run(req.map(|b| Body::new(http_body_util::Limited::new(b, max))))
        .await
}

/// Rewrites error responses that carry no JSON body (made by middleware such as the body
/// limit, the timeout or the panic catcher) into the surface's error format, so a client
/// always gets an error it can parse.
async fn surface_errors(State(surface): State<Surface>, req: Request, next: Next) -> Response {
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
