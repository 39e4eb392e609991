//! The Kakao relationship check answers as the spec says, for users in every state.

use reqwest::Method;
use serde_json::{json, Value};
use talkchannel_testkit::{on_both_engines, AppFixture, TestServer};

on_both_engines!(
    reports_every_relation_in_connection_order,
    admin_key_mode_gives_the_same_answer,
    filters_pick_and_order_channels,
    channel_errors_use_kakao_codes,
    updated_at_follows_the_clock,
    repeated_checks_follow_every_change,
);

/// An app connected to `_added`, `_blocked`, `_never`, `_unblocked` with one user in each state.
async fn world(s: &TestServer) -> (AppFixture, talkchannel_testkit::UserFixture) {
    let app = s.create_app("Shop").await;
    for id in ["_added", "_blocked", "_never", "_unblocked"] {
        s.create_channel(id, &format!("channel {id}")).await;
        s.connect(&app, id).await;
    }
    let user = s
        .create_user(&app, "Minji", &["profile_nickname", "plusfriends"])
        .await;
    s.friend(user.account_id, "_added", "add").await;
    s.friend(user.account_id, "_blocked", "add").await;
    s.friend(user.account_id, "_blocked", "block").await;
    s.friend(user.account_id, "_unblocked", "block").await;
    s.friend(user.account_id, "_unblocked", "unblock").await;
    (app, user)
}

fn relations(body: &Value) -> Vec<(String, String)> {
    body["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["channel_public_id"].as_str().unwrap().to_owned(),
                c["relation"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

async fn reports_every_relation_in_connection_order(s: TestServer) {
    let (_app, user) = world(&s).await;
    let reply = s
        .call(
            Method::GET,
            "/v2/api/talk/channels",
            Some(&AppFixture::bearer(&user)),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.headers["content-type"],
        "application/json;charset=UTF-8"
    );
    assert_eq!(reply.body["user_id"], user.user_id);
    assert_eq!(
        relations(&reply.body),
        pairs(&[
            ("_added", "ADDED"),
            ("_blocked", "BLOCKED"),
            ("_never", "NONE"),
            ("_unblocked", "NONE")
        ])
    );
    let channels = reply.body["channels"].as_array().unwrap();
    assert_eq!(channels[0]["channel_uuid"], "@added");
    assert_eq!(channels[0]["updated_at"], "2026-01-01T00:00:00Z");
    assert_eq!(channels[0]["created_at"], "2026-01-01T00:00:00Z");
    assert!(channels[1]["updated_at"].is_string());
    for none in &channels[2..] {
        assert!(
            none.get("updated_at").is_none() && none.get("created_at").is_none(),
            "NONE carries no times: {none}"
        );
    }
    let v1 = s
        .call(
            Method::GET,
            "/v1/api/talk/channels",
            Some(&AppFixture::bearer(&user)),
            None,
        )
        .await;
    assert_eq!(v1.status, 200);
    assert_eq!(relations(&v1.body), relations(&reply.body));
    assert!(
        v1.body["channels"][0].get("created_at").is_none(),
        "v1 has no created_at"
    );
    assert_eq!(v1.body["channels"][0]["updated_at"], "2026-01-01T00:00:00Z");
}

async fn admin_key_mode_gives_the_same_answer(s: TestServer) {
    let (app, user) = world(&s).await;
    let by_token = s
        .call(
            Method::GET,
            "/v2/api/talk/channels",
            Some(&AppFixture::bearer(&user)),
            None,
        )
        .await;
    let path = format!(
        "/v2/api/talk/channels?target_id_type=user_id&target_id={}",
        user.user_id
    );
    let by_key = s
        .call(Method::GET, &path, Some(&app.kakao_ak()), None)
        .await;
    assert_eq!(by_key.status, 200, "{}", by_key.text);
    assert_eq!(by_key.body, by_token.body);
    let legacy = format!("/v1/api/talk/channels?target_id_type=user_id&target_id={}&channel_public_ids=%5B%22_blocked%22%5D", user.user_id);
    let reply = s
        .call(Method::GET, &legacy, Some(&app.kakao_ak()), None)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(relations(&reply.body), pairs(&[("_blocked", "BLOCKED")]));
}

async fn filters_pick_and_order_channels(s: TestServer) {
    let (app, user) = world(&s).await;
    let bearer = AppFixture::bearer(&user);
    let reply = s.call(Method::GET, "/v2/api/talk/channels?channel_ids=_never,_added,_never&channel_id_type=channel_public_id", Some(&bearer), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        relations(&reply.body),
        pairs(&[("_never", "NONE"), ("_added", "ADDED")])
    );
    // Both endpoints take both spellings, as clients in the wild mix them.
    let reply = s
        .call(
            Method::GET,
            "/v1/api/talk/channels?channel_public_ids=_added",
            Some(&bearer),
            None,
        )
        .await;
    assert_eq!(relations(&reply.body), pairs(&[("_added", "ADDED")]));
    let reply = s
        .call(
            Method::GET,
            "/v2/api/talk/channels?channel_ids=%5B%22_blocked%22%5D",
            Some(&bearer),
            None,
        )
        .await;
    assert_eq!(relations(&reply.body), pairs(&[("_blocked", "BLOCKED")]));
    // An empty filter means the default, as when SDKs omit it.
    let reply = s
        .call(
            Method::GET,
            "/v2/api/talk/channels?channel_ids=",
            Some(&bearer),
            None,
        )
        .await;
    assert_eq!(reply.body["channels"].as_array().unwrap().len(), 4);
    // A sanctioned channel drops out of the default list.
    s.control_ok(
        Method::PATCH,
        "/channels/_never",
        Some(json!({"status": "sanctioned"})),
    )
    .await;
    let reply = s
        .call(Method::GET, "/v2/api/talk/channels", Some(&bearer), None)
        .await;
    assert_eq!(
        relations(&reply.body),
        pairs(&[
            ("_added", "ADDED"),
            ("_blocked", "BLOCKED"),
            ("_unblocked", "NONE")
        ])
    );
    // A disconnected channel is no longer reported.
    s.control_ok(
        Method::DELETE,
        &format!("/apps/{}/channels/_added", app.id),
        None,
    )
    .await;
    let reply = s
        .call(Method::GET, "/v2/api/talk/channels", Some(&bearer), None)
        .await;
    assert_eq!(
        relations(&reply.body),
        pairs(&[("_blocked", "BLOCKED"), ("_unblocked", "NONE")])
    );
}

async fn channel_errors_use_kakao_codes(s: TestServer) {
    let (_app, user) = world(&s).await;
    s.create_channel("_elsewhere", "not connected").await;
    s.create_channel("_banned", "sanctioned").await;
    let bearer = AppFixture::bearer(&user);
    let get = |q: &'static str| s.call(Method::GET, q, Some(&bearer), None);
    get("/v2/api/talk/channels?channel_ids=_added,_nosuch")
        .await
        .assert_kakao_error(400, -541);
    get("/v2/api/talk/channels?channel_ids=_elsewhere")
        .await
        .assert_kakao_error(400, -819);
    s.control_ok(
        Method::PATCH,
        "/channels/_added",
        Some(json!({"status": "sanctioned"})),
    )
    .await;
    get("/v2/api/talk/channels?channel_ids=_added")
        .await
        .assert_kakao_error(400, -544);
}

async fn updated_at_follows_the_clock(s: TestServer) {
    let (_app, user) = world(&s).await;
    s.clock.advance(chrono::Duration::minutes(90));
    s.friend(user.account_id, "_added", "block").await;
    s.friend(user.account_id, "_added", "add").await;
    let reply = s
        .call(
            Method::GET,
            "/v2/api/talk/channels?channel_ids=_added",
            Some(&AppFixture::bearer(&user)),
            None,
        )
        .await;
    let channel = &reply.body["channels"][0];
    assert_eq!(channel["relation"], "ADDED");
    assert_eq!(channel["updated_at"], "2026-01-01T01:30:00Z");
    assert_eq!(
        channel["created_at"], "2026-01-01T00:00:00Z",
        "created_at is the first add"
    );
}

/// The same check asked again and again (answers are memoised on SQLite) follows every
/// change in between: friendship changes, a new or dropped connection, a sanction, and
/// the v1 and v2 renderings of one state stay apart.
async fn repeated_checks_follow_every_change(s: TestServer) {
    let (app, user) = world(&s).await;
    let bearer = AppFixture::bearer(&user);
    let check = |expected| check_twice(&s, &app, &user, expected);
    let mut expected = vec![
        ("_added", "ADDED"),
        ("_blocked", "BLOCKED"),
        ("_never", "NONE"),
        ("_unblocked", "NONE"),
    ];
    check(pairs(&expected)).await;

    s.friend(user.account_id, "_never", "add").await;
    expected[2].1 = "ADDED";
    check(pairs(&expected)).await;

    s.create_channel("_late", "connected later").await;
    s.connect(&app, "_late").await;
    expected.push(("_late", "NONE"));
    check(pairs(&expected)).await;

    s.control_ok(
        Method::DELETE,
        &format!("/apps/{}/channels/_blocked", app.id),
        None,
    )
    .await;
    expected.remove(1);
    check(pairs(&expected)).await;

    s.control_ok(
        Method::PATCH,
        "/channels/_added",
        Some(json!({"status": "sanctioned"})),
    )
    .await;
    expected.remove(0);
    check(pairs(&expected)).await;

    let v1 = s
        .call(Method::GET, "/v1/api/talk/channels", Some(&bearer), None)
        .await;
    assert_eq!(relations(&v1.body), pairs(&expected));
    assert!(
        v1.body["channels"][0].get("created_at").is_none(),
        "v1's rendering, not v2's: {}",
        v1.text
    );
}

/// Asks twice in both credential modes; every answer must be `expected`.
async fn check_twice(
    s: &TestServer,
    app: &AppFixture,
    user: &talkchannel_testkit::UserFixture,
    expected: Vec<(String, String)>,
) {
    let bearer = AppFixture::bearer(user);
    let admin = format!(
        "/v2/api/talk/channels?target_id_type=user_id&target_id={}",
        user.user_id
    );
    for _ in 0..2 {
        let by_token = s
            .call(Method::GET, "/v2/api/talk/channels", Some(&bearer), None)
            .await;
        assert_eq!(relations(&by_token.body), expected, "{}", by_token.text);
        let by_key = s
            .call(Method::GET, &admin, Some(&app.kakao_ak()), None)
            .await;
        assert_eq!(by_key.body, by_token.body, "both modes agree");
    }
}
