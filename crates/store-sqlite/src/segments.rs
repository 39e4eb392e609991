//! `SegmentStore` for SQLite: the segment version and the streaming reads the segment
//! engine loads and catches up from. Field values are extracted by SQLite's JSON
//! operators, so a 10,000,000-row load parses no JSON in Rust.

use crate::error::backend;
use crate::SqliteStore;
use async_trait::async_trait;
use futures_util::TryStreamExt;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use talkchannel_domain::segment::parse_date;
use talkchannel_domain::{AccountId, ChannelId, FieldType, FileId, Gender};
use talkchannel_store::{
    FieldValue, FriendRecord, Profile, RowRecord, SegmentStore, Sink, StoreResult, SINCE_THE_START,
};

/// Bumps the channel's segment version inside a write transaction; returns the new one.
pub(crate) async fn bump_version(
    conn: &mut SqliteConnection,
    channel: ChannelId,
) -> StoreResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO segment_versions (channel_id, version) VALUES (?, 1) \
         ON CONFLICT (channel_id) DO UPDATE SET version = version + 1 RETURNING version",
    )
    .bind(channel)
    .fetch_one(conn)
    .await
    .map_err(backend)
}

/// The select list for the fields: `->>` with the name bound as an object label. A name
/// starting with `$` would be read as a path, so such schemas take the whole JSON and
/// are picked apart in Rust.
fn field_columns(fields: &[(String, FieldType)]) -> Option<String> {
    if fields.iter().any(|(name, _)| name.starts_with('$')) {
        return None;
    }
    let cols: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| match kind {
            FieldType::Number => format!(", CAST(fields ->> ?{} AS REAL)", i + 3),
            FieldType::String => format!(", fields ->> ?{}", i + 3),
        })
        .collect();
    Some(cols.concat())
}

fn row_query(fields: &[(String, FieldType)], filter: &str) -> (String, bool) {
    match field_columns(fields) {
        Some(cols) => (
            format!(
                "SELECT account_id{cols} FROM customer_file_rows \
                 WHERE file_id = ?1 AND {filter} ORDER BY change_seq, seq"
            ),
            true,
        ),
        None => (
            format!(
                "SELECT account_id, fields FROM customer_file_rows \
                 WHERE file_id = ?1 AND {filter} ORDER BY change_seq, seq"
            ),
            false,
        ),
    }
}

fn decode_row(
    row: &SqliteRow,
    fields: &[(String, FieldType)],
    extracted: bool,
) -> StoreResult<RowRecord> {
    let account_id: i64 = row.try_get(0).map_err(backend)?;
    let values = if extracted {
        fields
            .iter()
            .enumerate()
            .map(|(i, (_, kind))| match kind {
                FieldType::Number => row
                    .try_get::<Option<f64>, _>(i + 1)
                    .map(|v| v.map(FieldValue::Number)),
                FieldType::String => row
                    .try_get::<Option<String>, _>(i + 1)
                    .map(|v| v.map(FieldValue::Text)),
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(backend)?
    } else {
        let text: String = row.try_get(1).map_err(backend)?;
        talkchannel_store::field_values(&text, fields)
    };
    Ok(RowRecord { account_id, values })
}

fn bind_fields<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    fields: &'q [(String, FieldType)],
    extracted: bool,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    if extracted {
        for (name, _) in fields {
            query = query.bind(name.as_str());
        }
    }
    query
}

fn profile(gender: Option<String>, birth: Option<String>, region: Option<String>) -> Profile {
    Profile {
        gender: gender.as_deref().and_then(Gender::parse),
        birth_date: birth.as_deref().and_then(parse_date),
        region,
    }
}

fn json_ids(ids: &[i64]) -> String {
    let parts: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", parts.join(","))
}

type FriendRow = (i64, bool, Option<String>, Option<String>, Option<String>);

impl SqliteStore {
    /// A full load of a file: the table in rowid order over the file's seq range (one
    /// sequential pass), then the few accounts named by two rows re-read in write order,
    /// since insertion order is not write order for them.
    async fn load_rows(
        &self,
        file: FileId,
        fields: &[(String, FieldType)],
        sink: Sink<'_, RowRecord>,
    ) -> StoreResult<()> {
        let (low, high): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT MIN(seq), MAX(seq) FROM customer_file_rows WHERE file_id = ?")
                .bind(file)
                .fetch_one(&self.reader)
                .await
                .map_err(backend)?;
        let (Some(low), Some(high)) = (low, high) else {
            return Ok(());
        };
        let (select, extracted) = row_query(fields, "true");
        let select = select.replace(" WHERE file_id = ?1 AND true ORDER BY change_seq, seq", "");
        // Field names bind from ?3 on (see field_columns); the file id comes last.
        let sql = format!(
            "{select} WHERE seq BETWEEN ?1 AND ?2 AND +file_id = ?{} \
             AND account_id IS NOT NULL ORDER BY seq",
            if extracted { fields.len() + 3 } else { 3 }
        );
        let mut seen = std::collections::HashSet::new();
        let mut twice = Vec::new();
        {
            let query = sqlx::query(&sql).bind(low).bind(high);
            let mut rows = bind_fields(query, fields, extracted)
                .bind(file)
                .fetch(&self.reader);
            while let Some(row) = rows.try_next().await.map_err(backend)? {
                let record = decode_row(&row, fields, extracted)?;
                if !seen.insert(record.account_id) {
                    twice.push(record.account_id);
                }
                sink(record);
            }
        }
        for chunk in twice.chunks(10_000) {
            for record in self.account_rows(file, fields, chunk).await? {
                sink(record);
            }
        }
        Ok(())
    }
}

#[async_trait]
impl SegmentStore for SqliteStore {
    async fn segment_version(&self, channel: ChannelId) -> StoreResult<i64> {
        sqlx::query_scalar(
            "SELECT COALESCE((SELECT version FROM segment_versions WHERE channel_id = ?), 0)",
        )
        .bind(channel)
        .fetch_one(&self.reader)
        .await
        .map_err(backend)
    }

    async fn friend_records(
        &self,
        channel: ChannelId,
        since: i64,
        sink: Sink<'_, FriendRecord>,
    ) -> StoreResult<()> {
        // A full load walks the primary key (channel, account) in order, which also reads
        // accounts in id order; a catch-up takes the change index.
        let sql = if since == SINCE_THE_START {
            "SELECT f.account_id, f.relation = 'ADDED', a.gender, a.birth_date, a.region \
             FROM friendships f JOIN accounts a ON a.id = f.account_id \
             WHERE f.channel_id = ? AND +f.change_seq > ?"
        } else {
            "SELECT f.account_id, f.relation = 'ADDED', a.gender, a.birth_date, a.region \
             FROM friendships f JOIN accounts a ON a.id = f.account_id \
             WHERE f.channel_id = ? AND f.change_seq > ?"
        };
        let mut rows = sqlx::query_as::<_, FriendRow>(sql)
            .bind(channel)
            .bind(since)
            .fetch(&self.reader);
        while let Some((account_id, added, gender, birth, region)) =
            rows.try_next().await.map_err(backend)?
        {
            sink(FriendRecord {
                account_id,
                added,
                profile: profile(gender, birth, region),
            });
        }
        Ok(())
    }

    async fn row_records(
        &self,
        file: FileId,
        fields: &[(String, FieldType)],
        since: i64,
        sink: Sink<'_, RowRecord>,
    ) -> StoreResult<()> {
        if since == SINCE_THE_START {
            return self.load_rows(file, fields, sink).await;
        }
        let (sql, extracted) = row_query(fields, "change_seq > ?2 AND account_id IS NOT NULL");
        let query = sqlx::query(&sql).bind(file).bind(since);
        let mut rows = bind_fields(query, fields, extracted).fetch(&self.reader);
        while let Some(row) = rows.try_next().await.map_err(backend)? {
            sink(decode_row(&row, fields, extracted)?);
        }
        Ok(())
    }

    async fn row_tombstones(
        &self,
        channel: ChannelId,
        since: i64,
    ) -> StoreResult<Vec<(FileId, AccountId)>> {
        sqlx::query_as(
            "SELECT file_id, account_id FROM segment_tombstones \
             WHERE channel_id = ? AND version > ? ORDER BY version",
        )
        .bind(channel)
        .bind(since)
        .fetch_all(&self.reader)
        .await
        .map_err(backend)
    }

    async fn account_rows(
        &self,
        file: FileId,
        fields: &[(String, FieldType)],
        accounts: &[AccountId],
    ) -> StoreResult<Vec<RowRecord>> {
        let (sql, extracted) = row_query(fields, "account_id IN (SELECT value FROM json_each(?2))");
        let query = sqlx::query(&sql).bind(file).bind(json_ids(accounts));
        let rows = bind_fields(query, fields, extracted)
            .fetch_all(&self.reader)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| decode_row(r, fields, extracted))
            .collect()
    }

    async fn profiles(&self, accounts: &[AccountId]) -> StoreResult<Vec<(AccountId, Profile)>> {
        let rows = sqlx::query_as::<_, (i64, Option<String>, Option<String>, Option<String>)>(
            "SELECT id, gender, birth_date, region FROM accounts \
             WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(json_ids(accounts))
        .fetch_all(&self.reader)
        .await
        .map_err(backend)?;
        Ok(rows
            .into_iter()
            .map(|(id, g, b, r)| (id, profile(g, b, r)))
            .collect())
    }
}
