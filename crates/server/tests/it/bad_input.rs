//! Bad input gets a clear 4xx in the surface's own format, never a 500, and changes nothing.

use reqwest::Method;
use serde_json::json;
use talkchannel_testkit::{on_both_engines, AppFixture, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

on_both_engines!(
    kapi_rejects_malformed_queries,
    bodies_are_limited_and_checked,
    framework_errors_keep_each_surface_format
);

async fn kapi_rejects_malformed_queries(s: TestServer) {
    let app = s.create_app("Shop").await;
    s.create_channel("_shop", "Shop").await;
    s.connect(&app, "_shop").await;
    let user = s.create_user(&app, "Minji", &["plusfriends"]).await;
    let bearer = AppFixture::bearer(&user);
    let hundred: Vec<String> = (0..100).map(|i| format!("_c{i}")).collect();
    let queries = [
        format!("channel_ids={}", hundred.join(",")),
        "channel_ids=_shop,,_shop".to_owned(),
        "channel_ids=shop".to_owned(),
        "channel_ids=_sh%20op".to_owned(),
        "channel_ids=_shop&channel_ids=_shop".to_owned(),
        "channel_ids=_shop&channel_public_ids=_shop".to_owned(),
        "channel_ids=%FF%FE".to_owned(),
        "channel_public_ids=%5B%22_shop%22".to_owned(),
        "channel_public_ids=%5B1,2%5D".to_owned(),
        "channel_id_type=channel_uuid".to_owned(),
    ];
    for query in queries {
        let reply = s
            .call(
                Method::GET,
                &format!("/v2/api/talk/channels?{query}"),
                Some(&bearer),
                None,
            )
            .await;
        reply.assert_kakao_error(400, -2);
    }
    // A form Content-Type on a GET (as Kakao's docs show for admin mode) is tolerated.
    let res = s
        .http
        .get(s.url("/v2/api/talk/channels"))
        .header("authorization", &bearer)
        .header(
            "content-type",
            "application/x-www-form-urlencoded;charset=utf-8",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Percent-decoding that is not UTF-8 never reaches a handler as garbage.
    let raw = raw_request(&s, "GET /v2/api/talk/channels?channel_ids=_a%C3%28 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: ".to_owned() + &bearer + "\r\n\r\n").await;
    assert!(raw.starts_with("HTTP/1.1 400"), "{raw}");
    assert!(raw.contains("\"code\":-2"), "{raw}");
}

async fn bodies_are_limited_and_checked(s: TestServer) {
    // A declared length over the cap is refused before any of the body is read, so the
    // answer arrives whole (a client streaming 10 MB could see a reset instead).
    let ten_mb = 10 * 1024 * 1024;
    let too_large = |head: &str| {
        format!("{head}\r\nHost: x\r\nConnection: close\r\nContent-Length: {ten_mb}\r\n")
    };
    let control = raw_request(
        &s,
        too_large("POST /admin/api/v1/accounts HTTP/1.1")
            + &format!("Authorization: Bearer {}\r\n", s.operator_token)
            + "Content-Type: application/json\r\n\r\n",
    )
    .await;
    assert!(control.starts_with("HTTP/1.1 413"), "{control}");
    assert!(
        control.contains(r#""code":"payload_too_large""#),
        "{control}"
    );
    let kapi = raw_request(
        &s,
        too_large("GET /v2/api/talk/channels HTTP/1.1") + "Authorization: Bearer x\r\n\r\n",
    )
    .await;
    assert!(kapi.starts_with("HTTP/1.1 413"), "{kapi}");
    assert!(kapi.contains(r#""code":-2"#), "{kapi}");
    // Kakao Login's token endpoint answers in kauth's shape.
    let kauth = raw_request(
        &s,
        too_large("POST /oauth/token HTTP/1.1")
            + "Content-Type: application/x-www-form-urlencoded\r\n\r\n",
    )
    .await;
    assert!(kauth.starts_with("HTTP/1.1 413"), "{kauth}");
    assert!(
        kauth.contains(r#""error":"invalid_request""#)
            && kauth.contains(r#""error_code":"KOE010""#),
        "{kauth}"
    );
    let accounts = s.control_ok(Method::GET, "/accounts", None).await;
    assert_eq!(accounts["items"], json!([]), "nothing was created");
    let post = |body: Vec<u8>, content_type: &'static str| {
        s.http
            .post(s.url("/admin/api/v1/accounts"))
            .bearer_auth(&s.operator_token)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let cases: [(Vec<u8>, &str, u16, &str); 5] = [
        (
            br#"{"nickname": "a"}"#.to_vec(),
            "text/plain",
            415,
            "unsupported_media_type",
        ),
        (
            b"{nickname".to_vec(),
            "application/json",
            400,
            "invalid_request",
        ),
        (
            b"{\"nickname\": \"\xff\xfe\"}".to_vec(),
            "application/json",
            400,
            "invalid_request",
        ),
        (
            br#"{"nickname": "a", "admin": true}"#.to_vec(),
            "application/json",
            400,
            "invalid_request",
        ),
        (
            br#"{"nickname": 5}"#.to_vec(),
            "application/json",
            400,
            "invalid_request",
        ),
    ];
    for (body, content_type, status, code) in cases {
        let reply = talkchannel_testkit::Reply::read(post(body, content_type).await.unwrap()).await;
        reply.assert_control_error(status, code);
    }
    let accounts = s.control_ok(Method::GET, "/accounts", None).await;
    assert_eq!(accounts["items"], json!([]), "nothing was written");
}

async fn framework_errors_keep_each_surface_format(s: TestServer) {
    s.call(Method::GET, "/v2/api/talk/nothing", None, None)
        .await
        .assert_kakao_error(404, -2);
    s.call(Method::DELETE, "/v2/api/talk/channels", None, None)
        .await
        .assert_kakao_error(405, -2);
    s.control(Method::GET, "/nothing", None)
        .await
        .assert_control_error(404, "not_found");
    s.control(Method::DELETE, "/accounts", None)
        .await
        .assert_control_error(405, "method_not_allowed");
    // Each surface is a router of its own: the bare Kakao prefix, a wrong method on
    // Kakao Login's token endpoint and an unknown path of ours keep their shapes.
    let unknown = s.call(Method::GET, "/v1/", None, None).await;
    assert_eq!(unknown.body["msg"], "there is no API at /v1/");
    unknown.assert_kakao_error(404, -2);
    let nested = s.call(Method::GET, "/v1/user/nothing", None, None).await;
    assert_eq!(nested.body["msg"], "there is no API at /v1/user/nothing");
    let token = s.call(Method::GET, "/oauth/token", None, None).await;
    assert_eq!(token.status, 405);
    assert_eq!(token.body["error"], "invalid_request", "{:?}", token.body);
    s.call(Method::GET, "/oauth/nothing", None, None)
        .await
        .assert_control_error(404, "not_found");
    // The Kakao API's CORS covers its unknown paths and wrong methods too.
    for (method, path) in [
        (Method::OPTIONS, "/v2/api/talk/nothing"),
        (Method::OPTIONS, "/api/agt"),
        (Method::DELETE, "/v2/api/talk/channels"),
        (Method::GET, "/v1/nothing"),
    ] {
        let res = s
            .http
            .request(method.clone(), s.url(path))
            .header("origin", "https://shop.example")
            .header("access-control-request-method", "POST")
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.headers()["access-control-allow-origin"],
            "*",
            "{method} {path}"
        );
    }
}

/// Sends bytes as they are, for requests a well-behaved client would not make.
async fn raw_request(s: &TestServer, request: String) -> String {
    let addr = s.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(20),
        stream.read_to_end(&mut out),
    )
    .await
    .expect("the server answers and closes within 20 s")
    .expect("the answer is read whole");
    String::from_utf8_lossy(&out).into_owned()
}
