use crate::error::backend;
use crate::rows::{all, cursor, from_ms, relation, stored, to_ms, FriendshipRow, LogRow};
use crate::SqliteStore;
use async_trait::async_trait;
use sqlx::SqliteConnection;
use talkchannel_domain::{
    AccountId, ChannelId, Entity, Friendship, FriendshipLogEntry, Page, PageRequest, Relation,
};
use talkchannel_store::{
    FriendshipChange, FriendshipOutcome, FriendshipStore, StoreError, StoreResult, WebhookEventKind,
};

/// What `apply_friendship_change` needs to know before deciding, read in one query.
#[derive(sqlx::FromRow)]
struct ChangeContext {
    channel_found: bool,
    account_found: bool,
    relation: Option<String>,
    first_added_at: Option<i64>,
    updated_at: Option<i64>,
}

#[async_trait]
impl FriendshipStore for SqliteStore {
    async fn friendship(
        &self,
        channel: ChannelId,
        account: AccountId,
    ) -> StoreResult<Option<Friendship>> {
        sqlx::query_as::<_, FriendshipRow>(
            "SELECT channel_id, account_id, relation, first_added_at, updated_at \
             FROM friendships WHERE channel_id = ? AND account_id = ?",
        )
        .bind(channel)
        .bind(account)
        .fetch_optional(&self.reader)
        .await
        .map_err(backend)?
        .map(FriendshipRow::into_domain)
        .transpose()
    }

    async fn friendships_of(
        &self,
        account: AccountId,
        channels: &[ChannelId],
    ) -> StoreResult<Vec<Friendship>> {
        if channels.is_empty() {
            return Ok(Vec::new());
        }
        // The ids travel as one JSON array so the statement text (and its cached plan)
        // is the same whatever the list's length; the primary key serves each id.
        let rows = sqlx::query_as::<_, FriendshipRow>(
            "SELECT channel_id, account_id, relation, first_added_at, updated_at \
             FROM friendships \
             WHERE account_id = ? AND channel_id IN (SELECT value FROM json_each(?))",
        )
        .bind(account)
        .bind(json_ids(channels))
        .fetch_all(&self.reader)
        .await
        .map_err(backend)?;
        all(rows, FriendshipRow::into_domain)
    }

    async fn account_friendships(&self, account: AccountId) -> StoreResult<Vec<Friendship>> {
        let rows = sqlx::query_as::<_, FriendshipRow>(
            "SELECT channel_id, account_id, relation, first_added_at, updated_at \
             FROM friendships WHERE account_id = ?",
        )
        .bind(account)
        .fetch_all(&self.reader)
        .await
        .map_err(backend)?;
        all(rows, FriendshipRow::into_domain)
    }

    async fn apply_friendship_change(
        &self,
        change: &FriendshipChange,
    ) -> StoreResult<FriendshipOutcome> {
        let mut tx = self.write_tx().await?;
        let current = current_friendship(&mut tx, change).await?;
        let from = current.as_ref().map_or(Relation::None, |f| f.relation);
        let Some(to) = from.after(change.action) else {
            // Nothing changes: end the transaction without writing.
            tx.rollback().await.map_err(backend)?;
            return Ok(FriendshipOutcome {
                friendship: current,
                logged: None,
            });
        };
        let friendship = Friendship {
            channel_id: change.channel_id,
            account_id: change.account_id,
            relation: to,
            first_added_at: current
                .and_then(|f| f.first_added_at)
                .or_else(|| (to == Relation::Added).then(|| stored(change.at))),
            updated_at: stored(change.at),
        };
        let version = crate::segments::bump_version(&mut tx, change.channel_id).await?;
        write_friendship(&mut tx, &friendship, version).await?;
        crate::file_rows::follow_friendship(
            &mut tx,
            change.channel_id,
            change.account_id,
            from,
            to,
        )
        .await?;
        let logged = append_log(&mut tx, change, from, to).await?;
        if let Some(kind) = WebhookEventKind::after_change_to(to) {
            crate::webhooks::enqueue(&mut tx, change, kind).await?;
        }
        tx.commit().await.map_err(backend)?;
        Ok(FriendshipOutcome {
            friendship: Some(friendship),
            logged: Some(logged),
        })
    }

    async fn friendship_log(
        &self,
        channel: ChannelId,
        account: AccountId,
        page: PageRequest,
    ) -> StoreResult<Page<FriendshipLogEntry>> {
        let rows = sqlx::query_as::<_, LogRow>(crate::paged::FRIENDSHIP_LOG)
            .bind(channel)
            .bind(account)
            .bind(cursor(page))
            .bind(page.fetch_limit())
            .fetch_all(&self.reader)
            .await
            .map_err(backend)?;
        Ok(Page::from_rows(
            all(rows, LogRow::into_domain)?,
            page,
            |e| e.seq,
        ))
    }
}

fn json_ids(ids: &[ChannelId]) -> String {
    let parts: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", parts.join(","))
}

/// The pair's current row, after checking both sides exist (absent row = NONE).
async fn current_friendship(
    conn: &mut SqliteConnection,
    change: &FriendshipChange,
) -> StoreResult<Option<Friendship>> {
    let context = sqlx::query_as::<_, ChangeContext>(
        "SELECT EXISTS (SELECT 1 FROM channels WHERE id = ?1) AS channel_found, \
                EXISTS (SELECT 1 FROM accounts WHERE id = ?2) AS account_found, \
                f.relation, f.first_added_at, f.updated_at \
         FROM (SELECT 1) \
         LEFT JOIN friendships f ON f.channel_id = ?1 AND f.account_id = ?2",
    )
    .bind(change.channel_id)
    .bind(change.account_id)
    .fetch_one(conn)
    .await
    .map_err(backend)?;
    if !context.channel_found {
        return Err(StoreError::NotFound(Entity::Channel));
    }
    if !context.account_found {
        return Err(StoreError::NotFound(Entity::Account));
    }
    let (Some(current), Some(updated_at)) = (context.relation, context.updated_at) else {
        return Ok(None);
    };
    Ok(Some(Friendship {
        channel_id: change.channel_id,
        account_id: change.account_id,
        relation: relation(&current)?,
        first_added_at: context.first_added_at.map(from_ms).transpose()?,
        updated_at: from_ms(updated_at)?,
    }))
}

/// `version` is the channel's new segment version, stamped on the row for catch-ups.
async fn write_friendship(
    conn: &mut SqliteConnection,
    f: &Friendship,
    version: i64,
) -> StoreResult<()> {
    // COALESCE keeps the first time the account added the channel, whatever comes later.
    sqlx::query(
        "INSERT INTO friendships \
         (channel_id, account_id, relation, first_added_at, updated_at, change_seq) \
         VALUES (?, ?, ?, ?, ?, ?) \
         ON CONFLICT (channel_id, account_id) DO UPDATE SET \
             relation = excluded.relation, \
             first_added_at = COALESCE(friendships.first_added_at, excluded.first_added_at), \
             updated_at = excluded.updated_at, change_seq = excluded.change_seq",
    )
    .bind(f.channel_id)
    .bind(f.account_id)
    .bind(f.relation.as_str())
    .bind(f.first_added_at.map(to_ms))
    .bind(to_ms(f.updated_at))
    .bind(version)
    .execute(conn)
    .await
    .map(drop)
    .map_err(backend)
}

async fn append_log(
    conn: &mut SqliteConnection,
    change: &FriendshipChange,
    from: Relation,
    to: Relation,
) -> StoreResult<FriendshipLogEntry> {
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO friendship_log \
         (channel_id, account_id, action, from_relation, to_relation, source, at) \
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq",
    )
    .bind(change.channel_id)
    .bind(change.account_id)
    .bind(change.action.as_str())
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(change.source.as_str())
    .bind(to_ms(change.at))
    .fetch_one(conn)
    .await
    .map_err(backend)?;
    Ok(FriendshipLogEntry {
        seq,
        channel_id: change.channel_id,
        account_id: change.account_id,
        action: change.action,
        from,
        to,
        source: change.source,
        at: stored(change.at),
    })
}
