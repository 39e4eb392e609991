//! Every documented way to call Kakao Login's user APIs: `/v2/user/me` by GET or POST with
//! parameters in the query or a form body, the token in the header or the `access_token`
//! parameter, `property_keys`, and the consent details (`/v2/user/scopes`,
//! `/v2/user/revoke/scopes`) with a token or an admin key.

use reqwest::Method;
use serde_json::{json, Value};
use talkchannel_testkit::{on_both_engines, AppFixture, Reply, TestServer, UserFixture};

on_both_engines!(
    user_me_by_get_or_post_with_the_token_anywhere,
    property_keys_narrow_the_answer,
    consent_details_and_revocation,
);

/// A request with an optional `Authorization` and an optional form body.
async fn send(
    s: &TestServer,
    method: Method,
    path: &str,
    auth: Option<&str>,
    form: Option<&[(&str, &str)]>,
) -> Reply {
    let mut req = s.http.request(method, s.url(path));
    if let Some(auth) = auth {
        req = req.header("authorization", auth);
    }
    if let Some(form) = form {
        req = req.form(form);
    }
    Reply::read(req.send().await.expect("request reaches the server")).await
}

async fn setup(s: &TestServer) -> (AppFixture, UserFixture) {
    let app = s.create_app("Shop").await;
    let account = s
        .control_ok(Method::POST, "/accounts", Some(json!({"nickname": "민지", "email": "mj@example.com", "gender": "female", "birth_date": "1995-04-01"})))
        .await["id"]
        .as_i64()
        .unwrap();
    let scopes = ["profile_nickname", "account_email", "age_range", "gender"];
    (app.clone(), s.link(&app, account, &scopes).await)
}

async fn user_me_by_get_or_post_with_the_token_anywhere(s: TestServer) {
    let (app, user) = setup(&s).await;
    let bearer = AppFixture::bearer(&user);
    let token = &user.access_token;
    let expected = send(&s, Method::GET, "/v2/user/me", Some(&bearer), None).await;
    assert_eq!(expected.status, 200, "{}", expected.text);
    assert_eq!(expected.body["kakao_account"]["age_range"], "30~39");
    let by_query = format!("/v2/user/me?access_token={token}");
    let styles = [
        send(&s, Method::POST, "/v2/user/me", Some(&bearer), None).await,
        send(
            &s,
            Method::POST,
            "/v2/user/me",
            Some(&bearer),
            Some(&[("secure_resource", "true")]),
        )
        .await,
        send(&s, Method::GET, &by_query, None, None).await,
        send(&s, Method::POST, &by_query, None, None).await,
        send(&s, Method::GET, &by_query, Some(&bearer), None).await,
        send(
            &s,
            Method::POST,
            "/v2/user/me",
            None,
            Some(&[("access_token", token)]),
        )
        .await,
    ];
    for reply in styles {
        assert_eq!(
            (reply.status.as_u16(), &reply.body),
            (200, &expected.body),
            "{}",
            reply.text
        );
    }
    // The admin key names the user in the query or the form body.
    let ak = app.kakao_ak();
    let target = user.user_id.to_string();
    let form = [
        ("target_id_type", "user_id"),
        ("target_id", target.as_str()),
    ];
    let by_form = send(&s, Method::POST, "/v2/user/me", Some(&ak), Some(&form)).await;
    assert_eq!(by_form.body, expected.body, "{}", by_form.text);
    let by_query = format!("/v2/user/me?target_id_type=user_id&target_id={target}");
    assert_eq!(
        send(&s, Method::POST, &by_query, Some(&ak), None)
            .await
            .body,
        expected.body
    );
    // The same for the other user calls that take a token.
    let info = send(
        &s,
        Method::GET,
        &format!("/v1/user/access_token_info?access_token={token}"),
        None,
        None,
    )
    .await;
    assert_eq!(info.body["id"], user.user_id, "{}", info.text);
    let friend = s.create_user(&app, "채널친구", &["plusfriends"]).await;
    let check = format!("/v2/api/talk/channels?access_token={}", friend.access_token);
    let relation = send(&s, Method::GET, &check, None, None).await;
    assert_eq!(relation.status, 200, "{}", relation.text);
    assert_eq!(relation.body["user_id"], friend.user_id);

    // Refused, each with Kakao's code, and nothing changes.
    let other = s.create_user(&app, "다른", &["profile_nickname"]).await;
    let disagree = format!("/v2/user/me?access_token={}", other.access_token);
    send(&s, Method::GET, &disagree, Some(&bearer), None)
        .await
        .assert_kakao_error(401, -401);
    send(
        &s,
        Method::GET,
        &format!("/v2/user/me?access_token={token}"),
        Some(&ak),
        None,
    )
    .await
    .assert_kakao_error(401, -401);
    send(&s, Method::GET, "/v2/user/me?access_token=nope", None, None)
        .await
        .assert_kakao_error(401, -401);
    send(
        &s,
        Method::GET,
        "/v2/user/me?secure_resource=maybe",
        Some(&bearer),
        None,
    )
    .await
    .assert_kakao_error(400, -2);
    let split = format!("/v2/user/me?target_id_type=user_id&target_id={target}");
    send(
        &s,
        Method::POST,
        &split,
        Some(&ak),
        Some(&[("target_id", "1")]),
    )
    .await
    .assert_kakao_error(400, -2);
    send(&s, Method::PUT, "/v2/user/me", Some(&bearer), None)
        .await
        .assert_kakao_error(405, -2);
    let again = send(&s, Method::GET, "/v2/user/me", Some(&bearer), None).await;
    assert_eq!(again.body, expected.body);
}

async fn property_keys_narrow_the_answer(s: TestServer) {
    let (_, user) = setup(&s).await;
    let bearer = AppFixture::bearer(&user);
    let keys = r#"["kakao_account.email","kakao_account.age_range"]"#;
    let narrow = send(
        &s,
        Method::POST,
        "/v2/user/me",
        Some(&bearer),
        Some(&[("property_keys", keys)]),
    )
    .await;
    assert_eq!(narrow.status, 200, "{}", narrow.text);
    assert_eq!(
        narrow.body["kakao_account"],
        json!({
            "has_email": true, "email_needs_agreement": false, "email": "mj@example.com",
            "is_email_valid": true, "is_email_verified": true,
            "has_age_range": true, "age_range_needs_agreement": false, "age_range": "30~39",
        })
    );
    assert!(narrow.body.get("properties").is_none());
    assert_eq!(narrow.body["id"], user.user_id, "the id always comes");
    let nickname = send(
        &s,
        Method::GET,
        "/v2/user/me?property_keys=%5B%22properties.nickname%22%5D",
        Some(&bearer),
        None,
    )
    .await;
    assert_eq!(
        nickname.body["properties"],
        json!({"nickname": "민지"}),
        "{}",
        nickname.text
    );
    assert!(nickname.body.get("kakao_account").is_none());
    for bad in [
        "kakao_account.email",
        "[\"kakao_account.nope\"]",
        "[1]",
        "{}",
    ] {
        send(
            &s,
            Method::POST,
            "/v2/user/me",
            Some(&bearer),
            Some(&[("property_keys", bad)]),
        )
        .await
        .assert_kakao_error(400, -2);
    }
}

fn agreed(reply: &Reply) -> Vec<(String, bool, bool)> {
    reply.body["scopes"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", reply.text))
        .iter()
        .map(|s| {
            let flag = |k: &str| s[k].as_bool().unwrap();
            (
                s["id"].as_str().unwrap().to_owned(),
                flag("agreed"),
                flag("revocable"),
            )
        })
        .collect()
}

async fn consent_details_and_revocation(s: TestServer) {
    let (app, user) = setup(&s).await;
    let path = format!("/apps/{}/consent-items", app.id);
    let settings =
        json!({"consent_items": {"profile_nickname": "required", "phone_number": "disabled"}});
    s.control_ok(Method::PUT, &path, Some(settings)).await;
    let bearer = AppFixture::bearer(&user);
    let all = send(&s, Method::GET, "/v2/user/scopes", Some(&bearer), None).await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(all.body["id"], user.user_id);
    let listed = agreed(&all);
    assert_eq!(listed.len(), 8, "every item the app uses: {}", all.text);
    assert!(
        listed.contains(&("profile_nickname".into(), true, false)),
        "required: not revocable"
    );
    assert!(listed.contains(&("account_email".into(), true, true)));
    assert!(listed.contains(&("birthday".into(), false, false)));
    assert_eq!(all.body["scopes"][0]["type"], "PRIVACY");
    let one = send(
        &s,
        Method::GET,
        "/v2/user/scopes?scopes=%5B%22phone_number%22%5D",
        Some(&bearer),
        None,
    )
    .await;
    assert_eq!(
        one.body["scopes"],
        json!([{"id": "phone_number", "display_name": "카카오계정(전화번호)", "type": "PRIVACY", "using": false, "agreed": false, "revocable": false}])
    );

    let refused: [&[(&str, &str)]; 5] = [
        &[("scopes", r#"["profile_nickname"]"#)],
        &[("scopes", r#"["birthday"]"#)],
        &[("scopes", r#"["account_email","nope"]"#)],
        &[("scopes", "account_email")],
        &[],
    ];
    for form in refused {
        send(
            &s,
            Method::POST,
            "/v2/user/revoke/scopes",
            Some(&bearer),
            Some(form),
        )
        .await
        .assert_kakao_error(400, -2);
    }
    assert_eq!(
        agreed(&send(&s, Method::GET, "/v2/user/scopes", Some(&bearer), None).await),
        listed,
        "unchanged"
    );

    let revoked = send(
        &s,
        Method::POST,
        "/v2/user/revoke/scopes",
        Some(&bearer),
        Some(&[("scopes", r#"["account_email"]"#)]),
    )
    .await;
    assert_eq!(revoked.status, 200, "{}", revoked.text);
    assert!(agreed(&revoked).contains(&("account_email".into(), false, false)));
    let me = send(&s, Method::GET, "/v2/user/me", Some(&bearer), None).await;
    assert_eq!(
        me.body["kakao_account"]["email_needs_agreement"], true,
        "{}",
        me.text
    );
    assert!(me.body["kakao_account"].get("email").is_none());

    // With the admin key, for a named user.
    let target = format!("target_id_type=user_id&target_id={}", user.user_id);
    let ak = app.kakao_ak();
    let by_key = send(
        &s,
        Method::GET,
        &format!("/v2/user/scopes?{target}"),
        Some(&ak),
        None,
    )
    .await;
    assert_eq!(agreed(&by_key), agreed(&revoked));
    let user_id = user.user_id.to_string();
    let form = [
        ("target_id_type", "user_id"),
        ("target_id", user_id.as_str()),
        ("scopes", r#"["gender"]"#),
    ];
    let by_key = send(
        &s,
        Method::POST,
        "/v2/user/revoke/scopes",
        Some(&ak),
        Some(&form),
    )
    .await;
    assert!(
        agreed(&by_key).contains(&("gender".into(), false, false)),
        "{}",
        by_key.text
    );
    let value: Value = s
        .control_ok(
            Method::GET,
            &format!("/apps/{}/users/{}", app.id, user.user_id),
            None,
        )
        .await;
    assert_eq!(value["scopes"], json!(["age_range", "profile_nickname"]));
}
