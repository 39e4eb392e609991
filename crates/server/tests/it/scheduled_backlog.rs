//! The scheduled-send pass drains a backlog: more due messages than one batch (100) all
//! go out, even when more than a batch of ads ahead of them is held back by quiet hours.

use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use talkchannel_domain::Clock;
use talkchannel_testkit::{on_both_engines, TestServer};

on_both_engines!(held_ads_do_not_hide_the_backlog_behind_them);

const HELD: usize = 101;
const BEHIND: usize = 30;

async fn schedule(s: &TestServer, text: &str, ad: bool, at: Value) -> i64 {
    let body = json!({"content": {"type": "text", "text": text}, "ad": ad,
        "target": {"kind": "all_friends"}, "scheduled_at": at});
    s.control_ok(Method::POST, "/channels/_shop/messages", Some(body))
        .await["id"]
        .as_i64()
        .unwrap()
}

/// Every message of the channel with its state (pages of 500).
async fn states(s: &TestServer) -> Vec<(i64, String)> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let path = format!("/channels/_shop/messages?limit=500&after={after}");
        let page = s.control_ok(Method::GET, &path, None).await;
        for m in page["items"].as_array().unwrap() {
            let state = m["state"].as_str().unwrap().to_owned();
            out.push((m["id"].as_i64().unwrap(), state));
        }
        match page["next_cursor"].as_i64() {
            Some(next) => after = next,
            None => return out,
        }
    }
}

async fn held_ads_do_not_hide_the_backlog_behind_them(s: TestServer) {
    s.create_channel("_shop", "Shop").await;
    // The clock starts at 2026-01-01T00:00Z. 02:00Z is 11:00 in Seoul: ads may go then.
    let at = s.clock.now() + Duration::hours(2);
    let mut ads = Vec::new();
    for i in 0..HELD {
        ads.push(schedule(&s, &format!("(광고) sale {i}"), true, json!(at)).await);
    }
    let later = json!(at + Duration::minutes(1));
    let mut plain = Vec::new();
    for i in 0..BEHIND {
        plain.push(schedule(&s, &format!("news {i}"), false, later.clone()).await);
    }
    // The channel moves to Paris, where 02:00Z is 03:00: the ads are held when they come
    // due, and they are the oldest due messages, more than one batch of them.
    s.control_ok(
        Method::PATCH,
        "/channels/_shop",
        Some(json!({"time_zone": "Europe/Paris"})),
    )
    .await;
    s.clock.advance(Duration::hours(3));

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let now = states(&s).await;
        let sent = now
            .iter()
            .filter(|(id, st)| plain.contains(id) && st == "sent")
            .count();
        if sent == BEHIND {
            let held = now
                .iter()
                .filter(|(id, st)| ads.contains(id) && st == "scheduled");
            assert_eq!(held.count(), HELD, "the ads wait for the morning");
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "only {sent} of the {BEHIND} messages behind the held ads went out"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
