//! The Kakao relationship check (`/v1|v2/api/talk/channels`): which of the app's channels
//! a user has added, blocked or never touched.

use crate::{secrets, ServiceError, ServiceResult, Services};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use talkchannel_domain::app::looks_like_key;
use talkchannel_domain::app_user::PLUSFRIENDS;
use talkchannel_domain::{
    AppId, AppUser, Channel, ChannelPublicId, ChannelStatus, KeyKind, Relation, UserId,
};

/// How the caller proved who it is.
#[derive(Debug, Clone, Copy)]
pub enum Credential<'a> {
    /// A user access token (`Authorization: Bearer ...`): the user is the token's.
    UserToken(&'a str),
    /// An admin key (`Authorization: KakaoAK ...`): the user is named by `target_id`.
    AdminKey(&'a str),
}

/// Which channels to report on.
#[derive(Debug, Clone)]
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

/// Who is asking: the app, and for a user token, the user it was issued to.
#[derive(Debug, Clone)]
pub enum Caller {
    User(AppUser),
    App(AppId),
}

impl Services {
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
                let owner = if looks_like_key(key) {
                    self.store.key_owner(key).await?
                } else {
                    None
                };
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

    /// The relationship report for a user of an app. `target` names the user when the
    /// caller is the app itself (admin-key mode).
    pub async fn relationships(
        &self,
        caller: Caller,
        target: Option<UserId>,
        filter: &ChannelFilter,
    ) -> ServiceResult<RelationshipReport> {
        let user = self.resolve_app_user(caller, target).await?;
        if !user.has_scope(PLUSFRIENDS) {
            return Err(ServiceError::ScopeRequired(vec![PLUSFRIENDS.to_owned()]));
        }
        let channels = self.report_channels(user.app_id, filter).await?;
        let ids: Vec<_> = channels.iter().map(|c| c.id).collect();
        let mut friendships: HashMap<_, _> = self
            .store
            .friendships_of(user.account_id, &ids)
            .await?
            .into_iter()
            .map(|f| (f.channel_id, f))
            .collect();
        let channels = channels
            .into_iter()
            .map(|channel| match friendships.remove(&channel.id) {
                Some(f) if f.relation != Relation::None => RelationshipRow {
                    channel,
                    relation: f.relation,
                    first_added_at: f.first_added_at,
                    updated_at: Some(f.updated_at),
                },
                Some(f) => RelationshipRow {
                    channel,
                    relation: Relation::None,
                    first_added_at: f.first_added_at,
                    updated_at: None,
                },
                None => RelationshipRow {
                    channel,
                    relation: Relation::None,
                    first_added_at: None,
                    updated_at: None,
                },
            })
            .collect();
        Ok(RelationshipReport {
            user_id: user.user_id,
            channels,
        })
    }

    /// The channels a report covers, checked against the app's connections.
    async fn report_channels(
        &self,
        app: AppId,
        filter: &ChannelFilter,
    ) -> ServiceResult<Vec<Channel>> {
        let connected = self.store.connected_channels(app).await?;
        let wanted = match filter {
            ChannelFilter::Connected => {
                return Ok(connected
                    .into_iter()
                    .filter(|c| c.status == ChannelStatus::Active)
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
                None => return Err(ServiceError::not_found("channel", id)),
            }
        }
        Ok(picked)
    }
}
