//! The writer never checkpoints the WAL itself (a big commit would wait for the copy); a
//! background connection does. Pages committed to the WAL must reach the database file
//! while the store stays open, or the WAL would only ever grow.

use std::time::{Duration, Instant};
use talkchannel_store::SettingsStore;
use talkchannel_store_sqlite::SqliteStore;

/// Far above any checkpoint interval; a healthy run takes well under a second.
const DEADLINE: Duration = Duration::from_secs(20);

#[tokio::test]
async fn committed_pages_reach_the_database_file_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let store = SqliteStore::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    // 4 MiB of committed data, in the WAL after these calls return.
    let value = "x".repeat(64 * 1024);
    for i in 0..64 {
        store
            .put_setting(&format!("bulk.{i}"), &value)
            .await
            .unwrap();
    }
    let file_len = || std::fs::metadata(&path).map_or(0, |m| m.len());
    let started = Instant::now();
    while file_len() < 4 * 1024 * 1024 {
        assert!(
            started.elapsed() < DEADLINE,
            "the database file is {} bytes {DEADLINE:?} after 4 MiB were committed: \
             nothing checkpoints the WAL",
            file_len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    store.close().await;
}
