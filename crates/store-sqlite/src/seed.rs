//! `talkchannel seed` on SQLite: synthetic friends and customer-file rows generated inside
//! SQLite, three multi-row statements per chunk in one transaction, so no row crosses the
//! driver boundary.
//!
//! Where the time went (1,000,000 friends, callgrind instructions per friend): 62,000
//! before, of which ~10,000 were the three CHECK constraints (SQLite builds an ephemeral
//! table for every `IN (...)` check of every row), ~3,600 the foreign-key lookups and
//! ~5,000 the recursive CTE counting one row at a time. The rows are valid by
//! construction, so the seeding connection skips those checks (see [`BulkMode`]); the
//! unique constraints and NOT NULL still hold. Index maintenance is not worth deferring:
//! every key is written in ascending order, and building the eight secondary indexes
//! after the data cost as much as keeping them up to date (~2.2 s per million either way).

use crate::error::backend;
use crate::file_rows::blocking;
use crate::raw_rows::RawConnection;
use crate::rows::to_ms;
use crate::seed_rows::{write_friends, ChunkConstants};
use crate::SqliteStore;
use chrono::Datelike;
use sqlx::pool::PoolConnection;
use sqlx::{Connection, Sqlite, SqliteConnection};
use talkchannel_store::{SeedChunk, StoreError, StoreResult};

/// The most rows one chunk may hold (one transaction; its pages stay in memory until
/// the commit).
pub const SEED_CHUNK_MAX: u64 = 1_000_000;

impl SqliteStore {
    /// Writes one chunk of `talkchannel seed` in one transaction: accounts, ADDED
    /// friendships and file rows, stamped with one new segment version, and the file's
    /// counts moved to match. Returns the first account id written. A chunk that fails
    /// writes nothing; the chunks before it stay.
    pub async fn seed_chunk(&self, chunk: &SeedChunk) -> StoreResult<i64> {
        if chunk.count == 0 || chunk.count > SEED_CHUNK_MAX {
            return Err(StoreError::Backend(format!(
                "a seed chunk holds 1 to {SEED_CHUNK_MAX} rows, not {}",
                chunk.count
            )));
        }
        let mut bulk = BulkMode::enter(self.writer.acquire().await.map_err(backend)?).await?;
        let written = write_chunk(bulk.conn(), chunk).await;
        bulk.leave().await?;
        written
    }
}

/// The writer connection with CHECK constraints and foreign-key enforcement off, for
/// rows that satisfy both by construction (`gender` is a CASE over the allowed values,
/// `relation` and `user_type` are literals, every account a row names is inserted in
/// the same transaction, and the file and its channel are checked first). Unique
/// constraints, NOT NULL and the indexes are untouched, so a seed into a database the
/// server is using cannot break them. The pragmas are per connection and cannot change
/// inside a transaction; if they are not restored (an error, or the future dropped
/// mid-seed), the connection is closed instead of going back to the pool.
struct BulkMode {
    conn: Option<PoolConnection<Sqlite>>,
}

const BULK_ON: &str = "PRAGMA foreign_keys = OFF; PRAGMA ignore_check_constraints = ON";
const BULK_OFF: &str = "PRAGMA foreign_keys = ON; PRAGMA ignore_check_constraints = OFF";

impl BulkMode {
    async fn enter(conn: PoolConnection<Sqlite>) -> StoreResult<BulkMode> {
        let mut bulk = BulkMode { conn: Some(conn) };
        sqlx::raw_sql(BULK_ON)
            .execute(&mut **bulk.conn())
            .await
            .map_err(backend)?;
        Ok(bulk)
    }

    fn conn(&mut self) -> &mut PoolConnection<Sqlite> {
        self.conn
            .as_mut()
            .expect("the connection is held until leave")
    }

    /// Restores the checks (a transaction left open by an error has rolled back by
    /// then: sqlx queues the rollback before this statement) and hands the connection
    /// back to the pool only once both pragmas read back as restored.
    async fn leave(mut self) -> StoreResult<()> {
        let conn = self.conn();
        sqlx::raw_sql(BULK_OFF)
            .execute(&mut **conn)
            .await
            .map_err(backend)?;
        let (foreign_keys, ignore_checks): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT foreign_keys FROM pragma_foreign_keys), \
                    (SELECT ignore_check_constraints FROM pragma_ignore_check_constraints)",
        )
        .fetch_one(&mut **conn)
        .await
        .map_err(backend)?;
        if (foreign_keys, ignore_checks) != (1, 0) {
            return Err(StoreError::Backend(
                "the seeding connection did not restore its checks".into(),
            ));
        }
        self.conn.take();
        Ok(())
    }
}

impl Drop for BulkMode {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.as_mut() {
            conn.close_on_drop();
        }
    }
}

/// The chunk's statements on a connection in bulk mode.
async fn write_chunk(conn: &mut SqliteConnection, chunk: &SeedChunk) -> StoreResult<i64> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(backend)?;
    // What the foreign keys would have checked: the file exists and belongs to the channel.
    let file_channel: Option<i64> =
        sqlx::query_scalar("SELECT channel_id FROM customer_files WHERE id = ?")
            .bind(chunk.file_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
    if file_channel != Some(chunk.channel_id) {
        return Err(StoreError::NotFound("customer file"));
    }
    // Where AUTOINCREMENT will number the new accounts from (the two agree unless the
    // newest accounts were deleted; their ids are not reused).
    let base: i64 = sqlx::query_scalar(
        "SELECT MAX((SELECT COALESCE(MAX(id), 0) FROM accounts), \
                    (SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'accounts'))",
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(backend)?;
    let constants = ChunkConstants {
        id_offset: base + 1 - chunk.first as i64,
        seed: chunk.seed,
        year: chunk.at.year().into(),
        at_ms: to_ms(chunk.at),
        channel_id: chunk.channel_id,
        file_id: chunk.file_id,
        version: crate::segments::bump_version(&mut tx, chunk.channel_id).await?,
    };
    {
        let mut handle = tx.lock_handle().await.map_err(backend)?;
        let raw = RawConnection::new(&mut handle);
        let ks = chunk.first..chunk.first + chunk.count;
        blocking(|| write_friends(&raw, ks, &constants))?;
    }
    let n = chunk.count as i64;
    // The rows name their accounts by the ids counted from `base`: true only if SQLite
    // numbered them base + 1 to base + n (one per row, in order, each above the last).
    let last: i64 = sqlx::query_scalar("SELECT MAX(id) FROM accounts")
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
    if last != base + n {
        return Err(StoreError::Backend(format!(
            "seeded accounts were numbered up to {last}, not {}",
            base + n
        )));
    }
    sqlx::query(
        "UPDATE customer_files SET attempted = attempted + ?1, registered = registered + ?1, \
         friends = friends + ?1, updated_at = ?2 WHERE id = ?3",
    )
    .bind(n)
    .bind(constants.at_ms)
    .bind(chunk.file_id)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    tx.commit().await.map_err(backend)?;
    Ok(base + 1)
}
