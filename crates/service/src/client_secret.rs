//! Kakao Login's client secret: when an app has one, every token request (both grants)
//! must carry it as `client_secret`, as in the Kakao console's "Client Secret" setting.

use crate::oauth::OAuthError;
use crate::{secrets, ServiceError, ServiceResult, Services};
use talkchannel_domain::{AppId, Entity};

/// Kakao's client secrets are 32 letters and digits.
const SECRET_LEN: usize = 32;

impl Services {
    /// Generates a new client secret and requires it from now on; the old one stops
    /// working at once.
    pub async fn rotate_client_secret(&self, app: AppId) -> ServiceResult<String> {
        let secret = secrets::alphanumeric(SECRET_LEN);
        self.store.set_client_secret(app, Some(&secret)).await?;
        Ok(secret)
    }

    /// Token requests of the app no longer need a client secret.
    pub async fn disable_client_secret(&self, app: AppId) -> ServiceResult<()> {
        Ok(self.store.set_client_secret(app, None).await?)
    }

    /// The app's client secret, `None` when it requires none.
    pub async fn client_secret(&self, app: AppId) -> ServiceResult<Option<String>> {
        if self.store.app(app).await?.is_none() {
            return Err(ServiceError::not_found(Entity::App, app));
        }
        Ok(self.store.client_secret(app).await?)
    }

    /// KOE010 unless the app requires no secret or `presented` is its secret. Checked
    /// before anything is spent, so a wrong secret never uses up a code.
    pub(crate) async fn check_client_secret(
        &self,
        app: AppId,
        presented: Option<&str>,
    ) -> Result<(), OAuthError> {
        match self.store.client_secret(app).await? {
            None => Ok(()),
            Some(secret) => match presented {
                Some(p) if secrets::constant_time_eq(p.as_bytes(), secret.as_bytes()) => Ok(()),
                _ => Err(OAuthError::BadClientCredentials),
            },
        }
    }
}
