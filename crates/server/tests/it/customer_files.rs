//! The customer-file API (spec §3) through the typed client, as a Kakao client calls it,
//! and the counts the Admin Center reads through the control API.

use reqwest::Method;
use serde_json::{json, Map, Value};
use talkchannel_client::{
    AddUsersRequest, ClientError, CreateFileRequest, DeleteUsersRequest, FieldType, KakaoClient,
    TargetUser, UserId, UserType,
};
use talkchannel_testkit::{on_both_engines, AppFixture, TestServer};

on_both_engines!(
    create_view_add_and_delete_as_kakao_answers,
    channel_and_key_errors_use_kakao_codes,
    file_limits_and_bad_input_are_refused,
    values_that_do_not_fit_fail_only_their_user,
);

pub struct World {
    pub client: KakaoClient,
    pub app: AppFixture,
}

pub async fn world(s: &TestServer) -> World {
    let app = s.create_app("Shop").await;
    s.create_channel("_shop", "Shop channel").await;
    s.connect(&app, "_shop").await;
    World {
        client: KakaoClient::new(&s.base).expect("client"),
        app,
    }
}

fn schema() -> std::collections::BTreeMap<String, FieldType> {
    [
        ("연령".to_owned(), FieldType::Number),
        ("지역".to_owned(), FieldType::String),
    ]
    .into()
}

pub async fn create(w: &World, channel: &str, name: &str) -> Result<i64, ClientError> {
    let request = CreateFileRequest {
        channel_public_id: channel.into(),
        file_name: name.into(),
        schema: schema(),
    };
    Ok(w.client
        .create_customer_file(&w.app.admin_key, &request)
        .await?
        .file_id)
}

pub fn user(id: impl Into<UserId>, field: Value) -> TargetUser {
    let Value::Object(field) = field else {
        panic!("field must be an object")
    };
    TargetUser {
        id: id.into(),
        field,
    }
}

pub fn add(file_id: i64, user_type: UserType, users: Vec<TargetUser>) -> AddUsersRequest {
    AddUsersRequest {
        file_id,
        channel_public_id: "_shop".into(),
        user_type,
        users,
    }
}

#[track_caller]
fn kakao_code<T: std::fmt::Debug>(result: Result<T, ClientError>) -> (u16, i32) {
    let err = result.expect_err("a Kakao error");
    let k = err
        .kakao()
        .unwrap_or_else(|| panic!("not a Kakao error: {err}"));
    assert!(!k.msg.is_empty(), "msg is empty");
    (k.status, k.code)
}

pub async fn counts(s: &TestServer, file: i64) -> (i64, i64, i64) {
    let f = s
        .control_ok(Method::GET, &format!("/customer-files/{file}"), None)
        .await;
    let n = |k: &str| f[k].as_i64().unwrap();
    (n("attempted"), n("registered"), n("friends"))
}

async fn create_view_add_and_delete_as_kakao_answers(s: TestServer) {
    let w = world(&s).await;
    let key = &w.app.admin_key;
    let file = create(&w, "_shop", "고객리스트").await.expect("create");
    let listed = w.client.customer_files(key, "_shop", None).await.unwrap();
    assert_eq!((listed.empty_slot, listed.using_slot), (29, 1));
    assert_eq!(listed.results[0].file_id, file);
    assert_eq!(listed.results[0].status, "COMPLETE");
    assert!(
        listed.results[0].schema.is_empty(),
        "{{}} until a user is added"
    );

    let users = [
        user(1001, json!({"연령": 29, "지역": "서울"})),
        user("010-1234-5678", json!({"연령": "31"})),
        user("8210-1234-5678", json!({"지역": "부산"})),
        user("+82 10 9999 0000", json!({})),
    ];
    let app_users = add(file, UserType::App, users[..1].to_vec());
    let answer = w.client.add_users(key, &app_users).await.unwrap();
    assert_eq!(
        (answer.file_id, answer.request_count, answer.success_count),
        (Some(file), 1, 1)
    );
    let phones = add(file, UserType::Phone, users[1..].to_vec());
    let answer = w.client.add_users(key, &phones).await.unwrap();
    assert_eq!((answer.request_count, answer.success_count), (3, 3));
    assert_eq!(
        counts(&s, file).await,
        (4, 3, 0),
        "two spellings, one number"
    );

    let rows = s
        .control_ok(Method::GET, &format!("/customer-files/{file}/rows"), None)
        .await;
    assert_eq!(rows["items"][1]["id"], "01012345678");
    assert_eq!(
        rows["items"][1]["fields"],
        json!({"지역": "부산"}),
        "replaced"
    );
    assert_eq!(
        rows["items"][0]["fields"],
        json!({"연령": 29, "지역": "서울"})
    );

    let one = w
        .client
        .customer_files(key, "_shop", Some(file))
        .await
        .unwrap();
    assert_eq!(one.results[0].schema["연령"], "number");
    let body = json!({"file_id": file.to_string(), "channel_public_id": "_shop", "user_type": "PHONE",
        "user_ids": ["01012345678", {"id": "01099990000"}, "not a phone"]});
    let reply = s
        .call(
            Method::POST,
            "/v1/talkchannel/delete/target_users",
            Some(&w.app.kakao_ak()),
            Some(body),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.headers["content-type"],
        "application/json;charset=UTF-8"
    );
    assert_eq!(
        reply.body,
        json!({"file_id": file, "request_count": 3, "success_count": 2})
    );
    let delete = DeleteUsersRequest {
        file_id: file,
        channel_public_id: "_shop".into(),
        user_type: UserType::App,
        user_ids: vec![UserId::Number(1001)],
    };
    assert_eq!(
        w.client
            .delete_users(key, &delete)
            .await
            .unwrap()
            .success_count,
        1
    );
    assert_eq!(counts(&s, file).await, (4, 0, 0));
}

async fn channel_and_key_errors_use_kakao_codes(s: TestServer) {
    let w = world(&s).await;
    let file = create(&w, "_shop", "a").await.unwrap();
    let rest = KakaoClient::new(&s.base).unwrap();
    let req = add(file, UserType::App, vec![user(1, json!({}))]);
    assert_eq!(
        kakao_code(rest.add_users(&w.app.rest_api_key, &req).await),
        (401, -401)
    );
    assert_eq!(
        kakao_code(
            rest.add_users("0123456789abcdef0123456789abcdef", &req)
                .await
        ),
        (401, -401)
    );
    let user_token = s.create_user(&w.app, "Minji", &["plusfriends"]).await;
    let reply = s
        .call(
            Method::GET,
            "/v1/talkchannel/target_user_file?channel_public_id=_shop",
            Some(&AppFixture::bearer(&user_token)),
            None,
        )
        .await;
    reply.assert_kakao_error(401, -401);

    assert_eq!(kakao_code(create(&w, "_nochannel", "x").await), (400, -541));
    s.create_channel("_lonely", "not connected").await;
    assert_eq!(kakao_code(create(&w, "_lonely", "x").await), (400, -819));
    s.create_channel("_banned", "sanctioned").await;
    s.connect(&w.app, "_banned").await;
    s.control_ok(
        Method::PATCH,
        "/channels/_banned",
        Some(json!({"status": "sanctioned"})),
    )
    .await;
    assert_eq!(kakao_code(create(&w, "_banned", "x").await), (400, -544));

    // Another app's file, even on the same channel, is unknown to this app.
    let other = s.create_app("Other").await;
    s.connect(&other, "_shop").await;
    let theirs = World {
        client: w.client.clone(),
        app: other,
    };
    let their_file = create(&theirs, "_shop", "theirs").await.unwrap();
    let req = add(their_file, UserType::App, vec![user(1, json!({}))]);
    assert_eq!(
        kakao_code(w.client.add_users(&w.app.admin_key, &req).await),
        (400, -816)
    );
    assert_eq!(
        kakao_code(
            w.client
                .customer_files(&w.app.admin_key, "_shop", Some(their_file))
                .await
        ),
        (400, -816)
    );
    let listed = w
        .client
        .customer_files(&w.app.admin_key, "_shop", None)
        .await
        .unwrap();
    assert_eq!(
        (listed.using_slot, listed.results.len()),
        (2, 1),
        "slots are the channel's"
    );
}

async fn file_limits_and_bad_input_are_refused(s: TestServer) {
    let w = world(&s).await;
    let file = create(&w, "_shop", "dup").await.unwrap();
    assert_eq!(kakao_code(create(&w, "_shop", "dup").await), (400, -817));
    for i in 1..30 {
        create(&w, "_shop", &format!("f{i}")).await.unwrap();
    }
    assert_eq!(kakao_code(create(&w, "_shop", "f31").await), (400, -818));

    let too_many: Vec<_> = (1..=2001).map(|i| user(i, json!({}))).collect();
    let req = add(file, UserType::App, too_many);
    assert_eq!(
        kakao_code(w.client.add_users(&w.app.admin_key, &req).await),
        (400, -2)
    );
    assert_eq!(counts(&s, file).await, (0, 0, 0), "nothing written");

    let many_fields: Map<String, Value> = (0..10_000)
        .map(|i| (format!("f{i}"), json!("string")))
        .collect();
    for schema in [
        json!({"a": "date"}),
        json!({}),
        Value::Object(many_fields),
        json!("nope"),
    ] {
        let body = json!({"channel_public_id": "_shop", "file_name": "bad", "schema": schema});
        let reply = s
            .call(
                Method::POST,
                "/v1/talkchannel/create/target_user_file",
                Some(&w.app.kakao_ak()),
                Some(body),
            )
            .await;
        reply.assert_kakao_error(400, -2);
    }
    let bodies = [
        json!({"file_id": file, "channel_public_id": "_shop", "user_type": "email", "users": []}),
        json!({"file_id": "x", "channel_public_id": "_shop", "user_type": "app", "users": []}),
        json!({"channel_public_id": "_shop", "user_type": "app", "users": []}),
    ];
    for body in bodies {
        let reply = s
            .call(
                Method::POST,
                "/v1/talkchannel/update/target_users",
                Some(&w.app.kakao_ak()),
                Some(body),
            )
            .await;
        reply.assert_kakao_error(400, -2);
    }
    let form = s
        .http
        .post(s.url("/v1/talkchannel/update/target_users"))
        .header("authorization", w.app.kakao_ak())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("file_id={file}&channel_public_id=_shop"))
        .send()
        .await
        .unwrap();
    talkchannel_testkit::Reply::read(form)
        .await
        .assert_kakao_error(400, -2);
    let listed = w
        .client
        .customer_files(&w.app.admin_key, "_shop", None)
        .await
        .unwrap();
    assert_eq!(
        (listed.using_slot, listed.empty_slot),
        (30, 0),
        "no bad file was created"
    );
}

async fn values_that_do_not_fit_fail_only_their_user(s: TestServer) {
    let w = world(&s).await;
    let file = create(&w, "_shop", "f").await.unwrap();
    let users = vec![
        user(1, json!({"연령": "스물"})),
        user(2, json!({"모름": 1})),
        user("abc", json!({})),
        user(-5, json!({})),
        user(3, json!({"연령": 40, "지역": 7})),
        user(4, json!({"연령": null})),
    ];
    let answer = w
        .client
        .add_users(&w.app.admin_key, &add(file, UserType::App, users))
        .await
        .unwrap();
    assert_eq!((answer.request_count, answer.success_count), (6, 2));
    let rows = s
        .control_ok(Method::GET, &format!("/customer-files/{file}/rows"), None)
        .await;
    assert_eq!(rows["items"][0]["fields"], json!({"연령": 40, "지역": "7"}));
    assert_eq!(rows["items"][1]["fields"], json!({}));
    let phones = vec![user("010-12", json!({})), user("abc", json!({}))];
    let answer = w
        .client
        .add_users(&w.app.admin_key, &add(file, UserType::Phone, phones))
        .await
        .unwrap();
    assert_eq!(answer.success_count, 0);
    assert_eq!(counts(&s, file).await, (8, 2, 0));
}
