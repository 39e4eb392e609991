//! Headers every answer carries, whatever surface made it: the browser is told not to
//! sniff types, not to send our URLs (which may carry an authorization code or a state)
//! to other sites, to grant pages no device features, and, over https, to stay on https.

use crate::pages::CookieSecure;
use crate::ApiState;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

const ALWAYS: [(&str, &str); 3] = [
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    ),
];

/// One year, the common floor for HSTS; sent only over https (see [`CookieSecure`]).
const HSTS: &str = "max-age=31536000";

pub async fn security_headers(State(state): State<ApiState>, req: Request, next: Next) -> Response {
    let https = match state.pages.cookie_secure {
        CookieSecure::Always => true,
        CookieSecure::Never => false,
        CookieSecure::Auto => req
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https")),
    };
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    for (name, value) in ALWAYS {
        headers
            .entry(HeaderName::from_static(name))
            .or_insert(HeaderValue::from_static(value));
    }
    if https {
        headers.insert(
            axum::http::header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}
