//! A customer file's friend count follows the channel: friends added and blocked, rows
//! matched by app user id or phone number, rows deleted, the file deleted.

use super::customer_files::{add, counts, create, user, world};
use reqwest::Method;
use serde_json::json;
use talkchannel_client::{Auth, DeleteUsersRequest, UserType};
use talkchannel_testkit::{on_both_engines, TestServer};

on_both_engines!(friends_follow_adds_blocks_and_deletes);

async fn friends_follow_adds_blocks_and_deletes(s: TestServer) {
    let w = world(&s).await;
    let file = create(&w, "_shop", "f").await.unwrap();
    let linked = s.create_user(&w.app, "linked", &["plusfriends"]).await;
    let with_phone = s
        .control_ok(
            Method::POST,
            "/accounts",
            Some(json!({"nickname": "phone", "phone_number": "010-5555-0001"})),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    s.friend(linked.account_id, "_shop", "add").await;
    let by_app = add(
        file,
        UserType::App,
        vec![user(linked.user_id, json!({})), user(424242, json!({}))],
    );
    w.client.add_users(&w.app.admin_key, &by_app).await.unwrap();
    let by_phone = add(file, UserType::Phone, vec![user("821055550001", json!({}))]);
    w.client
        .add_users(&w.app.admin_key, &by_phone)
        .await
        .unwrap();
    assert_eq!(counts(&s, file).await, (3, 3, 1));
    s.friend(with_phone, "_shop", "add").await;
    assert_eq!(counts(&s, file).await.2, 2);
    s.friend(linked.account_id, "_shop", "block").await;
    assert_eq!(counts(&s, file).await.2, 1);
    let relation = w
        .client
        .channels(Auth::AdminKey(&w.app.admin_key, linked.user_id), None)
        .await
        .unwrap();
    assert_eq!(relation.channels[0].relation, "BLOCKED");
    let delete = DeleteUsersRequest {
        file_id: file,
        channel_public_id: "_shop".into(),
        user_type: UserType::Phone,
        user_ids: vec!["01055550001".into()],
    };
    w.client
        .delete_users(&w.app.admin_key, &delete)
        .await
        .unwrap();
    assert_eq!(counts(&s, file).await, (3, 2, 0));
    let listed = s
        .control_ok(Method::GET, "/channels/_shop/customer-files", None)
        .await;
    assert_eq!(listed[0]["friends"], 0);
    s.control_ok(Method::DELETE, &format!("/customer-files/{file}"), None)
        .await;
    s.control(Method::GET, &format!("/customer-files/{file}"), None)
        .await
        .assert_control_error(404, "not_found");
}
