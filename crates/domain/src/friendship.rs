use crate::{AccountId, ChannelId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An account's relationship with a channel, as the Kakao API reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Relation {
    Added,
    Blocked,
    None,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Added => "ADDED",
            Relation::Blocked => "BLOCKED",
            Relation::None => "NONE",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ADDED" => Some(Self::Added),
            "BLOCKED" => Some(Self::Blocked),
            "NONE" => Some(Self::None),
            _ => None,
        }
    }

    /// The relation an action leads to, or `None` when the account is already where the
    /// action would take it (actions are idempotent: repeating one changes nothing).
    ///
    /// Adding works from any state (in Kakao Talk, adding a blocked channel unblocks it);
    /// unblocking only moves a blocked channel, back to NONE: the account adds it again
    /// if it wants it as a friend.
    pub fn after(self, action: FriendAction) -> Option<Relation> {
        let target = match (action, self) {
            (FriendAction::Add, _) => Relation::Added,
            (FriendAction::Block, _) => Relation::Blocked,
            (FriendAction::Unblock, Relation::Blocked) => Relation::None,
            (FriendAction::Unblock, current) => current,
        };
        (target != self).then_some(target)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FriendAction {
    Add,
    Block,
    Unblock,
}

impl FriendAction {
    pub fn as_str(self) -> &'static str {
        match self {
            FriendAction::Add => "add",
            FriendAction::Block => "block",
            FriendAction::Unblock => "unblock",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "add" => Some(Self::Add),
            "block" => Some(Self::Block),
            "unblock" => Some(Self::Unblock),
            _ => None,
        }
    }
}

/// Which surface caused a friendship change; kept in the log for audits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeSource {
    ControlApi,
    ChannelPage,
    AdminCenter,
}

impl ChangeSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeSource::ControlApi => "control_api",
            ChangeSource::ChannelPage => "channel_page",
            ChangeSource::AdminCenter => "admin_center",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "control_api" => Some(Self::ControlApi),
            "channel_page" => Some(Self::ChannelPage),
            "admin_center" => Some(Self::AdminCenter),
            _ => None,
        }
    }
}

/// The current state of (channel, account). Absent rows mean NONE, never changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Friendship {
    pub channel_id: ChannelId,
    pub account_id: AccountId,
    pub relation: Relation,
    /// When the account first added the channel, if it ever did.
    pub first_added_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// One transition, append-only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FriendshipLogEntry {
    pub seq: i64,
    pub channel_id: ChannelId,
    pub account_id: AccountId,
    pub action: FriendAction,
    pub from: Relation,
    pub to: Relation,
    pub source: ChangeSource,
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use FriendAction::*;
    use Relation::*;

    #[test]
    fn transitions() {
        let table = [
            (None, Add, Some(Added)),
            (None, Block, Some(Blocked)),
            (None, Unblock, Option::None),
            (Added, Add, Option::None),
            (Added, Block, Some(Blocked)),
            (Added, Unblock, Option::None),
            (Blocked, Add, Some(Added)),
            (Blocked, Block, Option::None),
            (Blocked, Unblock, Some(None)),
        ];
        for (from, action, to) in table {
            assert_eq!(from.after(action), to, "{from:?} {action:?}");
        }
    }
}
