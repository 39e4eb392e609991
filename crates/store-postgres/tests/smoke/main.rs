//! Runs every store method against a real PostgreSQL server, to prove the SQL works.
//! Behaviour in depth is the conformance suite's job.

use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::BTreeSet;
use talkchannel_domain::{
    AppKey, ChangeSource, ChannelPublicId, ChannelStatus, Clash, Entity, FriendAction, Gender,
    KeyKind, NewAccount, NewApp, NewChannel, PageRequest, PhoneNumber, SearchId, TokenRecord,
};
use talkchannel_store::{
    AccountStore, AppStore, ChannelStore, FriendshipChange, KeyOwner, NewAppUser, SettingsStore,
    Store, StoreError,
};
use talkchannel_store_postgres::testing::TestDatabase;
use talkchannel_store_postgres::PgStore;

mod batches;
mod friendships;

fn t(ms: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 15).unwrap() + Duration::milliseconds(123 + ms)
}

fn key(kind: KeyKind, primary: bool, n: u32) -> AppKey {
    AppKey {
        kind,
        key: format!("{n:032x}"),
        primary,
        created_at: t(i64::from(n)),
    }
}

fn channel(n: u32) -> NewChannel {
    NewChannel {
        public_id: ChannelPublicId::parse(&format!("_ch{n}")).unwrap(),
        search_id: SearchId::parse(&format!("채널{n}")).unwrap(),
        name: format!("채널 {n}"),
        status: ChannelStatus::Active,
        time_zone: Default::default(),
    }
}

fn account() -> NewAccount {
    NewAccount {
        nickname: "김카카오".into(),
        phone_number: Some(PhoneNumber::parse("010-1234-5678").unwrap()),
        email: Some("kim@example.com".into()),
        gender: Some(Gender::Female),
        birth_date: chrono::NaiveDate::from_ymd_opt(1990, 2, 3),
        region: Some("Seoul".into()),
    }
}

fn change(channel: i64, account: i64, action: FriendAction, ms: i64) -> FriendshipChange {
    FriendshipChange {
        channel_id: channel,
        account_id: account,
        action,
        source: ChangeSource::ControlApi,
        at: t(ms),
    }
}

async fn fresh() -> Option<(TestDatabase, PgStore)> {
    let db = TestDatabase::create().await?;
    let store = db.store().await;
    // Migrating twice is a no-op.
    store.migrate().await.expect("second migrate");
    Some((db, store))
}

#[tokio::test]
async fn engine_settings_and_accounts() {
    let Some((_db, store)) = fresh().await else {
        return;
    };
    assert_eq!(store.engine(), "postgres");
    store.ping().await.unwrap();

    assert_eq!(store.setting("a").await.unwrap(), None);
    assert!(store.put_setting_if_absent("a", "1").await.unwrap());
    assert!(!store.put_setting_if_absent("a", "2").await.unwrap());
    store.put_setting("a", "3").await.unwrap();
    assert_eq!(store.setting("a").await.unwrap().as_deref(), Some("3"));

    let mut ids = Vec::new();
    for i in 0..5 {
        let a = store.insert_account(&account(), t(i)).await.unwrap();
        assert_eq!(store.account(a.id).await.unwrap(), Some(a.clone()));
        ids.push(a.id);
    }
    let bare = NewAccount {
        phone_number: None,
        email: None,
        gender: None,
        birth_date: None,
        region: None,
        ..account()
    };
    let b = store.insert_account(&bare, t(9)).await.unwrap();
    assert_eq!(store.account(b.id).await.unwrap(), Some(b.clone()));
    ids.push(b.id);

    let first = store.accounts(PageRequest::first(4)).await.unwrap();
    assert_eq!(
        first.items.iter().map(|a| a.id).collect::<Vec<_>>(),
        ids[..4]
    );
    assert_eq!(first.next_cursor, Some(ids[3]));
    let rest = store
        .accounts(PageRequest {
            after: first.next_cursor,
            limit: 4,
        })
        .await
        .unwrap();
    assert_eq!(
        rest.items.iter().map(|a| a.id).collect::<Vec<_>>(),
        ids[4..]
    );
    assert_eq!(rest.next_cursor, None);
    assert_eq!(store.account(987_654_321).await.unwrap(), None);
}

#[tokio::test]
async fn apps_keys_users_and_tokens() {
    let Some((_db, store)) = fresh().await else {
        return;
    };
    let new = NewApp {
        name: "앱".into(),
        keys: vec![
            key(KeyKind::Admin, true, 4),
            key(KeyKind::Native, false, 3),
            key(KeyKind::RestApi, false, 1),
            key(KeyKind::JavaScript, false, 2),
        ],
    };
    let app = store.insert_app(&new, t(0)).await.unwrap();
    let kinds: Vec<KeyKind> = app.keys.iter().map(|k| k.kind).collect();
    assert_eq!(kinds, KeyKind::ALL);
    assert_eq!(store.app(app.id).await.unwrap(), Some(app.clone()));
    assert_eq!(
        store.apps(PageRequest::first(10)).await.unwrap().items,
        vec![app.clone()]
    );
    assert!(matches!(
        store.insert_app(&new, t(0)).await,
        Err(StoreError::Conflict(Clash::AppKeyTaken))
    ));
    assert_eq!(
        store
            .apps(PageRequest::first(10))
            .await
            .unwrap()
            .items
            .len(),
        1
    );

    let owner = store.key_owner(&new.keys[1].key).await.unwrap();
    assert_eq!(
        owner,
        Some(KeyOwner {
            app_id: app.id,
            kind: KeyKind::Native
        })
    );

    store
        .add_admin_key(app.id, &key(KeyKind::Admin, true, 5))
        .await
        .unwrap();
    let read = store.app(app.id).await.unwrap().unwrap();
    assert_eq!(
        read.primary_admin_key().map(|k| k.key.clone()),
        Some(format!("{:032x}", 5))
    );
    assert_eq!(read.keys.iter().filter(|k| k.primary).count(), 1);
    assert!(matches!(
        store
            .add_admin_key(app.id, &key(KeyKind::Admin, true, 1))
            .await,
        Err(StoreError::Conflict(Clash::AppKeyTaken))
    ));
    assert!(matches!(
        store
            .add_admin_key(987_654_321, &key(KeyKind::Admin, true, 9))
            .await,
        Err(StoreError::NotFound(Entity::App))
    ));
    assert_eq!(store.app(app.id).await.unwrap(), Some(read));

    let acc = store.insert_account(&account(), t(0)).await.unwrap();
    let scopes: BTreeSet<String> = ["plusfriends", "profile_nickname"].map(String::from).into();
    let nu = NewAppUser {
        app_id: app.id,
        account_id: acc.id,
        user_id: 42,
        scopes,
        linked_at: t(7),
    };
    let user = store.insert_app_user(&nu).await.unwrap();
    assert_eq!(
        store.app_user(app.id, 42).await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(
        store.app_user_by_account(app.id, acc.id).await.unwrap(),
        Some(user.clone())
    );
    assert!(matches!(
        store
            .insert_app_user(&NewAppUser {
                user_id: 43,
                ..nu.clone()
            })
            .await,
        Err(StoreError::Conflict(Clash::AccountAlreadyLinked))
    ));
    let other = store.insert_account(&account(), t(0)).await.unwrap();
    assert!(matches!(
        store
            .insert_app_user(&NewAppUser {
                account_id: other.id,
                ..nu.clone()
            })
            .await,
        Err(StoreError::Conflict(Clash::UserIdTaken))
    ));
    assert!(matches!(
        store
            .insert_app_user(&NewAppUser {
                app_id: 987_654_321,
                ..nu.clone()
            })
            .await,
        Err(StoreError::NotFound(Entity::App))
    ));
    assert!(matches!(
        store
            .insert_app_user(&NewAppUser {
                account_id: 987_654_321,
                user_id: 44,
                ..nu.clone()
            })
            .await,
        Err(StoreError::NotFound(Entity::Account))
    ));
    let empty = NewAppUser {
        account_id: other.id,
        user_id: 45,
        scopes: BTreeSet::new(),
        ..nu
    };
    assert_eq!(
        store.insert_app_user(&empty).await.unwrap().scopes,
        BTreeSet::new()
    );
    assert_eq!(
        store.app_user(app.id, 45).await.unwrap().unwrap().scopes,
        BTreeSet::new()
    );

    let token = TokenRecord {
        app_id: app.id,
        user_id: 42,
        access_hash: "a".repeat(64),
        access_expires_at: t(1000),
        refresh_hash: "r".repeat(64),
        refresh_expires_at: t(2000),
        issued_at: t(8),
    };
    store.insert_token(&token).await.unwrap();
    assert_eq!(
        store
            .token_by_access_hash(&token.access_hash)
            .await
            .unwrap(),
        Some((token.clone(), user))
    );
    assert_eq!(store.token_by_access_hash("nope").await.unwrap(), None);
    let orphan = TokenRecord {
        user_id: 99,
        access_hash: "b".into(),
        refresh_hash: "c".into(),
        ..token
    };
    assert!(matches!(
        store.insert_token(&orphan).await,
        Err(StoreError::NotFound(Entity::AppUser))
    ));
}

#[tokio::test]
async fn channels_and_connections() {
    let Some((_db, store)) = fresh().await else {
        return;
    };
    let c1 = store.insert_channel(&channel(1), t(0)).await.unwrap();
    let c2 = store.insert_channel(&channel(2), t(1)).await.unwrap();
    assert_eq!(store.channel(c1.id).await.unwrap(), Some(c1.clone()));
    assert_eq!(
        store.channel_by_public_id(&c2.public_id).await.unwrap(),
        Some(c2.clone())
    );
    let same_public = NewChannel {
        search_id: SearchId::parse("other").unwrap(),
        ..channel(1)
    };
    assert!(matches!(
        store.insert_channel(&same_public, t(0)).await,
        Err(StoreError::Conflict(Clash::ChannelPublicIdTaken))
    ));
    let same_search = NewChannel {
        public_id: ChannelPublicId::parse("_other").unwrap(),
        ..channel(1)
    };
    assert!(matches!(
        store.insert_channel(&same_search, t(0)).await,
        Err(StoreError::Conflict(Clash::SearchIdTaken))
    ));
    assert_eq!(
        store
            .channels(PageRequest::first(1))
            .await
            .unwrap()
            .next_cursor,
        Some(c1.id)
    );

    let c1s = store
        .set_channel_status(c1.id, ChannelStatus::Sanctioned)
        .await
        .unwrap();
    assert_eq!(c1s.status, ChannelStatus::Sanctioned);
    assert!(matches!(
        store
            .set_channel_status(987_654_321, ChannelStatus::Active)
            .await,
        Err(StoreError::NotFound(Entity::Channel))
    ));

    let app = store
        .insert_app(
            &NewApp {
                name: "a".into(),
                keys: vec![],
            },
            t(0),
        )
        .await
        .unwrap();
    assert!(store.connect(app.id, c2.id, t(2)).await.unwrap());
    assert!(store.connect(app.id, c1.id, t(2)).await.unwrap());
    assert!(!store.connect(app.id, c2.id, t(3)).await.unwrap());
    assert_eq!(
        store.connected_channels(app.id).await.unwrap(),
        vec![c2.clone(), c1s.clone()]
    );
    assert!(matches!(
        store.connect(987_654_321, c1.id, t(0)).await,
        Err(StoreError::NotFound(Entity::App))
    ));
    assert!(matches!(
        store.connect(app.id, 987_654_321, t(0)).await,
        Err(StoreError::NotFound(Entity::Channel))
    ));
    assert!(store.disconnect(app.id, c2.id).await.unwrap());
    assert!(!store.disconnect(app.id, c2.id).await.unwrap());
    assert!(store.connect(app.id, c2.id, t(4)).await.unwrap());
    assert_eq!(
        store.connected_channels(app.id).await.unwrap(),
        vec![c1s, c2]
    );
}

#[test]
fn test_database_is_dropped_outside_a_runtime() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(db) = runtime.block_on(TestDatabase::create()) else {
        return;
    };
    let name = db.name().to_owned();
    let url = db.url().to_owned();
    drop(db);
    let gone = runtime.block_on(async {
        let store = PgStore::connect(&url).await;
        store.is_err()
    });
    assert!(gone, "database {name} must be dropped");
}
