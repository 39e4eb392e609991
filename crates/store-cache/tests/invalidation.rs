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
                time_zone: Default::default(),
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

/// A token or link read (and so cached) before logout or unlink is gone right after.
#[tokio::test]
async fn logout_and_unlink_are_seen_at_once() {
    use talkchannel_store::conformance::fixtures::{link, new_account, new_app};
    use talkchannel_store::conformance::token;
    use talkchannel_store::LoginStore;

    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteStore::connect(&format!("sqlite://{}/c.db", dir.path().display()))
        .await
        .unwrap();
    sqlite.migrate().await.unwrap();
    let store = CachedStore::new(sqlite, CacheLimits::default());
    let app = new_app(&store).await;
    let account = new_account(&store).await;
    link(&store, app.id, account.id, 7).await;
    let issued = token(app.id, 7);
    talkchannel_store::AppStore::insert_token(&store, &issued)
        .await
        .unwrap();
    let read = |hash: String| {
        let store = &store;
        async move {
            talkchannel_store::AppStore::token_by_access_hash(store, &hash)
                .await
                .unwrap()
        }
    };
    assert!(
        read(issued.access_hash.clone()).await.is_some(),
        "cached now"
    );
    store.revoke_tokens(app.id, 7).await.unwrap();
    assert!(
        read(issued.access_hash.clone()).await.is_none(),
        "logout invalidates"
    );

    let second = token(app.id, 7);
    talkchannel_store::AppStore::insert_token(&store, &second)
        .await
        .unwrap();
    assert!(read(second.access_hash.clone()).await.is_some());
    let user = talkchannel_store::AppStore::app_user(&store, app.id, 7).await;
    assert!(user.unwrap().is_some(), "cached now");
    store.unlink_app_user(app.id, 7).await.unwrap();
    let user = talkchannel_store::AppStore::app_user(&store, app.id, 7).await;
    assert!(user.unwrap().is_none(), "unlink invalidates the user");
    assert!(
        read(second.access_hash.clone()).await.is_none(),
        "and its tokens"
    );
}
