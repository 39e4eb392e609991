//! `seed_chunk` on PostgreSQL: the shared seeding behaviour (it writes what it claims,
//! refuses a file of another channel, foreign keys hold afterwards), no pooled connection
//! left with its foreign-key triggers off, and seeding (with the triggers on) as a role
//! that may not turn them off.

use sqlx::{Connection, Executor, PgConnection};
use talkchannel_store::conformance::seeding::seed_chunks_write_what_they_claim;
use talkchannel_store::{CustomerFileStore, SeedChunk};
use talkchannel_store_postgres::testing::TestDatabase;
use talkchannel_store_postgres::PgStore;

#[tokio::test]
async fn seed_chunks_write_rows_and_keep_the_foreign_keys() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = db.store().await;
    seed_chunks_write_what_they_claim(&store, |chunk| {
        let store = store.clone();
        async move { store.seed_chunk(&chunk).await }
    })
    .await;
    for _ in 0..4 {
        let role: String = sqlx::query_scalar("SHOW session_replication_role")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(role, "origin");
    }
}

/// A role that is not a superuser may not set `session_replication_role`: the seed runs
/// with the triggers and writes the same rows.
#[tokio::test]
async fn a_plain_role_seeds_with_the_triggers_on() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = db.store().await;
    let next = seed_chunks_write_what_they_claim(&store, |chunk| {
        let store = store.clone();
        async move { store.seed_chunk(&chunk).await }
    })
    .await;
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
        let first = plain.seed_chunk(&SeedChunk { count: 300, ..next }).await;
        plain.close().await;
        first
    }
    .await;
    // The role goes whatever happened: roles outlive the test database.
    admin
        .execute(format!("DROP OWNED BY {role}; DROP ROLE {role}").as_str())
        .await
        .unwrap();
    assert_eq!(seeded.unwrap(), 1001);
    let counts = store.customer_file(next.file_id).await.unwrap().unwrap();
    assert_eq!(counts.friends, 1300);
}
