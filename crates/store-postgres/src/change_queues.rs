//! Per-channel queues for friendship changes, applied in batches (group commit).
//!
//! A friendship change locks its channel's customer-file records (to move their friend
//! counts) and then the channel's segment-version row until it commits, so one channel's
//! changes run one at a time whatever the nodes do, and each waited for its own commit:
//! about 1.3 ms of `fdatasync` on the bench machine, ~400 changes/s per channel at most.
//! Waiting for those row locks inside PostgreSQL also held a pooled connection each: 64
//! concurrent changes to one channel took every connection of the pool, and counts and
//! reads queued behind them.
//!
//! So a node queues a channel's changes here. One task per busy channel takes everything
//! queued and applies it in one transaction, in arrival order, each change in its own
//! savepoint (see `friendship_batches`); changes that arrive meanwhile form the next
//! batch. A lone change is a batch of one, applied exactly as before. At most one pooled
//! connection per channel waits on the channel's locks, and one commit serves the batch.

use crate::friendship_batches::{apply_batch, Pending};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use talkchannel_domain::ChannelId;
use talkchannel_store::{FriendshipChange, FriendshipOutcome, StoreError, StoreResult};
use tokio::sync::oneshot;

/// The most changes one transaction applies; the rest wait for the next batch. Each
/// change writes in a savepoint, which takes a subtransaction id, and PostgreSQL keeps
/// only 64 of them per backend in shared memory: past that, every other session's
/// visibility checks must read `pg_subtrans`, a known slowdown for the whole server.
const MAX_BATCH: usize = 64;

#[derive(Debug, Default)]
pub(crate) struct ChangeQueues {
    /// Channels with a batch task running, and what waits for it. A channel's entry
    /// exists exactly while its task runs, so the map holds only busy channels.
    waiting: Mutex<HashMap<ChannelId, Vec<Pending>>>,
    /// The largest batch applied so far (for tests and diagnostics).
    largest_batch: AtomicUsize,
}

impl ChangeQueues {
    /// Queues `change` behind the channel's earlier ones and waits for its outcome. The
    /// batch runs on its own task, so a caller that stops waiting (a client that hung
    /// up) cannot cut short the changes of the others in its batch.
    pub async fn apply(
        self: &Arc<Self>,
        pool: &PgPool,
        change: &FriendshipChange,
    ) -> StoreResult<FriendshipOutcome> {
        let (reply, outcome) = oneshot::channel();
        let channel = change.channel_id;
        let pending = Pending {
            change: change.clone(),
            reply,
        };
        let start_task = {
            let mut waiting = self.lock();
            match waiting.get_mut(&channel) {
                Some(queue) => {
                    queue.push(pending);
                    false
                }
                None => {
                    waiting.insert(channel, vec![pending]);
                    true
                }
            }
        };
        if start_task {
            let queues = Arc::clone(self);
            let pool = pool.clone();
            tokio::spawn(queues.drain(channel, pool));
        }
        outcome.await.unwrap_or_else(|_| {
            Err(StoreError::Backend(
                "the friendship change was interrupted before it was applied".into(),
            ))
        })
    }

    /// Applies the channel's queued changes batch after batch until none are left.
    async fn drain(self: Arc<Self>, channel: ChannelId, pool: PgPool) {
        let mut running = Running {
            queues: Arc::clone(&self),
            channel,
            ended: false,
        };
        while let Some(batch) = running.next_batch() {
            self.largest_batch.fetch_max(batch.len(), Ordering::Relaxed);
            apply_batch(&pool, batch).await;
        }
    }

    /// The largest number of changes one transaction has applied.
    pub fn largest_batch(&self) -> usize {
        self.largest_batch.load(Ordering::Relaxed)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<ChannelId, Vec<Pending>>> {
        // Nothing panics while holding the lock; a poisoned map is still consistent.
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A channel's running batch task. Ending it (normally, or by a panic or runtime
/// shutdown) removes the channel's entry, so the next change starts a new task; changes
/// still queued then are answered with an error by dropping their replies.
struct Running {
    queues: Arc<ChangeQueues>,
    channel: ChannelId,
    /// The entry is gone already: a later entry for the channel is another task's.
    ended: bool,
}

impl Running {
    /// The next batch, or `None` (and the entry gone) when the queue is empty.
    fn next_batch(&mut self) -> Option<Vec<Pending>> {
        let mut waiting = self.queues.lock();
        let Some(queue) = waiting.get_mut(&self.channel) else {
            self.ended = true;
            return None;
        };
        if queue.is_empty() {
            waiting.remove(&self.channel);
            self.ended = true;
            return None;
        }
        let n = queue.len().min(MAX_BATCH);
        Some(queue.drain(..n).collect())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.ended {
            self.queues.lock().remove(&self.channel);
        }
    }
}
