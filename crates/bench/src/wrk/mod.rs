//! Drives the `wrk` load generator against the local server and reads its report.

mod parse;
mod script;

pub use parse::{parse_report, WrkReport};
pub use script::{cycling_script, CycledRequest};

use anyhow::{bail, Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::process::Command;

/// How hard and how long to load the server.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    pub threads: u32,
    pub connections: u32,
    pub duration: Duration,
}

/// A wrk installation and the server it may load (127.0.0.1 only).
pub struct Wrk {
    binary: PathBuf,
    base_url: String,
}

impl Wrk {
    /// Finds `wrk` on the PATH; the error says how to install it.
    pub fn locate() -> Result<PathBuf> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path)
            .map(|dir| dir.join("wrk"))
            .find(|candidate| candidate.is_file())
            .context("wrk is not installed: install it with `apt-get install wrk` (Debian/Ubuntu) and run the bench again")
    }

    pub fn new(binary: PathBuf, base_url: &str) -> Result<Self> {
        if !base_url.starts_with("http://127.0.0.1:") {
            bail!("refusing to load {base_url}: the benches only load a server on 127.0.0.1");
        }
        Ok(Self {
            binary,
            base_url: base_url.to_owned(),
        })
    }

    /// Loads the server with `requests` in a round-robin cycle. Any error status or socket
    /// error fails the run: figures of a run that failed requests are meaningless.
    pub async fn run(&self, requests: &[CycledRequest], load: Load) -> Result<WrkReport> {
        let script = write_script(requests)?;
        let url = format!("{}{}", self.base_url, requests[0].path);
        let output = self
            .wrk_command(script.path(), &url, load)
            .output()
            .await
            .with_context(|| format!("could not run {}", self.binary.display()))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            bail!("wrk failed ({}):\n{stdout}{stderr}", output.status);
        }
        let report = parse_report(&stdout)
            .with_context(|| format!("could not read wrk's report:\n{stdout}{stderr}"))?;
        check_clean(&report, &stdout)?;
        Ok(report)
    }

    fn wrk_command(&self, script: &Path, url: &str, load: Load) -> Command {
        let mut command = Command::new(&self.binary);
        command
            .arg("--latency")
            .args(["--threads", &load.threads.to_string()])
            .args(["--connections", &load.connections.to_string()])
            .args([
                "--duration",
                &format!("{}s", load.duration.as_secs().max(1)),
            ])
            .arg("--script")
            .arg(script)
            .arg(url)
            .kill_on_drop(true);
        command
    }
}

fn write_script(requests: &[CycledRequest]) -> Result<tempfile::NamedTempFile> {
    let mut file = tempfile::Builder::new()
        .prefix("talkchannel-bench-")
        .suffix(".lua")
        .tempfile()
        .context("could not create the wrk script file")?;
    file.write_all(cycling_script(requests).as_bytes())
        .context("could not write the wrk script")?;
    file.flush().context("could not write the wrk script")?;
    Ok(file)
}

fn check_clean(report: &WrkReport, stdout: &str) -> Result<()> {
    if report.non_2xx > 0 {
        bail!(
            "{} of {} responses were errors (status 400 or above); the figures are void:\n{stdout}",
            report.non_2xx,
            report.requests
        );
    }
    if report.socket_errors > 0 {
        bail!("wrk saw {} socket errors (connect/read/write/timeout); the figures are void:\n{stdout}", report.socket_errors);
    }
    if report.requests == 0 {
        bail!("wrk completed no request:\n{stdout}");
    }
    Ok(())
}

/// Reads `15`, `15s` or `2m` (wrk takes whole seconds).
pub fn parse_duration_arg(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len());
    let (number, unit) = raw.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{raw}` is not a duration: use e.g. 15s or 1m"))?;
    let duration = match unit {
        "" | "s" => Duration::from_secs(number),
        "m" => Duration::from_secs(number * 60),
        _ => {
            return Err(format!(
                "`{raw}` is not a duration: use seconds (15s) or minutes (1m)"
            ))
        }
    };
    if duration.is_zero() {
        return Err("the duration must be at least 1s".to_owned());
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_durations() {
        assert_eq!(parse_duration_arg("15s"), Ok(Duration::from_secs(15)));
        assert_eq!(parse_duration_arg("20"), Ok(Duration::from_secs(20)));
        assert_eq!(parse_duration_arg("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration_arg("0s").is_err());
        assert!(parse_duration_arg("1h").is_err());
    }

    #[test]
    fn loads_only_the_loopback() {
        assert!(Wrk::new(PathBuf::from("/usr/bin/wrk"), "http://10.0.0.1:80").is_err());
        assert!(Wrk::new(PathBuf::from("/usr/bin/wrk"), "http://127.0.0.1:8080").is_ok());
    }
}
