//! Every answer, from every surface (pages, Kakao APIs, kauth, the control API, errors
//! the framework makes), carries the security headers; HSTS only over https.

use talkchannel_testkit::{on_both_engines, TestServer};

on_both_engines!(every_surface_sends_the_security_headers);

async fn every_surface_sends_the_security_headers(s: TestServer) {
    let cases = [
        ("GET", "/login"),
        ("GET", "/_nochannel"),
        ("GET", "/v2/api/talk/channels"),
        ("POST", "/oauth/token"),
        ("GET", "/admin/api/v1/accounts"),
        ("GET", "/admin/api/v1/openapi.json"),
        ("GET", "/healthz"),
        ("GET", "/sdk/js/kakao.min.js"),
    ];
    for (method, path) in cases {
        for https in [false, true] {
            let mut req = s
                .http
                .request(method.parse().unwrap(), s.url(path))
                .bearer_auth(&s.operator_token);
            if https {
                req = req.header("x-forwarded-proto", "https");
            }
            let res = req.send().await.unwrap();
            let h = res.headers();
            let value = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
            assert_eq!(
                value("x-content-type-options").as_deref(),
                Some("nosniff"),
                "{path}"
            );
            assert_eq!(
                value("referrer-policy").as_deref(),
                Some("no-referrer"),
                "{path}"
            );
            assert!(
                value("permissions-policy").is_some_and(|v| v.contains("camera=()")),
                "{path}"
            );
            assert_eq!(
                value("strict-transport-security").is_some(),
                https,
                "{path}: HSTS only over https"
            );
        }
    }
    // Pages keep their own stricter framing and script rules.
    let page = s.http.get(s.url("/login")).send().await.unwrap();
    let csp = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
}
