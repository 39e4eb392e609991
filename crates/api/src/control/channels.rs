use super::extract::{JsonBody, PageParams, Paging};
use super::path::{AppPath, ChannelPath};
use super::{ControlError, ErrorBody, ListResponse};
use crate::ApiState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use talkchannel_domain::{Channel, ChannelStatus};
use talkchannel_service::{ChannelChange, ChannelRequest};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelInput {
    #[schema(example = "Coffee Shop")]
    pub name: String,
    /// `_` + letters/digits; generated (`_` + 6 characters) when absent.
    #[schema(example = "_ZeUTxl")]
    pub public_id: Option<String>,
    /// `@name`; derived from the name, or generated, when absent.
    #[schema(example = "@coffeeshop")]
    pub search_id: Option<String>,
    /// `active` (default) or `sanctioned`.
    pub status: Option<String>,
    /// IANA time zone name; ad quiet hours (20:00-08:00) are read on its clock.
    #[schema(example = "Asia/Seoul")]
    pub time_zone: Option<String>,
}

/// What to change; at least one of the two.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelPatch {
    /// `active` or `sanctioned`.
    pub status: Option<String>,
    /// IANA time zone name, such as `Asia/Seoul` or `America/New_York`.
    #[schema(example = "Asia/Seoul")]
    pub time_zone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelView {
    pub public_id: String,
    /// Reported by the Kakao API as `channel_uuid`.
    pub search_id: String,
    pub name: String,
    pub status: String,
    /// IANA time zone (default `Asia/Seoul`): ad quiet hours are read on its clock.
    #[schema(example = "Asia/Seoul")]
    pub time_zone: String,
    pub created_at: DateTime<Utc>,
}

impl From<Channel> for ChannelView {
    fn from(c: Channel) -> Self {
        Self {
            public_id: c.public_id.to_string(),
            search_id: c.search_id.to_string(),
            name: c.name,
            status: c.status.as_str().to_owned(),
            time_zone: c.time_zone.to_string(),
            created_at: c.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionView {
    pub app_id: i64,
    pub channel: ChannelView,
    /// False when the two were already connected.
    pub newly_connected: bool,
}

fn parse_status(raw: &str) -> Result<ChannelStatus, ControlError> {
    ChannelStatus::parse(raw)
        .ok_or_else(|| ControlError::invalid("status", "status must be `active` or `sanctioned`"))
}

/// Create a channel.
#[utoipa::path(post, path = "/admin/api/v1/channels", tag = "channels", request_body = ChannelInput,
    responses((status = 201, body = ChannelView), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(state): State<ApiState>,
    JsonBody(input): JsonBody<ChannelInput>,
) -> Result<(StatusCode, Json<ChannelView>), ControlError> {
    let status = input.status.as_deref().map(parse_status).transpose()?;
    let req = ChannelRequest {
        name: input.name,
        public_id: input.public_id,
        search_id: input.search_id,
        status,
        time_zone: input.time_zone,
    };
    Ok((
        StatusCode::CREATED,
        Json(state.services.create_channel(&req).await?.into()),
    ))
}

/// Read one channel.
#[utoipa::path(get, path = "/admin/api/v1/channels/{public_id}", tag = "channels", params(("public_id" = String, Path)),
    responses((status = 200, body = ChannelView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<ApiState>,
    id: ChannelPath,
) -> Result<Json<ChannelView>, ControlError> {
    Ok(Json(state.services.channel(&id).await?.into()))
}

/// List channels, oldest first.
#[utoipa::path(get, path = "/admin/api/v1/channels", tag = "channels", params(PageParams), responses((status = 200, body = ListResponse<ChannelView>)))]
pub async fn list(
    State(state): State<ApiState>,
    Paging(page): Paging,
) -> Result<Json<ListResponse<ChannelView>>, ControlError> {
    Ok(Json(
        state
            .services
            .channels(page)
            .await?
            .map(ChannelView::from)
            .into(),
    ))
}

/// Change a channel's status (sanction it, or lift the sanction) and/or its time zone.
/// Both are checked before either is written.
#[utoipa::path(patch, path = "/admin/api/v1/channels/{public_id}", tag = "channels", params(("public_id" = String, Path)),
    request_body = ChannelPatch, responses((status = 200, body = ChannelView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn patch(
    State(state): State<ApiState>,
    id: ChannelPath,
    JsonBody(input): JsonBody<ChannelPatch>,
) -> Result<Json<ChannelView>, ControlError> {
    let change = ChannelChange {
        status: input.status.as_deref().map(parse_status).transpose()?,
        time_zone: input.time_zone,
    };
    let channel = state.services.change_channel(&id, &change).await?;
    Ok(Json(channel.into()))
}

/// Connect a channel to an app, so the app's keys can ask about it.
#[utoipa::path(put, path = "/admin/api/v1/apps/{app_id}/channels/{public_id}", tag = "channels",
    params(("app_id" = i64, Path), ("public_id" = String, Path)),
    responses((status = 201, body = ConnectionView), (status = 200, body = ConnectionView, description = "already connected"), (status = 404, body = ErrorBody)))]
pub async fn connect(
    State(state): State<ApiState>,
    AppPath(app): AppPath,
    id: ChannelPath,
) -> Result<(StatusCode, Json<ConnectionView>), ControlError> {
    let newly_connected = state.services.connect_channel(app, &id).await?;
    let channel = state.services.channel(&id).await?.into();
    let status = if newly_connected {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(ConnectionView {
            app_id: app,
            channel,
            newly_connected,
        }),
    ))
}

/// Disconnect a channel from an app.
#[utoipa::path(delete, path = "/admin/api/v1/apps/{app_id}/channels/{public_id}", tag = "channels",
    params(("app_id" = i64, Path), ("public_id" = String, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn disconnect(
    State(state): State<ApiState>,
    AppPath(app): AppPath,
    id: ChannelPath,
) -> Result<StatusCode, ControlError> {
    if state.services.disconnect_channel(app, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ControlError::not_found(format!(
            "channel `{id}` is not connected to app {app}"
        )))
    }
}

/// The channels connected to an app, in the order they were connected.
#[utoipa::path(get, path = "/admin/api/v1/apps/{app_id}/channels", tag = "channels", params(("app_id" = i64, Path)),
    responses((status = 200, body = ListResponse<ChannelView>), (status = 404, body = ErrorBody)))]
pub async fn connected(
    State(state): State<ApiState>,
    AppPath(app): AppPath,
) -> Result<Json<ListResponse<ChannelView>>, ControlError> {
    let channels = state.services.connected_channels(app).await?;
    Ok(Json(ListResponse {
        items: channels.into_iter().map(ChannelView::from).collect(),
        next_cursor: None,
    }))
}
