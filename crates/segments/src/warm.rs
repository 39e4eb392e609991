//! The warm-up after a start: the index of every channel with friend groups is loaded
//! (from its snapshot when there is a usable one) and its snapshot brought up to date,
//! before anyone counts or sends. Without it a process that never counted left no
//! snapshot, so a kill before the first send's load ended meant another full load, and a
//! process killed before its periodic pass left the old snapshot and a catch-up that grew
//! with every such restart.

use crate::SegmentEngine;
use std::sync::Arc;
use std::time::Instant;
use talkchannel_domain::{ChannelId, PageRequest};
use talkchannel_store::StoreResult;

/// Channels read per page while looking for those with groups.
const PAGE: u32 = 200;

impl SegmentEngine {
    /// Loads each channel with friend groups in turn and writes its snapshot when the one
    /// on disk is older; returns how many channels it loaded. A count or send arriving
    /// meanwhile waits for the same load on the channel's index lock (never a second
    /// load); one channel at a time keeps the load off most of the machine and at most
    /// one snapshot's write in flight. Failures are logged: the first count loads then.
    pub async fn warm_up(self: &Arc<Self>) -> usize {
        let started = Instant::now();
        let channels = match self.channels_with_groups().await {
            Ok(channels) => channels,
            Err(e) => {
                tracing::warn!(error = %e, "segment warm-up cannot list channels; indexes load at their first count");
                return 0;
            }
        };
        let mut loaded = 0;
        for channel in channels {
            match self.warm_up_channel(channel).await {
                Ok(()) => loaded += 1,
                Err(e) => {
                    tracing::warn!(channel, error = %e, "segment warm-up failed; the first count loads the index")
                }
            }
        }
        tracing::info!(
            channels = loaded,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "segment warm-up done"
        );
        loaded
    }

    async fn warm_up_channel(self: &Arc<Self>, channel: ChannelId) -> StoreResult<()> {
        let files = self.store.channel_customer_files(channel).await?;
        let frozen = self.frozen(channel, &files).await?;
        if let Some(snapshots) = &self.snapshots {
            // After a full load the snapshot is already on its way: this waits for it
            // and writes nothing more. After a restore it writes only if the catch-up
            // moved the index past the snapshot.
            if snapshots.stale(channel, frozen.version) {
                self.slot(channel).taken_now();
            }
            snapshots.write(self.store.as_ref(), frozen).await;
        }
        Ok(())
    }

    async fn channels_with_groups(&self) -> StoreResult<Vec<ChannelId>> {
        let mut found = Vec::new();
        let mut page = PageRequest::first(PAGE);
        loop {
            let channels = self.store.channels(page).await?;
            for channel in channels.items {
                let groups = self
                    .store
                    .friend_groups(channel.id, PageRequest::first(1))
                    .await?;
                if !groups.items.is_empty() {
                    found.push(channel.id);
                }
            }
            match channels.next_cursor {
                Some(after) => page.after = Some(after),
                None => return Ok(found),
            }
        }
    }
}
