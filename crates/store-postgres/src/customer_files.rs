//! `CustomerFileStore` for PostgreSQL: file records, row listings and import reports. The
//! bulk row writes live in `file_rows`.

use crate::error::db;
use crate::file_rows::{delete_rows, lock_file, write_rows, PgImport};
use crate::rows::{after, convert_all};
use crate::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use talkchannel_domain::customer_file::MAX_FILES_PER_CHANNEL;
use talkchannel_domain::{
    ChannelId, Clash, CustomerFile, Entity, FileId, FileRow, FileSchema, FileUserKey,
    NewCustomerFile, Page, PageRequest, UserType,
};
use talkchannel_store::{
    CustomerFileStore, FileImport, FileRowInput, ImportError, ImportStatus, RowImport, RowsWritten,
    StoreError, StoreResult,
};

const FILE_COLUMNS: &str = "id, app_id, channel_id, name, schema, attempted, registered, \
                            friends, created_at, updated_at";
const IMPORT_COLUMNS: &str =
    "id, file_id, user_type, status, rows_read, error_count, errors, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct FileRecordRow {
    id: i64,
    app_id: i64,
    channel_id: i64,
    name: String,
    schema: String,
    attempted: i64,
    registered: i64,
    friends: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<FileRecordRow> for CustomerFile {
    type Error = StoreError;

    fn try_from(r: FileRecordRow) -> StoreResult<Self> {
        let schema = FileSchema::from_json(&r.schema).ok_or_else(|| {
            StoreError::Backend(format!("unreadable schema of customer file {}", r.id))
        })?;
        Ok(CustomerFile {
            id: r.id,
            app_id: r.app_id,
            channel_id: r.channel_id,
            name: r.name,
            schema,
            attempted: r.attempted,
            registered: r.registered,
            friends: r.friends,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RowRow {
    seq: i64,
    user_type: String,
    user_key: String,
    fields: String,
    account_id: Option<i64>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<RowRow> for FileRow {
    type Error = StoreError;

    fn try_from(r: RowRow) -> StoreResult<Self> {
        let key = FileUserKey::from_stored(&r.user_type, &r.user_key).ok_or_else(|| {
            StoreError::Backend(format!("unreadable customer file key `{}`", r.user_key))
        })?;
        Ok(FileRow {
            seq: r.seq,
            key,
            fields: r.fields,
            account_id: r.account_id,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ImportRow {
    id: i64,
    file_id: i64,
    user_type: String,
    status: String,
    rows_read: i64,
    error_count: i64,
    errors: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<ImportRow> for FileImport {
    type Error = StoreError;

    fn try_from(r: ImportRow) -> StoreResult<Self> {
        let unreadable = || StoreError::Backend(format!("unreadable import report {}", r.id));
        let errors: Vec<(u64, String)> =
            serde_json::from_str(&r.errors).map_err(|_| unreadable())?;
        Ok(FileImport {
            id: r.id,
            file_id: r.file_id,
            user_type: UserType::parse(&r.user_type).ok_or_else(unreadable)?,
            status: ImportStatus::parse(&r.status).ok_or_else(unreadable)?,
            rows_read: r.rows_read as u64,
            error_count: r.error_count as u64,
            errors: errors
                .into_iter()
                .map(|(line, reason)| ImportError { line, reason })
                .collect(),
            created_at: r.created_at,
        })
    }
}

#[async_trait]
impl CustomerFileStore for PgStore {
    async fn insert_customer_file(
        &self,
        new: &NewCustomerFile,
        at: DateTime<Utc>,
    ) -> StoreResult<CustomerFile> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Locking the channel serialises creations on it, so the slot count holds.
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM channels WHERE id = $1 FOR UPDATE")
                .bind(new.channel_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        if found.is_none() {
            return Err(StoreError::NotFound(Entity::Channel));
        }
        let used: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM customer_files WHERE channel_id = $1")
                .bind(new.channel_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
        if used as usize >= MAX_FILES_PER_CHANNEL {
            return Err(StoreError::Conflict(Clash::FileSlotsFull));
        }
        let sql = format!(
            "INSERT INTO customer_files (app_id, channel_id, name, schema, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING {FILE_COLUMNS}"
        );
        let row: FileRecordRow = sqlx::query_as(&sql)
            .bind(new.app_id)
            .bind(new.channel_id)
            .bind(&new.name)
            .bind(new.schema.to_json())
            .bind(at)
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        row.try_into()
    }

    async fn customer_file(&self, id: FileId) -> StoreResult<Option<CustomerFile>> {
        let sql = format!("SELECT {FILE_COLUMNS} FROM customer_files WHERE id = $1");
        let row: Option<FileRecordRow> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(CustomerFile::try_from).transpose()
    }

    async fn channel_customer_files(&self, channel: ChannelId) -> StoreResult<Vec<CustomerFile>> {
        let sql =
            format!("SELECT {FILE_COLUMNS} FROM customer_files WHERE channel_id = $1 ORDER BY id");
        let rows: Vec<FileRecordRow> = sqlx::query_as(&sql)
            .bind(channel)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        convert_all(rows)
    }

    async fn put_file_rows(
        &self,
        file: FileId,
        rows: &[FileRowInput],
        attempted: u64,
        at: DateTime<Utc>,
    ) -> StoreResult<RowsWritten> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let context = lock_file(&mut tx, file).await?;
        let written = write_rows(&mut tx, context, rows, at).await?;
        crate::file_rows::adjust_counts(&mut tx, file, attempted as i64, 0, 0, at).await?;
        tx.commit().await.map_err(db)?;
        Ok(written)
    }

    async fn delete_file_rows(
        &self,
        file: FileId,
        keys: &[FileUserKey],
        at: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let context = lock_file(&mut tx, file).await?;
        let removed = delete_rows(&mut tx, context, keys, at).await?;
        tx.commit().await.map_err(db)?;
        Ok(removed)
    }

    async fn file_rows(&self, file: FileId, page: PageRequest) -> StoreResult<Page<FileRow>> {
        let rows: Vec<RowRow> = sqlx::query_as(crate::paged::FILE_ROWS)
            .bind(file)
            .bind(after(page))
            .bind(page.fetch_limit())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        Ok(Page::from_rows(convert_all(rows)?, page, |r: &FileRow| {
            r.seq
        }))
    }

    async fn delete_customer_file(&self, file: FileId) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let Ok(context) = lock_file(&mut tx, file).await else {
            return Ok(false);
        };
        crate::segments::bump_version(&mut tx, context.channel_id).await?;
        for sql in [
            "DELETE FROM customer_file_rows WHERE file_id = $1",
            "DELETE FROM customer_file_imports WHERE file_id = $1",
        ] {
            sqlx::query(sql)
                .bind(file)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        let deleted = sqlx::query("DELETE FROM customer_files WHERE id = $1")
            .bind(file)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        tx.commit().await.map_err(db)?;
        Ok(deleted > 0)
    }

    async fn begin_row_import(&self, file: FileId) -> StoreResult<Box<dyn RowImport>> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let file = lock_file(&mut tx, file).await?;
        Ok(Box::new(PgImport {
            tx,
            file,
            inserted: 0,
            friends: 0,
        }))
    }

    async fn insert_file_import(&self, report: &FileImport) -> StoreResult<FileImport> {
        let errors: Vec<(u64, &str)> = report
            .errors
            .iter()
            .map(|e| (e.line, e.reason.as_str()))
            .collect();
        let sql = format!(
            "INSERT INTO customer_file_imports \
             (file_id, user_type, status, rows_read, error_count, errors, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {IMPORT_COLUMNS}"
        );
        let row: ImportRow = sqlx::query_as(&sql)
            .bind(report.file_id)
            .bind(report.user_type.as_str())
            .bind(report.status.as_str())
            .bind(report.rows_read as i64)
            .bind(report.error_count as i64)
            .bind(serde_json::to_string(&errors).map_err(StoreError::backend)?)
            .bind(report.created_at)
            .fetch_one(&self.pool)
            .await
            .map_err(db)?;
        row.try_into()
    }

    async fn file_import(&self, id: i64) -> StoreResult<Option<FileImport>> {
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM customer_file_imports WHERE id = $1");
        let row: Option<ImportRow> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(FileImport::try_from).transpose()
    }
}
