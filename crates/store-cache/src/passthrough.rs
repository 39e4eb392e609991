//! Traits whose data is not on the hot path: straight to the engine.

use crate::CachedStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use talkchannel_domain::consent::Requirement;
use talkchannel_domain::{Account, AccountId, AppId, NewAccount, Page, PageRequest};
use talkchannel_store::{
    AccountStore, ConsentStore, RelationshipGeneration, SettingsStore, Store, StoreResult,
};

#[async_trait]
impl<S: Store> AccountStore for CachedStore<S> {
    async fn insert_account(&self, new: &NewAccount, at: DateTime<Utc>) -> StoreResult<Account> {
        self.inner.insert_account(new, at).await
    }

    async fn account(&self, id: AccountId) -> StoreResult<Option<Account>> {
        self.inner.account(id).await
    }

    async fn accounts(&self, page: PageRequest) -> StoreResult<Page<Account>> {
        self.inner.accounts(page).await
    }
}

#[async_trait]
impl<S: Store> SettingsStore for CachedStore<S> {
    async fn setting(&self, name: &str) -> StoreResult<Option<String>> {
        self.inner.setting(name).await
    }

    async fn put_setting(&self, name: &str, value: &str) -> StoreResult<()> {
        self.inner.put_setting(name, value).await
    }

    async fn put_setting_if_absent(&self, name: &str, value: &str) -> StoreResult<bool> {
        self.inner.put_setting_if_absent(name, value).await
    }
}

#[async_trait]
impl<S: Store> ConsentStore for CachedStore<S> {
    async fn consent_settings(&self, app: AppId) -> StoreResult<Vec<(String, Requirement)>> {
        self.inner.consent_settings(app).await
    }

    async fn set_consent_settings(
        &self,
        app: AppId,
        settings: &[(&str, Requirement)],
    ) -> StoreResult<()> {
        self.inner.set_consent_settings(app, settings).await
    }
}

#[async_trait]
impl<S: Store> Store for CachedStore<S> {
    fn engine(&self) -> &'static str {
        self.inner.engine()
    }

    async fn ping(&self) -> StoreResult<()> {
        self.inner.ping().await
    }

    /// Every write passes through this process and invalidates what it changes, so the
    /// generations of the cached loads name the data exactly (see `stamped.rs`).
    async fn relationship_generation(
        &self,
        app: AppId,
        account: AccountId,
    ) -> StoreResult<Option<RelationshipGeneration>> {
        Ok(Some(RelationshipGeneration {
            channels: self.cached_connected_channels(app).await?.generation,
            friendships: self.cached_account_friendships(account).await?.generation,
        }))
    }
}

#[async_trait]
impl<S: Store> talkchannel_store::ThrottleStore for CachedStore<S> {
    async fn throttle_states(
        &self,
        keys: &[String],
    ) -> StoreResult<Vec<(String, talkchannel_domain::ThrottleState)>> {
        self.inner.throttle_states(keys).await
    }

    async fn record_sign_in_failure(
        &self,
        keys: &[String],
        policy: &talkchannel_domain::ThrottlePolicy,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<talkchannel_domain::ThrottleState>> {
        self.inner.record_sign_in_failure(keys, policy, now).await
    }

    async fn clear_throttle(&self, key: &str) -> StoreResult<()> {
        self.inner.clear_throttle(key).await
    }

    async fn purge_throttles(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        self.inner.purge_throttles(before).await
    }
}
