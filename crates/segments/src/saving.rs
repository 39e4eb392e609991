//! When a loaded index's snapshot is written: right after a full load, after many
//! changes (bounded in rate), and in the server's periodic and shutdown passes.
//!
//! What a restart costs after a kill is the snapshot's read plus the catch-up from its
//! version; the catch-up reads what changed since, roughly one record per change, at
//! about the rate of a full load (a few microseconds per record through the driver; the
//! bench's figures are in docs/benchmarks.md). So besides the periodic pass, an index
//! that has applied `after_changes` records since its last snapshot writes a new one, at
//! most once per `min_interval`: a kill at any moment then leaves a catch-up of at most
//! about `after_changes` records plus what arrived within `min_interval`.

use crate::index::ChannelIndex;
use crate::{Loaded, SegmentEngine, Slot};
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::time::Instant;
use talkchannel_domain::ChannelId;
use talkchannel_store::SINCE_THE_START;

impl SegmentEngine {
    /// Writes the index's snapshot from a frozen copy, without holding the index.
    pub(crate) fn snapshot_in_background(
        &self,
        slot: &Loaded,
        channel: ChannelId,
        index: &ChannelIndex,
    ) {
        let Some(snapshots) = &self.snapshots else {
            return;
        };
        slot.taken_now();
        let (snapshots, store) = (Arc::clone(snapshots), Arc::clone(&self.store));
        let frozen = index.freeze(channel);
        tokio::spawn(async move { snapshots.write(store.as_ref(), frozen).await });
    }

    /// Counts `applied` records against the index's snapshot and writes a new one when
    /// they reach the threshold and the last one is old enough.
    pub(crate) fn snapshot_after_many_changes(
        &self,
        slot: &Loaded,
        channel: ChannelId,
        index: &ChannelIndex,
        applied: u64,
    ) {
        let Some(snapshots) = &self.snapshots else {
            return;
        };
        let settings = snapshots.settings();
        let unsaved = slot.unsaved.fetch_add(applied, Ordering::Relaxed) + applied;
        let recent = slot
            .saved_at()
            .is_some_and(|at| at.elapsed() < settings.min_interval);
        if unsaved >= settings.after_changes && !recent {
            tracing::debug!(
                channel,
                unsaved,
                "segment index changed much since its snapshot"
            );
            self.snapshot_in_background(slot, channel, index);
        }
    }

    /// Writes a snapshot of every loaded index that changed since its last one (the
    /// server calls this periodically and on a graceful shutdown). Each index is held
    /// only while it is copied (its columns are shared copy-on-write, so that is quick);
    /// returns how many snapshots were written.
    pub async fn write_snapshots(&self) -> usize {
        let Some(snapshots) = &self.snapshots else {
            return 0;
        };
        let loaded: Vec<(ChannelId, Slot)> = self
            .channels
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(c, s)| (*c, Arc::clone(s)))
            .collect();
        let mut written = 0;
        for (channel, slot) in loaded {
            let frozen = {
                let index = slot.index.lock().await;
                if index.version == SINCE_THE_START || !snapshots.stale(channel, index.version) {
                    continue;
                }
                slot.taken_now();
                index.freeze(channel)
            };
            if snapshots.write(self.store.as_ref(), frozen).await {
                written += 1;
            }
        }
        written
    }
}

impl Loaded {
    /// A snapshot of the index as it is now is being taken.
    pub(crate) fn taken_now(&self) {
        self.unsaved.store(0, Ordering::Relaxed);
        *self.saved_at.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
    }

    fn saved_at(&self) -> Option<Instant> {
        *self.saved_at.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
