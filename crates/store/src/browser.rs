//! What the user-facing pages need stored: browser sessions (so any node over one
//! database can serve a signed-in user), single-use authorization codes, the results of
//! follow-channel transactions, and two small reads (friend counts, scope grants).

use crate::{StoreError, StoreResult};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use talkchannel_domain::{
    AccountId, AppId, AppUser, ChannelId, CodeChallenge, CodeChallengeMethod, UserId,
};

/// A browser session: the cookie holds a random token, the store only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrowserSession {
    pub id_hash: String,
    /// Sent back in every POST form of this session; compared in constant time.
    pub csrf_token: String,
    /// `None` until the user signs in.
    pub account_id: Option<AccountId>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// An issued authorization code (only its hash is kept), bound to the app, the user it
/// was issued for, the redirect URI it was sent to and the PKCE challenge it was asked
/// with, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationCode {
    pub code_hash: String,
    pub app_id: AppId,
    pub user_id: UserId,
    pub redirect_uri: String,
    pub code_challenge: Option<CodeChallenge>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl AuthorizationCode {
    /// The `(code_challenge, code_challenge_method)` columns of this code.
    pub fn challenge_columns(&self) -> (Option<&str>, Option<&'static str>) {
        match &self.code_challenge {
            Some(c) => (Some(c.value()), Some(c.method().as_str())),
            None => (None, None),
        }
    }
}

/// Reads the `(code_challenge, code_challenge_method)` columns back; a value the
/// migration's CHECK should have kept out is a backend error, not a silent `None`.
pub fn challenge_from_columns(
    value: Option<String>,
    method: Option<String>,
) -> StoreResult<Option<CodeChallenge>> {
    let unreadable = || StoreError::Backend("unreadable code challenge in database".into());
    match (value, method) {
        (None, None) => Ok(None),
        (Some(value), Some(method)) => {
            let method = CodeChallengeMethod::parse(&method).map_err(|_| unreadable())?;
            CodeChallenge::new(method, &value)
                .map(Some)
                .map_err(|_| unreadable())
        }
        _ => Err(unreadable()),
    }
}

/// How a follow-channel transaction ended, kept for the SDK that started it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowResult {
    pub trans_hash: String,
    pub app_id: AppId,
    pub channel_public_id: String,
    /// `success`, `fail` or `error`.
    pub status: String,
    /// `KAE...` when `status` is `error`.
    pub error_code: Option<String>,
    pub expires_at: DateTime<Utc>,
}

#[async_trait]
pub trait BrowserStore: Send + Sync {
    async fn insert_session(&self, session: &BrowserSession) -> StoreResult<()>;
    /// The session with this hash, expired or not (the caller compares with its clock).
    async fn session(&self, id_hash: &str) -> StoreResult<Option<BrowserSession>>;
    async fn delete_session(&self, id_hash: &str) -> StoreResult<()>;
    /// Deletes the account's sessions beyond its `keep` newest (by creation, then hash);
    /// returns how many went.
    async fn trim_sessions(&self, account: AccountId, keep: u32) -> StoreResult<u64>;
    /// Deletes expired sessions, codes and follow results; returns how many rows went.
    async fn purge_expired(&self, now: DateTime<Utc>) -> StoreResult<u64>;

    /// `NotFound(Entity::AppUser)` when the user is not linked to the app.
    async fn insert_authorization_code(&self, code: &AuthorizationCode) -> StoreResult<()>;
    /// Deletes and returns the code: a second call with the same hash finds nothing, even
    /// when two race.
    async fn take_authorization_code(
        &self,
        code_hash: &str,
    ) -> StoreResult<Option<AuthorizationCode>>;

    /// Replaces the app user's granted scopes; `None` when the user is not linked.
    async fn set_app_user_scopes(
        &self,
        app: AppId,
        user: UserId,
        scopes: &BTreeSet<String>,
    ) -> StoreResult<Option<AppUser>>;
    /// How many accounts have the channel ADDED now.
    async fn friend_count(&self, channel: ChannelId) -> StoreResult<u64>;

    /// Stores the result of a transaction; a second result for one hash replaces it.
    async fn put_follow_result(&self, result: &FollowResult) -> StoreResult<()>;
    async fn follow_result(&self, trans_hash: &str) -> StoreResult<Option<FollowResult>>;
}
