//! How a friendship moves between states: every action from every state, and the one
//! timestamp that is set only once.

use super::fixtures::*;
use super::friendships::{assert_unchanged, full_log, row};
use crate::{FriendshipChange, Store};
use talkchannel_domain::{ChangeSource, FriendAction, Friendship, FriendshipLogEntry, Relation};

#[derive(Debug, Clone, Copy)]
enum Start {
    Absent,
    Added,
    Blocked,
    NoneRow,
}

/// From every state (no row, ADDED, BLOCKED, a NONE row) every action does what
/// `Relation::after` says, with the row and log entry the contract describes.
pub async fn friendship_transitions_follow_domain_rule(store: &dyn Store) {
    let account = new_account(store).await.id;
    let sources = [
        ChangeSource::ControlApi,
        ChangeSource::ChannelPage,
        ChangeSource::AdminCenter,
    ];
    let mut last_seq = i64::MIN;
    let mut n = 0;
    for start in [Start::Absent, Start::Added, Start::Blocked, Start::NoneRow] {
        for action in [
            FriendAction::Add,
            FriendAction::Block,
            FriendAction::Unblock,
        ] {
            let channel = new_channel(store).await.id;
            let setup: &[FriendAction] = match start {
                Start::Absent => &[],
                Start::Added => &[FriendAction::Add],
                Start::Blocked => &[FriendAction::Block],
                Start::NoneRow => &[FriendAction::Block, FriendAction::Unblock],
            };
            for (i, &step) in setup.iter().enumerate() {
                let out = apply(store, channel, account, step, t(i as i64)).await;
                last_seq = out.logged.expect("setup step changes").seq;
            }
            let before = row(store, channel, account).await;
            let log_before = full_log(store, channel, account).await;
            let from = before.as_ref().map_or(Relation::None, |f| f.relation);
            let source = sources[n % sources.len()];
            n += 1;
            let at = t(100);
            let change = FriendshipChange {
                source,
                ..change(channel, account, action, at)
            };
            let outcome = store
                .apply_friendship_change(&change)
                .await
                .expect("apply_friendship_change");
            let doing = format!("{action:?} from {start:?}");
            match from.after(action) {
                None => {
                    assert_eq!(
                        outcome.friendship, before,
                        "{doing}: no-op returns the current row"
                    );
                    assert_eq!(outcome.logged, None, "{doing}: no-op logs nothing");
                    let pair = (channel, account);
                    assert_unchanged(store, pair, &before, &log_before, &doing).await;
                }
                Some(to) => {
                    let first_added_at = before
                        .as_ref()
                        .and_then(|f| f.first_added_at)
                        .or((to == Relation::Added).then_some(at));
                    let expected_row = Friendship {
                        channel_id: channel,
                        account_id: account,
                        relation: to,
                        first_added_at,
                        updated_at: at,
                    };
                    assert_eq!(
                        outcome.friendship,
                        Some(expected_row.clone()),
                        "{doing}: returned row"
                    );
                    let logged = outcome
                        .logged
                        .unwrap_or_else(|| panic!("{doing}: a change must be logged"));
                    let expected_entry = FriendshipLogEntry {
                        seq: logged.seq,
                        channel_id: channel,
                        account_id: account,
                        action,
                        from,
                        to,
                        source,
                        at,
                    };
                    assert_eq!(logged, expected_entry, "{doing}: returned log entry");
                    assert!(
                        logged.seq > last_seq,
                        "{doing}: seq {} must exceed the previous {last_seq}",
                        logged.seq
                    );
                    last_seq = logged.seq;
                    assert_eq!(
                        row(store, channel, account).await,
                        Some(expected_row),
                        "{doing}: stored row"
                    );
                    let mut expected_log = log_before;
                    expected_log.push(expected_entry);
                    assert_eq!(
                        full_log(store, channel, account).await,
                        expected_log,
                        "{doing}: stored log"
                    );
                }
            }
        }
    }
}

/// first_added_at is set the first time the pair becomes ADDED and never changes; updated_at
/// follows every change.
pub async fn friendship_first_added_at_is_set_once(store: &dyn Store) {
    let account = new_account(store).await.id;
    let (added_first, blocked_first) = (new_channel(store).await.id, new_channel(store).await.id);
    let path = [
        (FriendAction::Add, 1),
        (FriendAction::Block, 2),
        (FriendAction::Add, 3),
        (FriendAction::Block, 4),
        (FriendAction::Unblock, 5),
        (FriendAction::Add, 6),
    ];
    for (action, ms) in path {
        let out = apply(store, added_first, account, action, t(ms)).await;
        let f = out.friendship.expect("row");
        assert_eq!(
            (f.first_added_at, f.updated_at),
            (Some(t(1)), t(ms)),
            "after {action:?} at +{ms}ms"
        );
        assert_eq!(
            row(store, added_first, account).await,
            Some(f),
            "stored after {action:?}"
        );
    }
    for (action, ms, first) in [
        (FriendAction::Block, 1, None),
        (FriendAction::Unblock, 2, None),
        (FriendAction::Add, 3, Some(t(3))),
        (FriendAction::Block, 4, Some(t(3))),
    ] {
        let f = apply(store, blocked_first, account, action, t(ms))
            .await
            .friendship
            .expect("row");
        assert_eq!(
            (f.first_added_at, f.updated_at),
            (first, t(ms)),
            "blocked first, then {action:?} at +{ms}ms"
        );
        assert_eq!(
            row(store, blocked_first, account).await,
            Some(f),
            "stored after {action:?}"
        );
    }
}
