//! Kakao Login's user calls: `/v1/user/access_token_info` and `/v2/user/me`.

use reqwest::Method;
use serde_json::json;
use talkchannel_testkit::{on_both_engines, AppFixture, TestServer};

on_both_engines!(
    access_token_info_counts_down_and_refuses_what_is_not_a_live_token,
    user_me_shows_only_consented_items,
    user_me_with_an_admin_key_names_the_user,
);

async fn access_token_info_counts_down_and_refuses_what_is_not_a_live_token(s: TestServer) {
    let app = s.create_app("Shop").await;
    let user = s.create_user(&app, "민지", &["plusfriends"]).await;
    let bearer = AppFixture::bearer(&user);
    let path = "/v1/user/access_token_info";
    let reply = s.call(Method::GET, path, Some(&bearer), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.body,
        json!({"id": user.user_id, "expires_in": 21_599, "app_id": app.id})
    );
    s.clock.advance(chrono::Duration::seconds(21_000));
    let reply = s.call(Method::GET, path, Some(&bearer), None).await;
    assert_eq!(reply.body["expires_in"], 599);
    s.clock.advance(chrono::Duration::seconds(599));
    s.call(Method::GET, path, Some(&bearer), None)
        .await
        .assert_kakao_error(401, -401);

    for auth in [None, Some("Bearer nope"), Some(app.kakao_ak().as_str())] {
        s.call(Method::GET, path, auth, None)
            .await
            .assert_kakao_error(401, -401);
    }
}

async fn user_me_shows_only_consented_items(s: TestServer) {
    let app = s.create_app("Shop").await;
    let account = s
        .control_ok(Method::POST, "/accounts", Some(json!({"nickname": "<b>민지</b>", "email": "mj@example.com", "phone_number": "010-1234-5678", "gender": "female", "birth_date": "1995-04-01"})))
        .await["id"]
        .as_i64()
        .unwrap();
    let scopes = ["profile_nickname", "account_email", "birthday"];
    let user = s.link(&app, account, &scopes).await;
    let reply = s
        .call(
            Method::GET,
            "/v2/user/me",
            Some(&AppFixture::bearer(&user)),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.body,
        json!({
            "id": user.user_id,
            "connected_at": "2026-01-01T00:00:00Z",
            "properties": {"nickname": "<b>민지</b>"},
            "kakao_account": {
                "profile_nickname_needs_agreement": false,
                "profile_image_needs_agreement": true,
                "profile": {"nickname": "<b>민지</b>", "is_default_nickname": false},
                "has_email": true, "email_needs_agreement": false, "email": "mj@example.com",
                "is_email_valid": true, "is_email_verified": true,
                "has_phone_number": true, "phone_number_needs_agreement": true,
                "has_gender": true, "gender_needs_agreement": true,
                "has_age_range": true, "age_range_needs_agreement": true,
                "has_birthyear": true, "birthyear_needs_agreement": true,
                "has_birthday": true, "birthday_needs_agreement": false, "birthday": "0401",
                "birthday_type": "SOLAR",
            }
        })
    );

    let bare = s.create_user(&app, "무명", &[]).await;
    let reply = s
        .call(
            Method::GET,
            "/v2/user/me",
            Some(&AppFixture::bearer(&bare)),
            None,
        )
        .await;
    assert_eq!(
        reply.body["kakao_account"],
        json!({
            "profile_nickname_needs_agreement": true,
            "profile_image_needs_agreement": true,
            "has_email": false, "has_phone_number": false, "has_gender": false,
            "has_age_range": false, "has_birthyear": false, "has_birthday": false,
        })
    );
    assert!(reply.body.get("properties").is_none());
}

async fn user_me_with_an_admin_key_names_the_user(s: TestServer) {
    let app = s.create_app("Shop").await;
    let user = s.create_user(&app, "민지", &["profile_nickname"]).await;
    let ak = app.kakao_ak();
    let path = format!(
        "/v2/user/me?target_id_type=user_id&target_id={}",
        user.user_id
    );
    let reply = s.call(Method::GET, &path, Some(&ak), None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["id"], user.user_id);
    assert_eq!(reply.body["properties"]["nickname"], "민지");

    s.call(Method::GET, "/v2/user/me", Some(&ak), None)
        .await
        .assert_kakao_error(400, -2);
    let unknown = "/v2/user/me?target_id_type=user_id&target_id=1";
    s.call(Method::GET, unknown, Some(&ak), None)
        .await
        .assert_kakao_error(400, -101);
    let other = s.create_app("Other").await;
    s.call(Method::GET, &path, Some(&other.kakao_ak()), None)
        .await
        .assert_kakao_error(400, -101);
    s.call(
        Method::GET,
        &path,
        Some(&format!("KakaoAK {}", app.rest_api_key)),
        None,
    )
    .await
    .assert_kakao_error(401, -401);
}
