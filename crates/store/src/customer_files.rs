//! Customer files: the file records, their rows and the counts kept beside them.
//!
//! Engines keep three counts on each file so the Admin Center reads them in O(1):
//! `attempted` (users ever submitted), `registered` (rows now) and `friends` (rows whose
//! account has the file's channel ADDED now). `friends` follows friendship changes: the
//! engine's `apply_friendship_change` adjusts every file of the channel in the same
//! transaction. A row's account is resolved when the row is written (app user id through
//! the file's app, phone number through `accounts.phone_number`); re-adding a user
//! re-resolves it.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use talkchannel_domain::{
    ChannelId, CustomerFile, FileId, FileRow, FileUserKey, NewCustomerFile, Page, PageRequest,
    UserType,
};

/// One row to write: the key and its values as compact JSON text (already checked
/// against the schema). Keys within one call must be distinct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRowInput {
    pub key: FileUserKey,
    pub fields: String,
}

/// What a write did to the file's rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowsWritten {
    pub inserted: u64,
    pub replaced: u64,
}

/// The outcome of one CSV import, kept so the caller can read the report back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileImport {
    pub id: i64,
    pub file_id: FileId,
    pub user_type: UserType,
    /// `applied` (every row written) or `rejected` (nothing written).
    pub status: ImportStatus,
    /// Data rows read (the header not counted).
    pub rows_read: u64,
    pub error_count: u64,
    /// The first errors, in line order.
    pub errors: Vec<ImportError>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStatus {
    Applied,
    Rejected,
}

impl ImportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "applied" => Some(Self::Applied),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }
}

/// One refused line of an import (1-based, the header is line 1; 0 = the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub line: u64,
    pub reason: String,
}

/// An import in progress: rows written through it become visible only on `commit`;
/// dropping it (or an error) leaves the file as it was. Keys within one `write` must be
/// distinct; a later `write` may repeat a key (its values replace the earlier ones).
#[async_trait]
pub trait RowImport: Send {
    async fn write(&mut self, rows: &[FileRowInput], at: DateTime<Utc>) -> StoreResult<()>;
    /// Adds `attempted` to the file's count, settles `registered` and `friends` for
    /// everything written, and makes every write visible at once.
    async fn commit(self: Box<Self>, attempted: u64, at: DateTime<Utc>) -> StoreResult<()>;
}

#[async_trait]
pub trait CustomerFileStore: Send + Sync {
    /// Creates a file. `Conflict(Clash::FileNameTaken)` when the channel has a file of that name,
    /// `Conflict(Clash::FileSlotsFull)` when it already has `MAX_FILES_PER_CHANNEL` files,
    /// `NotFound(Entity::Channel)`/`NotFound(Entity::App)` for unknown references.
    async fn insert_customer_file(
        &self,
        new: &NewCustomerFile,
        at: DateTime<Utc>,
    ) -> StoreResult<CustomerFile>;
    async fn customer_file(&self, id: FileId) -> StoreResult<Option<CustomerFile>>;
    /// Every file of the channel, oldest first.
    async fn channel_customer_files(&self, channel: ChannelId) -> StoreResult<Vec<CustomerFile>>;
    /// Inserts or replaces rows in one transaction and adds `attempted` to the file's
    /// count; `NotFound(Entity::CustomerFile)` when the file is gone.
    async fn put_file_rows(
        &self,
        file: FileId,
        rows: &[FileRowInput],
        attempted: u64,
        at: DateTime<Utc>,
    ) -> StoreResult<RowsWritten>;
    /// Removes the rows with these keys; returns how many existed.
    async fn delete_file_rows(
        &self,
        file: FileId,
        keys: &[FileUserKey],
        at: DateTime<Utc>,
    ) -> StoreResult<u64>;
    /// Rows in insertion order (keyset on `seq`).
    async fn file_rows(&self, file: FileId, page: PageRequest) -> StoreResult<Page<FileRow>>;
    /// Deletes the file, its rows and its import reports; false when there was no file.
    async fn delete_customer_file(&self, file: FileId) -> StoreResult<bool>;

    /// Starts an all-or-nothing import into the file (`NotFound(Entity::CustomerFile)`).
    async fn begin_row_import(&self, file: FileId) -> StoreResult<Box<dyn RowImport>>;
    /// Keeps an import's report; the id given is ignored and the stored one returned.
    async fn insert_file_import(&self, report: &FileImport) -> StoreResult<FileImport>;
    async fn file_import(&self, id: i64) -> StoreResult<Option<FileImport>>;
}
