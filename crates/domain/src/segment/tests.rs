use super::*;
use crate::{Account, FileSchema};
use serde_json::{json, Value};
use std::collections::HashMap;

fn files() -> HashMap<FileId, FileSchema> {
    let schema = FileSchema::parse([
        ("age", "number"),
        ("region", "string"),
        ("joined", "string"),
    ])
    .unwrap();
    HashMap::from([(7, schema)])
}

fn parse(v: Value) -> Result<Condition, crate::ValidationError> {
    parse_condition(&v, &files())
}

fn day(s: &str) -> NaiveDate {
    parse_date(s).unwrap()
}

#[test]
fn a_tree_parses_and_renders_canonically() {
    let tree = json!({"and": [
        {"profile": "gender", "op": "equals", "value": "female"},
        {"profile": "age", "op": "between", "value": [20, 39]},
        {"or": [
            {"file": 7, "field": "region", "op": "in", "value": ["Seoul", "Busan"]},
            {"not": {"file": 7, "field": "age", "op": "<", "value": 18.5}},
            {"file": 7, "field": "joined", "op": "within_last_days", "value": 30}
        ]}
    ]});
    let c = parse(tree).unwrap();
    assert_eq!(c.files(), BTreeSet::from([7]));
    let rendered = render(&c);
    assert_eq!(
        rendered["and"][0],
        json!({"profile": "gender", "op": "in", "value": ["female"]})
    );
    assert_eq!(rendered["and"][1]["value"], json!([20, 39]));
    assert_eq!(rendered["and"][2]["or"][1]["not"]["op"], json!("lt"));
    // Rendering is a fixed point: what we store parses to the same tree.
    assert_eq!(parse(rendered).unwrap(), c);
}

#[test]
fn errors_name_the_node() {
    let err = |v: Value| parse(v).unwrap_err();
    let e = err(json!({"and": [{"file": 7, "field": "nope", "op": "equals", "value": "x"}]}));
    assert_eq!(e.field, "tree.and[0].field");
    assert!(e.reason.contains("no field `nope`"), "{e}");
    let e = err(json!({"file": 7, "field": "region", "op": "equals", "value": 3}));
    assert_eq!(e.field, "tree.value");
    assert!(e.reason.contains("compared with strings"), "{e}");
    let e = err(json!({"file": 7, "field": "age", "op": "gt", "value": "3"}));
    assert!(e.reason.contains("compared with numbers"), "{e}");
    let e = err(json!({"file": 7, "field": "age", "op": "prefix", "value": 3}));
    assert_eq!(e.field, "tree.op");
    assert_eq!(
        err(json!({"file": 8, "field": "age", "op": "eq", "value": 1})).field,
        "tree.file"
    );
    assert!(err(json!({"and": []})).reason.contains("at least one"));
    assert!(err(json!({"and": [], "or": []})).reason.contains("only"));
    assert!(err(json!({"profile": "shoe", "op": "eq", "value": 1}))
        .reason
        .contains("unknown"));
    assert!(
        err(json!({"profile": "gender", "op": "equals", "value": "x"}))
            .reason
            .contains("female")
    );
    assert!(
        err(json!({"profile": "age", "op": "between", "value": [40, 20]}))
            .reason
            .contains("above")
    );
    let e = err(json!({"file": 7, "field": "joined", "op": "date_before", "value": "2024-02-30"}));
    assert!(e.reason.contains("YYYY-MM-DD"), "{e}");
    assert!(
        err(json!({"file": 7, "field": "age", "op": "eq", "value": 1, "x": 1}))
            .reason
            .contains("unexpected key")
    );
    assert!(err(json!([1])).reason.contains("object"));
}

#[test]
fn limits_are_enforced() {
    let mut deep = json!({"profile": "age", "op": "gt", "value": 1});
    for _ in 0..MAX_DEPTH {
        deep = json!({ "not": deep });
    }
    let e = parse(deep).unwrap_err();
    assert!(e.reason.contains("deeper than 12"), "{e}");

    let many: Vec<Value> = (0..MAX_NODES)
        .map(|_| json!({"profile": "age", "op": "gt", "value": 1}))
        .collect();
    assert!(parse(json!({ "or": many }))
        .unwrap_err()
        .reason
        .contains("256 nodes"));

    let values: Vec<String> = (0..=MAX_IN_VALUES).map(|i| i.to_string()).collect();
    let e = parse(json!({"profile": "region", "op": "in", "value": values})).unwrap_err();
    assert!(e.reason.contains("1 to 1000 values"), "{e}");
}

#[test]
fn serde_json_refuses_very_deep_input_without_overflowing() {
    let text = "[".repeat(10_000) + &"]".repeat(10_000);
    let e = serde_json::from_str::<Value>(&text).unwrap_err();
    assert!(e.to_string().contains("recursion limit"), "{e}");
}

#[test]
fn leaf_tests() {
    let r = NumberRange {
        low: Some((20.0, true)),
        high: Some((39.5, false)),
    };
    assert!(r.contains(20.0) && r.contains(39.4) && !r.contains(39.5) && !r.contains(19.9));
    assert_eq!(r.whole_numbers(), Some((20, 39)));
    let open = NumberRange {
        low: Some((20.0, false)),
        high: None,
    };
    assert_eq!(open.whole_numbers(), Some((21, i64::MAX)));
    let none = NumberRange {
        low: Some((20.2, true)),
        high: Some((20.8, true)),
    };
    assert_eq!(none.whole_numbers(), None);

    assert!(TextTest::Prefix("Se".into()).matches("Seoul"));
    assert_eq!(parse_date("2024-2-01"), None);
    let today = day("2026-03-01");
    assert_eq!(
        DateTest::WithinLastDays(1).range(today),
        (Some(day("2026-02-28")), Some(today))
    );
    assert_eq!(
        DateTest::Before(today).range(today),
        (None, Some(day("2026-02-28")))
    );
}

/// The birth-date window agrees with `Account::age_on` on every day around leap days.
#[test]
fn birth_dates_agree_with_age_on() {
    let mut account = Account {
        id: 1,
        nickname: "n".into(),
        phone_number: None,
        email: None,
        gender: None,
        birth_date: None,
        region: None,
        created_at: chrono::Utc::now(),
    };
    let mut today = day("2019-12-01");
    while today < day("2021-04-01") {
        let (earliest, latest) = birth_dates_for_ages(today, (20, 39)).unwrap();
        let mut born = day("1978-01-01");
        while born < day("2002-01-01") {
            account.birth_date = Some(born);
            let age = account.age_on(today).unwrap();
            let inside = born >= earliest && born <= latest;
            assert_eq!(inside, (20..=39).contains(&age), "born {born} on {today}");
            born = born.succ_opt().unwrap();
        }
        today = today + chrono::Days::new(13);
    }
}
