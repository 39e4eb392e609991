//! `talkchannel-bench webhooks`: channel webhook delivery (issue 4).
//!
//! A node with delivery switched off takes `--events` add/block changes on a channel
//! whose app has a webhook, interleaved with the same changes on a channel whose app has
//! none (the same-run baseline for the enqueue cost). Then delivery nodes start over
//! that database and the clock runs until a local receiver answering 200 has every
//! event: one node on SQLite, two on PostgreSQL when `--postgres-url` is given.

mod receiver;

use crate::control::{ControlClient, FriendAction};
use crate::machine::RunContext;
use crate::parallel::{finish, map_bounded, progress_bar};
use crate::report::ms;
use crate::server::{ServerOptions, ServerProcess};
use anyhow::{bail, Result};
use receiver::CountingReceiver;
use std::fmt::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const OPERATOR_TOKEN: &str = "talkchannel-bench-operator-token-0001";
const MIN_DELIVERIES_PER_SEC: f64 = 5_000.0;
const MAX_ENQUEUE_P99: Duration = Duration::from_millis(1);
/// The seeding node only records events; delivery nodes start later.
const NO_DELIVERY: &str = "[webhooks]\nworkers = 0\n";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The release server binary [build it: cargo build --release -p talkchannel-server]
    #[arg(long, default_value = "target/release/talkchannel")]
    server_bin: PathBuf,
    /// Webhook events to deliver (half adds, half blocks; one account per pair)
    #[arg(long, default_value_t = 100_000)]
    events: usize,
    /// Friendship changes in flight while recording events
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// An empty PostgreSQL database to also run two delivery nodes on
    /// (e.g. postgres://postgres@127.0.0.1:5432/tc_bench; create it with createdb)
    #[arg(long)]
    postgres_url: Option<String>,
    /// Give up on delivery after this many seconds
    #[arg(long, default_value_t = 600)]
    timeout_secs: u64,
}

/// One engine's figures.
struct Run {
    engine: String,
    nodes: usize,
    seeding: Duration,
    plain: Latencies,
    hooked: Latencies,
    delivery: Duration,
    deliveries: u64,
    distinct: usize,
}

struct Latencies {
    p50: Duration,
    p99: Duration,
}

impl Latencies {
    fn of(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
        Self {
            p50: at(0.50),
            p99: at(0.99),
        }
    }
}

pub async fn run(args: Args) -> Result<()> {
    if args.events < 2 || args.events % 2 != 0 {
        bail!("--events must be an even number of at least 2 (one add and one block per account)");
    }
    let context = RunContext::collect();
    let dir = tempfile::tempdir()?;
    let sqlite = format!("sqlite://{}/webhooks.db", dir.path().display());
    let mut runs = vec![run_engine(&args, "SQLite", &sqlite, 1).await?];
    if let Some(url) = &args.postgres_url {
        runs.push(run_engine(&args, "PostgreSQL", url, 2).await?);
    }
    println!("{}", report(&args, &context, &runs));
    Ok(())
}

async fn run_engine(args: &Args, engine: &str, database_url: &str, nodes: usize) -> Result<Run> {
    let receiver = CountingReceiver::start().await?;
    let seeding_options = ServerOptions {
        database_url: Some(database_url.to_owned()),
        config_toml: Some(NO_DELIVERY.to_owned()),
        ..ServerOptions::default()
    };
    let seeder =
        ServerProcess::start_with(&args.server_bin, OPERATOR_TOKEN, &seeding_options).await?;
    eprintln!(
        "{engine}: recording {} events on {}",
        args.events,
        seeder.base_url()
    );
    let control = ControlClient::new(seeder.base_url(), OPERATOR_TOKEN)?;
    let started = Instant::now();
    let (plain, hooked) = record_events(args, &control, &receiver).await?;
    let seeding = started.elapsed();
    seeder.stop().await?;

    let options = ServerOptions {
        database_url: Some(database_url.to_owned()),
        ..ServerOptions::default()
    };
    let started = Instant::now();
    let mut servers = Vec::new();
    for _ in 0..nodes {
        servers.push(ServerProcess::start_with(&args.server_bin, OPERATOR_TOKEN, &options).await?);
    }
    let bar = progress_bar(args.events as u64, "delivered");
    let waited = receiver
        .wait_for(
            args.events,
            started,
            Duration::from_secs(args.timeout_secs),
            &bar,
        )
        .await;
    finish(
        &bar,
        &format!("{engine}: delivery with {nodes} node(s)"),
        started,
    );
    for server in servers {
        server.stop().await?;
    }
    let delivery = waited?;
    let (deliveries, distinct) = receiver.counts();
    Ok(Run {
        engine: engine.to_owned(),
        nodes,
        seeding,
        plain: Latencies::of(plain),
        hooked: Latencies::of(hooked),
        delivery,
        deliveries,
        distinct,
    })
}

/// Per account: add and block on the plain channel and on the hooked one, interleaved,
/// each change timed. Returns (plain, hooked) latencies.
async fn record_events(
    args: &Args,
    control: &ControlClient,
    receiver: &CountingReceiver,
) -> Result<(Vec<Duration>, Vec<Duration>)> {
    let hooked_app = control.create_app("webhook bench").await?;
    let plain_app = control.create_app("no webhook").await?;
    control.create_channel("_hooked", "hooked").await?;
    control.create_channel("_plain", "plain").await?;
    control.connect(&hooked_app, "_hooked").await?;
    control.connect(&plain_app, "_plain").await?;
    control.put_webhook(&hooked_app, &receiver.url).await?;
    let accounts: Vec<usize> = (0..args.events / 2).collect();
    let bar = progress_bar(accounts.len() as u64, "accounts");
    let started = Instant::now();
    let timings = map_bounded(accounts, args.concurrency, &bar, |i| {
        let control = control.clone();
        async move {
            let account = control.create_account(&format!("bench {i}")).await?;
            let mut plain = Vec::with_capacity(2);
            let mut hooked = Vec::with_capacity(2);
            for action in [FriendAction::Add, FriendAction::Block] {
                for (channel, into) in [("_plain", &mut plain), ("_hooked", &mut hooked)] {
                    let t = Instant::now();
                    control.friend(channel, account, action).await?;
                    into.push(t.elapsed());
                }
            }
            Ok((plain, hooked))
        }
    })
    .await?;
    finish(&bar, "recorded", started);
    let (plain, hooked): (Vec<_>, Vec<_>) = timings.into_iter().unzip();
    Ok((plain.concat(), hooked.concat()))
}

fn report(args: &Args, context: &RunContext, runs: &[Run]) -> String {
    let mut out = String::new();
    writeln!(out, "## Webhook delivery (issue 4)\n").unwrap();
    writeln!(out, "- **Command**: `{}`", context.command).unwrap();
    writeln!(out, "- **Machine**: {}", context.machine()).unwrap();
    writeln!(out, "- **Commit**: {}", context.commit).unwrap();
    writeln!(out, "- **Date**: {}", context.date).unwrap();
    writeln!(out, "- **Data**: {} accounts, each adds then blocks `_plain` (app without webhook) and `_hooked` (app with a webhook), interleaved, {} changes in flight; {} webhook events", args.events / 2, args.concurrency, args.events).unwrap();
    writeln!(out, "- **Delivery**: recorded by a node with `workers = 0`, then delivered by fresh nodes with the default `[webhooks]` settings (2 workers, batch 256, 64 in flight per app) to a receiver on 127.0.0.1 answering 200; time from spawning the nodes until the last distinct resource id arrived").unwrap();
    writeln!(out, "- **Latency**: client-side round trip of `POST /admin/api/v1/channels/{{id}}/friendships/{{account}}/{{action}}`; the difference between the two channels is the enqueue cost\n").unwrap();
    writeln!(out, "| engine | nodes | events | delivery time | deliveries/s | duplicates | change p50 / p99 without webhook | with webhook | recording time |").unwrap();
    writeln!(out, "|---|---|---|---|---|---|---|---|---|").unwrap();
    for r in runs {
        writeln!(
            out,
            "| {} | {} | {} | {:.2}s | {:.0} | {} | {} / {} | {} / {} | {:.1}s |",
            r.engine,
            r.nodes,
            r.distinct,
            r.delivery.as_secs_f64(),
            rate(r),
            r.deliveries - r.distinct as u64,
            ms(r.plain.p50),
            ms(r.plain.p99),
            ms(r.hooked.p50),
            ms(r.hooked.p99),
            r.seeding.as_secs_f64()
        )
        .unwrap();
    }
    writeln!(out, "\n| target | measured | met |\n|---|---|---|").unwrap();
    for r in runs {
        let overhead = r.hooked.p99.saturating_sub(r.plain.p99);
        if r.nodes == 1 {
            let pass = rate(r) >= MIN_DELIVERIES_PER_SEC;
            writeln!(
                out,
                "| {}: >= {:.0} deliveries/s | {:.0} | {} |",
                r.engine,
                MIN_DELIVERIES_PER_SEC,
                rate(r),
                yes(pass)
            )
            .unwrap();
        }
        let pass = overhead < MAX_ENQUEUE_P99;
        writeln!(
            out,
            "| {}: enqueue adds < {} to the change at p99 | {} ({} vs {}) | {} |",
            r.engine,
            ms(MAX_ENQUEUE_P99),
            ms(overhead),
            ms(r.hooked.p99),
            ms(r.plain.p99),
            yes(pass)
        )
        .unwrap();
    }
    out
}

fn rate(r: &Run) -> f64 {
    r.distinct as f64 / r.delivery.as_secs_f64().max(1e-9)
}

fn yes(pass: bool) -> &'static str {
    if pass {
        "yes"
    } else {
        "**no**"
    }
}
