//! Kakao Login's authorization step over HTTP with a cookie-keeping client: sign-in,
//! consent, the code and its redemption, and every way a request can be wrong.

use reqwest::Method;
use serde_json::json;
use talkchannel_testkit::{on_both_engines, AppFixture, Browser, Page, Reply, TestServer};

on_both_engines!(
    login_consent_code_and_token,
    codes_are_single_use_short_lived_and_bound,
    consent_offers_channels_and_adds_the_ticked_ones,
);

pub const CALLBACK: &str = "https://shop.example/cb";
pub const PASSWORD: &str = "correct horse battery";

/// An app with a registered callback, and an account that can sign in by email.
pub async fn login_setup(s: &TestServer, email: &str, nickname: &str) -> (AppFixture, i64) {
    let app = s.create_app("Shop").await;
    s.control_ok(
        Method::PUT,
        &format!("/apps/{}/redirect-uris", app.id),
        Some(json!({"redirect_uris": [CALLBACK]})),
    )
    .await;
    let account = s
        .control_ok(
            Method::POST,
            "/accounts",
            Some(json!({"nickname": nickname, "email": email})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    s.control_ok(
        Method::PUT,
        &format!("/accounts/{account}/password"),
        Some(json!({"password": PASSWORD})),
    )
    .await;
    (app, account)
}

pub fn authorize_path(client_id: &str, extra: &str) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    q.append_pair("client_id", client_id)
        .append_pair("redirect_uri", CALLBACK)
        .append_pair("response_type", "code");
    format!("/oauth/authorize?{}{extra}", q.finish())
}

/// Signs in through the sign-in page the authorize request leads to; returns the page
/// after sign-in (the consent page, or a redirect with the code).
pub async fn sign_in_through(b: &Browser, start: &str, email: &str) -> Page {
    let first = b.get(start).await;
    assert_eq!(first.status, 303, "{}", first.text);
    assert!(
        first.location().starts_with("/login?continue="),
        "{}",
        first.location()
    );
    let form = b.get(first.location()).await;
    assert_eq!(form.status, 200, "{}", form.text);
    let csrf = form.field("csrf_token").expect("csrf field");
    let next = form.field("continue").expect("continue field");
    let signed = b
        .post(
            "/login",
            &[
                ("csrf_token", &csrf),
                ("continue", &next),
                ("login", email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(signed.status, 303, "{}", signed.text);
    assert_eq!(signed.location(), next);
    b.get(&next).await
}

pub fn code_of(page: &Page, state: Option<&str>) -> String {
    assert_eq!(page.status, 303, "{}", page.text);
    let url = url::Url::parse(page.location()).expect("absolute redirect");
    assert_eq!(
        format!(
            "{}://{}{}",
            url.scheme(),
            url.host_str().unwrap(),
            url.path()
        ),
        CALLBACK
    );
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q.get("state").map(String::as_str), state, "{url}");
    q.get("code")
        .cloned()
        .unwrap_or_else(|| panic!("no code in {url}"))
}

pub async fn agree(b: &Browser, consent: &Page, extra: &[(&str, &str)]) -> Page {
    assert_eq!(consent.status, 200, "{}", consent.text);
    let mut form: Vec<(String, String)> = [
        "csrf_token",
        "client_id",
        "redirect_uri",
        "response_type",
        "scope",
        "state",
        "channel_public_id",
    ]
    .iter()
    .filter_map(|k| consent.field(k).map(|v| ((*k).to_owned(), v)))
    .collect();
    form.push(("action".into(), "agree".into()));
    for (k, v) in extra {
        form.push(((*k).to_owned(), (*v).to_owned()));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post("/oauth/authorize", &pairs).await
}

pub use crate::kauth_token::post_form as token;

pub fn assert_koe(reply: &Reply, status: u16, code: &str) {
    assert_eq!(
        (reply.status.as_u16(), reply.body["error_code"].as_str()),
        (status, Some(code)),
        "{}",
        reply.text
    );
    assert!(
        reply.body["error"].is_string() && reply.body["error_description"].is_string(),
        "{}",
        reply.text
    );
}

async fn login_consent_code_and_token(s: TestServer) {
    let (app, account) = login_setup(&s, "minji@example.com", "민지").await;
    let b = Browser::new(&s);
    let start = authorize_path(
        &app.javascript_key,
        "&scope=plusfriends,profile_nickname&state=xyz%201",
    );
    let consent = sign_in_through(&b, &start, "MinJi@Example.com").await;
    assert!(
        consent.text.contains("카카오톡 채널 추가 상태 및 내역"),
        "{}",
        consent.text
    );
    let session = b.cookie("tc_session").expect("session cookie");
    let set_cookie = consent.headers.get_all("set-cookie").iter().count();
    assert_eq!(
        set_cookie, 0,
        "the signed-in session is reused, not replaced"
    );
    let code = code_of(
        &agree(
            &b,
            &consent,
            &[
                ("scope_item", "plusfriends"),
                ("scope_item", "profile_nickname"),
            ],
        )
        .await,
        Some("xyz 1"),
    );

    let tokens = token(
        &s,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &app.rest_api_key),
            ("redirect_uri", CALLBACK),
            ("code", &code),
            ("client_secret", "ignored"),
        ],
    )
    .await;
    assert_eq!(tokens.status, 200, "{}", tokens.text);
    assert_eq!(tokens.body["token_type"], "bearer");
    assert_eq!(tokens.body["expires_in"], 21_599);
    assert_eq!(tokens.body["refresh_token_expires_in"], 5_183_999);
    assert_eq!(tokens.body["scope"], "plusfriends profile_nickname");
    let bearer = format!("Bearer {}", tokens.body["access_token"].as_str().unwrap());
    let me = s
        .call(Method::GET, "/v2/user/me", Some(&bearer), None)
        .await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body["properties"]["nickname"], "민지");
    let linked = s
        .control_ok(
            Method::GET,
            &format!("/apps/{}/users/{}", app.id, me.body["id"]),
            None,
        )
        .await;
    assert_eq!(linked["account_id"], account);

    // Already consented: the next authorize redirects at once with a new code.
    let again = b
        .get(&authorize_path(&app.rest_api_key, "&scope=plusfriends"))
        .await;
    let second = code_of(&again, None);
    assert_ne!(second, code);
    assert_eq!(b.cookie("tc_session").as_deref(), Some(session.as_str()));

    // The refresh token of this app is another app's invalid grant.
    let other = s.create_app("Other").await;
    let refresh = tokens.body["refresh_token"].as_str().unwrap();
    let reply = token(
        &s,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &other.rest_api_key),
            ("refresh_token", refresh),
        ],
    )
    .await;
    assert_koe(&reply, 400, "KOE322");
}

async fn codes_are_single_use_short_lived_and_bound(s: TestServer) {
    let (app, _) = login_setup(&s, "a@example.com", "A").await;
    let b = Browser::new(&s);
    let consent = sign_in_through(
        &b,
        &authorize_path(&app.rest_api_key, "&scope=plusfriends"),
        "a@example.com",
    )
    .await;
    let code = code_of(
        &agree(&b, &consent, &[("scope_item", "plusfriends")]).await,
        None,
    );
    let redeem = |client: String, uri: &'static str, code: String| {
        let s = &s;
        async move {
            token(
                s,
                &[
                    ("grant_type", "authorization_code"),
                    ("client_id", &client),
                    ("redirect_uri", uri),
                    ("code", &code),
                ],
            )
            .await
        }
    };
    // Wrong redirect_uri: refused, and the code is spent.
    assert_koe(
        &redeem(
            app.rest_api_key.clone(),
            "https://shop.example/other",
            code.clone(),
        )
        .await,
        400,
        "KOE303",
    );
    assert_koe(
        &redeem(app.rest_api_key.clone(), CALLBACK, code).await,
        400,
        "KOE320",
    );

    // Another app's client id cannot redeem this app's code.
    let other = s.create_app("Other").await;
    let code = code_of(&b.get(&authorize_path(&app.rest_api_key, "")).await, None);
    assert_koe(
        &redeem(other.rest_api_key.clone(), CALLBACK, code.clone()).await,
        400,
        "KOE320",
    );
    // An admin key is not a client id.
    assert_koe(
        &redeem(app.admin_key.clone(), CALLBACK, code).await,
        401,
        "KOE101",
    );

    // Replayed: the first use wins, the second is KOE320.
    let code = code_of(&b.get(&authorize_path(&app.rest_api_key, "")).await, None);
    assert_eq!(
        redeem(app.rest_api_key.clone(), CALLBACK, code.clone())
            .await
            .status,
        200
    );
    assert_koe(
        &redeem(app.rest_api_key.clone(), CALLBACK, code).await,
        400,
        "KOE320",
    );

    // Expired: codes live 10 minutes on the server's clock.
    let code = code_of(&b.get(&authorize_path(&app.rest_api_key, "")).await, None);
    s.clock.advance(chrono::Duration::minutes(10));
    assert_koe(
        &redeem(app.rest_api_key.clone(), CALLBACK, code).await,
        400,
        "KOE320",
    );

    // Missing parameters.
    let reply = token(
        &s,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &app.rest_api_key),
            ("code", "x"),
        ],
    )
    .await;
    assert_koe(&reply, 400, "KOE010");
}

async fn consent_offers_channels_and_adds_the_ticked_ones(s: TestServer) {
    let (app, account) = login_setup(&s, "e@example.com", "E").await;
    for (id, name) in [("_shop", "가게"), ("_news", "소식")] {
        s.create_channel(id, name).await;
        s.connect(&app, id).await;
    }
    let b = Browser::new(&s);
    let consent = sign_in_through(
        &b,
        &authorize_path(
            &app.rest_api_key,
            "&scope=plusfriends&channel_public_id=_shop,_news",
        ),
        "e@example.com",
    )
    .await;
    assert!(
        consent.text.contains("가게") && consent.text.contains("소식"),
        "{}",
        consent.text
    );
    let code = code_of(
        &agree(
            &b,
            &consent,
            &[("scope_item", "plusfriends"), ("add_channel", "_shop")],
        )
        .await,
        None,
    );
    assert!(!code.is_empty());
    let relation = |id: &'static str| {
        let s = &s;
        async move {
            s.control_ok(
                Method::GET,
                &format!("/channels/{id}/friendships/{account}"),
                None,
            )
            .await["relation"]
                .clone()
        }
    };
    assert_eq!(relation("_shop").await, "ADDED");
    assert_eq!(relation("_news").await, "NONE");
}
