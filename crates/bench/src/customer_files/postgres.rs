//! A throw-away database on the local PostgreSQL server for one bench run.

use anyhow::{Context, Result};
use sqlx::{Connection, Executor, PgConnection};

pub struct BenchDatabase {
    server_url: String,
    name: String,
    pub url: String,
}

impl BenchDatabase {
    pub async fn create(server_url: &str) -> Result<Self> {
        let name = format!("tc_bench_{:016x}", rand_suffix());
        let mut conn = PgConnection::connect(server_url).await.with_context(|| {
            format!("cannot reach PostgreSQL at {server_url}; start it or pass --skip-postgres")
        })?;
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .with_context(|| format!("cannot create database {name}"))?;
        let mut url = url::Url::parse(server_url).context("--postgres-url is not a URL")?;
        url.set_path(&format!("/{name}"));
        Ok(Self {
            server_url: server_url.to_owned(),
            name,
            url: url.to_string(),
        })
    }

    /// Drops the database (after the server using it has stopped).
    pub async fn drop_database(self) -> Result<()> {
        let mut conn = PgConnection::connect(&self.server_url).await?;
        conn.execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
            .await
            .with_context(|| format!("cannot drop database {}", self.name))?;
        Ok(())
    }
}

fn rand_suffix() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ (u64::from(std::process::id()) << 32)
}
