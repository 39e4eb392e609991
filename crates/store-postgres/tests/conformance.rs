//! The storage conformance suite, on a fresh PostgreSQL database per case.

use talkchannel_store::conformance::Subject;
use talkchannel_store_postgres::testing::TestDatabase;

/// `None` (a skipped case) when no server is reachable outside CI; `TestDatabase` says so.
async fn fresh() -> Option<Subject> {
    let db = TestDatabase::create().await?;
    let store = db.store().await;
    // The database outlives the store: dropping it ends the store's connections.
    Some(Subject::new(store).keep(db))
}

talkchannel_store::conformance_tests!(fresh());
