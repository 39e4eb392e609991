//! The webhook outbox: per-app settings, events written with the friendship change that
//! caused them, claims with leases, and the log of every delivery attempt.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use talkchannel_domain::{AccountId, AppId, ChannelId, Page, PageRequest, UserId};

/// An app's webhook configuration. Only apps with `enabled` settings get events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    pub app_id: AppId,
    pub url: String,
    pub enabled: bool,
    /// Also send Kakao's deprecated `plus_friend_*` and `timestamp` fields.
    pub legacy_fields: bool,
    /// Signs bodies when set; the previous secret keeps signing during a rotation.
    pub signing_secret: Option<String>,
    pub previous_signing_secret: Option<String>,
    /// How long an event keeps being retried before it is dead-lettered.
    pub retry_limit_secs: i64,
    /// Consecutive failures that pause the endpoint; 0 never pauses.
    pub pause_threshold: i64,
    /// Per-app key of the `open_id` a user without `plusfriends` consent is reported by.
    pub open_id_secret: String,
    /// Set by the engine when failures reach the threshold; cleared by `resume_webhook`.
    pub paused: bool,
    pub consecutive_failures: i64,
    pub updated_at: DateTime<Utc>,
}

/// The event kind is decided with the change that causes it (see the domain).
pub use talkchannel_domain::WebhookEventKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookEventState {
    /// Waiting for (or in) delivery; in flight while a claim's lease runs.
    Pending,
    Delivered,
    /// Retried until the app's retry limit; waits for a replay.
    Dead,
}

impl WebhookEventState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Dead]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// One outbox row, with the channel ids the body needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    pub id: i64,
    /// Kakao's `X-Kakao-Resource-ID`: unique per event, the same on every retry.
    pub resource_id: String,
    pub app_id: AppId,
    pub channel_id: ChannelId,
    pub account_id: AccountId,
    pub channel_public_id: String,
    pub channel_search_id: String,
    pub kind: WebhookEventKind,
    /// The app user id when the account had granted `plusfriends` at the change.
    pub user_id: Option<UserId>,
    /// When the relationship changed (Kakao's `updated_at`).
    pub occurred_at: DateTime<Utc>,
    pub state: WebhookEventState,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    /// Retries stop `retry_limit_secs` after this (creation, or the last replay).
    pub retry_from: DateTime<Utc>,
}

/// One delivery attempt, as the delivery log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    pub event_id: i64,
    pub at: DateTime<Utc>,
    /// The HTTP status, when an answer came.
    pub status: Option<u16>,
    pub latency_ms: i64,
    /// Why the attempt failed (timeout, refused address, status), if it did.
    pub error: Option<String>,
}

/// A logged attempt with its place in the log and its event's resource id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedAttempt {
    pub seq: i64,
    pub resource_id: String,
    pub attempt: DeliveryAttempt,
}

/// What becomes of an event after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    Delivered,
    RetryAt(DateTime<Utc>),
    Dead,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryResult {
    pub app_id: AppId,
    pub attempt: DeliveryAttempt,
    pub next: NextStep,
}

#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Creates or replaces the app's settings; `paused` and `consecutive_failures` are
    /// kept on update (see `resume_webhook`). `NotFound(Entity::App)` for an unknown app.
    async fn put_webhook_settings(&self, settings: &WebhookSettings) -> StoreResult<()>;
    async fn webhook_settings(&self, app: AppId) -> StoreResult<Option<WebhookSettings>>;
    /// Unpauses the endpoint and clears its failure count; false when it has no settings.
    async fn resume_webhook(&self, app: AppId) -> StoreResult<bool>;

    /// Claims up to `limit` due events of unpaused apps until `lease_until`, oldest first,
    /// never an event whose (app, account) has an earlier pending event, and never one
    /// another claim holds. Several nodes may call this at once.
    async fn claim_webhook_events(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<WebhookEvent>>;
    /// Logs the attempts and moves their events on, in one transaction; failures count
    /// toward the app's pause threshold, a success resets the count.
    async fn finish_webhook_deliveries(&self, results: &[DeliveryResult]) -> StoreResult<()>;

    async fn webhook_event(&self, app: AppId, id: i64) -> StoreResult<Option<WebhookEvent>>;
    /// The app's events, oldest first, optionally only those in `state`.
    async fn webhook_events(
        &self,
        app: AppId,
        state: Option<WebhookEventState>,
        page: PageRequest,
    ) -> StoreResult<Page<WebhookEvent>>;
    /// Every attempt for the app's events, oldest first.
    async fn webhook_attempts(
        &self,
        app: AppId,
        page: PageRequest,
    ) -> StoreResult<Page<LoggedAttempt>>;
    /// Makes one event (whatever its state) due again now, with a fresh retry window;
    /// false when the app has no such event.
    async fn replay_webhook_event(
        &self,
        app: AppId,
        id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Replays every dead event of the app; returns how many.
    async fn replay_dead_webhook_events(&self, app: AppId, now: DateTime<Utc>) -> StoreResult<u64>;
}

/// How a batch of results moves each app's failure count: whether a success reset it,
/// and the failures counted after the last success (or in all, without one). Engines
/// apply one update per app instead of one per result.
pub fn failure_tally(results: &[DeliveryResult]) -> Vec<(AppId, bool, i64)> {
    let mut tally: Vec<(AppId, bool, i64)> = Vec::new();
    for result in results {
        let index = match tally.iter().position(|(app, ..)| *app == result.app_id) {
            Some(i) => i,
            None => {
                tally.push((result.app_id, false, 0));
                tally.len() - 1
            }
        };
        let entry = &mut tally[index];
        if result.next == NextStep::Delivered {
            *entry = (result.app_id, true, 0);
        } else {
            entry.2 += 1;
        }
    }
    tally
}
