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
use crate::rows::to_ms;
use crate::SqliteStore;
use sqlx::pool::PoolConnection;
use sqlx::{Connection, Sqlite, SqliteConnection};
use talkchannel_store::{SeedChunk, StoreError, StoreResult};

/// The most rows one chunk may hold: the row numbers are a 1000 x 1000 cross join.
pub const SEED_CHUNK_MAX: u64 = 1_000_000;

/// The chunk's indexes (`k`), their account ids (`id`) and six hashes of (k, seed).
/// `d` is 0..999, computed once; crossed with itself it counts `k` from ?1 to ?2 at a
/// fraction of the cost of a recursive CTE over every row.
const NUMBERS: &str =
    "WITH RECURSIVE d(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM d WHERE i < 999), \
     n(k) AS (SELECT ?1 + a.i * 1000 + b.i FROM d AS a CROSS JOIN d AS b \
       WHERE a.i <= (?2 - ?1) / 1000 AND ?1 + a.i * 1000 + b.i <= ?2), \
     h AS (SELECT k, ?3 + k - ?1 + 1 AS id, \
       ((k + 1) * 2654435761 + ?4 * 40503 + 1 * 2246822519) % 4294967291 AS h1, \
       ((k + 1) * 2654435761 + ?4 * 40503 + 2 * 2246822519) % 4294967291 AS h2, \
       ((k + 1) * 2654435761 + ?4 * 40503 + 3 * 2246822519) % 4294967291 AS h3, \
       ((k + 1) * 2654435761 + ?4 * 40503 + 4 * 2246822519) % 4294967291 AS h4, \
       ((k + 1) * 2654435761 + ?4 * 40503 + 5 * 2246822519) % 4294967291 AS h5, \
       ((k + 1) * 2654435761 + ?4 * 40503 + 6 * 2246822519) % 4294967291 AS h6 FROM n), \
     v AS (SELECT id, k, CASE h1 % 2 WHEN 0 THEN 'female' ELSE 'male' END AS gender, \
       15 + h2 % 60 AS age, 1 + h3 % 12 AS month, 1 + h3 % 28 AS day, \
       CASE h4 % 8 WHEN 0 THEN 'Seoul' WHEN 1 THEN 'Busan' WHEN 2 THEN 'Incheon' \
         WHEN 3 THEN 'Daegu' WHEN 4 THEN 'Daejeon' WHEN 5 THEN 'Gwangju' WHEN 6 THEN 'Ulsan' \
         ELSE 'Gyeonggi' END AS region, \
       1 + h5 % 5 AS rating, (h6 % 1000) * 1000 AS amount, \
       '010' || printf('%08d', k) AS phone FROM h) ";

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
    let base: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM accounts")
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
    let version = crate::segments::bump_version(&mut tx, chunk.channel_id).await?;
    let year: i64 = chunk.at.format("%Y").to_string().parse().unwrap_or(2026);
    let last = (chunk.first + chunk.count - 1) as i64;
    let statements = [
        format!(
            "{NUMBERS} INSERT INTO accounts \
             (id, nickname, phone_number, gender, birth_date, region, created_at) \
             SELECT id, 'seed ' || k, phone, gender, \
               printf('%04d-%02d-%02d', ?6 - age - 1, month, day), region, ?5 FROM v"
        ),
        format!(
            "{NUMBERS} INSERT INTO friendships \
             (channel_id, account_id, relation, first_added_at, updated_at, change_seq) \
             SELECT ?7, id, 'ADDED', ?5, ?5, ?9 FROM v"
        ),
        format!(
            "{NUMBERS} INSERT INTO customer_file_rows \
             (file_id, user_type, user_key, fields, account_id, updated_at, change_seq) \
             SELECT ?8, 'phone', phone, \
               printf('{{\"gender\":\"%s\",\"age\":%d,\"region\":\"%s\",\"rating\":%d,\"purchase_amount\":%d}}', \
                 gender, age, region, rating, amount), id, ?5, ?9 FROM v"
        ),
    ];
    // Parameters by number; each statement binds up to the highest one it names.
    let params = [
        chunk.first as i64,
        last,
        base,
        chunk.seed as i64,
        to_ms(chunk.at),
        year,
        chunk.channel_id,
        chunk.file_id,
        version,
    ];
    for (sql, used) in statements.iter().zip([6, 9, 9]) {
        let mut query = sqlx::query(sql);
        for p in &params[..used] {
            query = query.bind(*p);
        }
        query.execute(&mut *tx).await.map_err(backend)?;
    }
    let n = chunk.count as i64;
    sqlx::query(
        "UPDATE customer_files SET attempted = attempted + ?1, registered = registered + ?1, \
         friends = friends + ?1, updated_at = ?2 WHERE id = ?3",
    )
    .bind(n)
    .bind(to_ms(chunk.at))
    .bind(chunk.file_id)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    tx.commit().await.map_err(backend)?;
    Ok(base + 1)
}
