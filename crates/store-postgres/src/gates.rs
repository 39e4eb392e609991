//! In-process queues for the writes PostgreSQL serialises per channel anyway.
//!
//! A friendship change locks its channel's customer-file records (to move their friend
//! counts) and then the channel's segment-version row until it commits, so one channel's
//! changes run one at a time whatever the nodes do. Waiting for those row locks inside
//! PostgreSQL holds a pooled connection each: 64 concurrent changes to one channel held
//! every connection of the pool, and counts and reads queued behind them for hundreds of
//! milliseconds. So a node queues a channel's friendship changes here first, and at most
//! one of its connections waits on that channel's locks (as SQLite's single writer does).
//! The gates are striped by channel id: memory stays bounded, and two channels that share
//! a stripe only queue behind each other in this process.

use talkchannel_domain::ChannelId;
use tokio::sync::{Mutex, MutexGuard};

const STRIPES: usize = 64;

#[derive(Debug)]
pub(crate) struct ChannelGates {
    stripes: Vec<Mutex<()>>,
}

impl ChannelGates {
    pub fn new() -> Self {
        Self {
            stripes: (0..STRIPES).map(|_| Mutex::new(())).collect(),
        }
    }

    /// Waits for the channel's turn; the turn lasts as long as the guard.
    pub async fn enter(&self, channel: ChannelId) -> MutexGuard<'_, ()> {
        let stripe = channel.rem_euclid(STRIPES as ChannelId) as usize;
        self.stripes[stripe].lock().await
    }
}
