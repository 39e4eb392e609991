//! Runs the shared storage conformance suite against a fresh database file per case.

use talkchannel_store::conformance::Subject;
use talkchannel_store_sqlite::SqliteStore;

async fn fresh() -> Option<Subject> {
    let dir = tempfile::tempdir().expect("temporary directory");
    // A directory that does not exist yet, so `connect` must create it.
    let path = dir.path().join("data").join("talkchannel.db");
    let store = SqliteStore::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    Some(Subject::new(store).keep(dir))
}

talkchannel_store::conformance_tests!(fresh());
