//! Sign-in throttle state: one row per key (a hashed login name or client address), so
//! every node over one database counts the same failures.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use talkchannel_domain::{ThrottlePolicy, ThrottleState};

#[async_trait]
pub trait ThrottleStore: Send + Sync {
    /// The stored state of each of `keys` that has one, as `(key, state)`.
    async fn throttle_states(&self, keys: &[String]) -> StoreResult<Vec<(String, ThrottleState)>>;
    /// Counts one failure at `now` for each key with `policy`, in one transaction that
    /// serialises with other nodes' counts; returns the new states in `keys` order.
    async fn record_sign_in_failure(
        &self,
        keys: &[String],
        policy: &ThrottlePolicy,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<ThrottleState>>;
    /// Forgets the key (a successful sign-in).
    async fn clear_throttle(&self, key: &str) -> StoreResult<()>;
    /// Deletes rows whose window began and whose block ended at or before `before`;
    /// returns how many went.
    async fn purge_throttles(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}
