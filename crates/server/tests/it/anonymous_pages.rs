//! An anonymous visitor costs no database write: the sign-in form's CSRF token lives in
//! a cookie the form sends back (double submit), and a session is made only by signing
//! in.

use crate::kauth_authorize::{login_setup, PASSWORD};
use talkchannel_testkit::{on_both_engines, Browser, TestServer};

on_both_engines!(the_sign_in_form_needs_no_session);

async fn the_sign_in_form_needs_no_session(s: TestServer) {
    let email = "anon@example.com";
    login_setup(&s, email, "민지").await;
    let b = Browser::new(&s);
    let form = b.get("/login").await;
    assert_eq!(form.status, 200, "{}", form.text);
    let cookies: Vec<String> = form
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(
        cookies.iter().all(|c| !c.starts_with("tc_session=")),
        "no session for a visitor: {cookies:?}"
    );
    let csrf_cookie = cookies
        .iter()
        .find(|c| c.starts_with("tc_csrf="))
        .expect("the CSRF cookie");
    assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Lax"));
    let token = form.field("csrf_token").expect("csrf field");
    assert_eq!(b.cookie("tc_csrf").as_deref(), Some(token.as_str()));
    // Loading the form again keeps the one token.
    let again = b.get("/login").await;
    assert_eq!(again.field("csrf_token").as_deref(), Some(token.as_str()));

    // Another browser's cookie, or none, does not match the form's token.
    let stranger = Browser::new(&s);
    stranger.get("/login").await;
    assert_eq!(sign_in(&stranger, &token, email).await.status, 403);
    assert_eq!(sign_in(&Browser::new(&s), &token, email).await.status, 403);
    let signed = sign_in(&b, &token, email).await;
    assert_eq!(signed.status, 303, "{}", signed.text);
    assert!(signed
        .headers
        .get_all("set-cookie")
        .iter()
        .any(|c| c.to_str().unwrap().starts_with("tc_session=")));
}

async fn sign_in(browser: &Browser, token: &str, email: &str) -> talkchannel_testkit::Page {
    browser
        .post(
            "/login",
            &[
                ("csrf_token", token),
                ("continue", "/"),
                ("login", email),
                ("password", PASSWORD),
            ],
        )
        .await
}
