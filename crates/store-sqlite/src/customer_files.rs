//! `CustomerFileStore` for SQLite: file records, row listings and import reports. The
//! bulk row writes live in `file_rows`.

use crate::error::{backend, is_fk_violation, is_unique_violation, missing_parent};
use crate::file_rows::{delete_rows, file_context, write_rows, SqliteImport};
use crate::rows::{all, cursor, from_ms, stored, to_ms};
use crate::SqliteStore;
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

#[derive(sqlx::FromRow)]
struct FileRecordRow {
    id: i64,
    app_id: i64,
    channel_id: i64,
    name: String,
    schema: String,
    attempted: i64,
    registered: i64,
    friends: i64,
    created_at: i64,
    updated_at: i64,
}

impl FileRecordRow {
    fn into_domain(self) -> StoreResult<CustomerFile> {
        let schema = FileSchema::from_json(&self.schema).ok_or_else(|| {
            StoreError::Backend(format!("unreadable schema of customer file {}", self.id))
        })?;
        Ok(CustomerFile {
            id: self.id,
            app_id: self.app_id,
            channel_id: self.channel_id,
            name: self.name,
            schema,
            attempted: self.attempted,
            registered: self.registered,
            friends: self.friends,
            created_at: from_ms(self.created_at)?,
            updated_at: from_ms(self.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct RowRow {
    seq: i64,
    user_type: String,
    user_key: String,
    fields: String,
    account_id: Option<i64>,
    updated_at: i64,
}

impl RowRow {
    fn into_domain(self) -> StoreResult<FileRow> {
        let key = FileUserKey::from_stored(&self.user_type, &self.user_key).ok_or_else(|| {
            StoreError::Backend(format!("unreadable customer file key `{}`", self.user_key))
        })?;
        Ok(FileRow {
            seq: self.seq,
            key,
            fields: self.fields,
            account_id: self.account_id,
            updated_at: from_ms(self.updated_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ImportRow {
    id: i64,
    file_id: i64,
    user_type: String,
    status: String,
    rows_read: i64,
    error_count: i64,
    errors: String,
    created_at: i64,
}

impl ImportRow {
    fn into_domain(self) -> StoreResult<FileImport> {
        let unreadable = || StoreError::Backend(format!("unreadable import report {}", self.id));
        let errors: Vec<(u64, String)> =
            serde_json::from_str(&self.errors).map_err(|_| unreadable())?;
        Ok(FileImport {
            id: self.id,
            file_id: self.file_id,
            user_type: UserType::parse(&self.user_type).ok_or_else(unreadable)?,
            status: ImportStatus::parse(&self.status).ok_or_else(unreadable)?,
            rows_read: self.rows_read as u64,
            error_count: self.error_count as u64,
            errors: errors
                .into_iter()
                .map(|(line, reason)| ImportError { line, reason })
                .collect(),
            created_at: from_ms(self.created_at)?,
        })
    }
}

#[async_trait]
impl CustomerFileStore for SqliteStore {
    async fn insert_customer_file(
        &self,
        new: &NewCustomerFile,
        at: DateTime<Utc>,
    ) -> StoreResult<CustomerFile> {
        let mut tx = self.write_tx().await?;
        let used: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM customer_files WHERE channel_id = ?")
                .bind(new.channel_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
        if used as usize >= MAX_FILES_PER_CHANNEL {
            return Err(StoreError::Conflict(Clash::FileSlotsFull));
        }
        let inserted = sqlx::query_scalar::<_, i64>(
            "INSERT INTO customer_files (app_id, channel_id, name, schema, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(new.app_id)
        .bind(new.channel_id)
        .bind(&new.name)
        .bind(new.schema.to_json())
        .bind(to_ms(at))
        .bind(to_ms(at))
        .fetch_one(&mut *tx)
        .await;
        let id = match inserted {
            Ok(id) => id,
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::Conflict(Clash::FileNameTaken))
            }
            Err(e) if is_fk_violation(&e) => {
                let parents = [
                    (Entity::App, "apps", new.app_id),
                    (Entity::Channel, "channels", new.channel_id),
                ];
                return Err(missing_parent(&mut tx, &parents).await);
            }
            Err(e) => return Err(backend(e)),
        };
        tx.commit().await.map_err(backend)?;
        Ok(CustomerFile {
            id,
            app_id: new.app_id,
            channel_id: new.channel_id,
            name: new.name.clone(),
            schema: new.schema.clone(),
            attempted: 0,
            registered: 0,
            friends: 0,
            created_at: stored(at),
            updated_at: stored(at),
        })
    }

    async fn customer_file(&self, id: FileId) -> StoreResult<Option<CustomerFile>> {
        let sql = format!("SELECT {FILE_COLUMNS} FROM customer_files WHERE id = ?");
        sqlx::query_as::<_, FileRecordRow>(&sql)
            .bind(id)
            .fetch_optional(&self.reader)
            .await
            .map_err(backend)?
            .map(FileRecordRow::into_domain)
            .transpose()
    }

    async fn channel_customer_files(&self, channel: ChannelId) -> StoreResult<Vec<CustomerFile>> {
        let sql =
            format!("SELECT {FILE_COLUMNS} FROM customer_files WHERE channel_id = ? ORDER BY id");
        let rows = sqlx::query_as::<_, FileRecordRow>(&sql)
            .bind(channel)
            .fetch_all(&self.reader)
            .await
            .map_err(backend)?;
        all(rows, FileRecordRow::into_domain)
    }

    async fn put_file_rows(
        &self,
        file: FileId,
        rows: &[FileRowInput],
        attempted: u64,
        at: DateTime<Utc>,
    ) -> StoreResult<RowsWritten> {
        let mut tx = self.write_tx().await?;
        let context = file_context(&mut tx, file).await?;
        let written = write_rows(&mut tx, context, rows, at).await?;
        crate::file_rows::adjust_counts(&mut tx, file, attempted as i64, 0, 0, at).await?;
        tx.commit().await.map_err(backend)?;
        Ok(written)
    }

    async fn delete_file_rows(
        &self,
        file: FileId,
        keys: &[FileUserKey],
        at: DateTime<Utc>,
    ) -> StoreResult<u64> {
        let mut tx = self.write_tx().await?;
        let context = file_context(&mut tx, file).await?;
        let removed = delete_rows(&mut tx, context, keys, at).await?;
        tx.commit().await.map_err(backend)?;
        Ok(removed)
    }

    async fn file_rows(&self, file: FileId, page: PageRequest) -> StoreResult<Page<FileRow>> {
        let rows = sqlx::query_as::<_, RowRow>(crate::paged::FILE_ROWS)
            .bind(file)
            .bind(cursor(page))
            .bind(page.fetch_limit())
            .fetch_all(&self.reader)
            .await
            .map_err(backend)?;
        Ok(Page::from_rows(
            all(rows, RowRow::into_domain)?,
            page,
            |r| r.seq,
        ))
    }

    async fn delete_customer_file(&self, file: FileId) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let channel: Option<i64> =
            sqlx::query_scalar("SELECT channel_id FROM customer_files WHERE id = ?")
                .bind(file)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
        let Some(channel) = channel else {
            return Ok(false);
        };
        crate::segments::bump_version(&mut tx, channel).await?;
        for sql in [
            "DELETE FROM customer_file_rows WHERE file_id = ?",
            "DELETE FROM customer_file_imports WHERE file_id = ?",
        ] {
            sqlx::query(sql)
                .bind(file)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        let deleted = sqlx::query("DELETE FROM customer_files WHERE id = ?")
            .bind(file)
            .execute(&mut *tx)
            .await
            .map_err(backend)?
            .rows_affected();
        tx.commit().await.map_err(backend)?;
        Ok(deleted > 0)
    }

    async fn begin_row_import(&self, file: FileId) -> StoreResult<Box<dyn RowImport>> {
        let mut tx = self.write_tx().await?;
        let file = file_context(&mut tx, file).await?;
        Ok(Box::new(SqliteImport::begin(tx, file).await?))
    }

    async fn insert_file_import(&self, report: &FileImport) -> StoreResult<FileImport> {
        let errors: Vec<(u64, &str)> = report
            .errors
            .iter()
            .map(|e| (e.line, e.reason.as_str()))
            .collect();
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO customer_file_imports \
             (file_id, user_type, status, rows_read, error_count, errors, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(report.file_id)
        .bind(report.user_type.as_str())
        .bind(report.status.as_str())
        .bind(report.rows_read as i64)
        .bind(report.error_count as i64)
        .bind(serde_json::to_string(&errors).map_err(StoreError::backend)?)
        .bind(to_ms(report.created_at))
        .fetch_one(&self.writer)
        .await
        .map_err(|e| {
            if is_fk_violation(&e) {
                StoreError::NotFound(Entity::CustomerFile)
            } else {
                backend(e)
            }
        })?;
        Ok(FileImport {
            id,
            created_at: stored(report.created_at),
            ..report.clone()
        })
    }

    async fn file_import(&self, id: i64) -> StoreResult<Option<FileImport>> {
        sqlx::query_as::<_, ImportRow>(
            "SELECT id, file_id, user_type, status, rows_read, error_count, errors, created_at \
             FROM customer_file_imports WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.reader)
        .await
        .map_err(backend)?
        .map(ImportRow::into_domain)
        .transpose()
    }
}
