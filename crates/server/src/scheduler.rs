//! The scheduled-message pass every `serve` process runs: each tick asks the services to
//! send what the injected clock says is due. Several nodes may run it at once: a
//! message's delivery commits only from draft or scheduled, so one node delivers it and
//! the others find it sent.

use std::time::Duration;
use talkchannel_service::Services;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub(crate) struct Scheduler {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Scheduler {
    pub(crate) fn spawn(services: Services, every: Duration) -> Self {
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticks.tick() => {}
                    _ = stopped.changed() => return,
                }
                match services.send_due_messages().await {
                    Ok(0) => {}
                    Ok(sent) => tracing::info!(sent, "scheduled messages sent"),
                    Err(e) => tracing::warn!(error = %e, "scheduled-message pass failed; retrying"),
                }
            }
        });
        Self { stop, task }
    }

    pub(crate) async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    pub(crate) fn signal_stop(&self) {
        let _ = self.stop.send(true);
    }
}
