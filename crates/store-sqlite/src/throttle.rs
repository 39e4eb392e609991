//! Sign-in throttle rows. Counting runs in a write transaction, which SQLite's single
//! writer serialises, so concurrent failures all count.

use crate::error::backend;
use crate::rows::{from_ms, to_ms};
use crate::SqliteStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{Sqlite, Transaction};
use talkchannel_domain::{ThrottlePolicy, ThrottleState};
use talkchannel_store::{StoreResult, ThrottleStore};

type Columns = (String, i64, i64, i64, Option<i64>);

fn state((_, failures, window_start, lockouts, blocked): Columns) -> StoreResult<ThrottleState> {
    Ok(ThrottleState {
        failures: u32::try_from(failures).unwrap_or(u32::MAX),
        window_start: from_ms(window_start)?,
        lockouts: u32::try_from(lockouts).unwrap_or(u32::MAX),
        blocked_until: blocked.map(from_ms).transpose()?,
    })
}

const SELECT: &str =
    "SELECT key, failures, window_start, lockouts, blocked_until FROM sign_in_throttles";

async fn read_one(
    tx: &mut Transaction<'static, Sqlite>,
    key: &str,
) -> StoreResult<Option<ThrottleState>> {
    let row: Option<Columns> = sqlx::query_as(&format!("{SELECT} WHERE key = ?"))
        .bind(key)
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend)?;
    row.map(state).transpose()
}

async fn write_one(
    tx: &mut Transaction<'static, Sqlite>,
    key: &str,
    s: &ThrottleState,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sign_in_throttles (key, failures, window_start, lockouts, blocked_until) \
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, \
         window_start = excluded.window_start, lockouts = excluded.lockouts, \
         blocked_until = excluded.blocked_until",
    )
    .bind(key)
    .bind(i64::from(s.failures))
    .bind(to_ms(s.window_start))
    .bind(i64::from(s.lockouts))
    .bind(s.blocked_until.map(to_ms))
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(())
}

#[async_trait]
impl ThrottleStore for SqliteStore {
    async fn throttle_states(&self, keys: &[String]) -> StoreResult<Vec<(String, ThrottleState)>> {
        let mut found = Vec::new();
        for key in keys {
            let row: Option<Columns> = sqlx::query_as(&format!("{SELECT} WHERE key = ?"))
                .bind(key)
                .fetch_optional(&self.reader)
                .await
                .map_err(backend)?;
            if let Some(row) = row {
                found.push((row.0.clone(), state(row)?));
            }
        }
        Ok(found)
    }

    async fn record_sign_in_failure(
        &self,
        keys: &[String],
        policy: &ThrottlePolicy,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<ThrottleState>> {
        let mut tx = self.write_tx().await?;
        let mut states = Vec::with_capacity(keys.len());
        for key in keys {
            let next = policy.after_failure(read_one(&mut tx, key).await?.as_ref(), now);
            write_one(&mut tx, key, &next).await?;
            states.push(next);
        }
        tx.commit().await.map_err(backend)?;
        Ok(states)
    }

    async fn clear_throttle(&self, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sign_in_throttles WHERE key = ?")
            .bind(key)
            .execute(&self.writer)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn purge_throttles(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let done = sqlx::query(
            "DELETE FROM sign_in_throttles WHERE window_start <= ?1 \
             AND (blocked_until IS NULL OR blocked_until <= ?1)",
        )
        .bind(to_ms(before))
        .execute(&self.writer)
        .await
        .map_err(backend)?;
        Ok(done.rows_affected())
    }
}
