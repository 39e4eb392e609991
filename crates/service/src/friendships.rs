use crate::{ServiceError, ServiceResult, Services};
use talkchannel_domain::{
    AccountId, ChangeSource, ChannelStatus, FriendAction, Friendship, FriendshipLogEntry, Page,
    PageRequest,
};
use talkchannel_store::{FriendshipChange, FriendshipOutcome, WebhookEventKind};

impl Services {
    /// The one way a friendship changes, whichever surface asks: the store writes the row
    /// and its log entry and, for adds and blocks, the webhook events in one transaction.
    pub async fn change_friendship(
        &self,
        account: AccountId,
        channel_public_id: &str,
        action: FriendAction,
        source: ChangeSource,
    ) -> ServiceResult<FriendshipOutcome> {
        let channel = self.channel(channel_public_id).await?;
        self.account(account).await?;
        if action == FriendAction::Add && channel.status == ChannelStatus::Sanctioned {
            return Err(ServiceError::ChannelSanctioned(
                channel.public_id.to_string(),
            ));
        }
        let change = FriendshipChange {
            channel_id: channel.id,
            account_id: account,
            action,
            source,
            at: self.now(),
        };
        let outcome = self.store.apply_friendship_change(&change).await?;
        if let Some(entry) = &outcome.logged {
            self.segments_changed(channel.id);
            if WebhookEventKind::after_change_to(entry.to).is_some() {
                self.wake_webhooks();
            }
            tracing::info!(channel = %channel.public_id, account, from = entry.from.as_str(), to = entry.to.as_str(), source = source.as_str(), "friendship changed");
        }
        Ok(outcome)
    }

    /// The current friendship, or `None` when the account never added nor blocked it.
    pub async fn friendship(
        &self,
        account: AccountId,
        channel_public_id: &str,
    ) -> ServiceResult<Option<Friendship>> {
        let channel = self.channel(channel_public_id).await?;
        self.account(account).await?;
        Ok(self.store.friendship(channel.id, account).await?)
    }

    pub async fn friendship_log(
        &self,
        account: AccountId,
        channel_public_id: &str,
        page: PageRequest,
    ) -> ServiceResult<Page<FriendshipLogEntry>> {
        let channel = self.channel(channel_public_id).await?;
        self.account(account).await?;
        Ok(self.store.friendship_log(channel.id, account, page).await?)
    }
}
