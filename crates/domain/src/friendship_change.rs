//! What one friendship change writes, decided once for every storage engine.
//!
//! An engine reads the pair's current row inside its transaction (locked, on engines
//! with row locks), asks [`FriendshipChange::decide`] what to write, and persists exactly
//! that: the new row, its log entry, the friend-count move of every customer-file row
//! holding the account, the segment-version stamp on the row, and the webhook event for
//! the channel's apps. No engine decides any of it on its own.

use crate::Relation;
use crate::{AccountId, ChangeSource, ChannelId, FriendAction, Friendship, FriendshipLogEntry};
use chrono::{DateTime, Utc};

/// A requested friendship change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FriendshipChange {
    pub channel_id: ChannelId,
    pub account_id: AccountId,
    pub action: FriendAction,
    pub source: ChangeSource,
    pub at: DateTime<Utc>,
}

/// The webhook event a change sends to every connected app with enabled webhooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookEventKind {
    Added,
    Blocked,
}

impl WebhookEventKind {
    /// The event a change to `to` sends. Kakao notifies adds and blocks only; an unblock
    /// (back to NONE) sends nothing.
    pub fn after_change_to(to: Relation) -> Option<Self> {
        match to {
            Relation::Added => Some(Self::Added),
            Relation::Blocked => Some(Self::Blocked),
            Relation::None => None,
        }
    }

    /// Kakao's `event` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Blocked => "blocked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Added, Self::Blocked]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Everything a change that moves the relation writes, in one transaction.
///
/// The engine also stamps the row with the channel's next segment version (every write
/// that can move a friend-group count does), so the segment engine catches up from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FriendshipWrite {
    /// The pair's row afterwards. `first_added_at` is set the first time the relation
    /// becomes ADDED and never changes after.
    pub row: Friendship,
    /// Whether the pair had no row yet (insert) or has one (update).
    pub is_new: bool,
    pub from: Relation,
    /// How much every customer-file row holding the account moves its file's `friends`
    /// count: +1 when the account starts counting as a friend, -1 when it stops, else 0.
    pub friends_per_file_row: i64,
    /// The event for the channel's apps with enabled webhooks, if the change sends one.
    pub event: Option<WebhookEventKind>,
}

impl FriendshipChange {
    /// What applying the change to `current` (the pair's row, `None` when it never
    /// changed) writes, or `None` when the change is a no-op: repeating an action never
    /// creates rows or log entries. `at` is taken as the engine will store it.
    pub fn decide(&self, current: Option<&Friendship>) -> Option<FriendshipWrite> {
        let from = current.map_or(Relation::None, |f| f.relation);
        let to = from.after(self.action)?;
        let first_added_at = current
            .and_then(|f| f.first_added_at)
            .or_else(|| (to == Relation::Added).then_some(self.at));
        let friends_per_file_row = match (from == Relation::Added, to == Relation::Added) {
            (false, true) => 1,
            (true, false) => -1,
            _ => 0,
        };
        Some(FriendshipWrite {
            row: Friendship {
                channel_id: self.channel_id,
                account_id: self.account_id,
                relation: to,
                first_added_at,
                updated_at: self.at,
            },
            is_new: current.is_none(),
            from,
            friends_per_file_row,
            event: WebhookEventKind::after_change_to(to),
        })
    }
}

impl FriendshipWrite {
    /// The relation the change leads to.
    pub fn to(&self) -> Relation {
        self.row.relation
    }

    /// The change's log entry, once the engine has given it its sequence number.
    pub fn log_entry(&self, change: &FriendshipChange, seq: i64) -> FriendshipLogEntry {
        FriendshipLogEntry {
            seq,
            channel_id: change.channel_id,
            account_id: change.account_id,
            action: change.action,
            from: self.from,
            to: self.to(),
            source: change.source,
            at: change.at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn change(action: FriendAction, secs: i64) -> FriendshipChange {
        FriendshipChange {
            channel_id: 1,
            account_id: 2,
            action,
            source: ChangeSource::ControlApi,
            at: Utc.timestamp_opt(secs, 0).unwrap(),
        }
    }

    #[test]
    fn a_first_add_inserts_counts_and_notifies() {
        let w = change(FriendAction::Add, 10).decide(None).unwrap();
        assert!(w.is_new);
        assert_eq!((w.from, w.to()), (Relation::None, Relation::Added));
        assert_eq!(w.row.first_added_at, Some(w.row.updated_at));
        assert_eq!(w.friends_per_file_row, 1);
        assert_eq!(w.event, Some(WebhookEventKind::Added));
    }

    #[test]
    fn the_first_added_time_survives_later_changes() {
        let added = change(FriendAction::Add, 10).decide(None).unwrap().row;
        let blocked = change(FriendAction::Block, 20)
            .decide(Some(&added))
            .unwrap();
        assert_eq!(blocked.friends_per_file_row, -1);
        assert_eq!(blocked.event, Some(WebhookEventKind::Blocked));
        let unblocked = change(FriendAction::Unblock, 30)
            .decide(Some(&blocked.row))
            .unwrap();
        assert_eq!(unblocked.row.first_added_at, added.first_added_at);
        assert_eq!((unblocked.friends_per_file_row, unblocked.event), (0, None));
        let log = unblocked.log_entry(&change(FriendAction::Unblock, 30), 7);
        assert_eq!(
            (log.seq, log.from, log.to),
            (7, Relation::Blocked, Relation::None)
        );
    }

    #[test]
    fn a_block_never_sets_the_first_added_time() {
        let w = change(FriendAction::Block, 10).decide(None).unwrap();
        assert_eq!(w.row.first_added_at, None);
        assert_eq!(w.friends_per_file_row, 0);
    }

    #[test]
    fn a_repeated_action_writes_nothing() {
        let added = change(FriendAction::Add, 10).decide(None).unwrap().row;
        assert_eq!(change(FriendAction::Add, 20).decide(Some(&added)), None);
        assert_eq!(change(FriendAction::Unblock, 20).decide(None), None);
    }
}
