//! Friend-group evaluation: dense per-account ids, roaring bitmaps and column scans.
//!
//! Each channel gets an in-memory [`index::ChannelIndex`], built from the store on first
//! use and kept current by catching up from the changes the store stamps with the
//! channel's segment version (see `talkchannel_store::SegmentStore`). Before every count
//! the engine reads that version (one indexed lookup) and applies what changed since the
//! index's version, so a count is never computed on a stale index, whichever node (or
//! process) made the change. Writers on this node also call [`SegmentEngine::changed`],
//! which catches up in the background so the next count finds little to do.

mod columns;
mod eval;
mod index;
mod members;
mod sync;

use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::{Arc, Mutex as StdMutex, PoisonError};
use std::time::Instant;
use talkchannel_domain::{ChannelId, Condition, CustomerFile};
use talkchannel_store::{Store, StoreError, StoreResult, SINCE_THE_START};
use tokio::sync::Mutex;

pub use index::ChannelIndex;

/// A group's audience: accounts matched that hold a row in any of the channel's customer
/// files (`registered`) and matched accounts that are friends now (`friends`), each
/// account counted once however many rows name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub registered: u64,
    pub friends: u64,
}

type Slot = Arc<Mutex<ChannelIndex>>;

/// The per-channel indexes of one server process.
pub struct SegmentEngine {
    store: Arc<dyn Store>,
    channels: StdMutex<HashMap<ChannelId, Slot>>,
}

impl SegmentEngine {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            channels: StdMutex::new(HashMap::new()),
        }
    }

    fn slot(&self, channel: ChannelId) -> Slot {
        let mut channels = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(channels.entry(channel).or_insert_with(|| {
            Arc::new(Mutex::new(ChannelIndex {
                version: SINCE_THE_START,
                ..ChannelIndex::default()
            }))
        }))
    }

    /// Counts the audience of `condition` on `today`, against the channel's current
    /// customer `files` (the ones the tree was validated against). The work runs in a task
    /// of its own, so a first load that outlasts the caller's request still completes and
    /// serves the next count.
    pub async fn count(
        self: &Arc<Self>,
        channel: ChannelId,
        files: &[CustomerFile],
        condition: &Condition,
        today: NaiveDate,
    ) -> StoreResult<Counts> {
        let slot = self.slot(channel);
        let engine = Arc::clone(self);
        let (files, condition) = (files.to_vec(), condition.clone());
        tokio::spawn(async move {
            let mut index = slot.lock_owned().await;
            engine.bring_up_to_date(&mut index, channel, &files).await?;
            let matched = eval::evaluate(&index, &condition, today);
            Ok(Counts {
                registered: matched.intersection_len(&index.registered()),
                friends: matched.intersection_len(&index.friends),
            })
        })
        .await
        .map_err(|e| StoreError::Backend(format!("the count task failed: {e}")))?
    }

    async fn bring_up_to_date(
        &self,
        index: &mut ChannelIndex,
        channel: ChannelId,
        files: &[CustomerFile],
    ) -> StoreResult<()> {
        let version = self.store.segment_version(channel).await?;
        let first = index.version == SINCE_THE_START;
        let started = Instant::now();
        sync::sync(self.store.as_ref(), index, channel, files, version).await?;
        if first {
            tracing::info!(
                channel,
                accounts = index.accounts(),
                friends = index.friends.len(),
                files = files.len(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "segment index loaded"
            );
        }
        Ok(())
    }

    /// Tells the engine the channel changed: a loaded index catches up in the background
    /// (unless a count or another catch-up holds it; the next count catches up anyway).
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
        let engine = Arc::clone(self);
        tokio::spawn(async move {
            let Ok(mut index) = slot.try_lock() else {
                return;
            };
            if index.version == SINCE_THE_START {
                return;
            }
            let result = async {
                let files = engine.store.channel_customer_files(channel).await?;
                engine.bring_up_to_date(&mut index, channel, &files).await
            }
            .await;
            if let Err(e) = result {
                tracing::warn!(channel, error = %e, "segment catch-up failed; the next count retries");
            }
        });
    }

    /// Drops every index (the next count loads from the store, as after a restart).
    pub fn forget_all(&self) {
        self.channels
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}
