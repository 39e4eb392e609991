//! Customer files as the Admin Center needs them: list with counts, read rows, delete,
//! and import a CSV (streamed, all or nothing) with a report that can be read back.

use super::extract::{PageParams, Paging};
use super::path::{ChannelPath, FilePath, ImportPath};
use super::{ControlError, ErrorBody, ListResponse};
use crate::ApiState;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use talkchannel_domain::{CustomerFile, FileRow, UserType};
use talkchannel_store::{FileImport, ImportStatus};
use tokio_util::io::{StreamReader, SyncIoBridge};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerFileView {
    pub id: i64,
    /// The app whose admin key created the file.
    pub app_id: i64,
    pub name: String,
    /// Field name -> `string` or `number`.
    pub schema: BTreeMap<String, String>,
    /// Users ever submitted (add calls and imports).
    pub attempted: i64,
    /// Rows the file holds.
    pub registered: i64,
    /// Rows whose account has the channel ADDED now.
    pub friends: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<CustomerFile> for CustomerFileView {
    fn from(f: CustomerFile) -> Self {
        Self {
            id: f.id,
            app_id: f.app_id,
            schema: f
                .schema
                .fields()
                .iter()
                .map(|(k, t)| (k.clone(), t.as_str().to_owned()))
                .collect(),
            name: f.name,
            attempted: f.attempted,
            registered: f.registered,
            friends: f.friends,
            created_at: f.created_at,
            updated_at: f.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FileRowView {
    pub seq: i64,
    /// `app` or `phone`.
    pub user_type: String,
    /// The app user id, or the phone number in national form (`01012345678`).
    pub id: String,
    #[schema(value_type = Object)]
    pub fields: serde_json::Value,
    /// The account the id named when the row was written.
    pub account_id: Option<i64>,
    pub updated_at: DateTime<Utc>,
}

impl From<FileRow> for FileRowView {
    fn from(r: FileRow) -> Self {
        Self {
            seq: r.seq,
            user_type: r.key.user_type().as_str().to_owned(),
            id: r.key.key_text(),
            fields: serde_json::from_str(&r.fields).unwrap_or_default(),
            account_id: r.account_id,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportView {
    pub id: i64,
    pub file_id: i64,
    pub user_type: String,
    /// `applied` (every row written) or `rejected` (nothing written).
    pub status: String,
    pub rows_read: u64,
    pub error_count: u64,
    /// The first errors in line order (line 1 is the header; 0 = the whole file).
    pub errors: Vec<ImportErrorView>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportErrorView {
    pub line: u64,
    pub reason: String,
}

impl From<FileImport> for ImportView {
    fn from(i: FileImport) -> Self {
        Self {
            id: i.id,
            file_id: i.file_id,
            user_type: i.user_type.as_str().to_owned(),
            status: i.status.as_str().to_owned(),
            rows_read: i.rows_read,
            error_count: i.error_count,
            errors: i
                .errors
                .into_iter()
                .map(|e| ImportErrorView {
                    line: e.line,
                    reason: e.reason,
                })
                .collect(),
            created_at: i.created_at,
        }
    }
}

/// A channel's customer files with their counts, oldest first.
#[utoipa::path(get, path = "/admin/api/v1/channels/{public_id}/customer-files", tag = "customer files",
    params(("public_id" = String, Path)),
    responses((status = 200, body = Vec<CustomerFileView>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<ApiState>,
    channel: ChannelPath,
) -> Result<Json<Vec<CustomerFileView>>, ControlError> {
    let files = state.services.channel_customer_files(&channel).await?;
    Ok(Json(files.into_iter().map(Into::into).collect()))
}

/// One customer file with its counts.
#[utoipa::path(get, path = "/admin/api/v1/customer-files/{file_id}", tag = "customer files",
    params(("file_id" = i64, Path)), responses((status = 200, body = CustomerFileView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<ApiState>,
    FilePath(file): FilePath,
) -> Result<Json<CustomerFileView>, ControlError> {
    Ok(Json(state.services.customer_file(file).await?.into()))
}

/// Delete a customer file with all its rows and import reports.
#[utoipa::path(delete, path = "/admin/api/v1/customer-files/{file_id}", tag = "customer files",
    params(("file_id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<ApiState>,
    FilePath(file): FilePath,
) -> Result<StatusCode, ControlError> {
    state.services.delete_customer_file(file).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A page of a file's rows, in the order they were first added.
#[utoipa::path(get, path = "/admin/api/v1/customer-files/{file_id}/rows", tag = "customer files",
    params(("file_id" = i64, Path), PageParams),
    responses((status = 200, body = ListResponse<FileRowView>), (status = 404, body = ErrorBody)))]
pub async fn rows(
    State(state): State<ApiState>,
    FilePath(file): FilePath,
    Paging(page): Paging,
) -> Result<Json<ListResponse<FileRowView>>, ControlError> {
    let rows = state.services.customer_file_rows(file, page).await?;
    Ok(Json(rows.map(FileRowView::from).into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// `app` (the id column holds app user ids) or `phone` (phone numbers).
    pub user_type: String,
}

/// Import a CSV into the file: a header naming the id column (`id`, `user_id`,
/// `app_user_id`, `phone` or `phone_number`) and schema fields, then one user per line.
/// The body is streamed, never held whole. All or nothing: 201 when every row was
/// written, 422 with the per-line errors when none was. Both leave a report at
/// `/customer-file-imports/{id}`.
#[utoipa::path(post, path = "/admin/api/v1/customer-files/{file_id}/imports", tag = "customer files",
    params(("file_id" = i64, Path), ImportParams),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportView), (status = 422, body = ImportView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn import(
    State(state): State<ApiState>,
    FilePath(file): FilePath,
    params: Result<Query<ImportParams>, axum::extract::rejection::QueryRejection>,
    body: Body,
) -> Result<Response, ControlError> {
    let Query(params) = params.map_err(|_| {
        ControlError::invalid("user_type", "add ?user_type=app or ?user_type=phone")
    })?;
    let user_type = UserType::parse(&params.user_type)
        .ok_or_else(|| ControlError::invalid("user_type", "user_type must be `app` or `phone`"))?;
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    let reader = SyncIoBridge::new(StreamReader::new(stream));
    let report = state
        .services
        .import_customer_file_csv(file, user_type, reader)
        .await?;
    let status = match report.status {
        ImportStatus::Applied => StatusCode::CREATED,
        ImportStatus::Rejected => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let location = format!("/admin/api/v1/customer-file-imports/{}", report.id);
    Ok((
        status,
        [(header::LOCATION, location)],
        Json(ImportView::from(report)),
    )
        .into_response())
}

/// Read back an import's report.
#[utoipa::path(get, path = "/admin/api/v1/customer-file-imports/{import_id}", tag = "customer files",
    params(("import_id" = i64, Path)), responses((status = 200, body = ImportView), (status = 404, body = ErrorBody)))]
pub async fn import_report(
    State(state): State<ApiState>,
    ImportPath(id): ImportPath,
) -> Result<Json<ImportView>, ControlError> {
    Ok(Json(state.services.file_import(id).await?.into()))
}
