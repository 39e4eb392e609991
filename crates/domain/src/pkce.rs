//! PKCE (RFC 7636): the code challenge an authorization request binds to its code, and
//! the check of the code verifier that must redeem it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::fmt;
use thiserror::Error;

/// How the challenge was derived from the verifier (`code_challenge_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeChallengeMethod {
    /// `BASE64URL(SHA256(verifier))`, without padding.
    S256,
    /// The challenge is the verifier itself.
    Plain,
}

impl CodeChallengeMethod {
    /// The wire name; RFC 7636 §4.3 makes it case-sensitive.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::S256 => "S256",
            Self::Plain => "plain",
        }
    }

    pub fn parse(method: &str) -> Result<Self, PkceError> {
        match method {
            "S256" => Ok(Self::S256),
            "plain" => Ok(Self::Plain),
            other => Err(PkceError::UnknownMethod(other.chars().take(40).collect())),
        }
    }
}

impl fmt::Display for CodeChallengeMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a PKCE value is refused. The messages are shown to the client.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PkceError {
    #[error("code_challenge_method `{0}` is not supported: use S256 or plain")]
    UnknownMethod(String),
    #[error("code_challenge_method is given without code_challenge")]
    MethodWithoutChallenge,
    #[error("code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~]")]
    MalformedChallenge,
    #[error("an S256 code_challenge must be 43 characters of base64url without padding")]
    MalformedS256Challenge,
    #[error("code_verifier must be 43 to 128 characters of [A-Za-z0-9-._~]")]
    MalformedVerifier,
}

/// A checked `code_challenge` with its method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeChallenge {
    method: CodeChallengeMethod,
    value: String,
}

impl CodeChallenge {
    /// Reads an authorization request's PKCE parameters. `Ok(None)` when neither is
    /// given; the method defaults to `plain` when omitted (RFC 7636 §4.3).
    pub fn from_request(
        challenge: Option<&str>,
        method: Option<&str>,
    ) -> Result<Option<Self>, PkceError> {
        match (challenge, method) {
            (None, None) => Ok(None),
            (None, Some(_)) => Err(PkceError::MethodWithoutChallenge),
            (Some(value), method) => {
                let method = method.map_or(Ok(CodeChallengeMethod::Plain), |m| {
                    CodeChallengeMethod::parse(m)
                })?;
                Self::new(method, value).map(Some)
            }
        }
    }

    /// Checks `value` against the syntax of `method`'s challenges.
    pub fn new(method: CodeChallengeMethod, value: &str) -> Result<Self, PkceError> {
        if !is_pkce_string(value) {
            return Err(PkceError::MalformedChallenge);
        }
        // A SHA-256 digest is 32 bytes, 43 base64url characters without padding; the
        // `.` and `~` the verifier alphabet allows are not base64url.
        if method == CodeChallengeMethod::S256
            && (value.len() != 43 || URL_SAFE_NO_PAD.decode(value).is_err())
        {
            return Err(PkceError::MalformedS256Challenge);
        }
        Ok(Self {
            method,
            value: value.to_owned(),
        })
    }

    pub fn method(&self) -> CodeChallengeMethod {
        self.method
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    /// Whether `verifier` is the one this challenge was derived from, compared in
    /// constant time so a wrong guess learns nothing from the timing.
    pub fn is_satisfied_by(&self, verifier: &CodeVerifier) -> bool {
        let derived = match self.method {
            CodeChallengeMethod::S256 => s256(&verifier.0),
            CodeChallengeMethod::Plain => verifier.0.clone(),
        };
        constant_time_eq(derived.as_bytes(), self.value.as_bytes())
    }
}

/// A `code_verifier` of the right syntax (RFC 7636 §4.1).
#[derive(Clone, PartialEq, Eq)]
pub struct CodeVerifier(String);

impl CodeVerifier {
    pub fn parse(value: &str) -> Result<Self, PkceError> {
        if is_pkce_string(value) {
            Ok(Self(value.to_owned()))
        } else {
            Err(PkceError::MalformedVerifier)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A verifier is a secret: keep it out of logs.
impl fmt::Debug for CodeVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeVerifier(..)")
    }
}

/// The S256 challenge of a verifier.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// 43 to 128 characters of `[A-Za-z0-9-._~]`, the syntax RFC 7636 gives both the
/// verifier (§4.1) and the challenge (§4.2).
fn is_pkce_string(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 Appendix B (checked with Python: base64url(sha256(verifier))).
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn verifier(s: &str) -> CodeVerifier {
        CodeVerifier::parse(s).expect("well-formed verifier")
    }

    #[test]
    fn s256_matches_rfc_7636_appendix_b() {
        assert_eq!(s256(VERIFIER), CHALLENGE);
        let challenge = CodeChallenge::from_request(Some(CHALLENGE), Some("S256"))
            .expect("valid")
            .expect("present");
        assert!(challenge.is_satisfied_by(&verifier(VERIFIER)));
        let other = format!("{}A", &VERIFIER[..42]);
        assert!(!challenge.is_satisfied_by(&verifier(&other)));
    }

    #[test]
    fn plain_is_the_default_and_compares_equal() {
        let challenge = CodeChallenge::from_request(Some(VERIFIER), None)
            .expect("valid")
            .expect("present");
        assert_eq!(challenge.method(), CodeChallengeMethod::Plain);
        assert!(challenge.is_satisfied_by(&verifier(VERIFIER)));
        // The S256 challenge is not a plain verifier of itself.
        assert!(!challenge.is_satisfied_by(&verifier(CHALLENGE)));
    }

    #[test]
    fn absent_parameters_mean_no_challenge() {
        assert_eq!(CodeChallenge::from_request(None, None), Ok(None));
        assert_eq!(
            CodeChallenge::from_request(None, Some("S256")),
            Err(PkceError::MethodWithoutChallenge)
        );
    }

    #[test]
    fn methods_are_case_sensitive_and_known() {
        for m in ["s256", "PLAIN", "S512", ""] {
            assert!(matches!(
                CodeChallenge::from_request(Some(CHALLENGE), Some(m)),
                Err(PkceError::UnknownMethod(_))
            ));
        }
    }

    #[test]
    fn challenges_are_checked() {
        let too_short = &CHALLENGE[..42];
        let too_long = "a".repeat(129);
        for (value, method, err) in [
            (too_short, "plain", PkceError::MalformedChallenge),
            (too_long.as_str(), "plain", PkceError::MalformedChallenge),
            (
                &format!("{}+", &CHALLENGE[..42]),
                "plain",
                PkceError::MalformedChallenge,
            ),
            (
                &format!("{CHALLENGE}a"),
                "S256",
                PkceError::MalformedS256Challenge,
            ),
            (
                &format!("{}~", &CHALLENGE[..42]),
                "S256",
                PkceError::MalformedS256Challenge,
            ),
        ] {
            assert_eq!(
                CodeChallenge::from_request(Some(value), Some(method)),
                Err(err),
                "{value} ({method})"
            );
        }
        let longest_plain = "~".repeat(128);
        assert!(CodeChallenge::from_request(Some(&longest_plain), Some("plain")).is_ok());
    }

    #[test]
    fn verifiers_are_checked() {
        for bad in [
            &VERIFIER[..42],
            &"a".repeat(129),
            &format!("{}=", &VERIFIER[..42]),
            &format!("{} ", &VERIFIER[..42]),
            &format!("{}é", &VERIFIER[..41]),
        ] {
            assert_eq!(
                CodeVerifier::parse(bad),
                Err(PkceError::MalformedVerifier),
                "{bad}"
            );
        }
        assert!(CodeVerifier::parse(&"A-._~".repeat(9)).is_ok());
        assert!(CodeVerifier::parse(&"z".repeat(128)).is_ok());
    }
}
