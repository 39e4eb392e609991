//! Friendship changes that queue for one channel on a node, applied in batches: the
//! outcomes of one-by-one application, and a lock order that cannot deadlock with
//! another node's changes.

use super::friendships::wait_for_a_lock_wait;
use super::{account, change, channel, fresh, t};
use std::collections::HashMap;
use talkchannel_domain::{Entity, FriendAction, Relation};
use talkchannel_store::{AccountStore, ChannelStore, FriendshipStore, StoreError};

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
    poll_once(&mut all).await;
    wait_for_a_lock_wait(&store).await;
    rival.commit().await.unwrap();
    let outcomes = within_deadline(all).await;

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
                matches!(outcome, Err(StoreError::NotFound(Entity::Account))),
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

/// A batch locks all its pairs before the channel's customer files, the order a lone
/// change keeps (pair, files, version). Another node's change that holds a pair of the
/// batch and then wants the files must get them: were the batch holding the files while
/// it waits for that pair, the two would deadlock.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_locks_its_pairs_before_the_channel_files() {
    let Some((_db, store)) = fresh().await else {
        return;
    };
    let ch = store.insert_channel(&channel(1), t(0)).await.unwrap();
    let app = talkchannel_store::conformance::fixtures::new_app(&store).await;
    talkchannel_store::conformance::seeding::seed_schema_file(&store, app.id, ch.id).await;
    let mut accounts = Vec::new();
    for ms in 0..3 {
        let account = store.insert_account(&account(), t(0)).await.unwrap().id;
        store
            .apply_friendship_change(&change(ch.id, account, FriendAction::Add, ms))
            .await
            .unwrap();
        accounts.push(account);
    }
    let (first, second, third) = (accounts[0], accounts[1], accounts[2]);

    // A change waits on the version row, alone in its batch, while the next two queue
    // up as the next batch.
    let mut version_holder = store.pool().begin().await.unwrap();
    sqlx::query("SELECT 1 FROM segment_versions WHERE channel_id = $1 FOR UPDATE")
        .bind(ch.id)
        .execute(&mut *version_holder)
        .await
        .unwrap();
    let ahead = change(ch.id, third, FriendAction::Block, 10);
    let ahead = store.apply_friendship_change(&ahead);
    tokio::pin!(ahead);
    poll_once(&mut ahead).await;
    wait_for_a_lock_wait(&store).await;
    let batch = [
        change(ch.id, first, FriendAction::Block, 11),
        change(ch.id, second, FriendAction::Block, 12),
    ];
    let batch =
        futures_util::future::join_all(batch.iter().map(|c| store.apply_friendship_change(c)));
    tokio::pin!(batch);
    poll_once(&mut batch).await;
    // The other node's change holds the second pair, as its first statement does.
    let mut other_node = store.pool().begin().await.unwrap();
    sqlx::query("SELECT 1 FROM friendships WHERE channel_id = $1 AND account_id = $2 FOR UPDATE")
        .bind(ch.id)
        .bind(second)
        .execute(&mut *other_node)
        .await
        .unwrap();
    version_holder.commit().await.unwrap();
    within_deadline(ahead).await.unwrap();
    wait_for_a_lock_wait(&store).await;

    // Its next statement locks the channel's files; the waiting batch must not hold them.
    let files =
        sqlx::query("SELECT id FROM customer_files WHERE channel_id = $1 FOR UPDATE NOWAIT")
            .bind(ch.id)
            .execute(&mut *other_node)
            .await;
    assert!(
        files.is_ok(),
        "the batch held the files while waiting for a pair: {files:?}"
    );
    other_node.rollback().await.unwrap();
    for outcome in within_deadline(batch).await {
        let logged = outcome
            .unwrap()
            .logged
            .expect("a block after an add is logged");
        assert_eq!(
            (logged.from, logged.to),
            (Relation::Added, Relation::Blocked)
        );
    }
}

async fn segment_version(store: &talkchannel_store_postgres::PgStore, channel: i64) -> i64 {
    sqlx::query_scalar("SELECT version FROM segment_versions WHERE channel_id = $1")
        .bind(channel)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// Polls `future` once: a friendship change queues itself on its first poll.
async fn poll_once<F: std::future::Future + Unpin>(future: &mut F) {
    tokio::select! {
        biased;
        _ = future => panic!("finished while a rival transaction held its lock"),
        _ = std::future::ready(()) => {}
    }
}

/// Awaits `future`, failing the test instead of hanging if it never ends.
async fn within_deadline<F: std::future::Future>(future: F) -> F::Output {
    tokio::time::timeout(std::time::Duration::from_secs(20), future)
        .await
        .expect("finished within 20 s")
}
