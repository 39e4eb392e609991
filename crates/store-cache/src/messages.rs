//! Messages are not cached here: a sent message's recipient set is immutable and the
//! service caches decoded sets itself; everything else goes straight to the engine.

use crate::CachedStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use talkchannel_domain::{AccountId, ChannelId, Message, MessageId, NewMessage, Page, PageRequest};
use talkchannel_store::{
    IdempotencyKey, Keyed, MessageStore, ReceiptCounts, RecipientSet, Store, StoreResult,
};

#[async_trait]
impl<S: Store> MessageStore for CachedStore<S> {
    async fn insert_message(
        &self,
        channel: ChannelId,
        new: &NewMessage,
        key: Option<&IdempotencyKey>,
        at: DateTime<Utc>,
    ) -> StoreResult<Keyed> {
        self.inner.insert_message(channel, new, key, at).await
    }

    async fn message(&self, id: MessageId) -> StoreResult<Option<Message>> {
        self.inner.message(id).await
    }

    async fn messages(&self, channel: ChannelId, page: PageRequest) -> StoreResult<Page<Message>> {
        self.inner.messages(channel, page).await
    }

    async fn keyed_message(&self, key: &IdempotencyKey) -> StoreResult<Option<Message>> {
        self.inner.keyed_message(key).await
    }

    async fn deliver_message(
        &self,
        id: MessageId,
        recipients: &RecipientSet,
        key: Option<&IdempotencyKey>,
        at: DateTime<Utc>,
    ) -> StoreResult<Keyed> {
        self.inner.deliver_message(id, recipients, key, at).await
    }

    async fn cancel_message(&self, id: MessageId, at: DateTime<Utc>) -> StoreResult<Message> {
        self.inner.cancel_message(id, at).await
    }

    async fn due_messages(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Message>> {
        self.inner.due_messages(now, limit).await
    }

    async fn recipient_set(&self, id: MessageId) -> StoreResult<Option<RecipientSet>> {
        self.inner.recipient_set(id).await
    }

    async fn delivered_messages(
        &self,
        channel: ChannelId,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        self.inner.delivered_messages(channel, before, limit).await
    }

    async fn mark_read(
        &self,
        account: AccountId,
        messages: &[MessageId],
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.inner.mark_read(account, messages, at).await
    }

    async fn record_click(
        &self,
        message: MessageId,
        account: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.inner.record_click(message, account, at).await
    }

    async fn receipt_counts(&self, message: MessageId) -> StoreResult<ReceiptCounts> {
        self.inner.receipt_counts(message).await
    }

    async fn blocked_since(
        &self,
        channel: ChannelId,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<AccountId>> {
        self.inner.blocked_since(channel, since).await
    }
}
