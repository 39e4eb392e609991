use super::KapiError;
use axum::http::{header, HeaderMap};
use talkchannel_service::Credential;

/// Reads `Authorization: Bearer {token}` or `Authorization: KakaoAK {key}`.
/// Scheme names are case-insensitive, as in HTTP; anything else is -401.
pub fn credential(headers: &HeaderMap) -> Result<Credential<'_>, KapiError> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let value = values.next().ok_or_else(|| KapiError::unauthenticated("no authorization header: send `Authorization: Bearer {access token}` or `Authorization: KakaoAK {admin key}`"))?;
    if values.next().is_some() {
        return Err(KapiError::unauthenticated(
            "more than one authorization header",
        ));
    }
    let value = value
        .to_str()
        .map_err(|_| KapiError::unauthenticated("the authorization header is not readable text"))?;
    let (scheme, secret) = value.trim().split_once(' ').ok_or_else(|| {
        KapiError::unauthenticated(
            "the authorization header has no scheme: use `Bearer` or `KakaoAK`",
        )
    })?;
    let secret = secret.trim();
    if secret.is_empty() {
        return Err(KapiError::unauthenticated(
            "the authorization header has an empty credential",
        ));
    }
    if scheme.eq_ignore_ascii_case("bearer") {
        Ok(Credential::UserToken(secret))
    } else if scheme.eq_ignore_ascii_case("kakaoak") {
        Ok(Credential::AdminKey(secret))
    } else {
        Err(KapiError::unauthenticated(format!(
            "unsupported authorization scheme `{}`: use `Bearer` or `KakaoAK`",
            scheme.chars().take(20).collect::<String>()
        )))
    }
}
