//! Friend-group evaluation: dense per-account ids, roaring bitmaps and column scans.
//!
//! Each channel gets an in-memory [`index::ChannelIndex`], built from the store on first
//! use and kept current by catching up from the changes the store stamps with the
//! channel's segment version (see `talkchannel_store::SegmentStore`). Before every count
//! the engine reads that version (one indexed lookup) and applies what changed since the
//! index's version, so a count is never computed on a stale index, whichever node (or
//! process) made the change. Writers on this node also call [`SegmentEngine::changed`],
//! which catches up in the background so the next count finds little to do.

mod bits;
mod cells;
mod columns;
mod eval;
mod frozen;
mod ids;
mod index;
mod members;
mod persist;
mod restore;
mod saving;
mod snapshot;
mod sync;
mod text;
mod warm;

use chrono::NaiveDate;
use persist::Snapshots;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex, PoisonError};
use std::time::{Duration, Instant};
use talkchannel_domain::{ChannelId, Condition, CustomerFile};
use talkchannel_store::{Store, StoreError, StoreResult, SINCE_THE_START};
use tokio::sync::Mutex;

pub use eval::Counts;
pub use frozen::Frozen;
pub use index::ChannelIndex;
pub use persist::{SnapshotSettings, DATABASE_ID_SETTING};
pub use snapshot::FORMAT as SNAPSHOT_FORMAT;

/// One channel's index, whether a background catch-up is already on its way, and what
/// it applied since its last snapshot.
#[derive(Default)]
struct Loaded {
    /// Held for a load or catch-up: a count, a send or the warm-up arriving meanwhile
    /// waits here and finds the index loaded, so there is never a second load.
    index: Mutex<ChannelIndex>,
    /// A background catch-up is queued and has not read the store yet, so changes
    /// reported meanwhile are covered by it and queue nothing more.
    catch_up_queued: AtomicBool,
    /// Records applied since the index's last snapshot was taken (see `saving`).
    unsaved: AtomicU64,
    /// When this process last took the index's snapshot.
    saved_at: StdMutex<Option<Instant>>,
}

type Slot = Arc<Loaded>;

/// How long a background catch-up waits to gather changes: at 1,000 changes per second a
/// catch-up per change was five store reads each, and the CPU they took from counts.
const CATCH_UP_DELAY: Duration = Duration::from_millis(20);

/// The per-channel indexes of one server process.
pub struct SegmentEngine {
    store: Arc<dyn Store>,
    channels: StdMutex<HashMap<ChannelId, Slot>>,
    /// On-disk snapshots of loaded indexes, when configured.
    snapshots: Option<Arc<Snapshots>>,
    /// Indexes that started from a snapshot rather than a full load.
    restored: AtomicU64,
}

impl SegmentEngine {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self::with_snapshots(store, None)
    }

    /// An engine that starts from (and keeps writing) snapshots in `settings.dir`.
    pub fn with_snapshots(store: Arc<dyn Store>, settings: Option<SnapshotSettings>) -> Self {
        Self {
            store,
            channels: StdMutex::new(HashMap::new()),
            snapshots: settings.map(|s| Arc::new(Snapshots::new(s))),
            restored: AtomicU64::new(0),
        }
    }

    fn slot(&self, channel: ChannelId) -> Slot {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(
            channels
                .entry(channel)
                .or_insert_with(|| Arc::new(Loaded::default())),
        )
    }

    /// Counts the audience of `condition` on `today`, against the channel's current
    /// customer `files` (the ones the tree was validated against). The index is brought
    /// up to date in a task of its own, so a first load that outlasts the caller's
    /// request still completes and serves the next count; the evaluation then runs on a
    /// frozen copy on a blocking thread, holding neither the index nor an async worker.
    pub async fn count(
        self: &Arc<Self>,
        channel: ChannelId,
        files: &[CustomerFile],
        condition: &Condition,
        today: NaiveDate,
    ) -> StoreResult<Counts> {
        let frozen = self.frozen(channel, files).await?;
        let condition = condition.clone();
        tokio::task::spawn_blocking(move || frozen.count(&condition, today))
            .await
            .map_err(|e| StoreError::Backend(format!("the count task failed: {e}")))
    }

    /// A frozen copy of the channel's index at the store's current segment version.
    async fn frozen(
        self: &Arc<Self>,
        channel: ChannelId,
        files: &[CustomerFile],
    ) -> StoreResult<Frozen> {
        let slot = self.slot(channel);
        let engine = Arc::clone(self);
        let files = files.to_vec();
        tokio::spawn(async move {
            let mut index = slot.index.lock().await;
            engine
                .bring_up_to_date(&slot, &mut index, channel, &files)
                .await?;
            Ok(index.freeze(channel))
        })
        .await
        .map_err(|e| StoreError::Backend(format!("the index task failed: {e}")))?
    }

    async fn bring_up_to_date(
        &self,
        slot: &Loaded,
        index: &mut ChannelIndex,
        channel: ChannelId,
        files: &[CustomerFile],
    ) -> StoreResult<()> {
        let version = self.store.segment_version(channel).await?;
        let first = index.version == SINCE_THE_START;
        let started = Instant::now();
        let mut restored = false;
        if let (true, Some(snapshots)) = (first, &self.snapshots) {
            if let Some(loaded) = snapshots
                .restore(self.store.as_ref(), channel, version)
                .await
            {
                *index = loaded;
                restored = true;
                self.restored.fetch_add(1, Ordering::Relaxed);
            }
        }
        let applied = sync::sync(self.store.as_ref(), index, channel, files, version).await?;
        if first {
            tracing::info!(
                channel,
                accounts = index.accounts(),
                friends = index.friends.len(),
                files = files.len(),
                from_snapshot = restored,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "segment index loaded"
            );
            if !restored {
                self.snapshot_in_background(slot, channel, index);
                return Ok(());
            }
        }
        self.snapshot_after_many_changes(slot, channel, index, applied);
        Ok(())
    }

    /// Tells the engine the channel changed: a loaded index catches up in the background
    /// shortly after, once for all the changes reported meanwhile (unless a count holds
    /// the index then; the next count catches up anyway).
    pub fn changed(self: &Arc<Self>, channel: ChannelId) {
        let loaded = self
            .channels
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&channel)
            .map(Arc::clone);
        let Some(slot) = loaded else {
            return;
        };
        if slot.catch_up_queued.swap(true, Ordering::AcqRel) {
            return;
        }
        let engine = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(CATCH_UP_DELAY).await;
            // Cleared before the store is read: a change reported from here on may be
            // missed by this catch-up, so it queues the next one.
            slot.catch_up_queued.store(false, Ordering::Release);
            let Ok(mut index) = slot.index.try_lock() else {
                return;
            };
            // Never a first load here: that is a count's job.
            if index.version == SINCE_THE_START {
                return;
            }
            let result = async {
                let files = engine.store.channel_customer_files(channel).await?;
                engine
                    .bring_up_to_date(&slot, &mut index, channel, &files)
                    .await
            }
            .await;
            if let Err(e) = result {
                tracing::warn!(channel, error = %e, "segment catch-up failed; the next count retries");
            }
        });
    }

    /// How many indexes this engine started from a snapshot (the rest were full loads).
    pub fn snapshots_restored(&self) -> u64 {
        self.restored.load(Ordering::Relaxed)
    }

    /// Drops every index (the next count loads from the store, as after a restart).
    pub fn forget_all(&self) {
        self.channels
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}
