//! Friend groups: a channel's named condition trees, and their live audience counts.

use crate::{ServiceError, ServiceResult, Services};
use chrono::NaiveDate;
use serde_json::Value;
use std::collections::BTreeMap;
use talkchannel_domain::friend_group::group_name;
use talkchannel_domain::segment::{parse_condition, render, MAX_TREE_BYTES};
use talkchannel_domain::{
    Channel, ChannelId, Clash, Condition, CustomerFile, Entity, FileId, FileSchema, FriendGroup,
    GroupDraft, GroupId, Page, PageRequest, ValidationError,
};
use talkchannel_segments::Counts;
use talkchannel_store::StoreError;

impl Services {
    /// Today on the channel's clock (its time zone, by the injected clock): the date
    /// ages turn and "the last N days" end on.
    pub fn segment_today(&self, channel: &Channel) -> NaiveDate {
        channel.time_zone.date_at(self.now())
    }

    /// Parses and validates a tree against the channel's files as they are now.
    pub(crate) fn condition(
        &self,
        tree: &Value,
        files: &[CustomerFile],
    ) -> ServiceResult<Condition> {
        let size = tree.to_string().len();
        if size > MAX_TREE_BYTES {
            return Err(ValidationError::new(
                "tree",
                format!("the tree is {size} bytes; at most {MAX_TREE_BYTES}"),
            )
            .into());
        }
        let schemas: BTreeMap<FileId, FileSchema> =
            files.iter().map(|f| (f.id, f.schema.clone())).collect();
        Ok(parse_condition(tree, &schemas)?)
    }

    async fn draft(
        &self,
        channel: &Channel,
        name: &str,
        tree: &Value,
    ) -> ServiceResult<GroupDraft> {
        let name = group_name(name)?;
        let files = self.store.channel_customer_files(channel.id).await?;
        let condition = self.condition(tree, &files)?;
        Ok(GroupDraft {
            name,
            tree: render(&condition),
        })
    }

    pub async fn create_friend_group(
        &self,
        channel_public_id: &str,
        name: &str,
        tree: &Value,
    ) -> ServiceResult<FriendGroup> {
        let channel = self.channel(channel_public_id).await?;
        let draft = self.draft(&channel, name, tree).await?;
        let group = self
            .store
            .insert_friend_group(channel.id, &draft, self.now())
            .await
            .map_err(|e| group_conflict(e, &draft.name))?;
        tracing::info!(channel = %channel.public_id, group = group.id, "friend group created");
        Ok(group)
    }

    /// The group, if it is this channel's; a group of another channel is not found here.
    pub async fn friend_group(
        &self,
        channel_public_id: &str,
        id: GroupId,
    ) -> ServiceResult<FriendGroup> {
        let channel = self.channel(channel_public_id).await?;
        self.channel_group(channel.id, id).await
    }

    pub(crate) async fn channel_group(
        &self,
        channel: ChannelId,
        id: GroupId,
    ) -> ServiceResult<FriendGroup> {
        match self.store.friend_group(id).await? {
            Some(g) if g.channel_id == channel => Ok(g),
            _ => Err(ServiceError::not_found(Entity::FriendGroup, id)),
        }
    }

    pub async fn friend_groups(
        &self,
        channel_public_id: &str,
        page: PageRequest,
    ) -> ServiceResult<Page<FriendGroup>> {
        let channel = self.channel(channel_public_id).await?;
        Ok(self.store.friend_groups(channel.id, page).await?)
    }

    pub async fn update_friend_group(
        &self,
        channel_public_id: &str,
        id: GroupId,
        name: &str,
        tree: &Value,
    ) -> ServiceResult<FriendGroup> {
        let channel = self.channel(channel_public_id).await?;
        self.channel_group(channel.id, id).await?;
        let draft = self.draft(&channel, name, tree).await?;
        self.store
            .update_friend_group(id, &draft, self.now())
            .await
            .map_err(|e| group_conflict(e, &draft.name))?
            .ok_or_else(|| ServiceError::not_found(Entity::FriendGroup, id))
    }

    pub async fn delete_friend_group(
        &self,
        channel_public_id: &str,
        id: GroupId,
    ) -> ServiceResult<()> {
        let channel = self.channel(channel_public_id).await?;
        self.channel_group(channel.id, id).await?;
        if self.store.delete_friend_group(id).await? {
            Ok(())
        } else {
            Err(ServiceError::not_found(Entity::FriendGroup, id))
        }
    }

    /// The audience of an unsaved tree (what the Admin Center shows while editing).
    pub async fn count_tree(&self, channel_public_id: &str, tree: &Value) -> ServiceResult<Counts> {
        let channel = self.channel(channel_public_id).await?;
        let files = self.store.channel_customer_files(channel.id).await?;
        let condition = self.condition(tree, &files)?;
        self.count(&channel, &files, &condition).await
    }

    /// The audience of a saved group. A group naming a file deleted since is a conflict
    /// the admin resolves by editing the group.
    pub async fn count_group(&self, channel_public_id: &str, id: GroupId) -> ServiceResult<Counts> {
        let channel = self.channel(channel_public_id).await?;
        let group = self.channel_group(channel.id, id).await?;
        let files = self.store.channel_customer_files(channel.id).await?;
        let condition = self.condition(&group.tree, &files).map_err(|e| {
            ServiceError::conflict(
                Clash::GroupOutdated,
                format!(
                    "friend group {id} no longer fits the channel's customer files ({e}); \
                     update its tree"
                ),
            )
        })?;
        self.count(&channel, &files, &condition).await
    }

    async fn count(
        &self,
        channel: &Channel,
        files: &[CustomerFile],
        condition: &Condition,
    ) -> ServiceResult<Counts> {
        let today = self.segment_today(channel);
        Ok(self
            .segments
            .count(channel.id, files, condition, today)
            .await?)
    }

    /// Every write that can move a count calls this after it commits.
    pub(crate) fn segments_changed(&self, channel: ChannelId) {
        self.segments.changed(channel);
    }
}

fn group_conflict(e: StoreError, name: &str) -> ServiceError {
    match e {
        StoreError::Conflict(clash @ Clash::GroupNameTaken) => ServiceError::conflict(
            clash,
            format!("the channel already has a friend group named `{name}`"),
        ),
        StoreError::Conflict(clash @ Clash::GroupSlotsFull) => ServiceError::conflict(
            clash,
            format!(
                "the channel already has the maximum of {} friend groups",
                talkchannel_domain::friend_group::MAX_GROUPS_PER_CHANNEL
            ),
        ),
        other => other.into(),
    }
}
