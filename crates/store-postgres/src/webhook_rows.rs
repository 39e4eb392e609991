//! Outbox rows as PostgreSQL returns them, and their conversion to store types.

use chrono::{DateTime, Utc};
use talkchannel_store::{
    DeliveryAttempt, LoggedAttempt, StoreError, StoreResult, WebhookEvent, WebhookEventKind,
    WebhookEventState, WebhookSettings,
};

#[derive(sqlx::FromRow)]
pub(crate) struct SettingsRow {
    app_id: i64,
    url: String,
    enabled: bool,
    legacy_fields: bool,
    signing_secret: Option<String>,
    previous_signing_secret: Option<String>,
    retry_limit_secs: i64,
    pause_threshold: i64,
    open_id_secret: String,
    paused: bool,
    consecutive_failures: i64,
    updated_at: DateTime<Utc>,
}

impl From<SettingsRow> for WebhookSettings {
    fn from(r: SettingsRow) -> Self {
        WebhookSettings {
            app_id: r.app_id,
            url: r.url,
            enabled: r.enabled,
            legacy_fields: r.legacy_fields,
            signing_secret: r.signing_secret,
            previous_signing_secret: r.previous_signing_secret,
            retry_limit_secs: r.retry_limit_secs,
            pause_threshold: r.pause_threshold,
            open_id_secret: r.open_id_secret,
            paused: r.paused,
            consecutive_failures: r.consecutive_failures,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    id: i64,
    resource_id: String,
    app_id: i64,
    channel_id: i64,
    account_id: i64,
    channel_public_id: String,
    channel_search_id: String,
    kind: String,
    user_id: Option<i64>,
    occurred_at: DateTime<Utc>,
    state: String,
    attempts: i64,
    next_attempt_at: DateTime<Utc>,
    retry_from: DateTime<Utc>,
}

fn unexpected(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("unexpected {what} `{value}` in database"))
}

impl TryFrom<EventRow> for WebhookEvent {
    type Error = StoreError;

    fn try_from(r: EventRow) -> StoreResult<Self> {
        Ok(WebhookEvent {
            id: r.id,
            resource_id: r.resource_id,
            app_id: r.app_id,
            channel_id: r.channel_id,
            account_id: r.account_id,
            channel_public_id: r.channel_public_id,
            channel_search_id: r.channel_search_id,
            kind: WebhookEventKind::parse(&r.kind)
                .ok_or_else(|| unexpected("event kind", &r.kind))?,
            user_id: r.user_id,
            occurred_at: r.occurred_at,
            state: WebhookEventState::parse(&r.state)
                .ok_or_else(|| unexpected("event state", &r.state))?,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            retry_from: r.retry_from,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AttemptRow {
    seq: i64,
    resource_id: String,
    event_id: i64,
    at: DateTime<Utc>,
    status: Option<i32>,
    latency_ms: i64,
    error: Option<String>,
}

impl From<AttemptRow> for LoggedAttempt {
    fn from(r: AttemptRow) -> Self {
        LoggedAttempt {
            seq: r.seq,
            resource_id: r.resource_id,
            attempt: DeliveryAttempt {
                event_id: r.event_id,
                at: r.at,
                status: r.status.and_then(|s| u16::try_from(s).ok()),
                latency_ms: r.latency_ms,
                error: r.error,
            },
        }
    }
}
