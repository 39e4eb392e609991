//! An import's writes: batches upserted inside one transaction that holds the write lock,
//! counted once at commit (see [`SqliteImport`]).

use crate::error::backend;
use crate::file_rows::FileContext;
use crate::raw_rows::{blocking, RawConnection};
use crate::row_batch::ChunkedSql;
use crate::rows::to_ms;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{Sqlite, Transaction};
use talkchannel_store::{FileRowInput, RowImport, StoreResult};

/// Binds the file, the app, the time, the segment version, then the rows: an import's
/// upsert, counted once at commit.
static UPSERT_DIRECT: ChunkedSql = ChunkedSql::new(
    concat!(
        "INSERT INTO customer_file_rows \
             (file_id, user_type, user_key, fields, account_id, updated_at, change_seq) \
         SELECT ?, v.column1, v.column2, v.column3, ",
        resolve_account!("v.column1", "v.column2"),
        ", ?, ? FROM (VALUES "
    ),
    concat!(") v WHERE true", replace_on_conflict!()),
);

/// Binds the channel and the segment version, the rows, then the file and the app: a
/// tombstone for each existing row an import re-points to another account (or none).
static IMPORT_TOMBSTONES: ChunkedSql = ChunkedSql::new(
    "INSERT INTO segment_tombstones (channel_id, version, file_id, account_id) \
     SELECT ?, ?, r.file_id, r.account_id FROM (VALUES ",
    concat!(
        ") v CROSS JOIN customer_file_rows r \
         ON r.file_id = ? AND r.user_type = v.column1 AND r.user_key = v.column2 \
         WHERE r.account_id IS NOT NULL AND r.account_id IS NOT (",
        resolve_account!("v.column1", "v.column2"),
        ")"
    ),
);

/// An import holding the writer's transaction: nothing is visible until `commit`, and
/// dropping it rolls everything back. Batches are upserted without counting; since the
/// transaction holds the write lock, the counts are settled once at commit: new rows are
/// those past the largest `seq` seen at the start, friends are recounted. As nothing else
/// inserts or deletes rows meanwhile, and SQLite gives each new row the largest `seq` plus
/// one, the new rows are exactly `last_seq_before + 1 ..= MAX(seq)`: their number is read
/// off the primary key instead of counted by a scan of them (which read the whole import
/// back from the WAL).
pub(crate) struct SqliteImport {
    tx: Transaction<'static, Sqlite>,
    file: FileContext,
    last_seq_before: i64,
    /// The segment version every row of the import is stamped with.
    version: i64,
    /// Whether the file had rows when the import began; if not, no row can be re-pointed
    /// (a key repeated within the import names the same account both times, as the
    /// import holds the write lock), so no tombstones need looking for.
    had_rows: bool,
}

impl SqliteImport {
    pub async fn begin(
        mut tx: Transaction<'static, Sqlite>,
        file: FileContext,
    ) -> StoreResult<Self> {
        let last_seq_before =
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM customer_file_rows")
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
        let had_rows = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM customer_file_rows WHERE file_id = ?)",
        )
        .bind(file.id)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        let version = crate::segments::bump_version(&mut tx, file.channel_id).await?;
        Ok(Self {
            tx,
            file,
            last_seq_before,
            version,
            had_rows,
        })
    }
}

#[async_trait]
impl RowImport for SqliteImport {
    /// Runs on this thread with the connection taken from sqlx's (see `raw_rows`); the
    /// runtime is told that the thread blocks for the batch.
    async fn write(&mut self, rows: &[FileRowInput], at: DateTime<Utc>) -> StoreResult<()> {
        let (file, version, had_rows) = (self.file, self.version, self.had_rows);
        let mut handle = self.tx.lock_handle().await.map_err(backend)?;
        let conn = RawConnection::new(&mut handle);
        blocking(|| {
            if had_rows {
                let around = ([file.channel_id, version], [file.id, file.app_id]);
                conn.execute_chunked(&IMPORT_TOMBSTONES, (&around.0, &around.1), rows)?;
            }
            let before = [file.id, file.app_id, to_ms(at), version];
            conn.execute_chunked(&UPSERT_DIRECT, (&before, &[]), rows)
        })
    }

    async fn commit(mut self: Box<Self>, attempted: u64, at: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query(
            "UPDATE customer_files SET attempted = attempted + ?1, \
             registered = registered - ?2 + \
                          (SELECT COALESCE(MAX(seq), 0) FROM customer_file_rows), \
             friends = (SELECT COUNT(*) FROM customer_file_rows r JOIN friendships f \
                        ON f.channel_id = ?4 AND f.account_id = r.account_id \
                        AND f.relation = 'ADDED' \
                        WHERE r.file_id = ?3 AND r.account_id IS NOT NULL), \
             updated_at = ?5 WHERE id = ?3",
        )
        .bind(attempted as i64)
        .bind(self.last_seq_before)
        .bind(self.file.id)
        .bind(self.file.channel_id)
        .bind(to_ms(at))
        .execute(&mut *self.tx)
        .await
        .map_err(backend)?;
        self.tx.commit().await.map_err(backend)
    }
}
