//! Values derived from the register (pages, figures, rendered bodies), kept until the
//! register changes. Validity is the data generation (`Store::generation`), never time, so
//! servers sharing one database never serve each other's stale data.

use std::collections::HashMap;
use std::sync::Mutex;

pub struct GenerationCache<V> {
    capacity: usize,
    inner: Mutex<Entries<V>>,
}

struct Entries<V> {
    generation: i64,
    values: HashMap<String, V>,
}

impl<V: Clone> GenerationCache<V> {
    /// At most `capacity` values; when full the cache starts again (cheaper than tracking age).
    pub fn new(capacity: usize) -> Self {
        GenerationCache { capacity, inner: Mutex::new(Entries { generation: i64::MIN, values: HashMap::new() }) }
    }

    /// The value for `key`, if it was made at `generation` (a caller that read an older
    /// generation gets nothing).
    pub fn get(&self, generation: i64, key: &str) -> Option<V> {
        let mut e = self.lock();
        if e.advance(generation) { e.values.get(key).cloned() } else { None }
    }

    /// Keeps a value made at `generation`; one made before the cache's generation is dropped.
    pub fn put(&self, generation: i64, key: String, value: V) {
        let mut e = self.lock();
        if !e.advance(generation) {
            return;
        }
        if e.values.len() >= self.capacity {
            e.values.clear();
        }
        e.values.insert(key, value);
    }

    /// A panic while holding the lock leaves only a cache behind: keep using it.
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries<V>> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<V> Entries<V> {
    /// Moves on to a newer generation (dropping everything); says whether `generation` is
    /// the current one. A caller that read an older generation neither uses nor clears it.
    fn advance(&mut self, generation: i64) -> bool {
        if generation > self.generation {
            self.values.clear();
            self.generation = generation;
        }
        generation == self.generation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_live_until_the_generation_moves() {
        let c = GenerationCache::new(2);
        c.put(1, "a".into(), 10);
        assert_eq!(c.get(1, "a"), Some(10));
        assert_eq!(c.get(0, "a"), None, "an older reader gets nothing");
        assert_eq!(c.get(1, "a"), Some(10), "and clears nothing");
        c.put(0, "b".into(), 20);
        assert_eq!(c.get(1, "b"), None, "an older value is not kept");
        assert_eq!(c.get(2, "a"), None, "a newer generation starts afresh");
        c.put(2, "a".into(), 1);
        c.put(2, "b".into(), 2);
        c.put(2, "c".into(), 3);
        assert_eq!((c.get(2, "a"), c.get(2, "c")), (None, Some(3)), "full: started again");
    }
}
