use super::app_users::token;
use super::fixtures::{assert_not_found, full_account_input, link, new_account, new_app, t, t0};
use crate::{LoginCredential, Store};
use talkchannel_domain::Entity;

fn uris(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// `set_redirect_uris` replaces the whole list, keeps its order and touches no other app;
/// an empty list clears it.
pub async fn redirect_uris_are_replaced_in_order(store: &dyn Store) {
    let app = new_app(store).await;
    let other = new_app(store).await;
    assert_eq!(store.redirect_uris(app.id).await.expect("read"), uris(&[]));

    let first = uris(&["https://shop.example/cb", "http://127.0.0.1:8080/oauth"]);
    store.set_redirect_uris(app.id, &first).await.expect("set");
    store
        .set_redirect_uris(other.id, &uris(&["https://other.example/cb"]))
        .await
        .expect("set other");
    assert_eq!(store.redirect_uris(app.id).await.expect("read"), first);

    let second = uris(&["https://z.example/로그인", "https://a.example/cb"]);
    store
        .set_redirect_uris(app.id, &second)
        .await
        .expect("replace");
    assert_eq!(
        store.redirect_uris(app.id).await.expect("read"),
        second,
        "replacement keeps the given order, not alphabetical"
    );
    assert_eq!(
        store.redirect_uris(other.id).await.expect("read other"),
        uris(&["https://other.example/cb"]),
        "another app's list is untouched"
    );

    store.set_redirect_uris(app.id, &[]).await.expect("clear");
    assert_eq!(store.redirect_uris(app.id).await.expect("read"), uris(&[]));
}

/// Unknown apps and accounts are `NotFound` and nothing is written.
pub async fn login_setters_on_unknown_refs_are_not_found(store: &dyn Store) {
    assert_not_found(
        store
            .set_redirect_uris(999_999, &uris(&["https://x.example/cb"]))
            .await,
        Entity::App,
        "set_redirect_uris(unknown app)",
    );
    assert_eq!(store.redirect_uris(999_999).await.expect("read"), uris(&[]));
    assert_not_found(
        store.set_password_hash(999_999, "$argon2id$x", t0()).await,
        Entity::Account,
        "set_password_hash(unknown account)",
    );
}

/// A password hash is found by the account's email or phone number, exactly; setting it
/// again replaces it; accounts without a password are never returned.
pub async fn credentials_are_found_by_email_or_phone(store: &dyn Store) {
    let input = full_account_input();
    let account = store.insert_account(&input, t0()).await.expect("insert");
    let email = input.email.clone().expect("email");
    let phone = input.phone_number.clone().expect("phone").to_string();
    assert_eq!(
        store.credentials_for_login(&email).await.expect("lookup"),
        vec![],
        "no password set yet"
    );

    store
        .set_password_hash(account.id, "$argon2id$first", t0())
        .await
        .expect("set");
    store
        .set_password_hash(account.id, "$argon2id$second", t(1))
        .await
        .expect("replace");
    let expected = vec![LoginCredential {
        account_id: account.id,
        password_hash: "$argon2id$second".to_owned(),
    }];
    assert_eq!(
        store.credentials_for_login(&email).await.expect("by email"),
        expected
    );
    assert_eq!(
        store.credentials_for_login(&phone).await.expect("by phone"),
        expected
    );
    assert_eq!(
        store
            .credentials_for_login(&email.to_uppercase())
            .await
            .expect("other case"),
        vec![],
        "the lookup is exact; the service normalises first"
    );

    // A second account sharing the email: both are candidates, by account id.
    let mut twin = full_account_input();
    twin.email = Some(email.clone());
    let twin = store
        .insert_account(&twin, t0())
        .await
        .expect("insert twin");
    store
        .set_password_hash(twin.id, "$argon2id$twin", t0())
        .await
        .expect("set twin");
    let bare = new_account(store).await;
    store
        .set_password_hash(bare.id, "$argon2id$bare", t0())
        .await
        .expect("set bare");
    let found = store.credentials_for_login(&email).await.expect("shared");
    let ids: Vec<_> = found.iter().map(|c| c.account_id).collect();
    assert_eq!(ids, vec![account.id, twin.id]);
}

/// Logout deletes every token of that app user, reports their access hashes, and leaves
/// the link and other users' tokens alone.
pub async fn revoke_tokens_deletes_only_that_users_tokens(store: &dyn Store) {
    let app = new_app(store).await;
    let (alice, bob) = (new_account(store).await, new_account(store).await);
    link(store, app.id, alice.id, 11).await;
    link(store, app.id, bob.id, 22).await;
    let (a1, a2, b1) = (token(app.id, 11), token(app.id, 11), token(app.id, 22));
    for t in [&a1, &a2, &b1] {
        store.insert_token(t).await.expect("insert_token");
    }
    let mut revoked = store.revoke_tokens(app.id, 11).await.expect("revoke");
    revoked.sort();
    let mut expected = vec![a1.access_hash.clone(), a2.access_hash.clone()];
    expected.sort();
    assert_eq!(revoked, expected);
    for t in [&a1, &a2] {
        assert_eq!(
            store
                .token_by_access_hash(&t.access_hash)
                .await
                .expect("read"),
            None
        );
    }
    assert!(store
        .token_by_access_hash(&b1.access_hash)
        .await
        .expect("read")
        .is_some());
    assert!(
        store.app_user(app.id, 11).await.expect("read").is_some(),
        "still linked"
    );
    assert_eq!(
        store.revoke_tokens(app.id, 11).await.expect("again"),
        Vec::<String>::new()
    );
    assert_eq!(
        store.revoke_tokens(999_999, 1).await.expect("unknown"),
        Vec::<String>::new()
    );
}

/// Unlink deletes the link and its tokens together; the account may be linked again;
/// unlinking what is not linked is `None` and changes nothing.
pub async fn unlink_removes_link_and_tokens(store: &dyn Store) {
    let app = new_app(store).await;
    let account = new_account(store).await;
    link(store, app.id, account.id, 33).await;
    let issued = token(app.id, 33);
    store.insert_token(&issued).await.expect("insert_token");

    let unlinked = store.unlink_app_user(app.id, 33).await.expect("unlink");
    assert_eq!(unlinked, Some(vec![issued.access_hash.clone()]));
    assert_eq!(store.app_user(app.id, 33).await.expect("read"), None);
    assert_eq!(
        store
            .app_user_by_account(app.id, account.id)
            .await
            .expect("read"),
        None
    );
    assert_eq!(
        store
            .token_by_access_hash(&issued.access_hash)
            .await
            .expect("read"),
        None
    );
    assert_eq!(
        store.unlink_app_user(app.id, 33).await.expect("again"),
        None
    );

    link(store, app.id, account.id, 34).await;
    assert!(store
        .app_user(app.id, 34)
        .await
        .expect("relinked")
        .is_some());
}

/// A token is found by its refresh hash; replacing it swaps old for new atomically, and
/// replacing a token that is already gone writes nothing.
pub async fn refresh_replaces_the_token_once(store: &dyn Store) {
    let app = new_app(store).await;
    let account = new_account(store).await;
    link(store, app.id, account.id, 44).await;
    let old = token(app.id, 44);
    store.insert_token(&old).await.expect("insert_token");
    assert_eq!(
        store
            .token_by_refresh_hash(&old.refresh_hash)
            .await
            .expect("read"),
        Some(old.clone())
    );
    assert_eq!(
        store.token_by_refresh_hash("missing").await.expect("read"),
        None
    );

    let new = token(app.id, 44);
    assert!(store
        .replace_token(&old.access_hash, &new)
        .await
        .expect("replace"));
    assert_eq!(
        store
            .token_by_access_hash(&old.access_hash)
            .await
            .expect("read"),
        None
    );
    assert_eq!(
        store
            .token_by_refresh_hash(&old.refresh_hash)
            .await
            .expect("read"),
        None
    );
    assert_eq!(
        store
            .token_by_refresh_hash(&new.refresh_hash)
            .await
            .expect("read"),
        Some(new.clone())
    );

    let late = token(app.id, 44);
    assert!(!store
        .replace_token(&old.access_hash, &late)
        .await
        .expect("replace again"));
    assert_eq!(
        store
            .token_by_refresh_hash(&late.refresh_hash)
            .await
            .expect("read"),
        None
    );
}

/// A client secret is set, replaced and removed per app; an unknown app is `NotFound`.
pub async fn client_secrets_are_set_and_removed(store: &dyn Store) {
    let (app, other) = (new_app(store).await.id, new_app(store).await.id);
    assert_eq!(store.client_secret(app).await.expect("read"), None);
    store
        .set_client_secret(app, Some("first"))
        .await
        .expect("set");
    store
        .set_client_secret(other, Some("other"))
        .await
        .expect("set");
    store
        .set_client_secret(app, Some("second"))
        .await
        .expect("replace");
    assert_eq!(
        store.client_secret(app).await.expect("read").as_deref(),
        Some("second")
    );
    store.set_client_secret(app, None).await.expect("remove");
    assert_eq!(store.client_secret(app).await.expect("read"), None);
    assert_eq!(
        store.client_secret(other).await.expect("read").as_deref(),
        Some("other"),
        "another app's secret is untouched"
    );
    assert!(matches!(
        store
            .set_client_secret(super::fixtures::UNKNOWN_ID, Some("x"))
            .await,
        Err(crate::StoreError::NotFound(Entity::App))
    ));
}
