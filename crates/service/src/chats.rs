//! An account's chat with a channel (the sent messages whose recipient set holds it),
//! reading it, message statistics and tracked button clicks.

use crate::{ServiceError, ServiceResult, Services};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::Arc;
use talkchannel_domain::{AccountId, Entity, Message, MessageId, ValidationError};
use talkchannel_store::RecipientSet;

/// Messages in a chat page by default, and at most.
pub const DEFAULT_CHAT_LIMIT: u32 = 50;
pub const MAX_CHAT_LIMIT: u32 = 200;
/// How far back "opening the chat" marks messages read.
const READ_WINDOW: u32 = 1_000;
/// Sent messages read from the store per step while filling a chat page.
const SCAN_STEP: u32 = 200;
/// Decoded recipient sets kept in memory (sent sets never change, so any node may cache).
const RECIPIENT_CACHE_BYTES: u64 = 256 * 1024 * 1024;
const LINK_SECRET_SETTING: &str = "message_link_secret";

/// Decoded recipient sets by message, weighed by their serialized size.
pub type RecipientCache = moka::sync::Cache<MessageId, Arc<RecipientSet>>;

pub fn recipient_cache() -> RecipientCache {
    moka::sync::Cache::builder()
        .max_capacity(RECIPIENT_CACHE_BYTES)
        .weigher(|_, set: &Arc<RecipientSet>| {
            u32::try_from(set.0.serialized_size()).unwrap_or(u32::MAX)
        })
        .build()
}

/// What a message's statistics hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageStats {
    /// Accounts in the recipient set fixed at send time.
    pub targeted: u64,
    /// Accounts the message reached: the whole set, delivered in the same transaction.
    pub delivered: u64,
    /// Recipients who opened their chat with the channel after delivery.
    pub read: u64,
    /// Recipients who clicked a button (each counted once).
    pub clicked: u64,
    /// Recipients who blocked the channel after delivery and still do.
    pub blocked: u64,
}

impl Services {
    async fn recipient_set(&self, id: MessageId) -> ServiceResult<Arc<RecipientSet>> {
        if let Some(set) = self.recipient_sets.get(&id) {
            return Ok(set);
        }
        let set = Arc::new(self.store.recipient_set(id).await?.unwrap_or_default());
        self.recipient_sets.insert(id, Arc::clone(&set));
        Ok(set)
    }

    /// The account's chat with the channel: messages delivered to it, newest first,
    /// each once, below the delivery position `before` when given.
    pub async fn chat(
        &self,
        channel_public_id: &str,
        account: AccountId,
        before: Option<i64>,
        limit: u32,
    ) -> ServiceResult<Vec<Message>> {
        let channel = self.channel(channel_public_id).await?;
        if limit == 0 || limit > MAX_CHAT_LIMIT {
            return Err(ValidationError::new(
                "limit",
                format!("must be between 1 and {MAX_CHAT_LIMIT}"),
            )
            .into());
        }
        if self.store.account(account).await?.is_none() {
            return Err(ServiceError::not_found(Entity::Account, account));
        }
        self.scan_chat(channel.id, account, before, limit, u32::MAX)
            .await
    }

    /// Walks the channel's sent messages newest first, keeping the account's, until
    /// `limit` are found or `budget` messages were looked at.
    async fn scan_chat(
        &self,
        channel: i64,
        account: AccountId,
        mut before: Option<i64>,
        limit: u32,
        budget: u32,
    ) -> ServiceResult<Vec<Message>> {
        let mut found = Vec::new();
        let mut seen = 0u32;
        loop {
            let batch = self
                .store
                .delivered_messages(channel, before, SCAN_STEP)
                .await?;
            let Some(last) = batch.last() else {
                return Ok(found);
            };
            before = last.delivery_seq;
            let more = batch.len() == SCAN_STEP as usize;
            for message in batch {
                seen += 1;
                if self.recipient_set(message.id).await?.contains(account) {
                    found.push(message);
                    if found.len() == limit as usize {
                        return Ok(found);
                    }
                }
            }
            if !more || seen >= budget {
                return Ok(found);
            }
        }
    }

    /// The account opened its chat: every message delivered to it (among the channel's
    /// latest [`READ_WINDOW`] sends) counts as read from now.
    pub async fn mark_chat_read(
        &self,
        channel_public_id: &str,
        account: AccountId,
    ) -> ServiceResult<usize> {
        let channel = self.channel(channel_public_id).await?;
        if self.store.account(account).await?.is_none() {
            return Err(ServiceError::not_found(Entity::Account, account));
        }
        let messages = self
            .scan_chat(channel.id, account, None, READ_WINDOW, READ_WINDOW)
            .await?;
        let ids: Vec<MessageId> = messages.iter().map(|m| m.id).collect();
        self.store.mark_read(account, &ids, self.now()).await?;
        Ok(ids.len())
    }

    pub async fn message_stats(
        &self,
        channel_public_id: &str,
        id: MessageId,
    ) -> ServiceResult<MessageStats> {
        let channel = self.channel(channel_public_id).await?;
        let message = self.channel_message(&channel, id).await?;
        let Some(sent_at) = message.sent_at else {
            return Ok(MessageStats {
                targeted: 0,
                delivered: 0,
                read: 0,
                clicked: 0,
                blocked: 0,
            });
        };
        let set = self.recipient_set(id).await?;
        let receipts = self.store.receipt_counts(id).await?;
        let blocked = self
            .store
            .blocked_since(channel.id, sent_at)
            .await?
            .into_iter()
            .filter(|a| set.contains(*a))
            .count() as u64;
        Ok(MessageStats {
            targeted: set.len(),
            delivered: set.len(),
            read: receipts.read,
            clicked: receipts.clicked,
            blocked,
        })
    }

    async fn link_secret(&self) -> ServiceResult<Vec<u8>> {
        let fresh = crate::secrets::alphanumeric(48);
        self.store
            .put_setting_if_absent(LINK_SECRET_SETTING, &fresh)
            .await?;
        let secret = self.store.setting(LINK_SECRET_SETTING).await?;
        Ok(secret.unwrap_or(fresh).into_bytes())
    }

    fn link_token(secret: &[u8], message: MessageId, button: usize, account: AccountId) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(format!("{message}:{button}:{account}").as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// The tracked path of each button of `message` for `account`
    /// (`/m/{message}/{button}?a={account}&t={signature}`).
    pub async fn tracked_links(
        &self,
        message: &Message,
        account: AccountId,
    ) -> ServiceResult<Vec<String>> {
        let secret = self.link_secret().await?;
        Ok((0..message.body.buttons.len())
            .map(|i| {
                let token = Self::link_token(&secret, message.id, i, account);
                format!("/m/{}/{i}?a={account}&t={token}", message.id)
            })
            .collect())
    }

    /// A click on a tracked link: checks the signature, records the recipient's first
    /// click and returns where to send the browser. A forged or stale link is not found.
    pub async fn click(
        &self,
        message: MessageId,
        button: usize,
        account: AccountId,
        token: &str,
    ) -> ServiceResult<String> {
        let secret = self.link_secret().await?;
        let expected = Self::link_token(&secret, message, button, account);
        let not_found = || ServiceError::not_found(Entity::Link, format!("/m/{message}/{button}"));
        if !constant_time_eq(expected.as_bytes(), token.as_bytes()) {
            return Err(not_found());
        }
        let found = self.store.message(message).await?.ok_or_else(not_found)?;
        let url = found
            .body
            .buttons
            .get(button)
            .map(|b| b.url.clone())
            .ok_or_else(not_found)?;
        if self.recipient_set(message).await?.contains(account) {
            self.store
                .record_click(message, account, self.now())
                .await?;
        }
        Ok(url)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
