//! What Kakao Login needs stored: the redirect URIs an app registered and the passwords
//! accounts sign in with.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use talkchannel_domain::{AccountId, AppId, TokenRecord, UserId};

/// An account that can sign in, found by one of its login names (email or phone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginCredential {
    pub account_id: AccountId,
    /// A PHC string (`$argon2id$...`); the store never sees a password.
    pub password_hash: String,
}

#[async_trait]
pub trait LoginStore: Send + Sync {
    /// Replaces the app's redirect URIs with `uris` (kept in this order) in one
    /// transaction; `NotFound(Entity::App)` for an unknown app.
    async fn set_redirect_uris(&self, app: AppId, uris: &[String]) -> StoreResult<()>;
    /// The app's redirect URIs in the order they were set (empty for an unknown app).
    async fn redirect_uris(&self, app: AppId) -> StoreResult<Vec<String>>;
    /// Sets (`Some`) or removes (`None`) the client secret the app's token requests must
    /// carry; `NotFound(Entity::App)` for an unknown app.
    async fn set_client_secret(&self, app: AppId, secret: Option<&str>) -> StoreResult<()>;
    /// The app's client secret, if it requires one.
    async fn client_secret(&self, app: AppId) -> StoreResult<Option<String>>;
    /// Sets or replaces the account's password hash; `NotFound(Entity::Account)` if unknown.
    async fn set_password_hash(
        &self,
        account: AccountId,
        hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Accounts with a password whose email or phone number equals `login` exactly,
    /// by account id. Email and phone are not unique, so the caller checks the password
    /// against each.
    async fn credentials_for_login(&self, login: &str) -> StoreResult<Vec<LoginCredential>>;

    /// Deletes every token of the app user (logout); returns their access-token hashes,
    /// so read caches can forget them.
    async fn revoke_tokens(&self, app: AppId, user: UserId) -> StoreResult<Vec<String>>;
    /// Deletes the app user and its tokens in one transaction (unlink); returns the
    /// tokens' access hashes, or `None` when the user was not linked. Friendships are the
    /// account's and stay.
    async fn unlink_app_user(&self, app: AppId, user: UserId) -> StoreResult<Option<Vec<String>>>;
    /// The token with this refresh-token hash.
    async fn token_by_refresh_hash(&self, hash: &str) -> StoreResult<Option<TokenRecord>>;
    /// Replaces the token `old_access_hash` with `new` in one transaction (refresh);
    /// false, writing nothing, when the old token is already gone.
    async fn replace_token(&self, old_access_hash: &str, new: &TokenRecord) -> StoreResult<bool>;
}
