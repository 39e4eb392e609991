use super::fixtures::*;
use crate::{NewAppUser, Store};
use chrono::Duration;
use talkchannel_domain::app_user::KNOWN_SCOPES;
use talkchannel_domain::{AppId, AppUser, Clash, Entity, TokenRecord, UserId};

fn as_app_user(new: &NewAppUser) -> AppUser {
    AppUser {
        app_id: new.app_id,
        account_id: new.account_id,
        user_id: new.user_id,
        scopes: new.scopes.clone(),
        linked_at: new.linked_at,
    }
}

/// A fresh token record for the app user (random hashes, fixed times).
pub fn token(app: AppId, user_id: UserId) -> TokenRecord {
    TokenRecord {
        app_id: app,
        user_id,
        access_hash: format!("{}{}", unique_key(), unique_key()),
        access_expires_at: t0() + Duration::hours(6),
        refresh_hash: format!("{}{}", unique_key(), unique_key()),
        refresh_expires_at: t0() + Duration::days(60),
        issued_at: t0(),
    }
}

/// Linked accounts read back by user id and by account, with their scopes (none, some,
/// all); unknown ones are `None`.
pub async fn app_user_round_trips_with_scopes(store: &dyn Store) {
    let app = new_app(store).await;
    let all: Vec<&str> = KNOWN_SCOPES.to_vec();
    for (user_id, scope_list) in [
        (1_i64, vec![]),
        (2, vec!["plusfriends", "profile_nickname"]),
        (i64::MAX, all),
    ] {
        let account = new_account(store).await;
        let new = NewAppUser {
            scopes: scopes(&scope_list),
            linked_at: t(user_id.min(1000)),
            ..app_user_input(app.id, account.id, user_id)
        };
        let inserted = store.insert_app_user(&new).await.expect("insert_app_user");
        let expected = as_app_user(&new);
        assert_eq!(
            inserted, expected,
            "insert_app_user returns the app user (scopes {scope_list:?})"
        );
        assert_eq!(
            store.app_user(app.id, user_id).await.expect("app_user"),
            Some(expected.clone()),
            "by user id"
        );
        assert_eq!(
            store
                .app_user_by_account(app.id, account.id)
                .await
                .expect("by account"),
            Some(expected),
            "by account"
        );
    }
    let stranger = new_account(store).await;
    assert_eq!(
        store.app_user(app.id, 999).await.expect("app_user"),
        None,
        "unknown user id"
    );
    assert_eq!(
        store
            .app_user_by_account(app.id, stranger.id)
            .await
            .expect("by account"),
        None,
        "unlinked account"
    );
    assert_eq!(
        store.app_user(UNKNOWN_ID, 1).await.expect("app_user"),
        None,
        "unknown app"
    );
}

/// Linking an account twice to one app is `Conflict(Clash::AccountAlreadyLinked)`; reusing a user id in one
/// app is `Conflict(Clash::UserIdTaken)`; neither creates anything.
pub async fn insert_app_user_conflicts(store: &dyn Store) {
    let app = new_app(store).await;
    let (linked, other) = (new_account(store).await, new_account(store).await);
    let original = link(store, app.id, linked.id, 100).await;

    let again = app_user_input(app.id, linked.id, 200);
    assert_conflict(
        store.insert_app_user(&again).await,
        Clash::AccountAlreadyLinked,
        "insert_app_user for an already linked account",
    );
    assert_eq!(
        store.app_user(app.id, 200).await.expect("app_user"),
        None,
        "no app user created"
    );

    let taken = app_user_input(app.id, other.id, 100);
    assert_conflict(
        store.insert_app_user(&taken).await,
        Clash::UserIdTaken,
        "insert_app_user with a taken user_id",
    );
    assert_eq!(
        store
            .app_user_by_account(app.id, other.id)
            .await
            .expect("by account"),
        None,
        "no app user created"
    );

    assert_eq!(
        store.app_user(app.id, 100).await.expect("app_user"),
        Some(original.clone()),
        "original unchanged"
    );
    assert_eq!(
        store
            .app_user_by_account(app.id, linked.id)
            .await
            .expect("by account"),
        Some(original)
    );
    link(store, app.id, other.id, 200).await;
}

/// Linking to an unknown app is `NotFound(Entity::App)`, an unknown account `NotFound(Entity::Account)`.
pub async fn insert_app_user_unknown_refs_not_found(store: &dyn Store) {
    let app = new_app(store).await;
    let account = new_account(store).await;
    let no_app = app_user_input(UNKNOWN_ID, account.id, 1);
    assert_not_found(
        store.insert_app_user(&no_app).await,
        Entity::App,
        "insert_app_user with an unknown app",
    );
    let no_account = app_user_input(app.id, UNKNOWN_ID, 1);
    assert_not_found(
        store.insert_app_user(&no_account).await,
        Entity::Account,
        "insert_app_user with an unknown account",
    );
    assert_eq!(
        store.app_user(app.id, 1).await.expect("app_user"),
        None,
        "nothing created"
    );
    assert_eq!(
        store.app_user(UNKNOWN_ID, 1).await.expect("app_user"),
        None,
        "nothing created"
    );
}

/// One account may be linked to two apps, and one user id may exist in two apps.
pub async fn same_account_and_user_id_across_apps(store: &dyn Store) {
    let (first, second) = (new_app(store).await, new_app(store).await);
    let (a, b) = (new_account(store).await, new_account(store).await);
    let a_first = link(store, first.id, a.id, 7).await;
    let a_second = link(store, second.id, a.id, 8).await;
    let b_second = store
        .insert_app_user(&app_user_input(second.id, b.id, 7))
        .await
        .expect("the same user_id in another app must be accepted");
    assert_eq!(
        store.app_user(first.id, 7).await.expect("app_user"),
        Some(a_first.clone())
    );
    assert_eq!(
        store.app_user(second.id, 7).await.expect("app_user"),
        Some(b_second)
    );
    assert_eq!(
        store.app_user(second.id, 8).await.expect("app_user"),
        Some(a_second.clone())
    );
    assert_eq!(
        store
            .app_user_by_account(first.id, a.id)
            .await
            .expect("by account"),
        Some(a_first)
    );
    assert_eq!(
        store
            .app_user_by_account(second.id, a.id)
            .await
            .expect("by account"),
        Some(a_second)
    );
    assert_eq!(
        store
            .app_user_by_account(first.id, b.id)
            .await
            .expect("by account"),
        None
    );
}

/// A token reads back by its access hash together with its app user; unknown hashes (and
/// refresh hashes) find nothing.
pub async fn token_round_trips_with_its_app_user(store: &dyn Store) {
    let (app, other) = (new_app(store).await, new_app(store).await);
    let (a, b) = (new_account(store).await, new_account(store).await);
    let user = link(store, app.id, a.id, 42).await;
    let namesake = link(store, other.id, b.id, 42).await;
    let tokens = [token(app.id, 42), token(app.id, 42), token(other.id, 42)];
    for tk in &tokens {
        store.insert_token(tk).await.expect("insert_token");
    }
    for (tk, owner) in tokens.iter().zip([&user, &user, &namesake]) {
        let found = store
            .token_by_access_hash(&tk.access_hash)
            .await
            .expect("token_by_access_hash");
        assert_eq!(
            found,
            Some((tk.clone(), owner.clone())),
            "token and its app user"
        );
    }
    assert_eq!(
        store
            .token_by_access_hash(&unique_key())
            .await
            .expect("lookup"),
        None,
        "unknown hash"
    );
    assert_eq!(
        store
            .token_by_access_hash(&tokens[0].refresh_hash)
            .await
            .expect("lookup"),
        None,
        "a refresh hash is not an access hash"
    );
}

/// A token for an unlinked (app, user id) is `NotFound(Entity::AppUser)` and is not stored.
pub async fn insert_token_unknown_app_user_not_found(store: &dyn Store) {
    let (app, other) = (new_app(store).await, new_app(store).await);
    let account = new_account(store).await;
    link(store, other.id, account.id, 5).await;
    for (label, tk) in [
        ("unknown user id", token(app.id, 5)),
        ("unknown app", token(UNKNOWN_ID, 5)),
    ] {
        assert_not_found(
            store.insert_token(&tk).await,
            Entity::AppUser,
            &format!("insert_token for an {label}"),
        );
        assert_eq!(
            store
                .token_by_access_hash(&tk.access_hash)
                .await
                .expect("lookup"),
            None,
            "not stored ({label})"
        );
    }
}
