use super::query::Query;
use super::KapiError;
use axum::http::{header, HeaderMap};
use talkchannel_service::Credential;

/// The credential of a call that takes a user token: the `Authorization` header, or the
/// `access_token` parameter, which OAuth client libraries built on node-oauth (such as
/// passport-kakao) send instead on GET calls and Kakao accepts. Both at once must name
/// the same token.
pub fn credential_in<'a>(
    headers: &'a HeaderMap,
    params: &'a Query,
) -> Result<Credential<'a>, KapiError> {
    let in_params = params.get("access_token");
    if let (Some(token), false) = (in_params, headers.contains_key(header::AUTHORIZATION)) {
        return Ok(Credential::UserToken(token.trim()));
    }
    let credential = credential(headers)?;
    match (in_params, credential) {
        (None, _) => Ok(credential),
        (Some(token), Credential::UserToken(header)) if token.trim() == header => Ok(credential),
        (Some(_), _) => Err(KapiError::unauthenticated(
            "the access_token parameter and the authorization header name different credentials",
        )),
    }
}

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
