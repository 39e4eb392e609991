//! A group's members as account ids: what a message send fixes as its recipients.

use crate::{eval, SegmentEngine};
use chrono::NaiveDate;
use roaring::RoaringTreemap;
use talkchannel_domain::{ChannelId, Condition, CustomerFile};
use talkchannel_store::StoreResult;

impl SegmentEngine {
    /// The channel's friends now that match `condition` (every friend when `None`), as
    /// account ids, from an index brought up to the store's segment version first.
    pub async fn members(
        &self,
        channel: ChannelId,
        files: &[CustomerFile],
        condition: Option<&Condition>,
        today: NaiveDate,
    ) -> StoreResult<RoaringTreemap> {
        let slot = self.slot(channel);
        let mut index = slot.lock().await;
        self.bring_up_to_date(&mut index, channel, files).await?;
        let dense = match condition {
            Some(c) => eval::evaluate(&index, c, today) & &index.friends,
            None => index.friends.clone(),
        };
        // Dense ids are this process's; the durable set names accounts.
        let mut accounts: Vec<u64> = dense
            .iter()
            .filter_map(|id| u64::try_from(index.account(id)).ok())
            .collect();
        accounts.sort_unstable();
        Ok(RoaringTreemap::from_sorted_iter(accounts).unwrap_or_default())
    }
}
