//! `MessageStore` for PostgreSQL. A delivery's UPDATE takes the message row's lock and
//! re-checks the state, so two nodes sending one message cannot both mark it sent; a key
//! inserted by a racing call surfaces as a unique violation and is read back.

use crate::error::{db as backend, is_unique_violation};
use crate::rows::after;
use crate::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{Postgres, Transaction};
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
    scheduled_at: Option<DateTime<Utc>>,
    test_of: Option<i64>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
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
            scheduled_at: self.scheduled_at,
            test_of: self.test_of,
            created_at: self.created_at,
            updated_at: self.updated_at,
            sent_at: self.sent_at,
            recipient_count: self.recipient_count,
            delivery_seq: self.delivery_seq,
        }
        .into_message()
    }
}

type Tx = Transaction<'static, Postgres>;

async fn message_in(tx: &mut Tx, id: MessageId) -> StoreResult<Option<Message>> {
    sqlx::query_as::<_, MessageRow>(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1"
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
        "SELECT fingerprint, message_id FROM idempotency_keys WHERE scope = $1 AND key = $2",
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

async fn store_key(
    tx: &mut Tx,
    key: &IdempotencyKey,
    id: MessageId,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO idempotency_keys (scope, key, fingerprint, message_id, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&key.scope)
    .bind(&key.key)
    .bind(&key.fingerprint)
    .bind(id)
    .bind(at)
    .execute(&mut **tx)
    .await
    .map_err(|e| {
        if is_unique_violation(&e, "idempotency_keys_pkey") {
            StoreError::Conflict(Clash::IdempotencyKeyRace)
        } else {
            backend(e)
        }
    })
    .map(drop)
}

impl PgStore {
    /// After losing a race on a key (our transaction rolled back): the winner's message,
    /// or a conflict if the winner asked for something else.
    async fn after_key_race(&self, key: &IdempotencyKey, e: StoreError) -> StoreResult<Keyed> {
        if !matches!(e, StoreError::Conflict(Clash::IdempotencyKeyRace)) {
            return Err(e);
        }
        match self.keyed_message(key).await? {
            Some(earlier) => Ok(Keyed::Replayed(earlier)),
            None => Err(StoreError::Conflict(Clash::IdempotencyKeyReused)),
        }
    }
}

fn state_conflict<T>(found: Option<T>) -> StoreResult<T> {
    found.ok_or(StoreError::Conflict(Clash::MessageNotPending))
}

#[async_trait]
impl MessageStore for PgStore {
    async fn insert_message(
        &self,
        channel: ChannelId,
        new: &NewMessage,
        key: Option<&IdempotencyKey>,
        at: DateTime<Utc>,
    ) -> StoreResult<Keyed> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        if let Some(key) = key {
            if let Some(earlier) = keyed_in(&mut tx, key).await? {
                return Ok(Keyed::Replayed(earlier));
            }
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO messages (channel_id, body, group_id, state, scheduled_at, test_of, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(channel)
        .bind(body_json(new))
        .bind(target_group(new.target))
        .bind(initial_state(new).as_str())
        .bind(new.scheduled_at)
        .bind(new.test_of)
        .bind(at)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(backend)?;
        if let Some(key) = key {
            if let Err(e) = store_key(&mut tx, key, id, at).await {
                drop(tx);
                return self.after_key_race(key, e).await;
            }
        }
        let message = message_in(&mut tx, id).await?;
        tx.commit().await.map_err(backend)?;
        message
            .map(Keyed::Done)
            .ok_or(StoreError::NotFound(Entity::Message))
    }

    async fn message(&self, id: MessageId) -> StoreResult<Option<Message>> {
        sqlx::query_as::<_, MessageRow>(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?
        .map(MessageRow::into_domain)
        .transpose()
    }

    async fn messages(&self, channel: ChannelId, page: PageRequest) -> StoreResult<Page<Message>> {
        let rows = sqlx::query_as::<_, MessageRow>(&crate::paged::messages())
            .bind(channel)
            .bind(after(page))
            .bind(page.fetch_limit())
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        Ok(Page::from_rows(
            rows.into_iter()
                .map(MessageRow::into_domain)
                .collect::<StoreResult<_>>()?,
            page,
            |m| m.id,
        ))
    }

    async fn keyed_message(&self, key: &IdempotencyKey) -> StoreResult<Option<Message>> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        keyed_in(&mut tx, key).await
    }

    async fn deliver_message(
        &self,
        id: MessageId,
        recipients: &RecipientSet,
        key: Option<&IdempotencyKey>,
        at: DateTime<Utc>,
    ) -> StoreResult<Keyed> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        if let Some(key) = key {
            if let Some(earlier) = keyed_in(&mut tx, key).await? {
                return Ok(Keyed::Replayed(earlier));
            }
        }
        let row = sqlx::query_as::<_, MessageRow>(&format!(
            "UPDATE messages SET state = 'sent', sent_at = $1, updated_at = $1, \
             recipients = $2, recipient_count = $3, \
             delivery_seq = nextval('message_delivery_seq') \
             WHERE id = $4 AND state IN ('draft', 'scheduled') RETURNING {MESSAGE_COLUMNS}"
        ))
        .bind(at)
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
            if let Err(e) = store_key(&mut tx, key, id, at).await {
                drop(tx);
                return self.after_key_race(key, e).await;
            }
        }
        tx.commit().await.map_err(backend)?;
        Ok(Keyed::Done(message))
    }

    async fn cancel_message(&self, id: MessageId, at: DateTime<Utc>) -> StoreResult<Message> {
        let row = sqlx::query_as::<_, MessageRow>(&format!(
            "UPDATE messages SET state = 'cancelled', updated_at = $1 \
             WHERE id = $2 AND state IN ('draft', 'scheduled') RETURNING {MESSAGE_COLUMNS}"
        ))
        .bind(at)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        state_conflict(row)?.into_domain()
    }

    async fn due_messages(&self, now: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Message>> {
        let rows = sqlx::query_as::<_, MessageRow>(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE state = 'scheduled' \
             AND scheduled_at <= $1 ORDER BY scheduled_at, id LIMIT $2"
        ))
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.into_iter().map(MessageRow::into_domain).collect()
    }

    async fn recipient_set(&self, id: MessageId) -> StoreResult<Option<RecipientSet>> {
        let blob: Option<Option<Vec<u8>>> =
            sqlx::query_scalar("SELECT recipients FROM messages WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
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
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE channel_id = $1 \
             AND delivery_seq < $2 ORDER BY delivery_seq DESC LIMIT $3"
        ))
        .bind(channel)
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.into_iter().map(MessageRow::into_domain).collect()
    }

    async fn mark_read(
        &self,
        account: AccountId,
        messages: &[MessageId],
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(backend)?;
        for id in messages {
            sqlx::query(
                "INSERT INTO message_receipts (message_id, account_id, read_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (message_id, account_id) \
                 DO UPDATE SET read_at = COALESCE(message_receipts.read_at, excluded.read_at)",
            )
            .bind(id)
            .bind(account)
            .bind(at)
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
            "INSERT INTO message_receipts (message_id, account_id, clicked_at) VALUES ($1, $2, $3) \
             ON CONFLICT (message_id, account_id) \
             DO UPDATE SET clicked_at = COALESCE(message_receipts.clicked_at, excluded.clicked_at)",
        )
        .bind(message)
        .bind(account)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(backend)
        .map(drop)
    }

    async fn receipt_counts(&self, message: MessageId) -> StoreResult<ReceiptCounts> {
        let (read, clicked): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(read_at), COUNT(clicked_at) FROM message_receipts WHERE message_id = $1",
        )
        .bind(message)
        .fetch_one(&self.pool)
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
            "SELECT account_id FROM friendships WHERE channel_id = $1 AND relation = 'BLOCKED' \
             AND updated_at >= $2",
        )
        .bind(channel)
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)
    }
}
