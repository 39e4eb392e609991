//! Follow Channel (간편 추가): an SDK opens `/talk/channel/follow` with its app key and a
//! channel; the signed-in user confirms and the channel is added through
//! [`Services::change_friendship`]. The outcome goes back to the SDK by `return_url` or,
//! for the web SDK, is kept under the transaction id the SDK polls with.

use crate::{secrets, ServiceError, ServiceResult, Services};
use talkchannel_domain::{
    AccountId, App, ChangeSource, Channel, ChannelStatus, FriendAction, Kae, KeyKind,
};
use talkchannel_store::FollowResult;

/// Results are kept long enough for a slow user; the SDK reads them within seconds.
const RESULT_TTL: chrono::Duration = chrono::Duration::minutes(30);

/// A KAE error as the SDKs report it: `error_code` and `error_msg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KaeError {
    pub code: Kae,
    pub message: String,
}

impl KaeError {
    /// The code with its catalogue sentence.
    pub fn new(code: Kae) -> Self {
        Self {
            code,
            message: code.message().to_owned(),
        }
    }

    /// KAE001 for our own failures (the message goes to the log, not the user).
    pub fn internal(e: &ServiceError) -> Self {
        tracing::error!(error = %e, "follow channel failed");
        Self::new(Kae::Internal)
    }
}

/// How a transaction ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowStatus {
    Success,
    /// The user declined.
    Fail,
    Error,
}

impl FollowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FollowStatus::Success => "success",
            FollowStatus::Fail => "fail",
            FollowStatus::Error => "error",
        }
    }
}

impl Services {
    /// The app an SDK's `app_key` (JavaScript or native key) names; KAE104 otherwise.
    pub async fn follow_app(&self, app_key: &str) -> Result<App, KaeError> {
        let owner = self
            .key_owner(app_key)
            .await
            .map_err(|e| KaeError::internal(&e))?;
        match owner {
            Some(o) if matches!(o.kind, KeyKind::JavaScript | KeyKind::Native) => {
                self.app(o.app_id).await.map_err(|e| KaeError::internal(&e))
            }
            _ => Err(KaeError::new(Kae::WrongAppKey)),
        }
    }

    /// The channel the app may offer: KAE005 for an unknown channel, KAE006 for a
    /// sanctioned one, KAE105 for one not connected to the app.
    pub async fn follow_target(
        &self,
        app: &App,
        channel_public_id: &str,
    ) -> Result<Channel, KaeError> {
        let channel = self.channel(channel_public_id).await.map_err(|e| match e {
            ServiceError::NotFound { .. } | ServiceError::Invalid(_) => {
                KaeError::new(Kae::ChannelNotFound)
            }
            other => KaeError::internal(&other),
        })?;
        if channel.status == ChannelStatus::Sanctioned {
            return Err(KaeError::new(Kae::ChannelNotAddable));
        }
        let connected = self
            .store
            .connected_channels(app.id)
            .await
            .map_err(|e| KaeError::internal(&e.into()))?;
        if !connected.iter().any(|c| c.id == channel.id) {
            return Err(KaeError::new(Kae::ChannelNotConnected));
        }
        Ok(channel)
    }

    /// Adds the channel for the signed-in user.
    pub async fn follow_channel(
        &self,
        account: AccountId,
        channel: &Channel,
    ) -> Result<(), KaeError> {
        self.change_friendship(
            account,
            channel.public_id.as_str(),
            FriendAction::Add,
            ChangeSource::ChannelPage,
        )
        .await
        .map(|_| ())
        .map_err(|e| match e {
            ServiceError::ChannelSanctioned(_) => KaeError::new(Kae::ChannelNotAddable),
            other => KaeError::internal(&other),
        })
    }

    /// Keeps the outcome of the web SDK's transaction `trans_id` for it to read.
    pub async fn record_follow_result(
        &self,
        trans_id: &str,
        app: &App,
        channel_public_id: &str,
        status: FollowStatus,
        error: Option<&KaeError>,
    ) -> ServiceResult<()> {
        let result = FollowResult {
            trans_hash: secrets::token_hash(trans_id),
            app_id: app.id,
            channel_public_id: channel_public_id.to_owned(),
            status: status.as_str().to_owned(),
            error_code: error.map(|e| e.code.code().to_owned()),
            expires_at: self.now() + RESULT_TTL,
        };
        Ok(self.store.put_follow_result(&result).await?)
    }

    /// The outcome of a transaction, once there is one (and while it is kept).
    pub async fn follow_result(&self, trans_id: &str) -> ServiceResult<Option<FollowResult>> {
        let found = self
            .store
            .follow_result(&secrets::token_hash(trans_id))
            .await?;
        Ok(found.filter(|r| r.expires_at > self.now()))
    }

    /// How many accounts have the channel added.
    pub async fn friend_count(&self, channel: &Channel) -> ServiceResult<u64> {
        Ok(self.store.friend_count(channel.id).await?)
    }
}
