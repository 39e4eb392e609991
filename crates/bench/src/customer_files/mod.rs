//! `talkchannel-bench customer-files`: customer-file ingest (issue 3) on SQLite and
//! PostgreSQL: the CSV import with the server's peak RSS, the Kakao add-users API in
//! 2,000-user calls from concurrent clients, and the friends-count read, each beside a
//! baseline measured in the same run (`/healthz`).

mod data;

use crate::control::{ControlClient, FriendAction};
use crate::database::BenchDatabase;
use crate::machine::RunContext;
use crate::parallel::{finish, map_bounded, progress_bar};
use crate::process::{cpu_secs, peak_rss_mb};
use crate::report::{targets_table, TargetCheck};
use crate::server::{ServerOptions, ServerProcess};
use anyhow::{bail, Context, Result};
use std::fmt::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const OPERATOR_TOKEN: &str = "talkchannel-bench-operator-token-0001";
const CHANNEL: &str = "_bench";
const API_TARGET_SQLITE: f64 = 200_000.0;
const CSV_TARGET_SQLITE: f64 = 500_000.0;
const MAX_RSS_MB: f64 = 300.0;
const MAX_COUNT: Duration = Duration::from_millis(100);

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The release server binary [build it: cargo build --release -p talkchannel-server]
    #[arg(long, default_value = "target/release/talkchannel")]
    server_bin: PathBuf,
    /// Users added through the Kakao API
    #[arg(long, default_value_t = 1_000_000)]
    users: usize,
    /// Users per add call (Kakao's maximum is 2,000)
    #[arg(long, default_value_t = 2_000)]
    batch: usize,
    /// Concurrent API clients
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// Rows of the imported CSV (five fields each)
    #[arg(long, default_value_t = 1_000_000)]
    csv_rows: usize,
    /// Accounts with the channel ADDED whose phone numbers are among the users
    #[arg(long, default_value_t = 1_000)]
    friends: usize,
    /// Friends-count reads (and /healthz reads) timed one after another
    #[arg(long, default_value_t = 200)]
    samples: usize,
    /// PostgreSQL server; the bench creates and drops a database `talkchannel_bench_<pid>` on it
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres_url: String,
    /// Measure SQLite only
    #[arg(long)]
    skip_postgres: bool,
}

struct Figures {
    engine: &'static str,
    csv_secs: f64,
    /// Server CPU time (user + system, all threads) spent in each phase.
    csv_cpu_secs: f64,
    api_cpu_secs: f64,
    peak_rss_mb: f64,
    api_secs: f64,
    healthz_calls_per_sec: f64,
    count: Latency,
    healthz: Latency,
    friends_counted: i64,
}

#[derive(Clone, Copy)]
struct Latency {
    p50: Duration,
    p99: Duration,
}

pub async fn run(args: Args) -> Result<()> {
    if args.batch == 0 || args.batch > 2_000 || args.friends > args.users {
        bail!("--batch must be 1 to 2000 and --friends at most --users");
    }
    let context = RunContext::collect();
    let mut figures = vec![run_engine(&args, "sqlite", None).await?];
    if !args.skip_postgres {
        let db = BenchDatabase::create(Some(&args.postgres_url), None)
            .await
            .context("start PostgreSQL or pass --skip-postgres")?;
        let outcome = run_engine(&args, "postgres", Some(db.url())).await;
        db.remove().await?;
        figures.push(outcome?);
    }
    println!("{}", report(&args, &context, &figures));
    Ok(())
}

async fn run_engine(args: &Args, engine: &'static str, url: Option<&str>) -> Result<Figures> {
    // Imports of a million rows outlast the default 30 s request timeout on slow disks.
    let options = ServerOptions {
        database_url: url.map(str::to_owned),
        extra_args: vec!["--request-timeout-secs".into(), "600".into()],
        ..ServerOptions::default()
    };
    let server = ServerProcess::start_with(&args.server_bin, OPERATOR_TOKEN, &options).await?;
    eprintln!(
        "{engine}: server pid {} on {}",
        server.pid().unwrap_or_default(),
        server.base_url()
    );
    let outcome = measure(args, engine, &server).await;
    server.stop().await?;
    outcome
}

async fn measure(args: &Args, engine: &'static str, server: &ServerProcess) -> Result<Figures> {
    let base = server.base_url().to_owned();
    let control = ControlClient::new(&base, OPERATOR_TOKEN)?;
    let app = control.create_app("bench").await?;
    control.create_channel(CHANNEL, "bench channel").await?;
    control.connect(&app, CHANNEL).await?;
    seed_friends(&control, args.friends).await?;
    let http = reqwest::Client::new();
    let kakao_ak = format!("KakaoAK {}", app.admin_key);

    let csv_file = create_file(&http, &base, &kakao_ak, "csv", data::csv_schema()).await?;
    let pid = server.pid().context("the server has no pid")?;
    let cpu_before = cpu_secs(pid)?;
    let csv_secs = import_csv(&http, &base, csv_file, args.csv_rows).await?;
    let csv_cpu_secs = cpu_secs(pid)? - cpu_before;
    let peak_rss_mb = peak_rss_mb(pid)?;
    eprintln!(
        "{engine}: csv import {:.0} rows/s, server CPU {:.2} µs/row, peak RSS {peak_rss_mb:.0} MB",
        args.csv_rows as f64 / csv_secs,
        csv_cpu_secs * 1e6 / args.csv_rows as f64
    );

    let schema = serde_json::json!({"연령": "number", "지역": "string"});
    let api_file = create_file(&http, &base, &kakao_ak, "api", schema).await?;
    let bodies = data::add_bodies(api_file, CHANNEL, args.users, args.batch);
    let cpu_before = cpu_secs(pid)?;
    let api_secs = add_users(&http, &base, &kakao_ak, bodies, args.clients).await?;
    let api_cpu_secs = cpu_secs(pid)? - cpu_before;
    eprintln!(
        "{engine}: api {:.0} users/s, server CPU {:.2} µs/user",
        args.users as f64 / api_secs,
        api_cpu_secs * 1e6 / args.users as f64
    );
    let healthz_calls_per_sec =
        healthz_rate(&http, &base, args.clients, args.users / args.batch).await?;

    let file_path = format!("/customer-files/{api_file}");
    let file = control.get(&file_path).await?;
    if file["registered"].as_u64() != Some(args.users as u64) {
        bail!(
            "the API file holds {} rows, expected {}",
            file["registered"],
            args.users
        );
    }
    let count_url = format!("{base}/admin/api/v1{file_path}");
    let count = latency(&http, &count_url, Some(OPERATOR_TOKEN), args.samples).await?;
    let healthz = latency(&http, &format!("{base}/healthz"), None, args.samples).await?;
    Ok(Figures {
        engine,
        csv_secs,
        csv_cpu_secs,
        api_cpu_secs,
        peak_rss_mb,
        api_secs,
        healthz_calls_per_sec,
        count,
        healthz,
        friends_counted: file["friends"].as_i64().unwrap_or(-1),
    })
}

/// Accounts whose phone numbers are the first `n` users, each with the channel ADDED.
async fn seed_friends(control: &ControlClient, n: usize) -> Result<()> {
    let bar = progress_bar(n as u64, "friends");
    let started = Instant::now();
    map_bounded((0..n).collect(), 16, &bar, |i| {
        let control = control.clone();
        async move {
            let account = control
                .create_account_with_phone(&format!("friend {i}"), &data::phone(i))
                .await?;
            control.friend(CHANNEL, account, FriendAction::Add).await
        }
    })
    .await?;
    finish(&bar, "seeded friends", started);
    Ok(())
}

async fn create_file(
    http: &reqwest::Client,
    base: &str,
    auth: &str,
    name: &str,
    schema: serde_json::Value,
) -> Result<i64> {
    let body =
        serde_json::json!({"channel_public_id": CHANNEL, "file_name": name, "schema": schema});
    let answer: serde_json::Value = ok_json(
        http.post(format!("{base}/v1/talkchannel/create/target_user_file"))
            .header("authorization", auth)
            .json(&body),
    )
    .await?;
    answer["file_id"]
        .as_i64()
        .context("no file_id in the answer")
}

async fn import_csv(http: &reqwest::Client, base: &str, file: i64, rows: usize) -> Result<f64> {
    let body = data::csv(rows);
    eprintln!("csv: {} rows, {:.1} MB", rows, body.len() as f64 / 1e6);
    let started = Instant::now();
    let url = format!("{base}/admin/api/v1/customer-files/{file}/imports?user_type=app");
    let report: serde_json::Value = ok_json(
        http.post(url)
            .bearer_auth(OPERATOR_TOKEN)
            .header("content-type", "text/csv")
            .body(body),
    )
    .await?;
    let secs = started.elapsed().as_secs_f64();
    if report["status"] != "applied" || report["rows_read"].as_u64() != Some(rows as u64) {
        bail!("the import was not applied whole: {report}");
    }
    Ok(secs)
}

async fn add_users(
    http: &reqwest::Client,
    base: &str,
    auth: &str,
    bodies: Vec<Vec<u8>>,
    clients: usize,
) -> Result<f64> {
    let bar = progress_bar(bodies.len() as u64, "add calls");
    let url = format!("{base}/v1/talkchannel/update/target_users");
    let started = Instant::now();
    map_bounded(bodies, clients, &bar, |body| {
        let request = http
            .post(&url)
            .header("authorization", auth)
            .header("content-type", "application/json")
            .body(body);
        async move {
            let answer: serde_json::Value = ok_json(request).await?;
            if answer["success_count"] != answer["request_count"] {
                bail!("some users failed: {answer}");
            }
            Ok(())
        }
    })
    .await?;
    Ok(finish(&bar, "add calls", started).as_secs_f64())
}

/// The same number of calls as the API phase, to `/healthz`, with the same concurrency.
async fn healthz_rate(
    http: &reqwest::Client,
    base: &str,
    clients: usize,
    calls: usize,
) -> Result<f64> {
    let bar = indicatif::ProgressBar::hidden();
    let url = format!("{base}/healthz");
    let started = Instant::now();
    map_bounded((0..calls.max(1)).collect(), clients, &bar, |_| {
        let request = http.get(&url);
        async move {
            request
                .send()
                .await?
                .error_for_status()
                .map(drop)
                .map_err(Into::into)
        }
    })
    .await?;
    Ok(calls.max(1) as f64 / started.elapsed().as_secs_f64())
}

async fn latency(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    samples: usize,
) -> Result<Latency> {
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples.max(1) {
        let mut request = http.get(url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let started = Instant::now();
        request.send().await?.error_for_status()?.bytes().await?;
        times.push(started.elapsed());
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    Ok(Latency {
        p50: at(0.5),
        p99: at(0.99),
    })
}

async fn ok_json<T: serde::de::DeserializeOwned>(request: reqwest::RequestBuilder) -> Result<T> {
    let response = request.send().await.context("the server did not answer")?;
    let status = response.status();
    let text = response.text().await?;
    if !status.is_success() {
        bail!(
            "HTTP {status}: {}",
            text.chars().take(300).collect::<String>()
        );
    }
    serde_json::from_str(&text).with_context(|| format!("not JSON: {text}"))
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn report(args: &Args, c: &RunContext, figures: &[Figures]) -> String {
    let mut out = String::from("## Customer files (issue 3)\n\n");
    writeln!(
        out,
        "- **Command**: `{}`\n- **Machine**: {}\n- **Commit**: {}\n- **Date**: {}",
        c.command,
        c.machine(),
        c.commit,
        c.date
    )
    .unwrap();
    writeln!(out, "- **Server**: {} (release), `--request-timeout-secs 600`, RUST_LOG=warn; SQLite in a temp dir, PostgreSQL in a fresh `talkchannel_bench_<pid>` database on the local server", args.server_bin.display()).unwrap();
    writeln!(out, "- **API path**: {} phone-keyed users (2 fields) in {}-user `update/target_users` calls, {} concurrent clients, bodies built before timing; {} of the numbers belong to accounts with the channel ADDED", args.users, args.batch, args.clients, args.friends).unwrap();
    writeln!(out, "- **CSV**: {} rows x 5 fields, one streamed upload to the control API; peak RSS = the server's VmHWM after the import (the API phase runs after it)", args.csv_rows).unwrap();
    writeln!(out, "- **Server CPU**: user + system time of the server process (all threads, from /proc/PID/stat) during the phase, per row or user: what the work cost, whatever else the machine ran").unwrap();
    writeln!(out, "- **Friends count**: `GET /admin/api/v1/customer-files/{{id}}` on the {}-row file, {} sequential reads; baseline `/healthz` the same way\n", args.users, args.samples).unwrap();
    out.push_str("| engine | CSV rows/s | CSV server CPU µs/row | peak RSS | API users/s | API server CPU µs/user | API calls/s | /healthz calls/s (baseline) | count p50 / p99 | /healthz p50 / p99 | friends counted |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let mut targets = Vec::new();
    for f in figures {
        let csv_rate = args.csv_rows as f64 / f.csv_secs;
        let api_rate = args.users as f64 / f.api_secs;
        let calls = (args.users as f64 / args.batch as f64) / f.api_secs;
        let csv_cpu = f.csv_cpu_secs * 1e6 / args.csv_rows as f64;
        let api_cpu = f.api_cpu_secs * 1e6 / args.users as f64;
        writeln!(out, "| {} | {csv_rate:.0} | {csv_cpu:.2} | {:.0} MB | {api_rate:.0} | {api_cpu:.2} | {calls:.0} | {:.0} | {} / {} | {} / {} | {} |", f.engine, f.peak_rss_mb, f.healthz_calls_per_sec, ms(f.count.p50), ms(f.count.p99), ms(f.healthz.p50), ms(f.healthz.p99), f.friends_counted).unwrap();
        if f.engine == "sqlite" {
            targets.push(check(
                "SQLite API path >= 200,000 users/s",
                format!("{api_rate:.0}"),
                api_rate >= API_TARGET_SQLITE,
            ));
            targets.push(check(
                "SQLite CSV import >= 500,000 rows/s",
                format!("{csv_rate:.0}"),
                csv_rate >= CSV_TARGET_SQLITE,
            ));
        }
        targets.push(check(
            &format!("{}: peak RSS < 300 MB during the import", f.engine),
            format!("{:.0} MB", f.peak_rss_mb),
            f.peak_rss_mb < MAX_RSS_MB,
        ));
        targets.push(check(
            &format!("{}: friends count < 100 ms (p99)", f.engine),
            ms(f.count.p99),
            f.count.p99 < MAX_COUNT,
        ));
        targets.push(check(
            &format!("{}: friends counted = seeded friends", f.engine),
            f.friends_counted.to_string(),
            f.friends_counted == args.friends as i64,
        ));
    }
    out.push('\n');
    out.push_str(&targets_table(&targets));
    out
}

fn check(goal: &str, measured: String, pass: bool) -> TargetCheck {
    TargetCheck {
        goal: goal.to_owned(),
        measured,
        pass,
    }
}
