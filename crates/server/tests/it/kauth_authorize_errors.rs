//! Kakao Login's authorization step refusing what it must: untrusted clients and
//! redirect URIs (a page, never a redirect), later errors sent back to the redirect URI,
//! and CSRF tokens of another session.

use crate::kauth_authorize::{authorize_path, login_setup, sign_in_through, CALLBACK, PASSWORD};
use talkchannel_testkit::{on_both_engines, Browser, Page, TestServer};

on_both_engines!(
    untrusted_clients_and_redirects_get_a_page_not_a_redirect,
    later_errors_go_back_to_the_redirect_uri,
    csrf_tokens_are_bound_to_their_session,
);

async fn untrusted_clients_and_redirects_get_a_page_not_a_redirect(s: TestServer) {
    let (app, _) = login_setup(&s, "b@example.com", "B").await;
    let b = Browser::new(&s);
    let cases = [
        (authorize_path("0123456789abcdef0123456789abcdef", ""), 401, "KOE101"),
        (authorize_path(&app.admin_key, ""), 401, "KOE101"),
        (format!("/oauth/authorize?client_id={}&redirect_uri=https%3A%2F%2Fevil.example%2Fcb&response_type=code", app.rest_api_key), 400, "KOE006"),
        (format!("/oauth/authorize?client_id={}&redirect_uri=https%3A%2F%2Fshop.example%2Fcb%2F&response_type=code", app.rest_api_key), 400, "KOE006"),
        (format!("/oauth/authorize?client_id={}&response_type=code", app.rest_api_key), 400, "KOE010"),
    ];
    for (path, status, code) in cases {
        let page = b.get(&path).await;
        assert_eq!(page.status, status, "{path}: {}", page.text);
        assert!(
            page.location.is_none(),
            "{path} redirected to {}",
            page.location()
        );
        assert!(page.text.contains(code), "{path}: {}", page.text);
        assert!(page.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
    }
    // A channel not connected to the app cannot be offered.
    s.create_channel("_notmine", "남의 채널").await;
    let page = b
        .get(&authorize_path(
            &app.rest_api_key,
            "&channel_public_id=_notmine",
        ))
        .await;
    assert_eq!(page.status, 400);
    assert!(
        page.text.contains("KOE102") && page.location.is_none(),
        "{}",
        page.text
    );
}

async fn later_errors_go_back_to_the_redirect_uri(s: TestServer) {
    let (app, _) = login_setup(&s, "c@example.com", "C").await;
    let b = Browser::new(&s);
    let redirect_error = |page: &Page| {
        let url = url::Url::parse(page.location()).expect("redirect");
        url.query_pairs()
            .into_owned()
            .collect::<std::collections::HashMap<_, _>>()
    };
    let page = b
        .get(
            &authorize_path(&app.rest_api_key, "&state=s1")
                .replace("response_type=code", "response_type=token"),
        )
        .await;
    let q = redirect_error(&page);
    assert_eq!(
        (q["error"].as_str(), q["state"].as_str()),
        ("unsupported_response_type", "s1")
    );
    let q = redirect_error(
        &b.get(&authorize_path(&app.rest_api_key, "&scope=talk_secrets"))
            .await,
    );
    assert_eq!(q["error"], "invalid_scope");
    assert!(
        !q.contains_key("state"),
        "no state was sent, none comes back"
    );
    // prompt=none without a session: login_required, no page.
    let q = redirect_error(
        &b.get(&authorize_path(&app.rest_api_key, "&prompt=none&state=n"))
            .await,
    );
    assert_eq!(
        (q["error"].as_str(), q["state"].as_str()),
        ("login_required", "n")
    );
    // Cancel on the consent page: access_denied.
    let consent = sign_in_through(
        &b,
        &authorize_path(&app.rest_api_key, "&scope=plusfriends&state=c"),
        "c@example.com",
    )
    .await;
    let q = redirect_error(
        &b.get(&authorize_path(
            &app.rest_api_key,
            "&scope=plusfriends&prompt=none",
        ))
        .await,
    );
    assert_eq!(q["error"], "consent_required");
    let cancel = b
        .post(
            "/oauth/authorize",
            &[
                ("csrf_token", &consent.field("csrf_token").unwrap()),
                ("client_id", &app.rest_api_key),
                ("redirect_uri", CALLBACK),
                ("response_type", "code"),
                ("scope", "plusfriends"),
                ("state", "c"),
                ("action", "cancel"),
            ],
        )
        .await;
    let q = redirect_error(&cancel);
    assert_eq!(
        (q["error"].as_str(), q["state"].as_str()),
        ("access_denied", "c")
    );
    let q = redirect_error(
        &b.get(&authorize_path(
            &app.rest_api_key,
            "&scope=plusfriends&prompt=none",
        ))
        .await,
    );
    assert_eq!(q["error"], "consent_required", "declining granted nothing");
}

async fn csrf_tokens_are_bound_to_their_session(s: TestServer) {
    let (app, _) = login_setup(&s, "d@example.com", "D").await;
    let victim = Browser::new(&s);
    let consent = sign_in_through(
        &victim,
        &authorize_path(&app.rest_api_key, "&scope=plusfriends"),
        "d@example.com",
    )
    .await;
    assert!(consent.field("csrf_token").is_some());
    // The attacker's own session has its own token; it does not work in the victim's.
    let attacker = Browser::new(&s);
    let attacker_form = attacker.get("/login").await;
    let foreign = attacker_form.field("csrf_token").unwrap();
    let forged = victim
        .post(
            "/oauth/authorize",
            &[
                ("csrf_token", &foreign),
                ("client_id", &app.rest_api_key),
                ("redirect_uri", CALLBACK),
                ("response_type", "code"),
                ("scope", "plusfriends"),
                ("action", "agree"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.text);
    assert!(forged.location.is_none());
    let missing = victim
        .post(
            "/oauth/authorize",
            &[("client_id", &app.rest_api_key), ("action", "agree")],
        )
        .await;
    assert_eq!(missing.status, 403);
    let after = victim
        .get(&authorize_path(
            &app.rest_api_key,
            "&scope=plusfriends&prompt=none",
        ))
        .await;
    assert!(
        after.location().contains("error=consent_required"),
        "a forged consent granted something: {}",
        after.location()
    );
    // A sign-in form posted with another session's token is refused too.
    let login_page = victim.get("/login").await;
    assert!(login_page.field("csrf_token").is_some());
    let refused = victim
        .post(
            "/login",
            &[
                ("csrf_token", &foreign),
                ("login", "d@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
    // A wrong password is 401 and keeps the session anonymous.
    let fresh = Browser::new(&s);
    let form = fresh.get("/login").await;
    let wrong = fresh
        .post(
            "/login",
            &[
                ("csrf_token", &form.field("csrf_token").unwrap()),
                ("login", "d@example.com"),
                ("password", "wrong password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 401, "{}", wrong.text);
    assert!(wrong.text.contains("role=\"alert\""));
}
