use super::fixtures::*;
use crate::{KeyOwner, Store};
use talkchannel_domain::{App, AppKey, Clash, Entity, KeyKind, NewApp, PageRequest};

async fn read_app(store: &dyn Store, app: &App) -> App {
    store
        .app(app.id)
        .await
        .expect("app")
        .unwrap_or_else(|| panic!("app {} must exist", app.id))
}

fn assert_one_primary(app: &App, doing: &str) {
    let primaries = app.keys.iter().filter(|k| k.primary).count();
    assert_eq!(
        primaries, 1,
        "{doing}: exactly one primary key expected, got {:?}",
        app.keys
    );
}

/// An app reads back with its keys ordered by kind (`KeyKind::ALL` order), then
/// created_at, then key, whatever order they were given in; unknown ids read as `None`.
pub async fn app_round_trips_with_keys_in_order(store: &dyn Store) {
    assert_eq!(
        store.app(UNKNOWN_ID).await.expect("app"),
        None,
        "unknown app"
    );

    let (mut a, mut b) = (unique_key(), unique_key());
    if a < b {
        std::mem::swap(&mut a, &mut b);
    }
    let same_time_admin = |key: String| AppKey {
        kind: KeyKind::Admin,
        key,
        primary: false,
        created_at: t(1),
    };
    let new = NewApp {
        name: "쇼핑몰 앱".to_owned(),
        keys: vec![
            key(KeyKind::Admin, true, t(5)),
            key(KeyKind::Native, false, t0()),
            same_time_admin(a),
            key(KeyKind::RestApi, false, t(3)),
            key(KeyKind::JavaScript, false, t(2)),
            same_time_admin(b),
            key(KeyKind::Admin, false, t(-1)),
        ],
    };
    let at = t(9);
    let inserted = store.insert_app(&new, at).await.expect("insert_app");
    let expected = App {
        id: inserted.id,
        name: new.name.clone(),
        created_at: at,
        keys: ordered_keys(&new.keys),
    };
    assert_eq!(
        inserted, expected,
        "insert_app returns the app with its keys in order"
    );
    assert_eq!(
        read_app(store, &inserted).await,
        expected,
        "app reads back with its keys in order"
    );
    assert_eq!(expected.primary_admin_key(), Some(&new.keys[0]));
}

/// `key_owner` finds each key's app and kind; an unknown key is `None`.
pub async fn key_owner_finds_every_key(store: &dyn Store) {
    let apps = [new_app(store).await, new_app(store).await];
    for app in &apps {
        for k in &app.keys {
            let owner = store.key_owner(&k.key).await.expect("key_owner");
            assert_eq!(
                owner,
                Some(KeyOwner {
                    app_id: app.id,
                    kind: k.kind
                }),
                "owner of {k:?}"
            );
        }
    }
    assert_eq!(
        store.key_owner(&unique_key()).await.expect("key_owner"),
        None,
        "unknown key"
    );
}

/// A key already taken (by another app, of any kind, or twice in the same app) makes
/// `insert_app` fail with `Conflict(Clash::AppKeyTaken)`, and neither the app nor any of its keys is
/// created.
pub async fn insert_app_with_taken_key_conflicts_and_creates_nothing(store: &dyn Store) {
    let first = new_app(store).await;
    let taken_js = first.key(KeyKind::JavaScript).expect("js key").key.clone();
    let taken_rest = first.key(KeyKind::RestApi).expect("rest key").key.clone();

    let mut same_kind = app_input(t0());
    same_kind.keys[1].key = taken_js.clone();
    let mut other_kind = app_input(t0());
    other_kind.keys[3].key = taken_rest.clone();
    let mut twice = app_input(t0());
    twice.keys[2].key = twice.keys[0].key.clone();

    for (label, new) in [
        ("same kind", &same_kind),
        ("other kind", &other_kind),
        ("twice in one app", &twice),
    ] {
        assert_conflict(
            store.insert_app(new, t0()).await,
            Clash::AppKeyTaken,
            &format!("insert_app with a taken key ({label})"),
        );
        let all = store
            .apps(PageRequest::first(PageRequest::MAX_LIMIT))
            .await
            .expect("apps");
        assert_eq!(
            all.items,
            vec![first.clone()],
            "no app may be created by a failed insert_app ({label})"
        );
        for k in &new.keys {
            if k.key != taken_js && k.key != taken_rest {
                let owner = store.key_owner(&k.key).await.expect("key_owner");
                assert_eq!(
                    owner, None,
                    "no key of a failed insert_app may be stored ({label})"
                );
            }
        }
    }
    for (taken, kind) in [
        (&taken_js, KeyKind::JavaScript),
        (&taken_rest, KeyKind::RestApi),
    ] {
        let owner = store.key_owner(taken).await.expect("key_owner");
        assert_eq!(
            owner,
            Some(KeyOwner {
                app_id: first.id,
                kind
            }),
            "taken key keeps its owner"
        );
    }

    // The failure left nothing behind: the same app with fresh keys goes in.
    let second = store
        .insert_app(&app_input(t0()), t0())
        .await
        .expect("insert_app after a conflict");
    let all = store
        .apps(PageRequest::first(PageRequest::MAX_LIMIT))
        .await
        .expect("apps");
    assert_eq!(all.items, vec![first, second]);
}

/// `apps` is keyset-paginated by id, each app with its keys.
pub async fn apps_are_keyset_paginated(store: &dyn Store) {
    let mut apps = Vec::new();
    for _ in 0..5 {
        apps.push(new_app(store).await);
    }
    let ids: Vec<i64> = apps.iter().map(|a| a.id).collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids grow with insertion: {ids:?}"
    );
    check_keyset("apps", &ids, |p| store.apps(p), |a| a.id).await;
    let all = store
        .apps(PageRequest::first(PageRequest::MAX_LIMIT))
        .await
        .expect("apps");
    assert_eq!(all.items, apps, "listed apps carry their keys, in order");
}

/// `add_admin_key` on an unknown app is `NotFound(Entity::App)` and stores nothing.
pub async fn add_admin_key_to_unknown_app_is_not_found(store: &dyn Store) {
    new_app(store).await;
    for primary in [false, true] {
        let k = key(KeyKind::Admin, primary, t0());
        assert_not_found(
            store.add_admin_key(UNKNOWN_ID, &k).await,
            Entity::App,
            "add_admin_key on an unknown app",
        );
        assert_eq!(
            store.key_owner(&k.key).await.expect("key_owner"),
            None,
            "no key stored"
        );
    }
}

/// A primary admin key demotes the app's previous primary (and no other app's).
pub async fn add_admin_key_primary_replaces_previous_primary(store: &dyn Store) {
    let app = new_app(store).await;
    let other = new_app(store).await;
    let mut expected = app.keys.clone();
    for (i, ms) in [10, 20].into_iter().enumerate() {
        let k = key(KeyKind::Admin, true, t(ms));
        store
            .add_admin_key(app.id, &k)
            .await
            .expect("add_admin_key");
        for old in &mut expected {
            old.primary = false;
        }
        expected.push(k.clone());
        let read = read_app(store, &app).await;
        assert_eq!(
            read.keys,
            ordered_keys(&expected),
            "keys after primary add #{}",
            i + 1
        );
        assert_eq!(
            read.primary_admin_key(),
            Some(&k),
            "the new key is the primary"
        );
        assert_one_primary(&read, "after a primary add");
        let owner = store.key_owner(&k.key).await.expect("key_owner");
        assert_eq!(
            owner,
            Some(KeyOwner {
                app_id: app.id,
                kind: KeyKind::Admin
            })
        );
    }
    assert_eq!(
        read_app(store, &other).await,
        other,
        "another app's keys are untouched"
    );
}

/// A non-primary admin key is added beside the primary, which stays primary.
pub async fn add_admin_key_non_primary_keeps_primary(store: &dyn Store) {
    let app = new_app(store).await;
    let primary = app
        .primary_admin_key()
        .expect("fixture has a primary")
        .clone();
    let k = key(KeyKind::Admin, false, t(10));
    store
        .add_admin_key(app.id, &k)
        .await
        .expect("add_admin_key");
    let mut expected = app.keys.clone();
    expected.push(k.clone());
    let read = read_app(store, &app).await;
    assert_eq!(
        read.keys,
        ordered_keys(&expected),
        "keys after a non-primary add"
    );
    assert_eq!(
        read.primary_admin_key(),
        Some(&primary),
        "the old primary stays primary"
    );
    assert_one_primary(&read, "after a non-primary add");
    let owner = store.key_owner(&k.key).await.expect("key_owner");
    assert_eq!(
        owner,
        Some(KeyOwner {
            app_id: app.id,
            kind: KeyKind::Admin
        })
    );
}

/// A taken key makes `add_admin_key` fail with `Conflict(Clash::AppKeyTaken)` and change nothing (a
/// failed primary add does not demote the current primary).
pub async fn add_admin_key_taken_key_conflicts_and_changes_nothing(store: &dyn Store) {
    let app = new_app(store).await;
    let other = new_app(store).await;
    let own_admin = app.key(KeyKind::Admin).expect("admin key").key.clone();
    let other_rest = other.key(KeyKind::RestApi).expect("rest key").key.clone();
    for (label, taken) in [
        ("another app's key", other_rest),
        ("the app's own key", own_admin),
    ] {
        for primary in [true, false] {
            let k = AppKey {
                kind: KeyKind::Admin,
                key: taken.clone(),
                primary,
                created_at: t(10),
            };
            assert_conflict(
                store.add_admin_key(app.id, &k).await,
                Clash::AppKeyTaken,
                &format!("add_admin_key with {label} (primary: {primary})"),
            );
            assert_eq!(
                read_app(store, &app).await,
                app,
                "the app is unchanged ({label})"
            );
            assert_eq!(
                read_app(store, &other).await,
                other,
                "the other app is unchanged ({label})"
            );
        }
    }
}
