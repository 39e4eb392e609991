//! Outbox rows as SQLite returns them, and their conversion to store types.

use crate::rows::from_ms;
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
    updated_at: i64,
}

impl SettingsRow {
    pub(crate) fn into_domain(self) -> StoreResult<WebhookSettings> {
        Ok(WebhookSettings {
            app_id: self.app_id,
            url: self.url,
            enabled: self.enabled,
            legacy_fields: self.legacy_fields,
            signing_secret: self.signing_secret,
            previous_signing_secret: self.previous_signing_secret,
            retry_limit_secs: self.retry_limit_secs,
            pause_threshold: self.pause_threshold,
            open_id_secret: self.open_id_secret,
            paused: self.paused,
            consecutive_failures: self.consecutive_failures,
            updated_at: from_ms(self.updated_at)?,
        })
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
    occurred_at: i64,
    state: String,
    attempts: i64,
    next_attempt_at: i64,
    retry_from: i64,
}

fn unreadable(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("unreadable {what} in database: `{value}`"))
}

impl EventRow {
    pub(crate) fn into_domain(self) -> StoreResult<WebhookEvent> {
        Ok(WebhookEvent {
            id: self.id,
            resource_id: self.resource_id,
            app_id: self.app_id,
            channel_id: self.channel_id,
            account_id: self.account_id,
            channel_public_id: self.channel_public_id,
            channel_search_id: self.channel_search_id,
            kind: WebhookEventKind::parse(&self.kind)
                .ok_or_else(|| unreadable("event kind", &self.kind))?,
            user_id: self.user_id,
            occurred_at: from_ms(self.occurred_at)?,
            state: WebhookEventState::parse(&self.state)
                .ok_or_else(|| unreadable("event state", &self.state))?,
            attempts: self.attempts,
            next_attempt_at: from_ms(self.next_attempt_at)?,
            retry_from: from_ms(self.retry_from)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AttemptRow {
    seq: i64,
    resource_id: String,
    event_id: i64,
    at: i64,
    status: Option<i64>,
    latency_ms: i64,
    error: Option<String>,
}

impl AttemptRow {
    pub(crate) fn into_domain(self) -> StoreResult<LoggedAttempt> {
        Ok(LoggedAttempt {
            seq: self.seq,
            resource_id: self.resource_id,
            attempt: DeliveryAttempt {
                event_id: self.event_id,
                at: from_ms(self.at)?,
                status: self.status.and_then(|s| u16::try_from(s).ok()),
                latency_ms: self.latency_ms,
                error: self.error,
            },
        })
    }
}
