//! Customer-file rows given as text (a CSV import): the header is checked against the
//! schema once, then each row's values are checked and written as the same JSON
//! [`FileSchema::check_values`] writes, without building a map per row.

use super::{clip, parse_number, write_json, FieldType, FileSchema, MAX_STRING_VALUE_CHARS};
use serde_json::Value;
use std::collections::BTreeMap;

impl FileSchema {
    /// Checks a header's field names once, so each row of text values under it is then
    /// checked and written as JSON without building a map. `columns` are (position in
    /// the row, field name); a name given twice keeps its last position.
    pub fn text_row_layout<'a>(
        &self,
        columns: impl IntoIterator<Item = (usize, &'a str)>,
    ) -> Result<TextRowLayout, String> {
        let mut fields: BTreeMap<&str, TextField> = BTreeMap::new();
        for (column, name) in columns {
            let kind = self
                .0
                .get(name)
                .ok_or_else(|| format!("field `{}` is not in the schema", clip(name)))?;
            let mut key_json = serde_json::to_string(name).expect("a string serialises");
            key_json.push(':');
            let field = TextField {
                column,
                name: name.to_owned(),
                key_json,
                kind: *kind,
            };
            fields.insert(name, field);
        }
        Ok(TextRowLayout {
            schema: self.clone(),
            fields: fields.into_values().collect(),
        })
    }
}

/// A header's fields in the order their JSON object lists them (by name, as a
/// `serde_json` map does), each with its position in the row.
#[derive(Debug, Clone)]
pub struct TextRowLayout {
    schema: FileSchema,
    fields: Vec<TextField>,
}

#[derive(Debug, Clone)]
struct TextField {
    column: usize,
    name: String,
    /// `"name":`, escaped once.
    key_json: String,
    kind: FieldType,
}

impl TextRowLayout {
    /// One row's values (`texts[column]`; empty = absent) as compact JSON text, the same
    /// text [`FileSchema::check_values`] gives for them; the error is the leftmost
    /// column's.
    pub fn row_json(&self, texts: &[&str]) -> Result<String, String> {
        let mut out = Vec::with_capacity(16 + self.fields.len() * 24);
        let mut first_error: Option<(usize, String)> = None;
        out.push(b'{');
        for field in &self.fields {
            let text = texts.get(field.column).copied().unwrap_or_default();
            if text.is_empty() {
                continue;
            }
            if out.len() > 1 {
                out.push(b',');
            }
            out.extend_from_slice(field.key_json.as_bytes());
            if let Err(reason) = self.write_value(field, text, &mut out) {
                if first_error.as_ref().is_none_or(|(c, _)| field.column < *c) {
                    first_error = Some((field.column, reason));
                }
            }
        }
        out.push(b'}');
        match first_error {
            Some((_, reason)) => Err(reason),
            None => Ok(String::from_utf8(out).expect("JSON written from UTF-8 text")),
        }
    }

    /// The accepting cases of `FileSchema::coerce` for a text value, written straight
    /// out; anything else is handed to it for its error.
    fn write_value(&self, field: &TextField, text: &str, out: &mut Vec<u8>) -> Result<(), String> {
        let written = match field.kind {
            _ if crate::validation::has_stray_control(text) => false,
            FieldType::String if text.chars().count() <= MAX_STRING_VALUE_CHARS => {
                write_json(out, text);
                true
            }
            FieldType::Number => match parse_number(text) {
                Some(number) => {
                    write_json(out, &number);
                    true
                }
                None => false,
            },
            FieldType::String => false,
        };
        if written {
            return Ok(());
        }
        let value = Value::String(text.to_owned());
        match self.schema.coerce(&field.name, field.kind, &value) {
            Err(reason) => Err(reason),
            Ok(_) => Err(format!(
                "field `{}` could not be written",
                clip(&field.name)
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Map;

    fn schema() -> FileSchema {
        FileSchema::parse([("age", "number"), ("성별", "String")]).unwrap()
    }

    #[test]
    fn text_rows_write_what_check_values_writes() {
        let s = schema();
        let layout = s.text_row_layout([(2, "성별"), (0, "age")]).unwrap();
        for (age, gender) in [
            ("29", "여자"),
            (" 1.50 ", "a\"b\\c\n"),
            ("-0", ""),
            ("", "x"),
            ("1e3", "\u{1}"),
            ("12345678901234567890", "y"),
        ] {
            let mut values = Map::new();
            for (name, text) in [("age", age), ("성별", gender)] {
                if !text.is_empty() {
                    values.insert(name.to_owned(), Value::String(text.to_owned()));
                }
            }
            assert_eq!(
                layout.row_json(&[age, "ignored", gender]),
                s.check_values(&values),
                "{age:?} {gender:?}"
            );
        }
        let long = "가".repeat(MAX_STRING_VALUE_CHARS + 1);
        let err = layout.row_json(&["old", "", &long]).unwrap_err();
        assert!(
            err.contains("`age` must be a number"),
            "leftmost column: {err}"
        );
        let err = layout.row_json(&["1", "", &long]).unwrap_err();
        assert!(err.contains("longer than"), "{err}");
        assert!(s.text_row_layout([(0, "nope")]).is_err());
    }
}
