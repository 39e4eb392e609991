//! Kakao Login: redirect URIs and password hashes are read once per sign-in and nothing
//! cached depends on them; logout, unlink and refresh delete tokens (and unlink links), so
//! they invalidate the cached tokens (by access hash) and app users after the write commits.

use crate::CachedStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use talkchannel_domain::{AccountId, AppId, TokenRecord, UserId};
use talkchannel_store::{LoginCredential, LoginStore, Store, StoreResult};

impl<S: Store> CachedStore<S> {
    fn forget_tokens(&self, access_hashes: &[String]) {
        for hash in access_hashes {
            self.tokens.invalidate(hash.as_str());
        }
    }
}

#[async_trait]
impl<S: Store> LoginStore for CachedStore<S> {
    async fn set_redirect_uris(&self, app: AppId, uris: &[String]) -> StoreResult<()> {
        self.inner.set_redirect_uris(app, uris).await
    }

    async fn redirect_uris(&self, app: AppId) -> StoreResult<Vec<String>> {
        self.inner.redirect_uris(app).await
    }

    async fn set_client_secret(&self, app: AppId, secret: Option<&str>) -> StoreResult<()> {
        self.inner.set_client_secret(app, secret).await
    }

    async fn client_secret(&self, app: AppId) -> StoreResult<Option<String>> {
        self.inner.client_secret(app).await
    }

    async fn set_password_hash(
        &self,
        account: AccountId,
        hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.inner.set_password_hash(account, hash, at).await
    }

    async fn credentials_for_login(&self, login: &str) -> StoreResult<Vec<LoginCredential>> {
        self.inner.credentials_for_login(login).await
    }

    async fn revoke_tokens(&self, app: AppId, user: UserId) -> StoreResult<Vec<String>> {
        let hashes = self.inner.revoke_tokens(app, user).await?;
        self.forget_tokens(&hashes);
        Ok(hashes)
    }

    async fn unlink_app_user(&self, app: AppId, user: UserId) -> StoreResult<Option<Vec<String>>> {
        let unlinked = self.inner.unlink_app_user(app, user).await?;
        if let Some(hashes) = &unlinked {
            self.forget_tokens(hashes);
        }
        // Even when nothing was linked: a racing load may have been guarded by this epoch.
        self.app_users.invalidate(&(app, user));
        Ok(unlinked)
    }

    async fn token_by_refresh_hash(&self, hash: &str) -> StoreResult<Option<TokenRecord>> {
        self.inner.token_by_refresh_hash(hash).await
    }

    async fn replace_token(&self, old_access_hash: &str, new: &TokenRecord) -> StoreResult<bool> {
        let replaced = self.inner.replace_token(old_access_hash, new).await?;
        self.tokens.invalidate(old_access_hash);
        Ok(replaced)
    }
}
