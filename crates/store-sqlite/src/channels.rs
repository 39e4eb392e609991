use crate::error::{backend, is_fk_violation, is_unique_violation, missing_parent};
use crate::rows::{all, cursor, stored, to_ms, ChannelRow};
use crate::SqliteStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;
use talkchannel_domain::{
    AppId, Channel, ChannelId, ChannelPublicId, ChannelStatus, Clash, Entity, NewChannel, Page,
    PageRequest, TimeZone,
};
use talkchannel_store::{ChannelStore, StoreError, StoreResult};

/// The columns `ChannelRow` reads, as one literal so every query stays a `&'static str`.
macro_rules! channel_select {
    ($rest:literal) => {
        concat!(
            "SELECT id, public_id, search_id, name, status, time_zone, created_at FROM channels ",
            $rest
        )
    };
}
pub(crate) use channel_select;

/// When both ids are taken SQLite names only the index it happened to check first; look
/// instead, so a taken public id is always the one reported.
async fn id_conflict(conn: &mut SqliteConnection, new: &NewChannel) -> StoreError {
    let public_taken =
        sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM channels WHERE public_id = ?)")
            .bind(new.public_id.as_str())
            .fetch_one(conn)
            .await;
    match public_taken {
        Ok(true) => StoreError::Conflict(Clash::ChannelPublicIdTaken),
        Ok(false) => StoreError::Conflict(Clash::SearchIdTaken),
        Err(e) => backend(e),
    }
}

#[async_trait]
impl ChannelStore for SqliteStore {
    async fn insert_channel(&self, new: &NewChannel, at: DateTime<Utc>) -> StoreResult<Channel> {
        let mut conn = self.writer.acquire().await.map_err(backend)?;
        let inserted = sqlx::query_scalar(
            "INSERT INTO channels (public_id, search_id, name, status, time_zone, created_at) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(new.public_id.as_str())
        .bind(new.search_id.as_str())
        .bind(&new.name)
        .bind(new.status.as_str())
        .bind(new.time_zone.as_str())
        .bind(to_ms(at))
        .fetch_one(&mut *conn)
        .await;
        let id: i64 = match inserted {
            Ok(id) => id,
            Err(e) if is_unique_violation(&e) => return Err(id_conflict(&mut conn, new).await),
            Err(e) => return Err(backend(e)),
        };
        Ok(Channel {
            id,
            public_id: new.public_id.clone(),
            search_id: new.search_id.clone(),
            name: new.name.clone(),
            status: new.status,
            time_zone: new.time_zone,
            created_at: stored(at),
        })
    }

    async fn channel(&self, id: ChannelId) -> StoreResult<Option<Channel>> {
        sqlx::query_as::<_, ChannelRow>(channel_select!("WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await
            .map_err(backend)?
            .map(ChannelRow::into_domain)
            .transpose()
    }

    async fn channel_by_public_id(&self, id: &ChannelPublicId) -> StoreResult<Option<Channel>> {
        sqlx::query_as::<_, ChannelRow>(channel_select!("WHERE public_id = ?"))
            .bind(id.as_str())
            .fetch_optional(&self.reader)
            .await
            .map_err(backend)?
            .map(ChannelRow::into_domain)
            .transpose()
    }

    async fn channels(&self, page: PageRequest) -> StoreResult<Page<Channel>> {
        let rows = sqlx::query_as::<_, ChannelRow>(crate::paged::CHANNELS)
            .bind(cursor(page))
            .bind(page.fetch_limit())
            .fetch_all(&self.reader)
            .await
            .map_err(backend)?;
        Ok(Page::from_rows(
            all(rows, ChannelRow::into_domain)?,
            page,
            |c| c.id,
        ))
    }

    async fn set_channel_status(
        &self,
        id: ChannelId,
        status: ChannelStatus,
    ) -> StoreResult<Channel> {
        sqlx::query_as::<_, ChannelRow>(
            "UPDATE channels SET status = ? WHERE id = ? \
             RETURNING id, public_id, search_id, name, status, time_zone, created_at",
        )
        .bind(status.as_str())
        .bind(id)
        .fetch_optional(&self.writer)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound(Entity::Channel))?
        .into_domain()
    }

    async fn set_channel_time_zone(&self, id: ChannelId, zone: TimeZone) -> StoreResult<Channel> {
        sqlx::query_as::<_, ChannelRow>(
            "UPDATE channels SET time_zone = ? WHERE id = ? \
             RETURNING id, public_id, search_id, name, status, time_zone, created_at",
        )
        .bind(zone.as_str())
        .bind(id)
        .fetch_optional(&self.writer)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound(Entity::Channel))?
        .into_domain()
    }

    async fn connect(
        &self,
        app: AppId,
        channel: ChannelId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut conn = self.writer.acquire().await.map_err(backend)?;
        // The next seq is computed inside the insert; the single writer makes it race-free.
        let inserted = sqlx::query(
            "INSERT INTO app_channels (app_id, channel_id, connected_at, seq) \
             VALUES (?1, ?2, ?3, \
                     (SELECT COALESCE(MAX(seq), 0) + 1 FROM app_channels WHERE app_id = ?1)) \
             ON CONFLICT (app_id, channel_id) DO NOTHING",
        )
        .bind(app)
        .bind(channel)
        .bind(to_ms(at))
        .execute(&mut *conn)
        .await;
        match inserted {
            Ok(done) => Ok(done.rows_affected() == 1),
            Err(e) if is_fk_violation(&e) => {
                let parents = [
                    (Entity::App, "apps", app),
                    (Entity::Channel, "channels", channel),
                ];
                Err(missing_parent(&mut conn, &parents).await)
            }
            Err(e) => Err(backend(e)),
        }
    }

    async fn disconnect(&self, app: AppId, channel: ChannelId) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM app_channels WHERE app_id = ? AND channel_id = ?")
            .bind(app)
            .bind(channel)
            .execute(&self.writer)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected() > 0)
    }

    async fn connected_channels(&self, app: AppId) -> StoreResult<Vec<Channel>> {
        let rows = sqlx::query_as::<_, ChannelRow>(
            "SELECT c.id, c.public_id, c.search_id, c.name, c.status, c.time_zone, c.created_at \
             FROM app_channels ac JOIN channels c ON c.id = ac.channel_id \
             WHERE ac.app_id = ? ORDER BY ac.seq",
        )
        .bind(app)
        .fetch_all(&self.reader)
        .await
        .map_err(backend)?;
        all(rows, ChannelRow::into_domain)
    }
}
