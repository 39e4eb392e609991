//! Channel messages: what an admin sends to the channel's friends (all of them, or a
//! friend group), now or at a scheduled time. The limits are written in docs/messages.md.

mod content;

pub use content::{Button, Card, ListItem, MessageContent};

use crate::validation::ValidationError;
use crate::{ChannelId, GroupId, TimeZone};
use chrono::{DateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

pub type MessageId = i64;

/// Most buttons under one message (Kakao's message editor offers two).
pub const MAX_BUTTONS: usize = 2;
/// Longest button label, in characters.
pub const MAX_BUTTON_NAME_CHARS: usize = 14;
/// Longest link (button, list item), in bytes.
pub const MAX_URL_BYTES: usize = 1_000;
/// What an ad message's leading text must start with (Korean law: "(광고)").
pub const AD_MARKER: &str = "(광고)";
/// Ads may not be sent from 20:00 to 08:00 (on the channel's clock, see [`TimeZone`]).
pub const QUIET_HOURS: (u32, u32) = (20, 8);

/// Who a message goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Target {
    /// Every account whose relation with the channel is ADDED at send time.
    AllFriends,
    /// The group's members (matching friends) at send time.
    Group { group_id: GroupId },
}

/// A message's life: draft -> (scheduled ->) sent, or cancelled before it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    Draft,
    Scheduled,
    Sent,
    Cancelled,
}

impl MessageState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Scheduled => "scheduled",
            Self::Sent => "sent",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => Self::Draft,
            "scheduled" => Self::Scheduled,
            "sent" => Self::Sent,
            "cancelled" => Self::Cancelled,
            _ => return None,
        })
    }
}

/// What the admin writes: the content, its buttons and whether it is an ad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageBody {
    pub content: MessageContent,
    #[serde(default)]
    pub buttons: Vec<Button>,
    #[serde(default)]
    pub ad: bool,
}

impl MessageBody {
    /// Checks every limit; the first problem found names its field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.content.validate()?;
        if self.buttons.len() > MAX_BUTTONS {
            return Err(ValidationError::new(
                "buttons",
                format!(
                    "{} buttons; a message has at most {MAX_BUTTONS}",
                    self.buttons.len()
                ),
            ));
        }
        for (i, button) in self.buttons.iter().enumerate() {
            button.validate(&format!("buttons[{i}]"))?;
        }
        if self.ad && !self.content.leading_text().starts_with(AD_MARKER) {
            return Err(ValidationError::new(
                "content",
                format!(
                    "an ad message's {} must start with the marker `{AD_MARKER}`",
                    self.content.leading_field()
                ),
            ));
        }
        Ok(())
    }
}

/// A stored message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: MessageId,
    pub channel_id: ChannelId,
    pub body: MessageBody,
    pub target: Target,
    pub state: MessageState,
    pub scheduled_at: Option<DateTime<Utc>>,
    /// The message this one is a test send of (test sends never count in statistics).
    pub test_of: Option<MessageId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// How many accounts the recipient set fixed at send time holds.
    pub recipients: Option<u64>,
    /// Position in the channel's delivery order (chats list messages by it).
    pub delivery_seq: Option<i64>,
}

/// What a create stores.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    pub body: MessageBody,
    pub target: Target,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub test_of: Option<MessageId>,
}

/// Whether `at` falls in quiet hours on the clock of `zone`, when ads may not be sent.
pub fn in_quiet_hours(at: DateTime<Utc>, zone: TimeZone) -> bool {
    let hour = at.with_timezone(&zone.tz()).hour();
    let (from, to) = QUIET_HOURS;
    hour >= from || hour < to
}

/// Refuses an ad that would go out in quiet hours of the channel's `zone`.
pub fn check_ad_time(
    body: &MessageBody,
    at: DateTime<Utc>,
    zone: TimeZone,
) -> Result<(), ValidationError> {
    if body.ad && in_quiet_hours(at, zone) {
        let (from, to) = QUIET_HOURS;
        return Err(ValidationError::new(
            "ad",
            format!(
                "ad messages cannot be sent from {from:02}:00 to {to:02}:00 in the channel's \
                 time zone ({zone}); schedule it for later"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
