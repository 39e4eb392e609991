//! `POST /api/agt` (kauth): exchanges an access token for an agt, as Kakao's SDKs do
//! before opening a page that should already know the user (Flutter's
//! `AuthApi.agt()`: form fields `client_id` and `access_token`, answer `{"agt": "..."}`).
//!
//! Errors: a `client_id` that is no app key is kauth's `invalid_client` (KOE101); a
//! missing field is `invalid_request` (KOE010); a token that is unknown, expired or
//! another app's is kapi's `{"code": -401}`, the answer every Kakao API gives such a
//! token (the SDKs read both shapes).

use super::KauthError;
use crate::ApiState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use talkchannel_service::{AgtError, OAuthError};

pub async fn agt(State(state): State<ApiState>, body: Bytes) -> Result<Response, KauthError> {
    let form = super::token::parse_form(&body)?;
    let field = |name: &str| {
        form.get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| KauthError::invalid_request(format!("{name} is required")))
    };
    let (client_id, access_token) = (field("client_id")?, field("access_token")?);
    let issued = state
        .services
        .issue_agt(client_id, access_token)
        .await
        .map_err(OAuthError::Service)?;
    match issued {
        Ok(agt) => Ok(crate::kapi::json_body(&json!({ "agt": agt }))),
        Err(AgtError::InvalidClient) => {
            Err(OAuthError::InvalidClient("client_id is not an app key of any app".into()).into())
        }
        Err(AgtError::InvalidToken(why)) => {
            let body = json!({"code": -401, "msg": why});
            Ok((StatusCode::UNAUTHORIZED, crate::kapi::json_body(&body)).into_response())
        }
    }
}
