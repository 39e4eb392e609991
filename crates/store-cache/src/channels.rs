//! Channels: an app's connected list is cached; connecting, disconnecting and status
//! status and time zone changes invalidate it.

use crate::{CachedStore, Stamped};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use talkchannel_domain::{
    AppId, Channel, ChannelId, ChannelPublicId, ChannelStatus, NewChannel, Page, PageRequest,
    TimeZone,
};
use talkchannel_store::{ChannelStore, Store, StoreResult};

impl<S: Store> CachedStore<S> {
    /// The app's connected list and the generation of its load.
    pub(crate) async fn cached_connected_channels(
        &self,
        app: AppId,
    ) -> StoreResult<Arc<Stamped<Vec<Channel>>>> {
        if let Some(list) = self.connected.get(&app) {
            return Ok(list);
        }
        let epoch = self.connected.epoch();
        let list = self
            .generations
            .stamp(self.inner.connected_channels(app).await?);
        self.connected.store(app, list.clone(), epoch);
        Ok(list)
    }
}

#[async_trait]
impl<S: Store> ChannelStore for CachedStore<S> {
    async fn insert_channel(&self, new: &NewChannel, at: DateTime<Utc>) -> StoreResult<Channel> {
        self.inner.insert_channel(new, at).await
    }

    async fn channel(&self, id: ChannelId) -> StoreResult<Option<Channel>> {
        self.inner.channel(id).await
    }

    async fn channel_by_public_id(&self, id: &ChannelPublicId) -> StoreResult<Option<Channel>> {
        self.inner.channel_by_public_id(id).await
    }

    async fn channels(&self, page: PageRequest) -> StoreResult<Page<Channel>> {
        self.inner.channels(page).await
    }

    async fn set_channel_status(
        &self,
        id: ChannelId,
        status: ChannelStatus,
    ) -> StoreResult<Channel> {
        let result = self.inner.set_channel_status(id, status).await;
        // The channel may be in any app's list.
        self.connected.invalidate_all();
        result
    }

    async fn connect(
        &self,
        app: AppId,
        channel: ChannelId,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let result = self.inner.connect(app, channel, at).await;
        self.connected.invalidate(&app);
        result
    }

    async fn disconnect(&self, app: AppId, channel: ChannelId) -> StoreResult<bool> {
        let result = self.inner.disconnect(app, channel).await;
        self.connected.invalidate(&app);
        result
    }

    async fn connected_channels(&self, app: AppId) -> StoreResult<Vec<Channel>> {
        Ok(self.cached_connected_channels(app).await?.value.clone())
    }

    async fn set_channel_time_zone(&self, id: ChannelId, zone: TimeZone) -> StoreResult<Channel> {
        let result = self.inner.set_channel_time_zone(id, zone).await;
        // The cached lists hold whole channels, zone included; the channel may be in any.
        self.connected.invalidate_all();
        result
    }
}
