use crate::{
    BrowserStore, CustomerFileStore, FriendGroupStore, FriendshipChange, FriendshipOutcome,
    KeyOwner, LoginStore, MessageStore, NewAppUser, RelationshipGeneration, SegmentStore,
    StoreResult, WebhookStore,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use talkchannel_domain::{
    Account, AccountId, App, AppId, AppKey, AppUser, Channel, ChannelId, ChannelPublicId,
    ChannelStatus, Friendship, FriendshipLogEntry, NewAccount, NewApp, NewChannel, Page,
    PageRequest, TimeZone, TokenRecord, UserId,
};

#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn insert_account(&self, new: &NewAccount, at: DateTime<Utc>) -> StoreResult<Account>;
    async fn account(&self, id: AccountId) -> StoreResult<Option<Account>>;
    async fn accounts(&self, page: PageRequest) -> StoreResult<Page<Account>>;
}

#[async_trait]
pub trait AppStore: Send + Sync {
    /// Inserts the app and its keys; `Conflict(Clash::AppKeyTaken)` if a key is already taken.
    async fn insert_app(&self, new: &NewApp, at: DateTime<Utc>) -> StoreResult<App>;
    async fn app(&self, id: AppId) -> StoreResult<Option<App>>;
    async fn apps(&self, page: PageRequest) -> StoreResult<Page<App>>;
    /// Adds an admin key; when `key.primary`, the previous primary stops being primary.
    async fn add_admin_key(&self, app: AppId, key: &AppKey) -> StoreResult<()>;
    async fn key_owner(&self, key: &str) -> StoreResult<Option<KeyOwner>>;

    /// Links an account; `Conflict(Clash::AccountAlreadyLinked)` if already linked, `Conflict(Clash::UserIdTaken)` if
    /// the id is taken in this app.
    async fn insert_app_user(&self, new: &NewAppUser) -> StoreResult<AppUser>;
    async fn app_user(&self, app: AppId, user_id: UserId) -> StoreResult<Option<AppUser>>;
    async fn app_user_by_account(
        &self,
        app: AppId,
        account: AccountId,
    ) -> StoreResult<Option<AppUser>>;
    async fn insert_token(&self, token: &TokenRecord) -> StoreResult<()>;
    /// The token with this access-token hash and the app user it belongs to.
    async fn token_by_access_hash(&self, hash: &str)
        -> StoreResult<Option<(TokenRecord, AppUser)>>;
}

#[async_trait]
pub trait ChannelStore: Send + Sync {
    /// `Conflict(Clash::ChannelPublicIdTaken)` or `Conflict(Clash::SearchIdTaken)` when taken.
    async fn insert_channel(&self, new: &NewChannel, at: DateTime<Utc>) -> StoreResult<Channel>;
    async fn channel(&self, id: ChannelId) -> StoreResult<Option<Channel>>;
    async fn channel_by_public_id(&self, id: &ChannelPublicId) -> StoreResult<Option<Channel>>;
    async fn channels(&self, page: PageRequest) -> StoreResult<Page<Channel>>;
    async fn set_channel_status(
        &self,
        id: ChannelId,
        status: ChannelStatus,
    ) -> StoreResult<Channel>;

    /// Returns false when the two were already connected.
    async fn connect(&self, app: AppId, channel: ChannelId, at: DateTime<Utc>)
        -> StoreResult<bool>;
    /// Returns false when the two were not connected.
    async fn disconnect(&self, app: AppId, channel: ChannelId) -> StoreResult<bool>;
    /// The app's connected channels, in the order they were connected.
    async fn connected_channels(&self, app: AppId) -> StoreResult<Vec<Channel>>;
    /// Sets the channel's time zone; `NotFound(Entity::Channel)` when there is no such channel.
    async fn set_channel_time_zone(&self, id: ChannelId, zone: TimeZone) -> StoreResult<Channel>;
}

#[async_trait]
pub trait FriendshipStore: Send + Sync {
    async fn friendship(
        &self,
        channel: ChannelId,
        account: AccountId,
    ) -> StoreResult<Option<Friendship>>;
    /// The account's friendships among `channels` (absent ones are NONE, never changed).
    async fn friendships_of(
        &self,
        account: AccountId,
        channels: &[ChannelId],
    ) -> StoreResult<Vec<Friendship>>;
    /// Every friendship row of the account, whatever the channel (for read caches).
    async fn account_friendships(&self, account: AccountId) -> StoreResult<Vec<Friendship>>;
    /// Applies a change atomically: row, log entry and, for a change to ADDED or BLOCKED,
    /// one webhook event per connected app with enabled webhook settings; or none of them.
    async fn apply_friendship_change(
        &self,
        change: &FriendshipChange,
    ) -> StoreResult<FriendshipOutcome>;
    async fn friendship_log(
        &self,
        channel: ChannelId,
        account: AccountId,
        page: PageRequest,
    ) -> StoreResult<Page<FriendshipLogEntry>>;
}

/// Small named values the server keeps for itself (the operator token's hash, ...).
#[async_trait]
pub trait SettingsStore: Send + Sync {
    async fn setting(&self, name: &str) -> StoreResult<Option<String>>;
    async fn put_setting(&self, name: &str, value: &str) -> StoreResult<()>;
    /// Stores the value only if the name is unset; returns whether it was stored.
    async fn put_setting_if_absent(&self, name: &str, value: &str) -> StoreResult<bool>;
}

/// A whole storage engine.
#[async_trait]
pub trait Store:
    AccountStore
    + AppStore
    + ChannelStore
    + FriendshipStore
    + SettingsStore
    + WebhookStore
    + CustomerFileStore
    + LoginStore
    + crate::ConsentStore
    + BrowserStore
    + SegmentStore
    + FriendGroupStore
    + MessageStore
    + crate::ThrottleStore
    + 'static
{
    /// The engine's name for logs and `/readyz` (`sqlite`, `postgres`).
    fn engine(&self) -> &'static str;
    /// Checks the database answers.
    async fn ping(&self) -> StoreResult<()>;
    /// The generation of what a relationship answer for `account` of `app` is built from
    /// (the app's connected channels and the account's friendships), read before the data
    /// itself: while it is unchanged, so are they, and an answer built from them may be
    /// reused. `None` (the default) when this engine cannot promise that: a node with
    /// other writers behind its back, or an engine that keeps no generations.
    async fn relationship_generation(
        &self,
        _app: AppId,
        _account: AccountId,
    ) -> StoreResult<Option<RelationshipGeneration>> {
        Ok(None)
    }
}
