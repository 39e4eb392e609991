//! The JS SDK's server side over HTTP: the Kakao Talk Share sharer (`/picker/link`) and
//! the agt exchange (`POST /api/agt`) with the pages it signs in.

use crate::channel_pages::signed_in;
use reqwest::Method;
use serde_json::{json, Value};
use talkchannel_testkit::{on_both_engines, Browser, TestServer};

on_both_engines!(
    sdk_share_page_previews_then_shares_only_with_csrf,
    sdk_share_bad_templates_get_kakaos_errors,
    sdk_agt_is_issued_for_a_token_and_signs_in_once,
);

fn sharer(js_key: &str, action: &str, params: &Value) -> String {
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("app_key", js_key)
        .append_pair("validation_action", action)
        .append_pair("validation_params", &params.to_string())
        .finish();
    format!("/picker/link?{q}")
}

fn feed() -> Value {
    let link = json!({"web_url": "https://shop.example/cake", "mobile_web_url": "https://m.shop.example/cake"});
    json!({"link_ver": "4.0", "template_object": {"object_type": "feed",
        "content": {"title": "오늘의 <b>디저트</b>", "description": "케익", "image_url": "https://img.example/c.png", "link": link},
        "buttons": [{"title": "웹으로 보기", "link": link}]}})
}

fn pairs<'a>(form: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn sdk_share_page_previews_then_shares_only_with_csrf(s: TestServer) {
    let (app, _, b) = signed_in(&s, "share@example.com", "공유 사용자").await;
    let target = sharer(&app.javascript_key, "default", &feed());
    let anonymous = Browser::new(&s).get(&target).await;
    assert_eq!(anonymous.status, 303);
    assert!(
        anonymous.location().starts_with("/login?"),
        "{}",
        anonymous.location()
    );

    let page = b.get(&target).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("오늘의 &#60;b&#62;디저트&#60;/b&#62;"),
        "{}",
        page.text
    );
    assert!(page.text.contains("img.example") && !page.text.contains("<img"));
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");

    let mut form: Vec<(&str, String)> = ["app_key", "validation_action", "validation_params"]
        .into_iter()
        .map(|k| (k, page.field(k).unwrap()))
        .collect();
    form.push(("action", "share".into()));
    let forged = b.post("/picker/link", &pairs(&form)).await;
    assert_eq!(forged.status, 403, "{}", forged.text);
    assert!(!forged.text.contains("공유했습니다"));

    form.push(("csrf_token", page.field("csrf_token").unwrap()));
    let done = b.post("/picker/link", &pairs(&form)).await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert!(done.text.contains("공유했습니다") && done.text.contains("close.js"));

    // Kakao's older and mobile sharer paths show the same page; a scrap shows its URL.
    let scrap = json!({"link_ver": "4.0", "request_url": "https://news.example/today"});
    let alias = sharer(&app.javascript_key, "scrap", &scrap)
        .replace("/picker/link", "/talk/friends/picker/easylink");
    let page = b.get(&alias).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("https://news.example/today"));
}

async fn sdk_share_bad_templates_get_kakaos_errors(s: TestServer) {
    let (app, _, b) = signed_in(&s, "share2@example.com", "공유").await;
    let link = json!({"web_url": "https://shop.example/"});
    let cases = [
        (
            json!({"template_object": {"object_type": "feed"}}),
            "content is required",
        ),
        (
            json!({"template_object": {"object_type": "text", "text": "가".repeat(201), "link": link}}),
            "text is longer than 200 characters",
        ),
        (
            json!({"template_object": {"object_type": "text", "text": ["x"], "link": link}}),
            "text must be a string",
        ),
        (
            json!({"template_object": "feed"}),
            "template_object must be an object",
        ),
        (
            json!({"request_url": format!("https://x.example/{}", "a".repeat(11_000))}),
            "longer than 10240 bytes",
        ),
    ];
    for (params, message) in cases {
        let page = b
            .get(&sharer(&app.javascript_key, "default", &params))
            .await;
        assert_eq!(page.status, 400, "{message}: {}", page.text);
        assert!(
            page.text.contains("<code>4002</code>") && page.text.contains(message),
            "{message}: {}",
            page.text
        );
        assert!(!page.text.contains("confirm-share"));
    }
    let wrong_key = b.get(&sharer(&app.rest_api_key, "default", &feed())).await;
    assert_eq!(wrong_key.status, 400);
    assert!(
        wrong_key.text.contains("<code>4003</code>"),
        "{}",
        wrong_key.text
    );
}

async fn agt(s: &TestServer, form: &[(&str, &str)]) -> (u16, Value) {
    let res = reqwest::Client::new()
        .post(format!("{}/api/agt", s.base))
        .form(form)
        .send()
        .await
        .unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

async fn sdk_agt_is_issued_for_a_token_and_signs_in_once(s: TestServer) {
    let (app, account) =
        crate::kauth_authorize::login_setup(&s, "agt@example.com", "에이지티").await;
    s.create_channel("_agt", "AGT 채널").await;
    s.connect(&app, "_agt").await;
    let user = s.link(&app, account, &["plusfriends"]).await;
    let other = s.create_app("Other").await;
    s.connect(&other, "_agt").await;
    let token = user.access_token.as_str();

    assert_eq!(
        agt(&s, &[("client_id", &app.javascript_key)]).await.1["error_code"],
        "KOE010"
    );
    let (status, body) = agt(&s, &[("client_id", "nope"), ("access_token", token)]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client")),
        "{body}"
    );
    let (status, body) = agt(
        &s,
        &[("client_id", &app.javascript_key), ("access_token", "bad")],
    )
    .await;
    assert_eq!((status, body["code"].as_i64()), (401, Some(-401)), "{body}");
    let (status, body) = agt(
        &s,
        &[
            ("client_id", &other.javascript_key),
            ("access_token", token),
        ],
    )
    .await;
    assert_eq!((status, body["code"].as_i64()), (401, Some(-401)), "{body}");

    let (status, body) = agt(
        &s,
        &[("client_id", &app.javascript_key), ("access_token", token)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let agt_value = body["agt"].as_str().expect("agt").to_owned();
    let follow = |app_key: &str| {
        format!(
            "/talk/channel/follow?app_key={app_key}&channel_public_id=_agt&trans_id=abcdefghijklmnop1234&agt={agt_value}"
        )
    };
    // Another app's page cannot spend it; this app's page signs the user in with it.
    let elsewhere = Browser::new(&s).get(&follow(&other.javascript_key)).await;
    assert_eq!(elsewhere.status, 303, "{}", elsewhere.text);
    assert!(elsewhere.location().starts_with("/login?"));
    let page = Browser::new(&s).get(&follow(&app.javascript_key)).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(
        page.text.contains("confirm-add") && page.text.contains("에이지티"),
        "{}",
        page.text
    );
    // Single use: the same agt again asks for a password.
    let again = Browser::new(&s).get(&follow(&app.javascript_key)).await;
    assert_eq!(again.status, 303);
    assert!(
        again.location().starts_with("/login?"),
        "{}",
        again.location()
    );
    // Kakao.Auth.logout's call: afterwards the token gets no agt.
    let logout = s
        .call(
            Method::POST,
            "/v1/user/logout",
            Some(&format!("Bearer {token}")),
            None,
        )
        .await;
    assert_eq!(logout.status, 200, "{}", logout.text);
    let (status, _) = agt(
        &s,
        &[("client_id", &app.javascript_key), ("access_token", token)],
    )
    .await;
    assert_eq!(status, 401);
}
