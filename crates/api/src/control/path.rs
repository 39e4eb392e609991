//! Typed path parameters of the control API. Each `{name}` segment of a route has one
//! extractor that reads it by name and parses it once, here; a malformed id names nothing,
//! so it answers the same 404 as an id that does not exist (never a 400, never a 500).
//! The parsing rules are the domain's (`validation::positive_id`, `ChannelPublicId::parse`).

use super::ControlError;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::StatusCode;
use talkchannel_domain::{validation::positive_id, ChannelPublicId, FriendAction};

/// The raw text of the path segment `{name}`.
async fn segment<S: Send + Sync>(
    parts: &mut Parts,
    state: &S,
    name: &str,
) -> Result<String, ControlError> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|e| ControlError::from_status(StatusCode::BAD_REQUEST, e.body_text()))?;
    let found = params.iter().find(|(key, _)| *key == name);
    found.map(|(_, value)| value.to_owned()).ok_or_else(|| {
        // A handler asked for a segment its route does not have: our bug, not the client's.
        tracing::error!(
            segment = name,
            "a control route lacks a path segment its handler reads"
        );
        ControlError::from_status(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal error".to_owned(),
        )
    })
}

/// Declares extractors of positive numeric ids: `Name("segment", "what it names")`.
macro_rules! numeric_ids {
    ($($(#[$doc:meta])* $name:ident($segment:literal, $what:literal);)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name(pub i64);

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = ControlError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ControlError> {
                let raw = segment(parts, state, $segment).await?;
                numeric_id(&raw, $what).map(Self)
            }
        }
    )*};
}

numeric_ids! {
    /// `{account_id}`
    AccountPath("account_id", "account");
    /// `{app_id}`
    AppPath("app_id", "app");
    /// `{user_id}`: an app user id.
    AppUserPath("user_id", "app user");
    /// `{file_id}`
    FilePath("file_id", "customer file");
    /// `{import_id}`
    ImportPath("import_id", "import");
    /// `{group_id}`
    GroupPath("group_id", "friend group");
    /// `{message_id}`
    MessagePath("message_id", "message");
    /// `{event_id}`
    EventPath("event_id", "webhook event");
}

/// A positive id written plainly, or the 404 naming what it would have named.
fn numeric_id(raw: &str, what: &str) -> Result<i64, ControlError> {
    positive_id(raw).ok_or_else(|| {
        ControlError::not_found(format!(
            "{what} `{}` does not exist (ids are positive numbers)",
            raw.chars().take(40).collect::<String>()
        ))
    })
}

/// `{public_id}`: a channel's profile id (`_ZeUTxl`).
#[derive(Debug, Clone)]
pub struct ChannelPath(pub ChannelPublicId);

/// Reads as the id's text, so handlers pass `&channel` where services take `&str`.
impl std::ops::Deref for ChannelPath {
    type Target = str;

    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl std::fmt::Display for ChannelPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ChannelPath {
    type Rejection = ControlError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ControlError> {
        let raw = segment(parts, state, "public_id").await?;
        ChannelPublicId::parse(&raw).map(Self).map_err(|invalid| {
            ControlError::not_found(format!("channel does not exist: {}", invalid.reason))
        })
    }
}

/// `{action}` of a friendship change: `add`, `block` or `unblock`.
pub struct ActionPath(pub FriendAction);

impl<S: Send + Sync> FromRequestParts<S> for ActionPath {
    type Rejection = ControlError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ControlError> {
        let raw = segment(parts, state, "action").await?;
        FriendAction::parse(&raw).map(Self).ok_or_else(|| {
            ControlError::not_found(format!(
                "unknown action `{}`: use add, block or unblock",
                raw.chars().take(20).collect::<String>()
            ))
        })
    }
}

/// `{button}` of a tracked message link: the button's index.
pub struct ButtonPath(pub usize);

impl<S: Send + Sync> FromRequestParts<S> for ButtonPath {
    type Rejection = ControlError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ControlError> {
        let raw = segment(parts, state, "button").await?;
        raw.parse()
            .map(Self)
            .map_err(|_| ControlError::not_found("no such button"))
    }
}
