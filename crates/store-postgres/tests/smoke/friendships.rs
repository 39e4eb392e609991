//! Friendship changes on PostgreSQL: the domain rule, concurrent first adds, and the retry
//! of a first change that loses the race to insert the pair's row.

use super::{account, change, channel, fresh, t};
use std::collections::HashMap;
use std::sync::Arc;
use talkchannel_domain::{FriendAction, PageRequest, Relation};
use talkchannel_store::{AccountStore, ChannelStore, FriendshipStore, StoreError};

#[tokio::test]
async fn friendships_follow_the_domain_rule() {
    let Some((_db, store)) = fresh().await else {
        return;
    };
    let ch = store.insert_channel(&channel(1), t(0)).await.unwrap();
    let acc = store.insert_account(&account(), t(0)).await.unwrap();
    assert_eq!(store.friendships_of(acc.id, &[]).await.unwrap(), vec![]);

    let noop = store
        .apply_friendship_change(&change(ch.id, acc.id, FriendAction::Unblock, 1))
        .await
        .unwrap();
    assert_eq!((noop.friendship, noop.logged), (None, None));
    assert_eq!(store.friendship(ch.id, acc.id).await.unwrap(), None);

    let added = store
        .apply_friendship_change(&change(ch.id, acc.id, FriendAction::Add, 2))
        .await
        .unwrap();
    let f = added.friendship.unwrap();
    assert_eq!(
        (f.relation, f.first_added_at, f.updated_at),
        (Relation::Added, Some(t(2)), t(2))
    );
    let log = added.logged.unwrap();
    assert_eq!(
        (log.from, log.to, log.action),
        (Relation::None, Relation::Added, FriendAction::Add)
    );

    let again = store
        .apply_friendship_change(&change(ch.id, acc.id, FriendAction::Add, 3))
        .await
        .unwrap();
    assert_eq!((again.friendship, again.logged), (Some(f.clone()), None));

    store
        .apply_friendship_change(&change(ch.id, acc.id, FriendAction::Block, 4))
        .await
        .unwrap();
    let unblocked = store
        .apply_friendship_change(&change(ch.id, acc.id, FriendAction::Unblock, 5))
        .await
        .unwrap();
    assert_eq!(
        unblocked.friendship.as_ref().map(|f| f.relation),
        Some(Relation::None)
    );
    let readded = store
        .apply_friendship_change(&change(ch.id, acc.id, FriendAction::Add, 6))
        .await
        .unwrap();
    let f = readded.friendship.unwrap();
    assert_eq!(
        (f.first_added_at, f.updated_at),
        (Some(t(2)), t(6)),
        "first_added_at is set once"
    );
    assert_eq!(
        store
            .friendships_of(acc.id, &[ch.id, 987_654_321])
            .await
            .unwrap(),
        vec![f]
    );

    let page = store
        .friendship_log(ch.id, acc.id, PageRequest::first(3))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 3);
    let rest = store
        .friendship_log(
            ch.id,
            acc.id,
            PageRequest {
                after: page.next_cursor,
                limit: 3,
            },
        )
        .await
        .unwrap();
    assert_eq!((rest.items.len(), rest.next_cursor), (1, None));

    let unknown_channel = store
        .apply_friendship_change(&change(987_654_321, acc.id, FriendAction::Unblock, 7))
        .await;
    assert!(matches!(
        unknown_channel,
        Err(StoreError::NotFound("channel"))
    ));
    let unknown_account = store
        .apply_friendship_change(&change(ch.id, 987_654_321, FriendAction::Add, 7))
        .await;
    assert!(matches!(
        unknown_account,
        Err(StoreError::NotFound("account"))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_adds_log_once() {
    let Some((_db, store)) = fresh().await else {
        return;
    };
    let store = Arc::new(store);
    let acc = store.insert_account(&account(), t(0)).await.unwrap();
    for n in 0..10 {
        let ch = store.insert_channel(&channel(n), t(0)).await.unwrap();
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    store
                        .apply_friendship_change(&change(ch.id, acc.id, FriendAction::Add, i))
                        .await
                })
            })
            .collect();
        let mut logged = 0;
        for task in tasks {
            logged += usize::from(task.await.unwrap().unwrap().logged.is_some());
        }
        assert_eq!(logged, 1, "exactly one add is logged");
        let log = store
            .friendship_log(ch.id, acc.id, PageRequest::first(50))
            .await
            .unwrap();
        assert_eq!(log.items.len(), 1);
    }
}

/// A first change that loses the race to insert the pair's row is retried against the
/// committed row instead of failing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_change_losing_the_insert_race_is_retried() {
    let Some((_db, store)) = fresh().await else {
        return;
    };
    let ch = store.insert_channel(&channel(1), t(0)).await.unwrap();
    let acc = store.insert_account(&account(), t(0)).await.unwrap();

    // A competing transaction holds an uncommitted first row for the pair.
    let mut rival = store.pool().begin().await.unwrap();
    sqlx::query("INSERT INTO friendships (channel_id, account_id, relation, first_added_at, updated_at) VALUES ($1, $2, 'ADDED', $3, $3)")
        .bind(ch.id)
        .bind(acc.id)
        .bind(t(1))
        .execute(&mut *rival)
        .await
        .unwrap();
    let racing = {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .apply_friendship_change(&change(ch.id, acc.id, FriendAction::Block, 2))
                .await
        })
    };
    wait_for_a_lock_wait(&store).await;
    assert!(
        !racing.is_finished(),
        "the change waits for the rival's row"
    );
    rival.commit().await.unwrap();

    let outcome = racing
        .await
        .unwrap()
        .expect("retried after the unique violation");
    let log = outcome.logged.expect("logged");
    assert_eq!(
        (log.from, log.to),
        (Relation::Added, Relation::Blocked),
        "the retry saw the rival's row"
    );
    let f = outcome.friendship.unwrap();
    assert_eq!(
        (f.relation, f.first_added_at, f.updated_at),
        (Relation::Blocked, Some(t(1)), t(2))
    );
}

/// Changes that queue for one channel are applied in one transaction, in arrival order,
/// each with its own outcome: a later change of the same pair sees the earlier one, a
/// repeated action is a no-op, and an unknown account fails alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn queued_changes_of_a_channel_are_applied_together_in_order() {
    let Some((_db, store)) = fresh().await else {
        return;
    };
    let ch = store.insert_channel(&channel(1), t(0)).await.unwrap();
    let mut accounts = Vec::new();
    for _ in 0..40 {
        accounts.push(store.insert_account(&account(), t(0)).await.unwrap().id);
    }
    // A first change creates the channel's segment-version row; a rival transaction then
    // holds it, so the next batch waits at its version bump while the rest queue up.
    store
        .apply_friendship_change(&change(ch.id, accounts[0], FriendAction::Add, 1))
        .await
        .unwrap();
    let version_before = segment_version(&store, ch.id).await;
    let mut rival = store.pool().begin().await.unwrap();
    sqlx::query("SELECT version FROM segment_versions WHERE channel_id = $1 FOR UPDATE")
        .bind(ch.id)
        .execute(&mut *rival)
        .await
        .unwrap();

    // Per account after the first: add, add again (a no-op), block. Then unknown accounts.
    let mut changes = Vec::new();
    for (i, &account) in accounts.iter().enumerate().skip(1) {
        let ms = 10 + i as i64;
        changes.push(change(ch.id, account, FriendAction::Add, ms));
        changes.push(change(ch.id, account, FriendAction::Add, ms));
        if i % 2 == 0 {
            changes.push(change(ch.id, account, FriendAction::Block, ms));
        }
    }
    for j in 0..5 {
        changes.push(change(ch.id, 900_000_000 + j, FriendAction::Add, 99));
    }
    let all =
        futures_util::future::join_all(changes.iter().map(|c| store.apply_friendship_change(c)));
    tokio::pin!(all);
    // Polls every call once, which queues its change, then goes on.
    tokio::select! {
        biased;
        _ = &mut all => panic!("the changes finished while the rival held the version row"),
        _ = std::future::ready(()) => {}
    }
    wait_for_a_lock_wait(&store).await;
    rival.commit().await.unwrap();
    let outcomes = all.await;

    assert!(
        store.largest_friendship_batch() >= 2,
        "the queued changes were applied in batches, not one by one"
    );
    // What the same changes applied one after another would do.
    let mut relation: HashMap<i64, Relation> = HashMap::new();
    let mut logged = 0;
    for (c, outcome) in changes.iter().zip(&outcomes) {
        if c.account_id >= 900_000_000 {
            assert!(
                matches!(outcome, Err(StoreError::NotFound("account"))),
                "{outcome:?}"
            );
            continue;
        }
        let from = *relation.get(&c.account_id).unwrap_or(&Relation::None);
        let to = from.after(c.action);
        let outcome = outcome.as_ref().expect("a known pair's change succeeds");
        let moved = outcome.logged.as_ref().map(|l| (l.from, l.to));
        assert_eq!(moved, to.map(|to| (from, to)), "{c:?}");
        if let Some(to) = to {
            relation.insert(c.account_id, to);
            logged += 1;
        }
    }
    for (i, &account) in accounts.iter().enumerate().skip(1) {
        let row = store.friendship(ch.id, account).await.unwrap().unwrap();
        let expected = if i % 2 == 0 {
            Relation::Blocked
        } else {
            Relation::Added
        };
        assert_eq!(row.relation, expected, "account {account}");
    }
    assert_eq!(
        segment_version(&store, ch.id).await,
        version_before + logged as i64,
        "one version per logged change, none for no-ops or failures"
    );
}

async fn segment_version(store: &talkchannel_store_postgres::PgStore, channel: i64) -> i64 {
    sqlx::query_scalar("SELECT version FROM segment_versions WHERE channel_id = $1")
        .bind(channel)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// Polls, with a deadline, until a session of the test database waits for a lock.
async fn wait_for_a_lock_wait(store: &talkchannel_store_postgres::PgStore) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        if waiting > 0 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no change waited for the rival's lock"
        );
        tokio::task::yield_now().await;
    }
}
