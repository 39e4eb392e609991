//! The rows of `talkchannel seed`, generated in Rust and bound through the raw handle.
//!
//! Each batch of [`BATCH`] friends is formatted once into one text buffer, then written
//! by three multi-row `INSERT ... VALUES` statements (accounts, friendships, file rows)
//! that are prepared once per chunk and bound in place, so SQLite only stores values:
//! no expression is evaluated per row and nothing is generated twice.

use crate::raw_rows::{RawConnection, RawStatement};
use std::fmt::Write as _;
use std::ops::Range;
use talkchannel_store::{StoreResult, SEED_REGIONS};

/// Friends per statement: 500 x 7 parameters stays far below SQLite's 32,766, and a
/// statement's fixed cost (AUTOINCREMENT's `sqlite_sequence` read and write, the step
/// itself) is spread over enough rows to vanish.
pub(crate) const BATCH: u64 = 500;

/// What stays the same for every row of a chunk.
pub(crate) struct ChunkConstants {
    /// The first account id minus the first index: index `k` gets id `k + id_offset`.
    /// SQLite numbers the accounts itself (see [`Statements::prepare`]); the caller
    /// checks that they came out as this says.
    pub id_offset: i64,
    pub seed: u64,
    pub year: i64,
    pub at_ms: i64,
    pub channel_id: i64,
    pub file_id: i64,
    pub version: i64,
}

/// Seed hash `i` (1 to 6) of index `k`, the formula both engines' SQL used:
/// `((k + 1) * 2654435761 + seed * 40503 + i * 2246822519) % 4294967291`, in 128 bits so
/// that it cannot overflow. The SQL agreed wherever its sum fit an i64: any seed below
/// 2^47 with fewer than a billion friends (past that, SQLite went to floating point and
/// PostgreSQL failed).
pub(crate) fn seed_hash(k: u64, seed: u64, i: u64) -> u64 {
    let sum = (u128::from(k) + 1) * 2_654_435_761
        + u128::from(seed) * 40_503
        + u128::from(i) * 2_246_822_519;
    (sum % 4_294_967_291) as u64
}

/// One friend's values, as a pure function of its index and the seed.
struct Friend {
    k: u64,
    gender: &'static str,
    age: i64,
    month: i64,
    day: i64,
    region: &'static str,
    rating: i64,
    amount: i64,
}

impl Friend {
    fn new(k: u64, seed: u64) -> Friend {
        // Below 2^32, so every value fits an i64 (SQLite's integer) as it is.
        let h = |i| seed_hash(k, seed, i) as i64;
        let h3 = h(3);
        Friend {
            k,
            gender: if h(1) % 2 == 0 { "female" } else { "male" },
            age: 15 + h(2) % 60,
            month: 1 + h3 % 12,
            day: 1 + h3 % 28,
            region: SEED_REGIONS[(h(4) % 8) as usize],
            rating: 1 + h(5) % 5,
            amount: (h(6) % 1000) * 1000,
        }
    }
}

/// The texts a friend's rows bind, in order, per friend.
const TEXTS: usize = 4;
const NICKNAME: usize = 0;
const PHONE: usize = 1;
const BIRTH_DATE: usize = 2;
const FIELDS: usize = 3;

/// A batch of friends with their texts formatted into one buffer, reused across batches.
#[derive(Default)]
struct Batch {
    friends: Vec<Friend>,
    text: String,
    ends: Vec<usize>,
}

impl Batch {
    fn fill(&mut self, ks: Range<u64>, c: &ChunkConstants) {
        self.friends.clear();
        self.text.clear();
        self.ends.clear();
        for k in ks {
            let f = Friend::new(k, c.seed);
            // The texts the SQL built with 'seed ' || k, '010' || printf('%08d', k),
            // printf('%04d-%02d-%02d', ...) and printf('{"gender":"%s",...}').
            let t = &mut self.text;
            t.push_str("seed ");
            push_decimal(t, k as i64, 0);
            self.ends.push(t.len());
            t.push_str("010");
            push_decimal(t, k as i64, 8);
            self.ends.push(t.len());
            push_decimal(t, c.year - 1 - f.age, 4);
            t.push('-');
            push_decimal(t, f.month, 2);
            t.push('-');
            push_decimal(t, f.day, 2);
            self.ends.push(t.len());
            t.push_str("{\"gender\":\"");
            t.push_str(f.gender);
            t.push_str("\",\"age\":");
            push_decimal(t, f.age, 0);
            t.push_str(",\"region\":\"");
            t.push_str(f.region);
            t.push_str("\",\"rating\":");
            push_decimal(t, f.rating, 0);
            t.push_str(",\"purchase_amount\":");
            push_decimal(t, f.amount, 0);
            t.push('}');
            self.ends.push(t.len());
            self.friends.push(f);
        }
    }

    /// Text `which` of the batch's friend `i`.
    fn text(&self, i: usize, which: usize) -> &str {
        let at = i * TEXTS + which;
        let start = if at == 0 { 0 } else { self.ends[at - 1] };
        &self.text[start..self.ends[at]]
    }
}

/// Appends `n` in decimal, zero-padded to `width` characters sign included (printf's
/// `%0*d`). `write!` did the same at ~2,700 instructions per friend, 10% of the seed.
fn push_decimal(text: &mut String, n: i64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        text.push('-');
    }
    let len = digits.len() - at + usize::from(n < 0);
    for _ in len..width {
        text.push('0');
    }
    digits[at..].iter().for_each(|&d| text.push(char::from(d)));
}

/// The three statements for batches of one size.
struct Statements<'c> {
    rows: u64,
    accounts: RawStatement<'c>,
    friendships: RawStatement<'c>,
    file_rows: RawStatement<'c>,
}

impl<'c> Statements<'c> {
    /// `OR FAIL` rather than the default `ABORT`: a multi-row statement that may abort
    /// keeps a statement journal of every page it first touches, which cost ~700
    /// instructions per friend, and a failed chunk is rolled back whole anyway.
    ///
    /// Accounts take the next rowid instead of a bound id: an explicit id is looked up
    /// from the root of the table first (~1,200 instructions), a new rowid is appended
    /// after the last one. AUTOINCREMENT makes it one past the larger of the highest id
    /// and `sqlite_sequence`, which is where the caller starts counting.
    fn prepare(conn: &'c RawConnection<'_>, rows: u64) -> StoreResult<Statements<'c>> {
        let prepare = |insert: &Insert| conn.prepare(&insert.sql(rows));
        Ok(Statements {
            rows,
            accounts: prepare(&ACCOUNTS)?,
            friendships: prepare(&FRIENDSHIPS)?,
            file_rows: prepare(&FILE_ROWS)?,
        })
    }

    fn write(&mut self, batch: &Batch, c: &ChunkConstants) -> StoreResult<()> {
        let each = |bind: &mut dyn FnMut(usize, &Friend) -> StoreResult<()>| {
            batch
                .friends
                .iter()
                .enumerate()
                .try_for_each(|(i, f)| bind(i, f))
        };
        let id = |f: &Friend| f.k as i64 + c.id_offset;
        self.accounts.run("writing seeded accounts", |b| {
            b.int(c.at_ms)?;
            each(&mut |i, f| {
                b.text(batch.text(i, NICKNAME))?;
                b.text(batch.text(i, PHONE))?;
                b.text(f.gender)?;
                b.text(batch.text(i, BIRTH_DATE))?;
                b.text(f.region)
            })
        })?;
        self.friendships.run("writing seeded friendships", |b| {
            [c.channel_id, c.at_ms, c.version]
                .iter()
                .try_for_each(|&v| b.int(v))?;
            each(&mut |_, f| b.int(id(f)))
        })?;
        self.file_rows.run("writing seeded file rows", |b| {
            [c.file_id, c.at_ms, c.version]
                .iter()
                .try_for_each(|&v| b.int(v))?;
            each(&mut |i, f| {
                b.text(batch.text(i, PHONE))?;
                b.text(batch.text(i, FIELDS))?;
                b.int(id(f))
            })
        })
    }
}

/// A multi-row insert: `head VALUES tuple,tuple,...`. `?1` to `?constants` are the
/// chunk's constants, bound once per statement instead of once per row (a bind costs
/// ~100 instructions); each `#` becomes the next numbered parameter after them, so the
/// parameters are bound in the order of the text.
struct Insert {
    head: &'static str,
    tuple: &'static str,
    constants: usize,
}

const ACCOUNTS: Insert = Insert {
    head: "INSERT OR FAIL INTO accounts \
           (nickname, phone_number, gender, birth_date, region, created_at)",
    tuple: "(#,#,#,#,#,?1)",
    constants: 1,
};

const FRIENDSHIPS: Insert = Insert {
    head: "INSERT OR FAIL INTO friendships \
           (channel_id, account_id, relation, first_added_at, updated_at, change_seq)",
    tuple: "(?1,#,'ADDED',?2,?2,?3)",
    constants: 3,
};

const FILE_ROWS: Insert = Insert {
    head: "INSERT OR FAIL INTO customer_file_rows \
           (file_id, user_type, user_key, fields, account_id, updated_at, change_seq)",
    tuple: "(?1,'phone',#,#,#,?2,?3)",
    constants: 3,
};

impl Insert {
    /// The statement for `rows` tuples.
    fn sql(&self, rows: u64) -> String {
        let mut sql = format!("{} VALUES ", self.head);
        let mut next = self.constants;
        for row in 0..rows {
            if row > 0 {
                sql.push(',');
            }
            for part in self.tuple.split_inclusive('#') {
                match part.strip_suffix('#') {
                    Some(before) => {
                        next += 1;
                        write!(sql, "{before}?{next}").expect("writing to a string");
                    }
                    None => sql.push_str(part),
                }
            }
        }
        sql
    }
}

/// Writes friends `ks` in batches of [`BATCH`] (the last one shorter), in index order, so
/// ids, file-row sequence numbers and keys all come out as the SQL wrote them.
pub(crate) fn write_friends(
    conn: &RawConnection<'_>,
    ks: Range<u64>,
    c: &ChunkConstants,
) -> StoreResult<()> {
    let mut full = None;
    let mut rest = None;
    let mut batch = Batch::default();
    let mut start = ks.start;
    while start < ks.end {
        let end = ks.end.min(start + BATCH);
        let slot = if end - start == BATCH {
            &mut full
        } else {
            &mut rest
        };
        let statements = match slot {
            Some(s) => s,
            None => slot.insert(Statements::prepare(conn, end - start)?),
        };
        debug_assert_eq!(statements.rows, end - start);
        batch.fill(start..end, c);
        statements.write(&batch, c)?;
        start = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::{Connection, SqliteConnection};

    /// The formulas the seed's SQL used (before the rows were generated here), for index
    /// ?1, seed ?2 and year ?3: the texts, then gender and region.
    const SQL_FORMULAS: &str = "WITH h AS (SELECT ?1 AS k, \
       ((?1 + 1) * 2654435761 + ?2 * 40503 + 1 * 2246822519) % 4294967291 AS h1, \
       ((?1 + 1) * 2654435761 + ?2 * 40503 + 2 * 2246822519) % 4294967291 AS h2, \
       ((?1 + 1) * 2654435761 + ?2 * 40503 + 3 * 2246822519) % 4294967291 AS h3, \
       ((?1 + 1) * 2654435761 + ?2 * 40503 + 4 * 2246822519) % 4294967291 AS h4, \
       ((?1 + 1) * 2654435761 + ?2 * 40503 + 5 * 2246822519) % 4294967291 AS h5, \
       ((?1 + 1) * 2654435761 + ?2 * 40503 + 6 * 2246822519) % 4294967291 AS h6), \
     v AS (SELECT k, CASE h1 % 2 WHEN 0 THEN 'female' ELSE 'male' END AS gender, \
       15 + h2 % 60 AS age, 1 + h3 % 12 AS month, 1 + h3 % 28 AS day, \
       CASE h4 % 8 WHEN 0 THEN 'Seoul' WHEN 1 THEN 'Busan' WHEN 2 THEN 'Incheon' \
         WHEN 3 THEN 'Daegu' WHEN 4 THEN 'Daejeon' WHEN 5 THEN 'Gwangju' WHEN 6 THEN 'Ulsan' \
         ELSE 'Gyeonggi' END AS region, \
       1 + h5 % 5 AS rating, (h6 % 1000) * 1000 AS amount FROM h) \
     SELECT 'seed ' || k, '010' || printf('%08d', k), \
       printf('%04d-%02d-%02d', ?3 - age - 1, month, day), \
       printf('{\"gender\":\"%s\",\"age\":%d,\"region\":\"%s\",\"rating\":%d,\"purchase_amount\":%d}', \
         gender, age, region, rating, amount), gender, region FROM v";

    #[tokio::test]
    async fn rows_match_the_sql_formulas_they_replace() {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        let mut batch = Batch::default();
        // Year 60 makes some birth years negative, which printf pads after the sign.
        for (seed, year) in [(1, 2026), (7, 2026), (1 << 40, 60)] {
            let c = ChunkConstants {
                id_offset: 1,
                seed,
                year,
                at_ms: 0,
                channel_id: 1,
                file_id: 1,
                version: 1,
            };
            let ks = (0..300).chain([9_999_999, 99_999_999, 123_456_789, 999_999_999]);
            for k in ks {
                let expected: (String, String, String, String, String, String) =
                    sqlx::query_as(SQL_FORMULAS)
                        .bind(k as i64)
                        .bind(seed as i64)
                        .bind(year)
                        .fetch_one(&mut conn)
                        .await
                        .unwrap();
                batch.fill(k..k + 1, &c);
                let f = &batch.friends[0];
                let texts = [NICKNAME, PHONE, BIRTH_DATE, FIELDS].map(|t| batch.text(0, t));
                let got = (texts[0], texts[1], texts[2], texts[3], f.gender, f.region);
                let expected = (
                    expected.0.as_str(),
                    expected.1.as_str(),
                    expected.2.as_str(),
                    expected.3.as_str(),
                    expected.4.as_str(),
                    expected.5.as_str(),
                );
                assert_eq!(got, expected, "k {k}, seed {seed}, year {year}");
            }
        }
    }

    #[test]
    fn statements_number_constants_first_then_each_row() {
        let insert = Insert {
            head: "INSERT INTO t",
            tuple: "(?1,#,'x',#,?2)",
            constants: 2,
        };
        let sql = insert.sql(2);
        assert_eq!(
            sql,
            "INSERT INTO t VALUES (?1,?3,'x',?4,?2),(?1,?5,'x',?6,?2)"
        );
    }
}
