use crate::error::backend;
use crate::rows::{all, cursor, from_ms, relation, stored, to_ms, FriendshipRow, LogRow};
use crate::SqliteStore;
use async_trait::async_trait;
use sqlx::SqliteConnection;
use talkchannel_domain::{
    AccountId, ChannelId, Friendship, FriendshipLogEntry, FriendshipWrite, Page, PageRequest,
};
use talkchannel_store::{
    check_change_pair, FriendshipChange, FriendshipOutcome, FriendshipStore, StoreResult,
};

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

    /// Reads the pair in the write transaction, lets the domain decide, writes it all.
    async fn apply_friendship_change(
        &self,
        change: &FriendshipChange,
    ) -> StoreResult<FriendshipOutcome> {
        // Decided with the time as the columns keep it (whole milliseconds).
        let change = &FriendshipChange {
            at: stored(change.at),
            ..change.clone()
        };
        let mut tx = self.write_tx().await?;
        let current = current_friendship(&mut tx, change).await?;
        let Some(write) = change.decide(current.as_ref()) else {
            // Nothing changes: end the transaction without writing.
            tx.rollback().await.map_err(backend)?;
            return Ok(FriendshipOutcome::unchanged(current));
        };
        let version = crate::segments::bump_version(&mut tx, change.channel_id).await?;
        write_friendship(&mut tx, &write.row, version).await?;
        crate::file_rows::follow_friendship(&mut tx, &write).await?;
        let seq = append_log(&mut tx, change, &write).await?;
        if let Some(kind) = write.event {
            crate::webhooks::enqueue(&mut tx, change, kind).await?;
        }
        tx.commit().await.map_err(backend)?;
        Ok(FriendshipOutcome {
            logged: Some(write.log_entry(change, seq)),
            friendship: Some(write.row),
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
    type Context = (bool, bool, Option<String>, Option<i64>, Option<i64>);
    let (channel_found, account_found, current, first_added_at, updated_at): Context =
        sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM channels WHERE id = ?1), \
                    EXISTS (SELECT 1 FROM accounts WHERE id = ?2), \
                    f.relation, f.first_added_at, f.updated_at \
             FROM (SELECT 1) \
             LEFT JOIN friendships f ON f.channel_id = ?1 AND f.account_id = ?2",
        )
        .bind(change.channel_id)
        .bind(change.account_id)
        .fetch_one(conn)
        .await
        .map_err(backend)?;
    check_change_pair(channel_found, account_found)?;
    let (Some(current), Some(updated_at)) = (current, updated_at) else {
        return Ok(None);
    };
    Ok(Some(Friendship {
        channel_id: change.channel_id,
        account_id: change.account_id,
        relation: relation(&current)?,
        first_added_at: first_added_at.map(from_ms).transpose()?,
        updated_at: from_ms(updated_at)?,
    }))
}

/// `version` is the channel's new segment version, stamped on the row for catch-ups.
/// The row is written as decided, first-added time included.
async fn write_friendship(
    conn: &mut SqliteConnection,
    f: &Friendship,
    version: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO friendships \
         (channel_id, account_id, relation, first_added_at, updated_at, change_seq) \
         VALUES (?, ?, ?, ?, ?, ?) \
         ON CONFLICT (channel_id, account_id) DO UPDATE SET \
             relation = excluded.relation, first_added_at = excluded.first_added_at, \
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

/// Appends the change's log entry; returns its sequence number.
async fn append_log(
    conn: &mut SqliteConnection,
    change: &FriendshipChange,
    write: &FriendshipWrite,
) -> StoreResult<i64> {
    sqlx::query_scalar(
        "INSERT INTO friendship_log \
         (channel_id, account_id, action, from_relation, to_relation, source, at) \
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq",
    )
    .bind(change.channel_id)
    .bind(change.account_id)
    .bind(change.action.as_str())
    .bind(write.from.as_str())
    .bind(write.to().as_str())
    .bind(change.source.as_str())
    .bind(to_ms(change.at))
    .fetch_one(conn)
    .await
    .map_err(backend)
}
