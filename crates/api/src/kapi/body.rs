//! Lenient readers for Kakao JSON bodies: ids as numbers or strings, unknown keys ignored,
//! and every shape problem answered with -2 naming the field.

use super::KapiError;
use serde_json::{Map, Value};

/// The body as a JSON object. Kakao's customer APIs take JSON; a form-encoded body (or
/// anything else) is -2, as Kakao answers it.
pub fn object(bytes: &[u8]) -> Result<Map<String, Value>, KapiError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(KapiError::invalid("the body must be a JSON object")),
        Err(e) => Err(KapiError::invalid(format!(
            "the body is not JSON ({e}); send `Content-Type: application/json`"
        ))),
    }
}

fn present<'a>(body: &'a Map<String, Value>, name: &str) -> Result<&'a Value, KapiError> {
    body.get(name)
        .filter(|v| !v.is_null())
        .ok_or_else(|| KapiError::invalid(format!("{name} is required")))
}

pub fn string(body: &Map<String, Value>, name: &str) -> Result<String, KapiError> {
    match present(body, name)? {
        Value::String(s) => Ok(s.clone()),
        _ => Err(KapiError::invalid(format!("{name} must be a string"))),
    }
}

/// A positive id given as a number or a numeric string.
pub fn id(body: &Map<String, Value>, name: &str) -> Result<i64, KapiError> {
    parse_id(present(body, name)?)
        .ok_or_else(|| KapiError::invalid(format!("{name} must be a positive number")))
}

pub fn parse_id(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|id| *id > 0)
}

/// A user id as text: strings as they are, integers in decimal; anything else is unusable.
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

/// An array field, with at most `max` elements (-2 beyond, before any work is done).
pub fn array<'a>(
    body: &'a Map<String, Value>,
    name: &str,
    max: usize,
) -> Result<&'a Vec<Value>, KapiError> {
    match present(body, name)? {
        Value::Array(items) if items.len() <= max => Ok(items),
        Value::Array(items) => Err(KapiError::invalid(format!(
            "at most {max} {name} per call, got {}",
            items.len()
        ))),
        _ => Err(KapiError::invalid(format!("{name} must be an array"))),
    }
}

/// `schema` as an object of name -> type name, or that object as a JSON string.
pub fn schema_pairs(body: &Map<String, Value>) -> Result<Vec<(String, String)>, KapiError> {
    let bad = || {
        KapiError::invalid(
            "schema must be an object of field name to \"string\" or \"number\", e.g. {\"age\":\"number\"}",
        )
    };
    let value = present(body, "schema")?;
    let parsed;
    let map = match value {
        Value::Object(map) => map,
        Value::String(text) => {
            parsed = serde_json::from_str::<Map<String, Value>>(text).map_err(|_| bad())?;
            &parsed
        }
        _ => return Err(bad()),
    };
    map.iter()
        .map(|(k, v)| match v {
            Value::String(t) => Ok((k.clone(), t.clone())),
            _ => Err(bad()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_leniently_and_refuses_clearly() {
        let body = object(br#"{"file_id":"12","n":3,"s":"x","a":[1]}"#).unwrap();
        assert_eq!(id(&body, "file_id").unwrap(), 12);
        assert_eq!(id(&body, "n").unwrap(), 3);
        assert!(id(&body, "s").is_err());
        assert!(id(&body, "missing").is_err());
        assert!(string(&body, "n").is_err());
        assert!(array(&body, "a", 0).is_err());
        assert!(object(b"file_id=1").is_err());
        assert_eq!(
            scalar_text(&json!(821012345678_i64)).unwrap(),
            "821012345678"
        );
        assert_eq!(scalar_text(&json!(1.5)), None);
    }
}
