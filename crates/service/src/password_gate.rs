//! Bounds password hashing: argon2 costs tens of milliseconds of CPU and memory, so at
//! most `concurrency` checks run at once, on the blocking pool (never on the async
//! workers that answer `/readyz` and everything else), and at most `queue` more wait.
//! Beyond that the caller is told "busy" at once instead of piling up.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// The gate is full: try again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

pub struct PasswordGate {
    permits: Arc<Semaphore>,
    queue: usize,
    waiting: AtomicUsize,
    /// Password hashes computed or checked so far (tests read it: a throttled attempt
    /// must not add to it).
    hashed: AtomicU64,
}

/// Takes one place in the queue back when the waiter leaves, even when cancelled.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl PasswordGate {
    pub fn new(concurrency: usize, queue: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            queue,
            waiting: AtomicUsize::new(0),
            hashed: AtomicU64::new(0),
        }
    }

    pub fn hashed(&self) -> u64 {
        self.hashed.load(Ordering::Relaxed)
    }

    /// Runs `work` (one hash or check) under the bound, or `Busy` when the queue is full.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        self.run_queued(work, self.queue).await
    }

    /// Like [`run`](Self::run) but always waits its turn: for the operator setting a
    /// password, who must not be turned away by a guessing flood.
    pub async fn run_waiting<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        self.run_queued(work, usize::MAX).await
    }

    async fn run_queued<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
        queue: usize,
    ) -> Result<T, Busy> {
        let permit = match Arc::clone(&self.permits).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::AcqRel) >= queue {
                    self.waiting.fetch_sub(1, Ordering::AcqRel);
                    return Err(Busy);
                }
                let _place = Waiting(&self.waiting);
                Arc::clone(&self.permits)
                    .acquire_owned()
                    .await
                    .map_err(|_| Busy)?
            }
        };
        self.hashed.fetch_add(1, Ordering::Relaxed);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| {
            // A panic in argon2 is a bug, not load; it surfaces as a failed check.
            tracing::error!(error = %e, "a password hash task failed");
            Busy
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_answers_busy_at_once() {
        let gate = Arc::new(PasswordGate::new(1, 1));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let first = {
            let gate = Arc::clone(&gate);
            tokio::spawn(async move { gate.run(move || hold.recv().ok()).await })
        };
        // The first check holds the only permit; one waiter fits in the queue.
        while gate.permits.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let second = {
            let gate = Arc::clone(&gate);
            tokio::spawn(async move { gate.run(|| 2).await })
        };
        while gate.waiting.load(Ordering::Acquire) == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(gate.run(|| 3).await, Err(Busy), "the queue is full");
        let operator = {
            let gate = Arc::clone(&gate);
            tokio::spawn(async move { gate.run_waiting(|| 5).await })
        };
        release.send(()).expect("release");
        assert_eq!(first.await.expect("join"), Ok(Some(())));
        assert_eq!(second.await.expect("join"), Ok(2));
        assert_eq!(operator.await.expect("join"), Ok(5), "the operator waited");
        assert_eq!(gate.run(|| 4).await, Ok(4), "free again");
        assert_eq!(gate.hashed(), 4);
    }
}
