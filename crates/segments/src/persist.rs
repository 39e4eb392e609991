//! Where the engine keeps its snapshots and when it reads and writes them.
//!
//! A snapshot is only ever a head start: it is read at the first count after a start,
//! and only when it names this database (a random id the store keeps in its settings,
//! new for a new or recreated database), this channel and a segment version the database
//! has reached; the catch-up from that version then applies everything since, as for a
//! loaded index. Anything else (missing, foreign, old format, damaged) means a full load.

use crate::frozen::Frozen;
use crate::index::ChannelIndex;
use crate::restore::{self, Expected};
use crate::snapshot;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex as StdMutex;
use std::time::{Duration, Instant};
use talkchannel_domain::ChannelId;
use talkchannel_store::{Store, StoreError, StoreResult};
use tokio::sync::{Mutex, OnceCell};

/// The setting holding this database's identity.
pub const DATABASE_ID_SETTING: &str = "segments.database_id";

/// Where snapshots go and when a loaded index's snapshot is written besides the server's
/// periodic pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotSettings {
    pub dir: PathBuf,
    /// Keep each database's snapshots in a subdirectory named by its id: for a directory
    /// that several databases may share (the default for PostgreSQL).
    pub per_database: bool,
    /// Write an index's snapshot once it has applied this many changes since its last one
    /// (what a restart after a kill would otherwise have to catch up with) ...
    pub after_changes: u64,
    /// ... but at most once per this long per channel.
    pub min_interval: Duration,
}

impl SnapshotSettings {
    /// Snapshots in `dir` (shared by no other database), with the server's defaults.
    pub fn in_dir(dir: PathBuf) -> Self {
        Self {
            dir,
            per_database: false,
            after_changes: 100_000,
            min_interval: Duration::from_secs(60),
        }
    }
}

/// A database's identity and the directory its snapshots live in.
struct Home {
    database: String,
    dir: PathBuf,
}

pub(crate) struct Snapshots {
    settings: SnapshotSettings,
    home: OnceCell<Home>,
    /// A failed write warns once (until one succeeds again), then logs at debug: an
    /// unwritable directory must not flood the log, and never fails a request.
    warned: AtomicBool,
    /// Temporary files of writes a kill interrupted are removed before the first write.
    swept: AtomicBool,
    /// One write at a time, so at most one frozen copy's private chunks exist.
    writing: Mutex<()>,
    /// The version of each channel's snapshot on disk (as far as this process knows).
    written: StdMutex<HashMap<ChannelId, i64>>,
}

impl Snapshots {
    pub fn new(settings: SnapshotSettings) -> Self {
        Self {
            settings,
            home: OnceCell::new(),
            warned: AtomicBool::new(false),
            swept: AtomicBool::new(false),
            writing: Mutex::new(()),
            written: StdMutex::new(HashMap::new()),
        }
    }

    pub fn settings(&self) -> &SnapshotSettings {
        &self.settings
    }

    /// The database's identity (created the first time any node asks) and so the
    /// directory of its snapshots.
    async fn home(&self, store: &dyn Store) -> StoreResult<&Home> {
        self.home
            .get_or_try_init(|| async {
                let fresh = uuid::Uuid::new_v4().to_string();
                store
                    .put_setting_if_absent(DATABASE_ID_SETTING, &fresh)
                    .await?;
                let database = store.setting(DATABASE_ID_SETTING).await?.ok_or_else(|| {
                    StoreError::Backend("the database id setting vanished".into())
                })?;
                let dir = match self.settings.per_database {
                    true => self.settings.dir.join(&database),
                    false => self.settings.dir.clone(),
                };
                Ok(Home { database, dir })
            })
            .await
    }

    fn written(&self) -> std::sync::MutexGuard<'_, HashMap<ChannelId, i64>> {
        self.written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The channel's snapshot if there is a usable one (`version`: the store's now).
    pub async fn restore(
        &self,
        store: &dyn Store,
        channel: ChannelId,
        version: i64,
    ) -> Option<ChannelIndex> {
        let (database, path) = match self.home(store).await {
            Ok(home) => (home.database.clone(), snapshot::path(&home.dir, channel)),
            Err(e) => {
                tracing::warn!(channel, error = %e, "cannot read the database id; loading the segment index from the store");
                return None;
            }
        };
        let started = Instant::now();
        let read_path = path.clone();
        let read = tokio::task::spawn_blocking(move || {
            let expected = Expected {
                database: &database,
                channel,
                version,
            };
            restore::read(&read_path, &expected)
        })
        .await;
        match read {
            Ok(Ok(index)) => {
                tracing::info!(channel, snapshot_version = index.version, version, accounts = index.accounts(),
                    elapsed_ms = started.elapsed().as_millis() as u64, path = %path.display(), "segment snapshot read");
                self.written().insert(channel, index.version);
                Some(index)
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => None,
            Ok(Err(e)) => {
                tracing::warn!(channel, path = %path.display(), error = %e, "segment snapshot ignored; loading from the store");
                None
            }
            Err(e) => {
                tracing::warn!(channel, error = %e, "segment snapshot read failed; loading from the store");
                None
            }
        }
    }

    /// Whether the channel's index at `version` is newer than its snapshot on disk.
    pub fn stale(&self, channel: ChannelId, version: i64) -> bool {
        self.written().get(&channel).is_none_or(|&w| w < version)
    }

    /// Writes a frozen index (on a blocking thread); errors are logged, never fatal.
    pub async fn write(&self, store: &dyn Store, frozen: Frozen) -> bool {
        let _one_at_a_time = self.writing.lock().await;
        if !self.stale(frozen.channel, frozen.version) {
            return false;
        }
        let (channel, version) = (frozen.channel, frozen.version);
        let (database, dir) = match self.home(store).await {
            Ok(home) => (home.database.clone(), home.dir.clone()),
            Err(e) => {
                tracing::warn!(channel, error = %e, "cannot read the database id; no segment snapshot written");
                return false;
            }
        };
        let sweep = !self.swept.swap(true, Ordering::Relaxed);
        let started = Instant::now();
        let shown = dir.display().to_string();
        let written = tokio::task::spawn_blocking(move || {
            if sweep {
                snapshot::remove_interrupted_writes(&dir);
            }
            snapshot::write(&dir, &database, &frozen)
        })
        .await
        .map_err(|e| std::io::Error::other(format!("the snapshot task failed: {e}")))
        .and_then(|written| written);
        match written {
            Ok(bytes) => {
                tracing::info!(channel, version, bytes, elapsed_ms = started.elapsed().as_millis() as u64,
                    dir = %shown, "segment snapshot written");
                self.written().insert(channel, version);
                self.warned.store(false, Ordering::Relaxed);
                true
            }
            Err(e) if self.warned.swap(true, Ordering::Relaxed) => {
                tracing::debug!(channel, dir = %shown, error = %e, "cannot write the segment snapshot");
                false
            }
            Err(e) => {
                tracing::warn!(channel, dir = %shown, error = %e, "cannot write the segment snapshot; counts and sends go on, a restart loads from the database (further failures are logged at debug)");
                false
            }
        }
    }
}
