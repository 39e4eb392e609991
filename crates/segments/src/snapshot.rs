//! The on-disk snapshot of a channel index, so the first count after a restart reads one
//! file and catches up from the store instead of reloading every row through the driver.
//!
//! Layout (all integers little-endian), followed by a CRC-32C of every byte before it:
//!
//! ```text
//! header: magic "TCSEGIDX", format u32, database id (str), channel i64, version i64,
//!         accounts u32, files u32, per file: id i64, fields u32, per field: name (str),
//!         type u8 (0 number, 1 string)
//! body:   accounts (cells i64: account by dense id), friends (bitmap), profiled (bitmap),
//!         gender (cells u8), birth (cells i32), region (text), per file in header order:
//!         members (bitmap), then per field its column (cells f64 or text)
//! str    = len u32 + UTF-8;  bitmap = len u64 + roaring's portable serialization
//! cells  = len u64 + len cells;  text = symbols u32 + each symbol (str), then cells u32
//! ```
//!
//! A snapshot is written to a temporary file in the same directory, synced and renamed
//! over the old one, so a reader sees the old file or the new one, never half of one.

use crate::cells::{Cell, Cells};
use crate::frozen::Frozen;
use crate::index::Column;
use crate::text::TextColumn;
use roaring::RoaringBitmap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;
use talkchannel_domain::{ChannelId, FieldType};

pub(crate) const MAGIC: &[u8; 8] = b"TCSEGIDX";
/// Bumped on any change of the layout; a snapshot of another format is ignored.
pub const FORMAT: u32 = 1;
pub(crate) static CRC: crc::Crc<u32, crc::Table<16>> =
    crc::Crc::<u32, crc::Table<16>>::new(&crc::CRC_32_ISCSI);

/// The snapshot file of a channel in `dir`.
pub fn path(dir: &Path, channel: ChannelId) -> PathBuf {
    dir.join(format!("channel-{channel}.tcseg"))
}

/// Temporary files older than this are left by a write that a kill interrupted (a write
/// at 10,000,000 accounts takes seconds, and another node sharing the directory would
/// be writing a younger one).
const INTERRUPTED_AFTER: Duration = Duration::from_secs(600);

/// Removes the temporary files of writes a kill interrupted (the snapshots themselves are
/// untouched: a kill mid-write leaves the previous one in place). Best effort.
pub fn remove_interrupted_writes(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let temporary = name.starts_with(".channel-") && name.ends_with(".tmp");
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|at| at.elapsed().is_ok_and(|age| age > INTERRUPTED_AFTER));
        if temporary && old && std::fs::remove_file(entry.path()).is_ok() {
            tracing::info!(file = %entry.path().display(), "removed an interrupted segment snapshot write");
        }
    }
}

/// A writer that checksums what it writes.
struct Out {
    file: BufWriter<File>,
    digest: crc::Digest<'static, u32, crc::Table<16>>,
    buf: Vec<u8>,
}

impl Out {
    fn bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.digest.update(bytes);
        self.file.write_all(bytes)
    }

    fn u32(&mut self, v: u32) -> io::Result<()> {
        self.bytes(&v.to_le_bytes())
    }

    fn u64(&mut self, v: u64) -> io::Result<()> {
        self.bytes(&v.to_le_bytes())
    }

    fn i64(&mut self, v: i64) -> io::Result<()> {
        self.bytes(&v.to_le_bytes())
    }

    fn str(&mut self, s: &str) -> io::Result<()> {
        self.u32(len32(s.len())?)?;
        self.bytes(s.as_bytes())
    }

    fn bitmap(&mut self, b: &RoaringBitmap) -> io::Result<()> {
        let mut raw = Vec::with_capacity(b.serialized_size());
        b.serialize_into(&mut raw)?;
        self.u64(raw.len() as u64)?;
        self.bytes(&raw)
    }

    /// Encodes a chunk at a time, so a 10,000,000-cell column never exists twice.
    fn cells<T: Cell>(&mut self, cells: &Cells<T>) -> io::Result<()> {
        self.u64(cells.len() as u64)?;
        let mut buf = std::mem::take(&mut self.buf);
        for chunk in cells.chunks() {
            buf.clear();
            for &cell in chunk {
                cell.put(&mut buf);
            }
            self.bytes(&buf)?;
        }
        self.buf = buf;
        Ok(())
    }

    fn text(&mut self, column: &TextColumn) -> io::Result<()> {
        let values = column.symbols.values();
        self.u32(len32(values.len())?)?;
        for value in values {
            self.str(value)?;
        }
        // On disk every symbol is a u32, whatever width the column holds in memory.
        self.u64(column.cells.len() as u64)?;
        let mut buf = std::mem::take(&mut self.buf);
        let mut written = Ok(());
        column.cells.for_each_chunk(|chunk| {
            if written.is_ok() {
                buf.clear();
                chunk.for_each(|symbol| symbol.put(&mut buf));
                written = self.bytes(&buf);
            }
        });
        self.buf = buf;
        written
    }
}

fn len32(n: usize) -> io::Result<u32> {
    u32::try_from(n).map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "too long"))
}

pub(crate) fn field_type_code(kind: FieldType) -> u8 {
    match kind {
        FieldType::Number => 0,
        FieldType::String => 1,
    }
}

/// Writes `frozen` as the channel's snapshot in `dir` (atomically); returns its size.
pub fn write(dir: &Path, database: &str, frozen: &Frozen) -> io::Result<u64> {
    std::fs::create_dir_all(dir)?;
    let target = path(dir, frozen.channel);
    let temp = tempfile::Builder::new()
        .prefix(&format!(".channel-{}.", frozen.channel))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    let mut out = Out {
        file: BufWriter::with_capacity(1 << 20, temp.as_file().try_clone()?),
        digest: CRC.digest(),
        buf: Vec::new(),
    };
    write_header(&mut out, database, frozen)?;
    write_body(&mut out, frozen)?;
    let Out {
        mut file, digest, ..
    } = out;
    file.write_all(&digest.finalize().to_le_bytes())?;
    file.flush()?;
    drop(file);
    temp.as_file().sync_all()?;
    let size = temp.as_file().metadata()?.len();
    temp.persist(&target).map_err(|e| e.error)?;
    // The rename is durable once the directory is.
    File::open(dir)?.sync_all()?;
    Ok(size)
}

fn write_header(out: &mut Out, database: &str, frozen: &Frozen) -> io::Result<()> {
    out.bytes(MAGIC)?;
    out.u32(FORMAT)?;
    out.str(database)?;
    out.i64(frozen.channel)?;
    out.i64(frozen.version)?;
    out.u32(len32(frozen.accounts.len())?)?;
    out.u32(len32(frozen.files.len())?)?;
    for (id, file) in &frozen.files {
        out.i64(*id)?;
        out.u32(len32(file.fields.len())?)?;
        for (name, kind) in &file.fields {
            out.str(name)?;
            out.bytes(&[field_type_code(*kind)])?;
        }
    }
    Ok(())
}

fn write_body(out: &mut Out, frozen: &Frozen) -> io::Result<()> {
    out.cells(&frozen.accounts)?;
    out.bitmap(&frozen.friends)?;
    out.bitmap(&frozen.profiled)?;
    out.cells(&frozen.gender)?;
    out.cells(&frozen.birth)?;
    out.text(&frozen.region)?;
    for (_, file) in &frozen.files {
        out.bitmap(&file.members)?;
        for column in &file.columns {
            match column {
                Column::Number(c) => out.cells(&c.cells)?,
                Column::Text(c) => out.text(c)?,
            }
        }
    }
    Ok(())
}
