//! Friendship changes on PostgreSQL: the domain rule, concurrent first adds, and the retry
//! of a first change that loses the race to insert the pair's row.

use super::{account, change, channel, fresh, t};
use std::sync::Arc;
use talkchannel_domain::{Entity, FriendAction, PageRequest, Relation};
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
        Err(StoreError::NotFound(Entity::Channel))
    ));
    let unknown_account = store
        .apply_friendship_change(&change(ch.id, 987_654_321, FriendAction::Add, 7))
        .await;
    assert!(matches!(
        unknown_account,
        Err(StoreError::NotFound(Entity::Account))
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

/// Polls, with a deadline, until a session of the test database waits for a lock.
pub(super) async fn wait_for_a_lock_wait(store: &talkchannel_store_postgres::PgStore) {
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
