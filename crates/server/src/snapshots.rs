//! Segment-index snapshots (`[segments]`): where they live, and the task that rewrites
//! the snapshots of changed indexes every `snapshot_interval_secs` and once more on a
//! graceful shutdown, so a restart reads a recent one and catches up little.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use talkchannel_service::{SegmentEngine, SnapshotSettings};
use tokio::sync::watch;
use tokio::task::JoinHandle;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SegmentsConfig {
    /// Keep on-disk snapshots of friend-group indexes.
    pub snapshots: bool,
    /// Where; by default `<database file>.segments` next to a SQLite database. PostgreSQL
    /// has no default: set it to use snapshots there.
    pub snapshot_dir: Option<PathBuf>,
    /// How often the snapshots of indexes that changed are written again.
    pub snapshot_interval_secs: u64,
}

impl Default for SegmentsConfig {
    fn default() -> Self {
        Self {
            snapshots: true,
            snapshot_dir: None,
            snapshot_interval_secs: 600,
        }
    }
}

impl SegmentsConfig {
    /// The snapshot directory for a server on `database_url`, if snapshots are kept.
    pub fn snapshot_settings(&self, database_url: &str) -> Option<SnapshotSettings> {
        if !self.snapshots {
            return None;
        }
        let dir = match &self.snapshot_dir {
            Some(dir) => dir.clone(),
            None => {
                let mut file = sqlite_file(database_url)?.into_os_string();
                file.push(".segments");
                PathBuf::from(file)
            }
        };
        Some(SnapshotSettings { dir })
    }
}

/// The file of a `sqlite://path?options` URL (none for in-memory databases).
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    Some(PathBuf::from(path))
}

pub(crate) struct SnapshotTask {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    engine: Arc<SegmentEngine>,
}

impl SnapshotTask {
    pub(crate) fn spawn(engine: Arc<SegmentEngine>, every: Duration) -> Self {
        let (stop, mut stopped) = watch::channel(false);
        let writer = Arc::clone(&engine);
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticks.tick().await;
            loop {
                tokio::select! {
                    _ = ticks.tick() => {}
                    _ = stopped.changed() => return,
                }
                writer.write_snapshots().await;
            }
        });
        Self { stop, task, engine }
    }

    /// Stops the periodic writes and writes what changed since the last one.
    pub(crate) async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        let written = self.engine.write_snapshots().await;
        tracing::info!(written, "segment snapshots written at shutdown");
    }

    pub(crate) fn signal_stop(&self) {
        let _ = self.stop.send(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_live_next_to_a_sqlite_file_and_only_where_configured_otherwise() {
        let config = SegmentsConfig::default();
        let dir = |url: &str| config.snapshot_settings(url).map(|s| s.dir);
        assert_eq!(
            dir("sqlite://./data/talkchannel.db"),
            Some(PathBuf::from("./data/talkchannel.db.segments"))
        );
        assert_eq!(
            dir("sqlite:///var/tc/db.sqlite?mode=rwc"),
            Some(PathBuf::from("/var/tc/db.sqlite.segments"))
        );
        assert_eq!(dir("sqlite::memory:"), None);
        assert_eq!(dir("postgres://db/tc"), None);
        let configured = SegmentsConfig {
            snapshot_dir: Some("/srv/snapshots".into()),
            ..SegmentsConfig::default()
        };
        assert_eq!(
            configured
                .snapshot_settings("postgres://db/tc")
                .map(|s| s.dir),
            Some(PathBuf::from("/srv/snapshots"))
        );
        let off = SegmentsConfig {
            snapshots: false,
            ..configured
        };
        assert_eq!(off.snapshot_settings("sqlite://x.db"), None);
    }
}
