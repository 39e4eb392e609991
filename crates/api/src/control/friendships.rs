use super::extract::{PageParams, Paging};
use super::path::{AccountPath, ActionPath, ChannelPath};
use super::{ControlError, ErrorBody, ListResponse};
use crate::ApiState;
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use talkchannel_domain::{ChangeSource, Friendship, FriendshipLogEntry, Relation};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct FriendshipView {
    pub channel_public_id: String,
    pub account_id: i64,
    /// `ADDED`, `BLOCKED` or `NONE`.
    pub relation: String,
    pub first_added_at: Option<DateTime<Utc>>,
    /// Absent when the account never added nor blocked the channel.
    pub updated_at: Option<DateTime<Utc>>,
}

impl FriendshipView {
    fn new(channel: &str, account: i64, f: Option<Friendship>) -> Self {
        Self {
            channel_public_id: channel.to_owned(),
            account_id: account,
            relation: f
                .as_ref()
                .map_or(Relation::None, |f| f.relation)
                .as_str()
                .to_owned(),
            first_added_at: f.as_ref().and_then(|f| f.first_added_at),
            updated_at: f.map(|f| f.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeView {
    /// False when the account was already where the action leads (nothing was written).
    pub changed: bool,
    pub friendship: FriendshipView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogEntryView {
    pub seq: i64,
    pub action: String,
    pub from: String,
    pub to: String,
    pub source: String,
    pub at: DateTime<Utc>,
}

impl From<FriendshipLogEntry> for LogEntryView {
    fn from(e: FriendshipLogEntry) -> Self {
        Self {
            seq: e.seq,
            action: e.action.as_str().to_owned(),
            from: e.from.as_str().to_owned(),
            to: e.to.as_str().to_owned(),
            source: e.source.as_str().to_owned(),
            at: e.at,
        }
    }
}

/// Make an account add, block or unblock a channel. Idempotent: repeating an action
/// changes nothing. Adding a sanctioned channel is refused.
#[utoipa::path(post, path = "/admin/api/v1/channels/{public_id}/friendships/{account_id}/{action}", tag = "friendships",
    params(("public_id" = String, Path), ("account_id" = i64, Path), ("action" = String, Path, description = "`add`, `block` or `unblock`")),
    responses((status = 200, body = ChangeView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn change(
    State(state): State<ApiState>,
    channel: ChannelPath,
    AccountPath(account): AccountPath,
    ActionPath(action): ActionPath,
) -> Result<Json<ChangeView>, ControlError> {
    let outcome = state
        .services
        .change_friendship(account, &channel, action, ChangeSource::ControlApi)
        .await?;
    Ok(Json(ChangeView {
        changed: outcome.logged.is_some(),
        friendship: FriendshipView::new(&channel, account, outcome.friendship),
    }))
}

/// Read an account's friendship with a channel.
#[utoipa::path(get, path = "/admin/api/v1/channels/{public_id}/friendships/{account_id}", tag = "friendships",
    params(("public_id" = String, Path), ("account_id" = i64, Path)), responses((status = 200, body = FriendshipView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<ApiState>,
    channel: ChannelPath,
    AccountPath(account): AccountPath,
) -> Result<Json<FriendshipView>, ControlError> {
    let friendship = state.services.friendship(account, &channel).await?;
    Ok(Json(FriendshipView::new(&channel, account, friendship)))
}

/// Every transition of an account's friendship with a channel, oldest first.
#[utoipa::path(get, path = "/admin/api/v1/channels/{public_id}/friendships/{account_id}/log", tag = "friendships",
    params(("public_id" = String, Path), ("account_id" = i64, Path), PageParams),
    responses((status = 200, body = ListResponse<LogEntryView>), (status = 404, body = ErrorBody)))]
pub async fn log(
    State(state): State<ApiState>,
    channel: ChannelPath,
    AccountPath(account): AccountPath,
    Paging(page): Paging,
) -> Result<Json<ListResponse<LogEntryView>>, ControlError> {
    let log = state
        .services
        .friendship_log(account, &channel, page)
        .await?;
    Ok(Json(log.map(LogEntryView::from).into()))
}
