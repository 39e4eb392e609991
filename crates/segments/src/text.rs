//! Text columns: each distinct value is interned once as a symbol, and the column holds
//! a symbol per dense id, one byte wide while the column has at most 255 distinct values
//! (regions, tiers, grades: the usual case) and four bytes once it has more. A scan reads
//! a quarter of the memory in the narrow case, and memory bandwidth is most of a scan's
//! cost at 10,000,000 accounts.

use crate::bits::Bits;
use crate::cells::{Cell, Cells};
use crate::columns::scan;
use std::sync::Arc;

/// Interned strings; symbol 0 means "no value".
#[derive(Debug, Default, Clone)]
pub struct Symbols {
    values: Vec<Box<str>>,
    lookup: hashbrown::HashMap<Box<str>, u32>,
}

impl Symbols {
    pub fn intern(&mut self, value: &str) -> u32 {
        if let Some(&s) = self.lookup.get(value) {
            return s;
        }
        self.values.push(value.into());
        let symbol = self.values.len() as u32;
        self.lookup.insert(value.into(), symbol);
        symbol
    }

    pub fn find(&self, value: &str) -> Option<u32> {
        self.lookup.get(value).copied()
    }

    /// The values of symbols 1, 2, ... in order (what a snapshot stores).
    pub fn values(&self) -> &[Box<str>] {
        &self.values
    }

    /// A mask indexed by symbol: which symbols' values pass `test` (0 never does).
    pub fn mask(&self, test: impl Fn(&str) -> bool) -> Vec<bool> {
        std::iter::once(false)
            .chain(self.values.iter().map(|v| test(v)))
            .collect()
    }
}

/// The widest symbol a narrow column holds.
const NARROW_MAX: u32 = u8::MAX as u32;

/// Symbols per dense id, as narrow as the column's distinct values allow.
#[derive(Debug, Clone)]
pub enum SymbolCells {
    Narrow(Cells<u8>),
    Wide(Cells<u32>),
}

impl SymbolCells {
    /// Narrow cells for `symbols` distinct values if they fit, else wide.
    pub fn for_symbols(symbols: usize) -> Self {
        if symbols as u64 <= u64::from(NARROW_MAX) {
            SymbolCells::Narrow(Cells::new(0))
        } else {
            SymbolCells::Wide(Cells::new(0))
        }
    }

    pub fn len(&self) -> usize {
        match self {
            SymbolCells::Narrow(c) => c.len(),
            SymbolCells::Wide(c) => c.len(),
        }
    }

    fn set(&mut self, i: usize, symbol: u32) {
        if let SymbolCells::Narrow(cells) = self {
            match u8::try_from(symbol) {
                Ok(narrow) => return cells.set(i, narrow),
                Err(_) => *self = SymbolCells::Wide(widen(cells)),
            }
        }
        if let SymbolCells::Wide(cells) = self {
            cells.set(i, symbol);
        }
    }

    /// Appends a chunk of symbols read back from disk (see [`Cells::push_chunk`]); false
    /// if one does not fit a narrow column (the caller chose the width from the symbol
    /// count, so that means a damaged file).
    pub fn push_chunk(&mut self, symbols: &[u32]) -> bool {
        match self {
            SymbolCells::Wide(cells) => cells.push_chunk(symbols.to_vec()),
            SymbolCells::Narrow(cells) => {
                let narrow: Option<Vec<u8>> =
                    symbols.iter().map(|&s| u8::try_from(s).ok()).collect();
                match narrow {
                    Some(narrow) => cells.push_chunk(narrow),
                    None => return false,
                }
            }
        }
        true
    }

    /// Calls `f` with each chunk's symbols in id order, widened to `u32`.
    pub fn for_each_chunk(&self, mut f: impl FnMut(&mut dyn Iterator<Item = u32>)) {
        match self {
            SymbolCells::Narrow(cells) => {
                for chunk in cells.chunks() {
                    f(&mut chunk.iter().map(|&s| u32::from(s)));
                }
            }
            SymbolCells::Wide(cells) => {
                for chunk in cells.chunks() {
                    f(&mut chunk.iter().copied());
                }
            }
        }
    }
}

/// The same cells, four bytes wide (once, when the 256th distinct value arrives).
fn widen(narrow: &Cells<u8>) -> Cells<u32> {
    let mut wide = Cells::new(0);
    for chunk in narrow.chunks() {
        wide.push_chunk(chunk.iter().map(|&s| u32::from(s)).collect());
    }
    wide
}

/// A text column: a symbol per dense id. The symbols are shared with snapshots in
/// flight like the cells (a new value copies the table once while one is written).
#[derive(Debug, Clone)]
pub struct TextColumn {
    pub symbols: Arc<Symbols>,
    pub cells: SymbolCells,
}

impl Default for TextColumn {
    fn default() -> Self {
        Self {
            symbols: Arc::default(),
            cells: SymbolCells::for_symbols(0),
        }
    }
}

impl TextColumn {
    pub fn set(&mut self, id: u32, value: Option<&str>) {
        let symbol = match value {
            None => 0,
            Some(v) => match self.symbols.find(v) {
                Some(s) => s,
                None => Arc::make_mut(&mut self.symbols).intern(v),
            },
        };
        self.cells.set(id as usize, symbol);
    }

    /// The ids whose value passes `test`, decided once per symbol.
    pub fn scan(&self, test: impl Fn(&str) -> bool) -> Bits {
        let mask = self.symbols.mask(test);
        match &self.cells {
            SymbolCells::Narrow(cells) => scan_symbols(cells, mask),
            SymbolCells::Wide(cells) => scan_symbols(cells, mask),
        }
    }

    /// The ids holding exactly `value` (one lookup, not a test of every symbol).
    pub fn scan_equal(&self, value: &str) -> Bits {
        let Some(symbol) = self.symbols.find(value) else {
            return Bits::default();
        };
        match &self.cells {
            SymbolCells::Narrow(cells) => match u8::try_from(symbol) {
                Ok(symbol) => scan(cells, |s| s == symbol),
                Err(_) => Bits::default(),
            },
            SymbolCells::Wide(cells) => scan(cells, |s| s == symbol),
        }
    }
}

/// The ids whose symbol is set in `mask`. Up to four passing symbols are compared
/// directly (a loop the compiler vectorizes); more go through a lookup table.
fn scan_symbols<T>(cells: &Cells<T>, mask: Vec<bool>) -> Bits
where
    T: Cell + PartialEq + TryFrom<u32> + Into<u32>,
{
    // A symbol too wide for the cells cannot be in them.
    let passing: Vec<T> = (0..mask.len() as u32)
        .filter(|&s| mask[s as usize])
        .filter_map(|s| T::try_from(s).ok())
        .collect();
    match passing[..] {
        [] => Bits::default(),
        [a] => scan(cells, |s| s == a),
        [a, b] => scan(cells, |s| (s == a) | (s == b)),
        [a, b, c] => scan(cells, |s| (s == a) | (s == b) | (s == c)),
        [a, b, c, d] => scan(cells, |s| (s == a) | (s == b) | (s == c) | (s == d)),
        _ => {
            // A power-of-two table indexed under a mask: no bounds check per cell
            // (every symbol in the column is below the table's length).
            let mut table = mask;
            table.resize(table.len().next_power_of_two(), false);
            let last = table.len() - 1;
            scan(cells, |s| table[s.into() as usize & last])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(bits: Bits) -> Vec<u32> {
        bits.to_bitmap().iter().collect()
    }

    #[test]
    fn a_column_widens_at_its_256th_value_and_keeps_every_cell() {
        let mut column = TextColumn::default();
        let value = |id: u32| format!("v{}", id % 300);
        for id in 0..255 {
            column.set(id, Some(&value(id)));
        }
        let frozen = column.clone();
        assert!(matches!(column.cells, SymbolCells::Narrow(_)));
        for id in 255..1000 {
            column.set(id, Some(&value(id)));
        }
        column.set(3, None);
        assert!(matches!(column.cells, SymbolCells::Wide(_)));
        assert!(
            matches!(frozen.cells, SymbolCells::Narrow(_)),
            "a copy keeps its cells"
        );
        assert_eq!(frozen.cells.len(), 255);
        assert_eq!(ids(frozen.scan_equal("v3")), vec![3]);

        let want = |test: &dyn Fn(&str) -> bool| -> Vec<u32> {
            (0..1000)
                .filter(|&id| id != 3 && test(&value(id)))
                .collect()
        };
        assert_eq!(ids(column.scan_equal("v3")), want(&|v| v == "v3"));
        assert_eq!(ids(column.scan_equal("v299")), want(&|v| v == "v299"));
        let few = ["v1", "v2", "v260"];
        assert_eq!(
            ids(column.scan(|v| few.contains(&v))),
            want(&|v| few.contains(&v))
        );
        assert_eq!(
            ids(column.scan(|v| v.starts_with("v2"))),
            want(&|v| v.starts_with("v2"))
        );
        assert_eq!(ids(column.scan_equal("absent")), Vec::<u32>::new());
    }
}
