//! The webhook outbox on SQLite. One writer means claims never race; the lease still
//! matters, because a killed process leaves its claims behind.

use crate::error::{backend, is_fk_violation};
use crate::rows::{cursor, stored, to_ms};
use crate::webhook_rows::{AttemptRow, EventRow, SettingsRow};
use crate::SqliteStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;
use talkchannel_domain::app_user::PLUSFRIENDS;
use talkchannel_domain::{AppId, Entity, Page, PageRequest};
use talkchannel_store::{
    failure_tally, DeliveryResult, FriendshipChange, LoggedAttempt, NextStep, StoreError,
    StoreResult, WebhookEvent, WebhookEventKind, WebhookEventState, WebhookSettings, WebhookStore,
};

const SETTINGS_COLUMNS: &str = "app_id, url, enabled, legacy_fields, signing_secret, \
    previous_signing_secret, retry_limit_secs, pause_threshold, open_id_secret, paused, \
    consecutive_failures, updated_at";

pub(crate) const EVENT_SELECT: &str =
    "SELECT e.id, e.resource_id, e.app_id, e.channel_id, e.account_id, \
    c.public_id AS channel_public_id, c.search_id AS channel_search_id, e.kind, e.user_id, \
    e.occurred_at, e.state, e.attempts, e.next_attempt_at, e.retry_from \
    FROM webhook_events e JOIN channels c ON c.id = e.channel_id";

/// Writes one event per connected app with enabled webhooks, in the caller's transaction.
/// The app user id is kept only when the account has granted `plusfriends` to that app.
pub(crate) async fn enqueue(
    conn: &mut SqliteConnection,
    change: &FriendshipChange,
    kind: WebhookEventKind,
) -> StoreResult<u64> {
    let done = sqlx::query(
        "INSERT INTO webhook_events (resource_id, app_id, channel_id, account_id, kind, user_id, \
                                     occurred_at, state, next_attempt_at, retry_from) \
         SELECT lower(hex(randomblob(12))), ac.app_id, ?1, ?2, ?3, \
                CASE WHEN (' ' || au.scopes || ' ') LIKE ?5 THEN au.user_id END, \
                ?4, 'pending', ?4, ?4 \
         FROM app_channels ac \
         JOIN webhook_settings s ON s.app_id = ac.app_id AND s.enabled = 1 \
         LEFT JOIN app_users au ON au.app_id = ac.app_id AND au.account_id = ?2 \
         WHERE ac.channel_id = ?1",
    )
    .bind(change.channel_id)
    .bind(change.account_id)
    .bind(kind.as_str())
    .bind(to_ms(change.at))
    .bind(format!("% {PLUSFRIENDS} %"))
    .execute(conn)
    .await
    .map_err(backend)?;
    Ok(done.rows_affected())
}

fn events(rows: Vec<EventRow>) -> StoreResult<Vec<WebhookEvent>> {
    rows.into_iter().map(EventRow::into_domain).collect()
}

#[async_trait]
impl WebhookStore for SqliteStore {
    async fn put_webhook_settings(&self, s: &WebhookSettings) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO webhook_settings (app_id, url, enabled, legacy_fields, signing_secret, \
                 previous_signing_secret, retry_limit_secs, pause_threshold, open_id_secret, \
                 updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (app_id) DO UPDATE SET url = excluded.url, enabled = excluded.enabled, \
                 legacy_fields = excluded.legacy_fields, signing_secret = excluded.signing_secret, \
                 previous_signing_secret = excluded.previous_signing_secret, \
                 retry_limit_secs = excluded.retry_limit_secs, \
                 pause_threshold = excluded.pause_threshold, \
                 open_id_secret = excluded.open_id_secret, updated_at = excluded.updated_at",
        )
        .bind(s.app_id)
        .bind(&s.url)
        .bind(s.enabled)
        .bind(s.legacy_fields)
        .bind(&s.signing_secret)
        .bind(&s.previous_signing_secret)
        .bind(s.retry_limit_secs)
        .bind(s.pause_threshold)
        .bind(&s.open_id_secret)
        .bind(to_ms(s.updated_at))
        .execute(&self.writer)
        .await
        .map(drop)
        .map_err(|e| {
            if is_fk_violation(&e) {
                StoreError::NotFound(Entity::App)
            } else {
                backend(e)
            }
        })
    }

    async fn webhook_settings(&self, app: AppId) -> StoreResult<Option<WebhookSettings>> {
        let sql = format!("SELECT {SETTINGS_COLUMNS} FROM webhook_settings WHERE app_id = ?");
        sqlx::query_as::<_, SettingsRow>(&sql)
            .bind(app)
            .fetch_optional(&self.reader)
            .await
            .map_err(backend)?
            .map(SettingsRow::into_domain)
            .transpose()
    }

    async fn resume_webhook(&self, app: AppId) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE webhook_settings SET paused = 0, consecutive_failures = 0 WHERE app_id = ?",
        )
        .bind(app)
        .execute(&self.writer)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn claim_webhook_events(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<WebhookEvent>> {
        let mut tx = self.write_tx().await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "UPDATE webhook_events SET claimed_until = ?2 WHERE id IN ( \
               SELECT e.id FROM webhook_events e \
               JOIN webhook_settings s ON s.app_id = e.app_id AND s.paused = 0 AND s.enabled = 1 \
               WHERE e.state = 'pending' AND e.next_attempt_at <= ?1 \
                 AND (e.claimed_until IS NULL OR e.claimed_until <= ?1) \
                 AND NOT EXISTS (SELECT 1 FROM webhook_events p \
                     WHERE p.state = 'pending' AND p.app_id = e.app_id \
                       AND p.account_id = e.account_id AND p.id < e.id) \
               ORDER BY e.id LIMIT ?3) \
             RETURNING id",
        )
        .bind(to_ms(now))
        .bind(to_ms(lease_until))
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        if ids.is_empty() {
            tx.rollback().await.map_err(backend)?;
            return Ok(Vec::new());
        }
        let sql =
            format!("{EVENT_SELECT} WHERE e.id IN (SELECT value FROM json_each(?)) ORDER BY e.id");
        let rows = sqlx::query_as::<_, EventRow>(&sql)
            .bind(json_array(&ids))
            .fetch_all(&mut *tx)
            .await
            .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        events(rows)
    }

    async fn finish_webhook_deliveries(&self, results: &[DeliveryResult]) -> StoreResult<()> {
        if results.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        for result in results {
            finish_one(&mut tx, result).await?;
        }
        for (app, reset, failures) in failure_tally(results) {
            count_failures(&mut tx, app, reset, failures).await?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn webhook_event(&self, app: AppId, id: i64) -> StoreResult<Option<WebhookEvent>> {
        let sql = format!("{EVENT_SELECT} WHERE e.app_id = ? AND e.id = ?");
        sqlx::query_as::<_, EventRow>(&sql)
            .bind(app)
            .bind(id)
            .fetch_optional(&self.reader)
            .await
            .map_err(backend)?
            .map(EventRow::into_domain)
            .transpose()
    }

    async fn webhook_events(
        &self,
        app: AppId,
        state: Option<WebhookEventState>,
        page: PageRequest,
    ) -> StoreResult<Page<WebhookEvent>> {
        let rows = sqlx::query_as::<_, EventRow>(&crate::paged::webhook_events())
            .bind(app)
            .bind(state.map(WebhookEventState::as_str))
            .bind(cursor(page))
            .bind(page.fetch_limit())
            .fetch_all(&self.reader)
            .await
            .map_err(backend)?;
        Ok(Page::from_rows(events(rows)?, page, |e| e.id))
    }

    async fn webhook_attempts(
        &self,
        app: AppId,
        page: PageRequest,
    ) -> StoreResult<Page<LoggedAttempt>> {
        let rows = sqlx::query_as::<_, AttemptRow>(crate::paged::WEBHOOK_ATTEMPTS)
            .bind(app)
            .bind(cursor(page))
            .bind(page.fetch_limit())
            .fetch_all(&self.reader)
            .await
            .map_err(backend)?;
        let attempts = rows
            .into_iter()
            .map(AttemptRow::into_domain)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Page::from_rows(attempts, page, |a| a.seq))
    }

    async fn replay_webhook_event(
        &self,
        app: AppId,
        id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE webhook_events SET state = 'pending', next_attempt_at = ?3, retry_from = ?3, \
                 claimed_until = NULL \
             WHERE app_id = ?1 AND id = ?2",
        )
        .bind(app)
        .bind(id)
        .bind(to_ms(now))
        .execute(&self.writer)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn replay_dead_webhook_events(&self, app: AppId, now: DateTime<Utc>) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE webhook_events SET state = 'pending', next_attempt_at = ?2, retry_from = ?2, \
                 claimed_until = NULL \
             WHERE app_id = ?1 AND state = 'dead'",
        )
        .bind(app)
        .bind(to_ms(now))
        .execute(&self.writer)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected())
    }
}

fn json_array(ids: &[i64]) -> String {
    let parts: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", parts.join(","))
}

/// Logs the attempt and moves the event on. An event replayed or finished meanwhile
/// (state no longer pending) keeps its state; the attempt is logged all the same.
async fn finish_one(conn: &mut SqliteConnection, result: &DeliveryResult) -> StoreResult<()> {
    let a = &result.attempt;
    sqlx::query(
        "INSERT INTO webhook_attempts (event_id, app_id, at, status, latency_ms, error) \
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(a.event_id)
    .bind(result.app_id)
    .bind(to_ms(a.at))
    .bind(a.status.map(i64::from))
    .bind(a.latency_ms)
    .bind(&a.error)
    .execute(&mut *conn)
    .await
    .map_err(backend)?;
    let (state, next) = match result.next {
        NextStep::Delivered => (WebhookEventState::Delivered, None),
        NextStep::RetryAt(at) => (WebhookEventState::Pending, Some(to_ms(stored(at)))),
        NextStep::Dead => (WebhookEventState::Dead, None),
    };
    sqlx::query(
        "UPDATE webhook_events SET attempts = attempts + 1, claimed_until = NULL, state = ?, \
             next_attempt_at = COALESCE(?, next_attempt_at) \
         WHERE id = ? AND state = 'pending'",
    )
    .bind(state.as_str())
    .bind(next)
    .bind(a.event_id)
    .execute(&mut *conn)
    .await
    .map(drop)
    .map_err(backend)
}

/// Applies one app's failure tally and pauses it once the threshold is reached.
async fn count_failures(
    conn: &mut SqliteConnection,
    app: AppId,
    reset: bool,
    failures: i64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE webhook_settings SET \
             consecutive_failures = (CASE WHEN ?2 THEN 0 ELSE consecutive_failures END) + ?3, \
             paused = paused OR (pause_threshold > 0 AND \
                 (CASE WHEN ?2 THEN 0 ELSE consecutive_failures END) + ?3 >= pause_threshold) \
         WHERE app_id = ?1",
    )
    .bind(app)
    .bind(reset)
    .bind(failures)
    .execute(conn)
    .await
    .map(drop)
    .map_err(backend)
}
