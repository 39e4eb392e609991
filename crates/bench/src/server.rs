//! Starts the release server as a child process on a fresh SQLite database, and stops it.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

/// How long the server may take to migrate a fresh database and start listening.
const STARTUP_DEADLINE: Duration = Duration::from_secs(30);
const LISTENING_PREFIX: &str = "talkchannel listening on ";

/// Where a server keeps its data and what it reads from `talkchannel.toml`.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// Defaults to a fresh SQLite file in the server's temp dir.
    pub database_url: Option<String>,
    /// Written to `talkchannel.toml` in the server's working directory.
    pub config_toml: Option<String>,
    /// Extra `serve` flags.
    pub extra_args: Vec<String>,
}

/// A running server; killed when stopped or dropped (also on errors and panics).
pub struct ServerProcess {
    child: Child,
    base_url: String,
    /// Holds the database; removed after the server is gone.
    _dir: TempDir,
}

impl ServerProcess {
    /// Spawns `binary serve` on 127.0.0.1 with an ephemeral port and waits until it listens.
    pub async fn start(binary: &Path, operator_token: &str) -> Result<Self> {
        Self::start_with(binary, operator_token, &ServerOptions::default()).await
    }

    /// As [`ServerProcess::start`], on the given database and configuration file.
    pub async fn start_with(
        binary: &Path,
        operator_token: &str,
        options: &ServerOptions,
    ) -> Result<Self> {
        let binary = resolve_binary(binary)?;
        let dir = tempfile::tempdir()
            .context("could not create a temporary directory for the database")?;
        if let Some(toml) = &options.config_toml {
            std::fs::write(dir.path().join("talkchannel.toml"), toml)
                .context("could not write the server's talkchannel.toml")?;
        }
        let database_url = options
            .database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}/tc.db", dir.path().display()));
        let mut child = spawn(
            &binary,
            dir.path(),
            operator_token,
            &database_url,
            &options.extra_args,
        )?;
        let stdout = child
            .stdout
            .take()
            .context("the server's stdout was not captured")?;
        let mut lines = BufReader::new(stdout).lines();
        let waited = tokio::time::timeout(STARTUP_DEADLINE, read_base_url(&mut lines)).await;
        let base_url = match waited {
            Ok(Ok(url)) => url,
            Ok(Err(e)) => return Err(startup_failure(&mut child, e).await),
            Err(_) => bail!("the server did not print its listening line within {}s; is {} a talkchannel server binary?", STARTUP_DEADLINE.as_secs(), binary.display()),
        };
        tokio::spawn(drain(lines));
        Ok(Self {
            child,
            base_url,
            _dir: dir,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Kills the server and waits for it to exit.
    pub async fn stop(mut self) -> Result<()> {
        self.child
            .kill()
            .await
            .context("could not stop the server process")
    }
}

fn resolve_binary(binary: &Path) -> Result<PathBuf> {
    if !binary.is_file() {
        bail!(
            "no server binary at {}: build it with `cargo build --release -p talkchannel-server` \
             from the workspace root, or pass --server-bin PATH",
            binary.display()
        );
    }
    binary
        .canonicalize()
        .with_context(|| format!("could not resolve {}", binary.display()))
}

/// Runs in the temp dir so no stray `talkchannel.toml` is read, without inherited settings.
fn spawn(
    binary: &Path,
    dir: &Path,
    operator_token: &str,
    database_url: &str,
    extra_args: &[String],
) -> Result<Child> {
    let mut command = Command::new(binary);
    command
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--port",
            "0",
            "--database-url",
            database_url,
            "--operator-token",
            operator_token,
        ])
        .args(extra_args)
        .current_dir(dir)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("TALKCHANNEL_") {
            command.env_remove(name);
        }
    }
    command
        .spawn()
        .with_context(|| format!("could not start {}", binary.display()))
}

async fn read_base_url(lines: &mut Lines<BufReader<ChildStdout>>) -> Result<String> {
    while let Some(line) = lines
        .next_line()
        .await
        .context("could not read the server's output")?
    {
        if let Some(url) = parse_listening_line(&line) {
            if !url.starts_with("http://127.0.0.1:") {
                bail!("the server listens on {url}, not on 127.0.0.1; refusing to load-test it");
            }
            return Ok(url);
        }
    }
    bail!("the server closed its output before listening")
}

/// `talkchannel listening on http://127.0.0.1:PORT (database: ...)` -> the URL.
fn parse_listening_line(line: &str) -> Option<String> {
    let rest = line.trim().strip_prefix(LISTENING_PREFIX)?;
    let url = rest.split_whitespace().next()?;
    Some(url.to_owned())
}

/// Adds the exit status to an error seen while the server was starting.
async fn startup_failure(child: &mut Child, error: anyhow::Error) -> anyhow::Error {
    let status = tokio::time::timeout(Duration::from_secs(2), child.wait()).await;
    match status {
        Ok(Ok(status)) => error.context(format!(
            "the server exited ({status}) before listening; its error is printed above"
        )),
        _ => error,
    }
}

/// Keeps reading stdout so the server never blocks on a full pipe.
async fn drain(mut lines: Lines<BufReader<ChildStdout>>) {
    while let Ok(Some(_)) = lines.next_line().await {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_url_from_the_listening_line() {
        let line =
            "talkchannel listening on http://127.0.0.1:41234 (database: sqlite:///tmp/x/tc.db)";
        assert_eq!(
            parse_listening_line(line).as_deref(),
            Some("http://127.0.0.1:41234")
        );
        assert_eq!(
            parse_listening_line("operator token for the control API"),
            None
        );
    }

    #[tokio::test]
    async fn a_missing_binary_says_how_to_build_it() {
        let err = ServerProcess::start(Path::new("/nonexistent/talkchannel"), "x")
            .await
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .contains("cargo build --release -p talkchannel-server"),
            "{err}"
        );
    }
}
