//! Channel messages: create (draft or scheduled), read, list, send now, cancel, test send
//! and statistics. Create and send take an optional `Idempotency-Key` header.

use super::extract::{JsonBody, PageParams, Paging};
use super::path::{ChannelPath, MessagePath};
use super::{ControlError, ErrorBody, ListResponse};
use crate::ApiState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use talkchannel_domain::message::{Button, MessageContent};
use talkchannel_domain::{Message, MessageBody, Target};
use talkchannel_service::{MessageRequest, MessageStats, Outcome};
use utoipa::ToSchema;

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageBodyWire {
    /// `{"type": "text", "text": "..."}`, or `image`, `wide_image`, `wide_list`,
    /// `commerce`, `carousel` (fields and limits in docs/messages.md).
    #[schema(value_type = Object)]
    pub content: MessageContent,
    /// At most 2 web links: `[{"name": "Open", "url": "https://..."}]`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub buttons: Vec<Button>,
    /// Ads must start with "(광고)" and are refused in quiet hours (20:00-08:00 in the
    /// channel's `time_zone`, Asia/Seoul by default).
    #[serde(default)]
    pub ad: bool,
    /// `{"kind": "all_friends"}` or `{"kind": "group", "group_id": 7}`.
    #[schema(value_type = Object)]
    pub target: Target,
    /// Send at this time (RFC 3339, in the future) instead of keeping a draft.
    pub scheduled_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub id: i64,
    /// `draft`, `scheduled`, `sent` or `cancelled`.
    pub state: String,
    #[schema(value_type = Object)]
    pub content: MessageContent,
    #[schema(value_type = Vec<Object>)]
    pub buttons: Vec<Button>,
    pub ad: bool,
    #[schema(value_type = Object)]
    pub target: Target,
    pub scheduled_at: Option<DateTime<Utc>>,
    /// Set on test sends: the message this is a copy of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_of: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Accounts in the recipient set fixed at send time.
    pub recipients: Option<u64>,
}

impl From<Message> for MessageView {
    fn from(m: Message) -> Self {
        Self {
            id: m.id,
            state: m.state.as_str().to_owned(),
            content: m.body.content,
            buttons: m.body.buttons,
            ad: m.body.ad,
            target: m.target,
            scheduled_at: m.scheduled_at,
            test_of: m.test_of,
            created_at: m.created_at,
            updated_at: m.updated_at,
            sent_at: m.sent_at,
            recipients: m.recipients,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatsView {
    pub targeted: u64,
    pub delivered: u64,
    pub read: u64,
    pub clicked: u64,
    /// Recipients who blocked the channel after delivery.
    pub blocked: u64,
}

impl From<MessageStats> for StatsView {
    fn from(s: MessageStats) -> Self {
        Self {
            targeted: s.targeted,
            delivered: s.delivered,
            read: s.read,
            clicked: s.clicked,
            blocked: s.blocked,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestSendBody {
    /// 1 to 10 accounts that get a copy now.
    pub account_ids: Vec<i64>,
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, ControlError> {
    headers
        .get(IDEMPOTENCY_KEY)
        .map(|v| {
            v.to_str().map_err(|_| {
                ControlError::invalid("Idempotency-Key", "the key must be visible ASCII")
            })
        })
        .transpose()
}

fn answer(outcome: Outcome, created: StatusCode, location: Option<String>) -> Response {
    let status = if outcome.replayed {
        StatusCode::OK
    } else {
        created
    };
    let mut response = (status, Json(MessageView::from(outcome.message))).into_response();
    if let Some(location) = location.and_then(|l| l.parse().ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    if outcome.replayed {
        response.headers_mut().insert(
            "idempotent-replayed",
            header::HeaderValue::from_static("true"),
        );
    }
    response
}

/// Create a message: a draft, or a scheduled send when `scheduled_at` is given.
#[utoipa::path(post, path = "/admin/api/v1/channels/{public_id}/messages", tag = "messages",
    params(("public_id" = String, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "same key and body: the same message again (200)")),
    request_body = MessageBodyWire,
    responses((status = 201, body = MessageView), (status = 200, body = MessageView),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn create(
    State(state): State<ApiState>,
    channel: ChannelPath,
    headers: HeaderMap,
    JsonBody(body): JsonBody<MessageBodyWire>,
) -> Result<Response, ControlError> {
    let request = MessageRequest {
        body: MessageBody {
            content: body.content,
            buttons: body.buttons,
            ad: body.ad,
        },
        target: body.target,
        scheduled_at: body.scheduled_at,
    };
    let outcome = state
        .services
        .create_message(&channel, &request, idempotency_key(&headers)?)
        .await?;
    let location = format!(
        "/admin/api/v1/channels/{channel}/messages/{}",
        outcome.message.id
    );
    Ok(answer(outcome, StatusCode::CREATED, Some(location)))
}

/// The channel's messages (test sends left out), in creation order.
#[utoipa::path(get, path = "/admin/api/v1/channels/{public_id}/messages", tag = "messages",
    params(("public_id" = String, Path), PageParams),
    responses((status = 200, body = ListResponse<MessageView>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<ApiState>,
    channel: ChannelPath,
    Paging(page): Paging,
) -> Result<Json<ListResponse<MessageView>>, ControlError> {
    let messages = state.services.messages(&channel, page).await?;
    Ok(Json(messages.map(MessageView::from).into()))
}

/// One message.
#[utoipa::path(get, path = "/admin/api/v1/channels/{public_id}/messages/{message_id}", tag = "messages",
    params(("public_id" = String, Path), ("message_id" = i64, Path)),
    responses((status = 200, body = MessageView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<ApiState>,
    channel: ChannelPath,
    MessagePath(id): MessagePath,
) -> Result<Json<MessageView>, ControlError> {
    let message = state.services.message(&channel, id).await?;
    Ok(Json(message.into()))
}

/// Send a draft or scheduled message now: its recipients are fixed and it is delivered
/// to each exactly once. Retry with the same `Idempotency-Key` to get the same answer.
#[utoipa::path(post, path = "/admin/api/v1/channels/{public_id}/messages/{message_id}/send", tag = "messages",
    params(("public_id" = String, Path), ("message_id" = i64, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "a retry with the same key answers the same (200)")),
    responses((status = 200, body = MessageView), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn send(
    State(state): State<ApiState>,
    channel: ChannelPath,
    MessagePath(id): MessagePath,
    headers: HeaderMap,
) -> Result<Response, ControlError> {
    let outcome = state
        .services
        .send_message(&channel, id, idempotency_key(&headers)?)
        .await?;
    Ok(answer(outcome, StatusCode::OK, None))
}

/// Cancel a draft or scheduled message.
#[utoipa::path(post, path = "/admin/api/v1/channels/{public_id}/messages/{message_id}/cancel", tag = "messages",
    params(("public_id" = String, Path), ("message_id" = i64, Path)),
    responses((status = 200, body = MessageView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<ApiState>,
    channel: ChannelPath,
    MessagePath(id): MessagePath,
) -> Result<Json<MessageView>, ControlError> {
    let message = state.services.cancel_message(&channel, id).await?;
    Ok(Json(message.into()))
}

/// Send a copy to named accounts now (not counted in statistics).
#[utoipa::path(post, path = "/admin/api/v1/channels/{public_id}/messages/{message_id}/test", tag = "messages",
    params(("public_id" = String, Path), ("message_id" = i64, Path)), request_body = TestSendBody,
    responses((status = 200, body = MessageView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn test_send(
    State(state): State<ApiState>,
    channel: ChannelPath,
    MessagePath(id): MessagePath,
    JsonBody(body): JsonBody<TestSendBody>,
) -> Result<Json<MessageView>, ControlError> {
    let copy = state
        .services
        .test_send(&channel, id, &body.account_ids)
        .await?;
    Ok(Json(copy.into()))
}

/// A message's statistics: targeted, delivered, read, clicked, blocked after delivery.
#[utoipa::path(get, path = "/admin/api/v1/channels/{public_id}/messages/{message_id}/stats", tag = "messages",
    params(("public_id" = String, Path), ("message_id" = i64, Path)),
    responses((status = 200, body = StatsView), (status = 404, body = ErrorBody)))]
pub async fn stats(
    State(state): State<ApiState>,
    channel: ChannelPath,
    MessagePath(id): MessagePath,
) -> Result<Json<StatsView>, ControlError> {
    let stats = state.services.message_stats(&channel, id).await?;
    Ok(Json(stats.into()))
}
