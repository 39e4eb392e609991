use moka::sync::Cache;
use moka::Equivalent;
use std::hash::Hash;
use std::sync::Mutex;

/// A cache of values loaded from the database that writes can change.
///
/// The race it closes: a reader loads the old value, a writer commits and invalidates,
/// then the reader stores the old value it loaded, which would stay stale. Readers note
/// the write epoch before loading and store only if no write happened meanwhile; the
/// store-if-unchanged step and the writer's bump-and-invalidate step share one lock, so
/// one of them always sees the other.
pub struct Guarded<K, V> {
    cache: Cache<K, V>,
    epoch: Mutex<u64>,
}

impl<K, V> Guarded<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    pub fn new(capacity: u64) -> Self {
        Self {
            cache: Cache::new(capacity),
            epoch: Mutex::new(0),
        }
    }

    pub fn get<Q: Equivalent<K> + Hash + ?Sized>(&self, key: &Q) -> Option<V> {
        self.cache.get(key)
    }

    /// The epoch to pass to [`Guarded::store`] after loading.
    pub fn epoch(&self) -> u64 {
        *self.epoch.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores a loaded value unless a write happened since `epoch`.
    pub fn store(&self, key: K, value: V, epoch: u64) {
        let current = self.epoch.lock().unwrap_or_else(|e| e.into_inner());
        if *current == epoch {
            self.cache.insert(key, value);
        }
    }

    /// Call after a write has committed.
    pub fn invalidate<Q: Equivalent<K> + Hash + ?Sized>(&self, key: &Q) {
        let mut current = self.epoch.lock().unwrap_or_else(|e| e.into_inner());
        *current += 1;
        self.cache.invalidate(key);
    }

    /// Call after a write that may change any entry has committed.
    pub fn invalidate_all(&self) {
        let mut current = self.epoch.lock().unwrap_or_else(|e| e.into_inner());
        *current += 1;
        self.cache.invalidate_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_load_that_raced_a_write_is_not_stored() {
        let cache: Guarded<u32, &str> = Guarded::new(10);
        let before_write = cache.epoch();
        cache.invalidate(&1); // a write commits while the old value is being loaded
        cache.store(1, "old", before_write);
        assert_eq!(cache.get(&1), None, "the stale value was dropped");
        let after_write = cache.epoch();
        cache.store(1, "new", after_write);
        assert_eq!(cache.get(&1), Some("new"));
        cache.invalidate_all();
        assert_eq!(cache.get(&1), None);
    }
}
