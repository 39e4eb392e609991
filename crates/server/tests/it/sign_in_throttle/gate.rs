//! Password hashing is bounded: with one hash slot and one waiting place, sign-ins that
//! arrive together beyond those are answered 503 at once (with `Retry-After` and a
//! message), the rest sign in, and none is an error of the server's own.

use super::{account, PASSWORD};
use futures_util::future::join_all;
use talkchannel_server::Config;
use talkchannel_testkit::{Browser, Page, TestServer};
use tokio::time::{Duration, Instant};

const SIGN_INS: usize = 8;

pub(crate) fn one_hash_slot(config: &mut Config) {
    config.sign_in.hash_concurrency = 1;
    config.sign_in.hash_queue = 1;
}

/// A browser that has the sign-in form's token, ready to post.
async fn ready(base: &str) -> (Browser, String) {
    let b = Browser::at(base);
    let form = b.get("/login?lang=en").await;
    let csrf = form.field("csrf_token").expect("csrf field");
    (b, csrf)
}

async fn post(b: &Browser, csrf: &str, login: &str) -> Page {
    b.post(
        "/login",
        &[
            ("csrf_token", csrf),
            ("continue", "/"),
            ("login", login),
            ("password", PASSWORD),
        ],
    )
    .await
}

pub(crate) async fn a_full_hash_queue_answers_busy_at_once(s: TestServer) {
    let logins: Vec<String> = (0..SIGN_INS)
        .map(|i| format!("crowd{i}@example.com"))
        .collect();
    for login in &logins {
        account(&s, login).await;
    }
    // Whether requests overlap is up to the scheduler, so rounds repeat (with a
    // deadline) until one round has sign-ins beyond the slot and the waiting place.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut browsers = Vec::new();
        for _ in &logins {
            browsers.push(ready(&s.base).await);
        }
        let pages = join_all(
            browsers
                .iter()
                .zip(&logins)
                .map(|((b, csrf), login)| post(b, csrf, login)),
        )
        .await;
        for page in &pages {
            assert!(
                page.status == 303 || page.status == 503,
                "{}: {}",
                page.status,
                page.text
            );
        }
        let busy: Vec<&Page> = pages.iter().filter(|p| p.status == 503).collect();
        if let Some(page) = busy.first() {
            assert_eq!(
                page.headers
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok()),
                Some("1")
            );
            assert!(
                page.text
                    .contains("Too many sign-in requests right now. Please try again in a moment."),
                "{}",
                page.text
            );
            assert!(
                busy.len() < SIGN_INS,
                "the slot and the waiting place still served someone"
            );
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{SIGN_INS} sign-ins at once never found the hash queue full"
        );
    }
}
