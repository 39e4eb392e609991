use crate::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use talkchannel_domain::{
    AccountId, AppId, Entity, Friendship, FriendshipLogEntry, KeyKind, Scope, UserId,
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

impl FriendshipOutcome {
    /// A no-op: the pair stays as it was and nothing is logged.
    pub fn unchanged(current: Option<Friendship>) -> Self {
        FriendshipOutcome {
            friendship: current,
            logged: None,
        }
    }
}

/// A change's channel and account must exist even when the change would be a no-op;
/// an unknown channel is reported before an unknown account.
pub fn check_change_pair(channel_found: bool, account_found: bool) -> StoreResult<()> {
    match (channel_found, account_found) {
        (false, _) => Err(StoreError::NotFound(Entity::Channel)),
        (_, false) => Err(StoreError::NotFound(Entity::Account)),
        _ => Ok(()),
    }
}
