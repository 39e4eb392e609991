//! `talkchannel-bench relationship`: the Kakao relationship check (issue 2) under load,
//! in admin-key and user-token mode, against the trivial /healthz baseline.

mod check;
mod seed;

use crate::control::ControlClient;
use crate::machine::RunContext;
use crate::report::{ms, Case, Report, TargetCheck};
use crate::server::ServerProcess;
use crate::wrk::{parse_duration_arg, CycledRequest, Load, Wrk};
use anyhow::Result;
use check::{admin_path, check_shapes, ShapeCheck, CHANNELS_PATH};
use seed::{Dataset, Plan};
use std::path::PathBuf;
use std::time::Duration;

const OPERATOR_TOKEN: &str = "talkchannel-bench-operator-token-0001";
/// Relationship throughput must reach this share of /healthz's.
const MIN_THROUGHPUT_RATIO: f64 = 0.5;
const MAX_P99: Duration = Duration::from_millis(10);

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The release server binary [build it: cargo build --release -p talkchannel-server]
    #[arg(long, default_value = "target/release/talkchannel")]
    server_bin: PathBuf,
    /// Accounts to seed, each linked to the app with the `plusfriends` scope
    #[arg(long, default_value_t = 10_000)]
    accounts: usize,
    /// Channels to seed, all connected to the app
    #[arg(long, default_value_t = 100)]
    channels: usize,
    /// Channels each account has ADDED
    #[arg(long, default_value_t = 30)]
    added: usize,
    /// Channels each account has BLOCKED (the rest are NONE)
    #[arg(long, default_value_t = 5)]
    blocked: usize,
    /// Measured wrk run per case (15s, 1m, ...)
    #[arg(long, default_value = "15s", value_parser = parse_duration_arg)]
    duration: Duration,
    /// Unmeasured wrk run before each case
    #[arg(long, default_value = "3s", value_parser = parse_duration_arg)]
    warmup: Duration,
    /// wrk connections
    #[arg(long, default_value_t = 64)]
    connections: u32,
    /// wrk threads
    #[arg(long, default_value_t = 2)]
    threads: u32,
    /// Control API calls in flight while seeding
    #[arg(long, default_value_t = 32)]
    seed_concurrency: usize,
}

impl Args {
    fn plan(&self) -> Plan {
        Plan {
            accounts: self.accounts,
            channels: self.channels,
            added: self.added,
            blocked: self.blocked,
        }
    }

    fn load(&self, duration: Duration) -> Load {
        Load {
            threads: self.threads,
            connections: self.connections,
            duration,
        }
    }
}

pub async fn run(args: Args) -> Result<()> {
    let plan = args.plan();
    plan.validate()?;
    let wrk_binary = Wrk::locate()?;
    let context = RunContext::collect();
    let server = ServerProcess::start(&args.server_bin, OPERATOR_TOKEN).await?;
    eprintln!(
        "server {} (pid {}) listening on {}",
        args.server_bin.display(),
        server.pid().unwrap_or_default(),
        server.base_url()
    );
    let outcome = bench(
        &args,
        plan,
        &server,
        Wrk::new(wrk_binary, server.base_url())?,
        &context,
    )
    .await;
    let stopped = server.stop().await;
    let markdown = outcome?;
    stopped?;
    println!("{markdown}");
    Ok(())
}

async fn bench(
    args: &Args,
    plan: Plan,
    server: &ServerProcess,
    wrk: Wrk,
    context: &RunContext,
) -> Result<String> {
    let control = ControlClient::new(server.base_url(), OPERATOR_TOKEN)?;
    let dataset = seed::seed(&control, plan, args.seed_concurrency).await?;
    let shape = check_shapes(server.base_url(), &dataset, plan).await?;
    let mut cases = Vec::new();
    for (name, requests) in cases_of(&dataset) {
        cases.push(measure(&wrk, args, name, &requests).await?);
    }
    let report = Report {
        title: "Relationship check (issue 2)",
        context,
        facts: facts(args, plan, &dataset, &shape),
        cases: &cases,
        targets: targets(&cases, args.connections),
    };
    let verdict = if report.all_targets_met() {
        "all targets met"
    } else {
        "some targets NOT met"
    };
    eprintln!("done: {verdict}");
    Ok(report.to_markdown())
}

/// The baseline first, then the relationship check in both modes over every seeded user.
fn cases_of(dataset: &Dataset) -> Vec<(&'static str, Vec<CycledRequest>)> {
    let admin_key = format!("KakaoAK {}", dataset.app.admin_key);
    let admin = dataset
        .users
        .iter()
        .map(|u| CycledRequest::get(admin_path(u.user_id)).with_authorization(admin_key.clone()))
        .collect();
    let user = dataset
        .users
        .iter()
        .map(|u| {
            CycledRequest::get(CHANNELS_PATH)
                .with_authorization(format!("Bearer {}", u.access_token))
        })
        .collect();
    vec![
        ("/healthz", vec![CycledRequest::get("/healthz")]),
        ("relationship, admin key (KakaoAK + target_id)", admin),
        ("relationship, user token (Bearer)", user),
    ]
}

async fn measure(wrk: &Wrk, args: &Args, name: &str, requests: &[CycledRequest]) -> Result<Case> {
    eprintln!(
        "wrk: {name}: {}s warm-up, then {}s measured",
        args.warmup.as_secs(),
        args.duration.as_secs()
    );
    wrk.run(requests, args.load(args.warmup)).await?;
    let report = wrk.run(requests, args.load(args.duration)).await?;
    eprintln!(
        "wrk: {name}: {:.0} req/s, p99 {}",
        report.requests_per_sec,
        ms(report.p99)
    );
    Ok(Case {
        name: name.to_owned(),
        wrk: report,
    })
}

fn targets(cases: &[Case], connections: u32) -> Vec<TargetCheck> {
    let (baseline, checks) = cases.split_first().expect("the baseline case");
    let mut targets = Vec::new();
    for case in checks {
        let ratio = case.wrk.requests_per_sec / baseline.wrk.requests_per_sec;
        targets.push(TargetCheck {
            goal: format!(
                "{}: throughput >= {:.0}% of {}",
                case.name,
                MIN_THROUGHPUT_RATIO * 100.0,
                baseline.name
            ),
            measured: format!(
                "{:.1}% ({:.0} vs {:.0} req/s)",
                ratio * 100.0,
                case.wrk.requests_per_sec,
                baseline.wrk.requests_per_sec
            ),
            pass: ratio >= MIN_THROUGHPUT_RATIO,
        });
        targets.push(TargetCheck {
            goal: format!(
                "{}: p99 < {} at {connections} connections",
                case.name,
                ms(MAX_P99)
            ),
            measured: ms(case.wrk.p99),
            pass: case.wrk.p99 < MAX_P99,
        });
    }
    targets
}

fn facts<'a>(
    args: &Args,
    plan: Plan,
    dataset: &Dataset,
    shape: &ShapeCheck,
) -> Vec<(&'a str, String)> {
    let none = plan.channels - plan.added - plan.blocked;
    let seconds = dataset.seeding_time.as_secs_f64();
    vec![
        ("Server", format!("{} (release), fresh SQLite database in a temp dir, RUST_LOG=warn", args.server_bin.display())),
        (
            "Data",
            format!(
                "1 app, {} connected channels, {} accounts linked with `plusfriends`; each account ADDED {}, BLOCKED {}, NONE {} ({} friendship rows)",
                plan.channels,
                plan.accounts,
                plan.added,
                plan.blocked,
                none,
                plan.accounts * (plan.added + plan.blocked)
            ),
        ),
        ("Seeding", format!("{} control API calls in {seconds:.1}s ({:.0} calls/s, {} in flight)", plan.calls(), plan.calls() as f64 / seconds, args.seed_concurrency)),
        ("Relationship answer", format!("{} bytes of JSON ({} channels, default filter)", shape.response_bytes, plan.channels)),
        (
            "Load",
            format!(
                "wrk {} threads, {} connections, --latency, {}s per case after a {}s warm-up; every case cycles round-robin through a Lua table of requests (one per seeded user); wrk shares the machine with the server",
                args.threads,
                args.connections,
                args.duration.as_secs(),
                args.warmup.as_secs()
            ),
        ),
    ]
}
