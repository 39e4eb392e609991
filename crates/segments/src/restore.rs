//! Reading a snapshot back (see `snapshot` for the layout). Everything is checked: the
//! header against the database and channel it must belong to, every length against the
//! bytes left in the file (so a corrupt length cannot ask for gigabytes), every id and
//! symbol against its bounds, and the checksum at the end, before the index is used.

use crate::cells::{Cell, Cells, CHUNK};
use crate::columns::NumberColumn;
use crate::index::{ChannelIndex, Column, FileIndex};
use crate::snapshot::{CRC, FORMAT, MAGIC};
use crate::text::{SymbolCells, Symbols, TextColumn};
use roaring::RoaringBitmap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use talkchannel_domain::{ChannelId, FieldType};

/// What a snapshot must match to be used.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    pub database: &'a str,
    pub channel: ChannelId,
    /// The store's segment version now: a snapshot above it is from another history.
    pub version: i64,
}

fn invalid(what: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.into())
}

/// A reader that checksums what it reads and knows how many bytes are left.
struct In {
    file: BufReader<File>,
    digest: crc::Digest<'static, u32, crc::Table<16>>,
    left: u64,
    buf: Vec<u8>,
}

impl In {
    fn bytes(&mut self, n: usize) -> io::Result<&[u8]> {
        if n as u64 > self.left {
            return Err(invalid("the snapshot is truncated or a length is corrupt"));
        }
        self.buf.resize(n, 0);
        self.file.read_exact(&mut self.buf)?;
        self.digest.update(&self.buf);
        self.left -= n as u64;
        Ok(&self.buf)
    }

    fn u8(&mut self) -> io::Result<u8> {
        Ok(self.bytes(1)?[0])
    }

    fn u32(&mut self) -> io::Result<u32> {
        Ok(u32::get(self.bytes(4)?))
    }

    fn u64(&mut self) -> io::Result<u64> {
        Ok(i64::get(self.bytes(8)?) as u64)
    }

    fn i64(&mut self) -> io::Result<i64> {
        Ok(i64::get(self.bytes(8)?))
    }

    fn str(&mut self) -> io::Result<String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.bytes(n)?.to_vec()).map_err(|_| invalid("a name is not UTF-8"))
    }

    /// A bitmap whose ids must all be below `bound`.
    fn bitmap(&mut self, bound: u32) -> io::Result<RoaringBitmap> {
        let n = self.u64()?;
        let n = usize::try_from(n).map_err(|_| invalid("bitmap length"))?;
        let bitmap = RoaringBitmap::deserialize_from(self.bytes(n)?)?;
        if bitmap.max().is_some_and(|max| max >= bound) {
            return Err(invalid("a bitmap names an id past the last account"));
        }
        Ok(bitmap)
    }

    /// At most `bound` cells, decoded a chunk at a time.
    fn cells<T: Cell>(&mut self, empty: T, bound: usize) -> io::Result<Cells<T>> {
        let n = usize::try_from(self.u64()?).map_err(|_| invalid("column length"))?;
        if n > bound {
            return Err(invalid("a column is longer than the accounts"));
        }
        let mut cells = Cells::new(empty);
        while cells.len() < n {
            let take = (n - cells.len()).min(CHUNK);
            let raw = self.bytes(take * T::SIZE)?;
            cells.push_chunk(raw.chunks_exact(T::SIZE).map(T::get).collect());
        }
        Ok(cells)
    }

    fn text(&mut self, bound: usize) -> io::Result<TextColumn> {
        let n = self.u32()?;
        let mut symbols = Symbols::default();
        for i in 1..=n {
            if symbols.intern(&self.str()?) != i {
                return Err(invalid("a text column repeats a value"));
            }
        }
        let len = usize::try_from(self.u64()?).map_err(|_| invalid("column length"))?;
        if len > bound {
            return Err(invalid("a column is longer than the accounts"));
        }
        let mut cells = SymbolCells::for_symbols(n as usize);
        let mut chunk = Vec::with_capacity(CHUNK);
        while cells.len() < len {
            let take = (len - cells.len()).min(CHUNK);
            chunk.clear();
            chunk.extend(self.bytes(take * 4)?.chunks_exact(4).map(u32::get));
            if chunk.iter().any(|&s| s > n) || !cells.push_chunk(&chunk) {
                return Err(invalid("a text cell names no value"));
            }
        }
        Ok(TextColumn {
            symbols: Arc::new(symbols),
            cells,
        })
    }
}

/// Reads the channel's snapshot at `path`; any mismatch or damage is an error (the
/// caller then loads from the store).
pub fn read(path: &Path, expected: &Expected<'_>) -> io::Result<ChannelIndex> {
    let file = File::open(path)?;
    let size = file.metadata()?.len();
    let mut input = In {
        file: BufReader::with_capacity(1 << 20, file),
        digest: CRC.digest(),
        left: size.checked_sub(4).ok_or_else(|| invalid("too short"))?,
        buf: Vec::new(),
    };
    if input.bytes(MAGIC.len())? != MAGIC {
        return Err(invalid("not a segment snapshot"));
    }
    let format = input.u32()?;
    if format != FORMAT {
        return Err(invalid(format!(
            "format {format}, this server reads {FORMAT}"
        )));
    }
    let database = input.str()?;
    if database != expected.database {
        return Err(invalid("written for another database"));
    }
    let channel = input.i64()?;
    let version = input.i64()?;
    if channel != expected.channel {
        return Err(invalid(format!("written for channel {channel}")));
    }
    if version < 0 || version > expected.version {
        return Err(invalid(format!(
            "at segment version {version}, the database is at {}",
            expected.version
        )));
    }
    let mut index = read_body(&mut input)?;
    let stored = {
        let mut raw = [0u8; 4];
        input.file.read_exact(&mut raw)?;
        u32::from_le_bytes(raw)
    };
    if input.left != 0 || input.file.read(&mut [0u8; 1])? != 0 {
        return Err(invalid("trailing bytes"));
    }
    if stored != input.digest.finalize() {
        return Err(invalid("checksum mismatch"));
    }
    index.version = version;
    Ok(index)
}

fn read_body(input: &mut In) -> io::Result<ChannelIndex> {
    let accounts = input.u32()?;
    let n = accounts as usize;
    let files = input.u32()?;
    let mut schemas = Vec::new();
    for _ in 0..files {
        let id = input.i64()?;
        let fields = input.u32()?;
        let mut schema = Vec::new();
        for _ in 0..fields {
            let name = input.str()?;
            let kind = match input.u8()? {
                0 => FieldType::Number,
                1 => FieldType::String,
                _ => return Err(invalid("unknown field type")),
            };
            schema.push((name, kind));
        }
        schemas.push((id, schema));
    }
    let mut index = ChannelIndex {
        accounts: input.cells(0i64, n)?,
        ..ChannelIndex::default()
    };
    if index.accounts.len() != n {
        return Err(invalid("the account list is short"));
    }
    index.ids.reserve(&index.accounts, n);
    for id in 0..accounts {
        if !index.ids.insert(&index.accounts, id) {
            return Err(invalid("an account appears twice"));
        }
    }
    index.friends = input.bitmap(accounts)?;
    index.profiled = input.bitmap(accounts)?;
    index.gender = input.cells(0u8, n)?;
    index.birth = input.cells(crate::index::NO_BIRTH, n)?;
    index.region = input.text(n)?;
    for (id, fields) in schemas {
        let mut file = FileIndex::new(fields);
        file.members = input.bitmap(accounts)?;
        for column in &mut file.columns {
            *column = match column {
                Column::Number(_) => Column::Number(NumberColumn {
                    cells: input.cells(f64::NAN, n)?,
                }),
                Column::Text(_) => Column::Text(input.text(n)?),
            };
        }
        index.files.insert(id, file);
    }
    Ok(index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot;
    use talkchannel_store::{FieldValue, FriendRecord, Profile, RowRecord};

    /// A small index with friends, profiles, a file of both column kinds, gaps and a
    /// file-only account.
    fn sample() -> ChannelIndex {
        let mut index = ChannelIndex::default();
        for account in 100..140 {
            index.apply_friend(&FriendRecord {
                account_id: account,
                added: account % 5 != 0,
                profile: Profile {
                    gender: (account % 3 != 0).then_some(talkchannel_domain::Gender::Female),
                    birth_date: chrono::NaiveDate::from_ymd_opt(1990, 1, 1 + (account % 28) as u32),
                    region: Some(["Seoul", "Busan"][(account % 2) as usize].into()),
                },
            });
        }
        let mut file = FileIndex::new(vec![
            ("rating".into(), FieldType::Number),
            ("tier".into(), FieldType::String),
        ]);
        for account in (100..150).step_by(3) {
            let id = index.id_or_new(account);
            file.apply(
                id,
                &RowRecord {
                    account_id: account,
                    values: vec![
                        Some(FieldValue::Number(account as f64 / 7.0)),
                        (account % 2 == 0).then(|| FieldValue::Text(format!("t{}", account % 4))),
                    ],
                },
            );
        }
        index.files.insert(7, file);
        index.version = 42;
        index
    }

    fn bytes_of(dir: &Path, index: &ChannelIndex) -> Vec<u8> {
        snapshot::write(dir, "db-1", &index.freeze(3)).unwrap();
        std::fs::read(snapshot::path(dir, 3)).unwrap()
    }

    const EXPECTED: Expected<'static> = Expected {
        database: "db-1",
        channel: 3,
        version: 50,
    };

    #[test]
    fn a_snapshot_reads_back_to_the_same_index() {
        let dir = tempfile::tempdir().unwrap();
        let index = sample();
        let written = bytes_of(dir.path(), &index);
        let restored = read(&snapshot::path(dir.path(), 3), &EXPECTED).unwrap();
        assert_eq!(restored.version, 42);
        assert_eq!(restored.accounts(), index.accounts());
        assert_eq!(restored.id(147), index.id(147));
        assert_eq!(restored.friends, index.friends);
        // Written again, the restored index gives the very same bytes.
        let other = tempfile::tempdir().unwrap();
        assert_eq!(bytes_of(other.path(), &restored), written);
    }

    #[test]
    fn text_columns_come_back_as_narrow_or_as_wide_as_they_were() {
        let mut index = sample();
        let mut file = FileIndex::new(vec![("code".into(), FieldType::String)]);
        for account in 1000..1300 {
            let id = index.id_or_new(account);
            let code = Some(FieldValue::Text(format!("c{account}")));
            file.apply(
                id,
                &RowRecord {
                    account_id: account,
                    values: vec![code],
                },
            );
        }
        index.files.insert(9, file);
        let dir = tempfile::tempdir().unwrap();
        let written = bytes_of(dir.path(), &index);
        let restored = read(&snapshot::path(dir.path(), 3), &EXPECTED).unwrap();
        let width =
            |index: &ChannelIndex, file: i64, field: &str| match index.files[&file].column(field) {
                Some(Column::Text(c)) => matches!(c.cells, SymbolCells::Wide(_)),
                _ => panic!("no text column {field}"),
            };
        assert!(width(&restored, 9, "code"), "300 values need wide cells");
        assert!(!width(&restored, 7, "tier"), "4 values fit narrow cells");
        assert!(matches!(restored.region.cells, SymbolCells::Narrow(_)));
        let other = tempfile::tempdir().unwrap();
        assert_eq!(bytes_of(other.path(), &restored), written);
    }

    #[test]
    fn any_damage_or_mismatch_is_an_error_never_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let good = bytes_of(dir.path(), &sample());
        let path = snapshot::path(dir.path(), 3);
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 1 << (i % 8);
            std::fs::write(&path, &bad).unwrap();
            assert!(read(&path, &EXPECTED).is_err(), "flipped byte {i}");
        }
        for len in (0..good.len()).step_by(7) {
            std::fs::write(&path, &good[..len]).unwrap();
            assert!(read(&path, &EXPECTED).is_err(), "truncated to {len}");
        }
        std::fs::write(&path, &good).unwrap();
        for expected in [
            Expected {
                database: "db-2",
                ..EXPECTED
            },
            Expected {
                channel: 4,
                ..EXPECTED
            },
            Expected {
                version: 41,
                ..EXPECTED
            },
        ] {
            assert!(read(&path, &expected).is_err(), "{expected:?}");
        }
        assert!(read(&path, &EXPECTED).is_ok());
    }

    /// `bytes` with its checksum made right again, so only the edit can refuse it.
    fn resealed(mut bytes: Vec<u8>) -> Vec<u8> {
        let body = bytes.len() - 4;
        let checksum = CRC.checksum(&bytes[..body]);
        bytes[body..].copy_from_slice(&checksum.to_le_bytes());
        bytes
    }

    #[test]
    fn another_format_is_refused_for_its_format() {
        let dir = tempfile::tempdir().unwrap();
        let good = bytes_of(dir.path(), &sample());
        assert_eq!(
            resealed(good.clone()),
            good,
            "resealing changes nothing else"
        );
        let path = snapshot::path(dir.path(), 3);
        for format in [0, FORMAT + 1, u32::MAX] {
            let mut other = good.clone();
            other[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&format.to_le_bytes());
            std::fs::write(&path, resealed(other)).unwrap();
            let Err(err) = read(&path, &EXPECTED) else {
                panic!("format {format} was read");
            };
            assert_eq!(
                err.to_string(),
                format!("format {format}, this server reads {FORMAT}")
            );
        }
    }
}
