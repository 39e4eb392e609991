use super::fixtures::*;
use super::{run_concurrently, BoxFuture, Spawn};
use crate::{FriendshipOutcome, Store, StoreResult};
use std::sync::Arc;
use talkchannel_domain::{AccountId, ChannelId, FriendAction, PageRequest, Relation};

fn change_task(
    store: &Arc<dyn Store>,
    channel: ChannelId,
    account: AccountId,
    action: FriendAction,
    ms: i64,
) -> BoxFuture<StoreResult<FriendshipOutcome>> {
    let store = Arc::clone(store);
    Box::pin(async move {
        store
            .apply_friendship_change(&change(channel, account, action, t(ms)))
            .await
    })
}

fn all_ok<T: std::fmt::Debug>(results: Vec<StoreResult<T>>, doing: &str) -> Vec<T> {
    results
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|e| panic!("{doing}: task {i} failed: {e:?}")))
        .collect()
}

/// Twenty concurrent `add`s on one fresh pair serialise: all succeed, exactly one logs,
/// every one returns the ADDED row.
pub async fn concurrent_adds_on_one_pair_log_once(store: Arc<dyn Store>, spawn: Spawn<'_>) {
    let (channel, account) = (new_channel(&*store).await.id, new_account(&*store).await.id);
    let tasks = (0..20)
        .map(|_| change_task(&store, channel, account, FriendAction::Add, 0))
        .collect();
    let outcomes = all_ok(run_concurrently(spawn, tasks).await, "concurrent add");
    let logged = outcomes.iter().filter(|o| o.logged.is_some()).count();
    assert_eq!(
        logged, 1,
        "exactly one of 20 concurrent adds may log: {outcomes:#?}"
    );
    let stored = store
        .friendship(channel, account)
        .await
        .expect("friendship")
        .expect("row exists");
    assert_eq!(
        (stored.relation, stored.first_added_at, stored.updated_at),
        (Relation::Added, Some(t0()), t0())
    );
    for o in &outcomes {
        assert_eq!(
            o.friendship.as_ref(),
            Some(&stored),
            "every add returns the ADDED row"
        );
    }
    let log = store
        .friendship_log(channel, account, PageRequest::first(100))
        .await
        .expect("friendship_log");
    assert_eq!(log.items.len(), 1, "one log entry: {:#?}", log.items);
}

/// Concurrent mixed actions on one pair serialise: the log is one unbroken chain of
/// transitions and the row ends where the log does.
pub async fn concurrent_mixed_changes_keep_log_consistent(store: Arc<dyn Store>, spawn: Spawn<'_>) {
    let (channel, account) = (new_channel(&*store).await.id, new_account(&*store).await.id);
    let actions = [
        FriendAction::Add,
        FriendAction::Block,
        FriendAction::Unblock,
    ];
    let tasks = (0..30)
        .map(|i| change_task(&store, channel, account, actions[i % 3], i as i64))
        .collect();
    let outcomes = all_ok(
        run_concurrently(spawn, tasks).await,
        "concurrent mixed changes",
    );
    let log = store
        .friendship_log(channel, account, PageRequest::first(100))
        .await
        .expect("friendship_log")
        .items;
    let logged: Vec<_> = outcomes.iter().filter_map(|o| o.logged.clone()).collect();
    assert_eq!(
        logged.len(),
        log.len(),
        "every logged outcome is in the log and no more"
    );
    for entry in &logged {
        assert!(
            log.contains(entry),
            "returned entry {entry:?} must be in the log"
        );
    }
    let mut current = Relation::None;
    for entry in &log {
        assert_eq!(entry.from, current, "the log must chain: {log:#?}");
        assert_eq!(
            current.after(entry.action),
            Some(entry.to),
            "each entry follows the rule: {entry:?}"
        );
        current = entry.to;
    }
    for o in &outcomes {
        if let (Some(row), Some(entry)) = (&o.friendship, &o.logged) {
            assert_eq!(
                (row.relation, row.updated_at),
                (entry.to, entry.at),
                "returned row matches its entry"
            );
        }
    }
    let stored = store
        .friendship(channel, account)
        .await
        .expect("friendship");
    match log.last() {
        None => assert_eq!(stored, None),
        Some(last) => {
            let stored = stored.expect("row exists when something was logged");
            assert_eq!(
                (stored.relation, stored.updated_at),
                (last.to, last.at),
                "the row ends where the log does"
            );
            let first_add = log.iter().find(|e| e.to == Relation::Added).map(|e| e.at);
            assert_eq!(
                stored.first_added_at, first_add,
                "first_added_at is the first ADDED entry's time"
            );
        }
    }
}

/// Concurrent changes on many pairs all apply (no lost update, no busy or deadlock error).
pub async fn concurrent_changes_on_many_pairs_all_apply(store: Arc<dyn Store>, spawn: Spawn<'_>) {
    let mut channels = Vec::new();
    let mut accounts = Vec::new();
    for _ in 0..4 {
        channels.push(new_channel(&*store).await.id);
    }
    for _ in 0..5 {
        accounts.push(new_account(&*store).await.id);
    }
    let pairs: Vec<(ChannelId, AccountId)> = channels
        .iter()
        .flat_map(|&c| accounts.iter().map(move |&a| (c, a)))
        .collect();
    let tasks = pairs
        .iter()
        .map(|&(c, a)| change_task(&store, c, a, FriendAction::Add, 0))
        .collect();
    let outcomes = all_ok(
        run_concurrently(spawn, tasks).await,
        "concurrent adds on distinct pairs",
    );
    assert!(
        outcomes.iter().all(|o| o.logged.is_some()),
        "every first add logs"
    );
    for &account in &accounts {
        let rows = store
            .friendships_of(account, &channels)
            .await
            .expect("friendships_of");
        assert_eq!(rows.len(), channels.len(), "every pair has its row");
        assert!(rows.iter().all(|r| r.relation == Relation::Added));
    }
}

/// Of ten concurrent `put_setting_if_absent` calls for one name, exactly one stores.
pub async fn concurrent_put_setting_if_absent_stores_once(store: Arc<dyn Store>, spawn: Spawn<'_>) {
    let tasks: Vec<BoxFuture<StoreResult<bool>>> = (0..10)
        .map(|i| {
            let store = Arc::clone(&store);
            Box::pin(async move {
                store
                    .put_setting_if_absent("bootstrap", &format!("value-{i}"))
                    .await
            }) as BoxFuture<_>
        })
        .collect();
    let stored = all_ok(
        run_concurrently(spawn, tasks).await,
        "concurrent put_setting_if_absent",
    );
    let winners: Vec<usize> = stored
        .iter()
        .enumerate()
        .filter(|(_, &s)| s)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one call stores: {stored:?}");
    let value = store.setting("bootstrap").await.expect("setting");
    assert_eq!(
        value,
        Some(format!("value-{}", winners[0])),
        "the stored value is the winner's"
    );
}

/// Of ten concurrent `connect` calls for one pair, exactly one is new.
pub async fn concurrent_connects_connect_once(store: Arc<dyn Store>, spawn: Spawn<'_>) {
    let (app, channel) = (new_app(&*store).await.id, new_channel(&*store).await.id);
    let tasks: Vec<BoxFuture<StoreResult<bool>>> = (0..10)
        .map(|i| {
            let store = Arc::clone(&store);
            Box::pin(async move { store.connect(app, channel, t(i)).await }) as BoxFuture<_>
        })
        .collect();
    let new = all_ok(run_concurrently(spawn, tasks).await, "concurrent connect");
    assert_eq!(
        new.iter().filter(|&&n| n).count(),
        1,
        "exactly one connect is new: {new:?}"
    );
    let connected = store
        .connected_channels(app)
        .await
        .expect("connected_channels");
    assert_eq!(
        connected.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![channel]
    );
}
