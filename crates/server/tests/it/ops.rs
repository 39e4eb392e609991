//! Liveness, readiness, request ids and graceful shutdown (in process, and of the real
//! binary on SIGTERM with a request in flight).

use super::cli::{configured_dir, serve_in, terminate, wait_listening};
use reqwest::Method;
use serde_json::Value;
use std::time::{Duration, Instant};
use talkchannel_store_postgres::testing::TestDatabase;
use talkchannel_testkit::{on_both_engines, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

on_both_engines!(
    health_and_readiness,
    every_response_has_a_request_id,
    shutdown_is_graceful
);

async fn health_and_readiness(s: TestServer) {
    let health = s.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(
        (health.status.as_u16(), health.body["status"].as_str()),
        (200, Some("ok"))
    );
    let ready = s.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status, 200);
    let engine = match s.engine {
        talkchannel_testkit::Engine::Sqlite => "sqlite",
        talkchannel_testkit::Engine::Postgres => "postgres",
    };
    assert_eq!(ready.body["database"], engine);
}

async fn every_response_has_a_request_id(s: TestServer) {
    for (method, path) in [
        (Method::GET, "/healthz"),
        (Method::GET, "/v2/api/talk/channels"),
        (Method::GET, "/admin/api/v1/accounts"),
        (Method::GET, "/nowhere"),
    ] {
        let reply = s.call(method, path, None, None).await;
        let id = reply
            .headers
            .get("x-request-id")
            .unwrap_or_else(|| panic!("{path} has no request id"));
        assert_eq!(id.len(), 36, "a UUID");
    }
    let res = s
        .http
        .get(s.url("/healthz"))
        .header("x-request-id", "trace-me-123")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["x-request-id"],
        "trace-me-123",
        "a caller's id is kept"
    );
}

async fn shutdown_is_graceful(s: TestServer) {
    let base = s.base.clone();
    s.stop().await;
    assert!(
        reqwest::get(format!("{base}/healthz")).await.is_err(),
        "no longer listening"
    );
}

const TOKEN: &str = "graceful-test-operator-token-0123";

/// SIGTERM to the real binary while a request is in flight: the listener closes, the
/// request still completes (and what it wrote is there), then the process exits cleanly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_a_request_in_flight_on_sqlite() {
    sigterm_finishes_a_request_in_flight(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_a_request_in_flight_on_postgres() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    sigterm_finishes_a_request_in_flight(Some(db.url())).await;
}

async fn sigterm_finishes_a_request_in_flight(database_url: Option<&str>) {
    let dir = configured_dir(TOKEN, database_url, "");
    let serve = || serve_in(dir.path());
    let mut server = serve();
    let (_, base) = wait_listening(&mut server).await;
    let addr = base.trim_start_matches("http://").to_owned();

    // `Expect: 100-continue` makes the server say when its handler starts reading the
    // body: from then on the request is in flight, whatever the signal does.
    let body = br#"{"nickname": "in flight"}"#;
    let mut conn = TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /admin/api/v1/accounts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    let interim = read_until(&mut conn, b"\r\n\r\n").await;
    assert!(interim.starts_with("HTTP/1.1 100"), "{interim}");

    terminate(&server);
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(&addr).await.is_ok() {
        assert!(
            Instant::now() < deadline,
            "the listener closes after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    conn.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), conn.read_to_end(&mut answer))
        .await
        .expect("the answer comes within 20 s")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert!(answer.contains(r#""nickname":"in flight""#), "{answer}");
    let status = tokio::time::timeout(Duration::from_secs(20), server.wait())
        .await
        .expect("the process exits within 20 s after its last request")
        .unwrap();
    assert!(status.success(), "clean exit: {status}");

    // The write landed: a new process over the same database has the account.
    let mut again = serve();
    let (_, base) = wait_listening(&mut again).await;
    let accounts: Value = reqwest::Client::new()
        .get(format!("{base}/admin/api/v1/accounts"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(accounts["items"][0]["nickname"], "in flight", "{accounts}");
    again.start_kill().unwrap();
    again.wait().await.unwrap();
}

/// Reads from `conn` until `end` has been read; returns what came.
async fn read_until(conn: &mut TcpStream, end: &[u8]) -> String {
    let mut got = Vec::new();
    let mut byte = [0u8; 1];
    let read = async {
        while !got.ends_with(end) {
            let n = conn.read(&mut byte).await.unwrap();
            assert!(n == 1, "the connection closed early: {got:?}");
            got.push(byte[0]);
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .expect("the server answers within 20 s");
    String::from_utf8_lossy(&got).into_owned()
}
