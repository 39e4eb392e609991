//! The HTTP stack around the surfaces: request ids, tracing, security headers, and, on
//! each surface's routes (so its errors are worded by that surface), panics and timeouts.
//! Body limits are the routes' own (the CSV import takes more); this passes the sizes.

use crate::Config;
use axum::http::{Request, StatusCode};
use axum::{middleware, Router};
use std::time::Duration;
use talkchannel_api::{security_headers, ApiState, BodyLimits};
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
    let timeout = Duration::from_secs(config.request_timeout_secs);
    // Each `layer` wraps everything added before it: inside a surface, the body limit is
    // checked right before the handlers, then the timeout, then the panic catcher.
    let per_surface = move |routes: Router<ApiState>| {
        routes
            .layer(TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                timeout,
            ))
            .layer(CatchPanicLayer::new())
    };
    let limits = BodyLimits {
        body: config.max_body_bytes,
        import: config.max_import_bytes,
    };
    talkchannel_api::router(state.clone(), limits, &per_surface)
        // Outside the error shaping, so framework-made errors carry the headers too.
        .layer(middleware::from_fn_with_state(state, security_headers))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(trace)
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}
