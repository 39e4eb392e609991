//! Kakao Login's client secret: once an app has one, both token grants need it (KOE010,
//! 401 `invalid_client`), a wrong secret spends nothing, and it can be rotated or removed.

use crate::kauth_authorize::{
    agree, assert_koe, authorize_path, code_of, login_setup, sign_in_through, token, CALLBACK,
};
use reqwest::Method;
use talkchannel_testkit::{on_both_engines, AppFixture, Browser, TestServer};

on_both_engines!(client_secret_guards_both_grants);

/// A fresh authorization code for the signed-in browser.
async fn fresh_code(b: &Browser, app: &AppFixture, first: bool) -> String {
    let start = authorize_path(&app.rest_api_key, "&scope=plusfriends");
    let page = if first {
        let consent = sign_in_through(b, &start, "minji@example.com").await;
        agree(b, &consent, &[("scope_item", "plusfriends")]).await
    } else {
        b.get(&start).await
    };
    code_of(&page, None)
}

fn pairs_of<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn client_secret_guards_both_grants(s: TestServer) {
    let (app, _account) = login_setup(&s, "minji@example.com", "민지").await;
    let secret_path = format!("/apps/{}/client-secret", app.id);
    let off = s.control_ok(Method::GET, &secret_path, None).await;
    assert_eq!(off["enabled"], false);
    let on = s.control_ok(Method::POST, &secret_path, None).await;
    let secret = on["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 32);
    assert_eq!(s.control_ok(Method::GET, &secret_path, None).await, on);

    let b = Browser::new(&s);
    let code = fresh_code(&b, &app, true).await;
    let grant = |secret: Option<&str>, code: &str| {
        let mut form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("client_id", app.rest_api_key.clone()),
            ("redirect_uri", CALLBACK.to_owned()),
            ("code", code.to_owned()),
        ];
        if let Some(secret) = secret {
            form.push(("client_secret", secret.to_owned()));
        }
        form
    };
    for wrong in [None, Some("not-the-secret")] {
        let form = grant(wrong, &code);
        assert_koe(&token(&s, &pairs_of(&form)).await, 401, "KOE010");
    }
    let issued = token(&s, &pairs_of(&grant(Some(&secret), &code))).await;
    assert_eq!(
        issued.status, 200,
        "a wrong secret spent nothing: {}",
        issued.text
    );

    let refresh = issued.body["refresh_token"].as_str().unwrap().to_owned();
    let refresh_form = |secret: &str| -> Vec<(&'static str, String)> {
        vec![
            ("grant_type", "refresh_token".into()),
            ("client_id", app.rest_api_key.clone()),
            ("refresh_token", refresh.clone()),
            ("client_secret", secret.into()),
        ]
    };
    let rotated = s.control_ok(Method::POST, &secret_path, None).await;
    let new_secret = rotated["client_secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret, "rotation makes a new secret");
    assert_koe(
        &token(&s, &pairs_of(&refresh_form(&secret))).await,
        401,
        "KOE010",
    );
    let refreshed = token(&s, &pairs_of(&refresh_form(&new_secret))).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);

    let reply = s.control(Method::DELETE, &secret_path, None).await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    let code = fresh_code(&b, &app, false).await;
    let issued = token(&s, &pairs_of(&grant(None, &code))).await;
    assert_eq!(issued.status, 200, "disabled again: {}", issued.text);

    let unknown = s
        .control(Method::POST, "/apps/987654321/client-secret", None)
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.text);
}
