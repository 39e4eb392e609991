//! `POST /v1/app/validate/sdk`: the mobile SDKs' pre-flight before opening the add or
//! chat bridge (spec §5.8). `Authorization: KakaoAK {native or JavaScript key}`, form
//! field `quota_properties={"uri":"/sdk/channel/add"|"/sdk/channel/chat","channel_public_id":"_x"}`.
//! Answers `{}` when the bridge may open.

use super::auth::credential;
use super::KapiError;
use crate::ApiState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};
use talkchannel_domain::ChannelStatus;
use talkchannel_service::{Credential, ServiceError};

const BRIDGE_URIS: [&str; 2] = ["/sdk/channel/add", "/sdk/channel/chat"];

pub async fn validate_sdk(
    State(state): State<ApiState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, KapiError> {
    let Credential::AdminKey(key) = credential(&headers)? else {
        return Err(KapiError::unauthenticated(
            "send `Authorization: KakaoAK {native app key or JavaScript key}`",
        ));
    };
    state
        .services
        .follow_app(key)
        .await
        .map_err(|e| KapiError::unauthenticated(format!("{} ({})", e.message, e.code)))?;
    let raw = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "quota_properties")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| KapiError::invalid("quota_properties is required"))?;
    let props: Value = serde_json::from_str(&raw)
        .map_err(|_| KapiError::invalid("quota_properties must be a JSON object"))?;
    let uri = props["uri"].as_str().unwrap_or_default();
    if !BRIDGE_URIS.contains(&uri) {
        return Err(KapiError::invalid(format!(
            "quota_properties.uri must be one of {}",
            BRIDGE_URIS.join(", ")
        )));
    }
    let channel_id = props["channel_public_id"]
        .as_str()
        .ok_or_else(|| KapiError::invalid("quota_properties.channel_public_id is required"))?;
    let channel = state
        .services
        .channel(channel_id)
        .await
        .map_err(|e| match e {
            ServiceError::Invalid(v) => KapiError::invalid(v.to_string()),
            other => KapiError::from(other),
        })?;
    if channel.status == ChannelStatus::Sanctioned && uri == "/sdk/channel/add" {
        return Err(KapiError::from(ServiceError::ChannelSanctioned(
            channel_id.to_owned(),
        )));
    }
    Ok(super::json_body(&json!({})))
}
