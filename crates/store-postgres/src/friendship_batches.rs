//! A batch of one channel's friendship changes in one transaction (see `change_queues`).
//!
//! Each change runs in its own savepoint, in arrival order, so the batch ends as the
//! same changes applied one after another would: a change that fails (an unknown
//! account, say) is undone alone and answered with its error, and the ones after it
//! see the state without it. A change that loses the race for its pair's first row
//! to another node is rolled back to its savepoint and tried once more, when the other
//! node's row is committed and visible.
//!
//! Anything that breaks the transaction itself before the commit (a lost connection, a
//! deadlock, a serialisation failure) rolls the whole batch back, and its changes are
//! applied again one by one, each in a transaction of its own, in the same order. A
//! failed commit is reported to every change of the batch and not retried: the commit
//! may have happened, and applying the changes again would apply them twice.

use crate::error::is_serialization_failure;
use crate::friendships::{apply_alone, apply_in, Failure};
use sqlx::{PgConnection, PgPool};
use talkchannel_store::{FriendshipChange, FriendshipOutcome, StoreError, StoreResult};
use tokio::sync::oneshot;

pub(crate) type Reply = oneshot::Sender<StoreResult<FriendshipOutcome>>;

/// A change waiting for its batch, and where its outcome goes.
pub(crate) struct Pending {
    pub change: FriendshipChange,
    pub reply: Reply,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.change.fmt(f)
    }
}

/// Applies `batch` and sends each change its outcome.
pub(crate) async fn apply_batch(pool: &PgPool, batch: Vec<Pending>) {
    let (changes, replies): (Vec<FriendshipChange>, Vec<_>) =
        batch.into_iter().map(|p| (p.change, p.reply)).unzip();
    let outcomes = match changes.as_slice() {
        [one] => vec![apply_alone(pool, one).await],
        _ => match apply_together(pool, &changes).await {
            Ok(outcomes) => outcomes,
            Err(Broken::BeforeCommit(e)) => {
                tracing::debug!(error = %e, changes = changes.len(),
                    "friendship batch rolled back; applying its changes one by one");
                apply_each(pool, &changes).await
            }
            Err(Broken::AtCommit(e)) => {
                tracing::warn!(error = %e, changes = changes.len(), "friendship batch commit failed");
                changes
                    .iter()
                    .map(|_| Err(StoreError::backend(&e)))
                    .collect()
            }
        },
    };
    for (reply, outcome) in replies.into_iter().zip(outcomes) {
        // A caller that stopped waiting has no use for its outcome.
        let _ = reply.send(outcome);
    }
}

/// Why a batch's transaction could not be used.
enum Broken {
    BeforeCommit(sqlx::Error),
    AtCommit(sqlx::Error),
}

async fn apply_each(
    pool: &PgPool,
    changes: &[FriendshipChange],
) -> Vec<StoreResult<FriendshipOutcome>> {
    let mut outcomes = Vec::with_capacity(changes.len());
    for change in changes {
        outcomes.push(apply_alone(pool, change).await);
    }
    outcomes
}

async fn apply_together(
    pool: &PgPool,
    changes: &[FriendshipChange],
) -> Result<Vec<StoreResult<FriendshipOutcome>>, Broken> {
    let mut tx = pool.begin().await.map_err(Broken::BeforeCommit)?;
    lock_pairs(&mut tx, changes)
        .await
        .map_err(Broken::BeforeCommit)?;
    let mut outcomes = Vec::with_capacity(changes.len());
    for change in changes {
        // On an error the transaction is dropped here, which rolls it back.
        let outcome = in_savepoint(&mut tx, change)
            .await
            .map_err(Broken::BeforeCommit)?;
        outcomes.push(outcome);
    }
    tx.commit().await.map_err(Broken::AtCommit)?;
    Ok(outcomes)
}

/// Locks the rows of every pair the batch changes, in account order, before any change
/// locks the channel's files and version. A lone change takes its pair, then the files,
/// then the version; a batch that took its later pairs only after the first change's
/// files and version could wait for a pair another node's change holds while that
/// change waits for the files: a deadlock PostgreSQL breaks after a second. Taking
/// every pair first keeps one order for all (pairs by account, files, version).
async fn lock_pairs(
    conn: &mut PgConnection,
    changes: &[FriendshipChange],
) -> Result<(), sqlx::Error> {
    let Some(channel) = changes.first().map(|c| c.channel_id) else {
        return Ok(());
    };
    debug_assert!(
        changes.iter().all(|c| c.channel_id == channel),
        "one channel per batch"
    );
    let accounts: Vec<i64> = changes.iter().map(|c| c.account_id).collect();
    sqlx::query(
        "SELECT 1 FROM friendships WHERE channel_id = $1 AND account_id = ANY($2) \
         ORDER BY account_id FOR UPDATE",
    )
    .bind(channel)
    .bind(&accounts)
    .execute(&mut *conn)
    .await
    .map(drop)
}

/// One change of the batch. `Ok` holds the change's own outcome, error included; `Err`
/// means the transaction cannot go on.
async fn in_savepoint(
    conn: &mut PgConnection,
    change: &FriendshipChange,
) -> Result<StoreResult<FriendshipOutcome>, sqlx::Error> {
    statement(conn, "SAVEPOINT change").await?;
    let mut retried = false;
    loop {
        match apply_in(conn, change).await {
            Ok(outcome) => {
                statement(conn, "RELEASE SAVEPOINT change").await?;
                return Ok(Ok(outcome));
            }
            Err(Failure::Final(e)) => {
                undo(conn).await?;
                return Ok(Err(e));
            }
            Err(Failure::Retry(e)) if retried || is_serialization_failure(&e) => return Err(e),
            Err(Failure::Retry(e)) => {
                tracing::debug!(error = %e, "retrying friendship change in its batch");
                statement(conn, "ROLLBACK TO SAVEPOINT change").await?;
                retried = true;
            }
        }
    }
}

/// Undoes the change's writes and forgets its savepoint.
async fn undo(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    statement(conn, "ROLLBACK TO SAVEPOINT change").await?;
    statement(conn, "RELEASE SAVEPOINT change").await
}

async fn statement(conn: &mut PgConnection, sql: &'static str) -> Result<(), sqlx::Error> {
    sqlx::query(sql).execute(&mut *conn).await.map(drop)
}
