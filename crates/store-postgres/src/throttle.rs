//! Sign-in throttle rows, shared by every node: a count locks the keys' rows (in key
//! order, so two nodes never deadlock) and applies the rule to what it read.

use crate::error::db;
use crate::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use talkchannel_domain::{ThrottlePolicy, ThrottleState};
use talkchannel_store::{StoreResult, ThrottleStore};

type Columns = (String, i32, DateTime<Utc>, i32, Option<DateTime<Utc>>);

fn state((_, failures, window_start, lockouts, blocked_until): &Columns) -> ThrottleState {
    ThrottleState {
        failures: u32::try_from(*failures).unwrap_or(0),
        window_start: *window_start,
        lockouts: u32::try_from(*lockouts).unwrap_or(0),
        blocked_until: *blocked_until,
    }
}

fn count(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

const SELECT: &str =
    "SELECT key, failures, window_start, lockouts, blocked_until FROM sign_in_throttles";

#[async_trait]
impl ThrottleStore for PgStore {
    async fn throttle_states(&self, keys: &[String]) -> StoreResult<Vec<(String, ThrottleState)>> {
        let rows: Vec<Columns> = sqlx::query_as(&format!("{SELECT} WHERE key = ANY($1)"))
            .bind(keys)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        Ok(rows.iter().map(|r| (r.0.clone(), state(r))).collect())
    }

    async fn record_sign_in_failure(
        &self,
        keys: &[String],
        policy: &ThrottlePolicy,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<ThrottleState>> {
        let mut sorted = keys.to_vec();
        sorted.sort();
        sorted.dedup();
        let mut tx = self.pool.begin().await.map_err(db)?;
        // A placeholder row (no failures yet, which the rule reads as no history) for
        // each new key, so that the SELECT below can lock every key: a concurrent insert
        // of the same key makes this one wait for it and then do nothing.
        sqlx::query(
            "INSERT INTO sign_in_throttles (key, failures, window_start, lockouts) \
             SELECT k, 0, $2, 0 FROM UNNEST($1::text[]) AS k ORDER BY k \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(&sorted)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let rows: Vec<Columns> = sqlx::query_as(&format!(
            "{SELECT} WHERE key = ANY($1) ORDER BY key FOR UPDATE"
        ))
        .bind(&sorted)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let mut states = Vec::with_capacity(keys.len());
        for key in keys {
            let prev = rows.iter().find(|r| &r.0 == key).map(state);
            let next = policy.after_failure(prev.as_ref(), now);
            sqlx::query(
                "UPDATE sign_in_throttles SET failures = $2, window_start = $3, \
                 lockouts = $4, blocked_until = $5 WHERE key = $1",
            )
            .bind(key)
            .bind(count(next.failures))
            .bind(next.window_start)
            .bind(count(next.lockouts))
            .bind(next.blocked_until)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            states.push(next);
        }
        tx.commit().await.map_err(db)?;
        Ok(states)
    }

    async fn clear_throttle(&self, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sign_in_throttles WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn purge_throttles(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let done = sqlx::query(
            "DELETE FROM sign_in_throttles WHERE window_start <= $1 \
             AND (blocked_until IS NULL OR blocked_until <= $1)",
        )
        .bind(before)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected())
    }
}
