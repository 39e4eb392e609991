use super::*;
use serde_json::json;

fn default(t: serde_json::Value) -> Checked<Preview> {
    check(
        "default",
        &json!({"link_ver": "4.0", "template_object": t}).to_string(),
    )
}

fn link() -> serde_json::Value {
    json!({"web_url": "https://shop.example/a", "mobile_web_url": "https://m.shop.example/a"})
}

#[test]
fn a_feed_previews_its_content_and_buttons() {
    let p = default(json!({"object_type": "feed",
        "content": {"title": "Cake", "description": "Sweet", "image_url": "https://img.example/c.png", "link": link()},
        "buttons": [{"title": "Open", "link": link()}]}))
    .unwrap();
    assert_eq!(p.object_type, "feed");
    assert_eq!(p.blocks[0].title.as_deref(), Some("Cake"));
    assert_eq!(p.blocks[0].image_host.as_deref(), Some("img.example"));
    assert_eq!(
        p.buttons,
        vec![("Open".into(), Some("https://shop.example/a".into()))]
    );
}

#[test]
fn wrong_templates_say_which_field() {
    let cases = [
        (
            json!({"content": {"link": link()}}),
            "object_type is required",
        ),
        (json!({"object_type": "feed"}), "content is required"),
        (
            json!({"object_type": "feed", "content": {"title": "x"}}),
            "content.link is required",
        ),
        (
            json!({"object_type": "feed", "content": {"title": 5, "link": link()}}),
            "content.title must be a string",
        ),
        (
            json!({"object_type": "text", "link": link()}),
            "text is required",
        ),
        (
            json!({"object_type": "text", "text": "a".repeat(201), "link": link()}),
            "text is longer than 200 characters",
        ),
        (
            json!({"object_type": "text", "text": "hi", "link": link(), "buttons": [
            {"title": "a", "link": link()}, {"title": "b", "link": link()}, {"title": "c", "link": link()}]}),
            "buttons holds at most 2 buttons",
        ),
        (
            json!({"object_type": "list", "header_title": "h", "contents": [{"link": link()}]}),
            "contents must hold 2 or 3 contents",
        ),
        (
            json!({"object_type": "commerce", "content": {"link": link()}, "commerce": {}}),
            "commerce.regular_price is required",
        ),
        (
            json!({"object_type": "text", "text": "hi", "link": {"web_url": "javascript:alert(1)"}}),
            "link.web_url must be an absolute http(s) URL",
        ),
        (
            json!({"object_type": "poll"}),
            "object_type `poll` is not one of feed, list, commerce, location, text",
        ),
    ];
    for (template, message) in cases {
        assert_eq!(default(template).unwrap_err().0, message);
    }
}

#[test]
fn scraps_need_an_http_url_and_params_have_a_size_limit() {
    let p = check("scrap", r#"{"request_url": "https://news.example/x"}"#).unwrap();
    assert_eq!(p.blocks[0].link.as_deref(), Some("https://news.example/x"));
    assert!(check("scrap", r#"{"request_url": "ftp://x"}"#).is_err());
    assert!(check("scrap", "not json").is_err());
    let huge =
        json!({"request_url": format!("https://x.example/{}", "a".repeat(MAX_PARAMS_BYTES))});
    assert!(check("scrap", &huge.to_string())
        .unwrap_err()
        .0
        .contains("longer than"));
}
