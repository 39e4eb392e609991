//! Channel webhooks end to end: a real receiver on 127.0.0.1 gets Kakao's headers and
//! body, survives receivers that fail, hang or hang up, and sees each event once per
//! resource id; the control API shows, pauses, resumes and replays.

use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use talkchannel_testkit::{on_both_engines, AppFixture, Mode, Received, Receiver, TestServer};

on_both_engines!(
    delivers_kakao_headers_and_body_in_order,
    failing_receivers_get_every_event_once_they_recover,
    pause_resume_dead_letter_and_replay,
);

const WAIT: Duration = Duration::from_secs(20);

/// An app connected to `channel`, its webhook pointing at `receiver` with `extra` settings.
pub async fn hooked(
    s: &TestServer,
    receiver: &Receiver,
    channel: &str,
    extra: Value,
) -> AppFixture {
    let app = s.create_app("Hooked").await;
    s.create_channel(channel, "웹훅 채널").await;
    s.connect(&app, channel).await;
    let mut settings = json!({"url": receiver.url});
    settings
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    s.control_ok(
        Method::PUT,
        &format!("/apps/{}/webhook", app.id),
        Some(settings),
    )
    .await;
    app
}

/// Resource ids of the requests, grouped by what they carried (event and user).
fn ids_by_body(received: &[Received]) -> HashMap<String, HashSet<String>> {
    let mut map: HashMap<String, HashSet<String>> = HashMap::new();
    for r in received {
        let key = format!("{}/{}", r.body["event"], r.body["id"]);
        map.entry(key)
            .or_default()
            .insert(r.resource_id().to_owned());
    }
    map
}

/// A receiver's check written from `docs/webhooks.md` alone (not with our signer):
/// `t={unix},v1={hex}[,v1=...]`, each `v1` the hex HMAC-SHA256 under the secret's bytes
/// of the decimal `t`, a dot and the raw body.
fn verifies_as_documented(secret: &str, header: &str, raw_body: &[u8]) -> bool {
    use hmac::{Hmac, Mac};
    let mut parts = header.split(',');
    let Some(t) = parts.next().and_then(|p| p.strip_prefix("t=")) else {
        return false;
    };
    let mut signed = format!("{t}.").into_bytes();
    signed.extend_from_slice(raw_body);
    parts.filter_map(|p| p.strip_prefix("v1=")).any(|v1| {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(&signed);
        hex::decode(v1).is_ok_and(|tag| mac.verify_slice(&tag).is_ok())
    })
}

async fn delivers_kakao_headers_and_body_in_order(s: TestServer) {
    let receiver = Receiver::start(Mode::Ok).await;
    let app = hooked(
        &s,
        &receiver,
        "_hooks",
        json!({"legacy_fields": true, "signing": true}),
    )
    .await;
    let consented = s.create_user(&app, "Minji", &["plusfriends"]).await;
    let silent = s.create_user(&app, "Jisoo", &["profile_nickname"]).await;
    let stranger = s.create_account("Stranger").await;
    s.friend(consented.account_id, "_hooks", "add").await;
    s.friend(consented.account_id, "_hooks", "block").await;
    s.friend(consented.account_id, "_hooks", "unblock").await; // Kakao sends nothing
    s.friend(silent.account_id, "_hooks", "add").await;
    s.friend(stranger, "_hooks", "block").await;

    // The outbox is written with each change, so once the calls returned it is complete:
    // exactly the four events (add, block, add, block), none for the unblock.
    let outbox = s
        .control_ok(
            Method::GET,
            &format!("/apps/{}/webhook/events?limit=100", app.id),
            None,
        )
        .await;
    let kinds: Vec<(&str, i64)> = outbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap(),
                e["account_id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("added", consented.account_id),
            ("blocked", consented.account_id),
            ("added", silent.account_id),
            ("blocked", stranger),
        ],
        "the unblock enqueued nothing: {outbox}"
    );
    let got = receiver.wait_accepted(4, WAIT).await;
    let settings = s
        .control_ok(Method::GET, &format!("/apps/{}/webhook", app.id), None)
        .await;
    let secret = settings["signing_secret"].as_str().unwrap();
    for r in &got {
        assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/hook"));
        assert_eq!(r.header("authorization"), Some(app.kakao_ak().as_str()));
        assert_eq!(r.header("user-agent"), Some("KakaoOpenAPI/1.0"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.resource_id().len(), 24, "{}", r.resource_id());
        assert_eq!(r.body["channel_public_id"], "_hooks");
        assert_eq!(r.body["channel_uuid"], "@hooks");
        assert_eq!(r.body["plus_friend_public_id"], "_hooks");
        assert_eq!(r.body["plus_friend_uuid"], "@hooks");
        assert_eq!(r.body["updated_at"], "2026-01-01T00:00:00Z");
        assert_eq!(r.body["timestamp"], 1_767_225_600_000_i64);
        let signature = r.header("x-talkchannel-signature").unwrap();
        assert!(
            verifies_as_documented(secret, signature, &r.raw_body),
            "{signature}"
        );
        let mut tampered = r.raw_body.clone();
        tampered.push(b' ');
        assert!(!verifies_as_documented(secret, signature, &tampered));
    }
    let by_user: Vec<(String, String, String)> = got
        .iter()
        .map(|r| {
            let f = |k: &str| r.body[k].as_str().unwrap().to_owned();
            (f("id"), f("id_type"), f("event"))
        })
        .collect();
    let mine: Vec<_> = by_user
        .iter()
        .filter(|u| u.0 == consented.user_id.to_string())
        .collect();
    assert_eq!(
        mine.iter()
            .map(|u| (u.1.as_str(), u.2.as_str()))
            .collect::<Vec<_>>(),
        vec![("app_user_id", "added"), ("app_user_id", "blocked")],
        "one user's events arrive in order"
    );
    let opaque: Vec<_> = by_user.iter().filter(|u| u.1 == "open_id").collect();
    assert_eq!(
        opaque.len(),
        2,
        "no plusfriends consent, or not linked: open_id"
    );
    for (id, ..) in &opaque {
        assert!(id.len() == 32 && *id != silent.user_id.to_string() && *id != stranger.to_string());
    }

    // The receiver answers before the worker records the batch: wait for the record.
    let path = format!("/apps/{}/webhook/deliveries", app.id);
    let log = poll_control(&s, &path, |log| log["items"].as_array().unwrap().len() >= 4).await;
    let statuses: Vec<_> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].clone())
        .collect();
    assert_eq!(statuses, vec![json!(200); 4]);
    let events = s
        .control_ok(
            Method::GET,
            &format!("/apps/{}/webhook/events?state=delivered", app.id),
            None,
        )
        .await;
    assert_eq!(events["items"].as_array().unwrap().len(), 4);
    let pending = s
        .control_ok(
            Method::GET,
            &format!("/apps/{}/webhook/events?state=pending", app.id),
            None,
        )
        .await;
    assert_eq!(pending["items"], json!([]), "nothing left to send");
    assert_eq!(receiver.received().len(), 4, "nothing else was sent");
}

/// 500s, answers past 3 s and closed connections: every event arrives once the receiver
/// recovers, each under its one resource id.
async fn failing_receivers_get_every_event_once_they_recover(s: TestServer) {
    let receiver = Receiver::start(Mode::Status(500)).await;
    let app = hooked(&s, &receiver, "_flaky", json!({})).await;
    let mut accounts = Vec::new();
    for i in 0..4 {
        let account = s.create_account(&format!("user {i}")).await;
        s.friend(account, "_flaky", "add").await;
        accounts.push(account);
    }
    receiver
        .wait_until(WAIT, "4 answered 500", |r| r.len() >= 4)
        .await;

    let attempts = |n: usize| move |r: &[Received]| r.len() >= n;
    for (mode, after) in [
        (Mode::Close, 8),
        (Mode::Hang(Duration::from_millis(3_500)), 12),
    ] {
        receiver.set_mode(mode);
        s.clock.advance(chrono::Duration::hours(1));
        receiver
            .wait_until(WAIT, &format!("{mode:?} attempts"), attempts(after))
            .await;
    }
    receiver.set_mode(Mode::Ok);
    s.clock.advance(chrono::Duration::hours(1));
    let accepted = receiver.wait_accepted(4, WAIT).await;

    let all = receiver.received();
    let ids = ids_by_body(&all);
    assert_eq!(ids.len(), 4, "four events: {ids:?}");
    assert!(
        ids.values().all(|set| set.len() == 1),
        "one resource id per event across retries"
    );
    let accepted_ids: Vec<&str> = accepted.iter().map(Received::resource_id).collect();
    let distinct: HashSet<&str> = accepted_ids.iter().copied().collect();
    assert_eq!(
        (accepted_ids.len(), distinct.len()),
        (4, 4),
        "each accepted once"
    );
    let path = format!("/apps/{}/webhook/deliveries?limit=100", app.id);
    let log = poll_control(&s, &path, |log| {
        log["items"].as_array().unwrap().len() >= 16
    })
    .await;
    let errors: Vec<_> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["error"].clone())
        .collect();
    assert!(errors.len() >= 16, "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.as_str().is_some_and(|e| e.contains("timed out"))),
        "{errors:?}"
    );
}

/// Reads a control path until `done` holds for its answer (or panics after `WAIT`).
pub async fn poll_control(s: &TestServer, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let value = s.control_ok(Method::GET, path, None).await;
        if done(&value) {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{path} did not reach the expected state: {value}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn webhook(s: &TestServer, app: &AppFixture) -> Value {
    s.control_ok(Method::GET, &format!("/apps/{}/webhook", app.id), None)
        .await
}

/// Failures past the threshold pause the endpoint until resumed; events past the retry
/// window are dead-lettered and come back with a replay.
async fn pause_resume_dead_letter_and_replay(s: TestServer) {
    let receiver = Receiver::start(Mode::Status(503)).await;
    let app = hooked(&s, &receiver, "_pause", json!({"pause_threshold": 2})).await;
    for i in 0..3 {
        let account = s.create_account(&format!("user {i}")).await;
        s.friend(account, "_pause", "add").await;
    }
    receiver
        .wait_until(WAIT, "failures", |r| r.len() >= 2)
        .await;
    let deadline = std::time::Instant::now() + WAIT;
    while webhook(&s, &app).await["paused"] != json!(true) {
        assert!(std::time::Instant::now() < deadline, "the endpoint pauses");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    receiver.set_mode(Mode::Ok);
    let resumed = s
        .control_ok(
            Method::POST,
            &format!("/apps/{}/webhook/resume", app.id),
            None,
        )
        .await;
    assert_eq!(
        (
            resumed["paused"].clone(),
            resumed["consecutive_failures"].clone()
        ),
        (json!(false), json!(0))
    );
    s.clock.advance(chrono::Duration::hours(1));
    receiver.wait_accepted(3, WAIT).await;

    // Retry window 0: one attempt, as Kakao, then the dead letter.
    s.control_ok(
        Method::PUT,
        &format!("/apps/{}/webhook", app.id),
        Some(json!({"url": receiver.url, "retry_limit_secs": 0})),
    )
    .await;
    receiver.set_mode(Mode::Status(500));
    let late = s.create_account("late").await;
    s.friend(late, "_pause", "add").await;
    let path = format!("/apps/{}/webhook/events?state=dead", app.id);
    let deadline = std::time::Instant::now() + WAIT;
    while s.control_ok(Method::GET, &path, None).await["items"]
        .as_array()
        .unwrap()
        .is_empty()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the event is dead-lettered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    receiver.set_mode(Mode::Ok);
    let replayed = s
        .control_ok(
            Method::POST,
            &format!("/apps/{}/webhook/events/replay-dead", app.id),
            None,
        )
        .await;
    assert_eq!(replayed["replayed"], 1);
    receiver.wait_accepted(4, WAIT).await;
    let one = s
        .control_ok(
            Method::GET,
            &format!("/apps/{}/webhook/events?limit=1", app.id),
            None,
        )
        .await;
    let first = one["items"][0]["id"].as_i64().unwrap();
    let again = s
        .control_ok(
            Method::POST,
            &format!("/apps/{}/webhook/events/{first}/replay", app.id),
            None,
        )
        .await;
    assert_eq!(again["state"], "pending");
    let received = receiver
        .wait_until(WAIT, "the replayed event again", |r| {
            r.iter()
                .filter(|x| x.accepted() && x.resource_id() == again["resource_id"])
                .count()
                == 2
        })
        .await;
    assert!(received.iter().all(|r| r.body["event"] == "added"));
}
