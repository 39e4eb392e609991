//! The Kakao Login authorisation server surface (kauth.kakao.com paths). Errors use
//! kauth's shape: `{"error", "error_description", "error_code": "KOE..."}`.

mod agt;
mod authorize;
mod error;
mod token;

pub use error::KauthError;

use crate::ApiState;
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/oauth/token", post(token::token))
        .route("/api/agt", post(agt::agt))
        .route(
            "/oauth/authorize",
            get(authorize::authorize).post(authorize::consent),
        )
}
