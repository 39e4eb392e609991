//! Friend groups' create, read, update, delete and list over the control API, and the bad
//! trees and requests each refused with a clear error that changes nothing.

use crate::friend_groups::create_file;
use reqwest::Method;
use serde_json::{json, Value};
use talkchannel_testkit::{on_both_engines, TestServer};

on_both_engines!(groups_crud_and_bad_input);

async fn groups_crud_and_bad_input(s: TestServer) {
    let app = s.create_app("Shop").await;
    s.create_channel("_shop", "Shop").await;
    s.create_channel("_other", "Other").await;
    s.connect(&app, "_shop").await;
    let file = create_file(
        &s,
        &app,
        "members",
        json!({"rating": "number", "tier": "string"}),
    )
    .await;
    let tree = json!({"file": file, "field": "tier", "op": "equals", "value": "gold"});
    let created = s
        .control(
            Method::POST,
            "/channels/_shop/groups",
            Some(json!({"name": " Gold ", "tree": tree})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(created.body["name"], "Gold");
    assert_eq!(created.body["tree"]["op"], "equals");
    let path = format!("/channels/_shop/groups/{id}");
    assert_eq!(s.control_ok(Method::GET, &path, None).await["name"], "Gold");
    let updated = s
        .control_ok(Method::PUT, &path, Some(json!({"name": "Gold+", "tree": {"file": file, "field": "rating", "op": ">=", "value": 4}})))
        .await;
    assert_eq!(
        (updated["name"].as_str(), updated["tree"]["op"].as_str()),
        (Some("Gold+"), Some("gte"))
    );
    s.control(
        Method::POST,
        "/channels/_shop/groups",
        Some(json!({"name": "Gold+", "tree": tree})),
    )
    .await
    .assert_control_error(409, "conflict");

    // A group is only reachable through its own channel.
    s.control(Method::GET, &format!("/channels/_other/groups/{id}"), None)
        .await
        .assert_control_error(404, "not_found");
    s.control(
        Method::GET,
        &format!("/channels/_other/groups/{id}/count"),
        None,
    )
    .await
    .assert_control_error(404, "not_found");
    s.control(
        Method::DELETE,
        &format!("/channels/_other/groups/{id}"),
        None,
    )
    .await
    .assert_control_error(404, "not_found");
    s.control(Method::GET, "/channels/_nope/groups", None)
        .await
        .assert_control_error(404, "not_found");

    let mut deep = json!({"profile": "age", "op": "gt", "value": 1});
    for _ in 0..12 {
        deep = json!({ "not": deep });
    }
    let deep_text = "{\"not\":".repeat(10_000) + "{}" + &"}".repeat(10_000);
    let huge: Vec<String> = (0..100_000).map(|i| format!("r{i}")).collect();
    let over: Vec<String> = (0..1_001).map(|i| format!("r{i}")).collect();
    let bad: Vec<(Value, &str)> = vec![
        (
            json!({"file": file, "field": "nope", "op": "equals", "value": "x"}),
            "no field `nope`",
        ),
        (
            json!({"file": file, "field": "tier", "op": "equals", "value": 3}),
            "compared with strings",
        ),
        (
            json!({"file": file, "field": "rating", "op": "gt", "value": "3"}),
            "compared with numbers",
        ),
        (
            json!({"file": file + 100, "field": "rating", "op": "gt", "value": 3}),
            "no customer file",
        ),
        (deep, "deeper than 12"),
        (
            json!({"profile": "region", "op": "in", "value": huge}),
            "at most 65536",
        ),
        (
            json!({"profile": "region", "op": "in", "value": over}),
            "1 to 1000 values",
        ),
    ];
    for (tree, reason) in bad {
        for (method, p) in [
            (Method::POST, "/channels/_shop/groups".to_owned()),
            (Method::POST, "/channels/_shop/groups/count".to_owned()),
        ] {
            let body = if p.ends_with("count") {
                json!({"tree": tree})
            } else {
                json!({"name": "bad", "tree": tree})
            };
            let reply = s.control(method, &p, Some(body)).await;
            reply.assert_control_error(400, "invalid_request");
            assert!(
                reply.body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains(reason),
                "{}",
                reply.text
            );
        }
    }
    let reply = s
        .http
        .post(s.url("/admin/api/v1/channels/_shop/groups/count"))
        .bearer_auth(&s.operator_token)
        .header("content-type", "application/json")
        .body(format!("{{\"tree\":{deep_text}}}"))
        .send()
        .await
        .unwrap();
    let reply = talkchannel_testkit::Reply::read(reply).await;
    reply.assert_control_error(400, "invalid_request");
    assert!(reply.text.contains("deeper than 128"), "{}", reply.text);
    s.control(
        Method::POST,
        "/channels/_shop/groups",
        Some(json!({"name": "x", "tree": tree, "extra": 1})),
    )
    .await
    .assert_control_error(400, "invalid_request");
    s.control(
        Method::POST,
        "/channels/_shop/groups",
        Some(json!({"name": "", "tree": tree})),
    )
    .await
    .assert_control_error(400, "invalid_request");

    // Nothing bad was stored: one group, listed with keyset paging.
    let list = s
        .control_ok(Method::GET, "/channels/_shop/groups?limit=1", None)
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert!(list["next_cursor"].is_null());
    s.control(Method::DELETE, &path, None).await;
    s.control(Method::GET, &path, None)
        .await
        .assert_control_error(404, "not_found");
}
