//! Customer files (spec §3): per-channel tables of users, keyed by app user id or phone
//! number, with typed field values under a schema that never changes after creation.

use crate::validation::display_text;
use crate::{AccountId, AppId, ChannelId, PhoneNumber, UserId, ValidationError};
use chrono::{DateTime, Utc};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;

mod text_row;
pub use text_row::TextRowLayout;

pub type FileId = i64;

/// Most files a channel may hold (Kakao's -818 limit, spec §3.0).
pub const MAX_FILES_PER_CHANNEL: usize = 30;
/// Most users one add or delete call may carry (spec §3.0, -2 beyond).
pub const MAX_USERS_PER_CALL: usize = 2_000;
/// Longest file name we accept; Kakao's limit is unknown (spec §8.3).
pub const MAX_FILE_NAME_CHARS: usize = 100;
/// Longest string value; keeps rows compact and the friend-group engine's work bounded.
pub const MAX_STRING_VALUE_CHARS: usize = 1_000;

/// A schema field's type. Kakao's clients send `"string"` and `"number"` (spec §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    String,
    Number,
}

impl FieldType {
    /// Case-insensitive, as the spec recommends; stored and shown in lower case.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "string" => Some(Self::String),
            "number" => Some(Self::Number),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Number => "number",
        }
    }
}

/// A file's schema: field name -> type, at least one and at most [`FileSchema::MAX_FIELDS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSchema(BTreeMap<String, FieldType>);

impl FileSchema {
    /// The third-party-reported limit (spec §3.1); generous for every known template.
    pub const MAX_FIELDS: usize = 30;
    pub const MAX_NAME_CHARS: usize = 50;

    /// Builds a schema from (name, type name) pairs, refusing unknown types, empty or
    /// oversized schemas and names that are blank, too long or repeated.
    pub fn parse<'a>(
        fields: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, ValidationError> {
        let mut map = BTreeMap::new();
        for (name, kind) in fields {
            if map.len() == Self::MAX_FIELDS {
                return Err(ValidationError::new(
                    "schema",
                    format!("at most {} fields", Self::MAX_FIELDS),
                ));
            }
            let name = display_text("schema", name, Self::MAX_NAME_CHARS)
                .map_err(|e| ValidationError::new("schema", format!("field name {}", e.reason)))?;
            let kind = FieldType::parse(kind).ok_or_else(|| {
                ValidationError::new(
                    "schema",
                    format!(
                        "field `{name}` has unknown type `{}`: use \"string\" or \"number\"",
                        kind.chars().take(20).collect::<String>()
                    ),
                )
            })?;
            if map.insert(name.clone(), kind).is_some() {
                return Err(ValidationError::new(
                    "schema",
                    format!("field `{name}` is given twice"),
                ));
            }
        }
        if map.is_empty() {
            return Err(ValidationError::new(
                "schema",
                "must name at least one field, e.g. {\"age\": \"number\"}",
            ));
        }
        Ok(Self(map))
    }

    pub fn fields(&self) -> &BTreeMap<String, FieldType> {
        &self.0
    }

    /// `{"age":"number","name":"string"}`: how stores keep it and the API shows it.
    pub fn to_json(&self) -> String {
        let map: Map<String, Value> = self
            .0
            .iter()
            .map(|(k, t)| (k.clone(), Value::String(t.as_str().to_owned())))
            .collect();
        Value::Object(map).to_string()
    }

    pub fn from_json(text: &str) -> Option<Self> {
        let map: BTreeMap<String, String> = serde_json::from_str(text).ok()?;
        Self::parse(map.iter().map(|(k, v)| (k.as_str(), v.as_str()))).ok()
    }

    /// Checks one user's values and returns them as compact JSON text. Absent and null
    /// values are left out; a number for a string field becomes its text, a numeric
    /// string for a number field becomes the number. Anything else is the user's failure.
    pub fn check_values(&self, values: &Map<String, Value>) -> Result<String, String> {
        // Written straight out in the map's order, which is the order a map rebuilt from
        // the checked values would serialise in.
        let mut out = Vec::with_capacity(16 + values.len() * 24);
        out.push(b'{');
        for (name, value) in values {
            let kind = self
                .0
                .get(name)
                .ok_or_else(|| format!("field `{}` is not in the schema", clip(name)))?;
            let Some(checked) = self.coerce(name, *kind, value)? else {
                continue;
            };
            if out.len() > 1 {
                out.push(b',');
            }
            write_json(&mut out, name);
            out.push(b':');
            write_json(&mut out, &checked);
        }
        out.push(b'}');
        Ok(String::from_utf8(out).expect("JSON written from UTF-8 text"))
    }

    /// Checks text values as a CSV row carries them (empty = absent).
    pub fn check_text_values<'a>(
        &self,
        values: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<String, String> {
        let (names, texts): (Vec<&str>, Vec<&str>) = values.into_iter().unzip();
        self.text_row_layout(names.into_iter().enumerate())?
            .row_json(&texts)
    }

    /// The value as stored (borrowed when it is kept as given), `None` for an absent one.
    fn coerce<'v>(
        &self,
        name: &str,
        kind: FieldType,
        value: &'v Value,
    ) -> Result<Option<Cow<'v, Value>>, String> {
        let wrong = || {
            format!(
                "field `{}` must be a {}, not `{}`",
                clip(name),
                kind.as_str(),
                clip(&value.to_string())
            )
        };
        match (kind, value) {
            (_, Value::Null) => Ok(None),
            (_, Value::String(s)) if crate::validation::has_stray_control(s) => Err(format!(
                "field `{}` contains a control character (a NUL, say)",
                clip(name)
            )),
            (FieldType::String, Value::String(s))
                if s.chars().count() <= MAX_STRING_VALUE_CHARS =>
            {
                Ok(Some(Cow::Borrowed(value)))
            }
            (FieldType::String, Value::String(_)) => Err(format!(
                "field `{}` is longer than {MAX_STRING_VALUE_CHARS} characters",
                clip(name)
            )),
            (FieldType::String, Value::Number(n)) => {
                Ok(Some(Cow::Owned(Value::String(n.to_string()))))
            }
            (FieldType::Number, Value::Number(_)) => Ok(Some(Cow::Borrowed(value))),
            (FieldType::Number, Value::String(s)) => parse_number(s)
                .map(|n| Some(Cow::Owned(n)))
                .ok_or_else(wrong),
            _ => Err(wrong()),
        }
    }
}

fn write_json(out: &mut Vec<u8>, value: &(impl serde::Serialize + ?Sized)) {
    serde_json::to_writer(out, value).expect("strings and JSON values always serialise");
}

fn parse_number(s: &str) -> Option<Value> {
    let s = s.trim();
    if let Ok(i) = s.parse::<i64>() {
        return Some(Value::Number(i.into()));
    }
    let f = s.parse::<f64>().ok().filter(|f| f.is_finite())?;
    Number::from_f64(f).map(Value::Number)
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// How a call names its users: `app` (app user id) or `phone` (KakaoTalk phone number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UserType {
    App,
    Phone,
}

impl UserType {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "app" => Some(Self::App),
            "phone" => Some(Self::Phone),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::App => "app",
            Self::Phone => "phone",
        }
    }
}

/// One user of a file: an app user id, or a phone number in national form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileUserKey {
    App(UserId),
    Phone(PhoneNumber),
}

impl FileUserKey {
    /// Reads an id as the call's `user_type` names it; the reason is for error reports.
    pub fn parse(user_type: UserType, raw: &str) -> Result<Self, String> {
        match user_type {
            UserType::App => raw
                .trim()
                .parse::<UserId>()
                .ok()
                .filter(|id| *id > 0)
                .map(Self::App)
                .ok_or_else(|| format!("`{}` is not an app user id", clip(raw))),
            UserType::Phone => PhoneNumber::parse(raw)
                .map(Self::Phone)
                .map_err(|_| format!("`{}` is not a Korean mobile number", clip(raw))),
        }
    }

    /// What stores read back: the type name and the key text of [`FileUserKey::key_text`].
    pub fn from_stored(user_type: &str, key: &str) -> Option<Self> {
        Self::parse(UserType::parse(user_type)?, key).ok()
    }

    pub fn user_type(&self) -> UserType {
        match self {
            Self::App(_) => UserType::App,
            Self::Phone(_) => UserType::Phone,
        }
    }

    /// The stored key: the id's digits, or the national phone number (`01012345678`).
    pub fn key_text(&self) -> String {
        match self {
            Self::App(id) => id.to_string(),
            Self::Phone(p) => p.as_str().to_owned(),
        }
    }
}

/// A customer file and the counts the Admin Center shows for it.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerFile {
    pub id: FileId,
    /// The app whose admin key created it; only that app sees it on the Kakao API.
    pub app_id: AppId,
    pub channel_id: ChannelId,
    pub name: String,
    pub schema: FileSchema,
    /// Users ever submitted (every add call's and import's `request_count`).
    pub attempted: i64,
    /// Rows the file holds now.
    pub registered: i64,
    /// Rows whose account has the channel ADDED now.
    pub friends: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A validated request to create a file.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCustomerFile {
    pub app_id: AppId,
    pub channel_id: ChannelId,
    pub name: String,
    pub schema: FileSchema,
}

/// Checks a file name: trimmed, 1 to [`MAX_FILE_NAME_CHARS`], no control characters.
pub fn file_name(name: &str) -> Result<String, ValidationError> {
    display_text("file_name", name, MAX_FILE_NAME_CHARS)
}

/// One stored row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRow {
    /// Insertion order; the keyset cursor of row listings.
    pub seq: i64,
    pub key: FileUserKey,
    /// The values as compact JSON text (an object).
    pub fields: String,
    /// The account the key named when the row was last written, if any.
    pub account_id: Option<AccountId>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> FileSchema {
        FileSchema::parse([("age", "number"), ("성별", "String")]).unwrap()
    }

    #[test]
    fn schema_rules() {
        assert_eq!(schema().to_json(), r#"{"age":"number","성별":"string"}"#);
        assert_eq!(FileSchema::from_json(&schema().to_json()), Some(schema()));
        assert!(FileSchema::parse([]).is_err());
        assert!(FileSchema::parse([("a", "date")]).is_err());
        assert!(FileSchema::parse([(" ", "string")]).is_err());
        let many: Vec<String> = (0..31).map(|i| format!("f{i}")).collect();
        assert!(FileSchema::parse(many.iter().map(|n| (n.as_str(), "string"))).is_err());
    }

    #[test]
    fn values_are_checked_and_coerced() {
        let s = schema();
        let ok = |v: Value| s.check_values(v.as_object().unwrap());
        assert_eq!(
            ok(json!({"age": "29", "성별": 1})).unwrap(),
            r#"{"age":29,"성별":"1"}"#
        );
        assert_eq!(ok(json!({"age": null})).unwrap(), "{}");
        assert!(ok(json!({"age": "old"})).is_err());
        assert!(ok(json!({"age": [1]})).is_err());
        assert!(ok(json!({"nope": 1})).is_err());
        assert_eq!(
            s.check_text_values([("age", "1.5"), ("성별", "")]).unwrap(),
            r#"{"age":1.5}"#
        );
    }

    #[test]
    fn user_keys() {
        let p = FileUserKey::parse(UserType::Phone, "+82 10-1234-5678").unwrap();
        assert_eq!(p.key_text(), "01012345678");
        assert_eq!(FileUserKey::from_stored("phone", "01012345678"), Some(p));
        assert_eq!(
            FileUserKey::parse(UserType::App, "42").unwrap(),
            FileUserKey::App(42)
        );
        assert!(FileUserKey::parse(UserType::App, "-1").is_err());
        assert!(FileUserKey::parse(UserType::App, "abc").is_err());
        assert!(FileUserKey::parse(UserType::Phone, "12345").is_err());
        assert_eq!(UserType::parse("APP"), Some(UserType::App));
    }
}
