//! `X-Forwarded-For` names the client only when the socket peer is a trusted proxy:
//! behind one, each forwarded client has its own address limit; without one, a guesser
//! who writes a new `X-Forwarded-For` on every attempt is still one address.

use super::{account, assert_throttled, limits, sign_in, ADDRESS_LIMIT, PASSWORD};
use reqwest::header::{HeaderMap, HeaderValue};
use talkchannel_server::Config;
use talkchannel_testkit::{Browser, TestServer};

/// The throttle limits, with the test's own address (where its requests come from) as a
/// trusted proxy.
pub(crate) fn proxied(config: &mut Config) {
    limits(config);
    config.sign_in.trusted_proxies = vec!["127.0.0.0/8".into(), "::1".into()];
}

/// An English sign-in page's browser whose requests say they were forwarded for `client`.
async fn forwarded_for(base: &str, client: &str) -> Browser {
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-forwarded-for",
        HeaderValue::from_str(client).expect("header value"),
    );
    let b = Browser::with_headers(base, headers);
    assert_eq!(b.get("/login?lang=en").await.status, 200);
    b
}

pub(crate) async fn each_forwarded_client_has_its_own_address_limit(s: TestServer) {
    account(&s, "neighbour@example.com").await;
    let guesser = forwarded_for(&s.base, "203.0.113.7").await;
    for i in 1..ADDRESS_LIMIT {
        let page = sign_in(&guesser, &format!("nobody{i}@example.com"), "wrong").await;
        assert_eq!(page.status, 401, "{}", page.text);
    }
    let last = sign_in(&guesser, "nobody-last@example.com", "wrong").await;
    assert_throttled(&last, "60", "60 seconds");

    // Another client behind the same proxy is not the guesser, even when it (or
    // anyone) wrote the guesser's address first: the proxy appended the real one.
    let neighbour = forwarded_for(&s.base, "203.0.113.7, 198.51.100.20").await;
    let page = sign_in(&neighbour, "neighbour@example.com", PASSWORD).await;
    assert_eq!(page.status, 303, "{}", page.text);
    // ... and the guesser stays blocked whatever it signs in as.
    let still = sign_in(&guesser, "neighbour@example.com", PASSWORD).await;
    assert_throttled(&still, "60", "60 seconds");
}

pub(crate) async fn a_forged_forwarded_for_does_not_escape_the_address_limit(s: TestServer) {
    account(&s, "target@example.com").await;
    for i in 1..ADDRESS_LIMIT {
        let forged = forwarded_for(&s.base, &format!("192.0.2.{i}")).await;
        let page = sign_in(&forged, &format!("nobody{i}@example.com"), "wrong").await;
        assert_eq!(page.status, 401, "{}", page.text);
    }
    let forged = forwarded_for(&s.base, "192.0.2.200").await;
    let last = sign_in(&forged, "nobody-last@example.com", "wrong").await;
    assert_throttled(&last, "60", "60 seconds");
    // Each login was tried once (fewer than LOGIN_LIMIT times): the address blocked it.
    let fresh = forwarded_for(&s.base, "192.0.2.201").await;
    assert_throttled(
        &sign_in(&fresh, "target@example.com", PASSWORD).await,
        "60",
        "60 seconds",
    );
}
