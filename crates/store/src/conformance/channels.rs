use super::fixtures::*;
use crate::Store;
use talkchannel_domain::{
    Channel, ChannelPublicId, ChannelStatus, Clash, Entity, NewChannel, PageRequest,
};

async fn all_channels(store: &dyn Store) -> Vec<Channel> {
    store
        .channels(PageRequest::first(PageRequest::MAX_LIMIT))
        .await
        .expect("channels")
        .items
}

async fn connected_ids(store: &dyn Store, app: i64) -> Vec<i64> {
    store
        .connected_channels(app)
        .await
        .expect("connected_channels")
        .iter()
        .map(|c| c.id)
        .collect()
}

/// Channels round-trip (by id and by public id, either status); unknown ones are `None`.
pub async fn channel_round_trips(store: &dyn Store) {
    assert_eq!(
        store.channel(UNKNOWN_ID).await.expect("channel"),
        None,
        "unknown id"
    );
    let unknown = ChannelPublicId::parse("_nosuchchannel").expect("public id");
    assert_eq!(
        store
            .channel_by_public_id(&unknown)
            .await
            .expect("by public id"),
        None,
        "unknown public id"
    );

    for status in [ChannelStatus::Active, ChannelStatus::Sanctioned] {
        let new = NewChannel {
            status,
            ..channel_input()
        };
        let at = t(3);
        let inserted = store
            .insert_channel(&new, at)
            .await
            .expect("insert_channel");
        let expected = expected_channel(inserted.id, &new, at);
        assert_eq!(
            inserted, expected,
            "insert_channel returns the channel ({status:?})"
        );
        assert_eq!(
            store.channel(inserted.id).await.expect("channel"),
            Some(expected.clone()),
            "by id"
        );
        let by_public = store
            .channel_by_public_id(&new.public_id)
            .await
            .expect("by public id");
        assert_eq!(by_public, Some(expected), "by public id ({status:?})");
    }
}

/// Public ids differ by case (`_Abc` and `_abc` are two channels).
pub async fn channel_public_ids_are_case_sensitive(store: &dyn Store) {
    let n = unique();
    let upper = NewChannel {
        public_id: ChannelPublicId::parse(&format!("_CaseId{n}")).expect("id"),
        ..channel_input()
    };
    let lower = NewChannel {
        public_id: ChannelPublicId::parse(&format!("_caseid{n}")).expect("id"),
        ..channel_input()
    };
    let a = store
        .insert_channel(&upper, t0())
        .await
        .expect("insert_channel (upper)");
    let b = store
        .insert_channel(&lower, t0())
        .await
        .expect("insert_channel (lower case of the same id)");
    assert_ne!(a.id, b.id);
    assert_eq!(
        store
            .channel_by_public_id(&upper.public_id)
            .await
            .expect("lookup")
            .map(|c| c.id),
        Some(a.id)
    );
    assert_eq!(
        store
            .channel_by_public_id(&lower.public_id)
            .await
            .expect("lookup")
            .map(|c| c.id),
        Some(b.id)
    );
}

/// A taken public id is `Conflict(Clash::ChannelPublicIdTaken)`, a taken search id `Conflict(Clash::SearchIdTaken)`,
/// and neither failure creates a channel.
pub async fn insert_channel_taken_ids_conflict(store: &dyn Store) {
    let first = new_channel(store).await;
    let same_public = NewChannel {
        public_id: first.public_id.clone(),
        ..channel_input()
    };
    assert_conflict(
        store.insert_channel(&same_public, t0()).await,
        Clash::ChannelPublicIdTaken,
        "insert_channel with a taken public_id",
    );
    assert_eq!(
        all_channels(store).await,
        vec![first.clone()],
        "no channel created by a public_id conflict"
    );
    let same_search = NewChannel {
        search_id: first.search_id.clone(),
        ..channel_input()
    };
    assert_conflict(
        store.insert_channel(&same_search, t0()).await,
        Clash::SearchIdTaken,
        "insert_channel with a taken search_id",
    );
    assert_eq!(
        all_channels(store).await,
        vec![first.clone()],
        "no channel created by a search_id conflict"
    );
    let second = store
        .insert_channel(&channel_input(), t0())
        .await
        .expect("insert_channel after conflicts");
    assert_eq!(all_channels(store).await, vec![first, second]);
}

/// `channels` is keyset-paginated by id.
pub async fn channels_are_keyset_paginated(store: &dyn Store) {
    let mut channels = Vec::new();
    for _ in 0..5 {
        channels.push(new_channel(store).await);
    }
    let ids: Vec<i64> = channels.iter().map(|c| c.id).collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids grow with insertion: {ids:?}"
    );
    check_keyset("channels", &ids, |p| store.channels(p), |c| c.id).await;
    assert_eq!(
        all_channels(store).await,
        channels,
        "listed channels are whole"
    );
}

/// `set_channel_status` stores and returns the updated channel; an unknown id is
/// `NotFound(Entity::Channel)`.
pub async fn set_channel_status_updates_and_returns_channel(store: &dyn Store) {
    let channel = new_channel(store).await;
    let bystander = new_channel(store).await;
    assert_not_found(
        store
            .set_channel_status(UNKNOWN_ID, ChannelStatus::Sanctioned)
            .await,
        Entity::Channel,
        "set_channel_status on an unknown channel",
    );
    for status in [
        ChannelStatus::Sanctioned,
        ChannelStatus::Sanctioned,
        ChannelStatus::Active,
    ] {
        let updated = store
            .set_channel_status(channel.id, status)
            .await
            .expect("set_channel_status");
        let expected = Channel {
            status,
            ..channel.clone()
        };
        assert_eq!(
            updated, expected,
            "set_channel_status returns the updated channel ({status:?})"
        );
        assert_eq!(
            store.channel(channel.id).await.expect("channel"),
            Some(expected),
            "stored ({status:?})"
        );
    }
    assert_eq!(
        store.channel(bystander.id).await.expect("channel"),
        Some(bystander),
        "other channels untouched"
    );
}

/// `connect` is true when newly connected and false when already connected; connections
/// belong to one app.
pub async fn connect_reports_new_connections(store: &dyn Store) {
    let (app, other) = (new_app(store).await, new_app(store).await);
    let channel = new_channel(store).await;
    assert!(
        connected_ids(store, app.id).await.is_empty(),
        "no connections at first"
    );
    assert!(
        store
            .connect(app.id, channel.id, t0())
            .await
            .expect("connect"),
        "first connect is new"
    );
    assert!(
        !store
            .connect(app.id, channel.id, t(1))
            .await
            .expect("connect"),
        "second connect is not new"
    );
    assert_eq!(
        connected_ids(store, app.id).await,
        vec![channel.id],
        "connected once"
    );
    assert!(
        connected_ids(store, other.id).await.is_empty(),
        "another app sees no connection"
    );
    assert!(
        store
            .connect(other.id, channel.id, t(2))
            .await
            .expect("connect"),
        "another app connects anew"
    );
    assert_eq!(connected_ids(store, other.id).await, vec![channel.id]);
}

/// `connect` with an unknown app is `NotFound(Entity::App)`, with an unknown channel
/// `NotFound(Entity::Channel)`.
pub async fn connect_unknown_app_or_channel_is_not_found(store: &dyn Store) {
    let app = new_app(store).await;
    let channel = new_channel(store).await;
    assert_not_found(
        store.connect(UNKNOWN_ID, channel.id, t0()).await,
        Entity::App,
        "connect with an unknown app",
    );
    assert_not_found(
        store.connect(app.id, UNKNOWN_ID, t0()).await,
        Entity::Channel,
        "connect with an unknown channel",
    );
    assert!(
        connected_ids(store, app.id).await.is_empty(),
        "nothing connected"
    );
}

/// `disconnect` says whether a connection was removed.
pub async fn disconnect_reports_removed_connections(store: &dyn Store) {
    let app = new_app(store).await;
    let (kept, dropped) = (new_channel(store).await, new_channel(store).await);
    assert!(
        !store
            .disconnect(app.id, dropped.id)
            .await
            .expect("disconnect"),
        "nothing to remove yet"
    );
    store.connect(app.id, kept.id, t0()).await.expect("connect");
    store
        .connect(app.id, dropped.id, t(1))
        .await
        .expect("connect");
    assert!(
        store
            .disconnect(app.id, dropped.id)
            .await
            .expect("disconnect"),
        "a connection was removed"
    );
    assert!(
        !store
            .disconnect(app.id, dropped.id)
            .await
            .expect("disconnect"),
        "already removed"
    );
    assert_eq!(
        connected_ids(store, app.id).await,
        vec![kept.id],
        "only the other connection is left"
    );
    assert!(
        store
            .connect(app.id, dropped.id, t(2))
            .await
            .expect("connect"),
        "reconnecting is new again"
    );
    assert_eq!(
        connected_ids(store, app.id).await,
        vec![kept.id, dropped.id]
    );
}

/// `connected_channels` lists the app's channels in the order they were connected (calls
/// in the same millisecond keep their call order), as whole, current channels.
pub async fn connected_channels_in_connection_order(store: &dyn Store) {
    let app = new_app(store).await;
    let mut c = Vec::new();
    for _ in 0..4 {
        c.push(new_channel(store).await);
    }
    for (channel, at) in [(&c[2], t(1)), (&c[3], t(2)), (&c[0], t(2)), (&c[1], t(3))] {
        assert!(store
            .connect(app.id, channel.id, at)
            .await
            .expect("connect"));
    }
    assert_eq!(
        connected_ids(store, app.id).await,
        vec![c[2].id, c[3].id, c[0].id, c[1].id],
        "connection order"
    );

    store.disconnect(app.id, c[2].id).await.expect("disconnect");
    store.connect(app.id, c[2].id, t(4)).await.expect("connect");
    let sanctioned = store
        .set_channel_status(c[1].id, ChannelStatus::Sanctioned)
        .await
        .expect("set_channel_status");
    let expected = vec![c[3].clone(), c[0].clone(), sanctioned, c[2].clone()];
    assert_eq!(
        store
            .connected_channels(app.id)
            .await
            .expect("connected_channels"),
        expected,
        "a reconnected channel moves last; channels are current"
    );
}
