use crate::validation::display_text;
use crate::{ChannelId, ValidationError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// A Kakao Talk Channel: a business profile that accounts add as a friend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub id: ChannelId,
    pub public_id: ChannelPublicId,
    pub search_id: SearchId,
    pub name: String,
    pub status: ChannelStatus,
    pub time_zone: TimeZone,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelStatus {
    Active,
    /// Banned by the platform: the Kakao APIs answer -544 for it.
    Sanctioned,
}

impl ChannelStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelStatus::Active => "active",
            ChannelStatus::Sanctioned => "sanctioned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "sanctioned" => Some(Self::Sanctioned),
            _ => None,
        }
    }
}

/// A channel's IANA time zone: ad quiet hours are read on its clock, and friend-group
/// ages and day windows on its date. Kakao's channels
/// live in Korea, so the default is `Asia/Seoul`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    pub const SEOUL: Self = Self(chrono_tz::Tz::Asia__Seoul);

    /// Accepts an IANA zone name as spelled in the tz database (`Asia/Seoul`, `UTC`).
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        s.parse::<chrono_tz::Tz>().map(Self).map_err(|_| {
            ValidationError::new(
                "time_zone",
                format!(
                    "`{}` is not an IANA time zone name such as `Asia/Seoul` or `America/New_York`",
                    s.chars().take(64).collect::<String>()
                ),
            )
        })
    }

    pub fn as_str(&self) -> &'static str {
        self.0.name()
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.0
    }

    /// The calendar date at `at` on this zone's clock: the day ages turn and "the last N
    /// days" end on for the channel's friend groups.
    pub fn date_at(&self, at: DateTime<Utc>) -> chrono::NaiveDate {
        at.with_timezone(&self.0).date_naive()
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        Self::SEOUL
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `_xxxx` profile id that keys every Kakao API (`pf.kakao.com/_ZeUTxl`).
/// Shared, not copied, when cloned: channel lists are cloned on hot read paths.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChannelPublicId(Arc<str>);

impl ChannelPublicId {
    pub const MAX_LEN: usize = 32;
    /// The field its validation errors name.
    pub const FIELD: &'static str = "channel_public_id";

    /// Accepts `_` followed by 1 to 31 ASCII letters and digits (case matters).
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let ok = s.len() >= 2
            && s.len() <= Self::MAX_LEN
            && s.starts_with('_')
            && s[1..].bytes().all(|b| b.is_ascii_alphanumeric());
        if ok {
            Ok(Self(s.into()))
        } else {
            Err(ValidationError::new(
                Self::FIELD,
                format!(
                    "`{}` is not a channel profile id: `_` followed by 1 to 31 letters or digits",
                    truncate(s)
                ),
            ))
        }
    }

    /// Builds one from generated alphanumerics (caller guarantees the alphabet).
    pub fn from_generated(alnum: &str) -> Self {
        Self(format!("_{alnum}").into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ChannelPublicId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The `@name` search id, reported by the Kakao API as `channel_uuid`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SearchId(Arc<str>);

impl SearchId {
    pub const MAX_CHARS: usize = 40;

    /// Accepts `@` followed by letters (any script), digits, `_`, `-` or `.`; a leading `@`
    /// is added when missing.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let name = s.trim().strip_prefix('@').unwrap_or(s.trim());
        let ok = !name.is_empty()
            && name.chars().count() < Self::MAX_CHARS
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if ok {
            Ok(Self(format!("@{name}").into()))
        } else {
            Err(ValidationError::new("search_id", format!("`{}` is not a search id: `@` followed by letters, digits, `_`, `-` or `.` (at most {} characters)", truncate(s), Self::MAX_CHARS - 1)))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SearchId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChannel {
    pub public_id: ChannelPublicId,
    pub search_id: SearchId,
    pub name: String,
    pub status: ChannelStatus,
    pub time_zone: TimeZone,
}

pub const CHANNEL_NAME_MAX_CHARS: usize = 40;

pub fn validate_channel_name(name: &str) -> Result<String, ValidationError> {
    display_text("name", name, CHANNEL_NAME_MAX_CHARS)
}

/// Echoes user input in error messages without letting it grow them without bound.
fn truncate(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_ids_are_underscore_alphanumerics() {
        assert!(ChannelPublicId::parse("_ZeUTxl").is_ok());
        for bad in [
            "",
            "_",
            "ZeUTxl",
            "_Ze UT",
            "_Zé",
            &format!("_{}", "a".repeat(32)),
        ] {
            assert!(ChannelPublicId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn search_ids_take_any_script_and_gain_their_at() {
        assert_eq!(
            SearchId::parse("카카오톡채널").unwrap().as_str(),
            "@카카오톡채널"
        );
        assert_eq!(SearchId::parse("@shop_1").unwrap().as_str(), "@shop_1");
        assert!(SearchId::parse("@").is_err());
        assert!(SearchId::parse("@a b").is_err());
    }
}
