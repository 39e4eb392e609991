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
use std::sync::Mutex as StdMutex;
use std::time::Instant;
use talkchannel_domain::ChannelId;
use talkchannel_store::{Store, StoreError, StoreResult};
use tokio::sync::{Mutex, OnceCell};

/// The setting holding this database's identity.
pub const DATABASE_ID_SETTING: &str = "segments.database_id";

/// Where snapshots go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotSettings {
    pub dir: PathBuf,
}

pub(crate) struct Snapshots {
    dir: PathBuf,
    database: OnceCell<String>,
    /// One write at a time, so at most one frozen copy's private chunks exist.
    writing: Mutex<()>,
    /// The version of each channel's snapshot on disk (as far as this process knows).
    written: StdMutex<HashMap<ChannelId, i64>>,
}

impl Snapshots {
    pub fn new(settings: SnapshotSettings) -> Self {
        Self {
            dir: settings.dir,
            database: OnceCell::new(),
            writing: Mutex::new(()),
            written: StdMutex::new(HashMap::new()),
        }
    }

    /// The database's identity, created the first time any node asks.
    async fn database_id(&self, store: &dyn Store) -> StoreResult<String> {
        self.database
            .get_or_try_init(|| async {
                let fresh = uuid::Uuid::new_v4().to_string();
                store
                    .put_setting_if_absent(DATABASE_ID_SETTING, &fresh)
                    .await?;
                store
                    .setting(DATABASE_ID_SETTING)
                    .await?
                    .ok_or_else(|| StoreError::Backend("the database id setting vanished".into()))
            })
            .await
            .cloned()
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
        let database = match self.database_id(store).await {
            Ok(id) => id,
            Err(e) => {
                tracing::warn!(channel, error = %e, "cannot read the database id; loading the segment index from the store");
                return None;
            }
        };
        let path = snapshot::path(&self.dir, channel);
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
        let database = match self.database_id(store).await {
            Ok(id) => id,
            Err(e) => {
                tracing::warn!(channel, error = %e, "cannot read the database id; no segment snapshot written");
                return false;
            }
        };
        let dir = self.dir.clone();
        let started = Instant::now();
        let written =
            tokio::task::spawn_blocking(move || snapshot::write(&dir, &database, &frozen)).await;
        match written {
            Ok(Ok(bytes)) => {
                tracing::info!(channel, version, bytes, elapsed_ms = started.elapsed().as_millis() as u64,
                    dir = %self.dir.display(), "segment snapshot written");
                self.written().insert(channel, version);
                true
            }
            Ok(Err(e)) => {
                tracing::warn!(channel, dir = %self.dir.display(), error = %e, "cannot write the segment snapshot");
                false
            }
            Err(e) => {
                tracing::warn!(channel, error = %e, "the segment snapshot task failed");
                false
            }
        }
    }
}
