use crate::error::db;
use crate::rows::{after, convert_all, ChannelRow, CHANNEL_COLUMNS};
use crate::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use talkchannel_domain::{
    AppId, Channel, ChannelId, ChannelPublicId, ChannelStatus, Entity, NewChannel, Page,
    PageRequest, TimeZone,
};
use talkchannel_store::{ChannelStore, StoreError, StoreResult};

#[async_trait]
impl ChannelStore for PgStore {
    /// The unique constraint violated names the clash (`public_id` or `search_id`).
    async fn insert_channel(&self, new: &NewChannel, at: DateTime<Utc>) -> StoreResult<Channel> {
        let sql = format!(
            "INSERT INTO channels (public_id, search_id, name, status, time_zone, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {CHANNEL_COLUMNS}"
        );
        let row: ChannelRow = sqlx::query_as(&sql)
            .bind(new.public_id.as_str())
            .bind(new.search_id.as_str())
            .bind(&new.name)
            .bind(new.status.as_str())
            .bind(new.time_zone.as_str())
            .bind(at)
            .fetch_one(&self.pool)
            .await
            .map_err(db)?;
        row.try_into()
    }

    async fn channel(&self, id: ChannelId) -> StoreResult<Option<Channel>> {
        let sql = format!("SELECT {CHANNEL_COLUMNS} FROM channels WHERE id = $1");
        let row: Option<ChannelRow> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(Channel::try_from).transpose()
    }

    async fn channel_by_public_id(&self, id: &ChannelPublicId) -> StoreResult<Option<Channel>> {
        let sql = format!("SELECT {CHANNEL_COLUMNS} FROM channels WHERE public_id = $1");
        let row: Option<ChannelRow> = sqlx::query_as(&sql)
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(Channel::try_from).transpose()
    }

    async fn channels(&self, page: PageRequest) -> StoreResult<Page<Channel>> {
        let rows: Vec<ChannelRow> = sqlx::query_as(&crate::paged::channels())
            .bind(after(page))
            .bind(page.fetch_limit())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        Ok(Page::from_rows(convert_all(rows)?, page, |c: &Channel| {
            c.id
        }))
    }

    async fn set_channel_status(
        &self,
        id: ChannelId,
        status: ChannelStatus,
    ) -> StoreResult<Channel> {
        let sql =
            format!("UPDATE channels SET status = $2 WHERE id = $1 RETURNING {CHANNEL_COLUMNS}");
        let row: Option<ChannelRow> = sqlx::query_as(&sql)
            .bind(id)
            .bind(status.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.ok_or(StoreError::NotFound(Entity::Channel))?.try_into()
    }

    async fn set_channel_time_zone(&self, id: ChannelId, zone: TimeZone) -> StoreResult<Channel> {
        let sql =
            format!("UPDATE channels SET time_zone = $2 WHERE id = $1 RETURNING {CHANNEL_COLUMNS}");
        let row: Option<ChannelRow> = sqlx::query_as(&sql)
            .bind(id)
            .bind(zone.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.ok_or(StoreError::NotFound(Entity::Channel))?.try_into()
    }

    /// Foreign keys tell an unknown app or channel apart; `ON CONFLICT` makes reconnecting
    /// a no-op that keeps the original connection order.
    async fn connect(
        &self,
        app: AppId,
        channel: ChannelId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "INSERT INTO app_channels (app_id, channel_id, connected_at) VALUES ($1, $2, $3) \
             ON CONFLICT (app_id, channel_id) DO NOTHING",
        )
        .bind(app)
        .bind(channel)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

    async fn disconnect(&self, app: AppId, channel: ChannelId) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM app_channels WHERE app_id = $1 AND channel_id = $2")
            .bind(app)
            .bind(channel)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(done.rows_affected() > 0)
    }

    async fn connected_channels(&self, app: AppId) -> StoreResult<Vec<Channel>> {
        let sql = format!(
            "SELECT {} FROM app_channels ac JOIN channels c ON c.id = ac.channel_id \
             WHERE ac.app_id = $1 ORDER BY ac.seq",
            qualified("c", CHANNEL_COLUMNS)
        );
        let rows: Vec<ChannelRow> = sqlx::query_as(&sql)
            .bind(app)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        convert_all(rows)
    }
}

/// Prefixes each column of a list with a table alias.
fn qualified(alias: &str, columns: &str) -> String {
    columns
        .split(", ")
        .map(|c| format!("{alias}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}
