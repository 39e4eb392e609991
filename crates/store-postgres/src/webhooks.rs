//! The webhook outbox on PostgreSQL, shared by every node: claims lock rows with
//! `FOR UPDATE SKIP LOCKED` so concurrent nodes take disjoint events, and leases
//! (`claimed_until`) return a dead node's claims to the pool.

use crate::error::db;
use crate::rows::after;
use crate::webhook_rows::{AttemptRow, EventRow, SettingsRow};
use crate::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use talkchannel_domain::app_user::PLUSFRIENDS;
use talkchannel_domain::{AppId, Page, PageRequest};
use talkchannel_store::{
    failure_tally, DeliveryResult, FriendshipChange, LoggedAttempt, NextStep, StoreResult,
    WebhookEvent, WebhookEventKind, WebhookEventState, WebhookSettings, WebhookStore,
};

const SETTINGS_COLUMNS: &str = "app_id, url, enabled, legacy_fields, signing_secret, \
    previous_signing_secret, retry_limit_secs, pause_threshold, open_id_secret, paused, \
    consecutive_failures, updated_at";

/// An event row with its channel's ids; `e` is any relation with the outbox's columns.
pub(crate) const EVENT_FIELDS: &str = "e.id, e.resource_id, e.app_id, e.channel_id, e.account_id, \
    c.public_id AS channel_public_id, c.search_id AS channel_search_id, e.kind, e.user_id, \
    e.occurred_at, e.state, e.attempts, e.next_attempt_at, e.retry_from";

/// Writes one event per connected app with enabled webhooks, in the caller's transaction.
/// The app user id is kept only when the account has granted `plusfriends` to that app.
pub(crate) async fn enqueue(
    conn: &mut PgConnection,
    change: &FriendshipChange,
    kind: WebhookEventKind,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO webhook_events (resource_id, app_id, channel_id, account_id, kind, user_id, \
                                     occurred_at, state, next_attempt_at, retry_from) \
         SELECT substr(replace(gen_random_uuid()::text, '-', ''), 1, 24), ac.app_id, $1, $2, $3, \
                CASE WHEN (' ' || au.scopes || ' ') LIKE $5 THEN au.user_id END, \
                $4, 'pending', $4, $4 \
         FROM app_channels ac \
         JOIN webhook_settings s ON s.app_id = ac.app_id AND s.enabled \
         LEFT JOIN app_users au ON au.app_id = ac.app_id AND au.account_id = $2 \
         WHERE ac.channel_id = $1",
    )
    .bind(change.channel_id)
    .bind(change.account_id)
    .bind(kind.as_str())
    .bind(change.at)
    .bind(format!("% {PLUSFRIENDS} %"))
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

fn events(rows: Vec<EventRow>) -> StoreResult<Vec<WebhookEvent>> {
    rows.into_iter().map(WebhookEvent::try_from).collect()
}

#[async_trait]
impl WebhookStore for PgStore {
    async fn put_webhook_settings(&self, s: &WebhookSettings) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO webhook_settings (app_id, url, enabled, legacy_fields, signing_secret, \
                 previous_signing_secret, retry_limit_secs, pause_threshold, open_id_secret, \
                 updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
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
        .bind(s.updated_at)
        .execute(&self.pool)
        .await
        .map(drop)
        .map_err(db)
    }

    async fn webhook_settings(&self, app: AppId) -> StoreResult<Option<WebhookSettings>> {
        let sql = format!("SELECT {SETTINGS_COLUMNS} FROM webhook_settings WHERE app_id = $1");
        let row: Option<SettingsRow> = sqlx::query_as(&sql)
            .bind(app)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        Ok(row.map(WebhookSettings::from))
    }

    async fn resume_webhook(&self, app: AppId) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE webhook_settings SET paused = FALSE, consecutive_failures = 0 \
             WHERE app_id = $1",
        )
        .bind(app)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn claim_webhook_events(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<WebhookEvent>> {
        // Rows another node is claiming are skipped, not waited for; a row whose claim
        // committed meanwhile is re-checked against the WHERE clause and dropped.
        let sql = format!(
            "WITH due AS ( \
               SELECT e.id FROM webhook_events e \
               JOIN webhook_settings s ON s.app_id = e.app_id AND NOT s.paused AND s.enabled \
               WHERE e.state = 'pending' AND e.next_attempt_at <= $1 \
                 AND (e.claimed_until IS NULL OR e.claimed_until <= $1) \
                 AND NOT EXISTS (SELECT 1 FROM webhook_events p \
                     WHERE p.state = 'pending' AND p.app_id = e.app_id \
                       AND p.account_id = e.account_id AND p.id < e.id) \
               ORDER BY e.id LIMIT $3 \
               FOR UPDATE OF e SKIP LOCKED), \
             claimed AS ( \
               UPDATE webhook_events w SET claimed_until = $2 FROM due WHERE w.id = due.id \
               RETURNING w.*) \
             SELECT {EVENT_FIELDS} FROM claimed e JOIN channels c ON c.id = e.channel_id \
             ORDER BY e.id"
        );
        let rows: Vec<EventRow> = sqlx::query_as(&sql)
            .bind(now)
            .bind(lease_until)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        events(rows)
    }

    async fn finish_webhook_deliveries(&self, results: &[DeliveryResult]) -> StoreResult<()> {
        if results.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await.map_err(db)?;
        log_attempts(&mut tx, results).await?;
        move_events_on(&mut tx, results).await?;
        for (app, reset, failures) in failure_tally(results) {
            sqlx::query(
                "UPDATE webhook_settings SET \
                     consecutive_failures = (CASE WHEN $2 THEN 0 ELSE consecutive_failures END) + $3, \
                     paused = paused OR (pause_threshold > 0 AND \
                         (CASE WHEN $2 THEN 0 ELSE consecutive_failures END) + $3 >= pause_threshold) \
                 WHERE app_id = $1",
            )
            .bind(app)
            .bind(reset)
            .bind(failures)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    async fn webhook_event(&self, app: AppId, id: i64) -> StoreResult<Option<WebhookEvent>> {
        let sql = format!(
            "SELECT {EVENT_FIELDS} FROM webhook_events e JOIN channels c ON c.id = e.channel_id \
             WHERE e.app_id = $1 AND e.id = $2"
        );
        let row: Option<EventRow> = sqlx::query_as(&sql)
            .bind(app)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(WebhookEvent::try_from).transpose()
    }

    async fn webhook_events(
        &self,
        app: AppId,
        state: Option<WebhookEventState>,
        page: PageRequest,
    ) -> StoreResult<Page<WebhookEvent>> {
        let rows: Vec<EventRow> = sqlx::query_as(&crate::paged::webhook_events())
            .bind(app)
            .bind(state.map(WebhookEventState::as_str))
            .bind(after(page))
            .bind(page.fetch_limit())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        Ok(Page::from_rows(events(rows)?, page, |e| e.id))
    }

    async fn webhook_attempts(
        &self,
        app: AppId,
        page: PageRequest,
    ) -> StoreResult<Page<LoggedAttempt>> {
        let rows: Vec<AttemptRow> = sqlx::query_as(crate::paged::WEBHOOK_ATTEMPTS)
            .bind(app)
            .bind(after(page))
            .bind(page.fetch_limit())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let attempts = rows.into_iter().map(LoggedAttempt::from).collect();
        Ok(Page::from_rows(attempts, page, |a| a.seq))
    }

    async fn replay_webhook_event(
        &self,
        app: AppId,
        id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE webhook_events SET state = 'pending', next_attempt_at = $3, retry_from = $3, \
                 claimed_until = NULL \
             WHERE app_id = $1 AND id = $2",
        )
        .bind(app)
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn replay_dead_webhook_events(&self, app: AppId, now: DateTime<Utc>) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE webhook_events SET state = 'pending', next_attempt_at = $2, retry_from = $2, \
                 claimed_until = NULL \
             WHERE app_id = $1 AND state = 'dead'",
        )
        .bind(app)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected())
    }
}

/// Every attempt of the batch in one statement.
async fn log_attempts(conn: &mut PgConnection, results: &[DeliveryResult]) -> StoreResult<()> {
    let attempts = results.iter().map(|r| &r.attempt);
    sqlx::query(
        "INSERT INTO webhook_attempts (event_id, app_id, at, status, latency_ms, error) \
         SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::timestamptz[], $4::int[], \
                              $5::bigint[], $6::text[])",
    )
    .bind(attempts.clone().map(|a| a.event_id).collect::<Vec<_>>())
    .bind(results.iter().map(|r| r.app_id).collect::<Vec<_>>())
    .bind(attempts.clone().map(|a| a.at).collect::<Vec<_>>())
    .bind(
        attempts
            .clone()
            .map(|a| a.status.map(i32::from))
            .collect::<Vec<_>>(),
    )
    .bind(attempts.clone().map(|a| a.latency_ms).collect::<Vec<_>>())
    .bind(attempts.map(|a| a.error.clone()).collect::<Vec<_>>())
    .execute(conn)
    .await
    .map(drop)
    .map_err(db)
}

/// Moves every event of the batch on in one statement. An event replayed or finished
/// meanwhile (no longer pending) keeps its state.
async fn move_events_on(conn: &mut PgConnection, results: &[DeliveryResult]) -> StoreResult<()> {
    let (states, nexts): (Vec<&str>, Vec<Option<DateTime<Utc>>>) = results
        .iter()
        .map(|r| match r.next {
            NextStep::Delivered => (WebhookEventState::Delivered.as_str(), None),
            NextStep::RetryAt(at) => (WebhookEventState::Pending.as_str(), Some(at)),
            NextStep::Dead => (WebhookEventState::Dead.as_str(), None),
        })
        .unzip();
    sqlx::query(
        "UPDATE webhook_events e SET attempts = e.attempts + 1, claimed_until = NULL, \
             state = u.state, next_attempt_at = COALESCE(u.next, e.next_attempt_at) \
         FROM UNNEST($1::bigint[], $2::text[], $3::timestamptz[]) AS u(id, state, next) \
         WHERE e.id = u.id AND e.state = 'pending'",
    )
    .bind(
        results
            .iter()
            .map(|r| r.attempt.event_id)
            .collect::<Vec<_>>(),
    )
    .bind(states)
    .bind(nexts)
    .execute(conn)
    .await
    .map(drop)
    .map_err(db)
}
