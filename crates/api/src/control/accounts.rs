use super::extract::{JsonBody, PageParams, Paging};
use super::path::AccountPath;
use super::{ControlError, ErrorBody, ListResponse};
use crate::ApiState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use talkchannel_domain::Account;
use talkchannel_service::AccountRequest;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    /// Display name, 1 to 64 characters.
    #[schema(example = "김민지")]
    pub nickname: String,
    /// A Korean mobile number in any common spelling (`010-1234-5678`, `+82 10...`).
    #[schema(example = "010-1234-5678")]
    pub phone_number: Option<String>,
    pub email: Option<String>,
    /// `female` or `male`.
    #[schema(example = "female")]
    pub gender: Option<String>,
    /// `YYYY-MM-DD`.
    #[schema(example = "1995-04-01")]
    pub birth_date: Option<String>,
    #[schema(example = "Seoul")]
    pub region: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub id: i64,
    pub nickname: String,
    /// National form, digits only: `01012345678`.
    pub phone_number: Option<String>,
    pub email: Option<String>,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    pub region: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<Account> for AccountView {
    fn from(a: Account) -> Self {
        Self {
            id: a.id,
            nickname: a.nickname,
            phone_number: a.phone_number.map(|p| p.to_string()),
            email: a.email,
            gender: a.gender.map(|g| g.as_str().to_owned()),
            birth_date: a.birth_date.map(|d| d.format("%Y-%m-%d").to_string()),
            region: a.region,
            created_at: a.created_at,
        }
    }
}

/// Create an account (a Kakao Talk user).
#[utoipa::path(post, path = "/admin/api/v1/accounts", tag = "accounts", request_body = AccountInput,
    responses((status = 201, body = AccountView), (status = 400, body = ErrorBody)))]
pub async fn create(
    State(state): State<ApiState>,
    JsonBody(input): JsonBody<AccountInput>,
) -> Result<(StatusCode, Json<AccountView>), ControlError> {
    let req = AccountRequest {
        nickname: input.nickname,
        phone_number: input.phone_number,
        email: input.email,
        gender: input.gender,
        birth_date: input.birth_date,
        region: input.region,
    };
    let account = state.services.create_account(&req).await?;
    Ok((StatusCode::CREATED, Json(account.into())))
}

/// Read one account.
#[utoipa::path(get, path = "/admin/api/v1/accounts/{account_id}", tag = "accounts",
    params(("account_id" = i64, Path)), responses((status = 200, body = AccountView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<ApiState>,
    AccountPath(id): AccountPath,
) -> Result<Json<AccountView>, ControlError> {
    let account = state.services.account(id).await?;
    Ok(Json(account.into()))
}

/// List accounts, oldest first.
#[utoipa::path(get, path = "/admin/api/v1/accounts", tag = "accounts", params(PageParams),
    responses((status = 200, body = ListResponse<AccountView>)))]
pub async fn list(
    State(state): State<ApiState>,
    Paging(page): Paging,
) -> Result<Json<ListResponse<AccountView>>, ControlError> {
    Ok(Json(
        state
            .services
            .accounts(page)
            .await?
            .map(AccountView::from)
            .into(),
    ))
}
