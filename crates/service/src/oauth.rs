//! Kakao Login's token endpoint (`POST /oauth/token`): the refresh_token grant.
//! Failures are [`OAuthError`]s, which the kauth surface writes in kauth's shape.

use crate::{secrets, ServiceError, Services};
use talkchannel_domain::{KeyKind, TokenRecord};
use thiserror::Error;

/// Kakao renews the refresh token only when less than a month of it is left.
const RENEW_REFRESH_WITHIN: chrono::Duration = chrono::Duration::days(30);

#[derive(Debug, Error)]
pub enum OAuthError {
    /// KOE101: the client id is not a REST API or JavaScript key.
    #[error("{0}")]
    InvalidClient(String),
    /// KOE322: the refresh token is unknown, expired or another app's.
    #[error("expired_or_invalid_refresh_token")]
    InvalidRefreshToken,
    /// KOE320: the code is unknown, spent, expired or another app's.
    #[error("authorization code not found")]
    InvalidCode,
    /// KOE010: the app requires a client secret and the request's is missing or wrong.
    #[error("Bad client credentials")]
    BadClientCredentials,
    /// KOE303: `redirect_uri` differs from the one the code was sent to.
    #[error("redirect URI mismatch")]
    RedirectUriMismatch,
    /// PKCE: the code was asked with a `code_challenge` and no `code_verifier` came.
    #[error("code_verifier is required: the authorization request had a code_challenge")]
    MissingCodeVerifier,
    /// PKCE: the `code_verifier` does not derive the code's `code_challenge`.
    #[error("code_verifier does not match the code_challenge")]
    CodeVerifierMismatch,
    /// PKCE: a `code_verifier` for a code asked without a `code_challenge`.
    #[error("code_verifier given, but the authorization request had no code_challenge")]
    UnexpectedCodeVerifier,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<talkchannel_store::StoreError> for OAuthError {
    fn from(e: talkchannel_store::StoreError) -> Self {
        Self::Service(e.into())
    }
}

/// A refreshed access token, and a new refresh token when it was renewed.
#[derive(Debug, Clone)]
pub struct Refreshed {
    pub access_token: String,
    pub expires_in: i64,
    /// The new refresh token and its life in seconds; `None` when the old one stays.
    pub refresh_token: Option<(String, i64)>,
}

impl Services {
    /// The refresh_token grant: the old access token stops working, a new one is issued.
    pub async fn refresh_access_token(
        &self,
        client_id: &str,
        client_secret: Option<&str>,
        refresh_token: &str,
    ) -> Result<Refreshed, OAuthError> {
        let owner = self.key_owner(client_id).await?;
        let app = match owner {
            Some(o) if matches!(o.kind, KeyKind::RestApi | KeyKind::JavaScript) => o.app_id,
            _ => {
                return Err(OAuthError::InvalidClient(
                    "invalid client_id: use the app's REST API or JavaScript key".into(),
                ))
            }
        };
        self.check_client_secret(app, client_secret).await?;
        let now = self.now();
        let old = self
            .store
            .token_by_refresh_hash(&secrets::token_hash(refresh_token))
            .await?
            .filter(|t| t.app_id == app && t.refresh_expires_at > now)
            .ok_or(OAuthError::InvalidRefreshToken)?;
        let access_token = secrets::bearer_token();
        let renewed =
            (old.refresh_expires_at - now < RENEW_REFRESH_WITHIN).then(secrets::bearer_token);
        let new = TokenRecord {
            app_id: old.app_id,
            user_id: old.user_id,
            access_hash: secrets::token_hash(&access_token),
            access_expires_at: now + self.tokens.access_ttl,
            refresh_hash: renewed
                .as_deref()
                .map_or_else(|| old.refresh_hash.clone(), secrets::token_hash),
            refresh_expires_at: if renewed.is_some() {
                now + self.tokens.refresh_ttl
            } else {
                old.refresh_expires_at
            },
            issued_at: now,
        };
        // A concurrent refresh with the same token won: this one must not mint a second.
        if !self.store.replace_token(&old.access_hash, &new).await? {
            return Err(OAuthError::InvalidRefreshToken);
        }
        Ok(Refreshed {
            access_token,
            expires_in: self.tokens.access_ttl.num_seconds(),
            refresh_token: renewed.map(|t| (t, self.tokens.refresh_ttl.num_seconds())),
        })
    }
}
