//! Segment reads and friend groups are not cached: the segment engine keeps its own
//! in-memory index, so these go straight to the engine.

use crate::CachedStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use talkchannel_domain::{
    AccountId, ChannelId, FieldType, FileId, FriendGroup, GroupDraft, GroupId, Page, PageRequest,
};
use talkchannel_store::{
    FriendGroupStore, FriendRecord, Profile, RowRecord, SegmentStore, Sink, Store, StoreResult,
};

#[async_trait]
impl<S: Store> SegmentStore for CachedStore<S> {
    async fn segment_version(&self, channel: ChannelId) -> StoreResult<i64> {
        self.inner.segment_version(channel).await
    }

    async fn friend_records(
        &self,
        channel: ChannelId,
        since: i64,
        sink: Sink<'_, FriendRecord>,
    ) -> StoreResult<()> {
        self.inner.friend_records(channel, since, sink).await
    }

    async fn row_records(
        &self,
        file: FileId,
        fields: &[(String, FieldType)],
        since: i64,
        sink: Sink<'_, RowRecord>,
    ) -> StoreResult<()> {
        self.inner.row_records(file, fields, since, sink).await
    }

    async fn row_tombstones(
        &self,
        channel: ChannelId,
        since: i64,
    ) -> StoreResult<Vec<(FileId, AccountId)>> {
        self.inner.row_tombstones(channel, since).await
    }

    async fn account_rows(
        &self,
        file: FileId,
        fields: &[(String, FieldType)],
        accounts: &[AccountId],
    ) -> StoreResult<Vec<RowRecord>> {
        self.inner.account_rows(file, fields, accounts).await
    }

    async fn profiles(&self, accounts: &[AccountId]) -> StoreResult<Vec<(AccountId, Profile)>> {
        self.inner.profiles(accounts).await
    }
}

#[async_trait]
impl<S: Store> FriendGroupStore for CachedStore<S> {
    async fn insert_friend_group(
        &self,
        channel: ChannelId,
        draft: &GroupDraft,
        at: DateTime<Utc>,
    ) -> StoreResult<FriendGroup> {
        self.inner.insert_friend_group(channel, draft, at).await
    }

    async fn friend_group(&self, id: GroupId) -> StoreResult<Option<FriendGroup>> {
        self.inner.friend_group(id).await
    }

    async fn friend_groups(
        &self,
        channel: ChannelId,
        page: PageRequest,
    ) -> StoreResult<Page<FriendGroup>> {
        self.inner.friend_groups(channel, page).await
    }

    async fn update_friend_group(
        &self,
        id: GroupId,
        draft: &GroupDraft,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<FriendGroup>> {
        self.inner.update_friend_group(id, draft, at).await
    }

    async fn delete_friend_group(&self, id: GroupId) -> StoreResult<bool> {
        self.inner.delete_friend_group(id).await
    }
}
