//! `POST /v1/user/logout` and `POST /v1/user/unlink`: revoked tokens and links are
//! refused at once, on SQLite through the read cache too.

use reqwest::Method;
use serde_json::json;
use talkchannel_testkit::{on_both_engines, AppFixture, TestServer, UserFixture};

on_both_engines!(
    logout_refuses_the_users_tokens_at_once,
    unlink_forgets_the_user_but_not_the_friendship,
);

const CHANNELS: &str = "/v2/api/talk/channels";

async fn world(s: &TestServer) -> (AppFixture, UserFixture) {
    let app = s.create_app("Shop").await;
    s.create_channel("_shop", "Shop channel").await;
    s.connect(&app, "_shop").await;
    let user = s.create_user(&app, "민지", &["plusfriends"]).await;
    s.friend(user.account_id, "_shop", "add").await;
    (app, user)
}

async fn logout_refuses_the_users_tokens_at_once(s: TestServer) {
    let (app, user) = world(&s).await;
    let other = s.create_user(&app, "준호", &["plusfriends"]).await;
    let bearer = AppFixture::bearer(&user);
    // Read first, so a read cache holds the token when it is revoked.
    let reply = s.call(Method::GET, CHANNELS, Some(&bearer), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);

    let reply = s
        .call(Method::POST, "/v1/user/logout", Some(&bearer), None)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body, json!({"id": user.user_id}));
    for path in [CHANNELS, "/v2/user/me", "/v1/user/access_token_info"] {
        s.call(Method::GET, path, Some(&bearer), None)
            .await
            .assert_kakao_error(401, -401);
    }
    s.call(Method::POST, "/v1/user/logout", Some(&bearer), None)
        .await
        .assert_kakao_error(401, -401);
    let reply = s
        .call(
            Method::GET,
            CHANNELS,
            Some(&AppFixture::bearer(&other)),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "another user's token still works");

    // Still linked: a new token pair works.
    let tokens = s
        .control_ok(
            Method::POST,
            &format!("/apps/{}/users/{}/tokens", app.id, user.user_id),
            None,
        )
        .await;
    let fresh = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    let reply = s.call(Method::GET, CHANNELS, Some(&fresh), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);

    // The admin-key form names the user in the form body.
    let form = format!("target_id_type=user_id&target_id={}", user.user_id);
    let reply = s
        .http
        .post(s.url("/v1/user/logout"))
        .header("authorization", app.kakao_ak())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    s.call(Method::GET, CHANNELS, Some(&fresh), None)
        .await
        .assert_kakao_error(401, -401);
}

async fn unlink_forgets_the_user_but_not_the_friendship(s: TestServer) {
    let (app, user) = world(&s).await;
    let bearer = AppFixture::bearer(&user);
    let me = format!(
        "/v2/user/me?target_id_type=user_id&target_id={}",
        user.user_id
    );
    let reply = s.call(Method::GET, &me, Some(&app.kakao_ak()), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    s.call(Method::POST, "/v1/user/unlink", Some(&app.kakao_ak()), None)
        .await
        .assert_kakao_error(400, -2);

    let reply = s
        .call(Method::POST, "/v1/user/unlink", Some(&bearer), None)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body, json!({"id": user.user_id}));
    s.call(Method::GET, &me, Some(&app.kakao_ak()), None)
        .await
        .assert_kakao_error(400, -101);
    s.call(Method::GET, CHANNELS, Some(&bearer), None)
        .await
        .assert_kakao_error(401, -401);
    let friendship = s
        .control_ok(
            Method::GET,
            &format!("/channels/_shop/friendships/{}", user.account_id),
            None,
        )
        .await;
    assert_eq!(
        friendship["relation"], "ADDED",
        "the account keeps its friendship"
    );

    let relinked = s.link(&app, user.account_id, &["plusfriends"]).await;
    let reply = s
        .call(
            Method::GET,
            CHANNELS,
            Some(&AppFixture::bearer(&relinked)),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["channels"][0]["relation"], "ADDED");
}
