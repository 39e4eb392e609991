//! A column of fixed-size cells stored in shared chunks, so a snapshot of an index is a
//! cheap clone (one `Arc` per chunk) and a change made while the snapshot is written to
//! disk copies only the chunk it touches (copy-on-write), never the whole column.

use std::sync::Arc;

/// Cells per chunk: a multiple of 8, so chunks pack into whole bitset bytes, and small
/// enough (64 KiB of `f64`) that a write during a snapshot copies little.
pub const CHUNK: usize = 1 << 13;

/// A plain fixed-size value a column holds, with its little-endian encoding.
pub trait Cell: Copy + Send + Sync + std::fmt::Debug + 'static {
    const SIZE: usize;
    /// Same bits (so NaN equals NaN and a rewrite of the same value copies nothing).
    fn same(self, other: Self) -> bool;
    fn put(self, out: &mut Vec<u8>);
    fn get(bytes: &[u8]) -> Self;
}

macro_rules! cell {
    ($t:ty, $size:expr) => {
        impl Cell for $t {
            const SIZE: usize = $size;
            fn same(self, other: Self) -> bool {
                self.to_le_bytes() == other.to_le_bytes()
            }
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(bytes: &[u8]) -> Self {
                let mut raw = [0u8; $size];
                raw.copy_from_slice(&bytes[..$size]);
                <$t>::from_le_bytes(raw)
            }
        }
    };
}
cell!(u8, 1);
cell!(u32, 4);
cell!(i32, 4);
cell!(i64, 8);
cell!(f64, 8);

/// Cells indexed by dense id; ids past the end read as `empty`.
#[derive(Debug, Clone)]
pub struct Cells<T> {
    chunks: Vec<Arc<Vec<T>>>,
    len: usize,
    empty: T,
}

impl<T: Cell> Cells<T> {
    pub fn new(empty: T) -> Self {
        Self {
            chunks: Vec::new(),
            len: 0,
            empty,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn empty_value(&self) -> T {
        self.empty
    }

    pub fn get(&self, i: usize) -> T {
        if i >= self.len {
            return self.empty;
        }
        self.chunks[i / CHUNK][i % CHUNK]
    }

    /// Grows the column with `empty` cells up to `len`.
    fn grow(&mut self, len: usize) {
        while self.len < len {
            if self.len % CHUNK == 0 {
                self.chunks.push(Arc::new(Vec::with_capacity(CHUNK)));
            }
            let last = Arc::make_mut(self.chunks.last_mut().expect("a chunk was pushed"));
            let take = (CHUNK - last.len()).min(len - self.len);
            last.resize(last.len() + take, self.empty);
            self.len += take;
        }
    }

    pub fn set(&mut self, i: usize, value: T) {
        if i >= self.len {
            if value.same(self.empty) {
                return;
            }
            self.grow(i + 1);
        }
        let chunk = &mut self.chunks[i / CHUNK];
        if !chunk[i % CHUNK].same(value) {
            Arc::make_mut(chunk)[i % CHUNK] = value;
        }
    }

    pub fn push(&mut self, value: T) {
        let i = self.len;
        self.grow(i + 1);
        Arc::make_mut(&mut self.chunks[i / CHUNK])[i % CHUNK] = value;
    }

    /// Appends a whole chunk's worth (or, last, fewer) of cells read back from disk.
    pub fn push_chunk(&mut self, cells: Vec<T>) {
        debug_assert!(self.len % CHUNK == 0 && cells.len() <= CHUNK);
        self.len += cells.len();
        self.chunks.push(Arc::new(cells));
    }

    /// The cells in id order, a chunk at a time (every chunk but the last is full).
    pub fn chunks(&self) -> impl Iterator<Item = &[T]> {
        self.chunks.iter().map(|c| c.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clone_keeps_its_values_while_the_original_changes() {
        let mut cells = Cells::new(f64::NAN);
        for i in 0..(3 * CHUNK + 5) {
            cells.set(i, i as f64);
        }
        let frozen = cells.clone();
        cells.set(7, -1.0);
        cells.set(2 * CHUNK + 1, f64::NAN);
        cells.push(99.0);
        assert_eq!((frozen.get(7), cells.get(7)), (7.0, -1.0));
        assert!(cells.get(2 * CHUNK + 1).is_nan());
        assert_eq!(frozen.get(2 * CHUNK + 1), (2 * CHUNK + 1) as f64);
        assert_eq!((frozen.len(), cells.len()), (3 * CHUNK + 5, 3 * CHUNK + 6));
        // Only the chunks written to were copied.
        let shared = frozen
            .chunks
            .iter()
            .zip(&cells.chunks)
            .filter(|(a, b)| Arc::ptr_eq(a, b))
            .count();
        assert_eq!(shared, 1, "chunks 0, 2 and 3 were written");
        assert!(Cells::new(0u8).get(10) == 0 && frozen.get(10 * CHUNK).is_nan());
    }
}
