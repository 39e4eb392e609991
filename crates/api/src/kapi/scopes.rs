//! A user's consent details (`GET /v2/user/scopes`) and taking consent back
//! (`POST /v2/user/revoke/scopes`), with a user token or an admin key and a target user.

use super::user::caller;
use super::{json_body, query::Query, KapiError};
use crate::ApiState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use talkchannel_domain::consent::display_name;
use talkchannel_domain::UserId;
use talkchannel_service::ScopeStatus;

/// At most this many items in one `scopes` list (more than exist).
const MAX_SCOPES: usize = 50;

pub async fn scopes(
    State(state): State<ApiState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, KapiError> {
    let params = Query::parse(raw.as_deref())?;
    let (caller, target) = caller(&state, &headers, &params).await?;
    let only = params.get("scopes").map(scope_list).transpose()?;
    let (user_id, statuses) = state
        .services
        .scope_statuses(caller, target, only.as_ref())
        .await?;
    Ok(json_body(&answer(user_id, &statuses)))
}

pub async fn revoke(
    State(state): State<ApiState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, KapiError> {
    let params = Query::with_form(raw.as_deref(), &body)?;
    let (caller, target) = caller(&state, &headers, &params).await?;
    let raw_scopes = params
        .get("scopes")
        .ok_or_else(|| KapiError::invalid("scopes is required, e.g. scopes=[\"account_email\"]"))?;
    let scopes = scope_list(raw_scopes)?;
    if scopes.is_empty() {
        return Err(KapiError::invalid("scopes must name at least one item"));
    }
    let (user_id, statuses) = state
        .services
        .revoke_scopes(caller, target, &scopes)
        .await?;
    Ok(json_body(&answer(user_id, &statuses)))
}

/// `scopes`: a JSON array of item ids.
fn scope_list(raw: &str) -> Result<BTreeSet<String>, KapiError> {
    let list: Vec<String> = serde_json::from_str(raw).map_err(|_| {
        KapiError::invalid("scopes must be a JSON array of strings, e.g. [\"account_email\"]")
    })?;
    if list.len() > MAX_SCOPES {
        return Err(KapiError::invalid(format!(
            "scopes may name at most {MAX_SCOPES} items"
        )));
    }
    Ok(list.into_iter().collect())
}

fn answer(user_id: UserId, statuses: &[ScopeStatus]) -> Value {
    let scopes: Vec<Value> = statuses
        .iter()
        .map(|s| {
            json!({
                "id": s.scope,
                "display_name": display_name(s.scope),
                "type": "PRIVACY",
                "using": s.requirement != talkchannel_domain::consent::Requirement::Disabled,
                "agreed": s.agreed,
                "revocable": s.revocable(),
            })
        })
        .collect();
    json!({ "id": user_id, "scopes": scopes })
}
