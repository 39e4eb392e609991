//! `MessageStore` for SQLite. Every write runs on the single writer connection inside
//! BEGIN IMMEDIATE, so a key check and the write it guards cannot interleave with another.

use crate::error::backend;
use crate::rows::{all, cursor, from_ms, to_ms};
use crate::SqliteStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{Sqlite, Transaction};
use talkchannel_domain::{
    AccountId, ChannelId, Clash, Entity, Message, MessageId, NewMessage, Page, PageRequest,
};
use talkchannel_store::{
    body_json, check_key, initial_state, target_group, IdempotencyKey, Keyed, MessageParts,
    MessageStore, ReceiptCounts, RecipientSet, StoreError, StoreResult, MESSAGE_COLUMNS,
};

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: i64,
    channel_id: i64,
    body: String,
    group_id: Option<i64>,
    state: String,
    scheduled_at: Option<i64>,
    test_of: Option<i64>,
    created_at: i64,
    updated_at: i64,
    sent_at: Option<i64>,
    recipient_count: Option<i64>,
    delivery_seq: Option<i64>,
}

impl MessageRow {
    fn into_domain(self) -> StoreResult<Message> {
        MessageParts {
            id: self.id,
            channel_id: self.channel_id,
            body: self.body,
            group_id: self.group_id,
            state: self.state,
            scheduled_at: self.scheduled_at.map(from_ms).transpose()?,
            test_of: self.test_of,
            created_at: from_ms(self.created_at)?,
            updated_at: from_ms(self.updated_at)?,
            sent_at: self.sent_at.map(from_ms).transpose()?,
            recipient_count: self.recipient_count,
            delivery_seq: self.delivery_seq,
        }
        .into_message()
    }
}

type Tx = Transaction<'static, Sqlite>;

async fn message_in(tx: &mut Tx, id: MessageId) -> StoreResult<Option<Message>> {
    sqlx::query_as::<_, MessageRow>(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(backend)?
    .map(MessageRow::into_domain)
    .transpose()
}

/// The message an earlier call with this key made, or a conflict on another fingerprint.
async fn keyed_in(tx: &mut Tx, key: &IdempotencyKey) -> StoreResult<Option<Message>> {
    let found: Option<(String, i64)> = sqlx::query_as(
        "SELECT fingerprint, message_id FROM idempotency_keys WHERE scope = ? AND key = ?",
    )
    .bind(&key.scope)
    .bind(&key.key)
    .fetch_optional(&mut **tx)
    .await
    .map_err(backend)?;
    let Some((fingerprint, id)) = found else {
        return Ok(None);
    };
    check_key(key, &fingerprint)?;
    message_in(tx, id).await
}

async fn store_key(tx: &mut Tx, key: &IdempotencyKey, id: MessageId, at: i64) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO idempotency_keys (scope, key, fingerprint, message_id, created_at) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&key.scope)
    .bind(&key.key)
    .bind(&key.fingerprint)
    .bind(id)
    .bind(at)
    .execute(&mut **tx)
    .await
    .map_err(backend)
    .map(drop)
}

fn state_conflict<T>(found: Option<T>) -> StoreResult<T> {
    found.ok_or(StoreError::Conflict(Clash::MessageNotPending))
}

#[async_trait]
impl MessageStore for SqliteStore {
    async fn insert_message(
        &self,
        channel: ChannelId,
        new: &NewMessage,
        key: Option<&IdempotencyKey>,
        at: DateTime<Utc>,
    ) -> StoreResult<Keyed> {
        let mut tx = self.write_tx().await?;
        if let Some(key) = key {
            if let Some(earlier) = keyed_in(&mut tx, key).await? {
                return Ok(Keyed::Replayed(earlier));
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO messages (channel_id, body, group_id, state, scheduled_at, test_of, \
             created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(channel)
        .bind(body_json(new))
        .bind(target_group(new.target))
        .bind(initial_state(new).as_str())
        .bind(new.scheduled_at.map(to_ms))
        .bind(new.test_of)
        .bind(to_ms(at))
        .bind(to_ms(at))
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        if let Some(key) = key {
            store_key(&mut tx, key, id, to_ms(at)).await?;
        }
        let message = message_in(&mut tx, id).await?;
        tx.commit().await.map_err(backend)?;
        message
            .map(Keyed::Done)
            .ok_or(StoreError::NotFound(Entity::Message))
    }

    async fn message(&self, id: MessageId) -> StoreResult<Option<Message>> {
        sqlx::query_as::<_, MessageRow>(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.reader)
        .await
        .map_err(backend)?
        .map(MessageRow::into_domain)
        .transpose()
    }

    async fn messages(&self, channel: ChannelId, page: PageRequest) -> StoreResult<Page<Message>> {
        let rows = sqlx::query_as::<_, MessageRow>(&crate::paged::messages())
            .bind(channel)
            .bind(cursor(page))
            .bind(page.fetch_limit())
            .fetch_all(&self.reader)
            .await
            .map_err(backend)?;
        Ok(Page::from_rows(
            all(rows, MessageRow::into_domain)?,
            page,
            |m| m.id,
        ))
    }

    async fn keyed_message(&self, key: &IdempotencyKey) -> StoreResult<Option<Message>> {
        let mut tx = self.reader.begin().await.map_err(backend)?;
        keyed_in(&mut tx, key).await
    }

    async fn deliver_message(
        &self,
        id: MessageId,
        recipients: &RecipientSet,
        key: Option<&IdempotencyKey>,
        at: DateTime<Utc>,
    ) -> StoreResult<Keyed> {
        let mut tx = self.write_tx().await?;
        if let Some(key) = key {
            if let Some(earlier) = keyed_in(&mut tx, key).await? {
                return Ok(Keyed::Replayed(earlier));
            }
        }
        let row = sqlx::query_as::<_, MessageRow>(&format!(
            "UPDATE messages SET state = 'sent', sent_at = ?1, updated_at = ?1, \
             recipients = ?2, recipient_count = ?3, \
             delivery_seq = (SELECT COALESCE(MAX(delivery_seq), 0) + 1 FROM messages) \
             WHERE id = ?4 AND state IN ('draft', 'scheduled') RETURNING {MESSAGE_COLUMNS}"
        ))
        .bind(to_ms(at))
        .bind(recipients.to_bytes())
        .bind(recipients.len() as i64)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
        let Some(row) = row else {
            // A racing call with the same key may have sent it while this one waited on
            // the row: then this is a replay, not a conflict.
            if let Some(key) = key {
                if let Some(earlier) = keyed_in(&mut tx, key).await? {
                    return Ok(Keyed::Replayed(earlier));
                }
            }
            return Err(StoreError::Conflict(Clash::MessageNotPending));
        };
        let message = row.into_domain()?;
        if let Some(key) = key {
            store_key(&mut tx, key, id, to_ms(at)).await?;
        }
        tx.commit().await.map_err(backend)?;
        Ok(Keyed::Done(message))
    }

    async fn cancel_message(&self, id: MessageId, at: DateTime<Utc>) -> StoreResult<Message> {
        let row = sqlx::query_as::<_, MessageRow>(&format!(
            "UPDATE messages SET state = 'cancelled', updated_at = ? \
             WHERE id = ? AND state IN ('draft', 'scheduled') RETURNING {MESSAGE_COLUMNS}"
        ))
        .bind(to_ms(at))
        .bind(id)
        .fetch_optional(&self.writer)
        .await
        .map_err(backend)?;
        state_conflict(row)?.into_domain()
    }

    async fn due_messages(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Message>> {
        let rows = sqlx::query_as::<_, MessageRow>(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE state = 'scheduled' \
             AND scheduled_at <= ? ORDER BY scheduled_at, id LIMIT ?"
        ))
        .bind(to_ms(now))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(backend)?;
        all(rows, MessageRow::into_domain)
    }

    async fn recipient_set(&self, id: MessageId) -> StoreResult<Option<RecipientSet>> {
        let blob: Option<Option<Vec<u8>>> =
            sqlx::query_scalar("SELECT recipients FROM messages WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.reader)
                .await
                .map_err(backend)?;
        blob.flatten()
            .map(|b| RecipientSet::from_bytes(&b))
            .transpose()
    }

    async fn delivered_messages(
        &self,
        channel: ChannelId,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let rows = sqlx::query_as::<_, MessageRow>(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE channel_id = ? \
             AND delivery_seq < ? ORDER BY delivery_seq DESC LIMIT ?"
        ))
        .bind(channel)
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(backend)?;
        all(rows, MessageRow::into_domain)
    }

    async fn mark_read(
        &self,
        account: AccountId,
        messages: &[MessageId],
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        for id in messages {
            sqlx::query(
                "INSERT INTO message_receipts (message_id, account_id, read_at) VALUES (?, ?, ?) \
                 ON CONFLICT (message_id, account_id) \
                 DO UPDATE SET read_at = COALESCE(read_at, excluded.read_at)",
            )
            .bind(id)
            .bind(account)
            .bind(to_ms(at))
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn record_click(
        &self,
        message: MessageId,
        account: AccountId,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO message_receipts (message_id, account_id, clicked_at) VALUES (?, ?, ?) \
             ON CONFLICT (message_id, account_id) \
             DO UPDATE SET clicked_at = COALESCE(clicked_at, excluded.clicked_at)",
        )
        .bind(message)
        .bind(account)
        .bind(to_ms(at))
        .execute(&self.writer)
        .await
        .map_err(backend)
        .map(drop)
    }

    async fn receipt_counts(&self, message: MessageId) -> StoreResult<ReceiptCounts> {
        let (read, clicked): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(read_at), COUNT(clicked_at) FROM message_receipts WHERE message_id = ?",
        )
        .bind(message)
        .fetch_one(&self.reader)
        .await
        .map_err(backend)?;
        Ok(ReceiptCounts {
            read: read as u64,
            clicked: clicked as u64,
        })
    }

    async fn blocked_since(
        &self,
        channel: ChannelId,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<AccountId>> {
        sqlx::query_scalar(
            "SELECT account_id FROM friendships WHERE channel_id = ? AND relation = 'BLOCKED' \
             AND updated_at >= ?",
        )
        .bind(channel)
        .bind(to_ms(since))
        .fetch_all(&self.reader)
        .await
        .map_err(backend)
    }
}
