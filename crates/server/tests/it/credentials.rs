//! Every credential that is missing, unknown, expired, of the wrong kind or of another
//! app is refused with Kakao's codes, and reveals nothing about other apps.

use reqwest::Method;
use talkchannel_testkit::{on_both_engines, AppFixture, TestServer};

on_both_engines!(
    wrong_credentials_are_401,
    expired_tokens_are_401,
    missing_scope_is_402_in_both_modes,
    unknown_users_are_101,
    apps_see_only_their_own_users_and_channels,
    admin_mode_parameters_are_checked,
);

const PATH: &str = "/v2/api/talk/channels";

async fn setup(s: &TestServer) -> (AppFixture, talkchannel_testkit::UserFixture) {
    let app = s.create_app("Shop").await;
    s.create_channel("_shop", "Shop").await;
    s.connect(&app, "_shop").await;
    let user = s.create_user(&app, "Minji", &["plusfriends"]).await;
    (app, user)
}

async fn wrong_credentials_are_401(s: TestServer) {
    let (app, user) = setup(&s).await;
    let admin_target = format!("{PATH}?target_id_type=user_id&target_id={}", user.user_id);
    let cases = [
        (PATH.to_owned(), None),
        (PATH.to_owned(), Some("Bearer".to_owned())),
        (PATH.to_owned(), Some("Basic dXNlcjpwYXNz".to_owned())),
        (PATH.to_owned(), Some("Bearer not-a-token".to_owned())),
        // An admin key sent as a bearer token, and a user token sent as a key.
        (PATH.to_owned(), Some(format!("Bearer {}", app.admin_key))),
        (
            admin_target.clone(),
            Some(format!("KakaoAK {}", user.access_token)),
        ),
        // Keys of the wrong kind where an admin key is needed.
        (
            admin_target.clone(),
            Some(format!("KakaoAK {}", app.rest_api_key)),
        ),
        (
            admin_target.clone(),
            Some(format!("KakaoAK {}", app.javascript_key)),
        ),
        (
            admin_target,
            Some("KakaoAK 00000000000000000000000000000000".to_owned()),
        ),
    ];
    for (path, auth) in cases {
        let reply = s.call(Method::GET, &path, auth.as_deref(), None).await;
        reply.assert_kakao_error(401, -401);
        assert!(reply.headers.contains_key("www-authenticate"), "{auth:?}");
    }
    // Scheme names are case-insensitive, as in HTTP.
    let reply = s
        .call(
            Method::GET,
            PATH,
            Some(&format!("bearer {}", user.access_token)),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

async fn expired_tokens_are_401(s: TestServer) {
    let (_app, user) = setup(&s).await;
    let bearer = AppFixture::bearer(&user);
    s.clock.advance(chrono::Duration::seconds(21_598));
    assert_eq!(
        s.call(Method::GET, PATH, Some(&bearer), None).await.status,
        200
    );
    s.clock.advance(chrono::Duration::seconds(1));
    s.call(Method::GET, PATH, Some(&bearer), None)
        .await
        .assert_kakao_error(401, -401);
}

async fn missing_scope_is_402_in_both_modes(s: TestServer) {
    let (app, _) = setup(&s).await;
    let user = s
        .create_user(&app, "NoConsent", &["profile_nickname"])
        .await;
    let reply = s
        .call(Method::GET, PATH, Some(&AppFixture::bearer(&user)), None)
        .await;
    reply.assert_kakao_error(403, -402);
    assert_eq!(
        reply.body["required_scopes"],
        serde_json::json!(["plusfriends"])
    );
    let path = format!("{PATH}?target_id_type=user_id&target_id={}", user.user_id);
    let reply = s
        .call(Method::GET, &path, Some(&app.kakao_ak()), None)
        .await;
    reply.assert_kakao_error(403, -402);
    assert_eq!(
        reply.body["required_scopes"],
        serde_json::json!(["plusfriends"])
    );
}

async fn unknown_users_are_101(s: TestServer) {
    let (app, user) = setup(&s).await;
    let path = format!(
        "{PATH}?target_id_type=user_id&target_id={}",
        user.user_id + 1
    );
    s.call(Method::GET, &path, Some(&app.kakao_ak()), None)
        .await
        .assert_kakao_error(400, -101);
}

async fn apps_see_only_their_own_users_and_channels(s: TestServer) {
    let (app_a, user_a) = setup(&s).await;
    let app_b = s.create_app("Other").await;
    s.create_channel("_other", "Other").await;
    s.connect(&app_b, "_other").await;
    let user_b = s.link(&app_b, user_a.account_id, &["plusfriends"]).await;
    s.friend(user_a.account_id, "_shop", "add").await;
    // B's admin key cannot reach A's user, even by A's user id ...
    let path = format!("{PATH}?target_id_type=user_id&target_id={}", user_a.user_id);
    s.call(Method::GET, &path, Some(&app_b.kakao_ak()), None)
        .await
        .assert_kakao_error(400, -101);
    // ... nor ask about A's channel for its own user.
    let path = format!(
        "{PATH}?target_id_type=user_id&target_id={}&channel_ids=_shop",
        user_b.user_id
    );
    s.call(Method::GET, &path, Some(&app_b.kakao_ak()), None)
        .await
        .assert_kakao_error(400, -819);
    // The same account, seen through B, shows only B's channel and B's user id.
    let reply = s
        .call(Method::GET, PATH, Some(&AppFixture::bearer(&user_b)), None)
        .await;
    assert_eq!(reply.body["user_id"], user_b.user_id);
    assert_eq!(reply.body["channels"].as_array().unwrap().len(), 1);
    assert_eq!(reply.body["channels"][0]["channel_public_id"], "_other");
    assert_eq!(app_a.id + 1, app_b.id);
}

async fn admin_mode_parameters_are_checked(s: TestServer) {
    let (app, user) = setup(&s).await;
    let ak = app.kakao_ak();
    let uid = user.user_id;
    for query in [
        String::new(),
        format!("?target_id={uid}"),
        format!("?target_id_type=app_user_id&target_id={uid}"),
        "?target_id_type=user_id".to_owned(),
        "?target_id_type=user_id&target_id=abc".to_owned(),
        "?target_id_type=user_id&target_id=-5".to_owned(),
        format!("?target_id_type=user_id&target_id={uid}&channel_id_type=uuid"),
    ] {
        s.call(Method::GET, &format!("{PATH}{query}"), Some(&ak), None)
            .await
            .assert_kakao_error(400, -2);
    }
}
