//! A NUL (or another control character) anywhere in text, from anyone: PostgreSQL cannot
//! store or even compare a NUL, so each surface must refuse it with its own 4xx before it
//! reaches the database, and both engines must answer alike.

use crate::friend_groups::create_file;
use crate::kauth_authorize::login_setup;
use reqwest::Method;
use serde_json::{json, Value};
use talkchannel_testkit::{on_both_engines, Browser, Reply, TestServer};

on_both_engines!(
    nul_from_anonymous_clients_is_a_4xx,
    nul_from_apps_and_operators_is_a_4xx
);

fn assert_client_error(reply: &Reply, what: &str) {
    assert!(
        reply.status.is_client_error(),
        "{what}: {} {}",
        reply.status,
        reply.text
    );
}

async fn get(s: &TestServer, path: &str) -> Reply {
    Reply::read(s.http.get(s.url(path)).send().await.unwrap()).await
}

async fn post_form(s: &TestServer, path: &str, form: &[(&str, &str)]) -> Reply {
    Reply::read(s.http.post(s.url(path)).form(form).send().await.unwrap()).await
}

async fn nul_from_anonymous_clients_is_a_4xx(s: TestServer) {
    let (app, _) = login_setup(&s, "nul@example.com", "민지").await;
    let key = &app.rest_api_key;
    for path in [
        "/oauth/authorize?client_id=%00&redirect_uri=x&response_type=code".to_owned(),
        format!("/oauth/authorize?client_id={key}%00&redirect_uri=https%3A%2F%2Fshop.example%2Fcb&response_type=code"),
        format!("/oauth/authorize?client_id={key}&redirect_uri=https%3A%2F%2Fshop.example%2Fcb%00&response_type=code"),
        "/talk/channel/follow?app_key=%00&channel_public_id=_x&trans_id=t".to_owned(),
        "/talk/channel/follow/result?trans_id=%00".to_owned(),
        "/picker/link?app_key=%00&template_object=%7B%7D".to_owned(),
        "/_nul%00".to_owned(),
        "/_nul%00/friend".to_owned(),
        "/_nul%00/chat".to_owned(),
    ] {
        assert_client_error(&get(&s, &path).await, &path);
    }
    for form in [
        [
            ("grant_type", "authorization_code"),
            ("client_id", "\u{0}"),
            ("redirect_uri", "x"),
            ("code", "c"),
        ],
        [
            ("grant_type", "refresh_token"),
            ("client_id", "\u{0}"),
            ("refresh_token", "r"),
            ("x", ""),
        ],
        [
            ("grant_type", "refresh_token"),
            ("client_id", key.as_str()),
            ("refresh_token", "r\u{0}"),
            ("x", ""),
        ],
    ] {
        assert_client_error(&post_form(&s, "/oauth/token", &form).await, "token");
    }
    let agt = [("client_id", "\u{0}"), ("access_token", "t\u{0}")];
    assert_client_error(&post_form(&s, "/api/agt", &agt).await, "agt");

    let b = Browser::new(&s);
    let page = b.get("/login").await;
    let csrf = page.field("csrf_token").expect("csrf field");
    let signed = b
        .post(
            "/login",
            &[
                ("csrf_token", &csrf),
                ("continue", "/"),
                ("login", "nul\u{0}@example.com"),
                ("password", "whatever1"),
            ],
        )
        .await;
    assert!(
        signed.status.is_client_error(),
        "login: {} {}",
        signed.status,
        signed.text
    );
    let bearer = "Bearer tok";
    let relation = s
        .call(
            Method::GET,
            "/v2/api/talk/channels?channel_ids=_a%00",
            Some(bearer),
            None,
        )
        .await;
    assert_client_error(&relation, "channel_ids");
    let me = s
        .call(Method::GET, "/v2/user/me?access_token=t%00", None, None)
        .await;
    assert_client_error(&me, "access_token");
}

async fn nul_from_apps_and_operators_is_a_4xx(s: TestServer) {
    let app = s.create_app("Shop").await;
    s.create_channel("_shop", "Shop").await;
    s.connect(&app, "_shop").await;
    let file = create_file(&s, &app, "members", json!({"tier": "string"})).await;
    let ak = app.kakao_ak();
    let kapi: [(&str, Value); 3] = [
        (
            "/v1/talkchannel/create/target_user_file",
            json!({"channel_public_id": "_shop", "file_name": "f\u{0}", "schema": {"tier": "string"}}),
        ),
        (
            "/v1/talkchannel/create/target_user_file",
            json!({"channel_public_id": "_shop", "file_name": "g", "schema": {"ti\u{0}er": "string"}}),
        ),
        (
            "/v1/talkchannel/update/target_users",
            json!({"channel_public_id": "_sh\u{0}op", "file_id": file, "user_type": "app", "users": [{"id": 1, "field": {"tier": "gold"}}]}),
        ),
    ];
    for (path, body) in kapi {
        let reply = s
            .call(Method::POST, path, Some(&ak), Some(body.clone()))
            .await;
        assert_client_error(&reply, &format!("{path} {body}"));
    }
    // As Kakao counts a user it cannot register: the call succeeds, that user is not added.
    let user = s.create_user(&app, "민지", &[]).await;
    let body = json!({"channel_public_id": "_shop", "file_id": file, "user_type": "app",
        "users": [{"id": user.user_id, "field": {"tier": "go\u{0}ld"}}]});
    let reply = s
        .call(
            Method::POST,
            "/v1/talkchannel/update/target_users",
            Some(&ak),
            Some(body),
        )
        .await;
    assert_eq!(
        (
            reply.body["request_count"].as_u64(),
            reply.body["success_count"].as_u64()
        ),
        (Some(1), Some(0)),
        "{}",
        reply.text
    );
    let rows = s
        .control_ok(Method::GET, &format!("/customer-files/{file}/rows"), None)
        .await;
    assert_eq!(rows["items"], json!([]), "nothing stored");
    let tree = json!({"file": file, "field": "tier", "op": "equals", "value": "go\u{0}ld"});
    let control: [(Method, &str, Value); 6] = [
        (
            Method::POST,
            "/channels/_shop/groups",
            json!({"name": "Gold", "tree": tree}),
        ),
        (
            Method::POST,
            "/channels/_shop/groups",
            json!({"name": "Go\u{0}ld", "tree": {"field": "gender", "op": "equals", "value": "female"}}),
        ),
        (Method::POST, "/accounts", json!({"nickname": "a\u{0}b"})),
        (
            Method::POST,
            "/accounts",
            json!({"nickname": "ab", "email": "a\u{0}@example.com"}),
        ),
        (
            Method::POST,
            "/channels",
            json!({"name": "n", "public_id": "_n\u{0}", "search_id": "@n"}),
        ),
        (
            Method::POST,
            "/channels/_shop/messages",
            json!({"content": {"type": "text", "text": "hi\u{0}"}, "target": {"kind": "all_friends"}}),
        ),
    ];
    for (method, path, body) in control {
        let reply = s.control(method, path, Some(body.clone())).await;
        assert_client_error(&reply, &format!("{path} {body}"));
    }
    for path in [
        "/channels/_sh%00op",
        "/apps/1%00",
        "/channels/_shop/groups/1%00",
    ] {
        assert_client_error(&s.control(Method::GET, path, None).await, path);
    }
}
