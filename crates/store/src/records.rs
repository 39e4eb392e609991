use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use talkchannel_domain::{
    AccountId, AppId, ChangeSource, ChannelId, FriendAction, Friendship, FriendshipLogEntry,
    KeyKind, Scope, UserId,
};

/// Who a key belongs to, found by the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyOwner {
    pub app_id: AppId,
    pub kind: KeyKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAppUser {
    pub app_id: AppId,
    pub account_id: AccountId,
    pub user_id: UserId,
    pub scopes: BTreeSet<Scope>,
    pub linked_at: DateTime<Utc>,
}

/// A requested friendship change. The engine reads the current relation, applies the
/// domain's transition rule and writes row and log entry in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FriendshipChange {
    pub channel_id: ChannelId,
    pub account_id: AccountId,
    pub action: FriendAction,
    pub source: ChangeSource,
    pub at: DateTime<Utc>,
}

/// What a change did: the state afterwards and the log entry, if anything changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FriendshipOutcome {
    pub friendship: Option<Friendship>,
    pub logged: Option<FriendshipLogEntry>,
}

/// Versions of the two things a relationship answer is built from: an app's connected
/// channels and an account's friendships. Each number is new whenever its data may have
/// changed, and never names two different states (see [`crate::Store::relationship_generation`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RelationshipGeneration {
    pub channels: u64,
    pub friendships: u64,
}
