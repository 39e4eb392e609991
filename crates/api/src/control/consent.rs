//! An app's consent items (the Kakao developer console's 동의항목).

use super::extract::JsonBody;
use super::path::AppPath;
use super::{ControlError, ErrorBody};
use crate::ApiState;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use talkchannel_domain::consent::ConsentItems as Settings;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentItems {
    /// Each item's setting: `required` (asked, cannot be unticked, needed to link),
    /// `optional` (asked, may be unticked) or `disabled` (may not be asked for; a `scope`
    /// naming it is KOE205). On PUT, items left out are set to `optional`, the default.
    #[schema(example = json!({"profile_nickname": "required", "account_email": "optional", "phone_number": "disabled"}))]
    pub consent_items: BTreeMap<String, String>,
}

impl From<Settings> for ConsentItems {
    fn from(items: Settings) -> Self {
        Self {
            consent_items: items
                .iter()
                .map(|(s, r)| (s.to_owned(), r.as_str().to_owned()))
                .collect(),
        }
    }
}

/// Read an app's consent item settings.
#[utoipa::path(get, path = "/admin/api/v1/apps/{app_id}/consent-items", tag = "login",
    params(("app_id" = i64, Path)),
    responses((status = 200, body = ConsentItems), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<ApiState>,
    AppPath(id): AppPath,
) -> Result<Json<ConsentItems>, ControlError> {
    let items = state.services.consent_items(id).await?;
    Ok(Json(items.into()))
}

/// Replace an app's consent item settings. Links made earlier keep what their users
/// granted; the settings decide what the next consent screens ask for.
#[utoipa::path(put, path = "/admin/api/v1/apps/{app_id}/consent-items", tag = "login",
    params(("app_id" = i64, Path)), request_body = ConsentItems,
    responses((status = 200, body = ConsentItems), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn put(
    State(state): State<ApiState>,
    AppPath(id): AppPath,
    JsonBody(input): JsonBody<ConsentItems>,
) -> Result<Json<ConsentItems>, ControlError> {
    let changes: Vec<(String, String)> = input.consent_items.into_iter().collect();
    let items = state.services.set_consent_items(id, &changes).await?;
    Ok(Json(items.into()))
}
