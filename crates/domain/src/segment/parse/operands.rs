//! A field or profile predicate's operator and operand: strings (equals, in, prefix),
//! dates kept as `YYYY-MM-DD` strings, and numbers, each checked against its limits.

use super::super::*;
use super::{clip, invalid};
use crate::customer_file::MAX_STRING_VALUE_CHARS;
use crate::ValidationError;
use serde_json::Value;

pub(super) fn text_test(
    op: &str,
    value: &Value,
    vpath: &str,
    path: &str,
    what: &str,
) -> Result<TextTest, ValidationError> {
    let one = |v: &Value| -> Result<String, ValidationError> {
        match v {
            // Field values never hold one, and PostgreSQL could not store the tree.
            Value::String(s) if crate::validation::has_stray_control(s) => Err(invalid(
                vpath,
                "values must not contain control characters (a NUL, say)",
            )),
            Value::String(s) if s.chars().count() <= MAX_STRING_VALUE_CHARS => Ok(s.clone()),
            Value::String(_) => Err(invalid(
                vpath,
                format!("values are at most {MAX_STRING_VALUE_CHARS} characters"),
            )),
            other => Err(invalid(
                vpath,
                format!(
                    "a {what} is compared with strings, not `{}`",
                    clip(&other.to_string())
                ),
            )),
        }
    };
    match op {
        "equals" | "=" | "eq" => Ok(TextTest::Equals(one(value)?)),
        "prefix" => Ok(TextTest::Prefix(one(value)?)),
        "in" => {
            let Value::Array(items) = value else {
                return Err(invalid(vpath, "`in` takes an array of strings"));
            };
            if items.is_empty() || items.len() > MAX_IN_VALUES {
                return Err(invalid(
                    vpath,
                    format!(
                        "`in` takes 1 to {MAX_IN_VALUES} values, got {}",
                        items.len()
                    ),
                ));
            }
            Ok(TextTest::In(
                items.iter().map(one).collect::<Result<_, _>>()?,
            ))
        }
        other => Err(invalid(
            &format!("{path}.op"),
            format!(
                "`{}` does not apply to a {what}: use equals, in, prefix{}",
                clip(other),
                if what == "string field" {
                    ", date_before, date_after, date_between or within_last_days"
                } else {
                    ""
                }
            ),
        )),
    }
}

/// `None` when `op` is not a date operator.
pub(super) fn date_test(
    op: &str,
    value: &Value,
    vpath: &str,
) -> Result<Option<DateTest>, ValidationError> {
    let date = |v: &Value| {
        v.as_str()
            .and_then(parse_date)
            .ok_or_else(|| invalid(vpath, "dates are strings in YYYY-MM-DD form"))
    };
    Ok(Some(match op {
        "date_before" => DateTest::Before(date(value)?),
        "date_after" => DateTest::After(date(value)?),
        "date_between" => {
            let (a, b) = pair(value, vpath, date)?;
            DateTest::Between(a, b)
        }
        "within_last_days" => {
            let days = value
                .as_u64()
                .filter(|d| *d <= u64::from(MAX_WITHIN_DAYS))
                .ok_or_else(|| {
                    invalid(
                        vpath,
                        format!("a whole number of days, 0 to {MAX_WITHIN_DAYS}"),
                    )
                })?;
            DateTest::WithinLastDays(days as u32)
        }
        _ => return Ok(None),
    }))
}

pub(super) fn number_test(
    op: &str,
    value: &Value,
    vpath: &str,
    path: &str,
) -> Result<NumberRange, ValidationError> {
    let num = |v: &Value| -> Result<f64, ValidationError> {
        v.as_f64().filter(|f| f.is_finite()).ok_or_else(|| {
            invalid(
                vpath,
                format!(
                    "a number field is compared with numbers, not `{}`",
                    clip(&v.to_string())
                ),
            )
        })
    };
    Ok(match op {
        "eq" | "=" | "equals" => {
            let x = num(value)?;
            NumberRange {
                low: Some((x, true)),
                high: Some((x, true)),
            }
        }
        "lt" | "<" => NumberRange {
            low: None,
            high: Some((num(value)?, false)),
        },
        "lte" | "<=" => NumberRange {
            low: None,
            high: Some((num(value)?, true)),
        },
        "gt" | ">" => NumberRange {
            low: Some((num(value)?, false)),
            high: None,
        },
        "gte" | ">=" => NumberRange {
            low: Some((num(value)?, true)),
            high: None,
        },
        "between" => {
            let (a, b) = pair(value, vpath, num)?;
            NumberRange {
                low: Some((a, true)),
                high: Some((b, true)),
            }
        }
        other => {
            return Err(invalid(
                &format!("{path}.op"),
                format!(
                    "`{}` does not apply to numbers: use eq, lt, lte, gt, gte or between",
                    clip(other)
                ),
            ))
        }
    })
}

/// `[low, high]` with `low <= high`.
fn pair<T: PartialOrd>(
    value: &Value,
    vpath: &str,
    one: impl Fn(&Value) -> Result<T, ValidationError>,
) -> Result<(T, T), ValidationError> {
    match value.as_array().map(Vec::as_slice) {
        Some([a, b]) => {
            let (a, b) = (one(a)?, one(b)?);
            if a <= b {
                Ok((a, b))
            } else {
                Err(invalid(
                    vpath,
                    "the first bound must not be above the second",
                ))
            }
        }
        _ => Err(invalid(vpath, "`between` takes [low, high]")),
    }
}
