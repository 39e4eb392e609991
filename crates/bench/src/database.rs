//! The database a bench seeds and serves: a SQLite file in a temporary directory, or a
//! fresh PostgreSQL database `talkchannel_bench_<pid>` created on a server and dropped at
//! the end (also when the bench fails or is interrupted: see the `Drop` impl). Every
//! difference between the engines the benches see lives here: how the database is made
//! and removed, the server's snapshot directory, statistics after seeding, and the
//! placeholders and date encoding of the SQL the benches check the server against.

use crate::server::ServerOptions;
use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use sqlx::{Connection, Executor, PgConnection, PgPool, SqlitePool};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// What the seeded benches share: the server, the data set's size and the engine.
#[derive(Debug, clap::Args)]
pub struct SeedingArgs {
    /// The release server binary [build it: cargo build --release -p talkchannel-server]
    #[arg(long, default_value = "target/release/talkchannel")]
    pub server_bin: PathBuf,
    /// Friends to seed, each with a row in the channel's customer file
    #[arg(long, default_value_t = 10_000_000)]
    pub friends: u64,
    /// A PostgreSQL server (`postgres://...`) to run on instead of SQLite; the bench
    /// creates a database `talkchannel_bench_<pid>` there and drops it at the end
    #[arg(long)]
    pub database_url: Option<String>,
}

/// Where a PostgreSQL database lives: the server's maintenance URL and the name.
struct PgDatabase {
    server_url: String,
    name: String,
}

pub struct BenchDatabase {
    url: String,
    postgres: Option<PgDatabase>,
    snapshots: PathBuf,
    /// Holds the SQLite file (unless kept elsewhere) and the segment snapshots.
    _dir: TempDir,
}

impl BenchDatabase {
    /// A fresh database: on the PostgreSQL server `postgres_url` names (its database is
    /// only used to create and drop ours), else a SQLite file. `sqlite_path` keeps the
    /// SQLite file somewhere else (it may exist already).
    pub async fn create(postgres_url: Option<&str>, sqlite_path: Option<&Path>) -> Result<Self> {
        let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
        let Some(server_url) = postgres_url else {
            // A kept file keeps its snapshots beside it, where the server puts them by
            // default, so a rerun on it starts from them as the server would.
            let (path, snapshots) = match sqlite_path {
                Some(path) => {
                    let mut snapshots = path.as_os_str().to_owned();
                    snapshots.push(".segments");
                    (path.to_path_buf(), snapshots.into())
                }
                None => (dir.path().join("bench.db"), dir.path().join("segments")),
            };
            return Ok(Self {
                url: format!("sqlite://{}", path.display()),
                postgres: None,
                snapshots,
                _dir: dir,
            });
        };
        if sqlite_path.is_some() {
            bail!("a kept SQLite file and a PostgreSQL server exclude each other");
        }
        let name = format!("talkchannel_bench_{}", std::process::id());
        let mut url = url::Url::parse(server_url).context("--database-url is not a URL")?;
        url.set_path(&format!("/{name}"));
        let mut conn = PgConnection::connect(server_url)
            .await
            .with_context(|| format!("cannot reach PostgreSQL at {}", redact(server_url)))?;
        conn.execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .with_context(|| format!("cannot create database {name}"))?;
        let _ = conn.close().await;
        Ok(Self {
            url: url.to_string(),
            postgres: Some(PgDatabase {
                server_url: server_url.to_owned(),
                name,
            }),
            snapshots: dir.path().join("segments"),
            _dir: dir,
        })
    }

    /// What the server and `talkchannel seed` get as `--database-url`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// For report headings.
    pub fn engine(&self) -> &'static str {
        match self.postgres {
            Some(_) => "PostgreSQL",
            None => "SQLite",
        }
    }

    /// Where the server writes segment snapshots. Set on both engines: PostgreSQL has no
    /// default (no snapshots at all without one), and one path keeps the benches alike.
    pub fn snapshot_dir(&self) -> &Path {
        &self.snapshots
    }

    /// Serving this database, with the snapshot directory set.
    pub fn server_options(&self) -> ServerOptions {
        ServerOptions {
            database_url: Some(self.url.clone()),
            config_toml: Some(format!(
                "[segments]\nsnapshot_dir = '{}'\n",
                self.snapshot_dir().display()
            )),
            ..ServerOptions::default()
        }
    }

    /// Statistics for the planner after a bulk load: the PostgreSQL here runs without
    /// autovacuum, and without them the check queries and the server's reads may pick
    /// bad plans. SQLite has nothing to do. Returns the time taken.
    pub async fn analyze(&self) -> Result<Duration> {
        if self.postgres.is_none() {
            return Ok(Duration::ZERO);
        }
        let started = Instant::now();
        let mut conn = PgConnection::connect(&self.url).await?;
        conn.execute("ANALYZE").await.context("ANALYZE failed")?;
        let _ = conn.close().await;
        Ok(started.elapsed())
    }

    /// `talkchannel seed` of the friends (and file rows) into a new `channel`, then
    /// [`BenchDatabase::analyze`].
    pub async fn seed(&self, args: &SeedingArgs, channel: &str) -> Result<Seeded> {
        let started = Instant::now();
        let out = tokio::process::Command::new(&args.server_bin)
            .args(["seed", "--friends", &args.friends.to_string()])
            .args(["--channel", channel, "--database-url", &self.url])
            // An interrupted bench stops its seed before dropping the database under it.
            .kill_on_drop(true)
            .output()
            .await
            .context("could not run `talkchannel seed`")?;
        if !out.status.success() {
            bail!("seed failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let seconds = started.elapsed().as_secs_f64();
        let text = String::from_utf8_lossy(&out.stdout);
        let first_account = text
            .rsplit("accounts from id ")
            .next()
            .and_then(|s| s.trim().parse().ok())
            .context("seed did not print the first account id")?;
        Ok(Seeded {
            seconds,
            first_account,
            analyze: self.analyze().await?,
        })
    }

    /// A connection for the check queries; read-only on SQLite.
    pub async fn reader(&self) -> Result<Reader> {
        Ok(match self.postgres {
            Some(_) => Reader::Postgres(PgPool::connect(&self.url).await?),
            None => Reader::Sqlite(
                sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect(&format!("{}?mode=ro", self.url))
                    .await?,
            ),
        })
    }

    /// Drops the PostgreSQL database (after the server on it has stopped) and removes the
    /// temporary directory, reporting what failed.
    pub async fn remove(mut self) -> Result<()> {
        match self.postgres.take() {
            Some(db) => db.drop_database().await,
            None => Ok(()),
        }
    }
}

impl PgDatabase {
    /// `FORCE` ends the connections of a server that is still going down.
    async fn drop_database(&self) -> Result<()> {
        let mut conn = PgConnection::connect(&self.server_url).await?;
        conn.execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
            .await
            .with_context(|| format!("cannot drop database {}", self.name))?;
        let _ = conn.close().await;
        Ok(())
    }
}

impl Drop for BenchDatabase {
    /// A bench that failed or was interrupted still drops its database, from a thread
    /// with a runtime of its own: `Drop` cannot await in the caller's runtime.
    fn drop(&mut self) {
        let Some(db) = self.postgres.take() else {
            return;
        };
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(db.drop_database())
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!(
                "warning: could not drop the bench database; drop talkchannel_bench_* by hand"
            );
        }
    }
}

/// What [`BenchDatabase::seed`] did.
pub struct Seeded {
    /// `talkchannel seed` alone.
    pub seconds: f64,
    pub first_account: i64,
    pub analyze: Duration,
}

impl Seeded {
    /// `12.3 s (81000 friends/s)`, plus the ANALYZE where there was one.
    pub fn describe(&self, friends: u64) -> String {
        let mut out = format!(
            "{:.1} s ({:.0} friends and rows/s)",
            self.seconds,
            friends as f64 / self.seconds
        );
        if !self.analyze.is_zero() {
            out += &format!(", then ANALYZE {:.1} s", self.analyze.as_secs_f64());
        }
        out
    }
}

/// A value bound to a check query.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Text(&'a str),
    Int(i64),
    Date(NaiveDate),
}

/// The check queries' connection. Queries are written once, with `?` placeholders.
pub enum Reader {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Reader {
    /// The one integer a query returns (a count, an id).
    pub async fn scalar(&self, sql: &str, args: &[Arg<'_>]) -> Result<i64> {
        match self {
            Reader::Sqlite(pool) => {
                let mut query = sqlx::query_scalar(sql);
                for arg in args {
                    query = match *arg {
                        Arg::Text(s) => query.bind(s.to_owned()),
                        Arg::Int(n) => query.bind(n),
                        // Stored as ISO text, which sorts as the date does.
                        Arg::Date(d) => query.bind(d.format("%Y-%m-%d").to_string()),
                    };
                }
                Ok(query.fetch_one(pool).await?)
            }
            Reader::Postgres(pool) => {
                let sql = numbered_placeholders(sql);
                let mut query = sqlx::query_scalar(&sql);
                for arg in args {
                    query = match *arg {
                        Arg::Text(s) => query.bind(s.to_owned()),
                        Arg::Int(n) => query.bind(n),
                        Arg::Date(d) => query.bind(d),
                    };
                }
                Ok(query.fetch_one(pool).await?)
            }
        }
    }
}

/// `?` to `$1`, `$2`, ... (the check queries have no `?` inside string literals).
fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_the_placeholders_in_order() {
        assert_eq!(
            numbered_placeholders("SELECT 1 WHERE a = ? AND b BETWEEN ? AND ?"),
            "SELECT 1 WHERE a = $1 AND b BETWEEN $2 AND $3"
        );
    }

    #[test]
    fn hides_passwords() {
        assert_eq!(redact("postgres://u:pw@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
