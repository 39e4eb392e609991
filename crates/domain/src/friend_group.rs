//! Friend groups: a channel's named condition trees (see [`crate::segment`]).

use crate::validation::display_text;
use crate::{ChannelId, ValidationError};
use chrono::{DateTime, Utc};
use serde_json::Value;

pub type GroupId = i64;

/// Longest group name.
pub const MAX_GROUP_NAME_CHARS: usize = 100;
/// Most groups one channel may hold.
pub const MAX_GROUPS_PER_CHANNEL: usize = 1_000;

#[derive(Debug, Clone, PartialEq)]
pub struct FriendGroup {
    pub id: GroupId,
    pub channel_id: ChannelId,
    pub name: String,
    /// The validated tree in canonical wire form ([`crate::segment::render`]).
    pub tree: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a create or update writes: a checked name and a canonical tree.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupDraft {
    pub name: String,
    pub tree: Value,
}

/// Checks a group name: trimmed, 1 to [`MAX_GROUP_NAME_CHARS`], no control characters.
pub fn group_name(name: &str) -> Result<String, ValidationError> {
    display_text("name", name, MAX_GROUP_NAME_CHARS)
}
