//! `seed_chunk` on PostgreSQL: it writes what it claims, refuses a file of another
//! channel, leaves no connection with its foreign-key triggers off, and still seeds (with
//! the triggers on) as a role that may not turn them off.

use sqlx::{Connection, Executor, PgConnection};
use talkchannel_domain::{CustomerFile, FieldType, FileSchema, NewCustomerFile};
use talkchannel_store::conformance::fixtures::{
    app_user_input, new_app, new_channel, t0, UNKNOWN_ID,
};
use talkchannel_store::{
    AppStore, CustomerFileStore, SeedChunk, SegmentStore, StoreError, SEED_SCHEMA, SINCE_THE_START,
};
use talkchannel_store_postgres::testing::TestDatabase;
use talkchannel_store_postgres::PgStore;

async fn seeded_file(store: &PgStore) -> (CustomerFile, i64) {
    let app = new_app(store).await;
    let channel = new_channel(store).await;
    let other = new_channel(store).await;
    let file = store
        .insert_customer_file(
            &NewCustomerFile {
                app_id: app.id,
                channel_id: channel.id,
                name: "seeded".into(),
                schema: FileSchema::parse(SEED_SCHEMA).unwrap(),
            },
            t0(),
        )
        .await
        .unwrap();
    (file, other.id)
}

fn chunk(file: &CustomerFile, first: u64, count: u64) -> SeedChunk {
    SeedChunk {
        channel_id: file.channel_id,
        file_id: file.id,
        first,
        count,
        seed: 7,
        at: t0(),
    }
}

#[tokio::test]
async fn seed_chunks_write_rows_and_keep_the_foreign_keys() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = db.store().await;
    let (file, other) = seeded_file(&store).await;
    assert_eq!(store.seed_chunk(&chunk(&file, 0, 600)).await.unwrap(), 1);
    assert_eq!(
        store.seed_chunk(&chunk(&file, 600, 400)).await.unwrap(),
        601
    );
    let wrong_channel = SeedChunk {
        channel_id: other,
        ..chunk(&file, 1000, 10)
    };
    assert!(matches!(
        store.seed_chunk(&wrong_channel).await,
        Err(StoreError::NotFound("customer file"))
    ));

    // Every pooled connection enforces foreign keys again: linking an unknown account fails.
    for _ in 0..4 {
        let role: String = sqlx::query_scalar("SHOW session_replication_role")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(role, "origin");
    }
    let nobody = app_user_input(file.app_id, UNKNOWN_ID, 1);
    assert!(matches!(
        store.insert_app_user(&nobody).await,
        Err(StoreError::NotFound("account"))
    ));

    let counts = store.customer_file(file.id).await.unwrap().unwrap();
    assert_eq!(
        (counts.attempted, counts.registered, counts.friends),
        (1000, 1000, 1000)
    );
    assert_eq!(store.segment_version(file.channel_id).await.unwrap(), 2);
    assert_eq!(store.segment_version(other).await.unwrap(), 0);
    let mut friends = Vec::new();
    store
        .friend_records(file.channel_id, SINCE_THE_START, &mut |r| friends.push(r))
        .await
        .unwrap();
    assert_eq!(friends.len(), 1000);
    assert!(friends
        .iter()
        .all(|f| f.added && f.profile.gender.is_some()));
    // Rows stamped with the second chunk's version are exactly the second chunk.
    let fields = [("rating".to_owned(), FieldType::Number)];
    let mut rows = Vec::new();
    store
        .row_records(file.id, &fields, 1, &mut |r| rows.push(r))
        .await
        .unwrap();
    assert_eq!(rows.len(), 400);
    assert_eq!(rows[0].account_id, 601);
}

/// A role that is not a superuser may not set `session_replication_role`: the seed runs
/// with the triggers and writes the same rows.
#[tokio::test]
async fn a_plain_role_seeds_with_the_triggers_on() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = db.store().await;
    let (file, _) = seeded_file(&store).await;
    let role = format!("{}_seeder", db.name());
    let mut admin = PgConnection::connect(db.url()).await.unwrap();
    admin
        .execute(
            format!(
                "CREATE ROLE {role} LOGIN; \
                 GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}; \
                 GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}"
            )
            .as_str(),
        )
        .await
        .unwrap();
    let mut url = url::Url::parse(db.url()).unwrap();
    url.set_username(&role).unwrap();
    let seeded = async {
        let plain = PgStore::connect(url.as_str()).await?;
        let first = plain.seed_chunk(&chunk(&file, 0, 300)).await;
        plain.close().await;
        first
    }
    .await;
    // The role goes whatever happened: roles outlive the test database.
    admin
        .execute(format!("DROP OWNED BY {role}; DROP ROLE {role}").as_str())
        .await
        .unwrap();
    assert_eq!(seeded.unwrap(), 1);
    let counts = store.customer_file(file.id).await.unwrap().unwrap();
    assert_eq!(counts.friends, 300);
}
