//! Friendships: each account's rows are cached together; a change invalidates the
//! account's entry after it commits.

use crate::{CachedStore, Stamped};
use async_trait::async_trait;
use std::sync::Arc;
use talkchannel_domain::{AccountId, ChannelId, Friendship, FriendshipLogEntry, Page, PageRequest};
use talkchannel_store::{FriendshipChange, FriendshipOutcome, FriendshipStore, Store, StoreResult};

impl<S: Store> CachedStore<S> {
    /// The account's rows and the generation of their load.
    pub(crate) async fn cached_account_friendships(
        &self,
        account: AccountId,
    ) -> StoreResult<Arc<Stamped<Vec<Friendship>>>> {
        if let Some(rows) = self.friendships.get(&account) {
            return Ok(rows);
        }
        let epoch = self.friendships.epoch();
        let rows = self
            .generations
            .stamp(self.inner.account_friendships(account).await?);
        self.friendships.store(account, rows.clone(), epoch);
        Ok(rows)
    }
}

#[async_trait]
impl<S: Store> FriendshipStore for CachedStore<S> {
    async fn friendship(
        &self,
        channel: ChannelId,
        account: AccountId,
    ) -> StoreResult<Option<Friendship>> {
        let rows = self.cached_account_friendships(account).await?;
        Ok(rows.value.iter().find(|f| f.channel_id == channel).cloned())
    }

    async fn friendships_of(
        &self,
        account: AccountId,
        channels: &[ChannelId],
    ) -> StoreResult<Vec<Friendship>> {
        if channels.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self.cached_account_friendships(account).await?;
        Ok(rows
            .value
            .iter()
            .filter(|f| channels.contains(&f.channel_id))
            .cloned()
            .collect())
    }

    async fn account_friendships(&self, account: AccountId) -> StoreResult<Vec<Friendship>> {
        Ok(self
            .cached_account_friendships(account)
            .await?
            .value
            .clone())
    }

    async fn apply_friendship_change(
        &self,
        change: &FriendshipChange,
    ) -> StoreResult<FriendshipOutcome> {
        let result = self.inner.apply_friendship_change(change).await;
        self.friendships.invalidate(&change.account_id);
        result
    }

    async fn friendship_log(
        &self,
        channel: ChannelId,
        account: AccountId,
        page: PageRequest,
    ) -> StoreResult<Page<FriendshipLogEntry>> {
        self.inner.friendship_log(channel, account, page).await
    }
}
