//! `POST /oauth/token` (form body): the authorization_code and refresh_token grants.
//! `client_secret` is required, for both grants, when the app has a client secret;
//! `code_verifier` is required when the code was asked with a PKCE `code_challenge`.

use super::KauthError;
use crate::ApiState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde_json::json;
use std::collections::HashMap;

pub async fn token(State(state): State<ApiState>, body: Bytes) -> Result<Response, KauthError> {
    let form = parse_form(&body)?;
    let required = |name: &str| {
        form.get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| KauthError::invalid_request(format!("{name} is required")))
    };
    let client_secret = form.get("client_secret").map(String::as_str);
    match required("grant_type")? {
        "refresh_token" => {}
        "authorization_code" => {
            // Parsed before the code is looked at: a malformed verifier is the client's
            // typo and spends nothing (empty counts as absent, as everywhere here).
            let verifier = form
                .get("code_verifier")
                .filter(|v| !v.is_empty())
                .map(|v| talkchannel_domain::CodeVerifier::parse(v))
                .transpose()
                .map_err(|e| KauthError::invalid_request(e.to_string()))?;
            let (tokens, scopes) = state
                .services
                .redeem_code(
                    required("client_id")?,
                    client_secret,
                    required("code")?,
                    required("redirect_uri")?,
                    verifier.as_ref(),
                )
                .await?;
            let mut body = json!({
                "token_type": "bearer",
                "access_token": tokens.access_token,
                "expires_in": tokens.expires_in,
                "refresh_token": tokens.refresh_token,
                "refresh_token_expires_in": tokens.refresh_token_expires_in,
            });
            if !scopes.is_empty() {
                body["scope"] = scopes.into_iter().collect::<Vec<_>>().join(" ").into();
            }
            return Ok(crate::kapi::json_body(&body));
        }
        other => return Err(KauthError::unsupported_grant_type(other)),
    }
    let refreshed = state
        .services
        .refresh_access_token(
            required("client_id")?,
            client_secret,
            required("refresh_token")?,
        )
        .await?;
    let mut body = json!({
        "token_type": "bearer",
        "access_token": refreshed.access_token,
        "expires_in": refreshed.expires_in,
    });
    if let Some((refresh_token, expires_in)) = refreshed.refresh_token {
        body["refresh_token"] = refresh_token.into();
        body["refresh_token_expires_in"] = expires_in.into();
    }
    Ok(crate::kapi::json_body(&body))
}

/// An `application/x-www-form-urlencoded` body; a repeated parameter is refused rather
/// than guessed.
pub(super) fn parse_form(body: &[u8]) -> Result<HashMap<String, String>, KauthError> {
    let mut form = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(body) {
        if form.insert(name.to_string(), value.into_owned()).is_some() {
            return Err(KauthError::invalid_request(format!(
                "parameter `{}` is given more than once",
                name.chars().take(40).collect::<String>()
            )));
        }
    }
    Ok(form)
}
