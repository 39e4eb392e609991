//! Rendering a condition tree back to the canonical JSON we store and show: the form
//! `parse_condition` reads, with whole numbers written without a fraction.

use super::*;
use serde_json::{json, Value};

/// The canonical JSON of a tree: what we store and show.
pub fn render(condition: &Condition) -> Value {
    match condition {
        Condition::And(c) => json!({ "and": c.iter().map(render).collect::<Vec<_>>() }),
        Condition::Or(c) => json!({ "or": c.iter().map(render).collect::<Vec<_>>() }),
        Condition::Not(c) => json!({ "not": render(c) }),
        Condition::Field(p) => {
            let (op, value) = match &p.test {
                ValueTest::Text(t) => render_text(t),
                ValueTest::Number(r) => render_range(r),
                ValueTest::Date(d) => render_date(d),
            };
            json!({ "file": p.file, "field": p.field, "op": op, "value": value })
        }
        Condition::Profile(p) => {
            let (attribute, (op, value)) = match p {
                ProfilePredicate::Gender(g) => (
                    "gender",
                    (
                        "in",
                        json!(g.iter().map(|g| g.as_str()).collect::<Vec<_>>()),
                    ),
                ),
                ProfilePredicate::Age(r) => ("age", render_range(r)),
                ProfilePredicate::Region(t) => ("region", render_text(t)),
            };
            json!({ "profile": attribute, "op": op, "value": value })
        }
    }
}

fn render_text(t: &TextTest) -> (&'static str, Value) {
    match t {
        TextTest::Equals(v) => ("equals", json!(v)),
        TextTest::In(vs) => ("in", json!(vs)),
        TextTest::Prefix(p) => ("prefix", json!(p)),
    }
}

fn render_range(r: &NumberRange) -> (&'static str, Value) {
    match (r.low, r.high) {
        (Some((a, true)), Some((b, true))) if a == b => ("eq", number(a)),
        (Some((a, _)), Some((b, _))) => ("between", json!([number(a), number(b)])),
        (None, Some((b, false))) => ("lt", number(b)),
        (None, Some((b, true))) => ("lte", number(b)),
        (Some((a, false)), None) => ("gt", number(a)),
        (Some((a, true)), None) => ("gte", number(a)),
        (None, None) => ("gte", number(f64::MIN)),
    }
}

/// Whole numbers render without a fraction (`20`, not `20.0`).
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

fn render_date(d: &DateTest) -> (&'static str, Value) {
    let day = |d: &NaiveDate| json!(d.format("%Y-%m-%d").to_string());
    match d {
        DateTest::Before(x) => ("date_before", day(x)),
        DateTest::After(x) => ("date_after", day(x)),
        DateTest::Between(a, b) => ("date_between", json!([day(a), day(b)])),
        DateTest::WithinLastDays(n) => ("within_last_days", json!(n)),
    }
}
