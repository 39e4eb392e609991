//! `seed_chunk` on SQLite: the shared seeding behaviour (it writes what it claims, refuses
//! a file of another channel, and hands the writer back with foreign keys enforced), an
//! empty chunk refused, accounts numbered after the sequence, and a failed chunk that
//! writes nothing.

use sqlx::Connection;
use talkchannel_domain::FieldType;
use talkchannel_domain::{AppId, ChannelId, Entity, FileId};
use talkchannel_store::conformance::fixtures::{
    app_user_input, new_app, new_channel, t0, UNKNOWN_ID,
};
use talkchannel_store::conformance::seeding::{
    seed_chunks_write_what_they_claim, seed_schema_file,
};
use talkchannel_store::{
    AppStore, FriendRecord, RowRecord, SeedChunk, SegmentStore, StoreError, SINCE_THE_START,
};
use talkchannel_store_sqlite::SqliteStore;
use tempfile::TempDir;

/// A fresh database file with an app, a channel and a seed-schema file of that channel.
struct Seeded {
    _dir: TempDir,
    url: String,
    store: SqliteStore,
    app_id: AppId,
    channel_id: ChannelId,
    file_id: FileId,
}

impl Seeded {
    async fn open() -> Seeded {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("seed.db").display());
        let store = SqliteStore::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let app = new_app(&store).await;
        let channel = new_channel(&store).await;
        let file = seed_schema_file(&store, app.id, channel.id).await;
        Seeded {
            _dir: dir,
            url,
            store,
            app_id: app.id,
            channel_id: channel.id,
            file_id: file.id,
        }
    }

    async fn friends(&self) -> Vec<FriendRecord> {
        let mut friends = Vec::new();
        let mut push = |r| friends.push(r);
        let since = SINCE_THE_START;
        let read = self.store.friend_records(self.channel_id, since, &mut push);
        read.await.unwrap();
        friends
    }

    /// The file's rows written after segment version `version`, with their rating.
    async fn ratings_after(&self, version: i64) -> Vec<RowRecord> {
        let fields = [("rating".to_owned(), FieldType::Number)];
        let mut rows = Vec::new();
        let mut push = |r| rows.push(r);
        let read = self
            .store
            .row_records(self.file_id, &fields, version, &mut push);
        read.await.unwrap();
        rows
    }
}

#[tokio::test]
async fn seed_chunks_write_rows_and_restore_the_checks() {
    let db = Seeded::open().await;
    let store = &db.store;
    let next = seed_chunks_write_what_they_claim(store, |chunk| {
        let store = store.clone();
        async move { store.seed_chunk(&chunk).await }
    })
    .await;
    let empty = SeedChunk { count: 0, ..next };
    assert!(store.seed_chunk(&empty).await.is_err());
}

#[tokio::test]
async fn seeded_rows_follow_the_account_sequence() {
    let db = Seeded::open().await;
    let (store, channel, file) = (&db.store, db.channel_id, db.file_id);
    let chunk = |first, count| SeedChunk {
        channel_id: channel,
        file_id: file,
        first,
        count,
        seed: 3,
        at: t0(),
    };
    assert_eq!(store.seed_chunk(&chunk(0, 10)).await.unwrap(), 1);
    let mut other = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    sqlx::query("DELETE FROM friendships WHERE account_id > 8")
        .execute(&mut other)
        .await
        .unwrap();
    sqlx::query("DELETE FROM customer_file_rows WHERE account_id > 8")
        .execute(&mut other)
        .await
        .unwrap();
    sqlx::query("DELETE FROM accounts WHERE id > 8")
        .execute(&mut other)
        .await
        .unwrap();
    other.close().await.unwrap();

    assert_eq!(store.seed_chunk(&chunk(10, 5)).await.unwrap(), 11);
    let friends = db.friends().await;
    assert_eq!(friends.len(), 13);
    assert!(friends
        .iter()
        .all(|f| f.added && f.profile.gender.is_some()));
    let rows = db.ratings_after(1).await;
    let ids: Vec<_> = rows.iter().map(|r| r.account_id).collect();
    assert_eq!(ids, [11, 12, 13, 14, 15]);
}

/// A chunk that fails halfway (here its sixth file row meets a key already in the file)
/// writes nothing, and the writer gets its checks back.
#[tokio::test]
async fn a_failed_chunk_writes_nothing() {
    let db = Seeded::open().await;
    let mut other = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    sqlx::query(
        "INSERT INTO customer_file_rows (file_id, user_type, user_key, fields, updated_at) \
         VALUES (?, 'phone', '01000000005', '{}', 0)",
    )
    .bind(db.file_id)
    .execute(&mut other)
    .await
    .unwrap();
    let chunk = SeedChunk {
        channel_id: db.channel_id,
        file_id: db.file_id,
        first: 0,
        count: 10,
        seed: 1,
        at: t0(),
    };
    let e = db.store.seed_chunk(&chunk).await.unwrap_err();
    assert!(e.to_string().contains("UNIQUE"), "{e}");
    let counts: (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM accounts), (SELECT COUNT(*) FROM friendships), \
                (SELECT COUNT(*) FROM customer_file_rows)",
    )
    .fetch_one(&mut other)
    .await
    .unwrap();
    assert_eq!(counts, (0, 0, 1));
    assert_eq!(db.store.segment_version(db.channel_id).await.unwrap(), 0);
    let nobody = app_user_input(db.app_id, UNKNOWN_ID, 1);
    assert!(matches!(
        db.store.insert_app_user(&nobody).await,
        Err(StoreError::NotFound(Entity::Account))
    ));
}
