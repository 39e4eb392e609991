//! Opening the database: a single-connection writer pool and a pool of readers.
//!
//! SQLite allows one writer at a time. Funnelling every write through one connection
//! means our own writes queue in the pool instead of failing with SQLITE_BUSY, while WAL
//! lets the readers run alongside it.
//!
//! The writer never checkpoints: by default SQLite copies the WAL back into the database
//! inside the COMMIT that crosses 1,000 pages, so the caller of a big write (a
//! million-row import: ~0.4 s) waited for it. A third connection checkpoints in the
//! background instead ([`checkpointer`]); durability is unchanged (a commit is in the
//! WAL either way), and the WAL is still reset once a checkpoint has caught up.

use crate::error::backend;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;
use talkchannel_store::{StoreError, StoreResult};

/// Only other processes (a backup, the sqlite3 shell) can hold the lock against us.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Prepared statements kept per connection; the engine issues a few dozen distinct ones.
const STATEMENT_CACHE: usize = 128;
/// The writer's page cache, in KiB (SQLite's default is 2 MiB). A bulk write touches
/// index pages all over the file; with the default cache a million-row import evicted
/// and re-read them, and spilled dirty pages to the WAL again and again before commit.
const WRITER_CACHE_KIB: i64 = 64 * 1024;

/// How often the background connection checkpoints the WAL. A passive checkpoint with
/// nothing to copy costs a few page reads; one that has work never blocks the writer.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

pub(crate) struct Pools {
    pub writer: SqlitePool,
    pub reader: SqlitePool,
    /// None for an in-memory database (no WAL to checkpoint).
    pub checkpointer: Option<SqlitePool>,
}

pub(crate) async fn open(url: &str) -> StoreResult<Pools> {
    let options = base_options(url)?;
    if is_in_memory(url) {
        // Each connection to `:memory:` would otherwise risk seeing its own database, and
        // it vanishes with its last connection: keep one connection for everything.
        let writer = writer_pool(options).await?;
        return Ok(Pools {
            reader: writer.clone(),
            writer,
            checkpointer: None,
        });
    }
    create_parent_dir(options.get_filename())?;
    // The writer creates the file and switches it to WAL before any reader opens it.
    let writer = writer_pool(options.clone().create_if_missing(true)).await?;
    let reader = reader_pool(options.clone()).await?;
    let checkpointer = single_connection(options).await?;
    Ok(Pools {
        writer,
        reader,
        checkpointer: Some(checkpointer),
    })
}

/// Checkpoints the WAL every [`CHECKPOINT_EVERY`] on `pool` (PASSIVE: it copies what no
/// reader still needs and never waits for or blocks the writer), until the pool is closed
/// or `alive` has no other owner (every clone of the store is gone).
pub(crate) fn checkpointer(pool: SqlitePool, alive: std::sync::Weak<()>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if pool.is_closed() || alive.upgrade().is_none() {
                pool.close().await;
                return;
            }
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                tracing::warn!(error = %e, "background WAL checkpoint failed; retrying");
            }
        }
    });
}

fn base_options(url: &str) -> StoreResult<SqliteConnectOptions> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| StoreError::Backend(format!("invalid sqlite url `{url}`: {e}")))?;
    Ok(options
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
        .statement_cache_capacity(STATEMENT_CACHE))
}

fn is_in_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

fn create_parent_dir(file: &Path) -> StoreResult<()> {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Backend(format!("cannot create directory {}: {e}", dir.display()))
        }),
        _ => Ok(()),
    }
}

async fn writer_pool(options: SqliteConnectOptions) -> StoreResult<SqlitePool> {
    let options = options
        .pragma("cache_size", format!("-{WRITER_CACHE_KIB}"))
        .pragma("wal_autocheckpoint", "0");
    single_connection_options()
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::query(crate::file_rows::CREATE_BATCH)
                    .execute(conn)
                    .await
                    .map(drop)
            })
        })
        .connect_with(options)
        .await
        .map_err(backend)
}

/// A pool of one connection that never lapses: reopening it costs, and an in-memory
/// database would be lost with it.
fn single_connection_options() -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
}

async fn single_connection(options: SqliteConnectOptions) -> StoreResult<SqlitePool> {
    single_connection_options()
        .connect_with(options)
        .await
        .map_err(backend)
}

async fn reader_pool(options: SqliteConnectOptions) -> StoreResult<SqlitePool> {
    // query_only makes a stray write on a reader fail at once instead of contending
    // with the writer for the lock.
    SqlitePoolOptions::new()
        .max_connections(reader_count())
        .connect_with(options.pragma("query_only", "ON"))
        .await
        .map_err(backend)
}

/// Two readers per CPU keeps every core busy while some readers wait on disk.
pub(crate) fn reader_count() -> u32 {
    let cpus = std::thread::available_parallelism().map_or(4, |n| n.get());
    u32::try_from(cpus * 2).unwrap_or(u32::MAX).clamp(4, 32)
}
