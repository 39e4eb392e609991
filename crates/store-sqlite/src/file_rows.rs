//! Writing customer-file rows in bulk, and keeping the file's counts exact.
//!
//! A batch travels as one JSON array bound to one parameter (`[[type, key, {fields}], ..]`)
//! and is written by one `INSERT .. SELECT .. FROM json_each(?)` upsert: the statement
//! text never changes, so its plan stays cached, and there is no bind-parameter limit.

use crate::error::backend;
use crate::rows::to_ms;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{Sqlite, SqliteConnection, Transaction};
use talkchannel_domain::{AccountId, AppId, ChannelId, FileId, FileUserKey, Relation};
use talkchannel_store::{FileRowInput, RowImport, RowsWritten, StoreError, StoreResult};

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
    .ok_or(StoreError::NotFound("customer file"))
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

/// The account a batch element's key names now (`j` is the element, `?3` the file's app).
macro_rules! resolved_account {
    () => {
        "CASE j.value ->> 0 \
           WHEN 'app' THEN (SELECT u.account_id FROM app_users u \
                            WHERE u.app_id = ?3 AND u.user_id = CAST(j.value ->> 1 AS INTEGER)) \
           ELSE (SELECT MIN(a.id) FROM accounts a WHERE a.phone_number = j.value ->> 1) \
         END"
    };
}

const UPSERT: &str = concat!(
    "INSERT INTO customer_file_rows \
         (file_id, user_type, user_key, fields, account_id, updated_at, change_seq) \
     SELECT ?2, j.value ->> 0, j.value ->> 1, j.value -> 2, ",
    resolved_account!(),
    ", ?4, ?5 \
     FROM json_each(?1) j WHERE true \
     ON CONFLICT (file_id, user_type, user_key) DO UPDATE SET \
         fields = excluded.fields, account_id = excluded.account_id, \
         updated_at = excluded.updated_at, change_seq = excluded.change_seq"
);

/// Before an upsert: a tombstone for each existing row whose key now names another
/// account (or none), so the segment engine forgets the row under its old account.
const REPLACED_TOMBSTONES: &str = concat!(
    "INSERT INTO segment_tombstones (channel_id, version, file_id, account_id) \
     SELECT ?4, ?5, ?2, r.account_id FROM json_each(?1) j \
     CROSS JOIN customer_file_rows r \
       ON r.file_id = ?2 AND r.user_type = j.value ->> 0 AND r.user_key = j.value ->> 1 \
     WHERE r.account_id IS NOT NULL AND r.account_id IS NOT (",
    resolved_account!(),
    ")"
);

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
    let batch = rows_json(rows);
    let (existed, friends_before) = key_stats(conn, file, &batch).await?;
    let version = crate::segments::bump_version(conn, file.channel_id).await?;
    if existed > 0 {
        sqlx::query(REPLACED_TOMBSTONES)
            .bind(&batch)
            .bind(file.id)
            .bind(file.app_id)
            .bind(file.channel_id)
            .bind(version)
            .execute(&mut *conn)
            .await
            .map_err(backend)?;
    }
    sqlx::query(UPSERT)
        .bind(&batch)
        .bind(file.id)
        .bind(file.app_id)
        .bind(to_ms(at))
        .bind(version)
        .execute(&mut *conn)
        .await
        .map_err(backend)?;
    let (_, friends_after) = key_stats(conn, file, &batch).await?;
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
    channel: ChannelId,
    account: AccountId,
    from: Relation,
    to: Relation,
) -> StoreResult<()> {
    let delta = match (from == Relation::Added, to == Relation::Added) {
        (false, true) => 1,
        (true, false) => -1,
        _ => return Ok(()),
    };
    sqlx::query(
        "UPDATE customer_files SET friends = friends + ?1 * \
             (SELECT COUNT(*) FROM customer_file_rows r \
              WHERE r.file_id = customer_files.id AND r.account_id = ?2) \
         WHERE channel_id = ?3",
    )
    .bind(delta)
    .bind(account)
    .bind(channel)
    .execute(conn)
    .await
    .map(drop)
    .map_err(backend)
}

/// `[["app","42",{"age":29}],...]`: the field text is already compact JSON.
fn rows_json(rows: &[FileRowInput]) -> String {
    let mut out = String::with_capacity(rows.len() * 64);
    out.push('[');
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_key(&mut out, &row.key);
        out.push(',');
        out.push_str(&row.fields);
        out.push(']');
    }
    out.push(']');
    out
}

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

/// An import holding the writer's transaction: nothing is visible until `commit`, and
/// dropping it rolls everything back.
pub(crate) struct SqliteImport {
    pub tx: Transaction<'static, Sqlite>,
    pub file: FileContext,
}

#[async_trait]
impl RowImport for SqliteImport {
    async fn write(
        &mut self,
        rows: &[FileRowInput],
        at: DateTime<Utc>,
    ) -> StoreResult<RowsWritten> {
        write_rows(&mut self.tx, self.file, rows, at).await
    }

    async fn commit(mut self: Box<Self>, attempted: u64, at: DateTime<Utc>) -> StoreResult<()> {
        adjust_counts(&mut self.tx, self.file.id, attempted as i64, 0, 0, at).await?;
        self.tx.commit().await.map_err(backend)
    }
}
