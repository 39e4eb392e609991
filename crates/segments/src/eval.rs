//! Evaluating a condition tree over a frozen channel index: each predicate is one column
//! scan into a bitset, the operators are word-wise AND, OR and NOT over bitsets. The
//! frozen copy is only data (`frozen`); counting it lives here, so the dependency runs
//! one way: eval -> frozen.

use crate::bits::Bits;
use crate::columns::scan;
use crate::frozen::Frozen;
use crate::index::Column;
use chrono::{Datelike, NaiveDate};
use talkchannel_domain::segment::{
    birth_dates_for_ages, parse_date, FieldPredicate, ProfilePredicate, TextTest, ValueTest,
};
use talkchannel_domain::{Condition, Gender};

/// A group's audience: accounts matched that hold a row in any of the channel's customer
/// files (`registered`) and matched accounts that are friends now (`friends`), each
/// account counted once however many rows name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub registered: u64,
    pub friends: u64,
}

impl Frozen {
    /// The audience of `condition` on `today`: matched accounts with a row in any file,
    /// and matched accounts that are friends now.
    pub fn count(&self, condition: &Condition, today: NaiveDate) -> Counts {
        let matched = evaluate(self, condition, today).to_bitmap();
        Counts {
            registered: matched.intersection_len(&self.registered()),
            friends: matched.intersection_len(&self.friends),
        }
    }
}

/// The accounts (dense ids) that satisfy `condition` on `today`.
pub fn evaluate(index: &Frozen, condition: &Condition, today: NaiveDate) -> Bits {
    match condition {
        Condition::And(children) => {
            let mut out: Option<Bits> = None;
            for child in children {
                let part = evaluate(index, child, today);
                let acc = match out {
                    None => part,
                    Some(acc) => acc.and(&part),
                };
                if acc.is_empty() {
                    return acc;
                }
                out = Some(acc);
            }
            out.unwrap_or_default()
        }
        Condition::Or(children) => children
            .iter()
            .fold(Bits::default(), |acc, c| acc.or(&evaluate(index, c, today))),
        Condition::Not(child) => evaluate(index, child, today).not(index.accounts.len() as u32),
        Condition::Field(p) => field(index, p, today),
        Condition::Profile(p) => profile(index, p, today),
    }
}

fn field(index: &Frozen, p: &FieldPredicate, today: NaiveDate) -> Bits {
    // The tree was validated against the channel's files; a file deleted since then
    // (or a column missing) matches no one.
    let Some(column) = index.file(p.file).and_then(|f| f.column(&p.field)) else {
        return Bits::default();
    };
    match (&p.test, column) {
        (ValueTest::Number(range), Column::Number(c)) => c.scan(|x| range.contains(x)),
        (ValueTest::Text(test), Column::Text(c)) => text(c, test),
        (ValueTest::Date(test), Column::Text(c)) => {
            let (from, to) = test.range(today);
            c.scan(|v| {
                parse_date(v)
                    .is_some_and(|d| from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t))
            })
        }
        _ => Bits::default(),
    }
}

fn text(column: &crate::text::TextColumn, test: &TextTest) -> Bits {
    match test {
        TextTest::Equals(v) => column.scan_equal(v),
        other => column.scan(|v| other.matches(v)),
    }
}

fn profile(index: &Frozen, p: &ProfilePredicate, today: NaiveDate) -> Bits {
    match p {
        ProfilePredicate::Gender(set) => {
            let female = set.contains(&Gender::Female);
            let male = set.contains(&Gender::Male);
            scan(&index.gender, |g| ((g == 1) & female) | ((g == 2) & male))
        }
        ProfilePredicate::Age(range) => {
            let window = range
                .whole_numbers()
                .and_then(|ages| birth_dates_for_ages(today, ages));
            match window {
                Some((earliest, latest)) => {
                    let (lo, hi) = (earliest.num_days_from_ce(), latest.num_days_from_ce());
                    // NO_BIRTH is i32::MIN, below any real day.
                    scan(&index.birth, |b| (b >= lo) & (b <= hi))
                }
                None => Bits::default(),
            }
        }
        ProfilePredicate::Region(test) => text(&index.region, test),
    }
}
