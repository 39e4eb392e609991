//! The csv crate ends a quoted field at the end of the input as if it had been closed,
//! so `id,name\n<id>,"abc\n` would import `abc\n`. [`QuoteWatch`] passes the bytes through
//! unchanged and follows the same quoting rules (RFC 4180, as the crate reads them) to
//! tell whether the input ended inside a quoted field.

use std::io::{self, Read};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field.
    FieldStart,
    /// In an unquoted field (a quote here is a literal character).
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: `"` again is an escaped quote.
    QuoteInQuoted,
}

pub struct QuoteWatch<R> {
    inner: R,
    state: State,
}

impl<R: Read> QuoteWatch<R> {
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            state: State::FieldStart,
        }
    }

    /// Whether what was read so far ends inside a quoted field.
    pub fn inside_quotes(&self) -> bool {
        self.state == State::Quoted
    }

    fn follow(&mut self, byte: u8) {
        self.state = match (self.state, byte) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') => State::Quoted,
            (_, b',' | b'\n' | b'\r') => State::FieldStart,
            (State::FieldStart, b'"') => State::Quoted,
            _ => State::Unquoted,
        };
    }
}

impl<R: Read> Read for QuoteWatch<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &byte in &buf[..n] {
            self.follow(byte);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ends_inside(input: &str) -> bool {
        let mut watch = QuoteWatch::new(input.as_bytes());
        io::copy(&mut watch, &mut io::sink()).unwrap();
        watch.inside_quotes()
    }

    #[test]
    fn only_an_unclosed_quoted_field_counts() {
        for closed in [
            "id,name\n1,abc\n",
            "id,name\n1,\"a,b\"\n",
            "id,name\n1,\"say \"\"hi\"\"\"\n",
            "id,name\n1,5\"\n",
            "id,name\n1,\"multi\nline\"\n",
            "id,name\n1,\"\"",
        ] {
            assert!(!ends_inside(closed), "{closed:?}");
        }
        for open in ["id,name\n1,\"abc\n", "id,name\n1,\"a\"\"b\n", "\""] {
            assert!(ends_inside(open), "{open:?}");
        }
    }

    proptest::proptest! {
        /// Whatever a CSV writer makes ends outside quotes; opening a quoted field after
        /// it and never closing it ends inside, whatever follows.
        #[test]
        fn agrees_with_what_a_csv_writer_writes(
            rows in proptest::collection::vec(
                proptest::collection::vec("[a-z,\"\n\r 한]{0,6}", 1..4), 0..5),
            tail in "[a-z,\n\r 한]{0,8}",
        ) {
            let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
            for row in &rows {
                writer.write_record(row).unwrap();
            }
            let written = String::from_utf8(writer.into_inner().unwrap()).unwrap();
            proptest::prop_assert!(!ends_inside(&written), "{written:?}");
            let open = format!("{written}x,\"{tail}");
            proptest::prop_assert!(ends_inside(&open), "{open:?}");
        }
    }
}
