use crate::validation::display_text;
use crate::{AppId, ValidationError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A service app registered with the platform, with the keys its code uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    pub id: AppId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub keys: Vec<AppKey>,
}

impl App {
    pub fn key(&self, kind: KeyKind) -> Option<&AppKey> {
        self.keys.iter().find(|k| k.kind == kind)
    }

    pub fn primary_admin_key(&self) -> Option<&AppKey> {
        self.keys
            .iter()
            .find(|k| k.kind == KeyKind::Admin && k.primary)
    }
}

/// Kakao's four kinds of app key. Each kind opens a different set of APIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    RestApi,
    JavaScript,
    Native,
    Admin,
}

impl KeyKind {
    pub const ALL: [KeyKind; 4] = [
        KeyKind::RestApi,
        KeyKind::JavaScript,
        KeyKind::Native,
        KeyKind::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::RestApi => "rest_api",
            KeyKind::JavaScript => "javascript",
            KeyKind::Native => "native",
            KeyKind::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppKey {
    pub kind: KeyKind,
    /// 32 lower-case hex characters, as Kakao's keys are.
    pub key: String,
    /// Only admin keys have a primary; it signs outgoing webhooks.
    pub primary: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApp {
    pub name: String,
    pub keys: Vec<AppKey>,
}

pub const APP_NAME_MAX_CHARS: usize = 100;

impl NewApp {
    pub fn validate_name(name: &str) -> Result<String, ValidationError> {
        display_text("name", name, APP_NAME_MAX_CHARS)
    }
}

/// Whether a string has the shape of a key we issue; anything else is rejected before a
/// lookup (a NUL, above all, which PostgreSQL cannot even compare).
pub fn looks_like_key(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}
