//! Per-app webhook settings: URL, enablement, Kakao's legacy fields, signing and its
//! secret rotation, retry window, pause threshold; resume and a test ping.

use super::extract::JsonBody;
use super::path::AppPath;
use super::{ControlError, ErrorBody};
use crate::ApiState;
use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use talkchannel_service::{WebhookRequest, DEFAULT_PAUSE_THRESHOLD, DEFAULT_RETRY_LIMIT_SECS};
use talkchannel_store::WebhookSettings;
use utoipa::ToSchema;

fn yes() -> bool {
    true
}

fn default_retry_limit() -> i64 {
    DEFAULT_RETRY_LIMIT_SECS
}

fn default_pause_threshold() -> i64 {
    DEFAULT_PAUSE_THRESHOLD
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// Where events are POSTed (`http://` or `https://`).
    #[schema(example = "https://example.com/webhook/kakao-channel")]
    pub url: String,
    /// Default true. A disabled webhook gets no new events; pending ones wait.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Also send `plus_friend_public_id`, `plus_friend_uuid` and `timestamp` (default false).
    #[serde(default)]
    pub legacy_fields: bool,
    /// Sign bodies with HMAC-SHA256 (`X-Talkchannel-Signature`; default false).
    #[serde(default)]
    pub signing: bool,
    /// Seconds an event keeps being retried before it is dead-lettered (default 86400,
    /// at most 604800; 0 = one attempt, as Kakao).
    #[serde(default = "default_retry_limit")]
    pub retry_limit_secs: i64,
    /// Consecutive failures that pause the endpoint (default 1000; 0 = never pause).
    #[serde(default = "default_pause_threshold")]
    pub pause_threshold: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub app_id: i64,
    pub url: String,
    pub enabled: bool,
    pub legacy_fields: bool,
    pub signing: bool,
    /// The secret receivers verify with; absent when signing is off.
    pub signing_secret: Option<String>,
    /// The secret before the last rotation, still signing beside the current one.
    pub previous_signing_secret: Option<String>,
    pub retry_limit_secs: i64,
    pub pause_threshold: i64,
    /// True once failures reached the threshold; `POST .../webhook/resume` clears it.
    pub paused: bool,
    pub consecutive_failures: i64,
    pub updated_at: DateTime<Utc>,
}

impl From<WebhookSettings> for WebhookView {
    fn from(s: WebhookSettings) -> Self {
        Self {
            app_id: s.app_id,
            url: s.url,
            enabled: s.enabled,
            legacy_fields: s.legacy_fields,
            signing: s.signing_secret.is_some(),
            signing_secret: s.signing_secret,
            previous_signing_secret: s.previous_signing_secret,
            retry_limit_secs: s.retry_limit_secs,
            pause_threshold: s.pause_threshold,
            paused: s.paused,
            consecutive_failures: s.consecutive_failures,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PingView {
    /// True when the receiver answered 2xx within 3 seconds.
    pub succeeded: bool,
    pub status: Option<u16>,
    pub latency_ms: i64,
    pub error: Option<String>,
}

/// Read the app's webhook settings.
#[utoipa::path(get, path = "/admin/api/v1/apps/{app_id}/webhook", tag = "webhooks", params(("app_id" = i64, Path)),
    responses((status = 200, body = WebhookView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<ApiState>,
    AppPath(id): AppPath,
) -> Result<Json<WebhookView>, ControlError> {
    Ok(Json(state.services.webhook(id).await?.into()))
}

/// Create or replace the app's webhook settings (secrets and pause state are kept).
#[utoipa::path(put, path = "/admin/api/v1/apps/{app_id}/webhook", tag = "webhooks", params(("app_id" = i64, Path)),
    request_body = WebhookInput, responses((status = 200, body = WebhookView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn put(
    State(state): State<ApiState>,
    AppPath(id): AppPath,
    JsonBody(input): JsonBody<WebhookInput>,
) -> Result<Json<WebhookView>, ControlError> {
    let request = WebhookRequest {
        url: input.url,
        enabled: input.enabled,
        legacy_fields: input.legacy_fields,
        signing: input.signing,
        retry_limit_secs: input.retry_limit_secs,
        pause_threshold: input.pause_threshold,
    };
    let settings = state.services.put_webhook(id, request).await?;
    Ok(Json(settings.into()))
}

/// Draw a new signing secret; the old one keeps signing beside it until the next rotation.
#[utoipa::path(post, path = "/admin/api/v1/apps/{app_id}/webhook/rotate-secret", tag = "webhooks", params(("app_id" = i64, Path)),
    responses((status = 200, body = WebhookView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn rotate_secret(
    State(state): State<ApiState>,
    AppPath(id): AppPath,
) -> Result<Json<WebhookView>, ControlError> {
    let settings = state.services.rotate_webhook_secret(id).await?;
    Ok(Json(settings.into()))
}

/// Resume a paused endpoint; its pending events go out again.
#[utoipa::path(post, path = "/admin/api/v1/apps/{app_id}/webhook/resume", tag = "webhooks", params(("app_id" = i64, Path)),
    responses((status = 200, body = WebhookView), (status = 404, body = ErrorBody)))]
pub async fn resume(
    State(state): State<ApiState>,
    AppPath(id): AppPath,
) -> Result<Json<WebhookView>, ControlError> {
    let settings = state.services.resume_webhook(id).await?;
    Ok(Json(settings.into()))
}

/// POST `{"event":"ping","updated_at":...}` to the URL now, with an event's headers.
#[utoipa::path(post, path = "/admin/api/v1/apps/{app_id}/webhook/ping", tag = "webhooks", params(("app_id" = i64, Path)),
    responses((status = 200, body = PingView), (status = 404, body = ErrorBody)))]
pub async fn ping(
    State(state): State<ApiState>,
    AppPath(id): AppPath,
) -> Result<Json<PingView>, ControlError> {
    let outcome = state.services.ping_webhook(id).await?;
    Ok(Json(PingView {
        succeeded: outcome.succeeded(),
        status: outcome.status,
        latency_ms: outcome.latency_ms,
        error: outcome.error,
    }))
}
