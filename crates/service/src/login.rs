//! Kakao Login's set-up: the redirect URIs an app registers and the passwords accounts
//! sign in with (argon2id; the store only ever sees the hash).

use crate::password_gate::Busy;
use crate::{ServiceError, ServiceResult, Services};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::LazyLock;
use talkchannel_domain::web_url::WebUrl;
use talkchannel_domain::{AccountId, AppId, PhoneNumber, ValidationError};
use talkchannel_store::StoreError;

/// Kakao's developer console accepts at most 10 redirect URIs per app.
pub const MAX_REDIRECT_URIS: usize = 10;
const MAX_REDIRECT_URI_LEN: usize = 2_000;
/// Kakao Accounts take 8 to 32 characters; we allow longer passphrases.
const PASSWORD_CHARS: std::ops::RangeInclusive<usize> = 8..=128;

/// A hash no password is checked against for real (see `verify_login`).
static DECOY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("decoy password, never set").expect("hash a constant"));

impl Services {
    /// Replaces the app's redirect URIs; returns them as stored.
    pub async fn set_redirect_uris(
        &self,
        app: AppId,
        uris: &[String],
    ) -> ServiceResult<Vec<String>> {
        let uris = validate_redirect_uris(uris)?;
        self.store
            .set_redirect_uris(app, &uris)
            .await
            .map_err(|e| named(e, app))?;
        Ok(uris)
    }

    pub async fn redirect_uris(&self, app: AppId) -> ServiceResult<Vec<String>> {
        self.app(app).await?;
        Ok(self.store.redirect_uris(app).await?)
    }

    /// Sets the password the account signs in with (by its email or phone number).
    pub async fn set_account_password(
        &self,
        account: AccountId,
        password: &str,
    ) -> ServiceResult<()> {
        let password = password.to_owned();
        let hash = self
            .password_gate
            .run_waiting(move || hash_password(&password))
            .await
            .map_err(|_| {
                ServiceError::Backend("password hashing is saturated; try again".into())
            })??;
        self.store
            .set_password_hash(account, &hash, self.now())
            .await
            .map_err(|e| named(e, account))
    }

    /// The account that `login` (an email or a phone number in any common spelling)
    /// names and `password` unlocks, if any; `Err(Busy)` when the password gate is full.
    pub(crate) async fn verify_login(
        &self,
        login: &str,
        password: &str,
    ) -> ServiceResult<Result<Option<AccountId>, Busy>> {
        let Some(login) = normalise_login(login) else {
            return Ok(Ok(None));
        };
        let candidates = self.store.credentials_for_login(&login).await?;
        let password = password.to_owned();
        Ok(self
            .password_gate
            .run(move || {
                if candidates.is_empty() {
                    // Spend the same time as a real check, so response times do not tell
                    // which emails and phone numbers have accounts.
                    password_matches(&DECOY_HASH, &password);
                }
                candidates
                    .into_iter()
                    .find(|c| password_matches(&c.password_hash, &password))
                    .map(|c| c.account_id)
            })
            .await)
    }
}

/// The store's `NotFound` carries no id; name the one the caller gave.
fn named(e: StoreError, id: i64) -> ServiceError {
    match e {
        StoreError::NotFound(what) => ServiceError::not_found(what, id),
        other => other.into(),
    }
}

/// Absolute http(s) URIs with a host and no fragment (RFC 6749 §3.1.2), no duplicates.
fn validate_redirect_uris(uris: &[String]) -> Result<Vec<String>, ValidationError> {
    if uris.len() > MAX_REDIRECT_URIS {
        return Err(ValidationError::new(
            "redirect_uris",
            format!("at most {MAX_REDIRECT_URIS} redirect URIs per app"),
        ));
    }
    let mut valid: Vec<String> = Vec::with_capacity(uris.len());
    for raw in uris {
        let uri = raw.trim();
        let invalid = |why: &str| {
            let shown: String = uri.chars().take(80).collect();
            ValidationError::new("redirect_uris", format!("`{shown}` {why}"))
        };
        if uri.len() > MAX_REDIRECT_URI_LEN {
            return Err(invalid("is longer than 2000 bytes"));
        }
        let parsed = WebUrl::parse(uri).map_err(invalid)?;
        if parsed.url().fragment().is_some() {
            return Err(invalid("must not have a fragment (#...)"));
        }
        if valid.iter().any(|v| v == uri) {
            return Err(invalid("is listed twice"));
        }
        valid.push(uri.to_owned());
    }
    Ok(valid)
}

fn hash_password(password: &str) -> Result<String, ServiceError> {
    if !PASSWORD_CHARS.contains(&password.chars().count()) {
        return Err(ValidationError::new("password", "must be 8 to 128 characters").into());
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Backend(format!("argon2 hashing failed: {e}")))
}

fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Emails are stored lower-cased and phone numbers in national digits, so a login is
/// brought to the same form; anything else cannot name an account.
pub(crate) fn normalise_login(login: &str) -> Option<String> {
    let login = login.trim();
    // No account's email or phone holds a control character (a NUL could not even be
    // compared on PostgreSQL): such a login names nobody.
    if login.chars().any(char::is_control) {
        return None;
    }
    if login.contains('@') {
        Some(login.to_lowercase())
    } else {
        PhoneNumber::parse(login)
            .ok()
            .map(|p| p.as_str().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password("비밀번호-correct").expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(password_matches(&hash, "비밀번호-correct"));
        assert!(!password_matches(&hash, "비밀번호-wrong"));
        assert!(!password_matches("not a phc string", "anything"));
        assert_ne!(
            hash,
            hash_password("비밀번호-correct").expect("hash"),
            "salted"
        );
    }

    #[test]
    fn passwords_outside_8_to_128_characters_are_refused() {
        assert!(hash_password("short").is_err());
        assert!(hash_password(&"가".repeat(129)).is_err());
        assert!(hash_password(&"가".repeat(8)).is_ok());
    }

    #[test]
    fn logins_are_normalised_like_stored_accounts() {
        assert_eq!(
            normalise_login(" MJ@Example.com ").as_deref(),
            Some("mj@example.com")
        );
        assert_eq!(
            normalise_login("+82 10-1234-5678").as_deref(),
            Some("01012345678")
        );
        assert_eq!(normalise_login("nobody"), None);
    }

    #[test]
    fn redirect_uris_must_be_absolute_http_without_fragment_or_duplicates() {
        let ok = |v: &[&str]| {
            validate_redirect_uris(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        };
        assert!(ok(&["https://shop.example/cb", " http://127.0.0.1:8080/oauth "]).is_ok());
        for bad in [
            "/relative",
            "ftp://x.example/",
            "https://x.example/#frag",
            "javascript:alert(1)",
        ] {
            assert!(ok(&[bad]).is_err(), "{bad} accepted");
        }
        assert!(ok(&["https://a.example/", "https://a.example/"]).is_err());
        assert!(ok(&["https://a.example/"; 11]).is_err());
    }
}
