//! Kakao Login's user calls: `GET /v1/user/access_token_info`, `GET /v2/user/me`,
//! `POST /v1/user/logout` and `POST /v1/user/unlink`.
//! Each item of `kakao_account` follows Kakao's pattern: `has_X` says the account has it,
//! `X_needs_agreement` says the user has not consented to its scope, and the value itself
//! is present only with consent.

use super::channels::target_user;
use super::{auth, json_body, query::Query, KapiError};
use crate::ApiState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Datelike;
use serde_json::{json, Map, Value};
use talkchannel_domain::{Account, AppUser, KakaoTime, PhoneNumber};
use talkchannel_service::{Caller, Credential};

pub async fn access_token_info(
    State(state): State<ApiState>,
    headers: HeaderMap,
) -> Result<Response, KapiError> {
    let Credential::UserToken(token) = auth::credential(&headers)? else {
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

pub async fn me(
    State(state): State<ApiState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, KapiError> {
    let credential = auth::credential(&headers)?;
    let caller = state.services.authenticate(credential).await?;
    let query = Query::parse(raw.as_deref())?;
    let target = match credential {
        Credential::AdminKey(_) => Some(target_user(&query)?),
        Credential::UserToken(_) => None,
    };
    let (user, account) = state.services.app_user_profile(caller, target).await?;
    Ok(json_body(&user_me(&user, &account)))
}

pub async fn logout(
    State(state): State<ApiState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, KapiError> {
    let (caller, target) = form_caller(&state, &headers, &body).await?;
    let user_id = state.services.logout(caller, target).await?;
    Ok(json_body(&json!({ "id": user_id })))
}

pub async fn unlink(
    State(state): State<ApiState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, KapiError> {
    let (caller, target) = form_caller(&state, &headers, &body).await?;
    let user_id = state.services.unlink(caller, target).await?;
    Ok(json_body(&json!({ "id": user_id })))
}

/// The caller of a POST call, and with an admin key the user named by the form body's
/// `target_id_type=user_id&target_id=...`.
async fn form_caller(
    state: &ApiState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Caller, Option<talkchannel_domain::UserId>), KapiError> {
    let credential = auth::credential(headers)?;
    let caller = state.services.authenticate(credential).await?;
    let target = match credential {
        Credential::AdminKey(_) => {
            let form = std::str::from_utf8(body)
                .map_err(|_| KapiError::invalid("the form body is not UTF-8"))?;
            Some(target_user(&Query::parse(Some(form))?)?)
        }
        Credential::UserToken(_) => None,
    };
    Ok((caller, target))
}

fn user_me(user: &AppUser, account: &Account) -> Value {
    let mut kakao_account = Map::new();
    let nickname_ok = user.has_scope("profile_nickname");
    kakao_account.insert(
        "profile_nickname_needs_agreement".into(),
        (!nickname_ok).into(),
    );
    let mut body = json!({
        "id": user.user_id,
        "connected_at": KakaoTime(user.linked_at).to_string(),
    });
    if nickname_ok {
        kakao_account.insert(
            "profile".into(),
            json!({"nickname": account.nickname, "is_default_nickname": false}),
        );
        body["properties"] = json!({"nickname": account.nickname});
    }
    let birth = account.birth_date;
    let items: [(&str, &str, Option<Value>); 5] = [
        (
            "email",
            "account_email",
            account.email.clone().map(Value::from),
        ),
        (
            "phone_number",
            "phone_number",
            account.phone_number.as_ref().map(|p| kakao_phone(p).into()),
        ),
        (
            "gender",
            "gender",
            account.gender.map(|g| g.as_str().into()),
        ),
        (
            "birthyear",
            "birthyear",
            birth.map(|d| format!("{:04}", d.year()).into()),
        ),
        (
            "birthday",
            "birthday",
            birth.map(|d| format!("{:02}{:02}", d.month(), d.day()).into()),
        ),
    ];
    for (field, scope, value) in items {
        consent_item(&mut kakao_account, field, user.has_scope(scope), value);
    }
    if user.has_scope("account_email") && account.email.is_some() {
        // Emulated accounts' emails are taken as confirmed.
        kakao_account.insert("is_email_valid".into(), true.into());
        kakao_account.insert("is_email_verified".into(), true.into());
    }
    if user.has_scope("birthday") && birth.is_some() {
        kakao_account.insert("birthday_type".into(), "SOLAR".into());
    }
    body["kakao_account"] = Value::Object(kakao_account);
    body
}

fn consent_item(out: &mut Map<String, Value>, field: &str, agreed: bool, value: Option<Value>) {
    out.insert(format!("has_{field}"), value.is_some().into());
    if let Some(value) = value {
        out.insert(format!("{field}_needs_agreement"), (!agreed).into());
        if agreed {
            out.insert(field.to_owned(), value);
        }
    }
}

/// Kakao's spelling: `+82 10-1234-5678` (national `01012345678`).
fn kakao_phone(phone: &PhoneNumber) -> String {
    let digits = &phone.as_str()[1..];
    let (prefix, rest) = digits.split_at(2);
    let (middle, last) = rest.split_at(rest.len() - 4);
    format!("+82 {prefix}-{middle}-{last}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_spelled_as_kakao_does() {
        let phone = |s| kakao_phone(&PhoneNumber::parse(s).expect("valid"));
        assert_eq!(phone("010-1234-5678"), "+82 10-1234-5678");
        assert_eq!(phone("011-123-4567"), "+82 11-123-4567");
    }
}
