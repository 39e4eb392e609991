//! Segment-index snapshots (`[segments]`): where they live, and the task that warms the
//! indexes up after a start, rewrites the snapshots of changed indexes every
//! `snapshot_interval_secs` and once more on a graceful shutdown, so a restart reads a
//! recent one and catches up little.

use serde::{Deserialize, Serialize};
use std::ffi::OsString;
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
    /// Where; by default `<database file>.segments` next to a SQLite database, and for
    /// PostgreSQL `$XDG_STATE_HOME/talkchannel/segments` (else
    /// `$HOME/.local/state/talkchannel/segments`) with a subdirectory per database.
    pub snapshot_dir: Option<PathBuf>,
    /// How often the snapshots of indexes that changed are written again.
    pub snapshot_interval_secs: u64,
    /// Also write an index's snapshot once it has applied this many changes since its
    /// last one (0: only by time), bounding the catch-up after a kill ...
    pub snapshot_after_changes: u64,
    /// ... but at most once per this many seconds per channel.
    pub snapshot_min_interval_secs: u64,
    /// Load the index of every channel with friend groups right after a start (and
    /// snapshot it), one channel at a time, before the first count or send asks.
    pub warm_up: bool,
}

impl Default for SegmentsConfig {
    fn default() -> Self {
        let engine = SnapshotSettings::in_dir(PathBuf::new());
        Self {
            snapshots: true,
            snapshot_dir: None,
            snapshot_interval_secs: 600,
            snapshot_after_changes: engine.after_changes,
            snapshot_min_interval_secs: engine.min_interval.as_secs(),
            warm_up: true,
        }
    }
}

impl SegmentsConfig {
    /// The snapshot directory for a server on `database_url`, if snapshots are kept.
    pub fn snapshot_settings(&self, database_url: &str) -> Option<SnapshotSettings> {
        self.settings_with(database_url, |name| std::env::var_os(name))
    }

    /// As [`Self::snapshot_settings`], reading environment variables through `var`.
    fn settings_with(
        &self,
        database_url: &str,
        var: impl Fn(&str) -> Option<OsString>,
    ) -> Option<SnapshotSettings> {
        if !self.snapshots {
            return None;
        }
        let (dir, per_database) = match (&self.snapshot_dir, sqlite_file(database_url)) {
            (Some(dir), _) => (dir.clone(), false),
            (None, Some(file)) => {
                let mut file = file.into_os_string();
                file.push(".segments");
                (PathBuf::from(file), false)
            }
            // An in-memory SQLite database has nothing to restart from.
            (None, None) if database_url.starts_with("sqlite:") => return None,
            (None, None) => match state_dir(var) {
                Some(state) => (state.join("talkchannel").join("segments"), true),
                None => {
                    tracing::warn!("neither XDG_STATE_HOME nor HOME is set: no segment snapshots unless [segments] snapshot_dir is");
                    return None;
                }
            },
        };
        let after_changes = match self.snapshot_after_changes {
            0 => u64::MAX,
            n => n,
        };
        Some(SnapshotSettings {
            per_database,
            after_changes,
            min_interval: Duration::from_secs(self.snapshot_min_interval_secs),
            ..SnapshotSettings::in_dir(dir)
        })
    }
}

/// The user's state directory (XDG base directories): `$XDG_STATE_HOME` when set to an
/// absolute path, else `$HOME/.local/state`.
fn state_dir(var: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let absolute = |name: &str| var(name).map(PathBuf::from).filter(|p| p.is_absolute());
    absolute("XDG_STATE_HOME").or_else(|| absolute("HOME").map(|home| home.join(".local/state")))
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
    /// Warms the indexes up first (when `warm_up`), then writes changed ones `every`.
    pub(crate) fn spawn(engine: Arc<SegmentEngine>, every: Duration, warm_up: bool) -> Self {
        let (stop, mut stopped) = watch::channel(false);
        let writer = Arc::clone(&engine);
        let task = tokio::spawn(async move {
            if warm_up {
                tokio::select! {
                    _ = writer.warm_up() => {}
                    _ = stopped.changed() => return,
                }
            }
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
        assert_eq!(dir("sqlite://db.sqlite?mode=memory"), None);
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

    #[test]
    fn postgres_snapshots_go_to_the_state_dir_one_subdirectory_per_database() {
        let config = SegmentsConfig::default();
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        let pg = "postgres://db/tc";
        let both = config
            .settings_with(pg, env(&[("XDG_STATE_HOME", "/xdg"), ("HOME", "/home/u")]))
            .unwrap();
        assert_eq!(both.dir, PathBuf::from("/xdg/talkchannel/segments"));
        assert!(
            both.per_database,
            "a shared directory keeps databases apart"
        );
        let home = |vars| config.settings_with(pg, env(vars)).map(|s| s.dir);
        assert_eq!(
            home(&[("XDG_STATE_HOME", "relative"), ("HOME", "/home/u")]),
            Some(PathBuf::from("/home/u/.local/state/talkchannel/segments"))
        );
        assert_eq!(home(&[]), None, "nowhere to keep them");
        let sqlite = config
            .settings_with("sqlite://x.db", env(&[("XDG_STATE_HOME", "/xdg")]))
            .unwrap();
        assert!(!sqlite.per_database, "one database per file already");
        let by_time_only = SegmentsConfig {
            snapshot_after_changes: 0,
            snapshot_min_interval_secs: 5,
            ..SegmentsConfig::default()
        };
        let settings = by_time_only.snapshot_settings("sqlite://x.db").unwrap();
        assert_eq!(settings.after_changes, u64::MAX);
        assert_eq!(settings.min_interval, Duration::from_secs(5));
    }
}
