//! `SegmentStore` for PostgreSQL: the segment version and the streaming reads the
//! segment engine loads and catches up from; field values are extracted in SQL.

use crate::error::db;
use crate::PgStore;
use async_trait::async_trait;
use chrono::NaiveDate;
use futures_util::TryStreamExt;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::Query;
use sqlx::{PgConnection, Postgres, Row};
use talkchannel_domain::{AccountId, ChannelId, FieldType, FileId, Gender};
use talkchannel_store::{
    FieldValue, FriendRecord, Profile, RowRecord, SegmentStore, Sink, StoreResult,
};

/// Bumps (and so locks until commit) the channel's segment version; returns the new one.
/// Callers take it after any customer-file lock, so versions follow commit order.
pub(crate) async fn bump_version(conn: &mut PgConnection, channel: ChannelId) -> StoreResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO segment_versions (channel_id, version) VALUES ($1, 1) \
         ON CONFLICT (channel_id) DO UPDATE SET version = segment_versions.version + 1 \
         RETURNING version",
    )
    .bind(channel)
    .fetch_one(conn)
    .await
    .map_err(db)
}

/// `SELECT account_id, <one column per field> ...`; field names bind from `$3` on.
fn row_query(fields: &[(String, FieldType)], filter: &str) -> String {
    let cols: String = fields
        .iter()
        .enumerate()
        .map(|(i, (_, kind))| match kind {
            FieldType::Number => format!(
                ", CASE WHEN jsonb_typeof(fields::jsonb -> ${n}) = 'number' \
                   THEN (fields::jsonb ->> ${n})::float8 END",
                n = i + 3
            ),
            FieldType::String => format!(", fields::jsonb ->> ${}", i + 3),
        })
        .collect();
    format!(
        "SELECT account_id{cols} FROM customer_file_rows \
         WHERE file_id = $1 AND {filter} ORDER BY change_seq, seq"
    )
}

fn bind_fields<'q>(
    mut query: Query<'q, Postgres, PgArguments>,
    fields: &'q [(String, FieldType)],
) -> Query<'q, Postgres, PgArguments> {
    for (name, _) in fields {
        query = query.bind(name.as_str());
    }
    query
}

fn decode_row(row: &PgRow, fields: &[(String, FieldType)]) -> StoreResult<RowRecord> {
    let account_id: i64 = row.try_get(0).map_err(db)?;
    let values = fields
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
        .map_err(db)?;
    Ok(RowRecord { account_id, values })
}

fn profile(
    gender: Option<String>,
    birth_date: Option<NaiveDate>,
    region: Option<String>,
) -> Profile {
    Profile {
        gender: gender.as_deref().and_then(Gender::parse),
        birth_date,
        region,
    }
}

type ProfileRow = (i64, Option<String>, Option<NaiveDate>, Option<String>);

#[async_trait]
impl SegmentStore for PgStore {
    async fn segment_version(&self, channel: ChannelId) -> StoreResult<i64> {
        sqlx::query_scalar(
            "SELECT COALESCE((SELECT version FROM segment_versions WHERE channel_id = $1), 0)",
        )
        .bind(channel)
        .fetch_one(&self.pool)
        .await
        .map_err(db)
    }

    async fn friend_records(
        &self,
        channel: ChannelId,
        since: i64,
        sink: Sink<'_, FriendRecord>,
    ) -> StoreResult<()> {
        let mut rows =
            sqlx::query_as::<_, (i64, bool, Option<String>, Option<NaiveDate>, Option<String>)>(
                "SELECT f.account_id, f.relation = 'ADDED', a.gender, a.birth_date, a.region \
             FROM friendships f JOIN accounts a ON a.id = f.account_id \
             WHERE f.channel_id = $1 AND f.change_seq > $2",
            )
            .bind(channel)
            .bind(since)
            .fetch(&self.pool);
        while let Some((account_id, added, gender, birth, region)) =
            rows.try_next().await.map_err(db)?
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
        let sql = row_query(fields, "change_seq > $2 AND account_id IS NOT NULL");
        let query = sqlx::query(&sql).bind(file).bind(since);
        let mut rows = bind_fields(query, fields).fetch(&self.pool);
        while let Some(row) = rows.try_next().await.map_err(db)? {
            sink(decode_row(&row, fields)?);
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
             WHERE channel_id = $1 AND version > $2 ORDER BY version",
        )
        .bind(channel)
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(db)
    }

    async fn account_rows(
        &self,
        file: FileId,
        fields: &[(String, FieldType)],
        accounts: &[AccountId],
    ) -> StoreResult<Vec<RowRecord>> {
        let sql = row_query(fields, "account_id = ANY($2)");
        let query = sqlx::query(&sql).bind(file).bind(accounts);
        let rows = bind_fields(query, fields)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(|r| decode_row(r, fields)).collect()
    }

    async fn profiles(&self, accounts: &[AccountId]) -> StoreResult<Vec<(AccountId, Profile)>> {
        let rows = sqlx::query_as::<_, ProfileRow>(
            "SELECT id, gender, birth_date, region FROM accounts WHERE id = ANY($1)",
        )
        .bind(accounts)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows
            .into_iter()
            .map(|(id, g, b, r)| (id, profile(g, b, r)))
            .collect())
    }
}
