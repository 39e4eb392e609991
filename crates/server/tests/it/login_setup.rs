//! Kakao Login's set-up through the control API: redirect URIs and account passwords.

use reqwest::Method;
use serde_json::json;
use talkchannel_testkit::{on_both_engines, TestServer};

on_both_engines!(
    redirect_uris_are_replaced_and_bad_lists_change_nothing,
    passwords_are_set_and_bad_ones_refused,
    the_openapi_document_lists_the_login_paths,
);

async fn redirect_uris_are_replaced_and_bad_lists_change_nothing(s: TestServer) {
    let app = s.create_app("Shop").await;
    let path = format!("/apps/{}/redirect-uris", app.id);
    assert_eq!(
        s.control_ok(Method::GET, &path, None).await,
        json!({"redirect_uris": []})
    );
    let list =
        json!({"redirect_uris": ["https://shop.example/oauth", " http://127.0.0.1:8080/cb "]});
    let stored =
        json!({"redirect_uris": ["https://shop.example/oauth", "http://127.0.0.1:8080/cb"]});
    assert_eq!(s.control_ok(Method::PUT, &path, Some(list)).await, stored);
    assert_eq!(s.control_ok(Method::GET, &path, None).await, stored);

    let eleven: Vec<String> = (0..11).map(|n| format!("https://s.example/{n}")).collect();
    for bad in [
        json!({"redirect_uris": ["/relative"]}),
        json!({"redirect_uris": ["javascript:alert(1)"]}),
        json!({"redirect_uris": ["https://shop.example/cb#x"]}),
        json!({"redirect_uris": ["https://a.example/", "https://a.example/"]}),
        json!({"redirect_uris": eleven}),
    ] {
        let reply = s.control(Method::PUT, &path, Some(bad.clone())).await;
        reply.assert_control_error(400, "invalid_request");
        assert_eq!(reply.body["error"]["field"], "redirect_uris", "{bad}");
    }
    s.control(Method::PUT, &path, Some(json!({"uris": []})))
        .await
        .assert_control_error(400, "invalid_request");
    assert_eq!(
        s.control_ok(Method::GET, &path, None).await,
        stored,
        "refused lists change nothing"
    );

    let unknown = json!({"redirect_uris": ["https://x.example/"]});
    s.control(Method::PUT, "/apps/999999/redirect-uris", Some(unknown))
        .await
        .assert_control_error(404, "not_found");
    s.control(Method::GET, "/apps/999999/redirect-uris", None)
        .await
        .assert_control_error(404, "not_found");
    s.control(Method::GET, "/apps/abc/redirect-uris", None)
        .await
        .assert_control_error(404, "not_found");
}

async fn passwords_are_set_and_bad_ones_refused(s: TestServer) {
    let account = s.create_account("민지").await;
    let path = format!("/accounts/{account}/password");
    let reply = s
        .control(
            Method::PUT,
            &path,
            Some(json!({"password": "비밀번호는 길게"})),
        )
        .await;
    assert_eq!(reply.status.as_u16(), 204, "{}", reply.text);
    assert!(!reply.text.contains("argon2"), "the hash never leaves");
    let reply = s
        .control(Method::PUT, &path, Some(json!({"password": "short"})))
        .await;
    reply.assert_control_error(400, "invalid_request");
    assert_eq!(reply.body["error"]["field"], "password");
    s.control(
        Method::PUT,
        "/accounts/999999/password",
        Some(json!({"password": "long enough"})),
    )
    .await
    .assert_control_error(404, "not_found");
    let account_view = s
        .control_ok(Method::GET, &format!("/accounts/{account}"), None)
        .await;
    assert!(
        account_view.get("password").is_none() && !account_view.to_string().contains("argon2"),
        "accounts never show their password: {account_view}"
    );
}

async fn the_openapi_document_lists_the_login_paths(s: TestServer) {
    let doc = s
        .call(Method::GET, "/admin/api/v1/openapi.json", None, None)
        .await
        .body;
    let paths = &doc["paths"];
    assert!(paths["/admin/api/v1/apps/{app_id}/redirect-uris"]["get"].is_object());
    assert!(paths["/admin/api/v1/apps/{app_id}/redirect-uris"]["put"].is_object());
    assert!(paths["/admin/api/v1/accounts/{account_id}/password"]["put"].is_object());
    assert!(doc["components"]["schemas"]["RedirectUris"].is_object());
}
