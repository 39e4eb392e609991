use anyhow::Context;
use std::sync::Arc;
use talkchannel_store::Store;
use talkchannel_store_cache::{CacheLimits, CachedStore};
use talkchannel_store_postgres::PgStore;
use talkchannel_store_sqlite::SqliteStore;

/// Opens the engine the URL names and brings its schema up to date.
pub async fn open_store(url: &str, migrate: bool) -> anyhow::Result<Arc<dyn Store>> {
    let shown = crate::config::redact_url(url);
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = PgStore::connect(url).await.with_context(|| format!("cannot connect to PostgreSQL at {shown}; is it running and does the database exist?"))?;
        if migrate {
            store
                .migrate()
                .await
                .context("cannot migrate the PostgreSQL schema")?;
        }
        // No read cache: other nodes write to the same database behind this one's back.
        Ok(Arc::new(store))
    } else {
        let store = SqliteStore::connect(url).await.with_context(|| {
            format!("cannot open SQLite database {shown}; check the path is writable")
        })?;
        if migrate {
            store
                .migrate()
                .await
                .context("cannot migrate the SQLite schema")?;
        }
        // This process is the database's only writer, so a write-through cache is coherent.
        Ok(Arc::new(CachedStore::new(store, CacheLimits::default())))
    }
}
