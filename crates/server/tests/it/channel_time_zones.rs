//! Channel time zones over the control API: set on create and update, validated, shown in
//! the channel's JSON and the OpenAPI document, the clock ad quiet hours are read on, and
//! the date friend-group ages turn on.

use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use talkchannel_domain::Clock;
use talkchannel_testkit::{on_both_engines, TestServer};

on_both_engines!(
    a_channel_time_zone_is_set_shown_and_validated,
    ad_quiet_hours_follow_the_channel_time_zone,
    friend_group_ages_turn_on_the_channel_date,
);

async fn channel(s: &TestServer, public_id: &str) -> Value {
    s.control_ok(Method::GET, &format!("/channels/{public_id}"), None)
        .await
}

async fn create_in(s: &TestServer, public_id: &str, zone: &str) -> Value {
    let body = json!({"name": public_id.trim_start_matches('_'), "public_id": public_id,
        "time_zone": zone});
    s.control_ok(Method::POST, "/channels", Some(body)).await
}

async fn a_channel_time_zone_is_set_shown_and_validated(s: TestServer) {
    let seoul = s.create_channel("_seoul", "Seoul").await;
    assert_eq!(seoul["time_zone"], "Asia/Seoul", "the default: {seoul}");
    let paris = create_in(&s, "_paris", "Europe/Paris").await;
    assert_eq!(paris["time_zone"], "Europe/Paris");
    assert_eq!(channel(&s, "_paris").await["time_zone"], "Europe/Paris");
    let listed = s.control_ok(Method::GET, "/channels", None).await;
    let zones: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["time_zone"].as_str().unwrap())
        .collect();
    assert_eq!(zones, ["Asia/Seoul", "Europe/Paris"]);

    // An unknown zone is a 400 naming the field, and creates nothing.
    let body = json!({"name": "Mars", "public_id": "_mars", "time_zone": "Mars/Olympus"});
    let reply = s.control(Method::POST, "/channels", Some(body)).await;
    reply.assert_control_error(400, "invalid_request");
    assert_eq!(reply.body["error"]["field"], "time_zone", "{}", reply.text);
    assert!(reply.text.contains("Mars/Olympus"), "{}", reply.text);
    s.control(Method::GET, "/channels/_mars", None)
        .await
        .assert_control_error(404, "not_found");

    let patched = s
        .control_ok(
            Method::PATCH,
            "/channels/_seoul",
            Some(json!({"time_zone": "America/New_York"})),
        )
        .await;
    assert_eq!(patched["time_zone"], "America/New_York");
    assert_eq!(patched["status"], "active");
    // A bad zone beside a good status changes neither; an empty patch is refused.
    for body in [
        json!({"status": "sanctioned", "time_zone": "KST"}),
        json!({"time_zone": ""}),
        json!({}),
    ] {
        let reply = s
            .control(Method::PATCH, "/channels/_seoul", Some(body))
            .await;
        reply.assert_control_error(400, "invalid_request");
    }
    let after = channel(&s, "_seoul").await;
    assert_eq!(
        (&after["time_zone"], &after["status"]),
        (&json!("America/New_York"), &json!("active"))
    );
    s.control(
        Method::PATCH,
        "/channels/_nowhere",
        Some(json!({"time_zone": "UTC"})),
    )
    .await
    .assert_control_error(404, "not_found");

    let doc = s.control_ok(Method::GET, "/openapi.json", None).await;
    for schema in ["ChannelView", "ChannelInput", "ChannelPatch"] {
        assert!(
            doc["components"]["schemas"][schema]["properties"]
                .get("time_zone")
                .is_some(),
            "{schema} documents time_zone"
        );
    }
}

fn ad(scheduled_at: Option<Value>) -> Value {
    let mut body = json!({"content": {"type": "text", "text": "(광고) sale"}, "ad": true,
        "target": {"kind": "all_friends"}});
    if let Some(at) = scheduled_at {
        body["scheduled_at"] = at;
    }
    body
}

async fn send_now(s: &TestServer, public_id: &str) -> (u16, Value) {
    let id = s
        .control_ok(
            Method::POST,
            &format!("/channels/{public_id}/messages"),
            Some(ad(None)),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let reply = s
        .control(
            Method::POST,
            &format!("/channels/{public_id}/messages/{id}/send"),
            None,
        )
        .await;
    (reply.status.as_u16(), reply.body)
}

async fn ad_quiet_hours_follow_the_channel_time_zone(s: TestServer) {
    s.create_channel("_seoul", "Seoul").await;
    create_in(&s, "_paris", "Europe/Paris").await;
    // The test clock starts at 2026-01-01T00:00Z; 12:00Z is 21:00 in Seoul (quiet) and
    // 13:00 in Paris (CET, daytime).
    s.clock.advance(Duration::hours(12));
    let (status, body) = send_now(&s, "_seoul").await;
    assert_eq!(
        (status, &body["error"]["field"]),
        (400, &json!("ad")),
        "{body}"
    );
    assert!(body.to_string().contains("Asia/Seoul"), "{body}");
    let (status, body) = send_now(&s, "_paris").await;
    assert_eq!((status, &body["state"]), (200, &json!("sent")), "{body}");

    // 23:30Z is 00:30 in Paris (quiet) and 08:30 in Seoul (daytime): a schedule then is
    // refused on the Paris channel only.
    let at = json!(s.clock.now() + Duration::minutes(11 * 60 + 30));
    let reply = s
        .control(
            Method::POST,
            "/channels/_paris/messages",
            Some(ad(Some(at.clone()))),
        )
        .await;
    reply.assert_control_error(400, "invalid_request");
    assert_eq!(reply.body["error"]["field"], "ad");
    let scheduled = s
        .control_ok(
            Method::POST,
            "/channels/_seoul/messages",
            Some(ad(Some(at))),
        )
        .await;
    assert_eq!(scheduled["state"], "scheduled");

    // Moving the Seoul channel to Paris moves its quiet hours: 12:00Z is daytime now.
    s.control_ok(
        Method::PATCH,
        "/channels/_seoul",
        Some(json!({"time_zone": "Europe/Paris"})),
    )
    .await;
    let (status, body) = send_now(&s, "_seoul").await;
    assert_eq!((status, &body["state"]), (200, &json!("sent")), "{body}");
}

async fn age_20_to_39(s: &TestServer, public_id: &str) -> u64 {
    let tree = json!({"tree": {"profile": "age", "op": "between", "value": [20, 39]}});
    s.control_ok(
        Method::POST,
        &format!("/channels/{public_id}/groups/count"),
        Some(tree),
    )
    .await["friends"]
        .as_u64()
        .unwrap()
}

async fn friend_group_ages_turn_on_the_channel_date(s: TestServer) {
    s.create_channel("_seoul", "Seoul").await;
    create_in(&s, "_la", "America/Los_Angeles").await;
    // The test clock starts at 2026-01-01T00:00Z: already 2026-01-01 in Seoul (09:00),
    // still 2025-12-31 in Los Angeles (16:00). Born 2006-01-01, the friend is 20 on the
    // Seoul channel's date and 19 on the Los Angeles one's.
    let account = s
        .control_ok(
            Method::POST,
            "/accounts",
            Some(json!({"nickname": "newly twenty", "birth_date": "2006-01-01"})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    for channel in ["_seoul", "_la"] {
        s.friend(account, channel, "add").await;
    }
    assert_eq!(age_20_to_39(&s, "_seoul").await, 1);
    assert_eq!(age_20_to_39(&s, "_la").await, 0);
    // Eight hours on it is 2026-01-01 in Los Angeles too.
    s.clock.advance(Duration::hours(8));
    assert_eq!(age_20_to_39(&s, "_la").await, 1);
}
