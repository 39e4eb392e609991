use super::fixtures::t0;
use super::{run_concurrently, BoxFuture, Spawn};
use crate::Store;
use chrono::Duration;
use std::sync::Arc;
use talkchannel_domain::{ThrottlePolicy, ThrottleState};

fn policy() -> ThrottlePolicy {
    ThrottlePolicy {
        limit: 3,
        window: Duration::minutes(15),
        base_backoff: Duration::seconds(30),
        max_backoff: Duration::hours(1),
    }
}

fn keys(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Failures are counted per key with the policy's rule, read back exactly (times to the
/// millisecond), and a cleared key starts over; other keys keep their counts.
pub async fn sign_in_failures_are_counted_per_key(store: &dyn Store) {
    let both = keys(&["login:a", "addr:1"]);
    let first = store
        .record_sign_in_failure(&both, &policy(), t0())
        .await
        .expect("count");
    assert_eq!(first.len(), 2);
    assert!(first
        .iter()
        .all(|s| s.failures == 1 && s.window_start == t0()));
    store
        .record_sign_in_failure(&keys(&["login:a"]), &policy(), t0())
        .await
        .expect("count");
    let third = store
        .record_sign_in_failure(&keys(&["login:a"]), &policy(), t0() + Duration::seconds(1))
        .await
        .expect("count");
    let until = t0() + Duration::seconds(31);
    assert_eq!(
        third[0].blocked_until,
        Some(until),
        "the third failure blocks"
    );
    let mut read = store
        .throttle_states(&keys(&["login:a", "addr:1", "login:none"]))
        .await
        .expect("read");
    read.sort_by(|a, b| a.0.cmp(&b.0));
    let expected_a = ThrottleState {
        failures: 0,
        window_start: until,
        lockouts: 1,
        blocked_until: Some(until),
    };
    assert_eq!(read.len(), 2, "unknown keys have no state: {read:?}");
    assert_eq!(read[0].0, "addr:1");
    assert_eq!(read[0].1.failures, 1, "the address counted once");
    assert_eq!(read[1], ("login:a".to_owned(), expected_a));

    store.clear_throttle("login:a").await.expect("clear");
    let read = store.throttle_states(&both).await.expect("read");
    assert_eq!(read.len(), 1, "only the address is left: {read:?}");
}

/// Purging deletes rows whose window began and whose block ended before the cut-off.
pub async fn old_throttle_rows_are_purged(store: &dyn Store) {
    let p = policy();
    store
        .record_sign_in_failure(&keys(&["old"]), &p, t0())
        .await
        .expect("count");
    for _ in 0..3 {
        store
            .record_sign_in_failure(&keys(&["blocked"]), &p, t0())
            .await
            .expect("count");
    }
    let purged = store
        .purge_throttles(t0() + Duration::seconds(1))
        .await
        .expect("purge");
    assert_eq!(purged, 1, "the blocked key's block has not ended");
    let left = store
        .throttle_states(&keys(&["old", "blocked"]))
        .await
        .expect("read");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].0, "blocked");
}

/// Concurrent failures on one key (as from several nodes) are all counted: 12 failures
/// with a limit of 3 make exactly 4 blocks in a row.
pub async fn concurrent_sign_in_failures_all_count(store: Arc<dyn Store>, spawn: Spawn<'_>) {
    let tasks: Vec<BoxFuture<()>> = (0..12)
        .map(|_| {
            let store = Arc::clone(&store);
            Box::pin(async move {
                store
                    .record_sign_in_failure(&keys(&["login:hot", "addr:hot"]), &policy(), t0())
                    .await
                    .expect("count");
            }) as BoxFuture<()>
        })
        .collect();
    run_concurrently(spawn, tasks).await;
    let states = store
        .throttle_states(&keys(&["login:hot", "addr:hot"]))
        .await
        .expect("read");
    assert_eq!(states.len(), 2);
    for (key, state) in states {
        assert_eq!((state.lockouts, state.failures), (4, 0), "{key}: {state:?}");
    }
}
