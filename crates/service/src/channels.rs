use crate::{secrets, ServiceError, ServiceResult, Services};
use talkchannel_domain::channel::validate_channel_name;
use talkchannel_domain::{
    AppId, Channel, ChannelPublicId, ChannelStatus, Clash, Entity, NewChannel, Page, PageRequest,
    SearchId, TimeZone, ValidationError,
};
use talkchannel_store::StoreError;

/// A channel as a caller describes it; missing ids are generated.
#[derive(Debug, Clone, Default)]
pub struct ChannelRequest {
    pub name: String,
    pub public_id: Option<String>,
    pub search_id: Option<String>,
    pub status: Option<ChannelStatus>,
    /// IANA time zone name; `Asia/Seoul` when `None`.
    pub time_zone: Option<String>,
}

/// What a channel update changes: either or both.
#[derive(Debug, Clone, Default)]
pub struct ChannelChange {
    pub status: Option<ChannelStatus>,
    /// IANA time zone name.
    pub time_zone: Option<String>,
}

const ID_ATTEMPTS: usize = 5;

impl Services {
    /// Creates a channel. A given id that is taken is a conflict; a generated one is redrawn.
    /// An unknown time zone is refused, naming `time_zone`.
    pub async fn create_channel(&self, req: &ChannelRequest) -> ServiceResult<Channel> {
        let name = validate_channel_name(&req.name)?;
        let time_zone = req
            .time_zone
            .as_deref()
            .map(TimeZone::parse)
            .transpose()?
            .unwrap_or_default();
        let given_public = req
            .public_id
            .as_deref()
            .map(ChannelPublicId::parse)
            .transpose()?;
        let given_search = req.search_id.as_deref().map(SearchId::parse).transpose()?;
        let now = self.now();
        for attempt in 0..ID_ATTEMPTS {
            let new = NewChannel {
                public_id: given_public
                    .clone()
                    .unwrap_or_else(|| ChannelPublicId::from_generated(&secrets::alphanumeric(6))),
                search_id: given_search
                    .clone()
                    .unwrap_or_else(|| default_search_id(&name, attempt)),
                name: name.clone(),
                status: req.status.unwrap_or(ChannelStatus::Active),
                time_zone,
            };
            match self.store.insert_channel(&new, now).await {
                Err(StoreError::Conflict(Clash::ChannelPublicIdTaken))
                    if given_public.is_none() =>
                {
                    continue
                }
                Err(StoreError::Conflict(Clash::SearchIdTaken)) if given_search.is_none() => {
                    continue
                }
                Err(StoreError::Conflict(clash)) => {
                    return Err(ServiceError::conflict(
                        clash,
                        format!("a channel with this {clash} already exists"),
                    ))
                }
                other => return Ok(other?),
            }
        }
        Err(ServiceError::Backend(
            "could not draw unique channel ids".into(),
        ))
    }

    pub async fn channel(&self, public_id: &str) -> ServiceResult<Channel> {
        let id = ChannelPublicId::parse(public_id)?;
        self.store
            .channel_by_public_id(&id)
            .await?
            .ok_or_else(|| ServiceError::not_found(Entity::Channel, public_id))
    }

    pub async fn channels(&self, page: PageRequest) -> ServiceResult<Page<Channel>> {
        Ok(self.store.channels(page).await?)
    }

    /// Changes the channel's status and/or time zone (its ad quiet hours and friend-group
    /// dates follow the zone). Everything is checked before anything is written.
    pub async fn change_channel(
        &self,
        public_id: &str,
        change: &ChannelChange,
    ) -> ServiceResult<Channel> {
        if change.status.is_none() && change.time_zone.is_none() {
            return Err(ValidationError::new(
                "status",
                "give `status` and/or `time_zone` to change",
            )
            .into());
        }
        let zone = change
            .time_zone
            .as_deref()
            .map(TimeZone::parse)
            .transpose()?;
        let mut channel = self.channel(public_id).await?;
        if let Some(status) = change.status {
            channel = self.store.set_channel_status(channel.id, status).await?;
        }
        if let Some(zone) = zone {
            channel = self.store.set_channel_time_zone(channel.id, zone).await?;
        }
        Ok(channel)
    }

    /// Connects a channel to an app; returns whether it was newly connected.
    pub async fn connect_channel(&self, app: AppId, public_id: &str) -> ServiceResult<bool> {
        self.app(app).await?;
        let channel = self.channel(public_id).await?;
        Ok(self.store.connect(app, channel.id, self.now()).await?)
    }

    /// Disconnects; returns whether the two were connected.
    pub async fn disconnect_channel(&self, app: AppId, public_id: &str) -> ServiceResult<bool> {
        self.app(app).await?;
        let channel = self.channel(public_id).await?;
        Ok(self.store.disconnect(app, channel.id).await?)
    }

    pub async fn connected_channels(&self, app: AppId) -> ServiceResult<Vec<Channel>> {
        self.app(app).await?;
        Ok(self.store.connected_channels(app).await?)
    }
}

/// `@` + the name without spaces when that is a valid search id, else a generated one.
fn default_search_id(name: &str, attempt: usize) -> SearchId {
    let compact: String = name.split_whitespace().collect();
    match SearchId::parse(&compact) {
        Ok(id) if attempt == 0 => id,
        _ => SearchId::parse(&format!("ch_{}", secrets::alphanumeric(8).to_lowercase()))
            .expect("generated id is valid"),
    }
}
