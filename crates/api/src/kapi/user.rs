//! Kakao Login's user calls: `GET /v1/user/access_token_info`, `GET|POST /v2/user/me`,
//! `POST /v1/user/logout` and `POST /v1/user/unlink`. Parameters may come in the query or
//! (on POST) a form body; a user token in the `Authorization` header or the
//! `access_token` parameter (see `auth::credential_in`).

use super::channels::target_user;
use super::{auth, json_body, query::Query, user_me, KapiError};
use crate::ApiState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;
use talkchannel_domain::UserId;
use talkchannel_service::{Caller, Credential};

pub async fn access_token_info(
    State(state): State<ApiState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, KapiError> {
    let params = Query::parse(raw.as_deref())?;
    let Credential::UserToken(token) = auth::credential_in(&headers, &params)? else {
        return Err(KapiError::unauthenticated(
            "this API takes a user's access token: send `Authorization: Bearer {access token}`",
        ));
    };
    let info = state.services.access_token_info(token).await?;
    Ok(json_body(&json!({
        "id": info.user_id,
        "expires_in": info.expires_in,
        "app_id": info.app_id,
    })))
}

/// `GET` or `POST`, as Kakao documents it; `secure_resource` is accepted (answers carry
/// no image URLs here) and `property_keys` narrows the answer.
pub async fn me(
    State(state): State<ApiState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, KapiError> {
    let params = Query::with_form(raw.as_deref(), &body)?;
    let (caller, target) = caller(&state, &headers, &params).await?;
    if let Some(v) = params.get("secure_resource") {
        if !matches!(v, "true" | "false") {
            return Err(KapiError::invalid("secure_resource must be true or false"));
        }
    }
    let keys = user_me::property_keys(params.get("property_keys"))?;
    let (user, account) = state.services.app_user_profile(caller, target).await?;
    let today = state.services.now().date_naive();
    Ok(json_body(&user_me::render(
        &user,
        &account,
        today,
        keys.as_ref(),
    )))
}

pub async fn logout(
    State(state): State<ApiState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, KapiError> {
    let params = Query::with_form(raw.as_deref(), &body)?;
    let (caller, target) = caller(&state, &headers, &params).await?;
    let user_id = state.services.logout(caller, target).await?;
    Ok(json_body(&json!({ "id": user_id })))
}

pub async fn unlink(
    State(state): State<ApiState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Result<Response, KapiError> {
    let params = Query::with_form(raw.as_deref(), &body)?;
    let (caller, target) = caller(&state, &headers, &params).await?;
    let user_id = state.services.unlink(caller, target).await?;
    Ok(json_body(&json!({ "id": user_id })))
}

/// The caller, and with an admin key the user named by
/// `target_id_type=user_id&target_id=...`.
pub(super) async fn caller(
    state: &ApiState,
    headers: &HeaderMap,
    params: &Query,
) -> Result<(Caller, Option<UserId>), KapiError> {
    let credential = auth::credential_in(headers, params)?;
    let caller = state.services.authenticate(credential).await?;
    let target = match credential {
        Credential::AdminKey(_) => Some(target_user(params)?),
        Credential::UserToken(_) => None,
    };
    Ok((caller, target))
}
