use super::*;
use chrono::TimeZone as _;

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
fn quiet_hours_are_korean_evenings_and_nights_by_default() {
    // 11:00 UTC = 20:00 KST; 22:59 UTC = 07:59 KST; 23:00 UTC = 08:00 KST.
    let at = |h, m| Utc.with_ymd_and_hms(2026, 1, 1, h, m, 0).unwrap();
    let seoul = TimeZone::default();
    assert_eq!(seoul.as_str(), "Asia/Seoul");
    assert!(!in_quiet_hours(at(10, 59), seoul));
    assert!(in_quiet_hours(at(11, 0), seoul));
    assert!(in_quiet_hours(at(22, 59), seoul));
    assert!(!in_quiet_hours(at(23, 0), seoul));
    let mut ad = text("(광고) x");
    ad.ad = true;
    assert!(check_ad_time(&ad, at(12, 0), seoul).is_err());
    assert!(check_ad_time(&text("x"), at(12, 0), seoul).is_ok());
}

#[test]
fn quiet_hours_follow_the_channel_zone_and_its_daylight_saving() {
    let mut ad = text("(광고) x");
    ad.ad = true;
    // 21:00 KST on 2026-07-01 is 12:00 UTC: 14:00 in Paris (CEST, UTC+2), daytime.
    let evening_in_seoul = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
    let paris = TimeZone::parse("Europe/Paris").unwrap();
    assert!(check_ad_time(&ad, evening_in_seoul, TimeZone::SEOUL).is_err());
    assert!(check_ad_time(&ad, evening_in_seoul, paris).is_ok());
    // 18:30 UTC is 20:30 in Paris in summer (quiet) but 19:30 in winter (not yet).
    let summer = Utc.with_ymd_and_hms(2026, 7, 1, 18, 30, 0).unwrap();
    let winter = Utc.with_ymd_and_hms(2026, 1, 15, 18, 30, 0).unwrap();
    assert!(in_quiet_hours(summer, paris));
    assert!(!in_quiet_hours(winter, paris));
    let err = check_ad_time(&ad, summer, paris).unwrap_err();
    assert!(err.to_string().contains("Europe/Paris"), "{err}");
}

#[test]
fn time_zones_are_iana_names() {
    assert_eq!(TimeZone::parse("UTC").unwrap().as_str(), "UTC");
    for bad in ["", "Mars/Olympus", "KST+9", "asia/seoul"] {
        assert_eq!(
            TimeZone::parse(bad).unwrap_err().field,
            "time_zone",
            "{bad}"
        );
    }
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
