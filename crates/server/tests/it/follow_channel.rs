//! Follow Channel (`return_url` and `trans_id`, KAE codes) and the SDKs' pre-flight
//! `/v1/app/validate/sdk`, over HTTP on both engines.

use crate::channel_pages::{relation, signed_in};
use reqwest::Method;
use serde_json::{json, Value};
use talkchannel_testkit::{on_both_engines, Page, TestServer};

on_both_engines!(
    follow_with_return_url_reports_status_and_kae_codes,
    follow_with_trans_id_keeps_the_result_for_the_sdk,
    validate_sdk_answers_as_the_spec_says,
);

async fn follow_with_return_url_reports_status_and_kae_codes(s: TestServer) {
    let (app, account, b) = signed_in(&s, "g@example.com", "G").await;
    s.create_channel("_follow", "Follow").await;
    s.connect(&app, "_follow").await;
    s.create_channel("_stranger", "Not connected").await;
    s.create_channel("_sanct", "Sanctioned").await;
    s.connect(&app, "_sanct").await;
    s.control_ok(
        Method::PATCH,
        "/channels/_sanct",
        Some(json!({"status": "sanctioned"})),
    )
    .await;
    let ret = format!("kakao{}://channel", app.javascript_key);
    let path = |channel: &str, key: &str, ret: &str| {
        let q = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("app_key", key)
            .append_pair("channel_public_id", channel)
            .append_pair("return_url", ret)
            .append_pair("ka", "sdk/2.0 os/ios")
            .finish();
        format!("/talk/channel/follow?{q}")
    };
    for (channel, code) in [
        ("_nope", "KAE005"),
        ("_sanct", "KAE006"),
        ("_stranger", "KAE105"),
    ] {
        let page = b.get(&path(channel, &app.javascript_key, &ret)).await;
        assert_eq!(page.status, 303, "{channel}: {}", page.text);
        assert!(page.location().starts_with(&ret), "{}", page.location());
        let q = query_of(&page);
        assert_eq!(
            (
                q["status"].as_str(),
                q["error_code"].as_str(),
                q["channel_public_id"].as_str()
            ),
            ("error", code, channel)
        );
        assert!(!q["error_msg"].is_empty());
    }
    // A wrong key or a return_url that is neither the app's scheme nor registered: a page.
    let page = b.get(&path("_follow", &app.rest_api_key, &ret)).await;
    assert_eq!(page.status, 401);
    assert!(page.text.contains("KAE104") && page.location.is_none());
    let page = b
        .get(&path(
            "_follow",
            &app.javascript_key,
            "https://evil.example/steal",
        ))
        .await;
    assert_eq!(page.status, 400);
    assert!(page.text.contains("KAE003") && page.location.is_none());

    // Declined, then accepted.
    let confirm = b.get(&path("_follow", &app.javascript_key, &ret)).await;
    assert_eq!(confirm.status, 200, "{}", confirm.text);
    let fields: Vec<(String, String)> = [
        "csrf_token",
        "app_key",
        "channel_public_id",
        "return_url",
        "ka",
    ]
    .iter()
    .map(|k| {
        (
            (*k).to_owned(),
            confirm.field(k).unwrap_or_else(|| panic!("{k} field")),
        )
    })
    .collect();
    let submit = |action: &'static str| {
        let mut form: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        form.push(("action", action));
        let b = &b;
        let form: Vec<(String, String)> = form
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        async move {
            let pairs: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            b.post("/talk/channel/follow", &pairs).await
        }
    };
    let q = query_of(&submit("cancel").await);
    assert_eq!(
        (q["status"].as_str(), q["channel_public_id"].as_str()),
        ("fail", "_follow")
    );
    assert_eq!(relation(&s, "_follow", account).await, "NONE");
    let q = query_of(&submit("add").await);
    assert_eq!(q["status"], "success");
    assert_eq!(relation(&s, "_follow", account).await, "ADDED");
    // Already a friend: success at once.
    let q = query_of(&b.get(&path("_follow", &app.javascript_key, &ret)).await);
    assert_eq!(q["status"], "success");
}

async fn follow_with_trans_id_keeps_the_result_for_the_sdk(s: TestServer) {
    let (app, account, b) = signed_in(&s, "h@example.com", "H").await;
    s.create_channel("_web", "Web").await;
    s.connect(&app, "_web").await;
    let trans = "T".repeat(60);
    let result = || {
        let s = &s;
        let trans = trans.clone();
        async move {
            let res = s
                .http
                .get(s.url(&format!("/talk/channel/follow/result?trans_id={trans}")))
                .header("origin", "https://shop.example")
                .send()
                .await
                .unwrap();
            assert_eq!(res.headers()["access-control-allow-origin"], "*");
            res.json::<Value>().await.unwrap()
        }
    };
    assert_eq!(result().await, json!({"status": "pending"}));
    let page = b
        .get(&format!(
            "/talk/channel/follow?app_key={}&channel_public_id=_web&trans_id={trans}",
            app.javascript_key
        ))
        .await;
    assert_eq!(page.status, 200);
    let done = b
        .post(
            "/talk/channel/follow",
            &[
                ("csrf_token", &page.field("csrf_token").unwrap()),
                ("app_key", &app.javascript_key),
                ("channel_public_id", "_web"),
                ("trans_id", &trans),
                ("action", "add"),
            ],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert!(
        done.text.contains("/assets/close.js"),
        "the popup closes itself"
    );
    assert_eq!(
        result().await,
        json!({"status": "success", "channel_public_id": "_web"})
    );
    assert_eq!(relation(&s, "_web", account).await, "ADDED");
    // Unknown channel with a trans_id: the error is kept for the SDK.
    let other = "U".repeat(60);
    let page = b
        .get(&format!(
            "/talk/channel/follow?app_key={}&channel_public_id=_gone&trans_id={other}",
            app.javascript_key
        ))
        .await;
    assert_eq!(page.status, 400);
    let res: Value = s
        .http
        .get(s.url(&format!("/talk/channel/follow/result?trans_id={other}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (res["status"].as_str(), res["error_code"].as_str()),
        (Some("error"), Some("KAE005"))
    );
    // Results expire.
    s.clock.advance(chrono::Duration::minutes(31));
    assert_eq!(result().await, json!({"status": "pending"}));
    let bad = s
        .http
        .get(s.url("/talk/channel/follow/result?trans_id=short"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

async fn validate_sdk_answers_as_the_spec_says(s: TestServer) {
    let app = s.create_app("Native").await;
    s.create_channel("_v", "V").await;
    let call = |auth: String, props: &'static str| {
        let s = &s;
        async move {
            let res = s
                .http
                .post(s.url("/v1/app/validate/sdk"))
                .header("authorization", auth)
                .form(&[("quota_properties", props)])
                .send()
                .await
                .unwrap();
            talkchannel_testkit::Reply::read(res).await
        }
    };
    let js = format!("KakaoAK {}", app.javascript_key);
    let ok = call(
        js.clone(),
        r#"{"uri":"/sdk/channel/add","channel_public_id":"_v"}"#,
    )
    .await;
    assert_eq!(
        (ok.status.as_u16(), ok.body.clone()),
        (200, json!({})),
        "{}",
        ok.text
    );
    assert_eq!(
        call(
            js.clone(),
            r#"{"uri":"/sdk/channel/chat","channel_public_id":"_v"}"#
        )
        .await
        .status,
        200
    );
    call(
        js.clone(),
        r#"{"uri":"/sdk/other","channel_public_id":"_v"}"#,
    )
    .await
    .assert_kakao_error(400, -2);
    call(js.clone(), "not json")
        .await
        .assert_kakao_error(400, -2);
    call(
        js.clone(),
        r#"{"uri":"/sdk/channel/add","channel_public_id":"_none"}"#,
    )
    .await
    .assert_kakao_error(400, -541);
    call(
        app.kakao_ak(),
        r#"{"uri":"/sdk/channel/add","channel_public_id":"_v"}"#,
    )
    .await
    .assert_kakao_error(401, -401);
    call(
        format!("KakaoAK {}", app.rest_api_key),
        r#"{"uri":"/sdk/channel/add","channel_public_id":"_v"}"#,
    )
    .await
    .assert_kakao_error(401, -401);
}

fn query_of(page: &Page) -> std::collections::HashMap<String, String> {
    let url = url::Url::parse(page.location())
        .unwrap_or_else(|_| panic!("not a URL: {}", page.location()));
    url.query_pairs().into_owned().collect()
}
