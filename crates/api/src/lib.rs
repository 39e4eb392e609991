//! The HTTP surfaces: the Kakao-compatible API (`kapi`), our control API (`control`) and
//! the operational endpoints. Handlers are thin: extract, call a service, map to wire types.

pub mod control;
pub mod kapi;
pub mod kauth;
mod ops;
mod surface;

use axum::Router;
use talkchannel_service::{OperatorToken, Services};

pub use surface::{surface_errors, Surface};

/// What every handler can reach.
#[derive(Clone)]
pub struct ApiState {
    pub services: Services,
    pub operator: OperatorToken,
}

/// All routes of all surfaces on one router (paths do not collide).
pub fn router(state: ApiState) -> Router {
    Router::new()
        .merge(ops::router())
        .merge(kapi::router())
        .merge(kauth::router())
        .nest("/admin/api/v1", control::router(state.clone()))
        .merge(control::links_router())
        .fallback(surface::not_found)
        .method_not_allowed_fallback(surface::method_not_allowed)
        .with_state(state)
}
