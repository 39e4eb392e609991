//! A quick end-to-end run of every query against a real file, to catch SQL that does not
//! parse or bind; behaviour in depth is the conformance suite's job.

use chrono::{DateTime, TimeZone, Utc};
use std::collections::BTreeSet;
use talkchannel_domain::{
    AppKey, ChangeSource, ChannelPublicId, ChannelStatus, Clash, Entity, FriendAction, KeyKind,
    NewAccount, NewApp, NewChannel, PageRequest, Relation, SearchId, TokenRecord,
};
use talkchannel_store::{
    AccountStore, AppStore, ChannelStore, FriendshipChange, FriendshipStore, NewAppUser,
    SettingsStore, Store, StoreError,
};
use talkchannel_store_sqlite::SqliteStore;

fn at(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(1_772_000_000_000 + ms).unwrap()
}

fn key(kind: KeyKind, n: u32, primary: bool) -> AppKey {
    AppKey {
        kind,
        key: format!("{n:032x}"),
        primary,
        created_at: at(i64::from(n)),
    }
}

async fn open() -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("nested/dir/t.db").display());
    let store = SqliteStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap(); // a second run is a no-op
    (store, dir)
}

#[tokio::test]
async fn every_query_runs() {
    let (store, _dir) = open().await;
    assert_eq!(store.engine(), "sqlite");
    store.ping().await.unwrap();

    let new = NewAccount {
        nickname: "김민지".into(),
        phone_number: Some(talkchannel_domain::PhoneNumber::parse("010-1234-5678").unwrap()),
        email: Some("a@example.com".into()),
        gender: Some(talkchannel_domain::Gender::Female),
        birth_date: chrono::NaiveDate::from_ymd_opt(1990, 2, 28),
        region: Some("서울".into()),
    };
    let account = store.insert_account(&new, at(1)).await.unwrap();
    assert_eq!(
        store.account(account.id).await.unwrap(),
        Some(account.clone())
    );
    let page = store.accounts(PageRequest::first(10)).await.unwrap();
    assert_eq!((page.items.len(), page.next_cursor), (1, None));

    let keys = vec![
        key(KeyKind::Admin, 4, true),
        key(KeyKind::RestApi, 1, false),
    ];
    let app = store
        .insert_app(
            &NewApp {
                name: "app".into(),
                keys,
            },
            at(2),
        )
        .await
        .unwrap();
    assert_eq!(app.keys[0].kind, KeyKind::RestApi);
    assert_eq!(store.app(app.id).await.unwrap(), Some(app.clone()));
    assert_eq!(
        store.apps(PageRequest::first(1)).await.unwrap().items,
        vec![app.clone()]
    );
    store
        .add_admin_key(app.id, &key(KeyKind::Admin, 5, true))
        .await
        .unwrap();
    let reread = store.app(app.id).await.unwrap().unwrap();
    assert_eq!(
        reread.primary_admin_key().unwrap().key,
        format!("{:032x}", 5)
    );
    let dup = store
        .add_admin_key(app.id, &key(KeyKind::Admin, 5, false))
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(Clash::AppKeyTaken))));
    assert!(matches!(
        store
            .add_admin_key(999, &key(KeyKind::Admin, 6, false))
            .await,
        Err(StoreError::NotFound(Entity::App))
    ));
    let owner = store
        .key_owner(&format!("{:032x}", 1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((owner.app_id, owner.kind), (app.id, KeyKind::RestApi));

    let new_channel = NewChannel {
        public_id: ChannelPublicId::parse("_AbC").unwrap(),
        search_id: SearchId::parse("@채널").unwrap(),
        name: "채널".into(),
        status: ChannelStatus::Active,
        time_zone: Default::default(),
    };
    let channel = store.insert_channel(&new_channel, at(3)).await.unwrap();
    let again = store.insert_channel(&new_channel, at(3)).await;
    assert!(matches!(
        again,
        Err(StoreError::Conflict(Clash::ChannelPublicIdTaken))
    ));
    let other_search = NewChannel {
        public_id: ChannelPublicId::parse("_abc").unwrap(),
        ..new_channel
    };
    let again = store.insert_channel(&other_search, at(3)).await;
    assert!(matches!(
        again,
        Err(StoreError::Conflict(Clash::SearchIdTaken))
    ));
    assert_eq!(
        store
            .channel_by_public_id(&channel.public_id)
            .await
            .unwrap(),
        Some(channel.clone())
    );
    assert_eq!(
        store.channels(PageRequest::first(5)).await.unwrap().items,
        vec![channel.clone()]
    );
    let sanctioned = store
        .set_channel_status(channel.id, ChannelStatus::Sanctioned)
        .await
        .unwrap();
    assert_eq!(sanctioned.status, ChannelStatus::Sanctioned);
    assert!(matches!(
        store.set_channel_status(999, ChannelStatus::Active).await,
        Err(StoreError::NotFound(Entity::Channel))
    ));

    assert!(store.connect(app.id, channel.id, at(4)).await.unwrap());
    assert!(!store.connect(app.id, channel.id, at(4)).await.unwrap());
    assert!(matches!(
        store.connect(999, channel.id, at(4)).await,
        Err(StoreError::NotFound(Entity::App))
    ));
    assert!(matches!(
        store.connect(app.id, 999, at(4)).await,
        Err(StoreError::NotFound(Entity::Channel))
    ));
    assert_eq!(
        store.connected_channels(app.id).await.unwrap(),
        vec![sanctioned.clone()]
    );
    assert!(store.disconnect(app.id, channel.id).await.unwrap());
    assert!(!store.disconnect(app.id, channel.id).await.unwrap());

    let scopes: BTreeSet<String> = ["plusfriends", "gender"].map(String::from).into();
    let link = NewAppUser {
        app_id: app.id,
        account_id: account.id,
        user_id: 42,
        scopes,
        linked_at: at(5),
    };
    let user = store.insert_app_user(&link).await.unwrap();
    let dup = store.insert_app_user(&link).await;
    assert!(matches!(
        dup,
        Err(StoreError::Conflict(Clash::AccountAlreadyLinked))
    ));
    let other = store.insert_account(&new, at(6)).await.unwrap();
    let taken = NewAppUser {
        account_id: other.id,
        ..link.clone()
    };
    assert!(matches!(
        store.insert_app_user(&taken).await,
        Err(StoreError::Conflict(Clash::UserIdTaken))
    ));
    let nobody = NewAppUser {
        account_id: 999,
        user_id: 7,
        ..link.clone()
    };
    assert!(matches!(
        store.insert_app_user(&nobody).await,
        Err(StoreError::NotFound(Entity::Account))
    ));
    assert_eq!(
        store.app_user(app.id, 42).await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(
        store.app_user_by_account(app.id, account.id).await.unwrap(),
        Some(user.clone())
    );

    let token = TokenRecord {
        app_id: app.id,
        user_id: 42,
        access_hash: "a".repeat(64),
        access_expires_at: at(100),
        refresh_hash: "r".repeat(64),
        refresh_expires_at: at(200),
        issued_at: at(7),
    };
    store.insert_token(&token).await.unwrap();
    let orphan = TokenRecord {
        user_id: 43,
        access_hash: "b".into(),
        refresh_hash: "c".into(),
        ..token.clone()
    };
    assert!(matches!(
        store.insert_token(&orphan).await,
        Err(StoreError::NotFound(Entity::AppUser))
    ));
    assert_eq!(
        store
            .token_by_access_hash(&token.access_hash)
            .await
            .unwrap(),
        Some((token, user))
    );

    let change = |action, ms| FriendshipChange {
        channel_id: channel.id,
        account_id: account.id,
        action,
        source: ChangeSource::ControlApi,
        at: at(ms),
    };
    let noop = store
        .apply_friendship_change(&change(FriendAction::Unblock, 10))
        .await
        .unwrap();
    assert_eq!((noop.friendship, noop.logged), (None, None));
    let added = store
        .apply_friendship_change(&change(FriendAction::Add, 11))
        .await
        .unwrap();
    assert_eq!(
        added.friendship.as_ref().unwrap().first_added_at,
        Some(at(11))
    );
    let blocked = store
        .apply_friendship_change(&change(FriendAction::Block, 12))
        .await
        .unwrap();
    let row = blocked.friendship.unwrap();
    assert_eq!(
        (row.relation, row.first_added_at, row.updated_at),
        (Relation::Blocked, Some(at(11)), at(12))
    );
    assert_eq!(
        store.friendship(channel.id, account.id).await.unwrap(),
        Some(row.clone())
    );
    assert_eq!(
        store
            .friendships_of(account.id, &[channel.id, 999])
            .await
            .unwrap(),
        vec![row]
    );
    assert!(store
        .friendships_of(account.id, &[])
        .await
        .unwrap()
        .is_empty());
    let unknown = FriendshipChange {
        channel_id: 999,
        ..change(FriendAction::Add, 13)
    };
    assert!(matches!(
        store.apply_friendship_change(&unknown).await,
        Err(StoreError::NotFound(Entity::Channel))
    ));
    let unknown = FriendshipChange {
        account_id: 999,
        ..change(FriendAction::Add, 13)
    };
    assert!(matches!(
        store.apply_friendship_change(&unknown).await,
        Err(StoreError::NotFound(Entity::Account))
    ));
    let log = store
        .friendship_log(channel.id, account.id, PageRequest::first(1))
        .await
        .unwrap();
    assert_eq!(
        (log.items.len(), log.next_cursor),
        (1, Some(added.logged.unwrap().seq))
    );
    let rest = PageRequest {
        after: log.next_cursor,
        limit: 5,
    };
    let log = store
        .friendship_log(channel.id, account.id, rest)
        .await
        .unwrap();
    assert_eq!((log.items.len(), log.next_cursor), (1, None));
    assert_eq!(log.items[0].to, Relation::Blocked);

    store.put_setting("k", "1").await.unwrap();
    store.put_setting("k", "2").await.unwrap();
    assert!(!store.put_setting_if_absent("k", "3").await.unwrap());
    assert!(store.put_setting_if_absent("j", "3").await.unwrap());
    assert_eq!(store.setting("k").await.unwrap().as_deref(), Some("2"));
    store.close().await;
}

#[tokio::test]
async fn in_memory_databases_work() {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    store.put_setting("k", "v").await.unwrap();
    assert_eq!(store.setting("k").await.unwrap().as_deref(), Some("v"));
}
