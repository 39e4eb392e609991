//! Customer files (spec §3): creating files, adding and deleting their users on behalf of
//! an app (Kakao surface), and reading or deleting them as an operator (control API).

use crate::{ServiceError, ServiceResult, Services};
use serde_json::{Map, Value};
use std::collections::HashMap;
use talkchannel_domain::customer_file::{file_name, MAX_USERS_PER_CALL};
use talkchannel_domain::{
    AppId, Channel, ChannelStatus, Clash, CustomerFile, Entity, FileId, FileRow, FileSchema,
    FileUserKey, NewCustomerFile, Page, PageRequest, UserType, ValidationError,
};
use talkchannel_store::{FileRowInput, StoreError};

/// One user of an add call, as the client sent it. `None` parts were unusable (an id that
/// is neither text nor a number, values that are not an object): the user fails.
#[derive(Debug, Clone)]
pub struct SubmittedUser {
    /// The id as text (clients send numbers or strings).
    pub id: Option<String>,
    pub field: Option<Map<String, Value>>,
}

/// What Kakao answers to add and delete calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsersOutcome {
    pub request_count: usize,
    pub success_count: usize,
}

/// The channel's files as one app sees them, and the channel's slot use.
#[derive(Debug, Clone)]
pub struct FileListing {
    pub using_slots: usize,
    pub files: Vec<CustomerFile>,
}

impl Services {
    /// A channel an app may manage files of: exists (-541), is not sanctioned (-544) and
    /// is connected to the app (-819).
    async fn managed_channel(&self, app: AppId, public_id: &str) -> ServiceResult<Channel> {
        let channel = self.channel(public_id).await?;
        if channel.status == ChannelStatus::Sanctioned {
            return Err(ServiceError::ChannelSanctioned(public_id.to_owned()));
        }
        let connected = self.store.connected_channels(app).await?;
        if !connected.iter().any(|c| c.id == channel.id) {
            return Err(ServiceError::ChannelNotConnected(public_id.to_owned()));
        }
        Ok(channel)
    }

    /// The file, if it is this app's and this channel's; any other file id is -816.
    async fn managed_file(
        &self,
        app: AppId,
        channel: &Channel,
        file: FileId,
    ) -> ServiceResult<CustomerFile> {
        match self.store.customer_file(file).await? {
            Some(f) if f.app_id == app && f.channel_id == channel.id => Ok(f),
            _ => Err(ServiceError::FileNotFound(file)),
        }
    }

    pub async fn create_customer_file(
        &self,
        app: AppId,
        channel_public_id: &str,
        name: &str,
        schema: FileSchema,
    ) -> ServiceResult<CustomerFile> {
        let channel = self.managed_channel(app, channel_public_id).await?;
        let new = NewCustomerFile {
            app_id: app,
            channel_id: channel.id,
            name: file_name(name)?,
            schema,
        };
        match self.store.insert_customer_file(&new, self.now()).await {
            Err(StoreError::Conflict(clash @ Clash::FileNameTaken)) => Err(ServiceError::conflict(
                clash,
                format!(
                    "the channel already has a customer file named `{}`",
                    new.name
                ),
            )),
            Err(StoreError::Conflict(clash @ Clash::FileSlotsFull)) => Err(ServiceError::conflict(
                clash,
                format!(
                    "the channel already has the maximum of {} customer files",
                    talkchannel_domain::customer_file::MAX_FILES_PER_CHANNEL
                ),
            )),
            other => Ok(other?),
        }
    }

    /// The app's files on the channel (or just `file`), with the channel's slot use.
    pub async fn list_customer_files(
        &self,
        app: AppId,
        channel_public_id: &str,
        file: Option<FileId>,
    ) -> ServiceResult<FileListing> {
        let channel = self.managed_channel(app, channel_public_id).await?;
        let all = self.store.channel_customer_files(channel.id).await?;
        let using_slots = all.len();
        let files: Vec<_> = all
            .into_iter()
            .filter(|f| f.app_id == app && file.is_none_or(|id| id == f.id))
            .collect();
        if let (Some(id), true) = (file, files.is_empty()) {
            return Err(ServiceError::FileNotFound(id));
        }
        Ok(FileListing { using_slots, files })
    }

    /// Adds or replaces users. Users whose id or values do not fit are counted as
    /// failures and stored nowhere; the others are written in one transaction.
    pub async fn add_file_users(
        &self,
        app: AppId,
        channel_public_id: &str,
        file: FileId,
        user_type: UserType,
        users: &[SubmittedUser],
    ) -> ServiceResult<UsersOutcome> {
        check_call_size(users.len())?;
        let channel = self.managed_channel(app, channel_public_id).await?;
        let file = self.managed_file(app, &channel, file).await?;
        let valid: Vec<FileRowInput> = users
            .iter()
            .filter_map(|u| {
                let key = FileUserKey::parse(user_type, u.id.as_deref()?).ok()?;
                let fields = file.schema.check_values(u.field.as_ref()?).ok()?;
                Some(FileRowInput { key, fields })
            })
            .collect();
        let success_count = valid.len();
        let rows = last_per_key(valid);
        self.store
            .put_file_rows(file.id, &rows, users.len() as u64, self.now())
            .await?;
        self.segments_changed(channel.id);
        Ok(UsersOutcome {
            request_count: users.len(),
            success_count,
        })
    }

    /// Deletes users; `success_count` is how many were in the file.
    pub async fn delete_file_users(
        &self,
        app: AppId,
        channel_public_id: &str,
        file: FileId,
        user_type: UserType,
        ids: &[String],
    ) -> ServiceResult<UsersOutcome> {
        check_call_size(ids.len())?;
        let channel = self.managed_channel(app, channel_public_id).await?;
        let file = self.managed_file(app, &channel, file).await?;
        let mut keys: Vec<FileUserKey> = ids
            .iter()
            .filter_map(|id| FileUserKey::parse(user_type, id).ok())
            .collect();
        keys.sort();
        keys.dedup();
        let removed = self
            .store
            .delete_file_rows(file.id, &keys, self.now())
            .await?;
        self.segments_changed(channel.id);
        Ok(UsersOutcome {
            request_count: ids.len(),
            success_count: removed as usize,
        })
    }

    /// Every file of a channel, whichever app made it (control API).
    pub async fn channel_customer_files(
        &self,
        channel_public_id: &str,
    ) -> ServiceResult<Vec<CustomerFile>> {
        let channel = self.channel(channel_public_id).await?;
        Ok(self.store.channel_customer_files(channel.id).await?)
    }

    pub async fn customer_file(&self, file: FileId) -> ServiceResult<CustomerFile> {
        self.store
            .customer_file(file)
            .await?
            .ok_or_else(|| ServiceError::not_found(Entity::CustomerFile, file))
    }

    pub async fn customer_file_rows(
        &self,
        file: FileId,
        page: PageRequest,
    ) -> ServiceResult<Page<FileRow>> {
        self.customer_file(file).await?;
        Ok(self.store.file_rows(file, page).await?)
    }

    pub async fn delete_customer_file(&self, file: FileId) -> ServiceResult<()> {
        let channel = self.customer_file(file).await?.channel_id;
        if self.store.delete_customer_file(file).await? {
            self.segments_changed(channel);
            tracing::info!(file, "customer file deleted");
            Ok(())
        } else {
            Err(ServiceError::not_found(Entity::CustomerFile, file))
        }
    }
}

fn check_call_size(n: usize) -> ServiceResult<()> {
    if n > MAX_USERS_PER_CALL {
        return Err(ValidationError::new(
            "users",
            format!("at most {MAX_USERS_PER_CALL} users per call, got {n}"),
        )
        .into());
    }
    Ok(())
}

/// A key given twice in one call keeps its last values, as two calls would.
pub(crate) fn last_per_key(rows: Vec<FileRowInput>) -> Vec<FileRowInput> {
    let mut last: HashMap<FileUserKey, usize> = HashMap::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        last.insert(row.key.clone(), i);
    }
    if last.len() == rows.len() {
        return rows;
    }
    rows.into_iter()
        .enumerate()
        .filter(|(i, row)| last.get(&row.key) == Some(i))
        .map(|(_, row)| row)
        .collect()
}
