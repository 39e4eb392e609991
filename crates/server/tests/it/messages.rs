//! Channel messages over the control API: a scenario built through the API (a customer
//! file uploaded through the Kakao surface, friends added and blocked, a group defined),
//! messages sent, and every account's chat read back: each member has each message
//! exactly once and no one else has it, across retried sends and server restarts.

use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use talkchannel_domain::Clock;
use talkchannel_testkit::{on_both_engines, AppFixture, Reply, TestServer};

on_both_engines!(
    members_get_each_message_exactly_once,
    scheduled_sends_fire_once_across_restarts,
    stats_count_reads_clicks_and_blocks,
);

pub(crate) const CH: &str = "/channels/_shop";

pub(crate) struct Scenario {
    pub app: AppFixture,
    pub accounts: Vec<i64>,
    /// Accounts whose relation is ADDED.
    pub friends: BTreeSet<i64>,
    /// Friends in the group (female with rating >= 3).
    pub members: BTreeSet<i64>,
    pub group: i64,
}

/// 12 accounts: 0..10 add the channel, 3 and 6 then block it, 10 and 11 never add it.
/// Even accounts are female; the file rates account i with i % 5.
pub(crate) async fn scenario(s: &TestServer) -> Scenario {
    let app = s.create_app("Shop").await;
    s.create_channel("_shop", "Shop").await;
    s.connect(&app, "_shop").await;
    let reply = s
        .call(
            Method::POST,
            "/v1/talkchannel/create/target_user_file",
            Some(&app.kakao_ak()),
            Some(json!({"channel_public_id": "_shop", "file_name": "vip", "schema": {"rating": "number"}})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let file = reply.body["file_id"].as_i64().unwrap();
    let (mut accounts, mut friends, mut members, mut users) =
        (vec![], BTreeSet::new(), BTreeSet::new(), vec![]);
    for i in 0..12i64 {
        let female = i % 2 == 0;
        let account = s
            .control_ok(
                Method::POST,
                "/accounts",
                Some(json!({"nickname": format!("p{i}"), "gender": if female {"female"} else {"male"},
                    "phone_number": format!("0101234{i:04}")})),
            )
            .await["id"]
            .as_i64()
            .unwrap();
        users.push(json!({"id": format!("0101234{i:04}"), "field": {"rating": i % 5}}));
        if i < 10 {
            s.friend(account, "_shop", "add").await;
            if i == 3 || i == 6 {
                s.friend(account, "_shop", "block").await;
            } else {
                friends.insert(account);
                if female && i % 5 >= 3 {
                    members.insert(account);
                }
            }
        }
        accounts.push(account);
    }
    let reply = s
        .call(
            Method::POST,
            "/v1/talkchannel/update/target_users",
            Some(&app.kakao_ak()),
            Some(json!({"file_id": file, "channel_public_id": "_shop", "user_type": "phone", "users": users})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let group = s
        .control_ok(
            Method::POST,
            &format!("{CH}/groups"),
            Some(json!({"name": "vip women", "tree": {"and": [
                {"profile": "gender", "op": "equals", "value": "female"},
                {"file": file, "field": "rating", "op": "gte", "value": 3}]}})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    assert!(!members.is_empty());
    Scenario {
        app,
        accounts,
        friends,
        members,
        group,
    }
}

pub(crate) fn text(t: &str, target: Value) -> Value {
    json!({"content": {"type": "text", "text": t}, "target": target,
        "buttons": [{"name": "Open", "url": "https://shop.example/sale"}]})
}

pub(crate) fn group_target(group: i64) -> Value {
    json!({"kind": "group", "group_id": group})
}

pub(crate) async fn keyed(s: &TestServer, path: &str, key: &str, body: Option<Value>) -> Reply {
    let mut req = s
        .http
        .post(s.url(&format!("/admin/api/v1{path}")))
        .bearer_auth(&s.operator_token)
        .header("idempotency-key", key);
    if let Some(body) = body {
        req = req.json(&body);
    }
    Reply::read(req.send().await.unwrap()).await
}

pub(crate) async fn create(s: &TestServer, body: Value) -> i64 {
    s.control_ok(Method::POST, &format!("{CH}/messages"), Some(body))
        .await["id"]
        .as_i64()
        .unwrap()
}

/// The message ids in the account's chat, newest first.
pub(crate) async fn chat(s: &TestServer, account: i64) -> Vec<i64> {
    let page = s
        .control_ok(Method::GET, &format!("{CH}/chats/{account}/messages"), None)
        .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["message_id"].as_i64().unwrap())
        .collect()
}

/// Each account's chat holds `message` once if it is in `expected`, never otherwise.
async fn assert_delivered_once(
    s: &TestServer,
    accounts: &[i64],
    message: i64,
    expected: &BTreeSet<i64>,
) {
    for account in accounts {
        let copies = chat(s, *account)
            .await
            .iter()
            .filter(|m| **m == message)
            .count();
        let want = usize::from(expected.contains(account));
        assert_eq!(copies, want, "account {account}, message {message}");
    }
}

pub(crate) async fn message_state(s: &TestServer, id: i64) -> String {
    s.control_ok(Method::GET, &format!("{CH}/messages/{id}"), None)
        .await["state"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn members_get_each_message_exactly_once(s: TestServer) {
    let sc = scenario(&s).await;
    let to_group = create(&s, text("members only", group_target(sc.group))).await;
    let sent = keyed(
        &s,
        &format!("{CH}/messages/{to_group}/send"),
        "send-1",
        None,
    )
    .await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert_eq!(sent.body["state"], "sent");
    assert_eq!(sent.body["recipients"], sc.members.len() as u64);
    assert_delivered_once(&s, &sc.accounts, to_group, &sc.members).await;

    // A retry with the key answers the same; without it, the message is already sent.
    let retry = keyed(
        &s,
        &format!("{CH}/messages/{to_group}/send"),
        "send-1",
        None,
    )
    .await;
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_eq!(retry.body["sent_at"], sent.body["sent_at"]);
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    s.control(
        Method::POST,
        &format!("{CH}/messages/{to_group}/send"),
        None,
    )
    .await
    .assert_control_error(409, "conflict");

    let to_all = create(&s, text("everyone", json!({"kind": "all_friends"}))).await;
    let other = keyed(&s, &format!("{CH}/messages/{to_all}/send"), "send-1", None).await;
    other.assert_control_error(409, "conflict");
    assert_eq!(
        message_state(&s, to_all).await,
        "draft",
        "a reused key sends nothing"
    );
    s.control_ok(Method::POST, &format!("{CH}/messages/{to_all}/send"), None)
        .await;
    assert_delivered_once(&s, &sc.accounts, to_all, &sc.friends).await;
    let member = *sc.members.first().unwrap();
    assert_eq!(chat(&s, member).await, [to_all, to_group], "newest first");

    // A test send reaches only the named accounts and never counts.
    let outsider = sc.accounts[11];
    let copy = s
        .control_ok(
            Method::POST,
            &format!("{CH}/messages/{to_group}/test"),
            Some(json!({"account_ids": [outsider]})),
        )
        .await;
    assert_eq!(copy["test_of"], to_group);
    assert_eq!(
        chat(&s, outsider).await,
        [copy["id"].as_i64().unwrap()],
        "the test copy is in the outsider's chat"
    );
    let stats = s
        .control_ok(
            Method::GET,
            &format!("{CH}/messages/{to_group}/stats"),
            None,
        )
        .await;
    assert_eq!(stats["targeted"], sc.members.len() as u64);

    // After a restart the chats read the same: nothing redelivered, nothing lost.
    let mut s = s;
    s.restart().await;
    let retry = keyed(
        &s,
        &format!("{CH}/messages/{to_group}/send"),
        "send-1",
        None,
    )
    .await;
    assert_eq!(retry.status, 200, "{}", retry.text);
    assert_delivered_once(&s, &sc.accounts, to_group, &sc.members).await;
    assert_delivered_once(&s, &sc.accounts, to_all, &sc.friends).await;
    let _ = &sc.app;
}

/// Polls the message until it is sent (the scheduler runs every 50 ms in tests).
async fn wait_sent(s: &TestServer, id: i64) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while message_state(s, id).await != "sent" {
        assert!(
            std::time::Instant::now() < deadline,
            "message {id} never sent"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn scheduled_sends_fire_once_across_restarts(mut s: TestServer) {
    let sc = scenario(&s).await;
    let at = s.clock.now() + Duration::hours(1);
    let mut body = text("at ten", group_target(sc.group));
    body["scheduled_at"] = json!(at);
    let scheduled = create(&s, body.clone()).await;
    let doomed = create(&s, body).await;
    assert_eq!(message_state(&s, scheduled).await, "scheduled");
    s.control_ok(
        Method::POST,
        &format!("{CH}/messages/{doomed}/cancel"),
        None,
    )
    .await;
    assert_delivered_once(&s, &sc.accounts, scheduled, &BTreeSet::new()).await;

    // The server goes down while the message waits, and again right as it comes due
    // (whether the scheduler committed the send or not, the next one finishes the job).
    s.restart().await;
    s.clock.advance(Duration::hours(1));
    s.restart().await;
    wait_sent(&s, scheduled).await;
    assert_delivered_once(&s, &sc.accounts, scheduled, &sc.members).await;
    s.restart().await;
    s.clock.advance(Duration::hours(1));
    // A whole pass after the move finds nothing left to send, and no pass is mid-send.
    assert_eq!(s.drain_scheduled_messages().await, 0, "sent once only");
    assert_delivered_once(&s, &sc.accounts, scheduled, &sc.members).await;
    assert_eq!(message_state(&s, doomed).await, "cancelled");
    assert_delivered_once(&s, &sc.accounts, doomed, &BTreeSet::new()).await;
    s.control(
        Method::POST,
        &format!("{CH}/messages/{scheduled}/cancel"),
        None,
    )
    .await
    .assert_control_error(409, "conflict");
}

async fn stats_count_reads_clicks_and_blocks(s: TestServer) {
    let sc = scenario(&s).await;
    let id = create(&s, text("sale", json!({"kind": "all_friends"}))).await;
    s.control_ok(Method::POST, &format!("{CH}/messages/{id}/send"), None)
        .await;
    let friends: Vec<i64> = sc.friends.iter().copied().collect();
    for reader in &friends[..3] {
        let r = s
            .control_ok(Method::POST, &format!("{CH}/chats/{reader}/read"), None)
            .await;
        assert_eq!(r["marked"], 1);
    }
    s.control_ok(
        Method::POST,
        &format!("{CH}/chats/{}/read", friends[0]),
        None,
    )
    .await;
    let page = s
        .control_ok(
            Method::GET,
            &format!("{CH}/chats/{}/messages", friends[1]),
            None,
        )
        .await;
    let link = page["items"][0]["buttons"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for _ in 0..2 {
        let res = no_redirects.get(s.url(&link)).send().await.unwrap();
        assert_eq!(res.status(), 302);
        assert_eq!(res.headers()["location"], "https://shop.example/sale");
    }
    let forged = link.replace(&format!("a={}", friends[1]), &format!("a={}", friends[2]));
    let res = no_redirects.get(s.url(&forged)).send().await.unwrap();
    assert_eq!(res.status(), 404);
    s.friend(friends[4], "_shop", "block").await;
    let stats = s
        .control_ok(Method::GET, &format!("{CH}/messages/{id}/stats"), None)
        .await;
    assert_eq!(
        stats,
        json!({"targeted": friends.len(), "delivered": friends.len(), "read": 3,
            "clicked": 1, "blocked": 1})
    );
}
