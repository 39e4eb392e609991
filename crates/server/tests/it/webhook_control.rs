//! The webhook control calls themselves: bad settings refused, a ping that reaches the
//! receiver and reports what it answered, and every call in the OpenAPI document.

use super::webhooks::hooked;
use reqwest::Method;
use serde_json::json;
use talkchannel_testkit::{on_both_engines, AppFixture, Mode, Receiver, TestServer};

on_both_engines!(
    webhook_control_rejects_bad_input,
    ping_reaches_the_receiver,
    webhook_calls_are_documented,
);

async fn webhook_control_rejects_bad_input(s: TestServer) {
    let app = s.create_app("Bad").await;
    let path = format!("/apps/{}/webhook", app.id);
    s.control(Method::GET, &path, None)
        .await
        .assert_control_error(404, "not_found");
    for body in [
        json!({"url": "ftp://example.com/x"}),
        json!({"url": "not a url"}),
        json!({"url": "https://user:pw@example.com/"}),
        json!({"url": "https://example.com/", "retry_limit_secs": -1}),
        json!({"url": "https://example.com/", "pause_threshold": -5}),
        json!({"url": "https://example.com/", "surprise": 1}),
    ] {
        let reply = s.control(Method::PUT, &path, Some(body.clone())).await;
        assert_eq!(reply.status.as_u16(), 400, "{body}: {}", reply.text);
    }
    s.control(Method::GET, &path, None)
        .await
        .assert_control_error(404, "not_found");
    s.control(
        Method::PUT,
        "/apps/999999/webhook",
        Some(json!({"url": "https://example.com/"})),
    )
    .await
    .assert_control_error(404, "not_found");
    s.control_ok(
        Method::PUT,
        &path,
        Some(json!({"url": "https://example.com/"})),
    )
    .await;
    let reply = s
        .control(Method::POST, &format!("{path}/rotate-secret"), None)
        .await;
    assert_eq!(reply.status.as_u16(), 400, "{}", reply.text);
    let reply = s
        .control(Method::GET, &format!("{path}/events?state=lost"), None)
        .await;
    assert_eq!(reply.status.as_u16(), 400, "{}", reply.text);
    s.control(Method::POST, &format!("{path}/events/424242/replay"), None)
        .await
        .assert_control_error(404, "not_found");

    let on = s
        .control_ok(
            Method::PUT,
            &path,
            Some(json!({"url": "https://example.com/", "signing": true})),
        )
        .await;
    let rotated = s
        .control_ok(Method::POST, &format!("{path}/rotate-secret"), None)
        .await;
    assert_eq!(rotated["previous_signing_secret"], on["signing_secret"]);
    assert_ne!(rotated["signing_secret"], on["signing_secret"]);
}

async fn send_ping(s: &TestServer, app: &AppFixture) -> serde_json::Value {
    let path = format!("/apps/{}/webhook/ping", app.id);
    s.control_ok(Method::POST, &path, None).await
}

async fn ping_reaches_the_receiver(s: TestServer) {
    let receiver = Receiver::start(Mode::Ok).await;
    let app = hooked(&s, &receiver, "_ping", json!({})).await;
    let ping = send_ping(&s, &app).await;
    assert_eq!(
        (ping["succeeded"].clone(), ping["status"].clone()),
        (json!(true), json!(200))
    );
    let got = receiver.received();
    assert_eq!(got[0].body["event"], "ping");
    assert_eq!(
        got[0].header("authorization"),
        Some(app.kakao_ak().as_str())
    );
    receiver.set_mode(Mode::Status(302));
    let ping = send_ping(&s, &app).await;
    assert_eq!(
        (ping["succeeded"].clone(), ping["status"].clone()),
        (json!(false), json!(302))
    );
}

async fn webhook_calls_are_documented(s: TestServer) {
    let doc = s
        .call(Method::GET, "/admin/api/v1/openapi.json", None, None)
        .await;
    let paths = doc.body["paths"].as_object().unwrap();
    for (path, method) in [
        ("/admin/api/v1/apps/{app_id}/webhook", "put"),
        ("/admin/api/v1/apps/{app_id}/webhook", "get"),
        ("/admin/api/v1/apps/{app_id}/webhook/rotate-secret", "post"),
        ("/admin/api/v1/apps/{app_id}/webhook/resume", "post"),
        ("/admin/api/v1/apps/{app_id}/webhook/ping", "post"),
        ("/admin/api/v1/apps/{app_id}/webhook/events", "get"),
        (
            "/admin/api/v1/apps/{app_id}/webhook/events/{event_id}/replay",
            "post",
        ),
        (
            "/admin/api/v1/apps/{app_id}/webhook/events/replay-dead",
            "post",
        ),
        ("/admin/api/v1/apps/{app_id}/webhook/deliveries", "get"),
    ] {
        assert!(
            paths[path][method].is_object(),
            "{method} {path} documented"
        );
    }
}
