//! Binding a batch of customer-file rows as multi-row `VALUES` lists.
//!
//! SQLite re-parses JSON text every time a statement reads it, and that parsing was the
//! largest cost of a bulk write; bound parameters cost nothing to read. A statement
//! binds a fixed number of rows so that its text, and so its prepared plan in the
//! connection's statement cache, is one of a handful: a batch is cut into chunks of the
//! sizes in [`CHUNK_ROWS`], largest first.

use std::sync::OnceLock;
use talkchannel_store::FileRowInput;

/// Rows per statement; 1,000 x 3 parameters stays far below SQLite's 32,766 limit. A
/// 2,000-row batch takes two statements (each one a hop to sqlx's SQLite thread), any
/// other size at most twenty-one.
pub(crate) const CHUNK_ROWS: [usize; 5] = [1_000, 250, 50, 10, 1];

/// A statement whose text is `head`, then `(?,?,?),(?,?,?),..` for `rows` rows, then
/// `tail`; built once per chunk size and kept for the life of the process.
///
/// Every parameter is an anonymous `?`, bound in the order of the text: sqlx looks up
/// each parameter's name before binding it, and SQLite finds a name by walking the list
/// of named ones, so a statement of numbered (`?NNN`) parameters binds in quadratic time.
pub(crate) struct ChunkedSql {
    head: &'static str,
    tail: &'static str,
    texts: OnceLock<Vec<String>>,
}

impl ChunkedSql {
    pub const fn new(head: &'static str, tail: &'static str) -> Self {
        Self {
            head,
            tail,
            texts: OnceLock::new(),
        }
    }

    /// The text for a chunk of `rows` rows (`rows` is one of [`CHUNK_ROWS`]).
    pub fn text(&self, rows: usize) -> &str {
        let texts = self.texts.get_or_init(|| {
            CHUNK_ROWS
                .iter()
                .map(|&n| format!("{}{}{}", self.head, values_list(n), self.tail))
                .collect()
        });
        let at = CHUNK_ROWS
            .iter()
            .position(|&n| n == rows)
            .expect("a chunk size from CHUNK_ROWS");
        &texts[at]
    }
}

fn values_list(rows: usize) -> String {
    vec!["(?,?,?)"; rows].join(",")
}

/// Cuts `rows` into chunks whose lengths are all in [`CHUNK_ROWS`].
pub(crate) fn chunks(mut rows: &[FileRowInput]) -> impl Iterator<Item = &[FileRowInput]> {
    std::iter::from_fn(move || {
        let size = CHUNK_ROWS.iter().copied().find(|&n| n <= rows.len())?;
        let (chunk, rest) = rows.split_at(size);
        rows = rest;
        Some(chunk)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use talkchannel_domain::FileUserKey;

    #[test]
    fn batches_cut_into_known_sizes() {
        let rows: Vec<_> = (1..=1_999)
            .map(|i| FileRowInput {
                key: FileUserKey::App(i),
                fields: "{}".into(),
            })
            .collect();
        let sizes: Vec<usize> = chunks(&rows).map(<[_]>::len).collect();
        assert_eq!(sizes.iter().sum::<usize>(), 1_999);
        assert!(sizes.iter().all(|n| CHUNK_ROWS.contains(n)));
        assert_eq!(sizes.len(), 21);
        assert_eq!(chunks(&rows[..1_000]).count(), 1);
        assert_eq!(chunks(&[]).count(), 0);
    }

    #[test]
    fn texts_list_anonymous_parameters() {
        let sql = ChunkedSql::new("INSERT INTO t VALUES ", " ON CONFLICT DO NOTHING");
        assert_eq!(
            sql.text(1),
            "INSERT INTO t VALUES (?,?,?) ON CONFLICT DO NOTHING"
        );
        assert_eq!(sql.text(10).matches("(?,?,?)").count(), 10);
    }
}
