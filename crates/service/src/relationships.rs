//! The Kakao relationship check (`/v1|v2/api/talk/channels`): which of the app's channels
//! a user has added, blocked or never touched.

use crate::{secrets, ServiceError, ServiceResult, Services};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use talkchannel_domain::app::looks_like_key;
use talkchannel_domain::app_user::PLUSFRIENDS;
use talkchannel_domain::{
    AppId, AppUser, Channel, ChannelPublicId, ChannelStatus, Entity, Friendship, KeyKind, Relation,
    UserId,
};
use talkchannel_store::RelationshipGeneration;

/// How the caller proved who it is.
#[derive(Debug, Clone, Copy)]
pub enum Credential<'a> {
    /// A user access token (`Authorization: Bearer ...`): the user is the token's.
    UserToken(&'a str),
    /// An admin key (`Authorization: KakaoAK ...`): the user is named by `target_id`.
    AdminKey(&'a str),
}

/// Which channels to report on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChannelFilter {
    /// Every active channel connected to the app.
    Connected,
    /// These channels, in this order (each must be connected and active).
    Only(Vec<ChannelPublicId>),
}

#[derive(Debug, Clone)]
pub struct RelationshipReport {
    pub user_id: UserId,
    pub channels: Vec<RelationshipRow>,
}

#[derive(Debug, Clone)]
pub struct RelationshipRow {
    pub channel: Channel,
    pub relation: Relation,
    pub first_added_at: Option<DateTime<Utc>>,
    /// Absent for NONE, as Kakao reports it.
    pub updated_at: Option<DateTime<Utc>>,
}

/// The user a relationship check reports on, and the generation of the data it reads
/// (`None` when the store keeps none: then no answer may be reused).
#[derive(Debug, Clone)]
pub struct RelationshipSubject {
    pub user: AppUser,
    pub generation: Option<RelationshipGeneration>,
}

/// Who is asking: the app, and for a user token, the user it was issued to.
#[derive(Debug, Clone)]
pub enum Caller {
    User(AppUser),
    App(AppId),
}

impl Services {
    /// The app and kind of a key, looked up only when it has the shape of one we issue:
    /// every surface that takes a key from outside asks here.
    pub(crate) async fn key_owner(
        &self,
        key: &str,
    ) -> ServiceResult<Option<talkchannel_store::KeyOwner>> {
        if !looks_like_key(key) {
            return Ok(None);
        }
        Ok(self.store.key_owner(key).await?)
    }

    /// Resolves a credential; anything unknown, expired or of the wrong kind is -401.
    pub async fn authenticate(&self, credential: Credential<'_>) -> ServiceResult<Caller> {
        match credential {
            Credential::UserToken(token) => {
                let found = self
                    .store
                    .token_by_access_hash(&secrets::token_hash(token))
                    .await?;
                match found {
                    Some((record, user)) if record.access_expires_at > self.now() => {
                        Ok(Caller::User(user))
                    }
                    Some(_) => Err(ServiceError::Unauthenticated(
                        "this access token is already expired".into(),
                    )),
                    None => Err(ServiceError::Unauthenticated(
                        "this access token does not exist".into(),
                    )),
                }
            }
            Credential::AdminKey(key) => {
                let owner = self.key_owner(key).await?;
                match owner {
                    Some(owner) if owner.kind == KeyKind::Admin => Ok(Caller::App(owner.app_id)),
                    Some(_) => Err(ServiceError::Unauthenticated(
                        "wrong appKey type: this API requires an admin key".into(),
                    )),
                    None => Err(ServiceError::Unauthenticated("invalid admin key".into())),
                }
            }
        }
    }

    /// Whose relationships a check reports (the caller's user, or `target` when the
    /// caller is the app itself, in admin-key mode), once the user may be reported on,
    /// and the store's generation of the data the report will be built from. The
    /// generation is read first: a report built afterwards is at least that new.
    pub async fn relationship_subject(
        &self,
        caller: Caller,
        target: Option<UserId>,
    ) -> ServiceResult<RelationshipSubject> {
        let user = self.resolve_app_user(caller, target).await?;
        if !user.has_scope(PLUSFRIENDS) {
            return Err(ServiceError::ScopeRequired(vec![PLUSFRIENDS.to_owned()]));
        }
        let generation = self
            .store
            .relationship_generation(user.app_id, user.account_id)
            .await?;
        Ok(RelationshipSubject { user, generation })
    }

    /// The subject's relation to each channel `filter` names.
    pub async fn relationship_report(
        &self,
        subject: &RelationshipSubject,
        filter: &ChannelFilter,
    ) -> ServiceResult<RelationshipReport> {
        let user = &subject.user;
        let connected = self.store.connected_channels(user.app_id).await?;
        let channels = self.report_channels(&connected, filter).await?;
        let ids: Vec<_> = channels.iter().map(|c| c.id).collect();
        let friendships = self.store.friendships_of(user.account_id, &ids).await?;
        Ok(report(user.user_id, channels, &friendships))
    }

    /// The channels a report covers, checked against the app's connections.
    async fn report_channels(
        &self,
        connected: &[Channel],
        filter: &ChannelFilter,
    ) -> ServiceResult<Vec<Channel>> {
        let wanted = match filter {
            ChannelFilter::Connected => {
                return Ok(connected
                    .iter()
                    .filter(|c| c.status == ChannelStatus::Active)
                    .cloned()
                    .collect())
            }
            ChannelFilter::Only(wanted) => wanted,
        };
        let mut by_id: HashMap<&ChannelPublicId, &Channel> =
            connected.iter().map(|c| (&c.public_id, c)).collect();
        let mut picked = Vec::with_capacity(wanted.len());
        for id in wanted {
            match by_id.remove(id) {
                Some(c) if c.status == ChannelStatus::Sanctioned => {
                    return Err(ServiceError::ChannelSanctioned(id.to_string()))
                }
                Some(c) => picked.push(c.clone()),
                None if picked.iter().any(|c: &Channel| &c.public_id == id) => {}
                None if self.store.channel_by_public_id(id).await?.is_some() => {
                    return Err(ServiceError::ChannelNotConnected(id.to_string()))
                }
                None => return Err(ServiceError::not_found(Entity::Channel, id)),
            }
        }
        Ok(picked)
    }
}

/// One row per channel, in the channels' order; `friendships` may hold rows of other
/// channels too (a whole account's snapshot).
fn report(
    user_id: UserId,
    channels: Vec<Channel>,
    friendships: &[Friendship],
) -> RelationshipReport {
    let by_channel: HashMap<_, _> = friendships.iter().map(|f| (f.channel_id, f)).collect();
    let channels = channels
        .into_iter()
        .map(|channel| match by_channel.get(&channel.id) {
            Some(f) => RelationshipRow {
                channel,
                relation: f.relation,
                first_added_at: f.first_added_at,
                // Kakao reports no time for NONE.
                updated_at: (f.relation != Relation::None).then_some(f.updated_at),
            },
            None => RelationshipRow {
                channel,
                relation: Relation::None,
                first_added_at: None,
                updated_at: None,
            },
        })
        .collect();
    RelationshipReport { user_id, channels }
}
