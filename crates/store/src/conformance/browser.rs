use super::fixtures::{
    apply, assert_not_found, link, new_account, new_app, new_channel, scopes, t, t0, unique,
};
use super::{run_concurrently, BoxFuture, Spawn};
use crate::{AuthorizationCode, BrowserSession, FollowResult, Store};
use std::sync::Arc;
use talkchannel_domain::{CodeChallenge, CodeChallengeMethod, Entity, FriendAction};

fn session(account: Option<i64>) -> BrowserSession {
    BrowserSession {
        id_hash: format!("session-{}", unique()),
        csrf_token: format!("csrf-{}", unique()),
        account_id: account,
        created_at: t0(),
        expires_at: t(60_000),
    }
}

fn code(app: i64, user: i64) -> AuthorizationCode {
    AuthorizationCode {
        code_hash: format!("code-{}", unique()),
        app_id: app,
        user_id: user,
        redirect_uri: "https://shop.example/콜백?x=1".into(),
        code_challenge: None,
        created_at: t0(),
        expires_at: t(300_000),
    }
}

/// Sessions round-trip with and without an account, are deleted, and expired ones (and
/// expired codes and follow results) are purged while live ones stay.
pub async fn sessions_round_trip_and_expire(store: &dyn Store) {
    let account = new_account(store).await;
    let anonymous = session(None);
    let signed_in = session(Some(account.id));
    store.insert_session(&anonymous).await.expect("insert");
    store.insert_session(&signed_in).await.expect("insert");
    assert_eq!(
        store.session(&anonymous.id_hash).await.expect("read"),
        Some(anonymous.clone())
    );
    assert_eq!(
        store.session(&signed_in.id_hash).await.expect("read"),
        Some(signed_in.clone())
    );
    assert_not_found(
        store.insert_session(&session(Some(999_999))).await,
        Entity::Account,
        "insert_session(unknown account)",
    );

    let long_lived = BrowserSession {
        expires_at: t(10_000_000),
        ..session(None)
    };
    store.insert_session(&long_lived).await.expect("insert");
    let purged = store.purge_expired(t(60_000)).await.expect("purge");
    assert_eq!(purged, 2, "both sessions expiring at t+60s are gone");
    assert_eq!(store.session(&anonymous.id_hash).await.expect("read"), None);
    assert!(store
        .session(&long_lived.id_hash)
        .await
        .expect("read")
        .is_some());

    store
        .delete_session(&long_lived.id_hash)
        .await
        .expect("delete");
    assert_eq!(
        store.session(&long_lived.id_hash).await.expect("read"),
        None
    );
    store
        .delete_session(&long_lived.id_hash)
        .await
        .expect("deleting twice is fine");
}

/// Trimming keeps an account's newest sessions (by creation time) and touches neither
/// other accounts' sessions nor anonymous ones.
pub async fn sessions_are_trimmed_to_the_newest(store: &dyn Store) {
    let (account, other) = (new_account(store).await.id, new_account(store).await.id);
    let mut made = Vec::new();
    for at in [5, 1, 4, 2, 3] {
        let s = BrowserSession {
            created_at: t(at),
            ..session(Some(account))
        };
        store.insert_session(&s).await.expect("insert");
        made.push(s);
    }
    let bystanders = [session(Some(other)), session(None)];
    for s in &bystanders {
        store.insert_session(s).await.expect("insert");
    }
    assert_eq!(store.trim_sessions(account, 2).await.expect("trim"), 3);
    for s in &made {
        let kept = store.session(&s.id_hash).await.expect("read").is_some();
        let newest = s.created_at >= t(4);
        assert_eq!(kept, newest, "the session created at {}", s.created_at);
    }
    for s in &bystanders {
        assert!(store.session(&s.id_hash).await.expect("read").is_some());
    }
    assert_eq!(store.trim_sessions(account, 2).await.expect("trim"), 0);
}

/// A code is taken once: the second take finds nothing; codes need a linked user, and
/// unlinking the user drops its codes.
pub async fn authorization_codes_are_taken_once(store: &dyn Store) {
    let app = new_app(store).await;
    let account = new_account(store).await;
    let user = link(store, app.id, account.id, 4_242).await;
    let issued = code(app.id, user.user_id);
    store
        .insert_authorization_code(&issued)
        .await
        .expect("insert");
    assert_eq!(
        store
            .take_authorization_code(&issued.code_hash)
            .await
            .expect("take"),
        Some(issued.clone())
    );
    assert_eq!(
        store
            .take_authorization_code(&issued.code_hash)
            .await
            .expect("take again"),
        None
    );
    assert_not_found(
        store.insert_authorization_code(&code(app.id, 1)).await,
        Entity::AppUser,
        "insert_authorization_code(unlinked user)",
    );

    let pending = code(app.id, user.user_id);
    store
        .insert_authorization_code(&pending)
        .await
        .expect("insert");
    store
        .unlink_app_user(app.id, user.user_id)
        .await
        .expect("unlink");
    assert_eq!(
        store
            .take_authorization_code(&pending.code_hash)
            .await
            .expect("take"),
        None,
        "an unlinked user's codes are gone"
    );
}

/// A code's PKCE challenge comes back as it went in, for both methods and for none.
pub async fn authorization_codes_keep_their_challenge(store: &dyn Store) {
    let app = new_app(store).await;
    let account = new_account(store).await;
    let user = link(store, app.id, account.id, 5_151).await;
    let challenges = [
        Some((
            CodeChallengeMethod::S256,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        )),
        Some((
            CodeChallengeMethod::Plain,
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk~.",
        )),
        None,
    ];
    for challenge in challenges {
        let issued = AuthorizationCode {
            code_challenge: challenge
                .map(|(method, value)| CodeChallenge::new(method, value).expect("valid")),
            ..code(app.id, user.user_id)
        };
        store
            .insert_authorization_code(&issued)
            .await
            .expect("insert");
        assert_eq!(
            store
                .take_authorization_code(&issued.code_hash)
                .await
                .expect("take"),
            Some(issued.clone()),
            "{challenge:?}"
        );
    }
}

/// Racing takes of one code: exactly one gets it.
pub async fn concurrent_code_takes_succeed_once(store: Arc<dyn Store>, spawn: Spawn<'_>) {
    let app = new_app(&*store).await;
    let account = new_account(&*store).await;
    let user = link(&*store, app.id, account.id, 77).await;
    let issued = code(app.id, user.user_id);
    store
        .insert_authorization_code(&issued)
        .await
        .expect("insert");
    let tasks: Vec<BoxFuture<bool>> = (0..8)
        .map(|_| {
            let store = Arc::clone(&store);
            let hash = issued.code_hash.clone();
            Box::pin(async move {
                store
                    .take_authorization_code(&hash)
                    .await
                    .expect("take")
                    .is_some()
            }) as BoxFuture<bool>
        })
        .collect();
    let won = run_concurrently(spawn, tasks).await;
    assert_eq!(won.iter().filter(|w| **w).count(), 1, "{won:?}");
}

/// Scopes are replaced for a linked user only; friend counts follow ADDED rows only.
pub async fn scopes_are_replaced_and_friends_counted(store: &dyn Store) {
    let app = new_app(store).await;
    let account = new_account(store).await;
    let user = link(store, app.id, account.id, 9_001).await;
    let wanted = scopes(&["plusfriends", "profile_nickname"]);
    let updated = store
        .set_app_user_scopes(app.id, user.user_id, &wanted)
        .await
        .expect("set scopes")
        .expect("linked");
    assert_eq!(updated.scopes, wanted);
    assert_eq!(
        store
            .app_user(app.id, user.user_id)
            .await
            .expect("read")
            .map(|u| u.scopes),
        Some(wanted.clone())
    );
    assert_eq!(
        store
            .set_app_user_scopes(app.id, 1, &wanted)
            .await
            .expect("set"),
        None
    );

    let channel = new_channel(store).await;
    assert_eq!(store.friend_count(channel.id).await.expect("count"), 0);
    let other = new_account(store).await;
    apply(store, channel.id, account.id, FriendAction::Add, t(1)).await;
    apply(store, channel.id, other.id, FriendAction::Add, t(2)).await;
    assert_eq!(store.friend_count(channel.id).await.expect("count"), 2);
    apply(store, channel.id, other.id, FriendAction::Block, t(3)).await;
    assert_eq!(store.friend_count(channel.id).await.expect("count"), 1);
}

/// A follow result round-trips, a second one for the same transaction replaces it.
pub async fn follow_results_round_trip(store: &dyn Store) {
    let app = new_app(store).await;
    let first = FollowResult {
        trans_hash: format!("trans-{}", unique()),
        app_id: app.id,
        channel_public_id: "_abc".into(),
        status: "fail".into(),
        error_code: None,
        expires_at: t(600_000),
    };
    store.put_follow_result(&first).await.expect("put");
    assert_eq!(
        store.follow_result(&first.trans_hash).await.expect("read"),
        Some(first.clone())
    );
    let second = FollowResult {
        status: "error".into(),
        error_code: Some(talkchannel_domain::Kae::ChannelNotFound.code().into()),
        ..first.clone()
    };
    store.put_follow_result(&second).await.expect("replace");
    assert_eq!(
        store.follow_result(&first.trans_hash).await.expect("read"),
        Some(second)
    );
    assert_eq!(store.follow_result("nope").await.expect("read"), None);
    assert_not_found(
        store
            .put_follow_result(&FollowResult {
                trans_hash: "x".into(),
                app_id: 999_999,
                ..first
            })
            .await,
        Entity::App,
        "put_follow_result(unknown app)",
    );
}
