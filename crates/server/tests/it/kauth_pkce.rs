//! PKCE (RFC 7636) in Kakao Login: `code_challenge` / `code_challenge_method` at
//! `/oauth/authorize` (and through the consent form), `code_verifier` at `/oauth/token`.

use crate::kauth_authorize::{
    assert_koe, authorize_path, code_of, login_setup, sign_in_through, token, CALLBACK,
};
use talkchannel_testkit::{on_both_engines, AppFixture, Browser, Page, Reply, TestServer};

on_both_engines!(
    s256_challenge_is_carried_through_consent_and_checked,
    plain_challenge_is_the_default_and_checked,
    bad_verifiers_are_refused_and_spend_the_code,
    bad_challenges_go_back_to_the_redirect_uri,
    a_challenge_altered_in_the_consent_form_is_refused_and_grants_nothing,
);

/// RFC 7636 Appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const S256_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const S256: &str =
    "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";

/// The consent form's fields, as a browser would post them back when agreeing.
const FORM_FIELDS: [&str; 9] = [
    "csrf_token",
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "channel_public_id",
    "code_challenge",
    "code_challenge_method",
];

fn consent_form(consent: &Page) -> Vec<(String, String)> {
    assert_eq!(consent.status, 200, "{}", consent.text);
    let mut form: Vec<(String, String)> = FORM_FIELDS
        .iter()
        .filter_map(|k| consent.field(k).map(|v| ((*k).to_owned(), v)))
        .collect();
    form.push(("action".into(), "agree".into()));
    form
}

async fn post_consent(b: &Browser, form: &[(String, String)]) -> Page {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post("/oauth/authorize", &pairs).await
}

/// A signed-in browser whose account has already consented to the app, so that each
/// further authorize request redirects with a code at once.
async fn consented(s: &TestServer, email: &str) -> (AppFixture, Browser) {
    let (app, _) = login_setup(s, email, "민지").await;
    let b = Browser::new(s);
    let consent = sign_in_through(&b, &authorize_path(&app.rest_api_key, ""), email).await;
    code_of(&post_consent(&b, &consent_form(&consent)).await, None);
    (app, b)
}

async fn code_with(b: &Browser, app: &AppFixture, extra: &str) -> String {
    code_of(
        &b.get(&authorize_path(&app.rest_api_key, extra)).await,
        None,
    )
}

async fn redeem(s: &TestServer, app: &AppFixture, code: &str, verifier: Option<&str>) -> Reply {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("client_id", app.rest_api_key.as_str()),
        ("redirect_uri", CALLBACK),
        ("code", code),
    ];
    form.extend(verifier.map(|v| ("code_verifier", v)));
    token(s, &form).await
}

fn assert_refused(reply: &Reply, error: &str, code: &str) {
    assert_koe(reply, 400, code);
    assert_eq!(reply.body["error"], error, "{}", reply.text);
    assert!(reply.body.get("access_token").is_none(), "{}", reply.text);
}

/// The `error`, `error_description` and `state` an authorize request was sent back with.
fn redirect_error(page: &Page) -> (String, String, Option<String>) {
    assert_eq!(page.status, 303, "{}", page.text);
    let url = url::Url::parse(page.location()).expect("absolute redirect");
    assert!(url.as_str().starts_with(CALLBACK), "{url}");
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert!(!q.contains_key("code"), "no code with an error: {url}");
    (
        q.get("error").cloned().unwrap_or_default(),
        q.get("error_description").cloned().unwrap_or_default(),
        q.get("state").cloned(),
    )
}

async fn s256_challenge_is_carried_through_consent_and_checked(s: TestServer) {
    let (app, _) = login_setup(&s, "pkce@example.com", "민지").await;
    let b = Browser::new(&s);
    let start = authorize_path(&app.rest_api_key, &format!("{S256}&state=st"));
    let consent = sign_in_through(&b, &start, "pkce@example.com").await;
    assert_eq!(
        consent.field("code_challenge").as_deref(),
        Some(S256_CHALLENGE)
    );
    assert_eq!(
        consent.field("code_challenge_method").as_deref(),
        Some("S256")
    );
    let code = code_of(&post_consent(&b, &consent_form(&consent)).await, Some("st"));
    let reply = redeem(&s, &app, &code, Some(VERIFIER)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.body["access_token"].is_string(), "{}", reply.text);

    // Without a challenge no verifier is needed, and one sent anyway is refused.
    let plain_login = code_with(&b, &app, "").await;
    assert_eq!(redeem(&s, &app, &plain_login, None).await.status, 200);
    let downgraded = code_with(&b, &app, "").await;
    let reply = redeem(&s, &app, &downgraded, Some(VERIFIER)).await;
    assert_refused(&reply, "invalid_grant", "KOE320");
}

async fn plain_challenge_is_the_default_and_checked(s: TestServer) {
    let (app, b) = consented(&s, "plain@example.com").await;
    let verifier = "plain-verifier_0123456789.abcdefghij~ABCDEFGHIJ";
    for extra in [
        format!("&code_challenge={verifier}"),
        format!("&code_challenge={verifier}&code_challenge_method=plain"),
    ] {
        let code = code_with(&b, &app, &extra).await;
        let reply = redeem(&s, &app, &code, Some(verifier)).await;
        assert_eq!(reply.status, 200, "{extra}: {}", reply.text);
    }
    // A plain challenge is compared as it is: its S256 transform is not its verifier.
    let code = code_with(&b, &app, &format!("&code_challenge={S256_CHALLENGE}")).await;
    let reply = redeem(&s, &app, &code, Some(VERIFIER)).await;
    assert_refused(&reply, "invalid_grant", "KOE320");
}

/// A missing or wrong verifier spends the code (a leaked code is tried once); a malformed
/// one (wrong length or alphabet) is the client's typo, refused before the code is
/// looked at, and changes nothing.
async fn bad_verifiers_are_refused_and_spend_the_code(s: TestServer) {
    let (app, b) = consented(&s, "bad@example.com").await;
    let wrong = format!("{}A", &VERIFIER[..42]);
    let too_short = &VERIFIER[..42];
    let too_long = "a".repeat(129);
    let bad_char = format!("{}+", &VERIFIER[..42]);
    let cases: [(Option<&str>, &str, &str); 5] = [
        (None, "invalid_grant", "KOE320"),
        (Some(&wrong), "invalid_grant", "KOE320"),
        (Some(too_short), "invalid_request", "KOE010"),
        (Some(&too_long), "invalid_request", "KOE010"),
        (Some(&bad_char), "invalid_request", "KOE010"),
    ];
    for (verifier, error, koe) in cases {
        let code = code_with(&b, &app, S256).await;
        let reply = redeem(&s, &app, &code, verifier).await;
        assert_refused(&reply, error, koe);
        let described = reply.body["error_description"].as_str().unwrap_or_default();
        assert!(
            described.contains("code_verifier"),
            "{verifier:?}: {described}"
        );
        let retry = redeem(&s, &app, &code, Some(VERIFIER)).await;
        if error == "invalid_grant" {
            assert_refused(&retry, "invalid_grant", "KOE320");
        } else {
            assert_eq!(
                retry.status, 200,
                "{verifier:?} spent nothing: {}",
                retry.text
            );
        }
    }
}

async fn bad_challenges_go_back_to_the_redirect_uri(s: TestServer) {
    let (app, b) = consented(&s, "challenge@example.com").await;
    let cases = [
        format!("&code_challenge={S256_CHALLENGE}&code_challenge_method=S512"),
        format!("&code_challenge={S256_CHALLENGE}&code_challenge_method=s256"),
        "&code_challenge_method=S256".to_owned(),
        format!("&code_challenge={}", &S256_CHALLENGE[..42]),
        format!(
            "&code_challenge={}&code_challenge_method=plain",
            "a".repeat(129)
        ),
        format!("&code_challenge={}%2B", &S256_CHALLENGE[..42]),
        format!(
            "&code_challenge={}~&code_challenge_method=S256",
            &S256_CHALLENGE[..42]
        ),
        format!("&code_challenge={VERIFIER}a&code_challenge_method=S256"),
    ];
    for extra in cases {
        let page = b
            .get(&authorize_path(
                &app.rest_api_key,
                &format!("{extra}&state=s1"),
            ))
            .await;
        let (error, description, state) = redirect_error(&page);
        assert_eq!(
            (error.as_str(), state.as_deref()),
            ("invalid_request", Some("s1")),
            "{extra}"
        );
        assert!(
            description.contains("code_challenge"),
            "{extra}: {description}"
        );
    }
    // A signed-out browser is sent back the same way, before any sign-in.
    let page = Browser::new(&s)
        .get(&authorize_path(&app.rest_api_key, "&code_challenge=short"))
        .await;
    assert_eq!(redirect_error(&page).0, "invalid_request");
}

async fn a_challenge_altered_in_the_consent_form_is_refused_and_grants_nothing(s: TestServer) {
    let (app, _) = login_setup(&s, "form@example.com", "민지").await;
    let b = Browser::new(&s);
    let start = authorize_path(&app.rest_api_key, S256);
    let consent = sign_in_through(&b, &start, "form@example.com").await;
    let mut form = consent_form(&consent);
    for (k, v) in form.iter_mut() {
        if k == "code_challenge_method" {
            *v = "S512".into();
        }
    }
    let (error, _, _) = redirect_error(&post_consent(&b, &form).await);
    assert_eq!(error, "invalid_request");
    // Nothing was granted: a silent request still needs consent.
    let silent = b
        .get(&authorize_path(&app.rest_api_key, "&prompt=none"))
        .await;
    assert_eq!(redirect_error(&silent).0, "consent_required");
}
