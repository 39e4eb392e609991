use crate::error::{db, is_serialization_failure, is_unique_violation};
use crate::rows::{after, convert_all, FriendshipRow, LogRow, FRIENDSHIP_COLUMNS, LOG_COLUMNS};
use crate::PgStore;
use async_trait::async_trait;
use sqlx::{PgConnection, PgPool};
use talkchannel_domain::{
    AccountId, ChannelId, Friendship, FriendshipLogEntry, FriendshipWrite, Page, PageRequest,
};
use talkchannel_store::{
    check_change_pair, FriendshipChange, FriendshipOutcome, FriendshipStore, StoreError,
    StoreResult,
};

#[async_trait]
impl FriendshipStore for PgStore {
    async fn friendship(
        &self,
        channel: ChannelId,
        account: AccountId,
    ) -> StoreResult<Option<Friendship>> {
        let sql = format!(
            "SELECT {FRIENDSHIP_COLUMNS} FROM friendships WHERE channel_id = $1 AND account_id = $2"
        );
        let row: Option<FriendshipRow> = sqlx::query_as(&sql)
            .bind(channel)
            .bind(account)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(Friendship::try_from).transpose()
    }

    async fn friendships_of(
        &self,
        account: AccountId,
        channels: &[ChannelId],
    ) -> StoreResult<Vec<Friendship>> {
        if channels.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {FRIENDSHIP_COLUMNS} FROM friendships WHERE account_id = $1 AND channel_id = ANY($2)"
        );
        let rows: Vec<FriendshipRow> = sqlx::query_as(&sql)
            .bind(account)
            .bind(channels)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        convert_all(rows)
    }

    async fn account_friendships(&self, account: AccountId) -> StoreResult<Vec<Friendship>> {
        let sql = format!("SELECT {FRIENDSHIP_COLUMNS} FROM friendships WHERE account_id = $1");
        let rows: Vec<FriendshipRow> = sqlx::query_as(&sql)
            .bind(account)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        convert_all(rows)
    }

    async fn apply_friendship_change(
        &self,
        change: &FriendshipChange,
    ) -> StoreResult<FriendshipOutcome> {
        // Queued per channel and applied in batches (see `change_queues`).
        self.queues.apply(&self.pool, change).await
    }

    async fn friendship_log(
        &self,
        channel: ChannelId,
        account: AccountId,
        page: PageRequest,
    ) -> StoreResult<Page<FriendshipLogEntry>> {
        let rows: Vec<LogRow> = sqlx::query_as(&crate::paged::friendship_log())
            .bind(channel)
            .bind(account)
            .bind(after(page))
            .bind(page.fetch_limit())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        Ok(Page::from_rows(
            convert_all(rows)?,
            page,
            |e: &FriendshipLogEntry| e.seq,
        ))
    }
}

/// Why one attempt at a change failed: worth one more try, or final.
pub(crate) enum Failure {
    Retry(sqlx::Error),
    Final(StoreError),
}

impl Failure {
    pub(crate) fn into_store(self) -> StoreError {
        match self {
            Failure::Retry(e) => db(e),
            Failure::Final(e) => e,
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Final(e)
    }
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        if is_unique_violation(&e, "friendships_pkey") || is_serialization_failure(&e) {
            Failure::Retry(e)
        } else {
            Failure::Final(db(e))
        }
    }
}

/// A change in a transaction of its own, tried a second time if the first attempt asks
/// for it: the pair's first row raced with a concurrent change (or the engine asked for a
/// retry), and the second attempt finds the committed row and locks it.
pub(crate) async fn apply_alone(
    pool: &PgPool,
    change: &FriendshipChange,
) -> StoreResult<FriendshipOutcome> {
    match apply_once(pool, change).await {
        Err(Failure::Retry(e)) => {
            tracing::debug!(error = %e, "retrying friendship change");
            apply_once(pool, change).await.map_err(Failure::into_store)
        }
        other => other.map_err(Failure::into_store),
    }
}

/// One transaction around [`apply_in`]. A no-op wrote nothing and is rolled back.
async fn apply_once(
    pool: &PgPool,
    change: &FriendshipChange,
) -> Result<FriendshipOutcome, Failure> {
    let mut tx = pool.begin().await?;
    let outcome = apply_in(&mut tx, change).await?;
    if outcome.logged.is_some() {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(outcome)
}

/// Locks the pair's row, lets the domain decide, and writes what it decided (row, log
/// entry, file counts, segment version, webhook events) inside the caller's
/// transaction. A no-op writes nothing.
pub(crate) async fn apply_in(
    conn: &mut PgConnection,
    change: &FriendshipChange,
) -> Result<FriendshipOutcome, Failure> {
    let current = lock_current(conn, change).await?;
    if current.is_none() {
        // With a row present the foreign keys already vouch for both ids.
        ensure_pair_exists(conn, change).await?;
    }
    let Some(write) = change.decide(current.as_ref()) else {
        return Ok(FriendshipOutcome::unchanged(current));
    };
    // Files are locked before the segment version, as every writer of both does.
    crate::file_rows::follow_friendship(conn, &write).await?;
    let version = crate::segments::bump_version(conn, change.channel_id).await?;
    let friendship = write_row(conn, &write, version).await?;
    let logged = append_log(conn, change, &write).await?;
    if let Some(kind) = write.event {
        crate::webhooks::enqueue(conn, change, kind).await?;
    }
    Ok(FriendshipOutcome {
        friendship: Some(friendship),
        logged: Some(logged),
    })
}

/// The pair's row, locked until the transaction ends; `None` when the pair never changed.
async fn lock_current(
    conn: &mut PgConnection,
    change: &FriendshipChange,
) -> Result<Option<Friendship>, Failure> {
    let sql = format!(
        "SELECT {FRIENDSHIP_COLUMNS} FROM friendships \
         WHERE channel_id = $1 AND account_id = $2 FOR UPDATE"
    );
    let row: Option<FriendshipRow> = sqlx::query_as(&sql)
        .bind(change.channel_id)
        .bind(change.account_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(Friendship::try_from).transpose()?)
}

/// Unknown ids are reported even when the change would be a no-op.
async fn ensure_pair_exists(
    conn: &mut PgConnection,
    change: &FriendshipChange,
) -> Result<(), Failure> {
    let (channel, account): (bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM channels WHERE id = $1), \
                EXISTS (SELECT 1 FROM accounts WHERE id = $2)",
    )
    .bind(change.channel_id)
    .bind(change.account_id)
    .fetch_one(conn)
    .await?;
    Ok(check_change_pair(channel, account)?)
}

/// Inserts or updates the pair's row as decided; returns it as stored.
async fn write_row(
    conn: &mut PgConnection,
    write: &FriendshipWrite,
    version: i64,
) -> Result<Friendship, Failure> {
    let sql = if write.is_new {
        // A concurrent first change makes this fail with a unique violation: retried.
        format!(
            "INSERT INTO friendships \
             (channel_id, account_id, relation, updated_at, first_added_at, change_seq) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {FRIENDSHIP_COLUMNS}"
        )
    } else {
        format!(
            "UPDATE friendships SET relation = $3, updated_at = $4, first_added_at = $5, \
             change_seq = $6 WHERE channel_id = $1 AND account_id = $2 \
             RETURNING {FRIENDSHIP_COLUMNS}"
        )
    };
    let row: FriendshipRow = sqlx::query_as(&sql)
        .bind(write.row.channel_id)
        .bind(write.row.account_id)
        .bind(write.to().as_str())
        .bind(write.row.updated_at)
        .bind(write.row.first_added_at)
        .bind(version)
        .fetch_one(conn)
        .await?;
    Ok(row.try_into()?)
}

async fn append_log(
    conn: &mut PgConnection,
    change: &FriendshipChange,
    write: &FriendshipWrite,
) -> Result<FriendshipLogEntry, Failure> {
    let sql = format!(
        "INSERT INTO friendship_log (channel_id, account_id, action, from_relation, to_relation, source, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {LOG_COLUMNS}"
    );
    let row: LogRow = sqlx::query_as(&sql)
        .bind(change.channel_id)
        .bind(change.account_id)
        .bind(change.action.as_str())
        .bind(write.from.as_str())
        .bind(write.to().as_str())
        .bind(change.source.as_str())
        .bind(change.at)
        .fetch_one(conn)
        .await?;
    Ok(row.try_into()?)
}
