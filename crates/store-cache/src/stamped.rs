//! Cached values that carry the generation they were loaded at.
//!
//! Every load of a connected-channel list or an account's friendships takes a new number
//! from one counter, and a cached value is replaced only after a write invalidated it and
//! a later load brought the new state. So while a value is cached its number names
//! exactly that state, and a number once replaced never comes back: what
//! `Store::relationship_generation` promises.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A value and the number of the load that produced it.
pub(crate) struct Stamped<T> {
    pub generation: u64,
    pub value: T,
}

/// The counter loads take their numbers from.
#[derive(Default)]
pub(crate) struct Generations(AtomicU64);

impl Generations {
    pub fn stamp<T>(&self, value: T) -> Arc<Stamped<T>> {
        Arc::new(Stamped {
            generation: self.0.fetch_add(1, Ordering::Relaxed) + 1,
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_load_has_its_own_number() {
        let generations = Generations::default();
        let (a, b) = (generations.stamp(()), generations.stamp(()));
        assert_ne!(a.generation, b.generation);
    }
}
