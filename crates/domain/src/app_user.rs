use crate::{AccountId, AppId};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

/// The app-scoped numeric user id (회원번호) Kakao reports as `user_id`.
pub type UserId = i64;

/// A consent item. `plusfriends` lets the app read the account's channel relationships.
pub type Scope = String;

pub const PLUSFRIENDS: &str = "plusfriends";

/// Consent items we know; anything else is refused so typos surface early.
pub const KNOWN_SCOPES: [&str; 9] = [
    "profile_nickname",
    "profile_image",
    "account_email",
    "gender",
    "age_range",
    "birthday",
    "birthyear",
    "phone_number",
    PLUSFRIENDS,
];

/// An account linked to an app through Kakao Login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppUser {
    pub app_id: AppId,
    pub account_id: AccountId,
    pub user_id: UserId,
    pub scopes: BTreeSet<Scope>,
    pub linked_at: DateTime<Utc>,
}

impl AppUser {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }
}

/// An issued token pair. Only hashes are stored; the plain tokens go to the caller once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub app_id: AppId,
    pub user_id: UserId,
    pub access_hash: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_hash: String,
    pub refresh_expires_at: DateTime<Utc>,
    pub issued_at: DateTime<Utc>,
}
