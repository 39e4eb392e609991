//! Files embedded in the binary: the pages' stylesheet and script, and the JS SDK
//! (`/sdk/js/kakao.js`, also as `kakao.min.js`, the name Kakao's CDN uses).

use crate::ApiState;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

const CSS: &str = include_str!("../../assets/talkchannel.css");
const CLOSE_JS: &str = include_str!("../../assets/close.js");
/// The SDK is one file, as Kakao's is; its Share module lives in a file of its own.
const SDK_JS: &str = concat!(
    include_str!("../../assets/kakao.js"),
    include_str!("../../assets/kakao-share.js")
);

pub fn router() -> Router<ApiState> {
    Router::new()
        .route(
            "/assets/talkchannel.css",
            get(|| async { asset(CSS, "text/css; charset=utf-8") }),
        )
        .route(
            "/assets/close.js",
            get(|| async { asset(CLOSE_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/sdk/js/kakao.js",
            get(|| async { asset(SDK_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/sdk/js/kakao.min.js",
            get(|| async { asset(SDK_JS, "text/javascript; charset=utf-8") }),
        )
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    // Pages on any origin load the SDK.
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}
