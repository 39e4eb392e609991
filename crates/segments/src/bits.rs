//! A set of dense ids as a plain bitset: what the column scans produce and the evaluator
//! combines. At 10,000,000 accounts a set is 1.25 MB whatever it holds, AND, OR and NOT
//! are straight loops the compiler vectorizes, and the result becomes a roaring bitmap
//! once, at the end, instead of once per predicate.

use roaring::RoaringBitmap;

/// Bit `i % 8` of byte `i / 8` is dense id `i`; ids past the end are absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bits {
    bytes: Vec<u8>,
}

impl Bits {
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self { bytes }
    }

    /// Ids in both.
    pub fn and(mut self, other: &Bits) -> Bits {
        self.bytes.truncate(other.bytes.len());
        for (a, b) in self.bytes.iter_mut().zip(&other.bytes) {
            *a &= b;
        }
        self
    }

    /// Ids in either.
    pub fn or(mut self, other: &Bits) -> Bits {
        if self.bytes.len() < other.bytes.len() {
            self.bytes.resize(other.bytes.len(), 0);
        }
        for (a, b) in self.bytes.iter_mut().zip(&other.bytes) {
            *a |= b;
        }
        self
    }

    /// The ids below `universe` that are not in the set.
    pub fn not(mut self, universe: u32) -> Bits {
        let universe = universe as usize;
        self.bytes.resize(universe.div_ceil(8), 0);
        for byte in &mut self.bytes {
            *byte = !*byte;
        }
        if let (Some(last), tail @ 1..) = (self.bytes.last_mut(), universe % 8) {
            *last &= (1u8 << tail) - 1;
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.iter().all(|&b| b == 0)
    }

    pub fn to_bitmap(&self) -> RoaringBitmap {
        RoaringBitmap::from_lsb0_bytes(0, &self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(ids: &[u32]) -> Bits {
        let mut bytes = vec![0u8; 24];
        for &id in ids {
            bytes[id as usize / 8] |= 1 << (id % 8);
        }
        Bits::from_bytes(bytes)
    }

    fn ids(bits: &Bits) -> Vec<u32> {
        bits.to_bitmap().iter().collect()
    }

    #[test]
    fn operators_keep_to_the_ids_they_are_given() {
        let (a, b) = (bits(&[0, 7, 8, 63, 100]), bits(&[7, 63, 64, 150]));
        assert_eq!(ids(&a.clone().and(&b)), vec![7, 63]);
        assert_eq!(ids(&a.clone().or(&b)), vec![0, 7, 8, 63, 64, 100, 150]);
        // A shorter set holds nothing past its end.
        let short = Bits::from_bytes(vec![0xff]);
        assert_eq!(ids(&a.clone().and(&short)), vec![0, 7]);
        assert_eq!(
            ids(&short.clone().or(&b)),
            vec![0, 1, 2, 3, 4, 5, 6, 7, 63, 64, 150]
        );
        // NOT stops at the universe, whatever the length it starts from.
        assert_eq!(ids(&bits(&[1, 3]).not(5)), vec![0, 2, 4]);
        assert_eq!(ids(&Bits::default().not(10)), (0..10).collect::<Vec<_>>());
        assert_eq!(ids(&short.not(16)), (8..16).collect::<Vec<_>>());
        assert!(Bits::default().is_empty() && bits(&[]).is_empty() && !a.is_empty());
    }
}
