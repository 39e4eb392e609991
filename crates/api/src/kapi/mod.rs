//! The Kakao-compatible REST surface (kapi.kakao.com paths), per the compatibility spec.

mod answers;
mod auth;
mod body;
mod channels;
mod cors;
mod customer_files;
mod error;
mod query;
mod scopes;
mod user;
mod user_me;
mod validate;

pub use answers::{AnswerCache, ANSWER_CACHE_BYTES};
pub use cors::cors;
pub use error::KapiError;

use crate::surface::{BodyLimits, Stack, Surface};
use crate::ApiState;
use axum::routing::{any, get, post};
use axum::{middleware, Router};

/// The Kakao API: everything under `/v1/` and `/v2/` is answered in Kakao's shape (an
/// unknown path too) and readable from any origin (CORS).
pub fn router(limits: BodyLimits, stack: Stack) -> Router<ApiState> {
    let v1 = Router::new()
        .route("/api/talk/channels", get(channels::v1))
        .route(
            "/talkchannel/create/target_user_file",
            post(customer_files::create),
        )
        .route("/talkchannel/target_user_file", get(customer_files::list))
        .route(
            "/talkchannel/update/target_users",
            post(customer_files::add_users),
        )
        .route(
            "/talkchannel/delete/target_users",
            post(customer_files::delete_users),
        )
        .route("/user/access_token_info", get(user::access_token_info))
        .route("/user/logout", post(user::logout))
        .route("/user/unlink", post(user::unlink))
        .route("/app/validate/sdk", post(validate::validate_sdk));
    let v2 = Router::new()
        .route("/api/talk/channels", get(channels::v2))
        .route("/user/me", get(user::me).post(user::me))
        .route("/user/scopes", get(scopes::scopes))
        .route("/user/revoke/scopes", post(scopes::revoke));
    // The bare prefixes are no API either (a nested fallback matches only below them).
    let prefixes = Router::new()
        .route("/v1/", any(Surface::Kapi.not_found()))
        .route("/v2/", any(Surface::Kapi.not_found()));
    let kapi = |routes: Router<ApiState>| {
        Surface::Kapi
            .wrap(routes, limits.body, stack)
            .layer(middleware::from_fn(cors))
    };
    Router::new()
        .nest("/v1", kapi(v1.fallback(Surface::Kapi.not_found())))
        .nest("/v2", kapi(v2.fallback(Surface::Kapi.not_found())))
        .merge(kapi(prefixes))
}

/// Kakao answers `application/json;charset=UTF-8`; we send exactly that.
pub(crate) fn json_body<T: serde::Serialize>(value: &T) -> axum::response::Response {
    use axum::response::IntoResponse;
    // Most answers are a few KB; one allocation up front instead of a series of doublings.
    let mut buffer = Vec::with_capacity(4096);
    match serde_json::to_writer(&mut buffer, value) {
        Ok(()) => json_bytes(buffer.into()),
        Err(e) => {
            tracing::error!(error = %e, "could not serialise a Kakao API response");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A JSON answer that is already written (possibly shared with a memo: no copy).
pub(crate) fn json_bytes(body: bytes::Bytes) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    use axum::response::IntoResponse;
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=UTF-8"),
        )],
        body,
    )
        .into_response()
}
