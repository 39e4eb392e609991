//! Published Kakao OAuth client libraries, run unmodified against talkchannel in real
//! Chromium (only Kakao's addresses changed): our own client would only prove we agree
//! with ourselves.

use crate::browser::{browser_available, journey};
use crate::kauth_authorize::{login_setup, PASSWORD};
use reqwest::Method;
use serde_json::json;
use talkchannel_testkit::{on_both_engines, TestServer};

on_both_engines!(passport_kakao_signs_a_user_in);

/// A free port on 127.0.0.1 for the library's app (its callback is registered first).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().unwrap().port()
}

/// passport-kakao: authorize without `scope` (the consent items decide), the token with
/// its default `client_secret=kakao`, the profile with `?access_token=`.
async fn passport_kakao_signs_a_user_in(s: TestServer) {
    if !browser_available() {
        return;
    }
    let email = "passport@example.com";
    let (app, account) = login_setup(&s, email, "패스포트").await;
    let port = free_port();
    s.control_ok(
        Method::PUT,
        &format!("/apps/{}/redirect-uris", app.id),
        Some(json!({"redirect_uris": [format!("http://127.0.0.1:{port}/callback")]})),
    )
    .await;
    s.control_ok(
        Method::PUT,
        &format!("/apps/{}/consent-items", app.id),
        Some(json!({"consent_items": {"profile_nickname": "required", "account_email": "optional", "phone_number": "disabled"}})),
    )
    .await;
    let out = journey(
        "journey-passport.mjs",
        &[
            &s.base,
            &port.to_string(),
            &app.rest_api_key,
            email,
            PASSWORD,
        ],
    )
    .await;
    assert_eq!(out["username"], "패스포트", "{out}");
    assert_eq!(out["json"]["kakao_account"]["email"], email, "{out}");
    assert_eq!(out["refresh"], true, "{out}");
    let linked = s
        .control_ok(
            Method::GET,
            &format!("/apps/{}/users/{}", app.id, out["id"]),
            None,
        )
        .await;
    assert_eq!(linked["account_id"], account, "{linked}");
}
