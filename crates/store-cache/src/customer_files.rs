//! Customer files are not on the cached hot path: straight to the engine.

use crate::CachedStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use talkchannel_domain::{
    ChannelId, CustomerFile, FileId, FileRow, FileUserKey, NewCustomerFile, Page, PageRequest,
};
use talkchannel_store::{
    CustomerFileStore, FileImport, FileRowInput, RowImport, RowsWritten, Store, StoreResult,
};

#[async_trait]
impl<S: Store> CustomerFileStore for CachedStore<S> {
    async fn insert_customer_file(
        &self,
        new: &NewCustomerFile,
        at: DateTime<Utc>,
    ) -> StoreResult<CustomerFile> {
        self.inner.insert_customer_file(new, at).await
    }

    async fn customer_file(&self, id: FileId) -> StoreResult<Option<CustomerFile>> {
        self.inner.customer_file(id).await
    }

    async fn channel_customer_files(&self, channel: ChannelId) -> StoreResult<Vec<CustomerFile>> {
        self.inner.channel_customer_files(channel).await
    }

    async fn put_file_rows(
        &self,
        file: FileId,
        rows: &[FileRowInput],
        attempted: u64,
        at: DateTime<Utc>,
    ) -> StoreResult<RowsWritten> {
        self.inner.put_file_rows(file, rows, attempted, at).await
    }

    async fn delete_file_rows(
        &self,
        file: FileId,
        keys: &[FileUserKey],
        at: DateTime<Utc>,
    ) -> StoreResult<u64> {
        self.inner.delete_file_rows(file, keys, at).await
    }

    async fn file_rows(&self, file: FileId, page: PageRequest) -> StoreResult<Page<FileRow>> {
        self.inner.file_rows(file, page).await
    }

    async fn delete_customer_file(&self, file: FileId) -> StoreResult<bool> {
        self.inner.delete_customer_file(file).await
    }

    async fn begin_row_import(&self, file: FileId) -> StoreResult<Box<dyn RowImport>> {
        self.inner.begin_row_import(file).await
    }

    async fn insert_file_import(&self, report: &FileImport) -> StoreResult<FileImport> {
        self.inner.insert_file_import(report).await
    }

    async fn file_import(&self, id: i64) -> StoreResult<Option<FileImport>> {
        self.inner.file_import(id).await
    }
}
