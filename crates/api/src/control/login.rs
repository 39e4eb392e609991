//! Kakao Login's set-up: an app's redirect URIs and the passwords accounts sign in with.

use super::extract::JsonBody;
use super::path::{AccountPath, AppPath};
use super::{ControlError, ErrorBody};
use crate::ApiState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedirectUris {
    /// Absolute http(s) URIs without fragment, at most 10, in the order given; the
    /// `redirect_uri` of `/oauth/authorize` must equal one of them exactly.
    #[schema(example = json!(["https://shop.example/oauth/kakao"]))]
    pub redirect_uris: Vec<String>,
}

/// The app's Kakao Login client secret (the Kakao console's "Client Secret").
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientSecret {
    /// Whether token requests (both grants) must carry `client_secret`.
    pub enabled: bool,
    /// The secret, 32 letters and digits; absent when disabled.
    #[schema(example = "Fq3kD0pW8sYxZ2aB9cN1mE4rT7uV6hJ5")]
    pub client_secret: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordInput {
    /// 8 to 128 characters; stored as an argon2id hash only.
    #[schema(example = "correct horse battery")]
    pub password: String,
}

/// Read an app's registered redirect URIs.
#[utoipa::path(get, path = "/admin/api/v1/apps/{app_id}/redirect-uris", tag = "login",
    params(("app_id" = i64, Path)),
    responses((status = 200, body = RedirectUris), (status = 404, body = ErrorBody)))]
pub async fn redirect_uris(
    State(state): State<ApiState>,
    AppPath(id): AppPath,
) -> Result<Json<RedirectUris>, ControlError> {
    let redirect_uris = state.services.redirect_uris(id).await?;
    Ok(Json(RedirectUris { redirect_uris }))
}

/// Replace an app's redirect URIs (the Kakao console's "Redirect URI" list).
#[utoipa::path(put, path = "/admin/api/v1/apps/{app_id}/redirect-uris", tag = "login",
    params(("app_id" = i64, Path)), request_body = RedirectUris,
    responses((status = 200, body = RedirectUris), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_redirect_uris(
    State(state): State<ApiState>,
    AppPath(id): AppPath,
    JsonBody(input): JsonBody<RedirectUris>,
) -> Result<Json<RedirectUris>, ControlError> {
    let redirect_uris = state
        .services
        .set_redirect_uris(id, &input.redirect_uris)
        .await?;
    Ok(Json(RedirectUris { redirect_uris }))
}

/// Set the password an account signs in with, by its email or phone number.
#[utoipa::path(put, path = "/admin/api/v1/accounts/{account_id}/password", tag = "login",
    params(("account_id" = i64, Path)), request_body = PasswordInput,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn set_password(
    State(state): State<ApiState>,
    AccountPath(id): AccountPath,
    JsonBody(input): JsonBody<PasswordInput>,
) -> Result<StatusCode, ControlError> {
    state
        .services
        .set_account_password(id, &input.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Read whether an app requires a client secret, and the secret.
#[utoipa::path(get, path = "/admin/api/v1/apps/{app_id}/client-secret", tag = "login",
    params(("app_id" = i64, Path)),
    responses((status = 200, body = ClientSecret), (status = 404, body = ErrorBody)))]
pub async fn client_secret(
    State(state): State<ApiState>,
    AppPath(id): AppPath,
) -> Result<Json<ClientSecret>, ControlError> {
    let secret = state.services.client_secret(id).await?;
    Ok(Json(ClientSecret {
        enabled: secret.is_some(),
        client_secret: secret,
    }))
}

/// Generate a new client secret and require it on every token request from now on (the
/// previous secret stops working at once).
#[utoipa::path(post, path = "/admin/api/v1/apps/{app_id}/client-secret", tag = "login",
    params(("app_id" = i64, Path)),
    responses((status = 200, body = ClientSecret), (status = 404, body = ErrorBody)))]
pub async fn rotate_client_secret(
    State(state): State<ApiState>,
    AppPath(id): AppPath,
) -> Result<Json<ClientSecret>, ControlError> {
    let secret = state.services.rotate_client_secret(id).await?;
    Ok(Json(ClientSecret {
        enabled: true,
        client_secret: Some(secret),
    }))
}

/// Stop requiring a client secret on the app's token requests.
#[utoipa::path(delete, path = "/admin/api/v1/apps/{app_id}/client-secret", tag = "login",
    params(("app_id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn disable_client_secret(
    State(state): State<ApiState>,
    AppPath(id): AppPath,
) -> Result<StatusCode, ControlError> {
    state.services.disable_client_secret(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
