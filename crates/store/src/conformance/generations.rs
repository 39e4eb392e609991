//! Relationship generations ([`Store::relationship_generation`]): where an engine keeps
//! them, an unchanged app's channels and account's friendships keep their generation and
//! every write that changes them gives a new one, never an old one again; that is what
//! caches of rendered relationship answers rely on.

use super::fixtures::*;
use crate::{RelationshipGeneration, Store};
use talkchannel_domain::{AccountId, AppId, ChannelStatus, FriendAction, TimeZone};

async fn generation(
    store: &dyn Store,
    app: AppId,
    account: AccountId,
) -> Option<RelationshipGeneration> {
    let generation = store
        .relationship_generation(app, account)
        .await
        .expect("generation");
    // Reading the data must not change its generation.
    store.connected_channels(app).await.expect("channels");
    store.account_friendships(account).await.expect("rows");
    generation
}

pub async fn generations_follow_writes(store: &dyn Store) {
    let app = new_app(store).await.id;
    let (first, second) = (new_channel(store).await, new_channel(store).await);
    let account = new_account(store).await.id;
    store.connect(app, first.id, t(1)).await.expect("connect");

    let Some(start) = generation(store, app, account).await else {
        // An engine without generations never claims one.
        assert_eq!(generation(store, app, account).await, None);
        return;
    };
    assert_eq!(
        generation(store, app, account).await,
        Some(start),
        "unchanged data keeps its generation"
    );
    let mut seen = vec![start];
    let mut after = |g: Option<RelationshipGeneration>, what: &str| {
        let g = g.unwrap_or_else(|| panic!("a generation after {what}"));
        assert!(!seen.contains(&g), "{what} gives a new generation");
        seen.push(g);
    };

    store.connect(app, second.id, t(2)).await.expect("connect");
    after(generation(store, app, account).await, "a connection");
    store
        .set_channel_status(first.id, ChannelStatus::Sanctioned)
        .await
        .expect("status");
    after(generation(store, app, account).await, "a status change");
    store
        .set_channel_time_zone(first.id, TimeZone::parse("Asia/Tokyo").expect("zone"))
        .await
        .expect("zone");
    after(generation(store, app, account).await, "a time zone change");
    store
        .apply_friendship_change(&change(first.id, account, FriendAction::Add, t(3)))
        .await
        .expect("add");
    after(generation(store, app, account).await, "a friendship change");
    store.disconnect(app, second.id).await.expect("disconnect");
    after(generation(store, app, account).await, "a disconnection");

    // Another account's change leaves this account's friendships as they were.
    let before = generation(store, app, account).await.expect("generation");
    let other = new_account(store).await.id;
    store
        .apply_friendship_change(&change(first.id, other, FriendAction::Add, t(4)))
        .await
        .expect("add");
    let now = generation(store, app, account).await.expect("generation");
    assert_eq!(
        now.friendships, before.friendships,
        "another account's rows"
    );
}
