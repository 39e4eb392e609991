//! Where and from what a bench ran: machine, commit, command and date.

use std::process::Command;

#[derive(Debug, Clone)]
pub struct RunContext {
    pub cpus: usize,
    pub cpu_model: String,
    pub commit: String,
    pub command: String,
    pub date: String,
}

impl RunContext {
    pub fn collect() -> Self {
        Self {
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_model: cpu_model().unwrap_or_else(|| "unknown CPU".to_owned()),
            commit: commit().unwrap_or_else(|| "unknown (not a git checkout?)".to_owned()),
            command: command_line(),
            date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }

    pub fn machine(&self) -> String {
        format!("{} CPUs (nproc), {}", self.cpus, self.cpu_model)
    }
}

/// The first `model name` of /proc/cpuinfo.
fn cpu_model() -> Option<String> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    cpuinfo
        .lines()
        .find(|line| line.starts_with("model name"))
        .and_then(|line| line.split_once(':'))
        .map(|(_, model)| model.trim().to_owned())
}

/// `git rev-parse --short HEAD`, marked when the work tree has uncommitted changes.
fn commit() -> Option<String> {
    let head = git(&["rev-parse", "--short", "HEAD"])?;
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some(if dirty {
        format!("{head} (with uncommitted changes)")
    } else {
        head
    })
}

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// The command as typed, arguments with spaces quoted.
fn command_line() -> String {
    std::env::args()
        .map(|a| if a.contains(' ') { format!("'{a}'") } else { a })
        .collect::<Vec<_>>()
        .join(" ")
}
