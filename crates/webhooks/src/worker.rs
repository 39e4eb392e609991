//! The delivery loop each `serve` process runs: claim a batch with a lease, deliver it
//! concurrently (bounded per app), record every attempt, repeat; sleep until an event is
//! enqueued here or the poll interval passes (events enqueued by other nodes).

use crate::payload;
use crate::retry::Backoff;
use crate::sender::{Outcome, Outgoing, Sender};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use talkchannel_domain::{AppId, Clock};
use talkchannel_store::{
    DeliveryAttempt, DeliveryResult, Store, StoreResult, WebhookEvent, WebhookSettings,
};
use tokio::sync::{watch, Notify, Semaphore};
use tokio::task::JoinSet;

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    pub batch_size: u32,
    /// How long a claim holds; a node that dies gives its events back after this.
    pub lease: chrono::Duration,
    pub poll_interval: Duration,
    /// Requests in flight to one app's endpoint at once.
    pub per_app_concurrency: usize,
    pub backoff: Backoff,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            batch_size: 256,
            lease: chrono::Duration::seconds(30),
            poll_interval: Duration::from_secs(1),
            per_app_concurrency: 64,
            backoff: Backoff::default(),
        }
    }
}

/// Where one app's events go and how they are signed.
struct Target {
    settings: WebhookSettings,
    admin_key: Option<String>,
    gate: Arc<Semaphore>,
}

/// What one process's delivery loops have done since it started (all loops built from
/// one [`Worker`] share it): with several nodes, each node's share of the work.
#[derive(Debug, Default)]
pub struct DeliveryCounts {
    claimed: AtomicU64,
    accepted: AtomicU64,
}

impl DeliveryCounts {
    /// Events this process claimed for delivery (a retried event counts each time).
    pub fn claimed(&self) -> u64 {
        self.claimed.load(Ordering::Relaxed)
    }

    /// Attempts of this process that the receiver accepted (answered 2xx).
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }
}

#[derive(Clone)]
pub struct Worker {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    sender: Sender,
    wake: Arc<Notify>,
    config: WorkerConfig,
    counts: Arc<DeliveryCounts>,
}

impl Worker {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        sender: Sender,
        wake: Arc<Notify>,
        config: WorkerConfig,
    ) -> Self {
        Self {
            store,
            clock,
            sender,
            wake,
            config,
            counts: Arc::default(),
        }
    }

    /// The counts this worker and its clones keep.
    pub fn counts(&self) -> Arc<DeliveryCounts> {
        Arc::clone(&self.counts)
    }

    /// Delivers until `stop` turns true; a batch in flight is finished and recorded first.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        while !*stop.borrow() {
            match self.deliver_due().await {
                // A full batch suggests more are due: go again at once.
                Ok(n) if n >= self.config.batch_size as usize => continue,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "webhook delivery round failed; retrying after the poll interval")
                }
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(self.config.poll_interval) => {}
                // A dropped stop sender means the server is gone: stop too.
                changed = stop.changed() => if changed.is_err() { break },
            }
        }
    }

    /// One round: claims due events, delivers them, records the results. Returns how many
    /// events it claimed.
    pub async fn deliver_due(&self) -> StoreResult<usize> {
        let now = self.clock.now();
        let events = self
            .store
            .claim_webhook_events(now, now + self.config.lease, self.config.batch_size)
            .await?;
        if events.is_empty() {
            return Ok(0);
        }
        let claimed = events.len();
        self.counts
            .claimed
            .fetch_add(claimed as u64, Ordering::Relaxed);
        let targets = self.targets(&events).await?;
        let mut running = JoinSet::new();
        for event in events {
            let Some(target) = targets.get(&event.app_id).cloned() else {
                continue; // settings deleted meanwhile: the lease returns the event later
            };
            let worker = self.clone();
            running.spawn(async move { worker.attempt(event, target).await });
        }
        let mut results = Vec::with_capacity(claimed);
        while let Some(done) = running.join_next().await {
            match done {
                Ok(result) => results.push(result),
                Err(e) => tracing::error!(error = %e, "a webhook delivery task failed"),
            }
        }
        self.store.finish_webhook_deliveries(&results).await?;
        Ok(claimed)
    }

    async fn targets(&self, events: &[WebhookEvent]) -> StoreResult<HashMap<AppId, Arc<Target>>> {
        let mut targets = HashMap::new();
        for event in events {
            if targets.contains_key(&event.app_id) {
                continue;
            }
            let Some(settings) = self.store.webhook_settings(event.app_id).await? else {
                continue;
            };
            let admin_key = self
                .store
                .app(event.app_id)
                .await?
                .and_then(|app| app.primary_admin_key().map(|k| k.key.clone()));
            let gate = Arc::new(Semaphore::new(self.config.per_app_concurrency.max(1)));
            targets.insert(
                event.app_id,
                Arc::new(Target {
                    settings,
                    admin_key,
                    gate,
                }),
            );
        }
        Ok(targets)
    }

    async fn attempt(&self, event: WebhookEvent, target: Arc<Target>) -> DeliveryResult {
        let _permit = target.gate.acquire().await;
        let at = self.clock.now();
        let outcome = self.send(&event, &target, at).await;
        let next = self.config.backoff.next_step(
            outcome.succeeded(),
            &event,
            target.settings.retry_limit_secs,
            self.clock.now(),
        );
        if outcome.succeeded() {
            self.counts.accepted.fetch_add(1, Ordering::Relaxed);
        } else {
            tracing::debug!(resource_id = %event.resource_id, error = ?outcome.error, "webhook attempt failed");
        }
        DeliveryResult {
            app_id: event.app_id,
            attempt: DeliveryAttempt {
                event_id: event.id,
                at,
                status: outcome.status,
                latency_ms: outcome.latency_ms,
                error: outcome.error,
            },
            next,
        }
    }

    async fn send(&self, event: &WebhookEvent, target: &Target, at: DateTime<Utc>) -> Outcome {
        let s = &target.settings;
        self.sender
            .send(Outgoing {
                url: &s.url,
                admin_key: target.admin_key.as_deref(),
                resource_id: &event.resource_id,
                body: payload::render(event, s),
                secrets: active_secrets(s),
                unix_secs: at.timestamp(),
            })
            .await
    }
}

/// The secrets that sign, current first; none when signing is off.
pub fn active_secrets(s: &WebhookSettings) -> Vec<&str> {
    s.signing_secret
        .iter()
        .chain(
            s.signing_secret
                .iter()
                .flat_map(|_| &s.previous_signing_secret),
        )
        .map(String::as_str)
        .collect()
}
