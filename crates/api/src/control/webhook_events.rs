//! The outbox as operators see it: events with their state, the delivery log, replays.

use super::extract::{PageParams, Paging};
use super::path::{AppPath, EventPath};
use super::{ControlError, ErrorBody, ListResponse};
use crate::ApiState;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use talkchannel_store::{LoggedAttempt, WebhookEvent, WebhookEventState};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEventView {
    pub id: i64,
    /// The `X-Kakao-Resource-ID` every attempt of this event carries.
    pub resource_id: String,
    /// `added` or `blocked`.
    pub event: String,
    pub channel_public_id: String,
    pub account_id: i64,
    /// The app user id when the account had granted `plusfriends`.
    pub user_id: Option<i64>,
    pub updated_at: DateTime<Utc>,
    /// `pending`, `delivered` or `dead`.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
}

impl From<WebhookEvent> for WebhookEventView {
    fn from(e: WebhookEvent) -> Self {
        Self {
            id: e.id,
            resource_id: e.resource_id,
            event: e.kind.as_str().to_owned(),
            channel_public_id: e.channel_public_id,
            account_id: e.account_id,
            user_id: e.user_id,
            updated_at: e.occurred_at,
            state: e.state.as_str().to_owned(),
            attempts: e.attempts,
            next_attempt_at: e.next_attempt_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    pub seq: i64,
    pub event_id: i64,
    pub resource_id: String,
    pub at: DateTime<Utc>,
    /// The receiver's HTTP status; absent when no answer came.
    pub status: Option<u16>,
    pub latency_ms: i64,
    pub error: Option<String>,
}

impl From<LoggedAttempt> for DeliveryView {
    fn from(a: LoggedAttempt) -> Self {
        Self {
            seq: a.seq,
            event_id: a.attempt.event_id,
            resource_id: a.resource_id,
            at: a.attempt.at,
            status: a.attempt.status,
            latency_ms: a.attempt.latency_ms,
            error: a.attempt.error,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StateParam {
    /// Only events in this state: `pending`, `delivered` or `dead`.
    pub state: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReplayedView {
    pub replayed: u64,
}

/// List the app's webhook events, oldest first.
#[utoipa::path(get, path = "/admin/api/v1/apps/{app_id}/webhook/events", tag = "webhooks",
    params(("app_id" = i64, Path), StateParam, PageParams),
    responses((status = 200, body = ListResponse<WebhookEventView>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<ApiState>,
    AppPath(id): AppPath,
    Paging(page): Paging,
    uri: Uri,
) -> Result<Json<ListResponse<WebhookEventView>>, ControlError> {
    let filter = Query::<StateParam>::try_from_uri(&uri)
        .map_err(|e| ControlError::invalid("state", e.body_text()))?;
    let wanted = match filter.state.as_deref() {
        None => None,
        Some(s) => Some(WebhookEventState::parse(s).ok_or_else(|| {
            ControlError::invalid("state", "state must be `pending`, `delivered` or `dead`")
        })?),
    };
    let events = state.services.webhook_events(id, wanted, page).await?;
    Ok(Json(events.map(WebhookEventView::from).into()))
}

/// The delivery log: every attempt (time, status, latency, error), oldest first.
#[utoipa::path(get, path = "/admin/api/v1/apps/{app_id}/webhook/deliveries", tag = "webhooks",
    params(("app_id" = i64, Path), PageParams),
    responses((status = 200, body = ListResponse<DeliveryView>), (status = 404, body = ErrorBody)))]
pub async fn deliveries(
    State(state): State<ApiState>,
    AppPath(id): AppPath,
    Paging(page): Paging,
) -> Result<Json<ListResponse<DeliveryView>>, ControlError> {
    let attempts = state.services.webhook_attempts(id, page).await?;
    Ok(Json(attempts.map(DeliveryView::from).into()))
}

/// Send one event again now, with its resource id, whatever its state.
#[utoipa::path(post, path = "/admin/api/v1/apps/{app_id}/webhook/events/{event_id}/replay", tag = "webhooks",
    params(("app_id" = i64, Path), ("event_id" = i64, Path)),
    responses((status = 200, body = WebhookEventView), (status = 404, body = ErrorBody)))]
pub async fn replay(
    State(state): State<ApiState>,
    AppPath(app): AppPath,
    EventPath(event): EventPath,
) -> Result<Json<WebhookEventView>, ControlError> {
    let event = state.services.replay_webhook_event(app, event).await?;
    Ok(Json(event.into()))
}

/// Send every dead-lettered event of the app again.
#[utoipa::path(post, path = "/admin/api/v1/apps/{app_id}/webhook/events/replay-dead", tag = "webhooks",
    params(("app_id" = i64, Path)),
    responses((status = 200, body = ReplayedView), (status = 404, body = ErrorBody)))]
pub async fn replay_dead(
    State(state): State<ApiState>,
    AppPath(id): AppPath,
) -> Result<Json<ReplayedView>, ControlError> {
    let replayed = state.services.replay_dead_webhook_events(id).await?;
    Ok(Json(ReplayedView { replayed }))
}
