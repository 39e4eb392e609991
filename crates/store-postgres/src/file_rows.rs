//! Writing customer-file rows in bulk, and keeping the file's counts exact.
//!
//! A batch travels as three parallel text arrays expanded by `UNNEST`, so one statement
//! writes up to 2,000 rows with a fixed text (cached plan) and three binds. Every write
//! locks the file's row first: writes to one file queue, and a concurrent friendship
//! change (which locks the channel's files too) is counted exactly once.

use crate::error::db;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Postgres, Transaction};
use talkchannel_domain::{AppId, ChannelId, Entity, FileId, FileUserKey, FriendshipWrite};
use talkchannel_store::{FileRowInput, RowImport, RowsWritten, StoreError, StoreResult};

#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub(crate) struct FileContext {
    pub id: FileId,
    pub app_id: AppId,
    pub channel_id: ChannelId,
}

/// Locks the file's row until the transaction ends.
pub(crate) async fn lock_file(conn: &mut PgConnection, file: FileId) -> StoreResult<FileContext> {
    sqlx::query_as::<_, FileContext>(
        "SELECT id, app_id, channel_id FROM customer_files WHERE id = $1 FOR UPDATE",
    )
    .bind(file)
    .fetch_optional(conn)
    .await
    .map_err(db)?
    .ok_or(StoreError::NotFound(Entity::CustomerFile))
}

/// Rows among the batch's keys that exist, and how many of them count as friends. Each
/// key is one probe of the unique index: `LIMIT 1` (a key names at most one row) keeps
/// the planner from flattening the lookup into a join. Left to itself, on a file filled
/// within the transaction (so without statistics: autovacuum only analyzes committed
/// tables) it estimated a few thousand rows for the file and hashed all of them, twice
/// per batch: `EXPLAIN ANALYZE` at 600,000 rows took 386 ms per call, and an import slowed
/// down as it grew (6,000 rows/s at 1,000,000 rows against 20,000 at 300,000).
const KEY_STATS: &str = "SELECT COUNT(*), COUNT(f.account_id) \
     FROM UNNEST($1::text[], $2::text[]) AS k(t, key) \
     CROSS JOIN LATERAL (SELECT r.account_id FROM customer_file_rows r \
       WHERE r.file_id = $3 AND r.user_type = k.t AND r.user_key = k.key LIMIT 1) r \
     LEFT JOIN friendships f \
       ON f.channel_id = $4 AND f.account_id = r.account_id AND f.relation = 'ADDED'";

/// The account a key names now (`k` is the batch element, `$2` the file's app).
macro_rules! resolved_account {
    () => {
        "CASE WHEN k.t = 'app' \
           THEN (SELECT u.account_id FROM app_users u WHERE u.app_id = $2 AND u.user_id = k.key::bigint) \
           ELSE (SELECT MIN(a.id) FROM accounts a WHERE a.phone_number = k.key) \
         END"
    };
}

const UPSERT: &str = concat!(
    "INSERT INTO customer_file_rows \
         (file_id, user_type, user_key, fields, account_id, updated_at, change_seq) \
     SELECT $1, k.t, k.key, k.f, ",
    resolved_account!(),
    ", $3, $7 \
     FROM UNNEST($4::text[], $5::text[], $6::text[]) AS k(t, key, f) \
     ON CONFLICT (file_id, user_type, user_key) DO UPDATE SET \
         fields = excluded.fields, account_id = excluded.account_id, \
         updated_at = excluded.updated_at, change_seq = excluded.change_seq"
);

/// Before an upsert: a tombstone for each existing row whose key now names another
/// account (or none), so the segment engine forgets the row under its old account.
const REPLACED_TOMBSTONES: &str = concat!(
    "INSERT INTO segment_tombstones (channel_id, version, file_id, account_id) \
     SELECT $5, $6, $1, r.account_id FROM UNNEST($3::text[], $4::text[]) AS k(t, key) \
     JOIN customer_file_rows r ON r.file_id = $1 AND r.user_type = k.t AND r.user_key = k.key \
     WHERE r.account_id IS NOT NULL AND r.account_id IS DISTINCT FROM (",
    resolved_account!(),
    ")"
);

fn key_arrays<'a>(keys: impl Iterator<Item = &'a FileUserKey>) -> (Vec<&'static str>, Vec<String>) {
    keys.map(|k| (k.user_type().as_str(), k.key_text())).unzip()
}

async fn key_stats(
    conn: &mut PgConnection,
    file: FileContext,
    types: &[&str],
    keys: &[String],
) -> StoreResult<(i64, i64)> {
    sqlx::query_as::<_, (i64, i64)>(KEY_STATS)
        .bind(types)
        .bind(keys)
        .bind(file.id)
        .bind(file.channel_id)
        .fetch_one(conn)
        .await
        .map_err(db)
}

/// What one batch did: rows inserted and replaced, and how `friends` moved.
struct BatchEffect {
    written: RowsWritten,
    friends: i64,
}

/// Upserts a batch (the file already locked) and measures what it changed.
async fn upsert_rows(
    conn: &mut PgConnection,
    file: FileContext,
    rows: &[FileRowInput],
    at: DateTime<Utc>,
) -> StoreResult<BatchEffect> {
    if rows.is_empty() {
        return Ok(BatchEffect {
            written: RowsWritten::default(),
            friends: 0,
        });
    }
    let (types, keys) = key_arrays(rows.iter().map(|r| &r.key));
    let fields: Vec<&str> = rows.iter().map(|r| r.fields.as_str()).collect();
    let (existed, friends_before) = key_stats(conn, file, &types, &keys).await?;
    let version = crate::segments::bump_version(conn, file.channel_id).await?;
    if existed > 0 {
        sqlx::query(REPLACED_TOMBSTONES)
            .bind(file.id)
            .bind(file.app_id)
            .bind(&types)
            .bind(&keys)
            .bind(file.channel_id)
            .bind(version)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
    }
    sqlx::query(UPSERT)
        .bind(file.id)
        .bind(file.app_id)
        .bind(at)
        .bind(&types)
        .bind(&keys)
        .bind(&fields)
        .bind(version)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    let (_, friends_after) = key_stats(conn, file, &types, &keys).await?;
    Ok(BatchEffect {
        written: RowsWritten {
            inserted: rows.len() as u64 - existed as u64,
            replaced: existed as u64,
        },
        friends: friends_after - friends_before,
    })
}

/// Upserts a batch (the file already locked) and moves `registered` and `friends`.
pub(crate) async fn write_rows(
    conn: &mut PgConnection,
    file: FileContext,
    rows: &[FileRowInput],
    at: DateTime<Utc>,
) -> StoreResult<RowsWritten> {
    let effect = upsert_rows(conn, file, rows, at).await?;
    let inserted = effect.written.inserted as i64;
    adjust_counts(conn, file.id, 0, inserted, effect.friends, at).await?;
    Ok(effect.written)
}

pub(crate) async fn delete_rows(
    conn: &mut PgConnection,
    file: FileContext,
    keys: &[FileUserKey],
    at: DateTime<Utc>,
) -> StoreResult<u64> {
    let (types, keys) = key_arrays(keys.iter());
    let (existed, friends) = key_stats(conn, file, &types, &keys).await?;
    let version = crate::segments::bump_version(conn, file.channel_id).await?;
    sqlx::query(
        "INSERT INTO segment_tombstones (channel_id, version, file_id, account_id) \
         SELECT $4, $5, $3, r.account_id FROM UNNEST($1::text[], $2::text[]) AS k(t, key) \
         JOIN customer_file_rows r ON r.file_id = $3 AND r.user_type = k.t AND r.user_key = k.key \
         WHERE r.account_id IS NOT NULL",
    )
    .bind(&types)
    .bind(&keys)
    .bind(file.id)
    .bind(file.channel_id)
    .bind(version)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    sqlx::query(
        "DELETE FROM customer_file_rows r USING UNNEST($1::text[], $2::text[]) AS k(t, key) \
         WHERE r.file_id = $3 AND r.user_type = k.t AND r.user_key = k.key",
    )
    .bind(&types)
    .bind(&keys)
    .bind(file.id)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    adjust_counts(conn, file.id, 0, -existed, -friends, at).await?;
    Ok(existed as u64)
}

pub(crate) async fn adjust_counts(
    conn: &mut PgConnection,
    file: FileId,
    attempted: i64,
    registered: i64,
    friends: i64,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE customer_files SET attempted = attempted + $1, registered = registered + $2, \
         friends = friends + $3, updated_at = $4 WHERE id = $5",
    )
    .bind(attempted)
    .bind(registered)
    .bind(friends)
    .bind(at)
    .bind(file)
    .execute(conn)
    .await
    .map(drop)
    .map_err(db)
}

/// Called by `apply_friendship_change` inside its transaction. The channel's files are
/// locked by a statement of their own first, so the counting statement after it runs on a
/// snapshot that includes any row write that held a file's lock before us.
pub(crate) async fn follow_friendship(
    conn: &mut PgConnection,
    write: &FriendshipWrite,
) -> StoreResult<()> {
    if write.friends_per_file_row == 0 {
        return Ok(());
    }
    let files: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM customer_files WHERE channel_id = $1 ORDER BY id FOR UPDATE",
    )
    .bind(write.row.channel_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db)?;
    if files.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE customer_files SET friends = friends + $1 * \
             (SELECT COUNT(*) FROM customer_file_rows r \
              WHERE r.file_id = customer_files.id AND r.account_id = $2) \
         WHERE id = ANY($3)",
    )
    .bind(write.friends_per_file_row)
    .bind(write.row.account_id)
    .bind(&files)
    .execute(conn)
    .await
    .map(drop)
    .map_err(db)
}

/// An import in one transaction holding the file's lock; dropping it rolls back.
///
/// The counts' changes are summed here and written once at commit, instead of
/// rewriting the file's row after every batch of a long transaction. (That was a
/// suspect for long imports slowing down; measured, it made no difference at 300,000
/// rows: see docs/benchmarks.md.)
pub(crate) struct PgImport {
    pub tx: Transaction<'static, Postgres>,
    pub file: FileContext,
    pub inserted: i64,
    pub friends: i64,
}

#[async_trait]
impl RowImport for PgImport {
    async fn write(&mut self, rows: &[FileRowInput], at: DateTime<Utc>) -> StoreResult<()> {
        let effect = upsert_rows(&mut self.tx, self.file, rows, at).await?;
        self.inserted += effect.written.inserted as i64;
        self.friends += effect.friends;
        Ok(())
    }

    async fn commit(mut self: Box<Self>, attempted: u64, at: DateTime<Utc>) -> StoreResult<()> {
        let (file, inserted, friends) = (self.file.id, self.inserted, self.friends);
        adjust_counts(&mut self.tx, file, attempted as i64, inserted, friends, at).await?;
        self.tx.commit().await.map_err(db)
    }
}
