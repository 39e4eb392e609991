//! Liveness, readiness, request ids and graceful shutdown.

use reqwest::Method;
use talkchannel_testkit::{on_both_engines, TestServer};

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
