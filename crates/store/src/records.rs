use crate::{StoreError, StoreResult};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use talkchannel_domain::{
    AccountId, AppId, Friendship, FriendshipLogEntry, KeyKind, Scope, UserId,
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
        (false, _) => Err(StoreError::NotFound("channel")),
        (_, false) => Err(StoreError::NotFound("account")),
        _ => Ok(()),
    }
}
