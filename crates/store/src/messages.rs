//! Channel messages, their recipient sets and their sparse per-recipient state.
//!
//! A message's recipients are fixed at send time as ONE compact blob (a serialized
//! `RoaringTreemap` of account ids, see [`RecipientSet`]) written in the same transaction
//! that marks the message sent. That write *is* the delivery: an account's chat lists the
//! sent messages whose set holds it, so there is no per-recipient loop to crash in the
//! middle of, and a send that commits twice is impossible (the state moves only from
//! draft or scheduled to sent).

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use roaring::RoaringTreemap;
use talkchannel_domain::{
    AccountId, ChannelId, Clash, Message, MessageId, MessageState, NewMessage, Page, PageRequest,
    Target,
};

/// An idempotency key as stored: the caller's key within a scope (one channel), and a
/// fingerprint of what the call asked for, so a replay with another body is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub scope: String,
    pub key: String,
    pub fingerprint: String,
}

/// The accounts a sent message went to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecipientSet(pub RoaringTreemap);

impl RecipientSet {
    /// Account ids are positive i64s; they are stored as u64 in the treemap.
    pub fn from_accounts(accounts: impl IntoIterator<Item = AccountId>) -> Self {
        Self(
            accounts
                .into_iter()
                .filter_map(|a| u64::try_from(a).ok())
                .collect(),
        )
    }

    pub fn contains(&self, account: AccountId) -> bool {
        u64::try_from(account).is_ok_and(|a| self.0.contains(a))
    }

    pub fn len(&self) -> u64 {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.0.serialized_size());
        self.0
            .serialize_into(&mut out)
            .expect("writing to a Vec cannot fail");
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> StoreResult<Self> {
        RoaringTreemap::deserialize_from(bytes)
            .map(Self)
            .map_err(|e| crate::StoreError::Backend(format!("unreadable recipient set: {e}")))
    }

    pub fn accounts(&self) -> impl Iterator<Item = AccountId> + '_ {
        self.0.iter().map(|a| a as AccountId)
    }
}

/// What an idempotent call found under its key.
#[derive(Debug, Clone, PartialEq)]
pub enum Keyed {
    /// The call took effect now.
    Done(Message),
    /// The key was used before with the same fingerprint: the earlier call's message.
    Replayed(Message),
}

/// Counts kept in the store for a message's statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReceiptCounts {
    pub read: u64,
    pub clicked: u64,
}

#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Stores a draft (or a scheduled message when `scheduled_at` is set).
    /// `Conflict(Clash::IdempotencyKeyReused)` when `key` was used with another fingerprint.
    async fn insert_message(
        &self,
        channel: ChannelId,
        new: &NewMessage,
        key: Option<&IdempotencyKey>,
        at: DateTime<Utc>,
    ) -> StoreResult<Keyed>;
    async fn message(&self, id: MessageId) -> StoreResult<Option<Message>>;
    /// The channel's messages (test sends left out) in id order.
    async fn messages(&self, channel: ChannelId, page: PageRequest) -> StoreResult<Page<Message>>;
    /// The message a key was used for, if it was used with this fingerprint;
    /// `Conflict(Clash::IdempotencyKeyReused)` if it was used with another.
    async fn keyed_message(&self, key: &IdempotencyKey) -> StoreResult<Option<Message>>;
    /// Marks a draft or scheduled message sent with its recipient set, in one transaction
    /// with the key. `Conflict(Clash::MessageNotPending)` when it is no longer draft or scheduled,
    /// `Conflict(Clash::IdempotencyKeyReused)` on a key used with another fingerprint.
    async fn deliver_message(
        &self,
        id: MessageId,
        recipients: &RecipientSet,
        key: Option<&IdempotencyKey>,
        at: DateTime<Utc>,
    ) -> StoreResult<Keyed>;
    /// Cancels a draft or scheduled message; `Conflict(Clash::MessageNotPending)` otherwise.
    async fn cancel_message(&self, id: MessageId, at: DateTime<Utc>) -> StoreResult<Message>;
    /// Scheduled messages whose time has come, oldest first.
    async fn due_messages(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Message>>;
    /// A sent message's recipient set.
    async fn recipient_set(&self, id: MessageId) -> StoreResult<Option<RecipientSet>>;
    /// The channel's sent messages (test sends included) newest first by delivery order,
    /// below `before` (a `delivery_seq`) when given.
    async fn delivered_messages(
        &self,
        channel: ChannelId,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    /// Records that the account read these messages (the first time counts).
    async fn mark_read(
        &self,
        account: AccountId,
        messages: &[MessageId],
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Records a click; the first click of an account counts.
    async fn record_click(
        &self,
        message: MessageId,
        account: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn receipt_counts(&self, message: MessageId) -> StoreResult<ReceiptCounts>;
    /// Accounts whose relation with the channel is BLOCKED and changed at or after `since`.
    async fn blocked_since(
        &self,
        channel: ChannelId,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<AccountId>>;
}

/// The columns every engine reads a message from (never the recipient blob).
pub const MESSAGE_COLUMNS: &str = "id, channel_id, body, group_id, state, scheduled_at, test_of, \
     created_at, updated_at, sent_at, recipient_count, delivery_seq";

/// A message row with its times already read, shared by the engines' row types.
#[derive(Debug, Clone)]
pub struct MessageParts {
    pub id: MessageId,
    pub channel_id: ChannelId,
    pub body: String,
    pub group_id: Option<i64>,
    pub state: String,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub test_of: Option<MessageId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub recipient_count: Option<i64>,
    pub delivery_seq: Option<i64>,
}

impl MessageParts {
    pub fn into_message(self) -> StoreResult<Message> {
        let unreadable = |what: &str| {
            crate::StoreError::Backend(format!("unreadable {what} of message {}", self.id))
        };
        let body = serde_json::from_str(&self.body).map_err(|_| unreadable("body"))?;
        let state = MessageState::parse(&self.state).ok_or_else(|| unreadable("state"))?;
        Ok(Message {
            id: self.id,
            channel_id: self.channel_id,
            body,
            target: match self.group_id {
                Some(group_id) => Target::Group { group_id },
                None => Target::AllFriends,
            },
            state,
            scheduled_at: self.scheduled_at,
            test_of: self.test_of,
            created_at: self.created_at,
            updated_at: self.updated_at,
            sent_at: self.sent_at,
            recipients: self.recipient_count.map(|n| n.max(0) as u64),
            delivery_seq: self.delivery_seq,
        })
    }
}

/// The group column of a target.
pub fn target_group(target: Target) -> Option<i64> {
    match target {
        Target::AllFriends => None,
        Target::Group { group_id } => Some(group_id),
    }
}

/// The body column of a message.
pub fn body_json(new: &NewMessage) -> String {
    serde_json::to_string(&new.body).expect("a message body always serializes")
}

/// The state a new message starts in.
pub fn initial_state(new: &NewMessage) -> MessageState {
    if new.scheduled_at.is_some() {
        MessageState::Scheduled
    } else {
        MessageState::Draft
    }
}

/// What a key found: nothing (go ahead), the earlier message, or a conflict.
pub fn check_key(key: &IdempotencyKey, stored_fingerprint: &str) -> StoreResult<()> {
    if stored_fingerprint == key.fingerprint {
        Ok(())
    } else {
        Err(crate::StoreError::Conflict(Clash::IdempotencyKeyReused))
    }
}
