//! Input that a lenient parser would repair or misread is refused, in each surface's
//! shape, and changes nothing: ids with signs, blanks or leading zeros, negative cursors,
//! URLs whose host a parser would invent or that carry a NUL, a CSV whose quote never
//! closes, JSON in another charset.

use reqwest::Method;
use serde_json::json;
use talkchannel_testkit::{on_both_engines, Reply, TestServer};

on_both_engines!(
    ids_and_cursors_are_written_one_way,
    urls_are_refused_with_nul_or_an_invented_host,
    an_unclosed_quote_rejects_the_import,
    json_in_another_charset_is_refused,
);

async fn ids_and_cursors_are_written_one_way(s: TestServer) {
    let app = s.create_app("Shop").await;
    let user = s.create_user(&app, "민지", &["plusfriends"]).await;
    let ak = app.kakao_ak();
    let id = user.user_id;
    for spelled in [
        format!("%2B{id}"),
        format!("%20{id}"),
        format!("0{id}"),
        format!("{id}%20"),
    ] {
        let path = format!("/v2/api/talk/channels?target_id_type=user_id&target_id={spelled}");
        s.call(Method::GET, &path, Some(&ak), None)
            .await
            .assert_kakao_error(400, -2);
    }
    let plain = format!("/v2/api/talk/channels?target_id_type=user_id&target_id={id}");
    assert_eq!(
        s.call(Method::GET, &plain, Some(&ak), None).await.status,
        200
    );
    s.control(Method::GET, "/accounts?after=-5", None)
        .await
        .assert_control_error(400, "invalid_request");
    for path in ["/apps/+1", "/apps/01", "/apps/%201"] {
        s.control(Method::GET, path, None)
            .await
            .assert_control_error(404, "not_found");
    }
    assert_eq!(
        s.control(Method::GET, &format!("/apps/{}", app.id), None)
            .await
            .status,
        200
    );
}

async fn urls_are_refused_with_nul_or_an_invented_host(s: TestServer) {
    let app = s.create_app("Shop").await;
    let hook = format!("/apps/{}/webhook", app.id);
    let uris = format!("/apps/{}/redirect-uris", app.id);
    s.control_ok(
        Method::PUT,
        &uris,
        Some(json!({"redirect_uris": ["https://shop.example/cb"]})),
    )
    .await;
    for bad in [
        "http:///x",
        "https://shop.example/\u{0}",
        "https://shop.example/a\nb",
        "https:shop.example",
    ] {
        s.control(Method::PUT, &hook, Some(json!({"url": bad})))
            .await
            .assert_control_error(400, "invalid_request");
        s.control(Method::PUT, &uris, Some(json!({"redirect_uris": [bad]})))
            .await
            .assert_control_error(400, "invalid_request");
    }
    s.control(Method::GET, &hook, None)
        .await
        .assert_control_error(404, "not_found");
    let kept = s.control_ok(Method::GET, &uris, None).await;
    assert_eq!(kept["redirect_uris"], json!(["https://shop.example/cb"]));

    s.create_channel("_strict", "Strict").await;
    for bad in ["http:///x", "https://shop.example/\u{0}"] {
        let body = json!({"content": {"type": "text", "text": "hi"}, "target": {"kind": "all_friends"},
            "buttons": [{"name": "Open", "url": bad}]});
        s.control(Method::POST, "/channels/_strict/messages", Some(body))
            .await
            .assert_control_error(400, "invalid_request");
    }
    let messages = s
        .control_ok(Method::GET, "/channels/_strict/messages", None)
        .await;
    assert_eq!(messages["items"], json!([]));
}

async fn an_unclosed_quote_rejects_the_import(s: TestServer) {
    let app = s.create_app("Shop").await;
    s.create_channel("_csv", "CSV").await;
    s.connect(&app, "_csv").await;
    let body = json!({"channel_public_id": "_csv", "file_name": "f", "schema": {"name": "string"}});
    let created = s
        .call(
            Method::POST,
            "/v1/talkchannel/create/target_user_file",
            Some(&app.kakao_ak()),
            Some(body),
        )
        .await;
    let file = created.body["file_id"].as_i64().expect("file created");
    let user = s.create_user(&app, "민지", &[]).await;
    let res = s
        .http
        .post(s.url(&format!(
            "/admin/api/v1/customer-files/{file}/imports?user_type=app"
        )))
        .bearer_auth(&s.operator_token)
        .header("content-type", "text/csv")
        .body(format!("id,name\n{},\"abc\n", user.user_id))
        .send()
        .await
        .unwrap();
    let reply = Reply::read(res).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(reply.body["status"], "rejected");
    assert!(reply.text.contains("never closed"), "{}", reply.text);
    let rows = s
        .control_ok(Method::GET, &format!("/customer-files/{file}/rows"), None)
        .await;
    assert_eq!(rows["items"], json!([]), "nothing applied");
}

async fn json_in_another_charset_is_refused(s: TestServer) {
    for charset in ["utf-16", "UTF-16LE", "latin1"] {
        let res = s
            .http
            .post(s.url("/admin/api/v1/accounts"))
            .bearer_auth(&s.operator_token)
            .header(
                "content-type",
                format!("application/json; charset={charset}"),
            )
            .body(r#"{"nickname": "x"}"#)
            .send()
            .await
            .unwrap();
        Reply::read(res)
            .await
            .assert_control_error(415, "unsupported_media_type");
    }
    let res = s
        .http
        .post(s.url("/admin/api/v1/accounts"))
        .bearer_auth(&s.operator_token)
        .header("content-type", "application/json; charset=UTF-8")
        .body(r#"{"nickname": "x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let accounts = s.control_ok(Method::GET, "/accounts", None).await;
    assert_eq!(
        accounts["items"].as_array().unwrap().len(),
        1,
        "only the UTF-8 one"
    );
}
