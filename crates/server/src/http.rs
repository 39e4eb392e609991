//! The HTTP stack around the surfaces: request ids, tracing, error shaping, panics,
//! timeouts and body limits.

use crate::Config;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{middleware, Router};
use std::time::Duration;
use talkchannel_api::{security_headers, surface_errors, ApiState};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub fn app(state: ApiState, config: &Config) -> Router {
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        })
        .on_request(())
        .on_response(DefaultOnResponse::new().level(Level::DEBUG))
        .on_failure(DefaultOnFailure::new().level(Level::ERROR));
    // Each `layer` wraps everything added before it: the request id is set first and the
    // body limit is checked last, right before the handlers.
    talkchannel_api::router(state.clone())
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(middleware::from_fn_with_state(
            BodyLimits {
                body: config.max_body_bytes,
                import: config.max_import_bytes,
            },
            limit_body,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(config.request_timeout_secs),
        ))
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn(surface_errors))
        // Outside the error shaping, so framework-made errors carry the headers too.
        .layer(middleware::from_fn_with_state(state, security_headers))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(trace)
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

#[derive(Clone, Copy)]
struct BodyLimits {
    body: usize,
    import: usize,
}

/// Caps every request body at `max_body_bytes`, except CSV imports, which stream up to
/// `max_import_bytes`. A declared length over the cap is refused before reading.
async fn limit_body(State(limits): State<BodyLimits>, req: Request<Body>, next: Next) -> Response {
    let max = if talkchannel_api::control::is_import_path(req.uri().path()) {
        limits.import
    } else {
        limits.body
    };
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
