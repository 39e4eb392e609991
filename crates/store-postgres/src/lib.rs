//! PostgreSQL storage engine.
//!
//! Same logical schema and behaviour as the SQLite engine; chosen when several server
//! processes share one database. The SQL sticks to what Postgres-compatible distributed
//! engines also accept (no advisory locks, no extensions).

mod accounts;
mod app_users;
mod apps;
mod browser;
mod change_queues;
mod channels;
mod consent;
mod customer_files;
mod error;
mod file_rows;
mod friend_groups;
mod friendship_batches;
mod friendships;
mod login;
mod messages;
pub mod paged;
mod rows;
mod seed;
mod segments;
mod settings;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
mod throttle;
mod webhook_rows;
mod webhooks;

use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::sync::Arc;
use std::time::Duration;
use talkchannel_store::{Store, StoreError, StoreResult};

const MAX_CONNECTIONS: u32 = 16;
/// Long enough to ride out a burst, short enough that a stuck database surfaces as an error.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// A connection pool to one talkchannel database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    /// Shared by the store's clones, like the pool.
    queues: Arc<change_queues::ChangeQueues>,
}

impl PgStore {
    /// Connects to a `postgres://` URL. Does not touch the schema; call [`PgStore::migrate`].
    pub async fn connect(url: &str) -> StoreResult<PgStore> {
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url)
            .await
            .map_err(StoreError::backend)?;
        Ok(PgStore {
            pool,
            queues: Arc::default(),
        })
    }

    /// Brings the schema up to date with the migrations embedded at build time.
    pub async fn migrate(&self) -> StoreResult<()> {
        let mut migrator = sqlx::migrate!("./migrations");
        // sqlx would serialise migrators with an advisory lock, which distributed engines
        // lack; each migration still runs in its own transaction.
        migrator.set_locking(false);
        migrator
            .run(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        tracing::debug!("postgres schema is up to date");
        Ok(())
    }

    /// The underlying pool, for callers that need raw access (tests, diagnostics).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The most friendship changes one transaction has applied on this node (see
    /// `change_queues`), for tests and diagnostics.
    pub fn largest_friendship_batch(&self) -> usize {
        self.queues.largest_batch()
    }

    /// Closes every connection; later calls fail.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl Store for PgStore {
    fn engine(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(error::db)?;
        Ok(())
    }
}
