//! Property tests of the domain's parsers of outside input: for any input they answer
//! (never panic), and what they accept has the property the surfaces rely on. A case
//! proptest finds that breaks one becomes a named regression test beside it.

use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use talkchannel_domain::local_path::LocalPath;
use talkchannel_domain::segment::parse_condition;
use talkchannel_domain::validation::{has_stray_control, positive_id};
use talkchannel_domain::web_url::WebUrl;
use talkchannel_domain::{FileId, FileSchema, MessageBody};

/// Strings rich in what breaks parsers: separators, controls, escapes, non-ASCII.
fn hostile_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("/".to_owned()),
            Just("\\".to_owned()),
            Just("//".to_owned()),
            Just("%".to_owned()),
            Just("%2F".to_owned()),
            Just("%00".to_owned()),
            Just("\u{0}".to_owned()),
            Just("\t".to_owned()),
            Just("\n".to_owned()),
            Just("@".to_owned()),
            Just(":".to_owned()),
            Just("?".to_owned()),
            Just("#".to_owned()),
            Just("..".to_owned()),
            Just(".".to_owned()),
            Just("/.".to_owned()),
            Just("http://".to_owned()),
            Just("https:".to_owned()),
            Just("evil.example".to_owned()),
            Just("한".to_owned()),
            "[a-z0-9]{1,4}",
            any::<char>().prop_map(String::from),
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

/// Any JSON value, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        hostile_text().prop_map(Value::from),
        prop_oneof![
            Just("and"),
            Just("or"),
            Just("not"),
            Just("field"),
            Just("op"),
            Just("value"),
            Just("file"),
            Just("equals"),
            Just("in"),
            Just("gender"),
            Just("age"),
            Just(">="),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("and".to_owned()),
                    Just("or".to_owned()),
                    Just("not".to_owned()),
                    Just("field".to_owned()),
                    Just("op".to_owned()),
                    Just("value".to_owned()),
                    Just("file".to_owned()),
                    Just("type".to_owned()),
                    Just("text".to_owned()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..5,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// An accepted `continue` is a plain local path that parses to itself again.
    #[test]
    fn local_paths_stay_local(raw in hostile_text()) {
        if let Some(path) = LocalPath::parse(&raw) {
            let p = path.as_str();
            prop_assert!(p.starts_with('/') && !p.starts_with("//"), "{p:?}");
            prop_assert!(!p.chars().any(|c| c.is_control() || c == '\\'), "{p:?}");
            prop_assert_eq!(LocalPath::parse(p).map(|again| again.as_str().to_owned()), Some(p.to_owned()));
        }
    }

    /// An accepted URL is http(s) with a host, free of controls, and accepted again.
    #[test]
    fn web_urls_have_a_host_and_no_controls(raw in hostile_text()) {
        if let Ok(url) = WebUrl::parse(&raw) {
            prop_assert!(matches!(url.url().scheme(), "http" | "https"));
            prop_assert!(url.url().host_str().is_some_and(|h| !h.is_empty()));
            prop_assert!(!url.as_str().chars().any(char::is_control));
            prop_assert!(WebUrl::parse(url.as_str()).is_ok());
        }
    }

    /// An id has one spelling: what is accepted prints back to the same text.
    #[test]
    fn ids_have_one_spelling(raw in "[+ 0-9a-z-]{0,22}") {
        if let Some(id) = positive_id(&raw) {
            prop_assert!(id > 0);
            prop_assert_eq!(id.to_string(), raw);
        }
    }

    /// Condition trees: any JSON answers Ok or a named error, and nothing accepted
    /// holds a NUL.
    #[test]
    fn condition_trees_never_panic(tree in json_value()) {
        let schema = FileSchema::parse([("tier", "string"), ("rating", "number")]).unwrap();
        let files: BTreeMap<FileId, FileSchema> = [(1, schema)].into_iter().collect();
        if parse_condition(&tree, &files).is_ok() {
            prop_assert!(!tree.to_string().contains("\\u0000"), "{tree}");
        }
    }

    /// Message bodies: any JSON either fails to deserialize, fails validation with a
    /// named field, or is a body whose every text is free of stray controls.
    #[test]
    fn message_bodies_never_panic(body in json_value()) {
        if let Ok(parsed) = serde_json::from_value::<MessageBody>(body.clone()) {
            if parsed.validate().is_ok() {
                prop_assert!(!has_stray_control(&body.to_string().replace("\\n", "")), "{body}");
            }
        }
    }

    /// Customer-file values: any JSON object is coerced or refused by field name.
    #[test]
    fn file_values_never_panic(values in proptest::collection::btree_map("[a-z]{1,6}", json_value(), 0..6)) {
        let schema = FileSchema::parse([("tier", "string"), ("rating", "number")]).unwrap();
        let map: serde_json::Map<String, Value> = values.into_iter().collect();
        if let Ok(stored) = schema.check_values(&map) {
            prop_assert!(!stored.contains("\\u0000"), "{stored}");
        }
    }
}
