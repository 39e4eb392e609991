//! Spawns the real talkchannel server on 127.0.0.1:0 over a fresh SQLite file or a fresh
//! PostgreSQL database, with a clock the test controls, and talks to it over HTTP.

pub mod browser;
pub mod receiver;
mod scenario;

pub use browser::{Browser, Page, TestSite};
pub use receiver::{Mode, Received, Receiver};
pub use scenario::{AppFixture, UserFixture};

use chrono::TimeZone;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::sync::Arc;
use talkchannel_domain::ManualClock;
use talkchannel_server::{Config, RunningServer, Server};
use talkchannel_store_postgres::testing::TestDatabase;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Keeps the test's database alive as long as its server.
enum DatabaseGuard {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    /// With a directory for segment snapshots, which PostgreSQL would otherwise keep in
    /// the user's state directory.
    Postgres(#[allow(dead_code)] TestDatabase, tempfile::TempDir),
}

impl DatabaseGuard {
    /// Where the test's server keeps segment snapshots, when not its default.
    fn snapshot_dir(&self) -> Option<std::path::PathBuf> {
        match self {
            Self::Sqlite(_) => None,
            Self::Postgres(_, snapshots) => Some(snapshots.path().to_path_buf()),
        }
    }
}

pub struct TestServer {
    pub base: String,
    pub operator_token: String,
    /// Starts at 2026-01-01T00:00:00Z; moves only when the test moves it.
    pub clock: ManualClock,
    pub http: reqwest::Client,
    pub engine: Engine,
    /// The database this server uses, for a second node over the same data.
    pub database_url: String,
    server: Option<RunningServer>,
    _db: DatabaseGuard,
}

/// A response as tests look at it.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl TestServer {
    /// Starts a server; `None` only when PostgreSQL is unreachable outside CI (the
    /// database helper has already reported the skip; under CI it fails the test).
    pub async fn start(engine: Engine) -> Option<Self> {
        Self::start_with(engine, |_| {}).await
    }

    pub async fn start_with(engine: Engine, adjust: impl FnOnce(&mut Config)) -> Option<Self> {
        let (url, db) = match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                (
                    format!("sqlite://{}/talkchannel.db", dir.path().display()),
                    DatabaseGuard::Sqlite(dir),
                )
            }
            Engine::Postgres => {
                let db = TestDatabase::create().await?;
                let snapshots = tempfile::tempdir().expect("temp dir");
                (db.url().to_owned(), DatabaseGuard::Postgres(db, snapshots))
            }
        };
        let mut config = Config {
            bind: "127.0.0.1:0".parse().unwrap(),
            database_url: url,
            ..Config::default()
        };
        // Retries become due when the test moves the clock; notice them quickly.
        config.webhooks.poll_interval_ms = 50;
        config.message_poll_interval_ms = 50;
        config.segments.snapshot_dir = db.snapshot_dir();
        adjust(&mut config);
        let clock = ManualClock::new(chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
        let server = Server::new(config.clone())
            .with_clock(Arc::new(clock.clone()))
            .start()
            .await
            .expect("server starts");
        let operator_token = config
            .operator_token
            .clone()
            .or_else(|| server.generated_operator_token.clone())
            .expect("an operator token");
        Some(Self {
            base: format!("http://{}", server.addr),
            operator_token,
            clock,
            http: reqwest::Client::new(),
            engine,
            database_url: config.database_url.clone(),
            server: Some(server),
            _db: db,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("clean shutdown");
        }
    }

    /// Drops the server without waiting for it (as a crash would, short of killing the
    /// process) and starts a new one over the same database and clock.
    pub async fn restart(&mut self) {
        drop(self.server.take());
        self.start_again(|_| {}).await;
    }

    /// Stops the server gracefully (as `serve` does on SIGTERM) and starts a new one over
    /// the same database and clock, with `adjust` applied to the restart's configuration.
    pub async fn restart_gracefully_with(&mut self, adjust: impl FnOnce(&mut Config)) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("clean shutdown");
        }
        self.start_again(adjust).await;
    }

    /// Stops the server gracefully and replaces its database with an empty one at the
    /// same URL (SQLite: the files are deleted; PostgreSQL: dropped and created again).
    /// Start a server on it with a restart.
    pub async fn recreate_database(&mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("clean shutdown");
        }
        match &self._db {
            DatabaseGuard::Sqlite(dir) => {
                for name in ["talkchannel.db", "talkchannel.db-wal", "talkchannel.db-shm"] {
                    let _ = std::fs::remove_file(dir.path().join(name));
                }
            }
            DatabaseGuard::Postgres(db, _) => db.recreate().await,
        }
    }

    /// The running server's friend-group engine.
    pub fn segments(&self) -> &Arc<talkchannel_server::SegmentEngine> {
        self.running().segments()
    }

    /// Password hashes this node has computed or checked so far.
    pub fn password_hashes(&self) -> u64 {
        self.running().password_gate().hashed()
    }

    /// What this node's webhook workers have claimed and delivered.
    pub fn webhook_deliveries(&self) -> &Arc<talkchannel_server::DeliveryCounts> {
        self.running().webhook_deliveries()
    }

    /// Runs a scheduled-message pass now, after any in progress, and returns how many
    /// messages it sent (the scheduler drained: nothing of this node's is mid-send).
    pub async fn drain_scheduled_messages(&self) -> usize {
        self.running()
            .run_scheduled_pass()
            .await
            .expect("the scheduled-message pass runs")
    }

    fn running(&self) -> &RunningServer {
        self.server.as_ref().expect("a running server")
    }

    async fn start_again(&mut self, adjust: impl FnOnce(&mut Config)) {
        let mut config = Config {
            bind: "127.0.0.1:0".parse().unwrap(),
            database_url: self.database_url.clone(),
            ..Config::default()
        };
        config.webhooks.poll_interval_ms = 50;
        config.message_poll_interval_ms = 50;
        config.segments.snapshot_dir = self._db.snapshot_dir();
        adjust(&mut config);
        let server = Server::new(config)
            .with_clock(Arc::new(self.clock.clone()))
            .start()
            .await
            .expect("server restarts");
        // A recreated database generates a new token.
        if let Some(token) = &server.generated_operator_token {
            self.operator_token = token.clone();
        }
        self.base = format!("http://{}", server.addr);
        self.server = Some(server);
    }

    /// Any request, with an optional `Authorization` value and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        auth: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.http.request(method, self.url(path));
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        Reply::read(req.send().await.expect("request reaches the server")).await
    }

    /// A control-API call with the operator token.
    pub async fn control(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let auth = format!("Bearer {}", self.operator_token);
        self.call(method, &format!("/admin/api/v1{path}"), Some(&auth), body)
            .await
    }

    /// A control-API call that must succeed; returns its JSON.
    pub async fn control_ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let reply = self.control(method.clone(), path, body).await;
        assert!(
            reply.status.is_success(),
            "{method} {path} -> {} {}",
            reply.status,
            reply.text
        );
        reply.body
    }
}

impl Reply {
    pub async fn read(res: reqwest::Response) -> Self {
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            body,
            text,
        }
    }

    /// Asserts a Kakao error: HTTP status, `code`, and a non-empty `msg`.
    pub fn assert_kakao_error(&self, status: u16, code: i64) {
        assert_eq!(
            (self.status.as_u16(), self.body["code"].as_i64()),
            (status, Some(code)),
            "body: {}",
            self.text
        );
        assert!(
            self.body["msg"].as_str().is_some_and(|m| !m.is_empty()),
            "msg missing: {}",
            self.text
        );
    }

    /// Asserts a control-API error with its status and code.
    pub fn assert_control_error(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status.as_u16(), self.body["error"]["code"].as_str()),
            (status, Some(code)),
            "body: {}",
            self.text
        );
    }
}

/// Generates one `#[tokio::test]` per engine for each named async fn taking a `TestServer`.
/// `on_both_engines!(config = f; a, b)` starts each server with `f(&mut Config)` applied
/// (`f` named as in the module that calls the macro).
#[macro_export]
macro_rules! on_both_engines {
    (config = $config:path; $($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                use super::*;
                let server = $crate::TestServer::start_with($crate::Engine::Sqlite, $config).await.expect("sqlite always starts");
                super::$name(server).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                use super::*;
                if let Some(server) = $crate::TestServer::start_with($crate::Engine::Postgres, $config).await {
                    super::$name(server).await;
                }
            })*
        }
    };
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let server = $crate::TestServer::start($crate::Engine::Sqlite).await.expect("sqlite always starts");
                super::$name(server).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(server) = $crate::TestServer::start($crate::Engine::Postgres).await {
                    super::$name(server).await;
                }
            })*
        }
    };
}
