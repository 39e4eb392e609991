//! `POST /oauth/token`, refresh_token grant, with kauth's error shape.

use reqwest::Method;
use serde_json::Value;
use talkchannel_testkit::{on_both_engines, AppFixture, Reply, TestServer};

on_both_engines!(
    refresh_swaps_the_access_token_and_renews_late,
    token_errors_use_kauth_shape,
);

pub async fn post_form(s: &TestServer, form: &[(&str, &str)]) -> Reply {
    let res = s
        .http
        .post(s.url("/oauth/token"))
        .form(form)
        .send()
        .await
        .expect("request reaches the server");
    Reply::read(res).await
}

fn assert_kauth(reply: &Reply, status: u16, error: &str, code: &str) {
    assert_eq!(
        (
            reply.status.as_u16(),
            reply.body["error"].as_str(),
            reply.body["error_code"].as_str()
        ),
        (status, Some(error), Some(code)),
        "{}",
        reply.text
    );
    assert!(
        reply.body["error_description"].is_string(),
        "{}",
        reply.text
    );
}

async fn pair(s: &TestServer, app: &AppFixture) -> (String, String) {
    let user = s.create_user(app, "민지", &["plusfriends"]).await;
    let tokens: Value = s
        .control_ok(
            Method::POST,
            &format!("/apps/{}/users/{}/tokens", app.id, user.user_id),
            None,
        )
        .await;
    let text = |k: &str| tokens[k].as_str().unwrap().to_owned();
    (text("access_token"), text("refresh_token"))
}

async fn me_status(s: &TestServer, access: &str) -> u16 {
    let auth = format!("Bearer {access}");
    s.call(Method::GET, "/v2/user/me", Some(&auth), None)
        .await
        .status
        .as_u16()
}

async fn refresh_swaps_the_access_token_and_renews_late(s: TestServer) {
    let app = s.create_app("Shop").await;
    let (access, refresh) = pair(&s, &app).await;
    assert_eq!(
        me_status(&s, &access).await,
        200,
        "cached before the refresh"
    );
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", app.rest_api_key.as_str()),
        ("refresh_token", refresh.as_str()),
    ];
    let reply = post_form(&s, &form).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["token_type"], "bearer");
    assert_eq!(reply.body["expires_in"], 21_599);
    assert!(
        reply.body.get("refresh_token").is_none(),
        "two months left: not renewed"
    );
    let second = reply.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        me_status(&s, &access).await,
        401,
        "the old access token stops at once"
    );
    assert_eq!(me_status(&s, &second).await, 200);

    // With less than a month left the refresh token is renewed and the old one retired.
    s.clock.advance(chrono::Duration::days(31));
    let js = [
        ("grant_type", "refresh_token"),
        ("client_id", app.javascript_key.as_str()),
        ("refresh_token", refresh.as_str()),
    ];
    let reply = post_form(&s, &js).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["refresh_token_expires_in"], 5_183_999);
    let renewed = reply.body["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(me_status(&s, &second).await, 401);
    assert_kauth(&post_form(&s, &form).await, 400, "invalid_grant", "KOE322");
    let again = [
        ("grant_type", "refresh_token"),
        ("client_id", app.rest_api_key.as_str()),
        ("refresh_token", renewed.as_str()),
    ];
    assert_eq!(post_form(&s, &again).await.status, 200);

    s.clock.advance(chrono::Duration::days(61));
    assert_kauth(&post_form(&s, &again).await, 400, "invalid_grant", "KOE322");
}

async fn token_errors_use_kauth_shape(s: TestServer) {
    let app = s.create_app("Shop").await;
    let other = s.create_app("Other").await;
    let (_, refresh) = pair(&s, &app).await;
    let with = |client: &str| {
        [
            ("grant_type", "refresh_token".to_owned()),
            ("client_id", client.to_owned()),
            ("refresh_token", refresh.clone()),
        ]
    };
    let send = |form: [(&'static str, String); 3]| {
        let s = &s;
        async move {
            let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(s, &pairs).await
        }
    };
    assert_kauth(
        &send(with(&app.admin_key)).await,
        401,
        "invalid_client",
        "KOE101",
    );
    assert_kauth(
        &send(with("0123456789abcdef0123456789abcdef")).await,
        401,
        "invalid_client",
        "KOE101",
    );
    assert_kauth(
        &send(with(&other.rest_api_key)).await,
        400,
        "invalid_grant",
        "KOE322",
    );
    let mut wrong = with(&app.rest_api_key);
    wrong[2].1 = "not-a-refresh-token".into();
    assert_kauth(&send(wrong).await, 400, "invalid_grant", "KOE322");

    assert_kauth(&post_form(&s, &[]).await, 400, "invalid_request", "KOE010");
    let password = [("grant_type", "password")];
    assert_kauth(
        &post_form(&s, &password).await,
        400,
        "unsupported_grant_type",
        "KOE010",
    );
    let code = [
        ("grant_type", "authorization_code"),
        ("client_id", app.rest_api_key.as_str()),
        ("redirect_uri", "https://shop.example/cb"),
        ("code", "made-up"),
    ];
    assert_kauth(&post_form(&s, &code).await, 400, "invalid_grant", "KOE320");
    let twice = [
        ("grant_type", "refresh_token"),
        ("grant_type", "refresh_token"),
    ];
    assert_kauth(
        &post_form(&s, &twice).await,
        400,
        "invalid_request",
        "KOE010",
    );

    // Refused requests changed nothing: the refresh token still works.
    assert_eq!(send(with(&app.rest_api_key)).await.status, 200);
}
