//! Friend groups' condition trees: AND / OR / NOT over predicates on customer-file fields
//! and account profile attributes. Pure: parsing, validation against the files' schemas
//! and the leaf tests; the `segments` crate evaluates trees over its indexes.
//!
//! Wire form (JSON), one object per node:
//! `{"and": [..]}`, `{"or": [..]}`, `{"not": {..}}`,
//! `{"file": 12, "field": "age", "op": "between", "value": [20, 39]}`,
//! `{"profile": "gender", "op": "equals", "value": "female"}`.

mod parse;
mod render;

use crate::{FileId, Gender};
use chrono::{Months, NaiveDate};
use std::collections::BTreeSet;

pub use parse::{parse_condition, SchemaLookup};
pub use render::render;

/// Deepest nesting of a tree (the root is level 1).
pub const MAX_DEPTH: usize = 12;
/// Most nodes (operators and predicates) in one tree.
pub const MAX_NODES: usize = 256;
/// Most values in one `in` list.
pub const MAX_IN_VALUES: usize = 1_000;
/// Longest `within_last_days` window (about 100 years).
pub const MAX_WITHIN_DAYS: u32 = 36_600;
/// Largest tree text we store.
pub const MAX_TREE_BYTES: usize = 64 * 1024;

/// A condition tree, validated.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    Field(FieldPredicate),
    Profile(ProfilePredicate),
}

impl Condition {
    /// Every customer file the tree names, in id order.
    pub fn files(&self) -> BTreeSet<FileId> {
        let mut out = BTreeSet::new();
        self.collect_files(&mut out);
        out
    }

    fn collect_files(&self, out: &mut BTreeSet<FileId>) {
        match self {
            Self::And(c) | Self::Or(c) => c.iter().for_each(|c| c.collect_files(out)),
            Self::Not(c) => c.collect_files(out),
            Self::Field(p) => {
                out.insert(p.file);
            }
            Self::Profile(_) => {}
        }
    }
}

/// A test on one field of one customer file: an account matches when its row in the file
/// (the one written last, if two keys name it) has a value that passes.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldPredicate {
    pub file: FileId,
    pub field: String,
    pub test: ValueTest,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ValueTest {
    /// On `string` fields.
    Text(TextTest),
    /// On `string` fields holding `YYYY-MM-DD` dates; other values never match.
    Date(DateTest),
    /// On `number` fields.
    Number(NumberRange),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextTest {
    Equals(String),
    In(BTreeSet<String>),
    Prefix(String),
}

impl TextTest {
    pub fn matches(&self, value: &str) -> bool {
        match self {
            Self::Equals(v) => value == v,
            Self::In(set) => set.contains(value),
            Self::Prefix(p) => value.starts_with(p.as_str()),
        }
    }
}

/// An interval of numbers; either end may be open or absent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NumberRange {
    /// (bound, inclusive)
    pub low: Option<(f64, bool)>,
    pub high: Option<(f64, bool)>,
}

impl NumberRange {
    pub fn contains(&self, x: f64) -> bool {
        let above = match self.low {
            None => true,
            Some((b, true)) => x >= b,
            Some((b, false)) => x > b,
        };
        let below = match self.high {
            None => true,
            Some((b, true)) => x <= b,
            Some((b, false)) => x < b,
        };
        above && below
    }

    /// The whole numbers inside, as an inclusive pair (`None` when there are none).
    pub fn whole_numbers(&self) -> Option<(i64, i64)> {
        let low = match self.low {
            None => i64::MIN,
            Some((b, inclusive)) => {
                let c = b.ceil();
                if !inclusive && c == b {
                    c as i64 + 1
                } else {
                    c as i64
                }
            }
        };
        let high = match self.high {
            None => i64::MAX,
            Some((b, inclusive)) => {
                let f = b.floor();
                if !inclusive && f == b {
                    f as i64 - 1
                } else {
                    f as i64
                }
            }
        };
        (low <= high).then_some((low, high))
    }
}

/// A date test; `WithinLastDays` is resolved against the clock when evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateTest {
    /// Strictly before the date.
    Before(NaiveDate),
    /// Strictly after the date.
    After(NaiveDate),
    /// Both ends included.
    Between(NaiveDate, NaiveDate),
    /// From `today - n` days up to today, inclusive.
    WithinLastDays(u32),
}

impl DateTest {
    /// The inclusive date range the test accepts on `today` (`None` = unbounded).
    pub fn range(&self, today: NaiveDate) -> (Option<NaiveDate>, Option<NaiveDate>) {
        match *self {
            Self::Before(d) => (None, d.pred_opt()),
            Self::After(d) => (d.succ_opt(), None),
            Self::Between(a, b) => (Some(a), Some(b)),
            Self::WithinLastDays(n) => (
                today.checked_sub_days(chrono::Days::new(u64::from(n))),
                Some(today),
            ),
        }
    }
}

/// Parses a stored `YYYY-MM-DD` value (exactly that shape; anything else is not a date).
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let b = value.as_bytes();
    let shaped = b.len() == 10 && b[4] == b'-' && b[7] == b'-';
    shaped
        .then(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok())
        .flatten()
}

/// A test on the account's own profile.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfilePredicate {
    Gender(BTreeSet<Gender>),
    /// Age in whole years on the evaluation day, from the birth date.
    Age(NumberRange),
    Region(TextTest),
}

/// The birth dates (inclusive) of people whose age on `today` is in `ages` (inclusive),
/// matching [`crate::Account::age_on`]; `None` when no birth date can qualify.
pub fn birth_dates_for_ages(today: NaiveDate, ages: (i64, i64)) -> Option<(NaiveDate, NaiveDate)> {
    let (low, high) = (ages.0.max(0), ages.1.min(200));
    if low > high {
        return None;
    }
    let years_ago = |years: i64| today.checked_sub_months(Months::new(12 * years as u32));
    // Born on or before `today - low years` is at least `low`; born after
    // `today - (high + 1) years` is at most `high`.
    let latest = years_ago(low)?;
    let earliest = years_ago(high + 1)?.succ_opt()?;
    (earliest <= latest).then_some((earliest, latest))
}

#[cfg(test)]
mod tests;
