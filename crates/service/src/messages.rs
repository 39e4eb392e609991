//! Channel messages: create (draft or scheduled), send now, cancel, test send, and the
//! scheduled-send pass the server's worker runs.
//!
//! A send fixes the recipients (the target's members who are friends at that moment) and
//! marks the message sent in ONE store transaction; that write is the delivery (chats
//! list the sent messages whose recipient set holds the account). A crash before it
//! commits delivers to no one and the message stays draft or scheduled; after it
//! commits, to everyone exactly once. A retried call with its idempotency key answers
//! with the same message.

use crate::{ServiceError, ServiceResult, Services};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use talkchannel_domain::message::check_ad_time;
use talkchannel_domain::{
    AccountId, Channel, Clash, Entity, Message, MessageBody, MessageId, MessageState, NewMessage,
    Page, PageRequest, Target, ValidationError,
};
use talkchannel_store::{IdempotencyKey, Keyed, RecipientSet, StoreError};

/// Longest idempotency key.
pub const MAX_IDEMPOTENCY_KEY_BYTES: usize = 255;
/// Most accounts one test send may name.
pub const MAX_TEST_ACCOUNTS: usize = 10;
/// Due messages read per batch of a scheduled-send pass.
const DUE_BATCH: u32 = 100;

/// What a create asks for.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MessageRequest {
    pub body: MessageBody,
    pub target: Target,
    pub scheduled_at: Option<DateTime<Utc>>,
}

/// A call's outcome and whether it took effect now or replays an earlier call.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub message: Message,
    pub replayed: bool,
}

impl From<Keyed> for Outcome {
    fn from(k: Keyed) -> Self {
        match k {
            Keyed::Done(message) => Self {
                message,
                replayed: false,
            },
            Keyed::Replayed(message) => Self {
                message,
                replayed: true,
            },
        }
    }
}

fn idempotency_key(channel: &Channel, key: &str, asked: &str) -> ServiceResult<IdempotencyKey> {
    if key.is_empty()
        || key.len() > MAX_IDEMPOTENCY_KEY_BYTES
        || !key.bytes().all(|b| b.is_ascii_graphic())
    {
        return Err(ValidationError::new(
            "Idempotency-Key",
            format!("1 to {MAX_IDEMPOTENCY_KEY_BYTES} visible ASCII characters"),
        )
        .into());
    }
    Ok(IdempotencyKey {
        scope: format!("channel:{}", channel.id),
        key: key.to_owned(),
        fingerprint: hex::encode(Sha256::digest(asked.as_bytes())),
    })
}

/// Store conflicts of message calls, in words the caller can act on.
fn message_conflict(e: StoreError, id: MessageId) -> ServiceError {
    match e {
        StoreError::Conflict(clash @ Clash::IdempotencyKeyReused) => ServiceError::conflict(
            clash,
            "the Idempotency-Key was already used for a different request; use a new key",
        ),
        StoreError::Conflict(clash @ Clash::MessageNotPending) => ServiceError::conflict(
            clash,
            format!("message {id} has already been sent or cancelled"),
        ),
        other => other.into(),
    }
}

impl Services {
    pub async fn create_message(
        &self,
        channel_public_id: &str,
        request: &MessageRequest,
        key: Option<&str>,
    ) -> ServiceResult<Outcome> {
        let channel = self.channel(channel_public_id).await?;
        request.body.validate()?;
        if let Target::Group { group_id } = request.target {
            self.channel_group(channel.id, group_id).await?;
        }
        if let Some(at) = request.scheduled_at {
            if at <= self.now() {
                return Err(ValidationError::new(
                    "scheduled_at",
                    "the scheduled time has passed; pick a time in the future",
                )
                .into());
            }
            check_ad_time(&request.body, at, channel.time_zone)?;
        }
        let asked = serde_json::to_string(request).unwrap_or_default();
        let key = key
            .map(|k| idempotency_key(&channel, k, &format!("create {asked}")))
            .transpose()?;
        let new = NewMessage {
            body: request.body.clone(),
            target: request.target,
            scheduled_at: request.scheduled_at,
            test_of: None,
        };
        let outcome = self
            .store
            .insert_message(channel.id, &new, key.as_ref(), self.now())
            .await
            .map_err(|e| message_conflict(e, 0))?;
        Ok(outcome.into())
    }

    /// The message, if it is this channel's (test sends are not found here).
    pub async fn message(&self, channel_public_id: &str, id: MessageId) -> ServiceResult<Message> {
        let channel = self.channel(channel_public_id).await?;
        self.channel_message(&channel, id).await
    }

    pub(crate) async fn channel_message(
        &self,
        channel: &Channel,
        id: MessageId,
    ) -> ServiceResult<Message> {
        match self.store.message(id).await? {
            Some(m) if m.channel_id == channel.id && m.test_of.is_none() => Ok(m),
            _ => Err(ServiceError::not_found(Entity::Message, id)),
        }
    }

    pub async fn messages(
        &self,
        channel_public_id: &str,
        page: PageRequest,
    ) -> ServiceResult<Page<Message>> {
        let channel = self.channel(channel_public_id).await?;
        Ok(self.store.messages(channel.id, page).await?)
    }

    /// Sends a draft or scheduled message now.
    pub async fn send_message(
        &self,
        channel_public_id: &str,
        id: MessageId,
        key: Option<&str>,
    ) -> ServiceResult<Outcome> {
        let channel = self.channel(channel_public_id).await?;
        let message = self.channel_message(&channel, id).await?;
        let key = key
            .map(|k| idempotency_key(&channel, k, &format!("send {id}")))
            .transpose()?;
        if let Some(key) = &key {
            let earlier = self
                .store
                .keyed_message(key)
                .await
                .map_err(|e| message_conflict(e, id))?;
            if let Some(earlier) = earlier {
                return Ok(Outcome {
                    message: earlier,
                    replayed: true,
                });
            }
        }
        if !matches!(message.state, MessageState::Draft | MessageState::Scheduled) {
            return Err(message_conflict(
                StoreError::Conflict(Clash::MessageNotPending),
                id,
            ));
        }
        check_ad_time(&message.body, self.now(), channel.time_zone)?;
        let recipients = self.recipients(&channel, message.target).await?;
        self.deliver(&message, &recipients, key.as_ref()).await
    }

    async fn deliver(
        &self,
        message: &Message,
        recipients: &RecipientSet,
        key: Option<&IdempotencyKey>,
    ) -> ServiceResult<Outcome> {
        let outcome: Outcome = self
            .store
            .deliver_message(message.id, recipients, key, self.now())
            .await
            .map_err(|e| message_conflict(e, message.id))?
            .into();
        if !outcome.replayed {
            tracing::info!(
                message = message.id,
                recipients = recipients.len(),
                "message delivered"
            );
        }
        Ok(outcome)
    }

    /// The target's members who are friends now. A group deleted since the message was
    /// written stops the send (the message stays as it was).
    async fn recipients(&self, channel: &Channel, target: Target) -> ServiceResult<RecipientSet> {
        let files = self.store.channel_customer_files(channel.id).await?;
        let condition = match target {
            Target::AllFriends => None,
            Target::Group { group_id } => {
                let group = self
                    .channel_group(channel.id, group_id)
                    .await
                    .map_err(|_| {
                        ServiceError::conflict(
                            Clash::TargetGroupDeleted,
                            format!("friend group {group_id} was deleted; target another group"),
                        )
                    })?;
                Some(self.condition(&group.tree, &files).map_err(|e| {
                    ServiceError::conflict(
                        Clash::GroupOutdated,
                        format!(
                            "friend group {group_id} no longer fits the channel's customer files \
                             ({e}); update its tree"
                        ),
                    )
                })?)
            }
        };
        let members = self
            .segments
            .members(
                channel.id,
                &files,
                condition.as_ref(),
                self.segment_today(channel),
            )
            .await?;
        Ok(RecipientSet(members))
    }

    pub async fn cancel_message(
        &self,
        channel_public_id: &str,
        id: MessageId,
    ) -> ServiceResult<Message> {
        let channel = self.channel(channel_public_id).await?;
        self.channel_message(&channel, id).await?;
        self.store
            .cancel_message(id, self.now())
            .await
            .map_err(|e| message_conflict(e, id))
    }

    /// Sends a copy of the message to the named accounts now (a preview on real phones);
    /// the copy is a test send, never counted in the message's statistics.
    pub async fn test_send(
        &self,
        channel_public_id: &str,
        id: MessageId,
        accounts: &[AccountId],
    ) -> ServiceResult<Message> {
        let channel = self.channel(channel_public_id).await?;
        let message = self.channel_message(&channel, id).await?;
        if accounts.is_empty() || accounts.len() > MAX_TEST_ACCOUNTS {
            return Err(ValidationError::new(
                "account_ids",
                format!("name 1 to {MAX_TEST_ACCOUNTS} accounts"),
            )
            .into());
        }
        for account in accounts {
            if self.store.account(*account).await?.is_none() {
                return Err(ServiceError::not_found(Entity::Account, account));
            }
        }
        check_ad_time(&message.body, self.now(), channel.time_zone)?;
        let copy = NewMessage {
            body: message.body.clone(),
            target: message.target,
            scheduled_at: None,
            test_of: Some(message.id),
        };
        let (Keyed::Done(copy) | Keyed::Replayed(copy)) = self
            .store
            .insert_message(channel.id, &copy, None, self.now())
            .await?;
        let recipients = RecipientSet::from_accounts(accounts.iter().copied());
        Ok(self.deliver(&copy, &recipients, None).await?.message)
    }

    /// Sends every scheduled message whose time has come; returns how many went out.
    /// An ad that came due in quiet hours (the server was down, or its channel moved to
    /// another zone) waits for them to end; a message whose group was deleted is
    /// cancelled. The pass reads the due messages in batches until none is left that it
    /// has not looked at, so a backlog drains in one pass and messages held back never
    /// hide the ones behind them.
    pub async fn send_due_messages(&self) -> ServiceResult<usize> {
        let now = self.now();
        let mut seen = HashSet::new();
        let mut sent = 0;
        loop {
            // Sent and cancelled messages leave the due set; held ones stay at its head,
            // so each batch reaches past everything looked at so far.
            let limit = u32::try_from(seen.len())
                .unwrap_or(u32::MAX)
                .saturating_add(DUE_BATCH);
            let due = self.store.due_messages(now, limit).await?;
            let fresh: Vec<Message> = due.into_iter().filter(|m| seen.insert(m.id)).collect();
            if fresh.is_empty() {
                return Ok(sent);
            }
            for message in fresh {
                sent += usize::from(self.send_due(message).await?);
            }
        }
    }

    /// One due message: whether it went out now.
    async fn send_due(&self, message: Message) -> ServiceResult<bool> {
        let Some(channel) = self.store.channel(message.channel_id).await? else {
            return Ok(false);
        };
        // The time of this send, not of the pass start: a long pass may cross 20:00.
        if check_ad_time(&message.body, self.now(), channel.time_zone).is_err() {
            return Ok(false);
        }
        match self.recipients(&channel, message.target).await {
            Ok(recipients) => match self.deliver(&message, &recipients, None).await {
                Ok(_) => Ok(true),
                // Another node sent or someone cancelled it meanwhile.
                Err(ServiceError::Conflict { .. }) => Ok(false),
                Err(e) => Err(e),
            },
            Err(ServiceError::Conflict { message: why, .. }) => {
                tracing::warn!(message = message.id, %why, "scheduled message cancelled");
                let _ = self.store.cancel_message(message.id, self.now()).await;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }
}
