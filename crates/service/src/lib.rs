//! Domain services: one per state change, shared by every surface.
//!
//! Each service validates input with the domain's rules, asks the store to make the change
//! and returns domain types. Surfaces (Kakao-compatible API, control API, pages) map the
//! results and [`ServiceError`]s to their own wire formats.

mod accounts;
mod app_users;
mod apps;
mod channels;
mod error;
mod friendships;
mod login;
mod logout;
mod oauth;
mod operator;
mod relationships;
pub mod secrets;
mod user_info;

pub use accounts::AccountRequest;
pub use app_users::{IssuedTokens, LinkRequest};
pub use channels::ChannelRequest;
pub use error::{ServiceError, ServiceResult};
pub use login::MAX_REDIRECT_URIS;
pub use oauth::{OAuthError, Refreshed};
pub use operator::OperatorToken;
pub use relationships::{Caller, ChannelFilter, Credential, RelationshipReport, RelationshipRow};
pub use user_info::TokenInfo;

use std::sync::Arc;
use talkchannel_domain::Clock;
use talkchannel_store::Store;

/// Lifetimes of issued tokens. Kakao's defaults: 6 hours and about 2 months.
#[derive(Debug, Clone, Copy)]
pub struct TokenPolicy {
    pub access_ttl: chrono::Duration,
    pub refresh_ttl: chrono::Duration,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        Self {
            access_ttl: chrono::Duration::seconds(21_599),
            refresh_ttl: chrono::Duration::seconds(5_183_999),
        }
    }
}

/// The services over one store and one clock; cheap to clone into handlers.
#[derive(Clone)]
pub struct Services {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    tokens: TokenPolicy,
}

impl Services {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, tokens: TokenPolicy) -> Self {
        Self {
            store,
            clock,
            tokens,
        }
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}
