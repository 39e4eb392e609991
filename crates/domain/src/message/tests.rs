use super::*;
use chrono::TimeZone;

fn text(t: &str) -> MessageBody {
    MessageBody {
        content: MessageContent::Text { text: t.into() },
        buttons: vec![],
        ad: false,
    }
}

fn button(url: &str) -> Button {
    Button {
        name: "Open".into(),
        url: url.into(),
    }
}

#[test]
fn limits_name_the_field() {
    assert!(text("hello\nworld").validate().is_ok());
    assert_eq!(
        text(&"a".repeat(1_001)).validate().unwrap_err().field,
        "content.text"
    );
    let mut many = text("hi");
    many.buttons = vec![button("https://a.example"); 3];
    assert_eq!(many.validate().unwrap_err().field, "buttons");
    for bad in [
        "javascript:alert(1)",
        "data:text/html,x",
        "ftp://a.example/",
        "/relative",
    ] {
        let mut b = text("hi");
        b.buttons = vec![button(bad)];
        assert_eq!(b.validate().unwrap_err().field, "buttons[0].url", "{bad}");
    }
    let mut long = text("hi");
    long.buttons = vec![button(&format!("https://a.example/{}", "x".repeat(1_000)))];
    assert_eq!(long.validate().unwrap_err().field, "buttons[0].url");
}

#[test]
fn ads_carry_the_marker() {
    let mut ad = text("sale today");
    ad.ad = true;
    assert_eq!(ad.validate().unwrap_err().field, "content");
    ad.content = MessageContent::Text {
        text: "(광고) sale today".into(),
    };
    assert!(ad.validate().is_ok());
}

#[test]
fn quiet_hours_are_korean_evenings_and_nights() {
    // 11:00 UTC = 20:00 KST; 22:59 UTC = 07:59 KST; 23:00 UTC = 08:00 KST.
    let at = |h, m| Utc.with_ymd_and_hms(2026, 1, 1, h, m, 0).unwrap();
    assert!(!in_quiet_hours(at(10, 59)));
    assert!(in_quiet_hours(at(11, 0)));
    assert!(in_quiet_hours(at(22, 59)));
    assert!(!in_quiet_hours(at(23, 0)));
    let mut ad = text("(광고) x");
    ad.ad = true;
    assert!(check_ad_time(&ad, at(12, 0)).is_err());
    assert!(check_ad_time(&text("x"), at(12, 0)).is_ok());
}

#[test]
fn every_type_round_trips_and_validates() {
    let bodies = serde_json::json!([
        {"type": "image", "image_url": "https://i.example/a.png", "text": "hi"},
        {"type": "wide_image", "image_url": "https://i.example/a.png"},
        {"type": "wide_list", "header": "New", "items": [
            {"title": "a", "image_url": "https://i.example/a", "link": "https://s.example/a"},
            {"title": "b", "image_url": "https://i.example/b", "link": "https://s.example/b"},
            {"title": "c", "image_url": "https://i.example/c", "link": "https://s.example/c"}]},
        {"type": "commerce", "image_url": "https://i.example/a", "title": "Shoes",
            "regular_price": 50000, "discount_price": 40000},
        {"type": "carousel", "cards": [
            {"title": "a", "image_url": "https://i.example/a"},
            {"title": "b", "image_url": "https://i.example/b", "description": "d"}]}
    ]);
    for value in bodies.as_array().unwrap() {
        let content: MessageContent = serde_json::from_value(value.clone()).unwrap();
        content.validate().unwrap();
        assert_eq!(&serde_json::to_value(&content).unwrap(), value);
    }
    let short: MessageContent =
        serde_json::from_value(serde_json::json!({"type": "carousel", "cards": []})).unwrap();
    assert_eq!(short.validate().unwrap_err().field, "content.cards");
}
