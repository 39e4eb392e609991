use super::extract::{JsonBody, PageParams, Paging};
use super::path::AppPath;
use super::{ControlError, ErrorBody, ListResponse};
use crate::ApiState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use talkchannel_domain::{App, KeyKind};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppInput {
    #[schema(example = "My Shop")]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppView {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub keys: AppKeysView,
}

/// The app's keys, named as the Kakao developer console names them.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppKeysView {
    pub rest_api_key: Option<String>,
    pub javascript_key: Option<String>,
    pub native_app_key: Option<String>,
    /// The primary admin key: the one webhooks carry.
    pub admin_key: Option<String>,
    pub admin_keys: Vec<AdminKeyView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminKeyView {
    pub key: String,
    pub primary: bool,
    pub created_at: DateTime<Utc>,
}

impl From<App> for AppView {
    fn from(app: App) -> Self {
        let key = |kind| app.key(kind).map(|k| k.key.clone());
        let keys = AppKeysView {
            rest_api_key: key(KeyKind::RestApi),
            javascript_key: key(KeyKind::JavaScript),
            native_app_key: key(KeyKind::Native),
            admin_key: app.primary_admin_key().map(|k| k.key.clone()),
            admin_keys: app
                .keys
                .iter()
                .filter(|k| k.kind == KeyKind::Admin)
                .map(|k| AdminKeyView {
                    key: k.key.clone(),
                    primary: k.primary,
                    created_at: k.created_at,
                })
                .collect(),
        };
        Self {
            id: app.id,
            name: app.name,
            created_at: app.created_at,
            keys,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminKeyInput {
    /// Make the new key the primary admin key (default false).
    #[serde(default)]
    pub primary: bool,
}

/// Register an app; it gets one key of each kind.
#[utoipa::path(post, path = "/admin/api/v1/apps", tag = "apps", request_body = AppInput,
    responses((status = 201, body = AppView), (status = 400, body = ErrorBody)))]
pub async fn create(
    State(state): State<ApiState>,
    JsonBody(input): JsonBody<AppInput>,
) -> Result<(StatusCode, Json<AppView>), ControlError> {
    let app = state.services.create_app(&input.name).await?;
    Ok((StatusCode::CREATED, Json(app.into())))
}

/// Read one app with all its keys.
#[utoipa::path(get, path = "/admin/api/v1/apps/{app_id}", tag = "apps", params(("app_id" = i64, Path)),
    responses((status = 200, body = AppView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<ApiState>,
    AppPath(id): AppPath,
) -> Result<Json<AppView>, ControlError> {
    Ok(Json(state.services.app(id).await?.into()))
}

/// List apps, oldest first.
#[utoipa::path(get, path = "/admin/api/v1/apps", tag = "apps", params(PageParams), responses((status = 200, body = ListResponse<AppView>)))]
pub async fn list(
    State(state): State<ApiState>,
    Paging(page): Paging,
) -> Result<Json<ListResponse<AppView>>, ControlError> {
    Ok(Json(
        state.services.apps(page).await?.map(AppView::from).into(),
    ))
}

/// Add an admin key (to rotate keys without downtime).
#[utoipa::path(post, path = "/admin/api/v1/apps/{app_id}/admin-keys", tag = "apps", params(("app_id" = i64, Path)),
    request_body = AdminKeyInput, responses((status = 201, body = AppView), (status = 404, body = ErrorBody)))]
pub async fn add_admin_key(
    State(state): State<ApiState>,
    AppPath(id): AppPath,
    JsonBody(input): JsonBody<AdminKeyInput>,
) -> Result<(StatusCode, Json<AppView>), ControlError> {
    let app = state.services.add_admin_key(id, input.primary).await?;
    Ok((StatusCode::CREATED, Json(app.into())))
}
