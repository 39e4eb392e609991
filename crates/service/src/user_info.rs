//! What Kakao Login's kapi calls tell an app about a token and its user
//! (`/v1/user/access_token_info`, `/v2/user/me`).

use crate::{secrets, Caller, ServiceError, ServiceResult, Services};
use talkchannel_domain::{Account, AppId, AppUser, Entity, UserId, ValidationError};

/// A valid access token's owner and remaining life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub user_id: UserId,
    pub app_id: AppId,
    /// Whole seconds until the access token expires (at least 1).
    pub expires_in: i64,
}

impl Services {
    /// The token's owner and remaining life; unknown or expired tokens are refused.
    pub async fn access_token_info(&self, access_token: &str) -> ServiceResult<TokenInfo> {
        let found = self
            .store
            .token_by_access_hash(&secrets::token_hash(access_token))
            .await?;
        let Some((record, user)) = found else {
            return Err(ServiceError::Unauthenticated(
                "this access token does not exist".into(),
            ));
        };
        let left = record.access_expires_at - self.now();
        if left <= chrono::Duration::zero() {
            return Err(ServiceError::Unauthenticated(
                "this access token is already expired".into(),
            ));
        }
        Ok(TokenInfo {
            user_id: user.user_id,
            app_id: user.app_id,
            // Round up: a token with 500 ms left is still valid for that half second.
            expires_in: (left.num_milliseconds() + 999) / 1000,
        })
    }

    /// The app user and account a caller asks about: a token's own user, or with an
    /// admin key the app's user `target`.
    pub async fn app_user_profile(
        &self,
        caller: Caller,
        target: Option<UserId>,
    ) -> ServiceResult<(AppUser, Account)> {
        let user = self.resolve_app_user(caller, target).await?;
        let account = self
            .store
            .account(user.account_id)
            .await?
            .ok_or_else(|| ServiceError::not_found(Entity::Account, user.account_id))?;
        Ok((user, account))
    }

    /// The user a call is about: the token's, or the admin-key caller's `target`.
    pub(crate) async fn resolve_app_user(
        &self,
        caller: Caller,
        target: Option<UserId>,
    ) -> ServiceResult<AppUser> {
        match (caller, target) {
            (Caller::User(user), _) => Ok(user),
            (Caller::App(app), Some(user_id)) => self
                .store
                .app_user(app, user_id)
                .await?
                .ok_or(ServiceError::NotLinked),
            (Caller::App(_), None) => Err(ServiceError::Invalid(ValidationError::new(
                "target_id",
                "is required with an admin key",
            ))),
        }
    }
}
