//! The scheduled-message pass every `serve` process runs: each tick asks the services to
//! send what the injected clock says is due. Several nodes may run it at once: a
//! message's delivery commits only from draft or scheduled, so one node delivers it and
//! the others find it sent.

use std::time::Duration;
use talkchannel_service::Services;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

/// How a pass ended: the number of messages it sent, or why it failed.
pub type PassOutcome = Result<usize, String>;

pub(crate) struct Scheduler {
    stop: watch::Sender<bool>,
    /// Asks the loop for one pass now; the loop answers when it has run.
    passes: mpsc::Sender<oneshot::Sender<PassOutcome>>,
    task: JoinHandle<()>,
}

impl Scheduler {
    pub(crate) fn spawn(services: Services, every: Duration) -> Self {
        let (stop, mut stopped) = watch::channel(false);
        let (passes, mut asked) = mpsc::channel::<oneshot::Sender<PassOutcome>>(8);
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let reply = tokio::select! {
                    _ = ticks.tick() => None,
                    Some(reply) = asked.recv() => Some(reply),
                    _ = stopped.changed() => return,
                };
                let outcome = services
                    .send_due_messages()
                    .await
                    .map_err(|e| e.to_string());
                match &outcome {
                    Ok(0) => {}
                    Ok(sent) => tracing::info!(sent, "scheduled messages sent"),
                    Err(e) => tracing::warn!(error = %e, "scheduled-message pass failed; retrying"),
                }
                if let Some(reply) = reply {
                    let _ = reply.send(outcome);
                }
            }
        });
        Self { stop, passes, task }
    }

    /// Runs one pass now and waits for it. Passes run one at a time, so when this returns
    /// no earlier pass of this process is still sending: what it reports is settled.
    pub(crate) async fn pass_now(&self) -> PassOutcome {
        let (reply, answer) = oneshot::channel();
        self.passes
            .send(reply)
            .await
            .map_err(|_| "the scheduler has stopped".to_owned())?;
        answer
            .await
            .map_err(|_| "the scheduler stopped before the pass".to_owned())?
    }

    pub(crate) async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    pub(crate) fn signal_stop(&self) {
        let _ = self.stop.send(true);
    }
}
