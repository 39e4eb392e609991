//! The chat bridge page shows the channel's messages delivered to the signed-in account,
//! escaped, with tracked buttons, and opening it counts as reading them.

use crate::channel_pages::signed_in;
use reqwest::Method;
use serde_json::json;
use talkchannel_testkit::{on_both_engines, TestServer};

on_both_engines!(the_chat_page_shows_delivered_messages_and_counts_the_read);

async fn the_chat_page_shows_delivered_messages_and_counts_the_read(s: TestServer) {
    let (_app, account, b) = signed_in(&s, "chat@example.com", "Chat").await;
    let other = s.create_account("Not a friend").await;
    s.create_channel("_shop", "Shop").await;
    s.friend(account, "_shop", "add").await;

    let empty = b.get("/_shop/chat").await;
    assert_eq!(empty.status, 200, "{}", empty.text);
    assert!(!empty.text.contains("class=\"bubble\""), "{}", empty.text);

    let body = json!({
        "content": {"type": "text", "text": "<b>Sale</b> today"},
        "buttons": [{"name": "Open", "url": "https://shop.example/sale"}],
        "target": {"kind": "all_friends"},
    });
    let id = s
        .control_ok(Method::POST, "/channels/_shop/messages", Some(body))
        .await["id"]
        .as_i64()
        .unwrap();
    s.control_ok(
        Method::POST,
        &format!("/channels/_shop/messages/{id}/send"),
        None,
    )
    .await;
    let stats_path = format!("/channels/_shop/messages/{id}/stats");
    assert_eq!(
        s.control_ok(Method::GET, &stats_path, None).await["read"],
        0
    );

    let chat = b.get("/_shop/chat").await;
    assert_eq!(chat.status, 200, "{}", chat.text);
    assert!(
        chat.text.contains("&#60;b&#62;Sale&#60;/b&#62; today"),
        "the text shows, escaped: {}",
        chat.text
    );
    assert!(!chat.text.contains("<b>Sale"), "{}", chat.text);
    assert_eq!(chat.text.matches("class=\"bubble\"").count(), 1, "once");
    let tracked = format!("/m/{id}/0?a={account}&#38;t=");
    assert!(
        chat.text.contains(&tracked),
        "tracked button: {}",
        chat.text
    );
    assert_eq!(
        s.control_ok(Method::GET, &stats_path, None).await["read"],
        1,
        "opening the chat read the message"
    );
    let others = s
        .control_ok(
            Method::GET,
            &format!("/channels/_shop/chats/{other}/messages"),
            None,
        )
        .await;
    assert_eq!(others["items"], json!([]), "a non-friend got nothing");
}
