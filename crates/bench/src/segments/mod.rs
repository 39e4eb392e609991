//! `talkchannel-bench segments`: friend-group counts (issue 6) on SQLite. Seeds N friends
//! and an N-row customer file with `talkchannel seed`, starts the release server on it and
//! measures the 3-predicate count (gender = female AND age 20-39 AND region in {Seoul,
//! Busan}) on a first start (full load), after a restart (from the index snapshot the
//! first start wrote), warm, while 1,000 friendship changes/s arrive, and after a kill
//! during those (snapshot plus catch-up), each checked against (and timed beside) a plain
//! SQL COUNT with the same predicates.

use crate::control::{ControlClient, FriendAction};
use crate::machine::RunContext;
use crate::server::{ServerOptions, ServerProcess};
use anyhow::{bail, Context, Result};
use chrono::{Duration as Days, Months, Utc};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const OPERATOR_TOKEN: &str = "talkchannel-bench-operator-token-0001";
const CHANNEL: &str = "_segbench";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The release server binary [build it: cargo build --release -p talkchannel-server]
    #[arg(long, default_value = "target/release/talkchannel")]
    server_bin: PathBuf,
    /// Friends (and customer-file rows) to seed
    #[arg(long, default_value_t = 10_000_000)]
    friends: u64,
    /// Warm counts timed one after another
    #[arg(long, default_value_t = 200)]
    samples: usize,
    /// Friendship changes per second during the churn phase
    #[arg(long, default_value_t = 1_000)]
    changes_per_sec: u64,
    /// Length of the churn phase
    #[arg(long, default_value_t = 10)]
    churn_secs: u64,
}

fn tree() -> Value {
    json!({"tree": {"and": [
        {"profile": "gender", "op": "equals", "value": "female"},
        {"profile": "age", "op": "between", "value": [20, 39]},
        {"profile": "region", "op": "in", "value": ["Seoul", "Busan"]}
    ]}})
}

struct Counter {
    http: reqwest::Client,
    url: String,
}

impl Counter {
    fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            url: format!("{base}/admin/api/v1/channels/{CHANNEL}/groups/count"),
        }
    }

    /// (friends counted, time taken).
    async fn count(&self) -> Result<(u64, Duration)> {
        let started = Instant::now();
        let res = self
            .http
            .post(&self.url)
            .bearer_auth(OPERATOR_TOKEN)
            .json(&tree())
            .send()
            .await?;
        let status = res.status();
        let body: Value = res.json().await?;
        if !status.is_success() {
            bail!("count failed: {status} {body}");
        }
        Ok((
            body["friends"].as_u64().context("friends")?,
            started.elapsed(),
        ))
    }
}

/// The same audience by SQL over the database file: the baseline and the check.
struct Baseline {
    pool: sqlx::SqlitePool,
}

impl Baseline {
    async fn open(db: &str) -> Result<Self> {
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect(&format!("{db}?mode=ro"))
            .await?;
        Ok(Self { pool })
    }

    async fn count(&self) -> Result<(u64, Duration)> {
        // KST date, as the server computes ages.
        let today = (Utc::now() + Days::hours(9)).date_naive();
        let latest = today
            .checked_sub_months(Months::new(12 * 20))
            .context("date")?;
        let earliest = today
            .checked_sub_months(Months::new(12 * 40))
            .context("date")?
            .succ_opt()
            .context("date")?;
        let started = Instant::now();
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM friendships f JOIN accounts a ON a.id = f.account_id \
             WHERE f.channel_id = (SELECT id FROM channels WHERE public_id = ?) \
               AND f.relation = 'ADDED' AND a.gender = 'female' \
               AND a.region IN ('Seoul', 'Busan') AND a.birth_date BETWEEN ? AND ?",
        )
        .bind(CHANNEL)
        .bind(earliest.format("%Y-%m-%d").to_string())
        .bind(latest.format("%Y-%m-%d").to_string())
        .fetch_one(&self.pool)
        .await?;
        Ok((n as u64, started.elapsed()))
    }
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// Seeds with the release binary; returns (seconds, first account id).
async fn seed(args: &Args, db: &str) -> Result<(f64, i64)> {
    seed_channel(&args.server_bin, args.friends, CHANNEL, db).await
}

/// `talkchannel seed` of `friends` friends into `channel` of the database at `db`;
/// returns (seconds, first account id).
pub(crate) async fn seed_channel(
    server_bin: &std::path::Path,
    friends: u64,
    channel: &str,
    db: &str,
) -> Result<(f64, i64)> {
    let started = Instant::now();
    let out = tokio::process::Command::new(server_bin)
        .args([
            "seed",
            "--friends",
            &friends.to_string(),
            "--channel",
            channel,
        ])
        .args(["--database-url", db])
        .output()
        .await
        .context("could not run `talkchannel seed`")?;
    if !out.status.success() {
        bail!("seed failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text
        .rsplit("accounts from id ")
        .next()
        .and_then(|s| s.trim().parse().ok())
        .context("seed did not print the first account id")?;
    Ok((started.elapsed().as_secs_f64(), first))
}

/// The first count after a start, retried while the load outlasts the request timeout
/// (408; the load keeps going in the background): (friends, time until answered).
async fn first_answer(counter: &Counter) -> Result<(u64, Duration)> {
    let started = Instant::now();
    loop {
        match counter.count().await {
            Ok((n, _)) => return Ok((n, started.elapsed())),
            Err(_) if started.elapsed() < Duration::from_secs(900) => continue,
            Err(e) => return Err(e.context("no count answered within 15 minutes of a start")),
        }
    }
}

/// Waits for the server's snapshot of the channel (renamed into place when complete):
/// (its size, time waited).
async fn wait_for_snapshot(dir: &std::path::Path) -> Result<(u64, Duration)> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(600) {
        let found = std::fs::read_dir(dir).ok().and_then(|entries| {
            entries
                .filter_map(|e| e.ok())
                .find(|e| e.path().extension().is_some_and(|x| x == "tcseg"))
        });
        if let Some(entry) = found {
            return Ok((entry.metadata()?.len(), started.elapsed()));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!(
        "no segment snapshot appeared in {} within 10 minutes",
        dir.display()
    )
}

pub(crate) fn peak_rss_mb(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmHWM")?;
    Ok(kb / 1024.0)
}

pub async fn run(args: Args) -> Result<()> {
    let context = RunContext::collect();
    let dir = tempfile::tempdir()?;
    let db = format!("sqlite://{}/seg.db", dir.path().display());
    eprintln!("seeding {} friends ...", args.friends);
    let (seed_secs, first_account) = seed(&args, &db).await?;
    let baseline = Baseline::open(&db).await?;
    let options = ServerOptions {
        database_url: Some(db.clone()),
        ..ServerOptions::default()
    };

    // Start 1 has no snapshot: a full load through the driver, after which the server
    // writes the channel's snapshot (default: next to the database file).
    let snapshots = PathBuf::from(format!("{}/seg.db.segments", dir.path().display()));
    let mut rss = 0f64;
    let server = ServerProcess::start_with(&args.server_bin, OPERATOR_TOKEN, &options).await?;
    // A load longer than the server's request timeout answers 408 and keeps going in
    // the background; the figure is the time until a count answers.
    let (full_count, full_load) = first_answer(&Counter::new(server.base_url())).await?;
    let (snapshot_bytes, snapshot_wait) = wait_for_snapshot(&snapshots).await?;
    rss = rss.max(peak_rss_mb(server.pid().context("pid")?)?);
    server.stop().await?;

    // Start 2 reads the snapshot and catches up.
    let server = ServerProcess::start_with(&args.server_bin, OPERATOR_TOKEN, &options).await?;
    let counter = Counter::new(server.base_url());
    let (loaded, load_time) = first_answer(&counter).await?;
    let (expected, sql_time) = baseline.count().await?;
    if loaded != expected || full_count != expected {
        bail!("counts {full_count} (full load) / {loaded} (snapshot) differ from SQL's {expected}");
    }
    let mut warm = Vec::new();
    let mut sql = Vec::new();
    for _ in 0..args.samples {
        warm.push(counter.count().await?.1);
    }
    for _ in 0..args.samples.min(20) {
        sql.push(baseline.count().await?.1);
    }
    warm.sort();
    sql.sort();

    // Churn: block and re-add seeded accounts at the requested rate while counting.
    let control = Arc::new(ControlClient::new(server.base_url(), OPERATOR_TOKEN)?);
    let stop = Arc::new(AtomicBool::new(false));
    let applied = Arc::new(AtomicU64::new(0));
    let churn = {
        let (control, stop, applied) = (
            Arc::clone(&control),
            Arc::clone(&stop),
            Arc::clone(&applied),
        );
        let (rate, n) = (args.changes_per_sec, args.friends);
        tokio::spawn(async move {
            let period = Duration::from_secs_f64(1.0 / rate as f64);
            let mut tick = tokio::time::interval(period);
            let mut in_flight = tokio::task::JoinSet::new();
            let mut i: u64 = 0;
            while !stop.load(Ordering::Relaxed) {
                tick.tick().await;
                let account = first_account + ((i / 2).wrapping_mul(7_919) % n) as i64;
                let action = if i % 2 == 0 {
                    FriendAction::Block
                } else {
                    FriendAction::Add
                };
                let (control, applied) = (Arc::clone(&control), Arc::clone(&applied));
                in_flight.spawn(async move {
                    if control.friend(CHANNEL, account, action).await.is_ok() {
                        applied.fetch_add(1, Ordering::Relaxed);
                    }
                });
                while in_flight.len() > 64 {
                    in_flight.join_next().await;
                }
                i += 1;
            }
            while in_flight.join_next().await.is_some() {}
        })
    };
    let churn_started = Instant::now();
    let mut busy = Vec::new();
    while churn_started.elapsed() < Duration::from_secs(args.churn_secs) {
        busy.push(counter.count().await?.1);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    churn.await?;
    let churn_rate = applied.load(Ordering::Relaxed) as f64 / churn_started.elapsed().as_secs_f64();
    let (after, _) = counter.count().await?;
    let (after_sql, _) = baseline.count().await?;
    busy.sort();
    rss = rss.max(peak_rss_mb(server.pid().context("pid")?)?);
    // Killed (no graceful shutdown): start 3 reads the snapshot of start 1 and catches up
    // with every change of the churn.
    server.stop().await?;
    let server = ServerProcess::start_with(&args.server_bin, OPERATOR_TOKEN, &options).await?;
    let (caught_up, catch_up_time) = first_answer(&Counter::new(server.base_url())).await?;
    rss = rss.max(peak_rss_mb(server.pid().context("pid")?)?);
    server.stop().await?;

    println!(
        "## Friend-group counts (segments), SQLite, {} friends\n",
        args.friends
    );
    println!("{}\n", context.machine());
    println!("| measure | value | target |\n|---|---|---|");
    println!(
        "| seed ({} friends + {} rows) | {:.1} s ({:.0} rows/s, friends and rows each) | >= 1,000,000 rows/s |",
        args.friends, args.friends, seed_secs, args.friends as f64 / seed_secs
    );
    println!(
        "| first count after a start, no snapshot (full load) | {} | < 5 s |",
        ms(full_load)
    );
    println!(
        "| snapshot written after the load | {:.0} MB, on disk {} after the count | - |",
        snapshot_bytes as f64 / 1e6,
        ms(snapshot_wait)
    );
    println!(
        "| first count after a restart, from the snapshot | {} | < 5 s |",
        ms(load_time)
    );
    println!(
        "| first count after a kill during churn (snapshot + catch-up of {:.0} changes) | {} (count {caught_up}) | < 5 s |",
        churn_rate * args.churn_secs as f64,
        ms(catch_up_time)
    );
    println!(
        "| warm count p50 / p99 ({} samples) | {} / {} | < 50 ms |",
        warm.len(),
        ms(percentile(&warm, 0.5)),
        ms(percentile(&warm, 0.99))
    );
    println!(
        "| baseline: SQL COUNT, same predicates, p50 ({} samples) | {} (first {}) | - |",
        sql.len(),
        ms(percentile(&sql, 0.5)),
        ms(sql_time)
    );
    println!(
        "| count under churn p50 / p99 ({} samples, {:.0} changes/s applied) | {} / {} | < 50 ms |",
        busy.len(),
        churn_rate,
        ms(percentile(&busy, 0.5)),
        ms(percentile(&busy, 0.99))
    );
    println!(
        "| count = SQL after churn | {after} = {after_sql}: {} | equal |",
        if after == after_sql { "yes" } else { "NO" }
    );
    println!("| members counted (before churn) | {loaded} | - |");
    println!("| server peak RSS (VmHWM) | {rss:.0} MB | < 1536 MB |");
    println!("\ncommand: `talkchannel-bench segments --friends {} --samples {} --changes-per-sec {} --churn-secs {}`", args.friends, args.samples, args.changes_per_sec, args.churn_secs);
    if after != after_sql || caught_up != after_sql {
        bail!("the counts after churn ({after}, after a restart {caught_up}) differ from SQL's ({after_sql})");
    }
    Ok(())
}
