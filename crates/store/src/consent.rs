//! Per-app consent item settings (see `talkchannel_domain::consent`). Only the items whose
//! setting differs from the default are stored, so an app (or a link) made before the
//! settings existed reads as the default.

use crate::StoreResult;
use async_trait::async_trait;
use talkchannel_domain::consent::Requirement;
use talkchannel_domain::AppId;

#[async_trait]
pub trait ConsentStore: Send + Sync {
    /// The app's stored settings, by item name (empty for an unknown app).
    async fn consent_settings(&self, app: AppId) -> StoreResult<Vec<(String, Requirement)>>;
    /// Replaces the app's stored settings in one transaction; `NotFound(Entity::App)` for an
    /// unknown app.
    async fn set_consent_settings(
        &self,
        app: AppId,
        settings: &[(&str, Requirement)],
    ) -> StoreResult<()>;
}

/// Reads a stored requirement; anything else is a damaged row.
pub fn requirement_from_db(value: &str) -> StoreResult<Requirement> {
    Requirement::parse(value).ok_or_else(|| {
        crate::StoreError::Backend(format!(
            "unknown consent requirement `{value}` in the database"
        ))
    })
}
