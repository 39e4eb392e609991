//! Friend groups of a channel: CRUD, and live audience counts for a saved group or for an
//! unsaved tree (what the Admin Center shows while an admin edits one).

use super::extract::{JsonBody, PageParams, Paging};
use super::path::{ChannelPath, GroupPath};
use super::{ControlError, ErrorBody, ListResponse};
use crate::ApiState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use talkchannel_domain::FriendGroup;
use talkchannel_service::Counts;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupBody {
    /// 1 to 100 characters, unique in the channel.
    pub name: String,
    /// The condition tree (see docs/friend-groups.md), e.g.
    /// `{"and": [{"profile": "gender", "op": "equals", "value": "female"}, ...]}`.
    #[schema(value_type = Object)]
    pub tree: serde_json::Value,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TreeBody {
    #[schema(value_type = Object)]
    pub tree: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupView {
    pub id: i64,
    pub name: String,
    /// The tree in canonical form (operators as validated and normalised).
    #[schema(value_type = Object)]
    pub tree: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<FriendGroup> for GroupView {
    fn from(g: FriendGroup) -> Self {
        Self {
            id: g.id,
            name: g.name,
            tree: g.tree,
            created_at: g.created_at,
            updated_at: g.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountView {
    /// Matching accounts that hold a row in any of the channel's customer files.
    pub registered: u64,
    /// Matching accounts that are friends of the channel now (the group's members).
    pub friends: u64,
}

impl From<Counts> for CountView {
    fn from(c: Counts) -> Self {
        Self {
            registered: c.registered,
            friends: c.friends,
        }
    }
}

/// Create a friend group.
#[utoipa::path(post, path = "/admin/api/v1/channels/{public_id}/groups", tag = "friend groups",
    params(("public_id" = String, Path)), request_body = GroupBody,
    responses((status = 201, body = GroupView), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(state): State<ApiState>,
    channel: ChannelPath,
    JsonBody(body): JsonBody<GroupBody>,
) -> Result<Response, ControlError> {
    let group = state
        .services
        .create_friend_group(&channel, &body.name, &body.tree)
        .await?;
    let location = format!("/admin/api/v1/channels/{channel}/groups/{}", group.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(GroupView::from(group)),
    )
        .into_response())
}

/// The channel's friend groups, in creation order.
#[utoipa::path(get, path = "/admin/api/v1/channels/{public_id}/groups", tag = "friend groups",
    params(("public_id" = String, Path), PageParams),
    responses((status = 200, body = ListResponse<GroupView>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<ApiState>,
    channel: ChannelPath,
    Paging(page): Paging,
) -> Result<Json<ListResponse<GroupView>>, ControlError> {
    let groups = state.services.friend_groups(&channel, page).await?;
    Ok(Json(groups.map(GroupView::from).into()))
}

/// One friend group.
#[utoipa::path(get, path = "/admin/api/v1/channels/{public_id}/groups/{group_id}", tag = "friend groups",
    params(("public_id" = String, Path), ("group_id" = i64, Path)),
    responses((status = 200, body = GroupView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<ApiState>,
    channel: ChannelPath,
    GroupPath(group): GroupPath,
) -> Result<Json<GroupView>, ControlError> {
    let group = state.services.friend_group(&channel, group).await?;
    Ok(Json(group.into()))
}

/// Replace a group's name and tree.
#[utoipa::path(put, path = "/admin/api/v1/channels/{public_id}/groups/{group_id}", tag = "friend groups",
    params(("public_id" = String, Path), ("group_id" = i64, Path)), request_body = GroupBody,
    responses((status = 200, body = GroupView), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    State(state): State<ApiState>,
    channel: ChannelPath,
    GroupPath(group): GroupPath,
    JsonBody(body): JsonBody<GroupBody>,
) -> Result<Json<GroupView>, ControlError> {
    let group = state
        .services
        .update_friend_group(&channel, group, &body.name, &body.tree)
        .await?;
    Ok(Json(group.into()))
}

/// Delete a friend group.
#[utoipa::path(delete, path = "/admin/api/v1/channels/{public_id}/groups/{group_id}", tag = "friend groups",
    params(("public_id" = String, Path), ("group_id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<ApiState>,
    channel: ChannelPath,
    GroupPath(group): GroupPath,
) -> Result<StatusCode, ControlError> {
    state.services.delete_friend_group(&channel, group).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Count the audience of a saved group, as of now.
#[utoipa::path(get, path = "/admin/api/v1/channels/{public_id}/groups/{group_id}/count", tag = "friend groups",
    params(("public_id" = String, Path), ("group_id" = i64, Path)),
    responses((status = 200, body = CountView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn count(
    State(state): State<ApiState>,
    channel: ChannelPath,
    GroupPath(group): GroupPath,
) -> Result<Json<CountView>, ControlError> {
    let counts = state.services.count_group(&channel, group).await?;
    Ok(Json(counts.into()))
}

/// Count the audience of an unsaved tree (nothing is stored).
#[utoipa::path(post, path = "/admin/api/v1/channels/{public_id}/groups/count", tag = "friend groups",
    params(("public_id" = String, Path)), request_body = TreeBody,
    responses((status = 200, body = CountView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn count_tree(
    State(state): State<ApiState>,
    channel: ChannelPath,
    JsonBody(body): JsonBody<TreeBody>,
) -> Result<Json<CountView>, ControlError> {
    let counts = state.services.count_tree(&channel, &body.tree).await?;
    Ok(Json(counts.into()))
}
