//! The HTTP surfaces: the Kakao-compatible API (`kapi`), our control API (`control`) and
//! the operational endpoints. Handlers are thin: extract, call a service, map to wire types.

pub mod control;
pub mod kapi;
pub mod kauth;
mod ops;
pub mod pages;
mod security_headers;
mod surface;

use axum::Router;
use std::sync::Arc;
use talkchannel_service::{OperatorToken, Services};

pub use security_headers::security_headers;
pub use surface::{BodyLimits, Stack, Surface};

/// What every handler can reach. Cloned for every request, so it is one shared pointer
/// (cloning the services field by field showed up in profiles of the hot path).
#[derive(Clone)]
pub struct ApiState(Arc<Shared>);

pub struct Shared {
    pub services: Services,
    pub operator: OperatorToken,
    /// Settings of the user-facing pages.
    pub pages: pages::PageSettings,
    /// How the sign-in throttle tells clients apart.
    pub client_addresses: pages::ClientAddresses,
    /// Rendered relationship answers, reused while the store's generation holds.
    pub answers: kapi::AnswerCache,
}

impl ApiState {
    pub fn new(services: Services, operator: OperatorToken, pages: pages::PageSettings) -> Self {
        Self(Arc::new(Shared {
            services,
            operator,
            pages,
            client_addresses: pages::ClientAddresses::default(),
            answers: kapi::AnswerCache::default(),
        }))
    }

    /// Believes `X-Forwarded-For` as `policy` says. Call before the state is cloned.
    pub fn with_client_addresses(mut self, policy: pages::ClientAddresses) -> Self {
        Arc::get_mut(&mut self.0)
            .expect("set before the state is shared")
            .client_addresses = policy;
        self
    }
}

impl std::ops::Deref for ApiState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// All routes of all surfaces on one router (paths do not collide). Each surface's routes
/// carry their own layers (see [`Surface::wrap`]): body limits, the server's `stack`,
/// error shaping, CORS on the Kakao API. A path no route matches is ours (kapi answers
/// its own under `/v1/` and `/v2/`).
pub fn router(state: ApiState, limits: BodyLimits, stack: Stack) -> Router {
    let control = Surface::Control;
    Router::new()
        .merge(control.wrap(ops::router(), limits.body, stack))
        .merge(kapi::router(limits, stack))
        .merge(kauth::router(limits, stack))
        .merge(control.wrap(pages::router(), limits.body, stack))
        .merge(control::router(state.clone(), limits, stack))
        .merge(control::links_router(limits, stack))
        .fallback(surface::not_found)
        .with_state(state)
}
