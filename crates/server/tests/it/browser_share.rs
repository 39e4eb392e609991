//! Journey 3 in headless Chromium (see `browser.rs`): Kakao.Auth's getAppKey,
//! getStatusInfo and logout, and Kakao.Share's sendDefault, createDefaultButton and
//! sendScrap against the sharer page, on both engines.

use crate::browser::{browser_available, journey};
use crate::kauth_authorize::{login_setup, PASSWORD};
use reqwest::Method;
use talkchannel_testkit::{on_both_engines, TestServer, TestSite};

on_both_engines!(journey_auth_status_logout_and_share);

fn share_page(server: &TestServer, js_key: &str) -> String {
    format!(
        r##"<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>Shop</title>
<script src="{base}/sdk/js/kakao.min.js"></script></head>
<body><h1>Shop — share</h1>
<button id="share-feed">공유 (sendDefault)</button>
<a id="share-text" href="#">공유 (createDefaultButton)</a>
<button id="share-scrap">공유 (sendScrap)</button>
<script>
Kakao.init('{js_key}');
const link = {{ mobileWebUrl: location.origin + '/cake', webUrl: location.origin + '/cake' }};
document.getElementById('share-feed').onclick = () => Kakao.Share.sendDefault({{
  objectType: 'feed',
  content: {{ title: '오늘의 디저트', description: '아메리카노, 빵, 케익',
    imageUrl: 'https://img.example/dessert.jpg', imageWidth: 640, imageHeight: 640, link }},
  buttons: [{{ title: '웹으로 보기', link }}, {{ title: '앱으로 보기', link }}] }});
Kakao.Share.createDefaultButton({{ container: '#share-text', objectType: 'text',
  text: '텍스트 공유: 기본 템플릿으로 제공되는 텍스트 템플릿은 텍스트를 최대 200자까지 표시할 수 있습니다.', link }});
document.getElementById('share-scrap').onclick = () =>
  Kakao.Share.sendScrap({{ requestUrl: 'https://news.example/today' }});
</script></body></html>"##,
        base = server.base,
    )
}

async fn journey_auth_status_logout_and_share(s: TestServer) {
    if !browser_available() {
        return;
    }
    let email = "journey3@example.com";
    let (app, account) = login_setup(&s, email, "공유하는 사용자").await;
    let user = s.link(&app, account, &[]).await;
    let site = TestSite::serve(share_page(&s, &app.javascript_key)).await;
    let out = journey(
        "journey-share.mjs",
        &[
            &site.origin,
            email,
            PASSWORD,
            &user.access_token,
            &app.javascript_key,
        ],
    )
    .await;
    assert_eq!(out["user_id"], user.user_id, "{out}");
    assert_eq!(out["logout"]["id"], user.user_id, "{out}");
    let bearer = format!("Bearer {}", user.access_token);
    let me = s
        .call(Method::GET, "/v2/user/me", Some(&bearer), None)
        .await;
    assert_eq!(
        me.status, 401,
        "the token is refused after logout: {}",
        me.text
    );
}
