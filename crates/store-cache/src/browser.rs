//! The user side's pages: sessions, codes and follow results are read once per request
//! and nothing cached depends on them, so they pass through. Changing an app user's
//! scopes changes what its cached tokens allow, so it drops the user and every cached
//! token (scope grants are rare: one per consent).

use crate::CachedStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use talkchannel_domain::{AccountId, AppId, AppUser, ChannelId, UserId};
use talkchannel_store::{
    AuthorizationCode, BrowserSession, BrowserStore, FollowResult, Store, StoreResult,
};

#[async_trait]
impl<S: Store> BrowserStore for CachedStore<S> {
    async fn insert_session(&self, session: &BrowserSession) -> StoreResult<()> {
        self.inner.insert_session(session).await
    }

    async fn session(&self, id_hash: &str) -> StoreResult<Option<BrowserSession>> {
        self.inner.session(id_hash).await
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        self.inner.delete_session(id_hash).await
    }

    async fn trim_sessions(&self, account: AccountId, keep: u32) -> StoreResult<u64> {
        self.inner.trim_sessions(account, keep).await
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        self.inner.purge_expired(now).await
    }

    async fn insert_authorization_code(&self, code: &AuthorizationCode) -> StoreResult<()> {
        self.inner.insert_authorization_code(code).await
    }

    async fn take_authorization_code(
        &self,
        code_hash: &str,
    ) -> StoreResult<Option<AuthorizationCode>> {
        self.inner.take_authorization_code(code_hash).await
    }

    async fn set_app_user_scopes(
        &self,
        app: AppId,
        user: UserId,
        scopes: &BTreeSet<String>,
    ) -> StoreResult<Option<AppUser>> {
        let updated = self.inner.set_app_user_scopes(app, user, scopes).await?;
        self.app_users.invalidate(&(app, user));
        self.tokens.invalidate_all();
        Ok(updated)
    }

    async fn friend_count(&self, channel: ChannelId) -> StoreResult<u64> {
        self.inner.friend_count(channel).await
    }

    async fn put_follow_result(&self, result: &FollowResult) -> StoreResult<()> {
        self.inner.put_follow_result(result).await
    }

    async fn follow_result(&self, trans_hash: &str) -> StoreResult<Option<FollowResult>> {
        self.inner.follow_result(trans_hash).await
    }
}
