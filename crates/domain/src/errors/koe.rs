//! Kakao Login's `KOE` error codes as talkchannel answers them: on kauth's JSON endpoints
//! (`{"error", "error_description", "error_code"}`) and on its sign-in and consent pages.

/// A Kakao Login failure. Each variant carries its `KOE` code, the OAuth `error` (RFC 6749
/// §5.2 / OIDC) and the HTTP status. Kakao reuses a code for several OAuth errors (KOE010
/// is any malformed or unauthenticated token request), so a variant is a (code, error)
/// pair and a code may appear in more than one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Koe {
    /// KOE001: the page's session is gone (sign in again).
    SessionExpired,
    /// KOE001: a page's form lacks a field it needs.
    InvalidForm,
    /// KOE002: the page is switched off by configuration (the account picker).
    PageDisabled,
    /// KOE003: talkchannel failed; retry.
    ServerError,
    /// KOE006: `redirect_uri` is not registered for the app.
    UnregisteredRedirectUri,
    /// KOE010: a parameter is missing or malformed.
    InvalidRequest,
    /// KOE010: the framework failed the request (timeout, panic); the status is the one
    /// the framework chose.
    RequestFailed,
    /// KOE010: `grant_type` is not one talkchannel supports.
    UnsupportedGrantType,
    /// KOE010: the client secret is missing or wrong.
    BadClientCredentials,
    /// KOE101: `client_id` is not the REST API or JavaScript key of an app.
    InvalidClient,
    /// KOE102: an offered channel is not connected to the app.
    ChannelNotConnected,
    /// KOE303: `redirect_uri` differs from the authorization request's.
    RedirectUriMismatch,
    /// KOE320: the authorization code is unknown, spent or expired, or its PKCE check
    /// failed (Kakao has no code of its own for that; the code is spent either way, and
    /// RFC 7636 §4.6 names the error `invalid_grant`).
    InvalidCode,
    /// KOE322: the refresh token is unknown, expired or another app's.
    InvalidRefreshToken,
}

impl Koe {
    pub const ALL: [Koe; 14] = [
        Koe::SessionExpired,
        Koe::InvalidForm,
        Koe::PageDisabled,
        Koe::ServerError,
        Koe::UnregisteredRedirectUri,
        Koe::InvalidRequest,
        Koe::RequestFailed,
        Koe::UnsupportedGrantType,
        Koe::BadClientCredentials,
        Koe::InvalidClient,
        Koe::ChannelNotConnected,
        Koe::RedirectUriMismatch,
        Koe::InvalidCode,
        Koe::InvalidRefreshToken,
    ];

    /// The `error_code` text.
    pub fn code(self) -> &'static str {
        match self {
            Koe::SessionExpired | Koe::InvalidForm => "KOE001",
            Koe::PageDisabled => "KOE002",
            Koe::ServerError => "KOE003",
            Koe::UnregisteredRedirectUri => "KOE006",
            Koe::InvalidRequest
            | Koe::RequestFailed
            | Koe::UnsupportedGrantType
            | Koe::BadClientCredentials => "KOE010",
            Koe::InvalidClient => "KOE101",
            Koe::ChannelNotConnected => "KOE102",
            Koe::RedirectUriMismatch => "KOE303",
            Koe::InvalidCode => "KOE320",
            Koe::InvalidRefreshToken => "KOE322",
        }
    }

    /// The OAuth `error`.
    pub fn error(self) -> &'static str {
        match self {
            Koe::SessionExpired => "login_required",
            Koe::InvalidForm
            | Koe::PageDisabled
            | Koe::UnregisteredRedirectUri
            | Koe::InvalidRequest => "invalid_request",
            Koe::ServerError | Koe::RequestFailed => "server_error",
            Koe::UnsupportedGrantType => "unsupported_grant_type",
            Koe::BadClientCredentials | Koe::InvalidClient | Koe::ChannelNotConnected => {
                "invalid_client"
            }
            Koe::RedirectUriMismatch | Koe::InvalidCode | Koe::InvalidRefreshToken => {
                "invalid_grant"
            }
        }
    }

    /// The HTTP status of the answer (JSON or page).
    pub fn http_status(self) -> u16 {
        match self {
            Koe::SessionExpired | Koe::BadClientCredentials | Koe::InvalidClient => 401,
            Koe::PageDisabled => 404,
            Koe::ServerError | Koe::RequestFailed => 500,
            _ => 400,
        }
    }
}

/// The code text, as messages and logs quote it.
impl std::fmt::Display for Koe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::Koe::{self, *};
    use std::collections::HashSet;

    /// Kakao documents KOE004, KOE006 and KOE102 (`invalid_client`) in the spec
    /// (admin-center.md, kakao-channel-api.md §5.7); the rest follow Kakao's
    /// trouble-shooting page and RFC 6749 §5.2 (`invalid_client` is 401).
    const TABLE: [(Koe, &str, &str, u16); 14] = [
        (SessionExpired, "KOE001", "login_required", 401),
        (InvalidForm, "KOE001", "invalid_request", 400),
        (PageDisabled, "KOE002", "invalid_request", 404),
        (ServerError, "KOE003", "server_error", 500),
        (UnregisteredRedirectUri, "KOE006", "invalid_request", 400),
        (InvalidRequest, "KOE010", "invalid_request", 400),
        (RequestFailed, "KOE010", "server_error", 500),
        (
            UnsupportedGrantType,
            "KOE010",
            "unsupported_grant_type",
            400,
        ),
        (BadClientCredentials, "KOE010", "invalid_client", 401),
        (InvalidClient, "KOE101", "invalid_client", 401),
        (ChannelNotConnected, "KOE102", "invalid_client", 400),
        (RedirectUriMismatch, "KOE303", "invalid_grant", 400),
        (InvalidCode, "KOE320", "invalid_grant", 400),
        (InvalidRefreshToken, "KOE322", "invalid_grant", 400),
    ];

    #[test]
    fn every_variant_answers_its_wire_text_and_status() {
        for (koe, code, error, status) in TABLE {
            assert_eq!(
                (koe.code(), koe.error(), koe.http_status()),
                (code, error, status)
            );
        }
        let listed: HashSet<_> = TABLE.iter().map(|t| t.0).collect();
        assert_eq!(listed, Koe::ALL.into_iter().collect());
    }

    #[test]
    fn no_two_variants_share_a_code_and_error() {
        let pairs: HashSet<_> = Koe::ALL.iter().map(|k| (k.code(), k.error())).collect();
        assert_eq!(pairs.len(), Koe::ALL.len());
        for koe in Koe::ALL {
            let digits = koe.code().strip_prefix("KOE").unwrap();
            assert!(digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()));
        }
    }
}
