use super::fixtures::*;
use crate::{FriendshipChange, Store};
use chrono::Duration;
use talkchannel_domain::{
    AccountId, ChangeSource, ChannelId, Clock, Entity, FriendAction, Friendship,
    FriendshipLogEntry, ManualClock, PageRequest, Relation,
};

pub(super) async fn full_log(
    store: &dyn Store,
    channel: ChannelId,
    account: AccountId,
) -> Vec<FriendshipLogEntry> {
    let page = store
        .friendship_log(channel, account, PageRequest::first(PageRequest::MAX_LIMIT))
        .await
        .expect("friendship_log");
    assert_eq!(page.next_cursor, None, "log fits one page");
    page.items
}

pub(super) async fn row(
    store: &dyn Store,
    channel: ChannelId,
    account: AccountId,
) -> Option<Friendship> {
    store
        .friendship(channel, account)
        .await
        .expect("friendship")
}

/// The pair's row and log are still `before` and `log_before` (after a no-op `doing`).
pub(super) async fn assert_unchanged(
    store: &dyn Store,
    (channel, account): (ChannelId, AccountId),
    before: &Option<Friendship>,
    log_before: &[FriendshipLogEntry],
    doing: &str,
) {
    assert_eq!(
        &row(store, channel, account).await,
        before,
        "{doing}: row unchanged"
    );
    assert_eq!(
        full_log(store, channel, account).await,
        log_before,
        "{doing}: log unchanged"
    );
}

/// `friendships_of` with no channels is empty; otherwise it returns the rows that exist
/// among the given channels (NONE rows included), and nothing for channels never touched.
pub async fn friendships_of_returns_only_existing_rows(store: &dyn Store) {
    let (a, b) = (new_account(store).await, new_account(store).await);
    let mut c = Vec::new();
    for _ in 0..5 {
        c.push(new_channel(store).await.id);
    }
    assert_eq!(
        store
            .friendships_of(a.id, &[])
            .await
            .expect("friendships_of"),
        vec![],
        "no channels asked"
    );
    assert_eq!(
        store
            .friendships_of(a.id, &c)
            .await
            .expect("friendships_of"),
        vec![],
        "no rows yet"
    );

    apply(store, c[0], a.id, FriendAction::Add, t(1)).await;
    apply(store, c[1], a.id, FriendAction::Block, t(2)).await;
    apply(store, c[2], a.id, FriendAction::Block, t(3)).await;
    apply(store, c[2], a.id, FriendAction::Unblock, t(4)).await;
    apply(store, c[3], b.id, FriendAction::Add, t(5)).await;

    let mut expected = Vec::new();
    for &ch in &c[..3] {
        expected.push(row(store, ch, a.id).await.expect("row exists"));
    }
    assert_eq!(
        expected[2].relation,
        Relation::None,
        "an unblocked row stays, as NONE"
    );
    let mut asked = c.clone();
    asked.push(UNKNOWN_ID);
    let mut got = store
        .friendships_of(a.id, &asked)
        .await
        .expect("friendships_of");
    got.sort_by_key(|f| f.channel_id);
    assert_eq!(got, expected, "only existing rows, only this account's");
    let got = store
        .friendships_of(a.id, &[c[1], c[3]])
        .await
        .expect("friendships_of");
    assert_eq!(
        got,
        vec![expected[1].clone()],
        "only the channels asked for"
    );
    let got = store
        .friendships_of(b.id, &[c[0], c[1], c[2]])
        .await
        .expect("friendships_of");
    assert_eq!(got, vec![], "another account's rows are not returned");
    let mut all = store
        .account_friendships(a.id)
        .await
        .expect("account_friendships");
    all.sort_by_key(|f| f.channel_id);
    assert_eq!(all, expected, "every row of the account, none of another's");
    let of_b = store
        .account_friendships(b.id)
        .await
        .expect("account_friendships");
    assert_eq!(of_b.len(), 1);
    let none = store
        .account_friendships(UNKNOWN_ID)
        .await
        .expect("account_friendships");
    assert_eq!(none, vec![], "an unknown account has no rows");
}

/// A first `add` writes the row (ADDED, first_added_at = updated_at = change.at) and one
/// log entry, returns both, and both read back.
pub async fn friendship_add_writes_row_and_log_entry(store: &dyn Store) {
    let (channel, account) = (new_channel(store).await.id, new_account(store).await.id);
    let change = FriendshipChange {
        source: ChangeSource::ChannelPage,
        ..change(channel, account, FriendAction::Add, t(5))
    };
    let outcome = store
        .apply_friendship_change(&change)
        .await
        .expect("apply_friendship_change");
    let expected_row = Friendship {
        channel_id: channel,
        account_id: account,
        relation: Relation::Added,
        first_added_at: Some(t(5)),
        updated_at: t(5),
    };
    assert_eq!(
        outcome.friendship,
        Some(expected_row.clone()),
        "returned row"
    );
    let logged = outcome.logged.expect("a change is logged");
    let expected_entry = FriendshipLogEntry {
        seq: logged.seq,
        channel_id: channel,
        account_id: account,
        action: FriendAction::Add,
        from: Relation::None,
        to: Relation::Added,
        source: ChangeSource::ChannelPage,
        at: t(5),
    };
    assert_eq!(logged, expected_entry, "returned log entry");
    assert_eq!(
        row(store, channel, account).await,
        Some(expected_row),
        "stored row"
    );
    assert_eq!(
        full_log(store, channel, account).await,
        vec![expected_entry],
        "stored log"
    );
}

/// An action that changes nothing writes nothing: it returns the current row (or `None`)
/// and `logged: None`, and leaves row and log as they were.
pub async fn friendship_no_op_writes_nothing(store: &dyn Store) {
    let (channel, account) = (new_channel(store).await.id, new_account(store).await.id);
    let outcome = apply(store, channel, account, FriendAction::Unblock, t(1)).await;
    assert_eq!(
        (outcome.friendship, outcome.logged),
        (None, None),
        "unblock from nothing"
    );
    assert_eq!(row(store, channel, account).await, None, "no row written");
    assert!(
        full_log(store, channel, account).await.is_empty(),
        "nothing logged"
    );

    let steps = [
        (FriendAction::Add, FriendAction::Add),
        (FriendAction::Add, FriendAction::Unblock),
        (FriendAction::Block, FriendAction::Block),
        (FriendAction::Unblock, FriendAction::Unblock),
    ];
    let clock = ManualClock::new(t(10));
    for (change_action, repeat) in steps {
        clock.advance(Duration::seconds(1));
        apply(store, channel, account, change_action, clock.now()).await;
        let before = row(store, channel, account).await;
        let log_before = full_log(store, channel, account).await;
        clock.advance(Duration::seconds(1));
        let outcome = apply(store, channel, account, repeat, clock.now()).await;
        let doing = format!("{repeat:?} after {change_action:?}");
        assert_eq!(outcome.logged, None, "{doing}: nothing logged");
        assert_eq!(
            outcome.friendship, before,
            "{doing}: returns the current row, updated_at unchanged"
        );
        assert_unchanged(store, (channel, account), &before, &log_before, &doing).await;
    }
}

/// A change for an unknown channel is `NotFound(Entity::Channel)`, for an unknown account
/// `NotFound(Entity::Account)`, whatever the action, and nothing is written.
pub async fn friendship_change_unknown_refs_not_found(store: &dyn Store) {
    let (channel, account) = (new_channel(store).await.id, new_account(store).await.id);
    for action in [
        FriendAction::Add,
        FriendAction::Block,
        FriendAction::Unblock,
    ] {
        let c = change(UNKNOWN_ID, account, action, t0());
        assert_not_found(
            store.apply_friendship_change(&c).await,
            Entity::Channel,
            &format!("{action:?} with an unknown channel"),
        );
        let c = change(channel, UNKNOWN_ID, action, t0());
        assert_not_found(
            store.apply_friendship_change(&c).await,
            Entity::Account,
            &format!("{action:?} with an unknown account"),
        );
    }
    assert_eq!(row(store, UNKNOWN_ID, account).await, None);
    assert_eq!(row(store, channel, UNKNOWN_ID).await, None);
    assert!(
        full_log(store, UNKNOWN_ID, account).await.is_empty(),
        "nothing logged"
    );
    assert!(
        full_log(store, channel, UNKNOWN_ID).await.is_empty(),
        "nothing logged"
    );
    assert_eq!(
        store
            .friendships_of(account, &[UNKNOWN_ID, channel])
            .await
            .expect("friendships_of"),
        vec![]
    );
}

/// `friendship_log` holds one pair's entries, keyset-paginated by seq.
pub async fn friendship_log_is_keyset_paginated(store: &dyn Store) {
    let (a, b) = (new_account(store).await.id, new_account(store).await.id);
    let (c, d) = (new_channel(store).await.id, new_channel(store).await.id);
    let actions = [
        FriendAction::Add,
        FriendAction::Block,
        FriendAction::Add,
        FriendAction::Block,
        FriendAction::Unblock,
        FriendAction::Add,
    ];
    let mut mine = Vec::new();
    for (i, &action) in actions.iter().enumerate() {
        let at = t(i as i64 * 10);
        // Other pairs' entries interleave, so this pair's seqs have gaps.
        apply(store, c, b, action, at).await;
        apply(store, d, a, action, at).await;
        mine.push(
            apply(store, c, a, action, at)
                .await
                .logged
                .expect("each action changes"),
        );
    }
    let seqs: Vec<i64> = mine.iter().map(|e| e.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "seqs grow: {seqs:?}");
    check_keyset(
        "friendship_log",
        &seqs,
        |p| store.friendship_log(c, a, p),
        |e| e.seq,
    )
    .await;
    assert_eq!(
        full_log(store, c, a).await,
        mine,
        "the log is this pair's entries, as returned"
    );
    let empty = store
        .friendship_log(d, b, PageRequest::first(10))
        .await
        .expect("friendship_log");
    assert!(
        empty.items.is_empty() && empty.next_cursor.is_none(),
        "an untouched pair has no log"
    );
}
