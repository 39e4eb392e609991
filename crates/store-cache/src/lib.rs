//! A write-through read cache in front of a storage engine, for the Kakao API's hot path
//! (credential lookups, an app's connected channels, an account's friendships).
//!
//! It is coherent only when every write to the database passes through this process,
//! which is the SQLite deployment model (one serving process owns the file). Several
//! nodes over PostgreSQL write behind each other's backs, so the server does not put this
//! cache in front of PostgreSQL.
//!
//! Every trait method is implemented here, so a new write method cannot be added to the
//! traits without deciding what it invalidates.

mod apps;
mod browser;
mod channels;
mod customer_files;
mod friendships;
mod guard;
mod login;
mod messages;
mod passthrough;
mod segments;
mod stamped;
mod webhooks;

use guard::Guarded;
use moka::sync::Cache;
use stamped::{Generations, Stamped};
use std::sync::Arc;
use talkchannel_domain::{AccountId, AppId, AppUser, Channel, Friendship, TokenRecord, UserId};
use talkchannel_store::{KeyOwner, Store};

/// How many entries each cache holds before it evicts the least used.
#[derive(Debug, Clone, Copy)]
pub struct CacheLimits {
    pub accounts: u64,
    pub credentials: u64,
    pub apps: u64,
}

impl Default for CacheLimits {
    /// About 100 MB at most with typical rows: 200k accounts' friendships, 200k tokens.
    fn default() -> Self {
        Self {
            accounts: 200_000,
            credentials: 200_000,
            apps: 10_000,
        }
    }
}

pub struct CachedStore<S> {
    inner: S,
    /// Positive lookups only: keys are never deleted, so a found key stays valid.
    keys: Cache<String, KeyOwner>,
    /// Token hash -> token and its user; logout and unlink delete tokens.
    tokens: Guarded<String, Arc<(TokenRecord, AppUser)>>,
    /// Unlink deletes app users.
    app_users: Guarded<(AppId, UserId), AppUser>,
    connected: Guarded<AppId, Arc<Stamped<Vec<Channel>>>>,
    friendships: Guarded<AccountId, Arc<Stamped<Vec<Friendship>>>>,
    /// Numbers the loads of the two above (see [`Stamped`]).
    generations: Generations,
}

impl<S: Store> CachedStore<S> {
    pub fn new(inner: S, limits: CacheLimits) -> Self {
        Self {
            inner,
            keys: Cache::new(limits.credentials),
            tokens: Guarded::new(limits.credentials),
            app_users: Guarded::new(limits.credentials),
            connected: Guarded::new(limits.apps),
            friendships: Guarded::new(limits.accounts),
            generations: Generations::default(),
        }
    }

    pub fn inner(&self) -> &S {
        &self.inner
    }
}
