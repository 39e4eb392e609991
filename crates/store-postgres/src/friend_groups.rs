//! `FriendGroupStore` for PostgreSQL.

use crate::error::db;
use crate::rows::after;
use crate::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use talkchannel_domain::friend_group::MAX_GROUPS_PER_CHANNEL;
use talkchannel_domain::{
    ChannelId, Clash, Entity, FriendGroup, GroupDraft, GroupId, Page, PageRequest,
};
use talkchannel_store::{FriendGroupStore, StoreError, StoreResult};

pub(crate) const COLUMNS: &str = "id, channel_id, name, tree, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct GroupRow {
    id: i64,
    channel_id: i64,
    name: String,
    tree: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl GroupRow {
    fn into_domain(self) -> StoreResult<FriendGroup> {
        let tree = serde_json::from_str(&self.tree)
            .map_err(|_| StoreError::Backend(format!("unreadable tree of group {}", self.id)))?;
        Ok(FriendGroup {
            id: self.id,
            channel_id: self.channel_id,
            name: self.name,
            tree,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[async_trait]
impl FriendGroupStore for PgStore {
    async fn insert_friend_group(
        &self,
        channel: ChannelId,
        draft: &GroupDraft,
        at: DateTime<Utc>,
    ) -> StoreResult<FriendGroup> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Locking the channel row serialises creations per channel, so the slot count holds.
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM channels WHERE id = $1 FOR UPDATE")
                .bind(channel)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        if found.is_none() {
            return Err(StoreError::NotFound(Entity::Channel));
        }
        let used: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM friend_groups WHERE channel_id = $1")
                .bind(channel)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
        if used as usize >= MAX_GROUPS_PER_CHANNEL {
            return Err(StoreError::Conflict(Clash::GroupSlotsFull));
        }
        let row: GroupRow = sqlx::query_as(&format!(
            "INSERT INTO friend_groups (channel_id, name, tree, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) RETURNING {COLUMNS}"
        ))
        .bind(channel)
        .bind(&draft.name)
        .bind(draft.tree.to_string())
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        row.into_domain()
    }

    async fn friend_group(&self, id: GroupId) -> StoreResult<Option<FriendGroup>> {
        sqlx::query_as::<_, GroupRow>(&format!(
            "SELECT {COLUMNS} FROM friend_groups WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?
        .map(GroupRow::into_domain)
        .transpose()
    }

    async fn friend_groups(
        &self,
        channel: ChannelId,
        page: PageRequest,
    ) -> StoreResult<Page<FriendGroup>> {
        let rows = sqlx::query_as::<_, GroupRow>(&crate::paged::friend_groups())
            .bind(channel)
            .bind(after(page))
            .bind(page.fetch_limit())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let groups = rows
            .into_iter()
            .map(GroupRow::into_domain)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Page::from_rows(groups, page, |g| g.id))
    }

    async fn update_friend_group(
        &self,
        id: GroupId,
        draft: &GroupDraft,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<FriendGroup>> {
        sqlx::query_as::<_, GroupRow>(&format!(
            "UPDATE friend_groups SET name = $1, tree = $2, updated_at = $3 WHERE id = $4 \
             RETURNING {COLUMNS}"
        ))
        .bind(&draft.name)
        .bind(draft.tree.to_string())
        .bind(at)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?
        .map(GroupRow::into_domain)
        .transpose()
    }

    async fn delete_friend_group(&self, id: GroupId) -> StoreResult<bool> {
        let deleted = sqlx::query("DELETE FROM friend_groups WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db)?
            .rows_affected();
        Ok(deleted > 0)
    }
}
