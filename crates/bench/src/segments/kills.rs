//! Kills at random moments (issue 14, defect 9): the server runs with the shipped
//! `[segments]` defaults (snapshots beside a SQLite file; for PostgreSQL in the state
//! directory, here a temp dir through `XDG_STATE_HOME`), takes friendship changes from
//! its start and is killed (SIGKILL) at a random moment within the window, never having
//! been asked to count. The next start's first count (what the next send would wait for)
//! is timed and checked against SQL; that start is then the next one killed. The first
//! start has no snapshot at all, so its kill can come before any could be written.

use super::probe::{first_answer, tree, Baseline, Counter};
use super::{CHANNEL, OPERATOR_TOKEN};
use crate::control::{ControlClient, FriendAction};
use crate::database::BenchDatabase;
use crate::server::{ServerOptions, ServerProcess};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

#[derive(Debug, clap::Args)]
pub struct KillArgs {
    /// Kills at random moments after the other phases (0: none)
    #[arg(long, default_value_t = 6)]
    kills: usize,
    /// A kill comes at a uniformly random moment this long after a start
    #[arg(long, default_value_t = 30)]
    kill_window_secs: u64,
    /// Seed of the kill moments (default: from the clock; printed)
    #[arg(long)]
    kill_seed: Option<u64>,
}

/// One kill and the start after it.
pub struct Kill {
    /// Seconds after the start it killed.
    at: f64,
    /// Changes applied before it.
    changes: u64,
    /// Snapshot files on disk at the kill.
    snapshots: usize,
    /// The next start's first count: time until answered, and its value = SQL's.
    first_count: Duration,
    counted: u64,
    expected: u64,
}

pub struct Kills {
    seed: u64,
    window: u64,
    rows: Vec<Kill>,
}

/// xorshift64*: enough for spreading kill moments, and reproducible from the seed.
struct Moments(u64);

impl Moments {
    fn next_fraction(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Where the shipped defaults put the snapshots, and the options that serve with them.
fn defaults(db: &BenchDatabase, state: &Path) -> (PathBuf, ServerOptions) {
    let dir = match db.url().strip_prefix("sqlite://") {
        Some(file) => PathBuf::from(format!("{file}.segments")),
        None => state.join("talkchannel/segments"),
    };
    let options = ServerOptions {
        database_url: Some(db.url().to_owned()),
        ..ServerOptions::default()
    };
    (dir, options)
}

fn snapshot_files(dir: &Path) -> usize {
    walk(dir).len()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for path in entries.filter_map(|e| e.ok()).map(|e| e.path()) {
        if path.is_dir() {
            found.extend(walk(&path));
        } else if path.extension().is_some_and(|x| x == "tcseg") {
            found.push(path);
        }
    }
    found
}

/// Creates the group the warm-up looks for (the counts need none).
pub async fn create_group(server: &ServerProcess) -> Result<()> {
    let control = ControlClient::new(server.base_url(), OPERATOR_TOKEN)?;
    let mut body = tree();
    body["name"] = "bench".into();
    control
        .post(&format!("/channels/{CHANNEL}/groups"), Some(body))
        .await?;
    Ok(())
}

pub async fn run(
    args: &KillArgs,
    db: &BenchDatabase,
    server_bin: &Path,
    changes_per_sec: u64,
    friends: u64,
    first_account: i64,
) -> Result<Kills> {
    let seed = args.kill_seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            | 1
    });
    let mut moments = Moments(seed);
    let state = tempfile::tempdir().context("temp dir")?;
    // The servers inherit it: PostgreSQL's default snapshots land in the temp dir. Set
    // before any server of this phase starts, and read by nothing else.
    std::env::set_var("XDG_STATE_HOME", state.path());
    let (dir, options) = defaults(db, state.path());
    let baseline = Baseline::open(db).await?;
    let start = || ServerProcess::start_with(server_bin, OPERATOR_TOKEN, &options);
    let mut rows = Vec::new();
    let mut server = start().await?;
    let mut offset = 0u64;
    for _ in 0..args.kills {
        let at = moments.next_fraction() * args.kill_window_secs as f64;
        eprintln!("kill in {at:.1} s ...");
        let churn = Changes::spawn(&server, changes_per_sec, friends, first_account, offset)?;
        tokio::time::sleep(Duration::from_secs_f64(at)).await;
        server.stop().await?;
        let changes = churn.finish().await;
        offset += changes;
        let snapshots = snapshot_files(&dir);
        server = start().await?;
        let (counted, first_count) = first_answer(&Counter::new(server.base_url())).await?;
        let (expected, _) = baseline.count().await?;
        eprintln!("  first count after it: {:.2} s", first_count.as_secs_f64());
        rows.push(Kill {
            at,
            changes,
            snapshots,
            first_count,
            counted,
            expected,
        });
    }
    server.stop().await?;
    if let Some(wrong) = rows.iter().find(|k| k.counted != k.expected) {
        bail!(
            "a count after a kill ({}) differs from SQL's ({})",
            wrong.counted,
            wrong.expected
        );
    }
    Ok(Kills {
        seed,
        window: args.kill_window_secs,
        rows,
    })
}

/// Friendship changes (a block, then the same account's re-add) at a steady rate, until
/// finished; failed calls (the server was killed) are not counted.
pub struct Changes {
    stop: Arc<AtomicBool>,
    applied: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

impl Changes {
    /// `offset`: where in the sequence of accounts to go on from.
    pub fn spawn(
        server: &ServerProcess,
        rate: u64,
        friends: u64,
        first_account: i64,
        offset: u64,
    ) -> Result<Self> {
        let control = Arc::new(ControlClient::new(server.base_url(), OPERATOR_TOKEN)?);
        let stop = Arc::new(AtomicBool::new(false));
        let applied = Arc::new(AtomicU64::new(0));
        let (halt, count) = (Arc::clone(&stop), Arc::clone(&applied));
        let task = tokio::spawn(async move {
            let period = Duration::from_secs_f64(1.0 / rate as f64);
            let mut tick = tokio::time::interval(period);
            let mut in_flight = tokio::task::JoinSet::new();
            let mut i = offset;
            while !halt.load(Ordering::Relaxed) {
                tick.tick().await;
                let account = first_account + ((i / 2).wrapping_mul(7_919) % friends) as i64;
                let action = match i % 2 {
                    0 => FriendAction::Block,
                    _ => FriendAction::Add,
                };
                let (control, count) = (Arc::clone(&control), Arc::clone(&count));
                in_flight.spawn(async move {
                    if control.friend(CHANNEL, account, action).await.is_ok() {
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                });
                while in_flight.len() > 64 {
                    in_flight.join_next().await;
                }
                i += 1;
            }
            while in_flight.join_next().await.is_some() {}
        });
        Ok(Self {
            stop,
            applied,
            task,
        })
    }

    /// Stops sending; returns how many changes were applied.
    pub async fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.task.await;
        self.applied.load(Ordering::Relaxed)
    }
}

impl Kills {
    pub fn report(&self) {
        if self.rows.is_empty() {
            return;
        }
        println!(
            "\n### Kills at random moments (seed {}, within {} s of a start, shipped [segments] defaults)\n",
            self.seed, self.window
        );
        println!("| kill | at | changes before it | snapshots on disk | next start's first count | = SQL |");
        println!("|---|---|---|---|---|---|");
        for (i, k) in self.rows.iter().enumerate() {
            println!(
                "| {} | {:.1} s | {} | {} | {:.2} s | {} = {} |",
                i + 1,
                k.at,
                k.changes,
                k.snapshots,
                k.first_count.as_secs_f64(),
                k.counted,
                k.expected
            );
        }
        let worst = |rows: &mut dyn Iterator<Item = &Kill>| {
            rows.map(|k| k.first_count).max().unwrap_or_default()
        };
        println!(
            "\nworst first count after a kill: {:.2} s over all {} kills; {:.2} s over the kills with a snapshot on disk (target < 5 s)",
            worst(&mut self.rows.iter()).as_secs_f64(),
            self.rows.len(),
            worst(&mut self.rows.iter().filter(|k| k.snapshots > 0)).as_secs_f64()
        );
    }
}
