//! Values read through the cache change as soon as a write through it commits.

use chrono::{TimeZone, Utc};
use talkchannel_domain::{
    ChangeSource, ChannelPublicId, ChannelStatus, FriendAction, NewAccount, NewChannel, Relation,
    SearchId,
};
use talkchannel_store::{AccountStore, ChannelStore, FriendshipChange, FriendshipStore};
use talkchannel_store_cache::{CacheLimits, CachedStore};
use talkchannel_store_sqlite::SqliteStore;

#[tokio::test]
async fn writes_through_the_cache_are_seen_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteStore::connect(&format!("sqlite://{}/c.db", dir.path().display()))
        .await
        .unwrap();
    sqlite.migrate().await.unwrap();
    let store = CachedStore::new(sqlite, CacheLimits::default());
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let app = talkchannel_store::AppStore::insert_app(
        &store,
        &talkchannel_domain::NewApp {
            name: "a".into(),
            keys: vec![],
        },
        at,
    )
    .await
    .unwrap();
    let channel = store
        .insert_channel(
            &NewChannel {
                public_id: ChannelPublicId::parse("_c").unwrap(),
                search_id: SearchId::parse("@c").unwrap(),
                name: "c".into(),
                status: ChannelStatus::Active,
            },
            at,
        )
        .await
        .unwrap();
    let account = store
        .insert_account(
            &NewAccount::validate("n", None, None, None, None, None, at.date_naive()).unwrap(),
            at,
        )
        .await
        .unwrap();

    assert!(store.connected_channels(app.id).await.unwrap().is_empty());
    store.connect(app.id, channel.id, at).await.unwrap();
    assert_eq!(
        store.connected_channels(app.id).await.unwrap().len(),
        1,
        "connect invalidates"
    );
    store
        .set_channel_status(channel.id, ChannelStatus::Sanctioned)
        .await
        .unwrap();
    assert_eq!(
        store.connected_channels(app.id).await.unwrap()[0].status,
        ChannelStatus::Sanctioned,
        "status invalidates"
    );
    store.disconnect(app.id, channel.id).await.unwrap();
    assert!(
        store.connected_channels(app.id).await.unwrap().is_empty(),
        "disconnect invalidates"
    );

    assert!(store
        .friendships_of(account.id, &[channel.id])
        .await
        .unwrap()
        .is_empty());
    for (action, expected) in [
        (FriendAction::Add, Relation::Added),
        (FriendAction::Block, Relation::Blocked),
        (FriendAction::Unblock, Relation::None),
    ] {
        let change = FriendshipChange {
            channel_id: channel.id,
            account_id: account.id,
            action,
            source: ChangeSource::ControlApi,
            at,
        };
        store.apply_friendship_change(&change).await.unwrap();
        let rows = store
            .friendships_of(account.id, &[channel.id])
            .await
            .unwrap();
        assert_eq!(rows[0].relation, expected, "after {action:?}");
    }
}
