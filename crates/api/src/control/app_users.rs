use super::extract::JsonBody;
use super::path::{AppPath, AppUserPath};
use super::{ControlError, ErrorBody};
use crate::ApiState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use talkchannel_domain::AppUser;
use talkchannel_service::{IssuedTokens, LinkRequest};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    pub account_id: i64,
    /// Consent items granted, e.g. `["plusfriends"]` to allow the relationship check.
    #[serde(default)]
    #[schema(example = json!(["profile_nickname", "plusfriends"]))]
    pub scopes: Vec<String>,
    /// A fixed app user id; a random 10-digit one when absent.
    pub user_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppUserView {
    pub app_id: i64,
    pub user_id: i64,
    pub account_id: i64,
    pub scopes: Vec<String>,
    pub linked_at: DateTime<Utc>,
}

impl From<AppUser> for AppUserView {
    fn from(u: AppUser) -> Self {
        Self {
            app_id: u.app_id,
            user_id: u.user_id,
            account_id: u.account_id,
            scopes: u.scopes.into_iter().collect(),
            linked_at: u.linked_at,
        }
    }
}

/// A token pair in Kakao's `/oauth/token` shape. Shown once: only hashes are kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub token_type: &'static str,
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_token: String,
    pub refresh_token_expires_in: i64,
}

impl From<IssuedTokens> for TokenView {
    fn from(t: IssuedTokens) -> Self {
        Self {
            token_type: "bearer",
            access_token: t.access_token,
            expires_in: t.expires_in,
            refresh_token: t.refresh_token,
            refresh_token_expires_in: t.refresh_token_expires_in,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkView {
    #[serde(flatten)]
    pub user: AppUserView,
    pub token: TokenView,
}

/// Link an account to an app (as Kakao Login's first consent does) and issue tokens.
#[utoipa::path(post, path = "/admin/api/v1/apps/{app_id}/users", tag = "app users", params(("app_id" = i64, Path)),
    request_body = LinkInput, responses((status = 201, body = LinkView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn link(
    State(state): State<ApiState>,
    AppPath(app): AppPath,
    JsonBody(input): JsonBody<LinkInput>,
) -> Result<(StatusCode, Json<LinkView>), ControlError> {
    let req = LinkRequest {
        account_id: input.account_id,
        scopes: input.scopes,
        user_id: input.user_id,
    };
    let (user, tokens) = state.services.link_account(app, &req).await?;
    Ok((
        StatusCode::CREATED,
        Json(LinkView {
            user: user.into(),
            token: tokens.into(),
        }),
    ))
}

/// Read a linked user.
#[utoipa::path(get, path = "/admin/api/v1/apps/{app_id}/users/{user_id}", tag = "app users",
    params(("app_id" = i64, Path), ("user_id" = i64, Path)), responses((status = 200, body = AppUserView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<ApiState>,
    AppPath(app): AppPath,
    AppUserPath(user): AppUserPath,
) -> Result<Json<AppUserView>, ControlError> {
    let user = state.services.app_user(app, user).await?;
    Ok(Json(user.into()))
}

/// Issue another token pair for a linked user.
#[utoipa::path(post, path = "/admin/api/v1/apps/{app_id}/users/{user_id}/tokens", tag = "app users",
    params(("app_id" = i64, Path), ("user_id" = i64, Path)), responses((status = 201, body = TokenView), (status = 404, body = ErrorBody)))]
pub async fn issue_tokens(
    State(state): State<ApiState>,
    AppPath(app): AppPath,
    AppUserPath(user): AppUserPath,
) -> Result<(StatusCode, Json<TokenView>), ControlError> {
    let tokens = state.services.issue_tokens(app, user).await?;
    Ok((StatusCode::CREATED, Json(tokens.into())))
}
