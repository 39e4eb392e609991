//! Kakao Login's two ends: logout (the user's tokens stop working) and unlink (the app
//! forgets the user: link and tokens go; the account's channel friendships stay).

use crate::{Caller, ServiceError, ServiceResult, Services};
use talkchannel_domain::UserId;

impl Services {
    /// Expires every token the app user holds; returns the user id, as Kakao answers.
    pub async fn logout(&self, caller: Caller, target: Option<UserId>) -> ServiceResult<UserId> {
        let user = self.resolve_app_user(caller, target).await?;
        let revoked = self.store.revoke_tokens(user.app_id, user.user_id).await?;
        tracing::debug!(
            app = user.app_id,
            user_id = user.user_id,
            tokens = revoked.len(),
            "logout"
        );
        Ok(user.user_id)
    }

    /// Unlinks the app user; returns the user id, as Kakao answers.
    pub async fn unlink(&self, caller: Caller, target: Option<UserId>) -> ServiceResult<UserId> {
        let user = self.resolve_app_user(caller, target).await?;
        match self
            .store
            .unlink_app_user(user.app_id, user.user_id)
            .await?
        {
            Some(_) => Ok(user.user_id),
            // Unlinked by a concurrent call between the lookup and the delete.
            None => Err(ServiceError::NotLinked),
        }
    }
}
