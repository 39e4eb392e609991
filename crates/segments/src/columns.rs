//! Column storage over dense ids, and the scans that turn a test into a bitmap.
//!
//! A value per dense id (1 to 8 bytes; text columns are in `text`), not a bitmap per value: memory stays bounded
//! whatever a field's cardinality (10,000,000 distinct purchase amounts cost what 5
//! ratings cost), updates are O(1), and a scan of 10,000,000 values that writes its
//! matches straight into a bitset takes a few milliseconds.

use crate::bits::Bits;
use crate::cells::{Cell, Cells};

/// A number column: a value per dense id, NaN for none.
#[derive(Debug, Clone)]
pub struct NumberColumn {
    pub cells: Cells<f64>,
}

impl Default for NumberColumn {
    fn default() -> Self {
        Self {
            cells: Cells::new(f64::NAN),
        }
    }
}

impl NumberColumn {
    pub fn set(&mut self, id: u32, value: Option<f64>) {
        self.cells.set(id as usize, value.unwrap_or(f64::NAN));
    }

    /// The ids whose value passes `test` (never called with NaN).
    pub fn scan(&self, test: impl Fn(f64) -> bool) -> Bits {
        scan(&self.cells, |x| !x.is_nan() && test(x))
    }
}

/// The positions whose cell passes `test`. Cells are tested 64 at a time into a word:
/// a fixed-length loop with no branches, which the compiler turns into vector compares
/// for the simple tests the evaluator builds (`&` and `|`, never `&&` or `||`, and no
/// table lookups), so a 10,000,000-cell scan is a few milliseconds. Chunks are multiples
/// of 64 cells, so only the last one ends in a partial word.
pub fn scan<T: Cell>(cells: &Cells<T>, test: impl Fn(T) -> bool) -> Bits {
    let mut bytes = vec![0u8; cells.len().div_ceil(64) * 8];
    let mut out = bytes.chunks_exact_mut(8);
    for chunk in cells.chunks() {
        let mut words = chunk.chunks_exact(64);
        for (word, out) in (&mut words).zip(&mut out) {
            let word: &[T; 64] = word.try_into().expect("chunks_exact yields 64 cells");
            out.copy_from_slice(&pack(word, &test).to_le_bytes());
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let out = out.next().expect("a word for every 64 cells or fewer");
            out.copy_from_slice(&pack(rest, &test).to_le_bytes());
        }
    }
    Bits::from_bytes(bytes)
}

/// Bit i of the word is `test(cells[i])` (at most 64 cells). The tests land in a byte
/// each first, which vectorizes for any cell width; each eight bytes (0 or 1) then
/// become eight bits in one multiplication: byte i times the magic lands in bit 56 + i,
/// and no two partial products overlap, so nothing carries.
#[inline(always)]
fn pack<T: Copy>(cells: &[T], test: &impl Fn(T) -> bool) -> u64 {
    const GATHER: u64 = 0x0102_0408_1020_4080;
    let mut flags = [0u8; 64];
    for (flag, &cell) in flags.iter_mut().zip(cells) {
        *flag = u8::from(test(cell));
    }
    flags
        .chunks_exact(8)
        .enumerate()
        .fold(0, |word, (i, eight)| {
            let eight = u64::from_le_bytes(eight.try_into().expect("eight bytes"));
            word | ((eight.wrapping_mul(GATHER) >> 56) << (8 * i))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::TextColumn;

    #[test]
    fn scans_find_exactly_the_matching_ids() {
        let mut text = TextColumn::default();
        for (id, v) in [(0, "Seoul"), (3, "Busan"), (9, "Seongnam"), (17, "Seoul")] {
            text.set(id, Some(v));
        }
        text.set(3, None);
        let ids = |b: Bits| b.to_bitmap().iter().collect::<Vec<_>>();
        assert_eq!(ids(text.scan_equal("Seoul")), vec![0, 17]);
        assert_eq!(ids(text.scan(|v| v.starts_with("Se"))), vec![0, 9, 17]);
        assert_eq!(ids(text.scan_equal("Busan")), Vec::<u32>::new());

        let mut numbers = NumberColumn::default();
        numbers.set(2, Some(20.0));
        numbers.set(70_000, Some(39.0));
        numbers.set(5, Some(40.0));
        assert_eq!(
            ids(numbers.scan(|x| (20.0..=39.0).contains(&x))),
            vec![2, 70_000]
        );
        assert_eq!(
            ids(numbers.scan(|_| true)).len(),
            3,
            "absent cells never match"
        );
    }

    /// Whole chunks, whole words and a ragged last word, against a cell-by-cell filter.
    #[test]
    fn scans_agree_with_testing_each_cell() {
        use crate::cells::CHUNK;
        let len = 3 * CHUNK + 77;
        let mut cells = Cells::new(0u32);
        let mut text = TextColumn::default();
        let regions = ["Seoul", "Busan", "Incheon", "Daegu", "Ulsan", "Jeju"];
        for i in 0..len {
            let x = (i as u32).wrapping_mul(2_654_435_761) >> 7;
            cells.set(i, x % 1000);
            text.set(i as u32, (x % 7 != 6).then(|| regions[(x % 7) as usize]));
        }
        let naive = |test: &dyn Fn(u32) -> bool| -> Vec<u32> {
            (0..len as u32)
                .filter(|&i| test(cells.get(i as usize)))
                .collect()
        };
        let got = scan(&cells, |x| (100..400).contains(&x)).to_bitmap();
        assert_eq!(
            got.iter().collect::<Vec<_>>(),
            naive(&|x| (100..400).contains(&x))
        );
        assert_eq!(
            got.max(),
            naive(&|x| (100..400).contains(&x)).last().copied()
        );
        // Text sets of every size: the direct compares (1 to 4) and the table (5 and 6).
        for size in 1..=regions.len() {
            let set = &regions[..size];
            let want: Vec<u32> = (0..len as u32)
                .filter(|&i| {
                    let x = i.wrapping_mul(2_654_435_761) >> 7;
                    x % 7 != 6 && set.contains(&regions[(x % 7) as usize])
                })
                .collect();
            let got = text.scan(|v| set.contains(&v)).to_bitmap();
            assert_eq!(got.iter().collect::<Vec<_>>(), want, "{size} values");
        }
    }
}
