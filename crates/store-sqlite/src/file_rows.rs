//! Writing customer-file rows in bulk, and keeping the file's counts exact.
//!
//! A batch is bound as multi-row `VALUES` lists of a few fixed sizes (`row_batch`), so the
//! statements stay prepared. An API call's rows are staged beside the rows they replace so
//! one index probe per key gives the exact counts; an import's batches go through the raw
//! handle (`raw_rows`) and are counted once, at commit.

use crate::error::backend;
use crate::row_batch::{chunks, ChunkedSql};
use crate::rows::to_ms;
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;
use talkchannel_domain::{AppId, ChannelId, Entity, FileId, FileUserKey, FriendshipWrite};
use talkchannel_store::{FileRowInput, RowsWritten, StoreError, StoreResult};

/// What a row write needs to know about its file.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub(crate) struct FileContext {
    pub id: FileId,
    pub app_id: AppId,
    pub channel_id: ChannelId,
}

pub(crate) async fn file_context(
    conn: &mut SqliteConnection,
    file: FileId,
) -> StoreResult<FileContext> {
    sqlx::query_as::<_, FileContext>(
        "SELECT id, app_id, channel_id FROM customer_files WHERE id = ?",
    )
    .bind(file)
    .fetch_optional(conn)
    .await
    .map_err(backend)?
    .ok_or(StoreError::NotFound(Entity::CustomerFile))
}

/// Rows among the batch's keys that exist, and how many of them count as friends.
/// `CROSS JOIN` pins the batch as the outer loop, so each key is one index probe; left to
/// itself the planner may scan the file's rows and re-read the batch for each.
const KEY_STATS: &str = "SELECT COUNT(*), COUNT(f.account_id) \
     FROM json_each(?1) j \
     CROSS JOIN customer_file_rows r \
       ON r.file_id = ?2 AND r.user_type = j.value ->> 0 AND r.user_key = j.value ->> 1 \
     LEFT JOIN friendships f \
       ON f.channel_id = ?3 AND f.account_id = r.account_id AND f.relation = 'ADDED'";

/// An account a key names: an app user of the file's app (bound here), or the oldest account
/// with that phone number; `$t` and `$k` are the key's type and text.
macro_rules! resolve_account {
    ($t:literal, $k:literal) => {
        concat!(
            "CASE ",
            $t,
            " WHEN 'app' THEN (SELECT u.account_id FROM app_users u ",
            "WHERE u.app_id = ? AND u.user_id = CAST(",
            $k,
            " AS INTEGER)) ",
            "ELSE (SELECT MIN(a.id) FROM accounts a WHERE a.phone_number = ",
            $k,
            ") END"
        )
    };
}

/// The upserts' conflict clause: re-adding a key replaces its values and re-resolves it.
macro_rules! replace_on_conflict {
    () => {
        " ON CONFLICT (file_id, user_type, user_key) DO UPDATE SET \
         fields = excluded.fields, account_id = excluded.account_id, \
         updated_at = excluded.updated_at, change_seq = excluded.change_seq"
    };
}

// After the macros, which the import's statements use too.
mod import;
pub(crate) use import::SqliteImport;

/// A call's rows wait in a temporary table beside what they replace, so one index probe
/// per key serves the upsert's counts, and the upsert itself reads no bound text again.
/// The writer connection creates it when it opens (see `pool`); it is empty between
/// calls (emptied after each, and a failed call's rows go with its rolled-back
/// transaction).
pub(crate) const CREATE_BATCH: &str = "CREATE TEMP TABLE IF NOT EXISTS file_batch (\
     user_type TEXT NOT NULL, user_key TEXT NOT NULL, fields TEXT NOT NULL, \
     account_id INTEGER, old_seq INTEGER, old_account INTEGER)";

/// Binds the app, the rows, then the file: the batch's rows with their account and the
/// row each replaces.
static STAGE: ChunkedSql = ChunkedSql::new(
    concat!(
        "INSERT INTO temp.file_batch SELECT v.column1, v.column2, v.column3, ",
        resolve_account!("v.column1", "v.column2"),
        ", r.seq, r.account_id FROM (VALUES "
    ),
    ") v LEFT JOIN customer_file_rows r \
     ON r.file_id = ? AND r.user_type = v.column1 AND r.user_key = v.column2",
);

/// Stamps the rows with the segment version (`?3`) the write bumped.
const UPSERT_STAGED: &str = concat!(
    "INSERT INTO customer_file_rows \
         (file_id, user_type, user_key, fields, account_id, updated_at, change_seq) \
     SELECT ?1, user_type, user_key, fields, account_id, ?2, ?3 FROM temp.file_batch \
     WHERE true",
    replace_on_conflict!()
);

/// Rows that existed, friends among them before, and friends among the batch after.
const STAGED_STATS: &str = "SELECT COUNT(b.old_seq), COUNT(fo.account_id), COUNT(fn.account_id) \
     FROM temp.file_batch b \
     LEFT JOIN friendships fo \
       ON fo.channel_id = ?1 AND fo.account_id = b.old_account AND fo.relation = 'ADDED' \
     LEFT JOIN friendships fn \
       ON fn.channel_id = ?1 AND fn.account_id = b.account_id AND fn.relation = 'ADDED'";

/// Runs `sql` once per chunk of `rows`, binding `before`, each row's type, key and
/// values, then `after`.
async fn execute_chunked(
    conn: &mut SqliteConnection,
    sql: &ChunkedSql,
    (before, after): (&[i64], &[i64]),
    rows: &[FileRowInput],
) -> StoreResult<()> {
    for chunk in chunks(rows) {
        let mut query = sqlx::query(sql.text(chunk.len()));
        for &value in before {
            query = query.bind(value);
        }
        for row in chunk {
            query = query
                .bind(row.key.user_type().as_str())
                .bind(row.key.key_text())
                .bind(row.fields.as_str());
        }
        for &value in after {
            query = query.bind(value);
        }
        query.execute(&mut *conn).await.map_err(backend)?;
    }
    Ok(())
}

async fn execute(conn: &mut SqliteConnection, sql: &'static str) -> StoreResult<()> {
    sqlx::query(sql)
        .execute(conn)
        .await
        .map(drop)
        .map_err(backend)
}

/// Upserts a batch and moves `registered` and `friends` by what it changed.
pub(crate) async fn write_rows(
    conn: &mut SqliteConnection,
    file: FileContext,
    rows: &[FileRowInput],
    at: DateTime<Utc>,
) -> StoreResult<RowsWritten> {
    if rows.is_empty() {
        return Ok(RowsWritten::default());
    }
    let version = crate::segments::bump_version(conn, file.channel_id).await?;
    execute_chunked(conn, &STAGE, (&[file.app_id], &[file.id]), rows).await?;
    // The segment engine forgets a replaced row under the account its key named before.
    sqlx::query(
        "INSERT INTO segment_tombstones (channel_id, version, file_id, account_id) \
         SELECT ?1, ?2, ?3, old_account FROM temp.file_batch \
         WHERE old_account IS NOT NULL AND old_account IS NOT account_id",
    )
    .bind(file.channel_id)
    .bind(version)
    .bind(file.id)
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    sqlx::query(UPSERT_STAGED)
        .bind(file.id)
        .bind(to_ms(at))
        .bind(version)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    let (existed, friends_before, friends_after) =
        sqlx::query_as::<_, (i64, i64, i64)>(STAGED_STATS)
            .bind(file.channel_id)
            .fetch_one(&mut *conn)
            .await
            .map_err(backend)?;
    execute(conn, "DELETE FROM temp.file_batch").await?;
    let inserted = rows.len() as i64 - existed;
    adjust_counts(
        conn,
        file.id,
        0,
        inserted,
        friends_after - friends_before,
        at,
    )
    .await?;
    Ok(RowsWritten {
        inserted: inserted as u64,
        replaced: existed as u64,
    })
}

async fn key_stats(
    conn: &mut SqliteConnection,
    file: FileContext,
    keys_json: &str,
) -> StoreResult<(i64, i64)> {
    sqlx::query_as::<_, (i64, i64)>(KEY_STATS)
        .bind(keys_json)
        .bind(file.id)
        .bind(file.channel_id)
        .fetch_one(conn)
        .await
        .map_err(backend)
}

/// Deletes the rows with these keys and moves the counts down; returns how many existed.
pub(crate) async fn delete_rows(
    conn: &mut SqliteConnection,
    file: FileContext,
    keys: &[FileUserKey],
    at: DateTime<Utc>,
) -> StoreResult<u64> {
    let batch = keys_json(keys);
    let (existed, friends) = key_stats(conn, file, &batch).await?;
    let version = crate::segments::bump_version(conn, file.channel_id).await?;
    sqlx::query(
        "INSERT INTO segment_tombstones (channel_id, version, file_id, account_id) \
         SELECT ?3, ?4, ?2, r.account_id FROM json_each(?1) j CROSS JOIN customer_file_rows r \
         ON r.file_id = ?2 AND r.user_type = j.value ->> 0 AND r.user_key = j.value ->> 1 \
         WHERE r.account_id IS NOT NULL",
    )
    .bind(&batch)
    .bind(file.id)
    .bind(file.channel_id)
    .bind(version)
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    sqlx::query(
        "DELETE FROM customer_file_rows WHERE seq IN \
         (SELECT r.seq FROM json_each(?1) j CROSS JOIN customer_file_rows r \
          ON r.file_id = ?2 AND r.user_type = j.value ->> 0 AND r.user_key = j.value ->> 1)",
    )
    .bind(&batch)
    .bind(file.id)
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    adjust_counts(conn, file.id, 0, -existed, -friends, at).await?;
    Ok(existed as u64)
}

pub(crate) async fn adjust_counts(
    conn: &mut SqliteConnection,
    file: FileId,
    attempted: i64,
    registered: i64,
    friends: i64,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE customer_files SET attempted = attempted + ?, registered = registered + ?, \
         friends = friends + ?, updated_at = ? WHERE id = ?",
    )
    .bind(attempted)
    .bind(registered)
    .bind(friends)
    .bind(to_ms(at))
    .bind(file)
    .execute(conn)
    .await
    .map(drop)
    .map_err(backend)
}

/// Called by `apply_friendship_change` inside its transaction: when the account starts or
/// stops counting as a friend, every file of the channel holding it moves by its rows.
pub(crate) async fn follow_friendship(
    conn: &mut SqliteConnection,
    write: &FriendshipWrite,
) -> StoreResult<()> {
    if write.friends_per_file_row == 0 {
        return Ok(());
    }
    sqlx::query(
        "UPDATE customer_files SET friends = friends + ?1 * \
             (SELECT COUNT(*) FROM customer_file_rows r \
              WHERE r.file_id = customer_files.id AND r.account_id = ?2) \
         WHERE channel_id = ?3",
    )
    .bind(write.friends_per_file_row)
    .bind(write.row.account_id)
    .bind(write.row.channel_id)
    .execute(conn)
    .await
    .map(drop)
    .map_err(backend)
}

/// `[["app","42"],...]`: the keys of a delete.
fn keys_json(keys: &[FileUserKey]) -> String {
    let mut out = String::with_capacity(keys.len() * 24);
    out.push('[');
    for (i, key) in keys.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_key(&mut out, key);
        out.push(']');
    }
    out.push(']');
    out
}

/// `["app","42"` (left open for more elements). Keys are digits, so need no escaping.
fn push_key(out: &mut String, key: &FileUserKey) {
    out.push_str("[\"");
    out.push_str(key.user_type().as_str());
    out.push_str("\",\"");
    out.push_str(&key.key_text());
    out.push('"');
}
