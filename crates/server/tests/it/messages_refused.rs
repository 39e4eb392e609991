//! Channel messages that must be refused: each bad message, target, schedule or send gets
//! a clear control-API error and changes nothing (the scenario's chats stay as they were).

use crate::messages::{chat, create, group_target, keyed, message_state, scenario, text, CH};
use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use talkchannel_domain::Clock;
use talkchannel_testkit::{on_both_engines, TestServer};

on_both_engines!(bad_messages_are_refused_and_change_nothing);

async fn bad_messages_are_refused_and_change_nothing(s: TestServer) {
    let sc = scenario(&s).await;
    let all = json!({"kind": "all_friends"});
    let bad = |field: &str, value: Value| {
        let mut body = text("hi", all.clone());
        body[field] = value;
        body
    };
    let mut many = Vec::new();
    for i in 0..20 {
        many.push(json!({"name": format!("b{i}"), "url": "https://a.example"}));
    }
    let past = s.clock.now() - Duration::minutes(1);
    let cases = [
        (
            bad(
                "content",
                json!({"type": "text", "text": "가".repeat(100_000)}),
            ),
            "content.text",
        ),
        (bad("buttons", Value::Array(many)), "buttons"),
        (
            bad(
                "buttons",
                json!([{"name": "x", "url": "javascript:alert(1)"}]),
            ),
            "buttons[0].url",
        ),
        (bad("scheduled_at", json!(past)), "scheduled_at"),
        (bad("ad", json!(true)), "content"),
        (
            bad("content", json!({"type": "carousel", "cards": []})),
            "content.cards",
        ),
    ];
    for (body, field) in cases {
        let reply = s
            .control(Method::POST, &format!("{CH}/messages"), Some(body))
            .await;
        reply.assert_control_error(400, "invalid_request");
        assert_eq!(reply.body["error"]["field"], field, "{}", reply.text);
    }
    s.control(
        Method::POST,
        &format!("{CH}/messages"),
        Some(json!({"content": "nope"})),
    )
    .await
    .assert_control_error(400, "invalid_request");

    // Ads: 2026-01-01T12:00Z is 21:00 in Korea.
    let ad = json!({"content": {"type": "text", "text": "(광고) sale"}, "ad": true, "target": all});
    let ad_id = create(&s, ad.clone()).await;
    s.clock.advance(Duration::hours(12));
    let reply = s
        .control(Method::POST, &format!("{CH}/messages/{ad_id}/send"), None)
        .await;
    reply.assert_control_error(400, "invalid_request");
    assert_eq!(reply.body["error"]["field"], "ad");
    let mut late = ad.clone();
    late["scheduled_at"] = json!(s.clock.now() + Duration::hours(1));
    s.control(Method::POST, &format!("{CH}/messages"), Some(late))
        .await
        .assert_control_error(400, "invalid_request");
    assert_eq!(message_state(&s, ad_id).await, "draft");

    // A deleted group: refused when creating, and when sending a message written before.
    let to_group = create(&s, text("vip", group_target(sc.group))).await;
    s.control_ok(Method::DELETE, &format!("{CH}/groups/{}", sc.group), None)
        .await;
    s.control(
        Method::POST,
        &format!("{CH}/messages/{to_group}/send"),
        None,
    )
    .await
    .assert_control_error(409, "conflict");
    assert_eq!(message_state(&s, to_group).await, "draft");
    s.control(
        Method::POST,
        &format!("{CH}/messages"),
        Some(text("x", group_target(sc.group))),
    )
    .await
    .assert_control_error(404, "not_found");

    // Idempotency: same key, other body.
    let first = keyed(
        &s,
        &format!("{CH}/messages"),
        "k1",
        Some(text("one", all.clone())),
    )
    .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let same = keyed(
        &s,
        &format!("{CH}/messages"),
        "k1",
        Some(text("one", all.clone())),
    )
    .await;
    assert_eq!(
        (same.status.as_u16(), &same.body["id"]),
        (200, &first.body["id"])
    );
    keyed(
        &s,
        &format!("{CH}/messages"),
        "k1",
        Some(text("two", all.clone())),
    )
    .await
    .assert_control_error(409, "conflict");

    s.control(Method::GET, &format!("{CH}/messages/999999"), None)
        .await
        .assert_control_error(404, "not_found");
    s.control(Method::GET, "/channels/_none/messages", None)
        .await
        .assert_control_error(404, "not_found");
    s.control(
        Method::GET,
        &format!("{CH}/chats/{}/messages?limit=0", sc.accounts[0]),
        None,
    )
    .await
    .assert_control_error(400, "invalid_request");
    let bad_before = s
        .control(
            Method::GET,
            &format!("{CH}/chats/{}/messages?before=x", sc.accounts[0]),
            None,
        )
        .await;
    bad_before.assert_control_error(400, "invalid_request");
    assert!(
        bad_before.text.contains("before"),
        "names the parameter: {}",
        bad_before.text
    );
    let doc = s.control_ok(Method::GET, "/openapi.json", None).await;
    for path in [
        "messages",
        "messages/{message_id}/send",
        "chats/{account_id}/messages",
    ] {
        let full = format!("/admin/api/v1/channels/{{public_id}}/{path}");
        assert!(doc["paths"].get(&full).is_some(), "{full} is documented");
    }
    let listed = s
        .control_ok(Method::GET, &format!("{CH}/messages"), None)
        .await;
    assert_eq!(
        listed["items"].as_array().unwrap().len(),
        3,
        "only the valid creates"
    );
    for account in &sc.accounts {
        assert!(chat(&s, *account).await.is_empty(), "nothing was sent");
    }
}
