//! `seed_chunk` on SQLite: the shared seeding behaviour (it writes what it claims, refuses
//! a file of another channel, and hands the writer back with foreign keys enforced), and
//! an empty chunk refused.

use talkchannel_store::conformance::seeding::seed_chunks_write_what_they_claim;
use talkchannel_store::SeedChunk;
use talkchannel_store_sqlite::SqliteStore;

#[tokio::test]
async fn seed_chunks_write_rows_and_restore_the_checks() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("seed.db").display());
    let store = SqliteStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let next = seed_chunks_write_what_they_claim(&store, |chunk| {
        let store = store.clone();
        async move { store.seed_chunk(&chunk).await }
    })
    .await;
    let empty = SeedChunk { count: 0, ..next };
    assert!(store.seed_chunk(&empty).await.is_err());
}
