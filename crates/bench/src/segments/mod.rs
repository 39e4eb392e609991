//! `talkchannel-bench segments`: friend-group counts (issue 6) on SQLite or PostgreSQL
//! (`--database-url`, see [`crate::database`]). Seeds N friends and an N-row customer file
//! with `talkchannel seed`, starts the release server on it and measures the 3-predicate count (gender = female AND age 20-39 AND region in {Seoul,
//! Busan}) on a first start (full load), after a restart (from the index snapshot the
//! first start wrote), warm, while 1,000 friendship changes/s arrive, and after a kill
//! during those (snapshot plus catch-up), each checked against (and timed beside) a plain
//! SQL COUNT with the same predicates; then kills the server at random moments under
//! churn and times the first count after each (see [`kills`]).

mod kills;
mod probe;

use crate::database::{BenchDatabase, SeedingArgs};
use crate::machine::RunContext;
use crate::process::peak_rss_mb;
use crate::server::ServerProcess;
use anyhow::{bail, Context, Result};
use kills::{Changes, Kills};
pub(crate) use probe::percentile;
use probe::{first_answer, wait_for_snapshot, Baseline, Counter};
use std::time::{Duration, Instant};

const OPERATOR_TOKEN: &str = "talkchannel-bench-operator-token-0001";
const CHANNEL: &str = "_segbench";

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    seeding: SeedingArgs,
    /// Warm counts timed one after another
    #[arg(long, default_value_t = 200)]
    samples: usize,
    /// Friendship changes per second during the churn phase
    #[arg(long, default_value_t = 1_000)]
    changes_per_sec: u64,
    /// Length of the churn phase
    #[arg(long, default_value_t = 10)]
    churn_secs: u64,
    #[command(flatten)]
    kills: kills::KillArgs,
}

/// Everything a run measured, for the report.
struct Figures {
    seeded: String,
    full_load: Duration,
    snapshot_bytes: u64,
    snapshot_wait: Duration,
    load_time: Duration,
    loaded: u64,
    warm: Vec<Duration>,
    sql: Vec<Duration>,
    sql_first: Duration,
    churn: Churn,
    after: u64,
    after_sql: u64,
    catch_up: Duration,
    caught_up: u64,
    rss_mb: f64,
    kills: Kills,
}

/// The count under friendship churn.
struct Churn {
    busy: Vec<Duration>,
    changes_per_sec: f64,
}

pub async fn run(args: Args) -> Result<()> {
    let context = RunContext::collect();
    let db = BenchDatabase::create(args.seeding.database_url.as_deref(), None).await?;
    let engine = db.engine();
    let outcome = measure(&args, &db).await;
    db.remove().await?;
    let f = outcome?;
    report(&args, &context, engine, &f);
    if f.after != f.after_sql || f.caught_up != f.after_sql {
        bail!(
            "the counts after churn ({}, after a restart {}) differ from SQL's ({})",
            f.after,
            f.caught_up,
            f.after_sql
        );
    }
    Ok(())
}

async fn measure(args: &Args, db: &BenchDatabase) -> Result<Figures> {
    eprintln!(
        "seeding {} friends ({}) ...",
        args.seeding.friends,
        db.engine()
    );
    let seeded = db.seed(&args.seeding, CHANNEL).await?;
    let baseline = Baseline::open(db).await?;
    let options = db.server_options();
    let start = || ServerProcess::start_with(&args.seeding.server_bin, OPERATOR_TOKEN, &options);

    // Start 1 has no snapshot: a full load through the driver, after which the server
    // writes the channel's snapshot. A load longer than the server's request timeout
    // answers 408 and keeps going in the background; the figure is the time until a
    // count answers.
    let server = start().await?;
    let (full_count, full_load) = first_answer(&Counter::new(server.base_url())).await?;
    let (snapshot_bytes, snapshot_wait) = wait_for_snapshot(db.snapshot_dir()).await?;
    let mut rss_mb = peak_rss_mb(server.pid().context("pid")?)?;
    server.stop().await?;

    // Start 2 reads the snapshot and catches up.
    let server = start().await?;
    let counter = Counter::new(server.base_url());
    let (loaded, load_time) = first_answer(&counter).await?;
    let (expected, sql_first) = baseline.count().await?;
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

    // The warm-up of later starts loads channels with groups.
    kills::create_group(&server).await?;
    let churn = churn(args, &server, &counter, seeded.first_account).await?;
    let (after, _) = counter.count().await?;
    let (after_sql, _) = baseline.count().await?;
    rss_mb = rss_mb.max(peak_rss_mb(server.pid().context("pid")?)?);
    // Killed (no graceful shutdown): start 3 reads the snapshot of start 1 and catches up
    // with every change of the churn.
    server.stop().await?;
    let server = start().await?;
    let (caught_up, catch_up) = first_answer(&Counter::new(server.base_url())).await?;
    rss_mb = rss_mb.max(peak_rss_mb(server.pid().context("pid")?)?);
    server.stop().await?;
    let kills = kills::run(
        &args.kills,
        db,
        &args.seeding.server_bin,
        args.changes_per_sec,
        args.seeding.friends,
        seeded.first_account,
    )
    .await?;
    Ok(Figures {
        seeded: seeded.describe(args.seeding.friends),
        full_load,
        snapshot_bytes,
        snapshot_wait,
        load_time,
        loaded,
        warm,
        sql,
        sql_first,
        churn,
        after,
        after_sql,
        catch_up,
        caught_up,
        rss_mb,
        kills,
    })
}

/// Blocks and re-adds seeded accounts at the requested rate while counting.
async fn churn(
    args: &Args,
    server: &ServerProcess,
    counter: &Counter,
    first_account: i64,
) -> Result<Churn> {
    let changes = Changes::spawn(
        server,
        args.changes_per_sec,
        args.seeding.friends,
        first_account,
        0,
    )?;
    let started = Instant::now();
    let mut busy = Vec::new();
    while started.elapsed() < Duration::from_secs(args.churn_secs) {
        busy.push(counter.count().await?.1);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let applied = changes.finish().await;
    busy.sort();
    Ok(Churn {
        busy,
        changes_per_sec: applied as f64 / started.elapsed().as_secs_f64(),
    })
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn report(args: &Args, context: &RunContext, engine: &str, f: &Figures) {
    println!(
        "## Friend-group counts (segments), {engine}, {} friends\n",
        args.seeding.friends
    );
    println!("{}, {}\n", context.machine(), context.date);
    println!("| measure | value | target |\n|---|---|---|");
    println!(
        "| seed ({} friends + {} rows) | {} | >= 1,000,000 rows/s |",
        args.seeding.friends, args.seeding.friends, f.seeded
    );
    println!(
        "| first count after a start, no snapshot (full load) | {} | < 5 s |",
        ms(f.full_load)
    );
    println!(
        "| snapshot written after the load | {:.0} MB, on disk {} after the count | - |",
        f.snapshot_bytes as f64 / 1e6,
        ms(f.snapshot_wait)
    );
    println!(
        "| first count after a restart, from the snapshot | {} | < 5 s |",
        ms(f.load_time)
    );
    println!(
        "| first count after a kill during churn (snapshot + catch-up of {:.0} changes) | {} (count {}) | < 5 s |",
        f.churn.changes_per_sec * args.churn_secs as f64,
        ms(f.catch_up),
        f.caught_up
    );
    println!(
        "| warm count p50 / p99 ({} samples) | {} / {} | < 50 ms |",
        f.warm.len(),
        ms(percentile(&f.warm, 0.5)),
        ms(percentile(&f.warm, 0.99))
    );
    println!(
        "| baseline: SQL COUNT, same predicates, p50 ({} samples) | {} (first {}) | - |",
        f.sql.len(),
        ms(percentile(&f.sql, 0.5)),
        ms(f.sql_first)
    );
    println!(
        "| count under churn p50 / p99 ({} samples, {:.0} changes/s applied) | {} / {} | < 50 ms |",
        f.churn.busy.len(),
        f.churn.changes_per_sec,
        ms(percentile(&f.churn.busy, 0.5)),
        ms(percentile(&f.churn.busy, 0.99))
    );
    println!(
        "| count = SQL after churn | {} = {}: {} | equal |",
        f.after,
        f.after_sql,
        if f.after == f.after_sql { "yes" } else { "NO" }
    );
    println!("| members counted (before churn) | {} | - |", f.loaded);
    println!(
        "| server peak RSS (VmHWM) | {:.0} MB | < 1536 MB |",
        f.rss_mb
    );
    f.kills.report();
    println!("\ncommand: `{}`", context.command);
}
