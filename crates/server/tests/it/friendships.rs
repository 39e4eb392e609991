//! Friendships through the control API: idempotent actions, the log, refusals.

use reqwest::Method;
use serde_json::json;
use talkchannel_testkit::{on_both_engines, TestServer};

on_both_engines!(friendships_are_idempotent_and_logged);

async fn friendships_are_idempotent_and_logged(s: TestServer) {
    s.create_channel("_shop", "Shop").await;
    let account = s.create_account("Minji").await;
    let untouched = s
        .control_ok(
            Method::GET,
            &format!("/channels/_shop/friendships/{account}"),
            None,
        )
        .await;
    assert_eq!(untouched["relation"], "NONE");
    assert!(untouched["updated_at"].is_null());
    let added = s.friend(account, "_shop", "add").await;
    assert_eq!(
        (
            added["changed"].as_bool(),
            added["friendship"]["relation"].as_str()
        ),
        (Some(true), Some("ADDED"))
    );
    s.clock.advance(chrono::Duration::seconds(5));
    let repeated = s.friend(account, "_shop", "add").await;
    assert_eq!(repeated["changed"], false);
    assert_eq!(repeated["friendship"]["updated_at"], "2026-01-01T00:00:00Z");
    s.friend(account, "_shop", "block").await;
    s.friend(account, "_shop", "unblock").await;
    assert_eq!(
        s.friend(account, "_shop", "unblock").await["changed"],
        false
    );
    let log = s
        .control_ok(
            Method::GET,
            &format!("/channels/_shop/friendships/{account}/log"),
            None,
        )
        .await;
    let steps: Vec<_> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}->{} {}",
                e["action"].as_str().unwrap(),
                e["from"].as_str().unwrap(),
                e["to"].as_str().unwrap(),
                e["source"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            "add NONE->ADDED control_api",
            "block ADDED->BLOCKED control_api",
            "unblock BLOCKED->NONE control_api"
        ]
    );
    let page = s
        .control_ok(
            Method::GET,
            &format!("/channels/_shop/friendships/{account}/log?limit=1"),
            None,
        )
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert!(page["next_cursor"].is_i64());
    s.control(
        Method::POST,
        &format!("/channels/_shop/friendships/{account}/befriend"),
        None,
    )
    .await
    .assert_control_error(404, "not_found");
    s.control(Method::POST, "/channels/_shop/friendships/999/add", None)
        .await
        .assert_control_error(404, "not_found");
    s.control(
        Method::POST,
        &format!("/channels/_nosuch/friendships/{account}/add"),
        None,
    )
    .await
    .assert_control_error(404, "not_found");
    s.control(
        Method::POST,
        &format!("/channels/bad id/friendships/{account}/add"),
        None,
    )
    .await
    .assert_control_error(404, "not_found");
    s.control_ok(
        Method::PATCH,
        "/channels/_shop",
        Some(json!({"status": "sanctioned"})),
    )
    .await;
    s.control(
        Method::POST,
        &format!("/channels/_shop/friendships/{account}/add"),
        None,
    )
    .await
    .assert_control_error(409, "channel_sanctioned");
    assert_eq!(
        s.friend(account, "_shop", "block").await["changed"],
        true,
        "blocking a sanctioned channel is allowed"
    );
}
