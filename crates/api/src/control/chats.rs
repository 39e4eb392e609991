//! An account's chat with a channel (the messages delivered to it, newest first), marking
//! it read, and the tracked redirect behind every button (`GET /m/{message}/{button}`).

use super::extract::QueryParams;
use super::path::{AccountPath, ButtonPath, ChannelPath, MessagePath};
use super::{ControlError, ErrorBody};
use crate::ApiState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use talkchannel_domain::message::MessageContent;
use talkchannel_service::DEFAULT_CHAT_LIMIT;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChatParams {
    /// Messages per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
    /// The `next_before` of the previous page (older messages).
    pub before: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChatButton {
    pub name: String,
    /// The tracked link to open (records the click, then redirects to the button's URL).
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChatMessage {
    pub message_id: i64,
    pub sent_at: Option<DateTime<Utc>>,
    pub ad: bool,
    #[schema(value_type = Object)]
    pub content: MessageContent,
    pub buttons: Vec<ChatButton>,
    /// Set on test sends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_of: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChatPage {
    /// Newest first.
    pub items: Vec<ChatMessage>,
    /// Pass as `before` for older messages; absent when there are none.
    pub next_before: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReadView {
    /// Messages now counted as read by this account.
    pub marked: usize,
}

/// The account's chat with the channel: the messages delivered to it, newest first.
#[utoipa::path(get, path = "/admin/api/v1/channels/{public_id}/chats/{account_id}/messages", tag = "messages",
    params(("public_id" = String, Path), ("account_id" = i64, Path), ChatParams),
    responses((status = 200, body = ChatPage), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn messages(
    State(state): State<ApiState>,
    channel: ChannelPath,
    AccountPath(account): AccountPath,
    QueryParams(params): QueryParams<ChatParams>,
) -> Result<Json<ChatPage>, ControlError> {
    // The service checks the limit's range.
    let limit = params.limit.unwrap_or(DEFAULT_CHAT_LIMIT);
    let found = state
        .services
        .chat(&channel, account, params.before, limit)
        .await?;
    let next_before = if found.len() == limit as usize {
        found.last().and_then(|m| m.delivery_seq)
    } else {
        None
    };
    let mut items = Vec::with_capacity(found.len());
    for message in found {
        let links = state.services.tracked_links(&message, account).await?;
        items.push(ChatMessage {
            message_id: message.id,
            sent_at: message.sent_at,
            ad: message.body.ad,
            buttons: message
                .body
                .buttons
                .into_iter()
                .zip(links)
                .map(|(b, url)| ChatButton { name: b.name, url })
                .collect(),
            content: message.body.content,
            test_of: message.test_of,
        });
    }
    Ok(Json(ChatPage { items, next_before }))
}

/// The account opened its chat: the messages delivered to it count as read.
#[utoipa::path(post, path = "/admin/api/v1/channels/{public_id}/chats/{account_id}/read", tag = "messages",
    params(("public_id" = String, Path), ("account_id" = i64, Path)),
    responses((status = 200, body = ReadView), (status = 404, body = ErrorBody)))]
pub async fn read(
    State(state): State<ApiState>,
    channel: ChannelPath,
    AccountPath(account): AccountPath,
) -> Result<Json<ReadView>, ControlError> {
    let marked = state.services.mark_chat_read(&channel, account).await?;
    Ok(Json(ReadView { marked }))
}

#[derive(Debug, Deserialize)]
pub struct ClickParams {
    a: i64,
    t: String,
}

/// A tracked button link: records the click and redirects (302) to the button's URL.
/// Links are signed per message, button and account; a forged one is a 404.
pub async fn click(
    State(state): State<ApiState>,
    MessagePath(message): MessagePath,
    ButtonPath(button): ButtonPath,
    QueryParams(params): QueryParams<ClickParams>,
) -> Result<Response, ControlError> {
    let url = state
        .services
        .click(message, button, params.a, &params.t)
        .await?;
    Ok((StatusCode::FOUND, [(header::LOCATION, url)]).into_response())
}
