use crate::scheduler::Scheduler;
use crate::snapshots::SnapshotTask;
use crate::workers::Workers;
use crate::{http, open_store, Config};
use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;
use talkchannel_api::ApiState;
use talkchannel_domain::{Clock, SystemClock};
use talkchannel_service::{OperatorToken, PasswordGate, SegmentEngine, Services, TokenPolicy};
use talkchannel_webhooks::DeliveryCounts;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinHandle;

/// Builds a server from configuration; `clock` lets tests and the emulator move time.
pub struct Server {
    config: Config,
    clock: Arc<dyn Clock>,
}

/// A server accepting connections.
pub struct RunningServer {
    pub addr: SocketAddr,
    /// The operator token when this start generated it (first start on a database).
    pub generated_operator_token: Option<String>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    workers: Option<Workers>,
    scheduler: Option<Scheduler>,
    snapshots: Option<SnapshotTask>,
    segments: Arc<SegmentEngine>,
    webhook_deliveries: Arc<DeliveryCounts>,
    password_gate: Arc<PasswordGate>,
}

impl Server {
    pub fn new(config: Config) -> Self {
        Self {
            config,
            clock: Arc::new(SystemClock),
        }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Opens and migrates the database, binds the address and starts serving.
    pub async fn start(self) -> anyhow::Result<RunningServer> {
        self.config.validate()?;
        let store = open_store(&self.config.database_url, true).await?;
        let tokens = TokenPolicy {
            access_ttl: chrono::Duration::seconds(self.config.access_token_ttl_secs),
            refresh_ttl: chrono::Duration::seconds(self.config.refresh_token_ttl_secs),
        };
        let wake = Arc::new(Notify::new());
        let sender = self.config.webhooks.sender();
        let services = Services::new(Arc::clone(&store), Arc::clone(&self.clock), tokens)
            .with_webhooks(Arc::clone(&wake), sender.clone())
            .with_session_ttl(chrono::Duration::seconds(
                self.config.pages.session_ttl_secs,
            ))
            .with_sessions_per_account(self.config.pages.max_sessions_per_account)
            .with_sign_in_limits(self.config.sign_in.limits())
            .with_segment_snapshots(
                self.config
                    .segments
                    .snapshot_settings(&self.config.database_url),
            );
        let (operator, generated_operator_token) = match &self.config.operator_token {
            Some(token) => (OperatorToken::Configured(token.clone()), None),
            None => (
                OperatorToken::Stored,
                services
                    .ensure_operator_token()
                    .await
                    .context("cannot set up the operator token")?,
            ),
        };
        let segments = Arc::clone(services.segments());
        let password_gate = Arc::clone(services.password_gate());
        let snapshots = SnapshotTask::spawn(
            Arc::clone(&segments),
            std::time::Duration::from_secs(self.config.segments.snapshot_interval_secs),
            self.config.segments.warm_up,
        );
        let scheduler = Scheduler::spawn(
            services.clone(),
            std::time::Duration::from_millis(self.config.message_poll_interval_ms),
        );
        let app = http::app(
            ApiState::new(services, operator, self.config.pages.clone()).with_client_addresses(
                self.config
                    .sign_in
                    .client_addresses()
                    .map_err(anyhow::Error::msg)?,
            ),
            &self.config,
        );
        let listener = TcpListener::bind(self.config.bind).await.with_context(|| {
            format!(
                "cannot listen on {}; is another process using it?",
                self.config.bind
            )
        })?;
        let addr = listener.local_addr()?;
        let workers = Workers::spawn(&self.config.webhooks, store, self.clock, sender, wake);
        let webhook_deliveries = workers.counts();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            // The peer address is the sign-in throttle's client address.
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
        });
        Ok(RunningServer {
            addr,
            generated_operator_token,
            shutdown: Some(tx),
            task,
            workers: Some(workers),
            scheduler: Some(scheduler),
            snapshots: Some(snapshots),
            segments,
            webhook_deliveries,
            password_gate,
        })
    }
}

impl RunningServer {
    /// This server's friend-group engine (tests look at how it started).
    pub fn segments(&self) -> &Arc<SegmentEngine> {
        &self.segments
    }

    /// This node's bound on password hashing (tests count its hashes).
    pub fn password_gate(&self) -> &Arc<PasswordGate> {
        &self.password_gate
    }

    /// What this process's webhook workers have claimed and delivered.
    pub fn webhook_deliveries(&self) -> &Arc<DeliveryCounts> {
        &self.webhook_deliveries
    }

    /// Runs a scheduled-message pass now, after any pass in progress, and returns how many
    /// messages it sent: a test drains the scheduler this way instead of waiting a tick.
    pub async fn run_scheduled_pass(&self) -> anyhow::Result<usize> {
        let scheduler = self.scheduler.as_ref().context("the server has stopped")?;
        scheduler.pass_now().await.map_err(anyhow::Error::msg)
    }

    /// Stops accepting, lets in-flight requests finish, and waits for the server to end.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let served = (&mut self.task).await;
        // Workers finish and record their batches in flight before the store closes.
        if let Some(workers) = self.workers.take() {
            workers.stop().await;
        }
        if let Some(scheduler) = self.scheduler.take() {
            scheduler.stop().await;
        }
        // Last, so the snapshots include every change made before the stop.
        if let Some(snapshots) = self.snapshots.take() {
            snapshots.stop().await;
        }
        served
            .context("server task failed")?
            .context("server failed")
    }

    /// Serves until the task ends on its own (it does not, unless the listener fails).
    pub async fn wait(&mut self) -> anyhow::Result<()> {
        (&mut self.task)
            .await
            .context("server task failed")?
            .context("server failed")
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(workers) = &self.workers {
            workers.signal_stop();
        }
        if let Some(scheduler) = &self.scheduler {
            scheduler.signal_stop();
        }
        if let Some(snapshots) = &self.snapshots {
            snapshots.signal_stop();
        }
    }
}
