//! The cache must be invisible: the whole conformance suite passes through it.

use talkchannel_store::conformance::Subject;
use talkchannel_store_cache::{CacheLimits, CachedStore};
use talkchannel_store_sqlite::SqliteStore;

async fn cached_sqlite() -> Option<Subject> {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/cache.db", dir.path().display());
    let store = SqliteStore::connect(&url).await.expect("open");
    store.migrate().await.expect("migrate");
    Some(Subject::new(CachedStore::new(store, CacheLimits::default())).keep(dir))
}

talkchannel_store::conformance_tests!(cached_sqlite());
