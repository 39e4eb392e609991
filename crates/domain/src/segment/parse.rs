//! The JSON wire form of condition trees: parsing with validation against the channel's
//! customer-file schemas (rendering back is in `render.rs`).
//!
//! Parsing walks an already-parsed `serde_json::Value`, whose own parser refuses nesting
//! deeper than 128 levels, and refuses anything deeper than [`MAX_DEPTH`] before it
//! recurses, so no input can exhaust the stack.

use super::*;
use crate::{FieldType, FileSchema, ValidationError};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};

mod operands;
use operands::{date_test, number_test, text_test};

/// Where a tree's field predicates find their files' schemas.
pub trait SchemaLookup {
    fn schema(&self, file: FileId) -> Option<&FileSchema>;
}

impl SchemaLookup for HashMap<FileId, FileSchema> {
    fn schema(&self, file: FileId) -> Option<&FileSchema> {
        self.get(&file)
    }
}

impl SchemaLookup for BTreeMap<FileId, FileSchema> {
    fn schema(&self, file: FileId) -> Option<&FileSchema> {
        self.get(&file)
    }
}

/// Parses and validates a tree. Errors name the node by its path (`tree.and[1].value`).
pub fn parse_condition(
    value: &Value,
    files: &dyn SchemaLookup,
) -> Result<Condition, ValidationError> {
    let mut parser = Parser { files, nodes: 0 };
    parser.node(value, "tree", 1)
}

struct Parser<'a> {
    files: &'a dyn SchemaLookup,
    nodes: usize,
}

fn invalid(path: &str, reason: impl Into<String>) -> ValidationError {
    ValidationError::new(path, reason)
}

impl Parser<'_> {
    fn node(
        &mut self,
        value: &Value,
        path: &str,
        depth: usize,
    ) -> Result<Condition, ValidationError> {
        if depth > MAX_DEPTH {
            return Err(invalid(
                path,
                format!("the tree nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(invalid(
                path,
                format!("the tree has more than {MAX_NODES} nodes"),
            ));
        }
        let Value::Object(obj) = value else {
            return Err(invalid(path, "each node must be a JSON object"));
        };
        for op in ["and", "or", "not"] {
            if let Some(inner) = obj.get(op) {
                if obj.len() != 1 {
                    return Err(invalid(path, format!("an `{op}` node holds only `{op}`")));
                }
                return self.operator(op, inner, &format!("{path}.{op}"), depth);
            }
        }
        if obj.contains_key("file") {
            return self.field(obj, path).map(Condition::Field);
        }
        if obj.contains_key("profile") {
            return profile(obj, path).map(Condition::Profile);
        }
        Err(invalid(
            path,
            "a node is {\"and\": [..]}, {\"or\": [..]}, {\"not\": {..}}, a file predicate \
             {\"file\", \"field\", \"op\", \"value\"} or a profile predicate \
             {\"profile\", \"op\", \"value\"}",
        ))
    }

    fn operator(
        &mut self,
        op: &str,
        inner: &Value,
        path: &str,
        depth: usize,
    ) -> Result<Condition, ValidationError> {
        if op == "not" {
            return Ok(Condition::Not(Box::new(self.node(
                inner,
                path,
                depth + 1,
            )?)));
        }
        let Value::Array(items) = inner else {
            return Err(invalid(path, format!("`{op}` takes an array of nodes")));
        };
        if items.is_empty() {
            return Err(invalid(path, format!("`{op}` needs at least one node")));
        }
        let children = items
            .iter()
            .enumerate()
            .map(|(i, v)| self.node(v, &format!("{path}[{i}]"), depth + 1))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(if op == "and" {
            Condition::And(children)
        } else {
            Condition::Or(children)
        })
    }

    fn field(
        &self,
        obj: &Map<String, Value>,
        path: &str,
    ) -> Result<FieldPredicate, ValidationError> {
        only_keys(obj, &["file", "field", "op", "value"], path)?;
        let file = obj
            .get("file")
            .and_then(Value::as_i64)
            .ok_or_else(|| invalid(&format!("{path}.file"), "must be a customer file id"))?;
        let schema = self.files.schema(file).ok_or_else(|| {
            invalid(
                &format!("{path}.file"),
                format!("the channel has no customer file {file}"),
            )
        })?;
        let field = text_at(obj, "field", path)?;
        let kind = *schema.fields().get(field).ok_or_else(|| {
            invalid(
                &format!("{path}.field"),
                format!("customer file {file} has no field `{}`", clip(field)),
            )
        })?;
        let op = text_at(obj, "op", path)?;
        let value = obj.get("value").unwrap_or(&Value::Null);
        let vpath = format!("{path}.value");
        let test = match kind {
            FieldType::Number => ValueTest::Number(number_test(op, value, &vpath, path)?),
            FieldType::String => match date_test(op, value, &vpath)? {
                Some(date) => ValueTest::Date(date),
                None => ValueTest::Text(text_test(op, value, &vpath, path, "string field")?),
            },
        };
        Ok(FieldPredicate {
            file,
            field: field.to_owned(),
            test,
        })
    }
}

fn profile(obj: &Map<String, Value>, path: &str) -> Result<ProfilePredicate, ValidationError> {
    only_keys(obj, &["profile", "op", "value"], path)?;
    let attribute = text_at(obj, "profile", path)?;
    let op = text_at(obj, "op", path)?;
    let value = obj.get("value").unwrap_or(&Value::Null);
    let vpath = format!("{path}.value");
    match attribute {
        "gender" => {
            let test = text_test(op, value, &vpath, path, "gender")?;
            let genders = match test {
                TextTest::Equals(v) => BTreeSet::from([gender(&v, &vpath)?]),
                TextTest::In(vs) => vs
                    .iter()
                    .map(|v| gender(v, &vpath))
                    .collect::<Result<_, _>>()?,
                TextTest::Prefix(_) => {
                    return Err(invalid(
                        &format!("{path}.op"),
                        "gender takes `equals` or `in`",
                    ))
                }
            };
            Ok(ProfilePredicate::Gender(genders))
        }
        "age" => Ok(ProfilePredicate::Age(number_test(op, value, &vpath, path)?)),
        "region" => Ok(ProfilePredicate::Region(text_test(
            op, value, &vpath, path, "region",
        )?)),
        other => Err(invalid(
            &format!("{path}.profile"),
            format!(
                "unknown profile attribute `{}`: use gender, age or region",
                clip(other)
            ),
        )),
    }
}

fn gender(v: &str, path: &str) -> Result<Gender, ValidationError> {
    Gender::parse(v).ok_or_else(|| invalid(path, "gender is `female` or `male`"))
}

fn only_keys(
    obj: &Map<String, Value>,
    allowed: &[&str],
    path: &str,
) -> Result<(), ValidationError> {
    match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(invalid(
            path,
            format!(
                "unexpected key `{}`; a predicate has {}",
                clip(k),
                allowed.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

fn text_at<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'a str, ValidationError> {
    obj.get(key).and_then(Value::as_str).ok_or_else(|| {
        invalid(
            &format!("{path}.{key}"),
            format!("`{key}` must be a string"),
        )
    })
}

/// The start of an echoed input, so an error message stays short.
fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}
