//! Webhook delivery under faults: the real binary killed with SIGKILL mid-burst and
//! restarted (on each engine), two nodes over one PostgreSQL, and destinations the
//! operator refuses.

use super::cli::{configured_dir, serve_in, wait_listening};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use talkchannel_server::{Config, Server};
use talkchannel_store_postgres::testing::TestDatabase;
use talkchannel_testkit::{Engine, Mode, Received, Receiver, TestServer};

const TOKEN: &str = "fault-test-operator-token-0123";

/// Control API calls against a server the test did not start through the testkit.
struct Control {
    base: String,
    http: reqwest::Client,
}

impl Control {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method.clone(), format!("{}/admin/api/v1{path}", self.base))
            .bearer_auth(TOKEN);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.expect("request reaches the server");
        let status = res.status();
        let text = res.text().await.unwrap();
        assert!(status.is_success(), "{method} {path} -> {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Every event of the app, following the cursor.
    async fn events(&self, app: i64) -> Vec<Value> {
        let mut all = Vec::new();
        let mut after = String::new();
        loop {
            let page = self
                .call(
                    Method::GET,
                    &format!("/apps/{app}/webhook/events?limit=500{after}"),
                    None,
                )
                .await;
            all.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_i64() {
                Some(c) => after = format!("&after={c}"),
                None => return all,
            }
        }
    }
}

fn resource_ids(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .filter(|r| r.accepted())
        .map(|r| r.resource_id().to_owned())
        .collect()
}

/// An app with a webhook to `receiver`, connected to `_burst`; `n` accounts who add it.
async fn burst(control: &Control, receiver: &Receiver, n: usize) -> i64 {
    let app = control
        .call(Method::POST, "/apps", Some(json!({"name": "burst"})))
        .await["id"]
        .as_i64()
        .unwrap();
    control
        .call(
            Method::POST,
            "/channels",
            Some(json!({"name": "burst", "public_id": "_burst", "search_id": "@burst"})),
        )
        .await;
    control
        .call(Method::PUT, &format!("/apps/{app}/channels/_burst"), None)
        .await;
    control
        .call(
            Method::PUT,
            &format!("/apps/{app}/webhook"),
            Some(json!({"url": receiver.url})),
        )
        .await;
    for i in 0..n {
        let account = control
            .call(
                Method::POST,
                "/accounts",
                Some(json!({"nickname": format!("user {i}")})),
            )
            .await["id"]
            .as_i64()
            .unwrap();
        control
            .call(
                Method::POST,
                &format!("/channels/_burst/friendships/{account}/add"),
                None,
            )
            .await;
    }
    app
}

/// SIGKILL while deliveries are in flight, then a restart over the same database: every
/// event of the friendship log arrives at least once, under its own resource id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_burst_loses_no_event_on_sqlite() {
    sigkill_mid_burst_loses_no_event(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_burst_loses_no_event_on_postgres() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    sigkill_mid_burst_loses_no_event(Some(db.url())).await;
}

/// `database_url`: PostgreSQL's, or `None` for the default SQLite file in the directory.
async fn sigkill_mid_burst_loses_no_event(database_url: Option<&str>) {
    let dir = configured_dir(
        TOKEN,
        database_url,
        "[webhooks]\nworkers = 1\nbatch_size = 8\nper_app_concurrency = 4\nlease_secs = 7\npoll_interval_ms = 100\n",
    );
    let serve = || serve_in(dir.path());
    let receiver = Receiver::start(Mode::Slow(Duration::from_millis(100))).await;
    let mut first = serve();
    let (_, base) = wait_listening(&mut first).await;
    let control = Control {
        base,
        http: reqwest::Client::new(),
    };
    let n = 120;
    let app = burst(&control, &receiver, n).await;
    receiver
        .wait_until(Duration::from_secs(60), "some deliveries", |r| {
            r.len() >= 10
        })
        .await;
    first.start_kill().expect("SIGKILL");
    first.wait().await.unwrap();
    let before = resource_ids(&receiver.received()).len();
    assert!(
        before < n,
        "the kill came mid-burst ({before} of {n} delivered)"
    );

    receiver.set_mode(Mode::Ok);
    let mut second = serve();
    let (_, base) = wait_listening(&mut second).await;
    let control = Control {
        base,
        http: control.http,
    };
    let accepted = receiver.wait_accepted(n, Duration::from_secs(60)).await;

    let events = control.events(app).await;
    assert_eq!(events.len(), n, "one event per add in the friendship log");
    let expected: HashSet<String> = events
        .iter()
        .map(|e| e["resource_id"].as_str().unwrap().to_owned())
        .collect();
    let got: HashSet<String> = resource_ids(&accepted).into_iter().collect();
    assert_eq!(
        got, expected,
        "every event arrived, under its own resource id"
    );
    for e in events.iter().take(5) {
        let log = control
            .call(
                Method::GET,
                &format!("/channels/_burst/friendships/{}/log", e["account_id"]),
                None,
            )
            .await;
        assert_eq!(log["items"].as_array().unwrap().len(), 1);
        assert_eq!(log["items"][0]["to"], "ADDED");
    }
    second.start_kill().unwrap();
    second.wait().await.unwrap();
}

/// Two nodes over one PostgreSQL during a burst: each event is delivered exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_postgres_nodes_deliver_each_event_once() {
    let Some(a) = TestServer::start(Engine::Postgres).await else {
        return;
    };
    let mut config = Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: a.database_url.clone(),
        ..Config::default()
    };
    config.webhooks.poll_interval_ms = 50;
    let b = Server::new(config)
        .with_clock(Arc::new(a.clock.clone()))
        .start()
        .await
        .expect("second node starts");
    let receiver = Receiver::start(Mode::Slow(Duration::from_millis(5))).await;
    let app = a.create_app("two nodes").await;
    a.create_channel("_nodes", "nodes").await;
    a.connect(&app, "_nodes").await;
    a.control_ok(
        Method::PUT,
        &format!("/apps/{}/webhook", app.id),
        Some(json!({"url": receiver.url})),
    )
    .await;
    let n = 300;
    let b_base = format!("http://{}", b.addr);
    for i in 0..n {
        let account = a.create_account(&format!("user {i}")).await;
        // Half the changes arrive at each node, so both wake up and claim.
        let base = if i % 2 == 0 {
            a.base.clone()
        } else {
            b_base.clone()
        };
        let res = a
            .http
            .post(format!(
                "{base}/admin/api/v1/channels/_nodes/friendships/{account}/add"
            ))
            .bearer_auth(&a.operator_token)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }
    receiver.wait_accepted(n, Duration::from_secs(60)).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let pending = format!("/apps/{}/webhook/events?state=pending", app.id);
    while !a.control_ok(Method::GET, &pending, None).await["items"]
        .as_array()
        .unwrap()
        .is_empty()
    {
        assert!(
            Instant::now() < deadline,
            "every event is recorded as delivered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Both nodes finish whatever they hold before the count.
    let (on_a, on_b) = (
        Arc::clone(a.webhook_deliveries()),
        Arc::clone(b.webhook_deliveries()),
    );
    b.shutdown().await.unwrap();
    a.stop().await;
    let ids = resource_ids(&receiver.received());
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(
        (ids.len(), distinct.len()),
        (n, n),
        "no event delivered twice"
    );
    // Each node did part of the work, and between them every event exactly once.
    let shares = [
        (on_a.claimed(), on_a.accepted()),
        (on_b.claimed(), on_b.accepted()),
    ];
    assert!(
        shares.iter().all(|&(_, accepted)| accepted > 0),
        "both nodes delivered: {shares:?}"
    );
    assert_eq!(
        (shares[0].0 + shares[1].0, shares[0].1 + shares[1].1),
        (n as u64, n as u64),
        "claimed and delivered once in all: {shares:?}"
    );
}

/// With loopback refused, neither a literal address nor a name resolving to it is
/// reached; the attempt is logged with the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_destinations_are_never_contacted() {
    let s = TestServer::start_with(Engine::Sqlite, |c| c.webhooks.allow_loopback = false)
        .await
        .unwrap();
    let receiver = Receiver::start(Mode::Ok).await;
    let app = s.create_app("strict").await;
    s.create_channel("_strict", "strict").await;
    s.connect(&app, "_strict").await;
    let by_name = receiver.url.replace("127.0.0.1", "localhost");
    for url in [receiver.url.clone(), by_name] {
        s.control_ok(
            Method::PUT,
            &format!("/apps/{}/webhook", app.id),
            Some(json!({"url": url})),
        )
        .await;
        let ping = s
            .control_ok(
                Method::POST,
                &format!("/apps/{}/webhook/ping", app.id),
                None,
            )
            .await;
        assert_eq!(ping["succeeded"], false, "{url}");
        assert!(
            ping["error"].as_str().unwrap().contains("refused"),
            "{ping}"
        );
    }
    let account = s.create_account("someone").await;
    s.friend(account, "_strict", "add").await;
    let path = format!("/apps/{}/webhook/deliveries", app.id);
    let deadline = Instant::now() + Duration::from_secs(20);
    let log = loop {
        let log = s.control_ok(Method::GET, &path, None).await;
        if !log["items"].as_array().unwrap().is_empty() {
            break log;
        }
        assert!(Instant::now() < deadline, "the attempt is logged");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(
        log["items"][0]["error"]
            .as_str()
            .unwrap()
            .contains("refused"),
        "{log}"
    );
    assert!(
        receiver.received().is_empty(),
        "nothing reached the receiver"
    );
}
