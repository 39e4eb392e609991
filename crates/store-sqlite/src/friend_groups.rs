//! `FriendGroupStore` for SQLite.

use crate::error::{backend, is_fk_violation, is_unique_violation};
use crate::rows::{all, cursor, from_ms, stored, to_ms};
use crate::SqliteStore;
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
    created_at: i64,
    updated_at: i64,
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
            created_at: from_ms(self.created_at)?,
            updated_at: from_ms(self.updated_at)?,
        })
    }
}

fn name_conflict(e: sqlx::Error) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::Conflict(Clash::GroupNameTaken)
    } else if is_fk_violation(&e) {
        StoreError::NotFound(Entity::Channel)
    } else {
        backend(e)
    }
}

#[async_trait]
impl FriendGroupStore for SqliteStore {
    async fn insert_friend_group(
        &self,
        channel: ChannelId,
        draft: &GroupDraft,
        at: DateTime<Utc>,
    ) -> StoreResult<FriendGroup> {
        let mut tx = self.write_tx().await?;
        let used: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM friend_groups WHERE channel_id = ?")
                .bind(channel)
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
        if used as usize >= MAX_GROUPS_PER_CHANNEL {
            return Err(StoreError::Conflict(Clash::GroupSlotsFull));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO friend_groups (channel_id, name, tree, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(channel)
        .bind(&draft.name)
        .bind(draft.tree.to_string())
        .bind(to_ms(at))
        .bind(to_ms(at))
        .fetch_one(&mut *tx)
        .await
        .map_err(name_conflict)?;
        tx.commit().await.map_err(backend)?;
        Ok(FriendGroup {
            id,
            channel_id: channel,
            name: draft.name.clone(),
            tree: draft.tree.clone(),
            created_at: stored(at),
            updated_at: stored(at),
        })
    }

    async fn friend_group(&self, id: GroupId) -> StoreResult<Option<FriendGroup>> {
        sqlx::query_as::<_, GroupRow>(&format!("SELECT {COLUMNS} FROM friend_groups WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.reader)
            .await
            .map_err(backend)?
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
            .bind(cursor(page))
            .bind(page.fetch_limit())
            .fetch_all(&self.reader)
            .await
            .map_err(backend)?;
        Ok(Page::from_rows(
            all(rows, GroupRow::into_domain)?,
            page,
            |g| g.id,
        ))
    }

    async fn update_friend_group(
        &self,
        id: GroupId,
        draft: &GroupDraft,
        at: DateTime<Utc>,
    ) -> StoreResult<Option<FriendGroup>> {
        sqlx::query_as::<_, GroupRow>(&format!(
            "UPDATE friend_groups SET name = ?, tree = ?, updated_at = ? WHERE id = ? \
             RETURNING {COLUMNS}"
        ))
        .bind(&draft.name)
        .bind(draft.tree.to_string())
        .bind(to_ms(at))
        .bind(id)
        .fetch_optional(&self.writer)
        .await
        .map_err(name_conflict)?
        .map(GroupRow::into_domain)
        .transpose()
    }

    async fn delete_friend_group(&self, id: GroupId) -> StoreResult<bool> {
        let deleted = sqlx::query("DELETE FROM friend_groups WHERE id = ?")
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(backend)?
            .rows_affected();
        Ok(deleted > 0)
    }
}
