//! Shared snapshots (`connected_channels_snapshot`, `account_friendships_snapshot`): they
//! always show the committed state, and where the engine shares them
//! ([`Store::shares_snapshots`]) an unchanged value is the same `Arc` and a changed one
//! never is, which is what memos keyed by snapshot identity rely on.

use super::fixtures::*;
use crate::Store;
use std::sync::Arc;
use talkchannel_domain::{ChannelStatus, FriendAction, Relation};

pub async fn snapshots_follow_writes(store: &dyn Store) {
    let app = new_app(store).await.id;
    let (first, second) = (new_channel(store).await, new_channel(store).await);
    let account = new_account(store).await.id;
    store.connect(app, first.id, t(1)).await.expect("connect");

    let channels = store.connected_channels_snapshot(app).await.expect("snap");
    let ids: Vec<_> = channels.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![first.id], "the connected list");
    let friends = store
        .account_friendships_snapshot(account)
        .await
        .expect("snap");
    assert!(friends.is_empty(), "no friendship yet");

    let again = store.connected_channels_snapshot(app).await.expect("snap");
    let friends_again = store
        .account_friendships_snapshot(account)
        .await
        .expect("snap");
    if store.shares_snapshots() {
        assert!(Arc::ptr_eq(&channels, &again), "unchanged list is shared");
        assert!(
            Arc::ptr_eq(&friends, &friends_again),
            "unchanged rows shared"
        );
    }

    store.connect(app, second.id, t(2)).await.expect("connect");
    let after_connect = store.connected_channels_snapshot(app).await.expect("snap");
    assert_eq!(after_connect.len(), 2, "the new connection shows");
    assert!(!Arc::ptr_eq(&channels, &after_connect), "a new list");

    store
        .set_channel_status(first.id, ChannelStatus::Sanctioned)
        .await
        .expect("status");
    let after_status = store.connected_channels_snapshot(app).await.expect("snap");
    assert_eq!(after_status[0].status, ChannelStatus::Sanctioned);
    assert!(!Arc::ptr_eq(&after_connect, &after_status), "a new list");

    store
        .apply_friendship_change(&change(first.id, account, FriendAction::Add, t(3)))
        .await
        .expect("add");
    let after_add = store
        .account_friendships_snapshot(account)
        .await
        .expect("snap");
    assert_eq!(after_add.len(), 1, "the added row shows");
    assert_eq!(after_add[0].relation, Relation::Added);
    assert!(!Arc::ptr_eq(&friends, &after_add), "new rows");

    store.disconnect(app, second.id).await.expect("disconnect");
    let after_disconnect = store.connected_channels_snapshot(app).await.expect("snap");
    let ids: Vec<_> = after_disconnect.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![first.id], "the disconnected channel is gone");
}
