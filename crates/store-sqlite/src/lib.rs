//! The SQLite storage engine: one file, no server, for single-node deployments.
//!
//! Writes (and read-modify-write transactions) go through a pool of exactly one
//! connection, so they queue instead of racing for SQLite's single write lock; plain
//! reads use a separate pool and, thanks to WAL, never wait for the writer.

mod accounts;
mod app_users;
mod apps;
mod browser;
mod channels;
mod consent;
mod customer_files;
mod error;
mod file_rows;
mod friend_groups;
mod friendships;
mod login;
mod messages;
pub mod paged;
mod pool;
mod raw_rows;
mod row_batch;
mod rows;
mod seed;
mod seed_rows;
mod segments;
mod settings;
mod throttle;
mod webhook_rows;
mod webhooks;

use async_trait::async_trait;
use error::backend;
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::sync::Arc;
use talkchannel_store::{Store, StoreError, StoreResult};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    /// The background WAL checkpointer's connection (None in memory).
    checkpointer: Option<SqlitePool>,
    /// Held by every clone; the checkpointer stops once the last one is gone.
    _alive: Arc<()>,
}

impl SqliteStore {
    /// Opens (creating if missing, with its directory) the database at `url`, such as
    /// `sqlite://./data/talkchannel.db` or `sqlite:talkchannel.db`.
    pub async fn connect(url: &str) -> StoreResult<SqliteStore> {
        let pools = pool::open(url).await?;
        tracing::info!(url, readers = pool::reader_count(), "sqlite store opened");
        let alive = Arc::new(());
        if let Some(checkpointer) = &pools.checkpointer {
            pool::checkpointer(checkpointer.clone(), Arc::downgrade(&alive));
        }
        Ok(SqliteStore {
            writer: pools.writer,
            reader: pools.reader,
            checkpointer: pools.checkpointer,
            _alive: alive,
        })
    }

    /// Brings the schema up to date with the migrations embedded in this binary.
    pub async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR
            .run(&self.writer)
            .await
            .map_err(StoreError::backend)
    }

    /// Closes every pool, letting the last connection checkpoint the WAL into the file.
    pub async fn close(&self) {
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.close().await;
        }
        self.reader.close().await;
        self.writer.close().await;
    }

    /// A write transaction that takes the write lock up front (BEGIN IMMEDIATE), so a
    /// read inside it can never be invalidated by another writer before its write.
    async fn write_tx(&self) -> StoreResult<Transaction<'static, Sqlite>> {
        self.writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)
    }
}

#[async_trait]
impl Store for SqliteStore {
    fn engine(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map(drop)
            .map_err(backend)
    }
}
