//! `continue` after sign-in and sign-out is a path on this server by parsing: tabs,
//! newlines, backslashes and other origins, which browsers would follow off-site or which
//! would leave a redirect without a `Location`, all go to the start page instead.

use crate::kauth_authorize::{login_setup, PASSWORD};
use talkchannel_testkit::{on_both_engines, Browser, TestServer};

on_both_engines!(continue_never_leaves_the_origin);

/// Each raw `continue`, percent-encoded as a browser would send it.
const HOSTILE: [&str; 9] = [
    "/%09/evil.example/x",
    "/%0A/evil.example/x",
    "/%0D%0A/evil.example/x",
    "//evil.example/x",
    "/%5Cevil.example",
    "/.//evil.example/x",
    "%5C/evil.example",
    "https://evil.example/",
    "/%00/x",
];

async fn continue_never_leaves_the_origin(s: TestServer) {
    let email = "redirect@example.com";
    login_setup(&s, email, "민지").await;
    for raw in HOSTILE {
        let b = Browser::new(&s);
        let form = b.get(&format!("/login?continue={raw}")).await;
        assert_eq!(form.status, 200, "{raw}: {}", form.text);
        assert_eq!(form.field("continue").as_deref(), Some("/"), "{raw}");
        let decoded = percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .unwrap()
            .into_owned();
        let csrf = form.field("csrf_token").expect("csrf field");
        let signed = b
            .post(
                "/login",
                &[
                    ("csrf_token", &csrf),
                    ("continue", &decoded),
                    ("login", email),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(
            (signed.status.as_u16(), signed.location.as_deref()),
            (303, Some("/")),
            "sign-in with {raw:?}"
        );
        let page = b.get("/login").await;
        let csrf = page.field("csrf_token").expect("csrf field");
        let out = b
            .post("/logout", &[("csrf_token", &csrf), ("continue", &decoded)])
            .await;
        assert_eq!(
            (out.status.as_u16(), out.location.as_deref()),
            (303, Some("/")),
            "sign-out with {raw:?}"
        );
    }
    // The control: a real local path survives both.
    let b = Browser::new(&s);
    let form = b.get("/login?continue=%2F_shop%2Ffriend%3Fx%3D1").await;
    assert_eq!(form.field("continue").as_deref(), Some("/_shop/friend?x=1"));
}
