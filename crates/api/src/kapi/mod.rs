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

use crate::ApiState;
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/v2/api/talk/channels", get(channels::v2))
        .route("/v1/api/talk/channels", get(channels::v1))
        .route(
            "/v1/talkchannel/create/target_user_file",
            post(customer_files::create),
        )
        .route(
            "/v1/talkchannel/target_user_file",
            get(customer_files::list),
        )
        .route(
            "/v1/talkchannel/update/target_users",
            post(customer_files::add_users),
        )
        .route(
            "/v1/talkchannel/delete/target_users",
            post(customer_files::delete_users),
        )
        .route("/v1/user/access_token_info", get(user::access_token_info))
        .route("/v2/user/me", get(user::me).post(user::me))
        .route("/v2/user/scopes", get(scopes::scopes))
        .route("/v2/user/revoke/scopes", post(scopes::revoke))
        .route("/v1/user/logout", post(user::logout))
        .route("/v1/user/unlink", post(user::unlink))
        .route("/v1/app/validate/sdk", post(validate::validate_sdk))
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
