//! Channel pages, bridges, Follow Channel and the SDK's pre-flight over HTTP: statuses,
//! escaping, sign-in redirects, KAE results and what changes (only through the one
//! friendship service, so the webhook fires).

use crate::kauth_authorize::{login_setup, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};
use talkchannel_testkit::{on_both_engines, AppFixture, Browser, TestServer};

on_both_engines!(
    home_shows_the_channel_escaped_with_its_friend_count,
    unknown_and_sanctioned_channels_get_clear_pages,
    the_add_bridge_signs_in_then_adds_once,
    the_sdk_and_assets_are_served,
);

pub async fn signed_in(s: &TestServer, email: &str, nickname: &str) -> (AppFixture, i64, Browser) {
    let (app, account) = login_setup(s, email, nickname).await;
    let b = Browser::new(s);
    let form = b.get("/login").await;
    let done = b
        .post(
            "/login",
            &[
                ("csrf_token", &form.field("csrf_token").unwrap()),
                ("continue", "/"),
                ("login", email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.text);
    (app, account, b)
}

pub async fn relation(s: &TestServer, channel: &str, account: i64) -> Value {
    s.control_ok(
        Method::GET,
        &format!("/channels/{channel}/friendships/{account}"),
        None,
    )
    .await["relation"]
        .clone()
}

async fn home_shows_the_channel_escaped_with_its_friend_count(s: TestServer) {
    s.create_channel("_xss", "<img src=x onerror=alert(1)>가게")
        .await;
    for n in 0..3 {
        let account = s.create_account(&format!("friend {n}")).await;
        s.friend(account, "_xss", "add").await;
    }
    let b = Browser::new(&s);
    let page = b
        .get(
            "/_xss?app_key=k&kakao_agent=sdk%2F1&api_ver=1.1&referer=https%3A%2F%2Fshop.example%2F",
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        !page.text.contains("<img src=x"),
        "the name is escaped: {}",
        page.text
    );
    assert!(
        page.text
            .contains("&#60;img src=x onerror=alert(1)&#62;가게"),
        "{}",
        page.text
    );
    assert!(
        page.text.contains("<span class=\"num\">3</span>"),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains("/_xss/friend?app_key=k&#38;kakao_agent="),
        "bridge links keep the SDK's parameters"
    );
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    // English by Accept-Language, Korean by default, and the switch sets a cookie.
    assert!(page.text.contains("<html lang=\"ko\">"));
    let en = b.get("/_xss?lang=en").await;
    assert!(en.text.contains("<html lang=\"en\">") && en.text.contains("friends"));
    assert_eq!(b.cookie("tc_lang").as_deref(), Some("en"));
    assert!(
        b.get("/_xss").await.text.contains("<html lang=\"en\">"),
        "the choice sticks"
    );
    let res = s
        .http
        .get(s.url("/_xss"))
        .header("accept-language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(res.text().await.unwrap().contains("<html lang=\"en\">"));
}

async fn unknown_and_sanctioned_channels_get_clear_pages(s: TestServer) {
    s.create_channel("_banned", "Banned").await;
    s.control_ok(
        Method::PATCH,
        "/channels/_banned",
        Some(json!({"status": "sanctioned"})),
    )
    .await;
    let b = Browser::new(&s);
    for (path, status) in [
        ("/_nope", 404),
        ("/_nope/friend", 404),
        ("/_nope/chat", 404),
        ("/_bad-id!", 404),
        ("/_banned", 403),
        ("/_banned/friend", 403),
    ] {
        let page = b.get(path).await;
        assert_eq!(page.status, status, "{path}: {}", page.text);
        assert!(
            page.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        assert!(page.text.contains("<h1"), "{path}");
    }
    // A single segment that is not a channel id is an unknown path, answered as before.
    let reply = s.call(Method::GET, "/nothing-here", None, None).await;
    assert_eq!(reply.status, 404);
    assert!(reply.body["error"].is_object(), "{}", reply.text);
    let reply = s.call(Method::POST, "/nothing-here", None, None).await;
    assert_eq!(reply.status, 404, "{}", reply.text);
}

async fn the_add_bridge_signs_in_then_adds_once(s: TestServer) {
    let (app, account) = login_setup(&s, "f@example.com", "F").await;
    s.create_channel("_add", "Add me").await;
    let receiver = talkchannel_testkit::Receiver::start(talkchannel_testkit::Mode::Ok).await;
    s.control_ok(
        Method::PUT,
        &format!("/apps/{}/webhook", app.id),
        Some(json!({"url": receiver.url})),
    )
    .await;
    s.connect(&app, "_add").await;
    let b = Browser::new(&s);
    let first = b.get("/_add/friend?app_key=abc").await;
    assert_eq!(first.status, 303);
    assert_eq!(
        first.location(),
        "/login?continue=%2F_add%2Ffriend%3Fapp_key%3Dabc"
    );
    let form = b.get(first.location()).await;
    let signed = b
        .post(
            "/login",
            &[
                ("csrf_token", &form.field("csrf_token").unwrap()),
                ("continue", &form.field("continue").unwrap()),
                ("login", "f@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(signed.location(), "/_add/friend?app_key=abc");
    let confirm = b.get(signed.location()).await;
    assert!(
        confirm.text.contains("id=\"confirm-add\""),
        "{}",
        confirm.text
    );
    assert_eq!(
        relation(&s, "_add", account).await,
        "NONE",
        "showing the page changes nothing"
    );
    // Without the CSRF token, or with another session's: refused, nothing changes.
    let other = Browser::new(&s);
    let foreign = other.get("/login").await.field("csrf_token").unwrap();
    for token in ["", foreign.as_str()] {
        let refused = b
            .post(
                "/_add/friend?app_key=abc",
                &[("csrf_token", token), ("action", "add")],
            )
            .await;
        assert_eq!(refused.status, 403, "{}", refused.text);
    }
    assert_eq!(relation(&s, "_add", account).await, "NONE");
    let added = b
        .post(
            "/_add/friend?app_key=abc",
            &[
                ("csrf_token", &confirm.field("csrf_token").unwrap()),
                ("action", "add"),
            ],
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.text);
    assert!(added.text.contains("data-status=\"ok\""));
    assert_eq!(relation(&s, "_add", account).await, "ADDED");
    let again = b.get("/_add/friend").await;
    assert!(
        !again.text.contains("confirm-add"),
        "already added: no second confirmation"
    );
    let got = receiver
        .wait_accepted(1, std::time::Duration::from_secs(10))
        .await;
    assert_eq!(
        (
            got[0].body["event"].as_str(),
            got[0].body["channel_public_id"].as_str()
        ),
        (Some("added"), Some("_add"))
    );
    // The chat bridge opens the room for the signed-in user.
    let chat = b.get("/_add/chat").await;
    assert_eq!(chat.status, 200);
    assert!(chat.text.contains("id=\"thread\""));
    // Signing out ends the session: the bridge asks to sign in again.
    let out = b
        .post(
            "/logout",
            &[
                ("csrf_token", &chat.field("csrf_token").unwrap()),
                ("continue", "/_add"),
            ],
        )
        .await;
    assert_eq!((out.status.as_u16(), out.location()), (303, "/_add"));
    assert_eq!(b.get("/_add/chat").await.status, 303);
}

async fn the_sdk_and_assets_are_served(s: TestServer) {
    for (path, kind) in [
        ("/sdk/js/kakao.min.js", "text/javascript"),
        ("/sdk/js/kakao.js", "text/javascript"),
        ("/assets/talkchannel.css", "text/css"),
    ] {
        let res = s.http.get(s.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with(kind),
            "{path}"
        );
        let body = res.text().await.unwrap();
        assert!(!body.is_empty());
        if path.ends_with(".js") && path.contains("sdk") {
            for name in [
                "createAddChannelButton",
                "createChatButton",
                "followChannel",
                "setAccessToken",
                "isInitialized",
            ] {
                assert!(body.contains(name), "{name}");
            }
        }
    }
    // The SDK's kapi calls pass the browser's preflight.
    let res = s
        .http
        .request(Method::OPTIONS, s.url("/v2/api/talk/channels"))
        .header("origin", "https://shop.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    // Pages get no CORS headers.
    let res = s
        .http
        .get(s.url("/login"))
        .header("origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

/// The emulator's quick account picker: off by default (its POST is refused), and when
/// on, lists accounts (escaped) and signs in as the one picked, with the CSRF token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_picker_is_opt_in() {
    use talkchannel_testkit::Engine;
    let off = TestServer::start(Engine::Sqlite)
        .await
        .expect("sqlite starts");
    let b = Browser::new(&off);
    let form = b.get("/login").await;
    assert!(!form.text.contains("/login/as"), "no picker by default");
    let refused = b
        .post(
            "/login/as",
            &[
                ("csrf_token", &form.field("csrf_token").unwrap()),
                ("account_id", "1"),
            ],
        )
        .await;
    assert_eq!(refused.status, 404);
    off.stop().await;

    let on = TestServer::start_with(Engine::Sqlite, |c| c.pages.account_picker = true)
        .await
        .expect("sqlite starts");
    let account = on.create_account("<i>민수</i>").await;
    let b = Browser::new(&on);
    let form = b.get("/login?continue=%2F_x").await;
    assert!(
        form.text.contains("&#60;i&#62;민수&#60;/i&#62;"),
        "{}",
        form.text
    );
    let csrf = form.field("csrf_token").unwrap();
    let forged = b
        .post(
            "/login/as",
            &[
                ("csrf_token", "forged"),
                ("account_id", &account.to_string()),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    let picked = b
        .post(
            "/login/as",
            &[
                ("csrf_token", &csrf),
                ("account_id", &account.to_string()),
                ("continue", "/_x"),
            ],
        )
        .await;
    assert_eq!((picked.status.as_u16(), picked.location()), (303, "/_x"));
    let consent_page = b.get("/login").await;
    assert!(
        consent_page
            .text
            .contains("&#60;i&#62;민수&#60;/i&#62;</strong>"),
        "signed in: {}",
        consent_page.text
    );
    on.stop().await;
}
