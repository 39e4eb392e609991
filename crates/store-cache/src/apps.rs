//! Keys, tokens and app users: found values are cached, misses are not (a key may be
//! added). Keys never change; tokens and app users are deleted by logout and unlink
//! (see `login.rs`), so their loads go through the epoch guard.

use crate::CachedStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use talkchannel_domain::{
    AccountId, App, AppId, AppKey, AppUser, NewApp, Page, PageRequest, TokenRecord, UserId,
};
use talkchannel_store::{AppStore, KeyOwner, NewAppUser, Store, StoreResult};

#[async_trait]
impl<S: Store> AppStore for CachedStore<S> {
    async fn insert_app(&self, new: &NewApp, at: DateTime<Utc>) -> StoreResult<App> {
        self.inner.insert_app(new, at).await
    }

    async fn app(&self, id: AppId) -> StoreResult<Option<App>> {
        self.inner.app(id).await
    }

    async fn apps(&self, page: PageRequest) -> StoreResult<Page<App>> {
        self.inner.apps(page).await
    }

    async fn add_admin_key(&self, app: AppId, key: &AppKey) -> StoreResult<()> {
        // Adding a key changes no cached lookup: a key's owner and kind never change.
        self.inner.add_admin_key(app, key).await
    }

    async fn key_owner(&self, key: &str) -> StoreResult<Option<KeyOwner>> {
        if let Some(owner) = self.keys.get(key) {
            return Ok(Some(owner));
        }
        let found = self.inner.key_owner(key).await?;
        if let Some(owner) = &found {
            self.keys.insert(key.to_owned(), owner.clone());
        }
        Ok(found)
    }

    async fn insert_app_user(&self, new: &NewAppUser) -> StoreResult<AppUser> {
        self.inner.insert_app_user(new).await
    }

    async fn app_user(&self, app: AppId, user_id: UserId) -> StoreResult<Option<AppUser>> {
        if let Some(user) = self.app_users.get(&(app, user_id)) {
            return Ok(Some(user));
        }
        let epoch = self.app_users.epoch();
        let found = self.inner.app_user(app, user_id).await?;
        if let Some(user) = &found {
            self.app_users.store((app, user_id), user.clone(), epoch);
        }
        Ok(found)
    }

    async fn app_user_by_account(
        &self,
        app: AppId,
        account: AccountId,
    ) -> StoreResult<Option<AppUser>> {
        self.inner.app_user_by_account(app, account).await
    }

    async fn insert_token(&self, token: &TokenRecord) -> StoreResult<()> {
        self.inner.insert_token(token).await
    }

    async fn token_by_access_hash(
        &self,
        hash: &str,
    ) -> StoreResult<Option<(TokenRecord, AppUser)>> {
        if let Some(found) = self.tokens.get(hash) {
            return Ok(Some((*found).clone()));
        }
        let epoch = self.tokens.epoch();
        let found = self.inner.token_by_access_hash(hash).await?;
        if let Some(pair) = &found {
            self.tokens
                .store(hash.to_owned(), Arc::new(pair.clone()), epoch);
        }
        Ok(found)
    }
}
