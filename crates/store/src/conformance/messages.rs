use super::fixtures::*;
use super::{run_concurrently, BoxFuture, Spawn};
use crate::{IdempotencyKey, Keyed, ReceiptCounts, RecipientSet, Store};
use std::sync::Arc;
use talkchannel_domain::message::{MessageContent, Target};
use talkchannel_domain::{Clash, FriendAction, MessageBody, MessageState, NewMessage};

fn new_message(text: &str) -> NewMessage {
    NewMessage {
        body: MessageBody {
            content: MessageContent::Text { text: text.into() },
            buttons: vec![],
            ad: false,
        },
        target: Target::AllFriends,
        scheduled_at: None,
        test_of: None,
    }
}

fn key(k: &str, fingerprint: &str) -> IdempotencyKey {
    IdempotencyKey {
        scope: "channel:1".into(),
        key: k.into(),
        fingerprint: fingerprint.into(),
    }
}

fn done(k: Keyed) -> talkchannel_domain::Message {
    match k {
        Keyed::Done(t) => t,
        other => panic!("expected Done, got {other:?}"),
    }
}

/// Messages round-trip; a key replays its first call and refuses another fingerprint;
/// scheduled messages come due by time; cancel only before sending.
pub async fn messages_round_trip_with_keys_and_schedules(store: &dyn Store) {
    let channel = new_channel(store).await;
    let k = key(&format!("k{}", unique()), "a");
    let first = done(
        store
            .insert_message(channel.id, &new_message("hi"), Some(&k), t0())
            .await
            .expect("insert"),
    );
    assert_eq!(first.state, MessageState::Draft);
    assert_eq!(store.message(first.id).await.unwrap(), Some(first.clone()));
    let again = store
        .insert_message(channel.id, &new_message("hi"), Some(&k), t(5))
        .await
        .expect("replay");
    assert_eq!(again, Keyed::Replayed(first.clone()));
    let other = key(&k.key, "b");
    assert_conflict(
        store
            .insert_message(channel.id, &new_message("other"), Some(&other), t(5))
            .await,
        Clash::IdempotencyKeyReused,
        "same key, other body",
    );
    let mut scheduled = new_message("later");
    scheduled.target = Target::Group { group_id: 42 };
    scheduled.scheduled_at = Some(t(60_000));
    let later = done(
        store
            .insert_message(channel.id, &scheduled, None, t(1))
            .await
            .unwrap(),
    );
    assert_eq!(later.state, MessageState::Scheduled);
    assert_eq!(later.target, Target::Group { group_id: 42 });
    assert!(store.due_messages(t(59_999), 10).await.unwrap().is_empty());
    let due = store.due_messages(t(60_000), 10).await.unwrap();
    assert_eq!(due.iter().map(|m| m.id).collect::<Vec<_>>(), [later.id]);
    let cancelled = store.cancel_message(later.id, t(2)).await.unwrap();
    assert_eq!(cancelled.state, MessageState::Cancelled);
    assert!(store.due_messages(t(60_000), 10).await.unwrap().is_empty());
    assert_conflict(
        store.cancel_message(later.id, t(3)).await,
        Clash::MessageNotPending,
        "cancel twice",
    );
    // The list (keyset) holds both, in id order.
    check_keyset(
        "messages",
        &[first.id, later.id],
        |page| store.messages(channel.id, page),
        |m| m.id,
    )
    .await;
}

/// A key finds the message it was used for (to create or to send it), as the message is
/// now, only with the fingerprint it was used with and only in its own scope; an unused
/// key finds nothing.
pub async fn keyed_message_finds_what_a_key_did(store: &dyn Store) {
    let channel = new_channel(store).await;
    let unused = key(&format!("unused{}", unique()), "a");
    assert_eq!(store.keyed_message(&unused).await.unwrap(), None);
    let created = key(&format!("create{}", unique()), "a");
    let draft = done(
        store
            .insert_message(channel.id, &new_message("hi"), Some(&created), t0())
            .await
            .unwrap(),
    );
    assert_eq!(
        store.keyed_message(&created).await.unwrap(),
        Some(draft.clone())
    );
    assert_conflict(
        store.keyed_message(&key(&created.key, "b")).await,
        Clash::IdempotencyKeyReused,
        "the key with another fingerprint",
    );
    let elsewhere = IdempotencyKey {
        scope: "channel:2".into(),
        ..created.clone()
    };
    assert_eq!(
        store.keyed_message(&elsewhere).await.unwrap(),
        None,
        "keys are scoped"
    );
    let send = key(&format!("send{}", unique()), &format!("send:{}", draft.id));
    let sent = done(
        store
            .deliver_message(draft.id, &RecipientSet::default(), Some(&send), t(10))
            .await
            .unwrap(),
    );
    assert_eq!(
        store.keyed_message(&send).await.unwrap(),
        Some(sent.clone())
    );
    assert_eq!(
        store.keyed_message(&created).await.unwrap(),
        Some(sent),
        "the message as it is now"
    );
}

/// Delivery fixes the recipient set once: a second delivery is a state conflict, a keyed
/// retry replays; delivered messages list newest first; receipts are sparse and count the
/// first read and click; blocks after delivery are found.
pub async fn delivery_fixes_recipients_once(store: &dyn Store) {
    let channel = new_channel(store).await;
    let mut accounts = Vec::new();
    for _ in 0..3 {
        let a = new_account(store).await;
        apply(store, channel.id, a.id, FriendAction::Add, t0()).await;
        accounts.push(a.id);
    }
    let m1 = done(
        store
            .insert_message(channel.id, &new_message("one"), None, t0())
            .await
            .unwrap(),
    );
    let m2 = done(
        store
            .insert_message(channel.id, &new_message("two"), None, t0())
            .await
            .unwrap(),
    );
    let set = RecipientSet::from_accounts(accounts[..2].iter().copied());
    let k = key(&format!("send{}", unique()), &format!("send:{}", m2.id));
    let sent2 = done(
        store
            .deliver_message(m2.id, &set, Some(&k), t(10))
            .await
            .expect("deliver"),
    );
    assert_eq!(sent2.state, MessageState::Sent);
    assert_eq!(sent2.recipients, Some(2));
    assert_eq!(sent2.sent_at, Some(t(10)));
    let replay = store
        .deliver_message(m2.id, &RecipientSet::default(), Some(&k), t(11))
        .await
        .unwrap();
    assert_eq!(replay, Keyed::Replayed(sent2.clone()));
    assert_conflict(
        store
            .deliver_message(m2.id, &RecipientSet::default(), None, t(11))
            .await,
        Clash::MessageNotPending,
        "deliver twice",
    );
    assert_eq!(store.recipient_set(m2.id).await.unwrap(), Some(set.clone()));
    assert_eq!(store.recipient_set(m1.id).await.unwrap(), None);
    let all = RecipientSet::from_accounts(accounts.iter().copied());
    let sent1 = done(
        store
            .deliver_message(m1.id, &all, None, t(20))
            .await
            .unwrap(),
    );
    let delivered = store
        .delivered_messages(channel.id, None, 10)
        .await
        .unwrap();
    assert_eq!(
        delivered.iter().map(|m| m.id).collect::<Vec<_>>(),
        [sent1.id, sent2.id],
        "newest delivery first"
    );
    let below = store
        .delivered_messages(channel.id, sent1.delivery_seq, 10)
        .await
        .unwrap();
    assert_eq!(below.iter().map(|m| m.id).collect::<Vec<_>>(), [sent2.id]);

    store
        .mark_read(accounts[0], &[m1.id, m2.id], t(30))
        .await
        .unwrap();
    store.mark_read(accounts[0], &[m1.id], t(31)).await.unwrap();
    store.record_click(m1.id, accounts[0], t(32)).await.unwrap();
    store.record_click(m1.id, accounts[1], t(33)).await.unwrap();
    store.record_click(m1.id, accounts[1], t(34)).await.unwrap();
    assert_eq!(
        store.receipt_counts(m1.id).await.unwrap(),
        ReceiptCounts {
            read: 1,
            clicked: 2
        }
    );
    assert_eq!(
        store.receipt_counts(m2.id).await.unwrap(),
        ReceiptCounts {
            read: 1,
            clicked: 0
        }
    );

    apply(store, channel.id, accounts[2], FriendAction::Block, t(40)).await;
    assert_eq!(
        store.blocked_since(channel.id, t(20)).await.unwrap(),
        [accounts[2]]
    );
    assert!(store
        .blocked_since(channel.id, t(41))
        .await
        .unwrap()
        .is_empty());
}

/// Two sends of one message racing (two nodes, or a retry racing the first call): one
/// delivers, the other finds it sent; with one key, both answer the same message.
pub async fn concurrent_deliveries_deliver_once(store: Arc<dyn Store>, spawn: Spawn<'_>) {
    let channel = new_channel(store.as_ref()).await;
    let account = new_account(store.as_ref()).await;
    for round in 0..5 {
        let message = done(
            store
                .insert_message(channel.id, &new_message("race"), None, t0())
                .await
                .unwrap(),
        );
        let k = key(&format!("race{}", unique()), "send");
        let tasks: Vec<BoxFuture<_>> = (0..6)
            .map(|i| {
                let store = Arc::clone(&store);
                let k = k.clone();
                let set = RecipientSet::from_accounts([account.id]);
                Box::pin(async move {
                    store
                        .deliver_message(message.id, &set, Some(&k), t(i))
                        .await
                }) as BoxFuture<_>
            })
            .collect();
        let results = run_concurrently(spawn, tasks).await;
        let delivered = results
            .iter()
            .filter(|r| matches!(r, Ok(Keyed::Done(_))))
            .count();
        assert_eq!(delivered, 1, "round {round}: {results:?}");
        for r in &results {
            match r {
                Ok(Keyed::Done(m)) | Ok(Keyed::Replayed(m)) => {
                    assert_eq!(m.state, MessageState::Sent)
                }
                other => panic!("round {round}: a keyed retry must replay, got {other:?}"),
            }
        }
    }
}
