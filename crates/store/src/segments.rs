//! What the segment engine (friend-group counts) reads, and the friend groups themselves.
//!
//! Every change that can move a count (a friendship change, a file row written or
//! deleted, a file deleted) bumps the channel's segment version in its transaction and
//! stamps what it wrote with that version (see migration 0006). An in-memory index that
//! reflects version V catches up by reading what is stamped above V; a full load is a
//! catch-up from [`SINCE_THE_START`]. Reads stream into a sink so a 10,000,000-row load
//! never holds more than one row at a time.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use talkchannel_domain::{
    AccountId, ChannelId, FieldType, FileId, FriendGroup, Gender, GroupDraft, GroupId, Page,
    PageRequest,
};

/// `since` for a full load: every row, including those written before versions existed.
pub const SINCE_THE_START: i64 = -1;

/// An account whose friendship changed (or every friendship, on a full load), with the
/// profile attributes groups can test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FriendRecord {
    pub account_id: AccountId,
    /// The relation is ADDED now.
    pub added: bool,
    pub profile: Profile,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    pub gender: Option<Gender>,
    pub birth_date: Option<NaiveDate>,
    pub region: Option<String>,
}

/// A field value as the engine indexes it.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Text(String),
    Number(f64),
}

/// One file row's account and the values of the requested fields, in request order
/// (`None` = absent).
#[derive(Debug, Clone, PartialEq)]
pub struct RowRecord {
    pub account_id: AccountId,
    pub values: Vec<Option<FieldValue>>,
}

/// A sink the loads push into, one record at a time.
pub type Sink<'a, T> = &'a mut (dyn FnMut(T) + Send);

#[async_trait]
pub trait SegmentStore: Send + Sync {
    /// The channel's segment version (0 before its first change).
    async fn segment_version(&self, channel: ChannelId) -> StoreResult<i64>;
    /// Friendships of the channel stamped above `since`, with their accounts' profiles.
    async fn friend_records(
        &self,
        channel: ChannelId,
        since: i64,
        sink: Sink<'_, FriendRecord>,
    ) -> StoreResult<()>;
    /// Rows of the file stamped above `since` that name an account, in the order they
    /// were written (so the last record of an account is its latest row).
    async fn row_records(
        &self,
        file: FileId,
        fields: &[(String, FieldType)],
        since: i64,
        sink: Sink<'_, RowRecord>,
    ) -> StoreResult<()>;
    /// Accounts the channel's tombstones above `since` name, per file.
    async fn row_tombstones(
        &self,
        channel: ChannelId,
        since: i64,
    ) -> StoreResult<Vec<(FileId, AccountId)>>;
    /// The latest row of each of these accounts in the file (none for an account the
    /// file no longer holds), in the order they were written.
    async fn account_rows(
        &self,
        file: FileId,
        fields: &[(String, FieldType)],
        accounts: &[AccountId],
    ) -> StoreResult<Vec<RowRecord>>;
    /// The profiles of these accounts (unknown ids are left out).
    async fn profiles(&self, accounts: &[AccountId]) -> StoreResult<Vec<(AccountId, Profile)>>;
}

#[async_trait]
pub trait FriendGroupStore: Send + Sync {
    /// `Conflict(Clash::GroupNameTaken)` when the channel has a group of that name,
    /// `Conflict(Clash::GroupSlotsFull)` beyond `MAX_GROUPS_PER_CHANNEL`, `NotFound(Entity::Channel)`.
    async fn insert_friend_group(
        &self,
        channel: ChannelId,
        draft: &GroupDraft,
        at: DateTime<Utc>,
    ) -> StoreResult<FriendGroup>;
    async fn friend_group(&self, id: GroupId) -> StoreResult<Option<FriendGroup>>;
    /// The channel's groups in id order (keyset on `id`).
    async fn friend_groups(
        &self,
        channel: ChannelId,
        page: PageRequest,
    ) -> StoreResult<Page<FriendGroup>>;
    /// `None` when there is no such group; `Conflict(Clash::GroupNameTaken)` on a taken name.
    async fn update_friend_group(
        &self,
        id: GroupId,
        draft: &GroupDraft,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<FriendGroup>>;
    /// False when there was no such group.
    async fn delete_friend_group(&self, id: GroupId) -> StoreResult<bool>;
}

/// Picks the requested fields out of a row's JSON text: a fallback for engines that
/// cannot extract them in SQL.
pub fn field_values(fields_json: &str, fields: &[(String, FieldType)]) -> Vec<Option<FieldValue>> {
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(fields_json).unwrap_or_default();
    fields
        .iter()
        .map(|(name, kind)| match (kind, object.get(name)?) {
            (FieldType::Number, v) => v.as_f64().map(FieldValue::Number),
            (FieldType::String, serde_json::Value::String(s)) => Some(FieldValue::Text(s.clone())),
            _ => None,
        })
        .collect()
}

/// One slice of `talkchannel seed`: synthetic accounts `first..first + count` (by global
/// index), each an ADDED friend of the channel with one phone-keyed row in the file
/// (`gender`, `age`, `region`, `rating`, `purchase_amount`). Values are a pure function
/// of the index and `seed`, the same on every engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedChunk {
    pub channel_id: ChannelId,
    pub file_id: FileId,
    pub first: u64,
    pub count: u64,
    pub seed: u64,
    pub at: DateTime<Utc>,
}

/// The regions seeded accounts live in, picked by `hash % 8`.
pub const SEED_REGIONS: [&str; 8] = [
    "Seoul", "Busan", "Incheon", "Daegu", "Daejeon", "Gwangju", "Ulsan", "Gyeonggi",
];

/// The customer-file schema seeded rows follow.
pub const SEED_SCHEMA: [(&str, &str); 5] = [
    ("gender", "string"),
    ("age", "number"),
    ("region", "string"),
    ("rating", "number"),
    ("purchase_amount", "number"),
];
