//! A group's members as account ids: what a message send fixes as its recipients.

use crate::{eval, Frozen, SegmentEngine};
use chrono::NaiveDate;
use roaring::RoaringTreemap;
use std::sync::Arc;
use talkchannel_domain::{ChannelId, Condition, CustomerFile};
use talkchannel_store::{StoreError, StoreResult};

impl SegmentEngine {
    /// The channel's friends now that match `condition` (every friend when `None`), as
    /// account ids, from an index brought up to the store's segment version first.
    pub async fn members(
        self: &Arc<Self>,
        channel: ChannelId,
        files: &[CustomerFile],
        condition: Option<&Condition>,
        today: NaiveDate,
    ) -> StoreResult<RoaringTreemap> {
        let frozen = self.frozen(channel, files).await?;
        // Evaluating and naming millions of members is CPU work of up to a second at 10M
        // friends: it runs on a blocking thread, off the index, so requests served
        // meanwhile (chat reads, counts) queue behind it neither on an async worker nor
        // on the index's lock.
        let condition = condition.cloned();
        tokio::task::spawn_blocking(move || member_accounts(&frozen, condition.as_ref(), today))
            .await
            .map_err(|e| StoreError::Backend(format!("the members task failed: {e}")))
    }
}

/// Evaluates the condition on the index and names the matching friends by account id
/// (dense ids are this process's; the durable set names accounts).
fn member_accounts(
    index: &Frozen,
    condition: Option<&Condition>,
    today: NaiveDate,
) -> RoaringTreemap {
    let dense = match condition {
        Some(c) => eval::evaluate(index, c, today).to_bitmap() & &index.friends,
        None => index.friends.clone(),
    };
    let mut accounts: Vec<u64> = Vec::with_capacity(dense.len() as usize);
    accounts.extend(
        dense
            .iter()
            .filter_map(|id| u64::try_from(index.account(id)).ok()),
    );
    accounts.sort_unstable();
    RoaringTreemap::from_sorted_iter(accounts).unwrap_or_default()
}
