//! The control API scripts a whole scenario, with consistent errors and pagination.

use reqwest::Method;
use serde_json::json;
use talkchannel_testkit::{on_both_engines, TestServer};

on_both_engines!(
    accounts_are_validated_and_paginated,
    apps_carry_all_their_keys,
    channels_and_connections,
    links_and_tokens,
    the_operator_token_guards_everything_but_the_openapi_document,
);

async fn accounts_are_validated_and_paginated(s: TestServer) {
    let created = s
        .control_ok(Method::POST, "/accounts", Some(json!({"nickname": " 김민지 ", "phone_number": "+82 10-1234-5678", "gender": "female", "birth_date": "1995-04-01", "region": "Seoul", "email": "MJ@Example.com"})))
        .await;
    assert_eq!(created["nickname"], "김민지");
    assert_eq!(created["phone_number"], "01012345678");
    assert_eq!(created["email"], "mj@example.com");
    assert_eq!(created["created_at"], "2026-01-01T00:00:00Z");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(
        s.control_ok(Method::GET, &format!("/accounts/{id}"), None)
            .await,
        created
    );
    for (body, field) in [
        (json!({"nickname": ""}), "nickname"),
        (
            json!({"nickname": "a", "phone_number": "12"}),
            "phone_number",
        ),
        (json!({"nickname": "a", "gender": "other"}), "gender"),
        (
            json!({"nickname": "a", "birth_date": "1995-13-01"}),
            "birth_date",
        ),
        (
            json!({"nickname": "a", "birth_date": "2030-01-01"}),
            "birth_date",
        ),
    ] {
        let reply = s.control(Method::POST, "/accounts", Some(body)).await;
        reply.assert_control_error(400, "invalid_request");
        assert_eq!(reply.body["error"]["field"], field);
    }
    for n in 0..4 {
        s.create_account(&format!("user {n}")).await;
    }
    let first = s.control_ok(Method::GET, "/accounts?limit=2", None).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_i64().expect("more pages");
    let second = s
        .control_ok(
            Method::GET,
            &format!("/accounts?limit=2&after={cursor}"),
            None,
        )
        .await;
    let third = s
        .control_ok(
            Method::GET,
            &format!("/accounts?limit=2&after={}", second["next_cursor"]),
            None,
        )
        .await;
    assert_eq!(third["items"].as_array().unwrap().len(), 1);
    assert!(third["next_cursor"].is_null());
    s.control(Method::GET, "/accounts?limit=0", None)
        .await
        .assert_control_error(400, "invalid_request");
    s.control(Method::GET, "/accounts?limit=abc", None)
        .await
        .assert_control_error(400, "invalid_request");
    s.control(Method::GET, "/accounts/999", None)
        .await
        .assert_control_error(404, "not_found");
    s.control(Method::GET, "/accounts/abc", None)
        .await
        .assert_control_error(404, "not_found");
}

async fn apps_carry_all_their_keys(s: TestServer) {
    let app = s
        .control_ok(Method::POST, "/apps", Some(json!({"name": "Shop"})))
        .await;
    let keys = &app["keys"];
    let all: Vec<&str> = [
        "rest_api_key",
        "javascript_key",
        "native_app_key",
        "admin_key",
    ]
    .iter()
    .map(|k| keys[k].as_str().unwrap())
    .collect();
    assert!(all
        .iter()
        .all(|k| k.len() == 32 && k.bytes().all(|b| b.is_ascii_hexdigit())));
    assert_eq!(
        all.iter().collect::<std::collections::HashSet<_>>().len(),
        4,
        "keys are distinct"
    );
    let id = app["id"].as_i64().unwrap();
    let rotated = s
        .control_ok(
            Method::POST,
            &format!("/apps/{id}/admin-keys"),
            Some(json!({"primary": true})),
        )
        .await;
    let admin_keys = rotated["keys"]["admin_keys"].as_array().unwrap();
    assert_eq!(admin_keys.len(), 2);
    assert_eq!(
        admin_keys.iter().filter(|k| k["primary"] == true).count(),
        1
    );
    assert_ne!(
        rotated["keys"]["admin_key"], keys["admin_key"],
        "the new key is primary"
    );
    // Both admin keys work on the Kakao API.
    for key in admin_keys {
        let reply = s
            .call(
                Method::GET,
                "/v2/api/talk/channels?target_id_type=user_id&target_id=1",
                Some(&format!("KakaoAK {}", key["key"].as_str().unwrap())),
                None,
            )
            .await;
        reply.assert_kakao_error(400, -101);
    }
    let list = s.control_ok(Method::GET, "/apps", None).await;
    assert_eq!(list["items"][0]["id"], id);
    s.control(Method::POST, "/apps", Some(json!({"name": "  "})))
        .await
        .assert_control_error(400, "invalid_request");
}

async fn channels_and_connections(s: TestServer) {
    let generated = s
        .control_ok(
            Method::POST,
            "/channels",
            Some(json!({"name": "Coffee Shop"})),
        )
        .await;
    let public_id = generated["public_id"].as_str().unwrap();
    assert!(
        public_id.starts_with('_') && public_id.len() == 7,
        "{public_id}"
    );
    assert_eq!(generated["search_id"], "@CoffeeShop");
    assert_eq!(generated["status"], "active");
    // Same name again: the derived search id is taken, so another is drawn.
    let second = s
        .control_ok(
            Method::POST,
            "/channels",
            Some(json!({"name": "Coffee Shop"})),
        )
        .await;
    assert_ne!(second["search_id"], generated["search_id"]);
    s.create_channel("_fixed", "Fixed").await;
    s.control(
        Method::POST,
        "/channels",
        Some(json!({"name": "x", "public_id": "_fixed"})),
    )
    .await
    .assert_control_error(409, "conflict");
    s.control(
        Method::POST,
        "/channels",
        Some(json!({"name": "x", "search_id": "@fixed"})),
    )
    .await
    .assert_control_error(409, "conflict");
    s.control(
        Method::POST,
        "/channels",
        Some(json!({"name": "x", "public_id": "nounderscore"})),
    )
    .await
    .assert_control_error(400, "invalid_request");
    let app = s.create_app("Shop").await;
    let path = format!("/apps/{}/channels/_fixed", app.id);
    assert_eq!(s.control(Method::PUT, &path, None).await.status, 201);
    let again = s.control(Method::PUT, &path, None).await;
    assert_eq!(
        (
            again.status.as_u16(),
            again.body["newly_connected"].as_bool()
        ),
        (200, Some(false))
    );
    s.control_ok(
        Method::PUT,
        &format!("/apps/{}/channels/{public_id}", app.id),
        None,
    )
    .await;
    let connected = s
        .control_ok(Method::GET, &format!("/apps/{}/channels", app.id), None)
        .await;
    let ids: Vec<_> = connected["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["public_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, vec!["_fixed".to_owned(), public_id.to_owned()]);
    assert_eq!(s.control(Method::DELETE, &path, None).await.status, 204);
    s.control(Method::DELETE, &path, None)
        .await
        .assert_control_error(404, "not_found");
    s.control(
        Method::PUT,
        &format!("/apps/{}/channels/_nosuch", app.id),
        None,
    )
    .await
    .assert_control_error(404, "not_found");
    s.control(Method::PUT, "/apps/999/channels/_fixed", None)
        .await
        .assert_control_error(404, "not_found");
    let sanctioned = s
        .control_ok(
            Method::PATCH,
            "/channels/_fixed",
            Some(json!({"status": "sanctioned"})),
        )
        .await;
    assert_eq!(sanctioned["status"], "sanctioned");
    s.control(
        Method::PATCH,
        "/channels/_fixed",
        Some(json!({"status": "gone"})),
    )
    .await
    .assert_control_error(400, "invalid_request");
}

async fn links_and_tokens(s: TestServer) {
    let app = s.create_app("Shop").await;
    let account = s.create_account("Minji").await;
    let linked = s
        .control_ok(
            Method::POST,
            &format!("/apps/{}/users", app.id),
            Some(json!({"account_id": account, "scopes": ["plusfriends"], "user_id": 4242})),
        )
        .await;
    assert_eq!(linked["user_id"], 4242);
    assert_eq!(linked["token"]["token_type"], "bearer");
    assert_eq!(linked["token"]["expires_in"], 21599);
    let again = s
        .control(
            Method::POST,
            &format!("/apps/{}/users", app.id),
            Some(json!({"account_id": account})),
        )
        .await;
    again.assert_control_error(409, "conflict");
    let other = s.create_account("Other").await;
    let taken = s
        .control(
            Method::POST,
            &format!("/apps/{}/users", app.id),
            Some(json!({"account_id": other, "user_id": 4242})),
        )
        .await;
    taken.assert_control_error(409, "conflict");
    s.control(
        Method::POST,
        &format!("/apps/{}/users", app.id),
        Some(json!({"account_id": other, "scopes": ["everything"]})),
    )
    .await
    .assert_control_error(400, "invalid_request");
    s.control(
        Method::POST,
        &format!("/apps/{}/users", app.id),
        Some(json!({"account_id": 999})),
    )
    .await
    .assert_control_error(404, "not_found");
    let user = s
        .control_ok(Method::GET, &format!("/apps/{}/users/4242", app.id), None)
        .await;
    assert_eq!(
        (user["account_id"].as_i64(), user["scopes"].clone()),
        (Some(account), json!(["plusfriends"]))
    );
    let fresh = s
        .control_ok(
            Method::POST,
            &format!("/apps/{}/users/4242/tokens", app.id),
            None,
        )
        .await;
    assert_ne!(fresh["access_token"], linked["token"]["access_token"]);
    for token in [&fresh["access_token"], &linked["token"]["access_token"]] {
        let reply = s
            .call(
                Method::GET,
                "/v2/api/talk/channels",
                Some(&format!("Bearer {}", token.as_str().unwrap())),
                None,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
}

async fn the_operator_token_guards_everything_but_the_openapi_document(s: TestServer) {
    for auth in [None, Some("Bearer wrong-token"), Some("Basic abc")] {
        let reply = s
            .call(Method::GET, "/admin/api/v1/accounts", auth, None)
            .await;
        reply.assert_control_error(401, "unauthorized");
    }
    // Two Authorization headers, the valid one first or last: neither counts, and the
    // call changes nothing.
    let valid = format!("Bearer {}", s.operator_token);
    for pair in [
        [valid.as_str(), "Bearer wrong"],
        ["Bearer wrong", valid.as_str()],
    ] {
        let res = s
            .http
            .post(s.url("/admin/api/v1/accounts"))
            .header("authorization", pair[0])
            .header("authorization", pair[1])
            .json(&serde_json::json!({"nickname": "twice"}))
            .send()
            .await
            .unwrap();
        talkchannel_testkit::Reply::read(res)
            .await
            .assert_control_error(401, "unauthorized");
    }
    let accounts = s.control_ok(Method::GET, "/accounts", None).await;
    assert_eq!(accounts["items"], serde_json::json!([]), "nothing created");
    let doc = s
        .call(Method::GET, "/admin/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(doc.status, 200);
    let paths = doc.body["paths"].as_object().unwrap();
    for path in [
        "/admin/api/v1/accounts",
        "/admin/api/v1/apps/{app_id}/users",
        "/admin/api/v1/channels/{public_id}/friendships/{account_id}/{action}",
    ] {
        assert!(paths.contains_key(path), "{path} documented");
    }
    assert!(doc.body["components"]["securitySchemes"]["operator"].is_object());
}
