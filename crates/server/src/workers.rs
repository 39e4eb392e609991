//! The webhook delivery workers every `serve` process runs, and their settings.

use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use talkchannel_domain::Clock;
use talkchannel_store::Store;
use talkchannel_webhooks::{AddressPolicy, DeliveryCounts, Sender, Worker, WorkerConfig};
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// `[webhooks]` in the config file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookConfig {
    /// Delivery loops in this process; 0 leaves delivery to other nodes.
    pub workers: usize,
    /// Let webhooks reach 127.0.0.0/8 and ::1 (the emulator's default).
    pub allow_loopback: bool,
    /// Let webhooks reach private, carrier-NAT, link-local and unique-local addresses.
    pub allow_private: bool,
    /// How often to look for events enqueued by other nodes or due for a retry.
    pub poll_interval_ms: u64,
    /// How long a claim holds; a node that dies gives its events back after this.
    pub lease_secs: u64,
    pub batch_size: u32,
    /// Requests in flight to one app's endpoint at once, per worker.
    pub per_app_concurrency: usize,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            workers: 2,
            allow_loopback: true,
            allow_private: false,
            poll_interval_ms: 1_000,
            lease_secs: 30,
            batch_size: 256,
            per_app_concurrency: 64,
        }
    }
}

impl WebhookConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.poll_interval_ms == 0 || self.batch_size == 0 || self.per_app_concurrency == 0 {
            anyhow::bail!(
                "[webhooks]: poll_interval_ms, batch_size and per_app_concurrency must be positive"
            );
        }
        // A batch is recorded when its last request ends: the lease must outlast a batch
        // of timeouts, or another node would take events still in flight.
        let rounds = u64::from(self.batch_size).div_ceil(self.per_app_concurrency as u64);
        let needed = rounds * talkchannel_webhooks::TIMEOUT.as_secs() + 1;
        if self.lease_secs < needed {
            anyhow::bail!(
                "[webhooks]: lease_secs must be at least {needed} for batch_size {} and per_app_concurrency {} (each request may take 3 s); raise lease_secs or per_app_concurrency, or lower batch_size",
                self.batch_size,
                self.per_app_concurrency
            );
        }
        Ok(())
    }

    pub fn sender(&self) -> Sender {
        Sender::new(AddressPolicy {
            allow_loopback: self.allow_loopback,
            allow_private: self.allow_private,
        })
    }

    fn worker_config(&self) -> WorkerConfig {
        WorkerConfig {
            batch_size: self.batch_size,
            lease: chrono::Duration::seconds(i64::try_from(self.lease_secs).unwrap_or(i64::MAX)),
            poll_interval: Duration::from_millis(self.poll_interval_ms),
            per_app_concurrency: self.per_app_concurrency,
            ..WorkerConfig::default()
        }
    }
}

/// Running workers; `stop` lets each finish and record its batch in flight.
pub(crate) struct Workers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    counts: Arc<DeliveryCounts>,
}

impl Workers {
    pub(crate) fn spawn(
        config: &WebhookConfig,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        sender: Sender,
        wake: Arc<Notify>,
    ) -> Self {
        let (stop, stopped) = watch::channel(false);
        let worker = Worker::new(store, clock, sender, wake, config.worker_config());
        let counts = worker.counts();
        let tasks = (0..config.workers)
            .map(|_| tokio::spawn(worker.clone().run(stopped.clone())))
            .collect();
        Self {
            stop,
            tasks,
            counts,
        }
    }

    pub(crate) fn counts(&self) -> Arc<DeliveryCounts> {
        Arc::clone(&self.counts)
    }

    pub(crate) async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "a webhook worker ended abnormally");
            }
        }
    }

    pub(crate) fn signal_stop(&self) {
        let _ = self.stop.send(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lease_must_outlast_a_batch_of_timeouts() {
        assert!(WebhookConfig::default().validate().is_ok());
        let short = WebhookConfig {
            batch_size: 256,
            per_app_concurrency: 8,
            lease_secs: 30,
            ..WebhookConfig::default()
        };
        let err = short.validate().unwrap_err().to_string();
        assert!(err.contains("at least 97"), "{err}");
        let zero = WebhookConfig {
            batch_size: 0,
            ..WebhookConfig::default()
        };
        assert!(zero.validate().is_err());
    }
}
