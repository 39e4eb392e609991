//! Sign-in throttling over HTTP: failures per login and per client address block with
//! a 429 that names when to come back, no password is hashed while blocked, success
//! resets the login's count, and on PostgreSQL every node sees the same counts.

use super::kauth_authorize::PASSWORD;
use reqwest::Method;
use serde_json::json;
use std::sync::Arc;
use talkchannel_server::{Config, Server};
use talkchannel_testkit::{Browser, Engine, Page, TestServer};

mod forwarded;
mod gate;
use forwarded::{
    a_forged_forwarded_for_does_not_escape_the_address_limit,
    each_forwarded_client_has_its_own_address_limit, proxied,
};
use gate::{a_full_hash_queue_answers_busy_at_once, one_hash_slot};

pub(super) const LOGIN_LIMIT: u32 = 3;
pub(super) const ADDRESS_LIMIT: u32 = 8;

/// Small limits, so a test needs few (slow, argon2) attempts.
pub(super) fn limits(config: &mut Config) {
    config.sign_in.per_login.limit = LOGIN_LIMIT;
    config.sign_in.per_login.backoff_secs = 30;
    config.sign_in.per_address.limit = ADDRESS_LIMIT;
    config.sign_in.per_address.backoff_secs = 60;
}

mod plain {
    use super::*;
    talkchannel_testkit::on_both_engines!(config = limits;
        wrong_passwords_block_the_login_without_hashing,
        other_logins_from_the_address_still_sign_in,
        the_address_limit_spans_logins,
        a_forged_forwarded_for_does_not_escape_the_address_limit,
    );
}

mod behind_proxy {
    use super::*;
    talkchannel_testkit::on_both_engines!(config = proxied;
        each_forwarded_client_has_its_own_address_limit,
    );
}

mod one_hash_at_a_time {
    use super::*;
    talkchannel_testkit::on_both_engines!(config = one_hash_slot;
        a_full_hash_queue_answers_busy_at_once,
    );
}

pub(super) async fn account(s: &TestServer, email: &str) {
    let id = s
        .control_ok(
            Method::POST,
            "/accounts",
            Some(json!({"nickname": email, "email": email})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    s.control_ok(
        Method::PUT,
        &format!("/accounts/{id}/password"),
        Some(json!({"password": PASSWORD})),
    )
    .await;
}

/// An English sign-in page's browser.
pub(super) async fn browser_at(base: &str) -> Browser {
    let b = Browser::at(base);
    assert_eq!(b.get("/login?lang=en").await.status, 200);
    b
}

pub(super) async fn sign_in(b: &Browser, login: &str, password: &str) -> Page {
    let form = b.get("/login").await;
    let csrf = form.field("csrf_token").expect("csrf field");
    b.post(
        "/login",
        &[
            ("csrf_token", csrf.as_str()),
            ("continue", "/"),
            ("login", login),
            ("password", password),
        ],
    )
    .await
}

pub(super) fn assert_throttled(page: &Page, retry_after: &str, wait: &str) {
    assert_eq!(page.status, 429, "{}", page.text);
    assert_eq!(
        page.headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some(retry_after)
    );
    let message = format!("Too many sign-in attempts. Please try again in {wait}.");
    assert!(page.text.contains(&message), "{}", page.text);
}

/// `LOGIN_LIMIT` wrong passwords block the login for the backoff: the right password is
/// refused then too, and no password is hashed; once the clock passes the block the
/// right password signs in and the count starts over.
async fn wrong_passwords_block_the_login_without_hashing(s: TestServer) {
    account(&s, "guessed@example.com").await;
    let b = browser_at(&s.base).await;
    for _ in 1..LOGIN_LIMIT {
        assert_eq!(
            sign_in(&b, "guessed@example.com", "wrong pass 1")
                .await
                .status,
            401
        );
    }
    let blocking = sign_in(&b, "Guessed@Example.com", "wrong pass 2").await;
    assert_throttled(&blocking, "30", "30 seconds");
    let hashes = s.password_hashes();
    let refused = sign_in(&b, "guessed@example.com", PASSWORD).await;
    assert_throttled(&refused, "30", "30 seconds");
    assert_eq!(
        s.password_hashes(),
        hashes,
        "a blocked attempt hashes nothing"
    );

    s.clock.advance(chrono::Duration::seconds(20));
    assert_throttled(
        &sign_in(&b, "guessed@example.com", PASSWORD).await,
        "10",
        "10 seconds",
    );
    s.clock.advance(chrono::Duration::seconds(10));
    let signed = sign_in(&b, "guessed@example.com", PASSWORD).await;
    assert_eq!(signed.status, 303, "{}", signed.text);
    for _ in 1..LOGIN_LIMIT {
        let again = sign_in(&b, "guessed@example.com", "wrong pass 3").await;
        assert_eq!(again.status, 401, "{}", again.text);
    }
    // The first block's length again, not a doubled one: success forgot the lockout.
    let again = sign_in(&b, "guessed@example.com", "wrong pass 4").await;
    assert_throttled(&again, "30", "30 seconds");
}

/// A blocked login does not block another account's owner at the same address.
async fn other_logins_from_the_address_still_sign_in(s: TestServer) {
    account(&s, "victim@example.com").await;
    account(&s, "bystander@example.com").await;
    let b = browser_at(&s.base).await;
    for _ in 0..LOGIN_LIMIT {
        sign_in(&b, "victim@example.com", "wrong password").await;
    }
    assert_eq!(
        sign_in(&b, "victim@example.com", PASSWORD).await.status,
        429
    );
    let other = sign_in(&b, "bystander@example.com", PASSWORD).await;
    assert_eq!(other.status, 303, "{}", other.text);
}

/// Guessing across many logins from one address hits the address's limit: then even a
/// login never tried before is refused from there, for the address's backoff.
async fn the_address_limit_spans_logins(s: TestServer) {
    account(&s, "fresh@example.com").await;
    let b = browser_at(&s.base).await;
    for i in 1..ADDRESS_LIMIT {
        let page = sign_in(&b, &format!("nobody{i}@example.com"), "wrong password").await;
        assert_eq!(page.status, 401, "{}", page.text);
    }
    let last = sign_in(&b, "nobody-last@example.com", "wrong password").await;
    assert_throttled(&last, "60", "60 seconds");
    let fresh = sign_in(&b, "fresh@example.com", PASSWORD).await;
    assert_throttled(&fresh, "60", "60 seconds");
    s.clock.advance(chrono::Duration::seconds(60));
    assert_eq!(sign_in(&b, "fresh@example.com", PASSWORD).await.status, 303);
}

/// Failures counted on node A block the login on node B (same PostgreSQL database).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_nodes_share_the_throttle() {
    let Some(a) = TestServer::start_with(Engine::Postgres, limits).await else {
        return;
    };
    let mut config = Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: a.database_url.clone(),
        ..Config::default()
    };
    limits(&mut config);
    let b = Server::new(config)
        .with_clock(Arc::new(a.clock.clone()))
        .start()
        .await
        .expect("second node starts");
    account(&a, "shared@example.com").await;
    let on_a = browser_at(&a.base).await;
    for _ in 1..LOGIN_LIMIT {
        assert_eq!(
            sign_in(&on_a, "shared@example.com", "wrong password")
                .await
                .status,
            401
        );
    }
    let on_b = browser_at(&format!("http://{}", b.addr)).await;
    let blocked = sign_in(&on_b, "shared@example.com", "wrong password").await;
    assert_throttled(&blocked, "30", "30 seconds");
    let hashes = b.password_gate().hashed();
    assert_throttled(
        &sign_in(&on_a, "shared@example.com", PASSWORD).await,
        "30",
        "30 seconds",
    );
    assert_throttled(
        &sign_in(&on_b, "shared@example.com", PASSWORD).await,
        "30",
        "30 seconds",
    );
    assert_eq!(b.password_gate().hashed(), hashes, "node b hashed nothing");
    b.shutdown().await.expect("node b stops");
}
