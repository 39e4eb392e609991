//! Throwaway databases for tests, on the server named by `TALKCHANNEL_TEST_POSTGRES_URL`.
//!
//! Each [`TestDatabase`] is a fresh, uniquely named database, dropped with the value, so
//! tests run in parallel without seeing each other's rows.

use crate::PgStore;
use sqlx::{Connection, Executor, PgConnection};
use std::time::Duration;

pub const URL_VAR: &str = "TALKCHANNEL_TEST_POSTGRES_URL";
pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A database that exists for as long as this value does.
#[derive(Debug)]
pub struct TestDatabase {
    /// The maintenance database's URL, used to create and drop this one.
    server_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates a fresh database. Without a reachable server: fails the test under CI, and
    /// elsewhere reports the skip where a person sees it and returns `None` (see
    /// `talkchannel_test_env`).
    pub async fn create() -> Option<TestDatabase> {
        let server_url = std::env::var(URL_VAR).unwrap_or_else(|_| DEFAULT_URL.to_owned());
        let mut conn = match connect(&server_url).await {
            Ok(conn) => conn,
            Err(reason) => return unreachable(&server_url, &reason),
        };
        let name = format!("tc_test_{}", uuid::Uuid::new_v4().simple());
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap_or_else(|e| {
                panic!("could not create test database {name} on {server_url}: {e}")
            });
        // Closing is best-effort: the database exists either way.
        let _ = conn.close().await;
        let url = with_database(&server_url, &name);
        Some(TestDatabase {
            server_url,
            name,
            url,
        })
    }

    /// The URL of this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Drops the database and creates an empty one of the same name (and URL), as an
    /// operator who recreates a database would; connections to the old one are ended.
    pub async fn recreate(&self) {
        drop_database(&self.server_url, &self.name)
            .await
            .unwrap_or_else(|e| panic!("could not drop test database {}: {e}", self.name));
        let mut conn = connect(&self.server_url)
            .await
            .unwrap_or_else(|e| panic!("could not reach {}: {e}", self.server_url));
        conn.execute(format!("CREATE DATABASE {}", self.name).as_str())
            .await
            .unwrap_or_else(|e| panic!("could not recreate test database {}: {e}", self.name));
        let _ = conn.close().await;
    }

    /// A store connected to this database with the schema applied.
    pub async fn store(&self) -> PgStore {
        let store = PgStore::connect(&self.url)
            .await
            .expect("connect to test database");
        store.migrate().await.expect("migrate test database");
        store
    }
}

impl Drop for TestDatabase {
    /// Drops from a thread of its own with its own runtime: `Drop` cannot await, and
    /// blocking inside the caller's runtime (if any) would panic or deadlock.
    fn drop(&mut self) {
        let (server_url, name) = (self.server_url.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(drop_database(&server_url, &name))
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("warning: could not drop test database {}: {e}", self.name),
            Err(_) => eprintln!("warning: dropping test database {} panicked", self.name),
        }
    }
}

async fn connect(url: &str) -> Result<PgConnection, String> {
    match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect(url)).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {CONNECT_TIMEOUT:?}")),
    }
}

/// `FORCE` ends connections a test left open (pools are often still alive here).
async fn drop_database(server_url: &str, name: &str) -> Result<(), String> {
    let mut conn = connect(server_url).await?;
    conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await
        .map_err(|e| e.to_string())?;
    let _ = conn.close().await;
    Ok(())
}

fn unreachable(server_url: &str, reason: &str) -> Option<TestDatabase> {
    talkchannel_test_env::skip(
        &format!(
            "PostgreSQL not reachable at {} ({reason})",
            redact(server_url)
        ),
        &format!(
            "start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) \
             or point {URL_VAR} at one"
        ),
    );
    None
}

/// The server URL with its database replaced by `name`, keeping user, host and options.
fn with_database(server_url: &str, name: &str) -> String {
    let mut url = url::Url::parse(server_url)
        .unwrap_or_else(|e| panic!("{URL_VAR} is not a URL ({e}): {}", redact(server_url)));
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// The URL without its password, for messages.
fn redact(server_url: &str) -> String {
    match url::Url::parse(server_url) {
        Ok(mut url) => {
            if url.password().is_some() {
                let _ = url.set_password(Some("***"));
            }
            url.to_string()
        }
        Err(_) => "<unparseable URL>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_the_database_and_keeps_the_rest() {
        assert_eq!(
            with_database(
                "postgres://u:p@h:5433/postgres?sslmode=disable",
                "tc_test_x"
            ),
            "postgres://u:p@h:5433/tc_test_x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "d"), "postgres://h/d");
    }

    #[test]
    fn hides_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
    }
}
