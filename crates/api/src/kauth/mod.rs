//! The Kakao Login authorisation server surface (kauth.kakao.com paths). Errors use
//! kauth's shape: `{"error", "error_description", "error_code": "KOE..."}`.

mod agt;
mod authorize;
mod error;
mod token;

pub use error::KauthError;

use crate::surface::{BodyLimits, Stack, Surface};
use crate::ApiState;
use axum::routing::{get, post};
use axum::{middleware, Router};

pub fn router(limits: BodyLimits, stack: Stack) -> Router<ApiState> {
    let token = Router::new().route("/oauth/token", post(token::token));
    // The JS SDK posts an access token here from the developer's page: CORS, as kapi.
    let agt = Router::new().route("/api/agt", post(agt::agt));
    // The consent screen is a page: errors in our own shape (HTML pages of its own).
    let authorize = Router::new().route(
        "/oauth/authorize",
        get(authorize::authorize).post(authorize::consent),
    );
    Router::new()
        .merge(Surface::Kauth.wrap(token, limits.body, stack))
        .merge(
            Surface::Kauth
                .wrap(agt, limits.body, stack)
                .layer(middleware::from_fn(crate::kapi::cors)),
        )
        .merge(Surface::Control.wrap(authorize, limits.body, stack))
}
