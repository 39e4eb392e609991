//! `talkchannel-bench messages`: a send to a friend group of about half a channel's
//! friends (issue 6) on SQLite or PostgreSQL (`--database-url`, see [`crate::database`]).
//! Seeds N friends with `talkchannel seed`, starts the
//! release server, makes the group `gender = female` (profile), warms the segment index
//! with a count, then sends two messages to it through the control API. The second send
//! runs while several readers read sampled accounts' chats (last 50 messages).
//!
//! What is timed for a send: from issuing `POST .../messages/{id}/send` until its 200
//! answer. The server answers after the transaction that stores the recipient set and
//! marks the message sent has committed (SQLite WAL, `synchronous = NORMAL`: durable
//! against a crash of the server process; PostgreSQL with `synchronous_commit` on, its
//! default: flushed to its WAL), so that is "recipients fixed durably". The
//! server's CPU time over the call is reported beside it (robust to a loaded machine).

use crate::control::ControlClient;
use crate::database::{Arg, BenchDatabase, SeedingArgs};
use crate::machine::RunContext;
use crate::process::{cpu_secs, peak_rss_mb};
use crate::server::ServerProcess;
use anyhow::{bail, ensure, Context, Result};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod report;

use report::{report, Figures};

const OPERATOR_TOKEN: &str = "talkchannel-bench-operator-token-0001";
const CHANNEL: &str = "_msgbench";

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    seeding: SeedingArgs,
    /// Concurrent chat readers during the send
    #[arg(long, default_value_t = 4)]
    readers: usize,
    /// Sampled members and sampled non-members (each) whose chats are read and checked
    #[arg(long, default_value_t = 8)]
    samples: usize,
    /// Keep the seeded SQLite database at this path and reuse it when it exists (for
    /// back-to-back A/B runs of two server binaries on the same data)
    #[arg(long, conflicts_with = "database_url")]
    database: Option<PathBuf>,
}

/// Accounts sampled from the database file, independently of the server.
struct Sample {
    members: Vec<i64>,
    others: Vec<i64>,
    /// Friends whose profile gender is female, counted by SQL.
    female_friends: u64,
}

async fn sample(db: &BenchDatabase, friends: u64, n: usize) -> Result<Sample> {
    let reader = db.reader().await?;
    let first = reader
        .scalar(
            "SELECT MIN(account_id) FROM friendships \
             WHERE channel_id = (SELECT id FROM channels WHERE public_id = ?)",
            &[Arg::Text(CHANNEL)],
        )
        .await?;
    let pick = "SELECT a.id FROM accounts a JOIN friendships f ON f.account_id = a.id \
         WHERE f.channel_id = (SELECT id FROM channels WHERE public_id = ?) \
         AND f.relation = 'ADDED' AND a.gender = ? AND a.id >= ? ORDER BY a.id LIMIT 1";
    let (mut members, mut others) = (Vec::new(), Vec::new());
    for i in 0..n as u64 {
        let from = first + (i * friends / n as u64 + i * 7) as i64;
        for (gender, into) in [("female", &mut members), ("male", &mut others)] {
            let args = [Arg::Text(CHANNEL), Arg::Text(gender), Arg::Int(from)];
            into.push(reader.scalar(pick, &args).await?);
        }
    }
    let female = reader
        .scalar(
            "SELECT COUNT(*) FROM friendships f JOIN accounts a ON a.id = f.account_id \
             WHERE f.channel_id = (SELECT id FROM channels WHERE public_id = ?) \
             AND f.relation = 'ADDED' AND a.gender = 'female'",
            &[Arg::Text(CHANNEL)],
        )
        .await?;
    Ok(Sample {
        members,
        others,
        female_friends: female as u64,
    })
}

/// The group's first count after the start (the segment index load), retried while the
/// load outlasts the request timeout: (friends, time until answered).
async fn warm_count(control: &ControlClient, group: i64) -> Result<(u64, Duration)> {
    let started = Instant::now();
    let path = format!("/channels/{CHANNEL}/groups/{group}/count");
    loop {
        match control.get(&path).await {
            Ok(v) => return Ok((v["friends"].as_u64().context("friends")?, started.elapsed())),
            Err(_) if started.elapsed() < Duration::from_secs(900) => continue,
            Err(e) => return Err(e.context("no count within 15 minutes")),
        }
    }
}

/// User plus system CPU time of a process so far.
fn cpu_time(pid: u32) -> Result<Duration> {
    Ok(Duration::from_secs_f64(cpu_secs(pid)?))
}

/// Creates a message to the group and sends it: (message id, wall time of the send
/// call, server CPU time over it).
async fn send(
    control: &ControlClient,
    group: i64,
    text: &str,
    pid: u32,
) -> Result<(i64, Duration, Duration)> {
    let body = json!({"content": {"type": "text", "text": text},
        "target": {"kind": "group", "group_id": group}});
    let created = control
        .post(&format!("/channels/{CHANNEL}/messages"), Some(body))
        .await?;
    let id = created["id"].as_i64().context("message id")?;
    let cpu = cpu_time(pid)?;
    let started = Instant::now();
    let sent = control
        .post(&format!("/channels/{CHANNEL}/messages/{id}/send"), None)
        .await?;
    let took = started.elapsed();
    ensure!(sent["state"] == "sent", "the send answered {sent}");
    Ok((id, took, cpu_time(pid)?.saturating_sub(cpu)))
}

/// One chat read: (when it started, how long it took).
type Read = (Instant, Duration);

/// Readers reading the sampled chats (last 50) in turn until `stop`.
fn spawn_readers(
    control: &ControlClient,
    accounts: &[i64],
    readers: usize,
    stop: &Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<Result<Vec<Read>>>> {
    (0..readers)
        .map(|r| {
            let (control, stop) = (control.clone(), Arc::clone(stop));
            let accounts = accounts.to_vec();
            tokio::spawn(async move {
                let mut reads = Vec::new();
                let mut i = r;
                while !stop.load(Ordering::Relaxed) {
                    let account = accounts[i % accounts.len()];
                    let started = Instant::now();
                    control
                        .get(&format!(
                            "/channels/{CHANNEL}/chats/{account}/messages?limit=50"
                        ))
                        .await?;
                    reads.push((started, started.elapsed()));
                    i += 1;
                }
                Ok(reads)
            })
        })
        .collect()
}

/// How many times each message appears in the account's chat.
async fn times_in_chat(control: &ControlClient, account: i64, id: i64) -> Result<usize> {
    let page: Value = control
        .get(&format!(
            "/channels/{CHANNEL}/chats/{account}/messages?limit=50"
        ))
        .await?;
    let items = page["items"].as_array().context("items")?;
    Ok(items.iter().filter(|m| m["message_id"] == id).count())
}

fn latencies(reads: &[Read], from: Instant, to: Instant) -> Vec<Duration> {
    let mut picked: Vec<Duration> = reads
        .iter()
        .filter(|(at, _)| *at >= from && *at < to)
        .map(|(_, d)| *d)
        .collect();
    picked.sort();
    picked
}

pub async fn run(args: Args) -> Result<()> {
    let context = RunContext::collect();
    let db = BenchDatabase::create(
        args.seeding.database_url.as_deref(),
        args.database.as_deref(),
    )
    .await?;
    let engine = db.engine();
    let outcome = measure(&args, &db).await;
    db.remove().await?;
    let f = outcome?;
    report(&args, &context, engine, &f);
    if f.recipients != f.female_friends || !f.wrong.is_empty() {
        bail!("the send reached the wrong accounts");
    }
    Ok(())
}

/// Seeds (unless a kept SQLite file exists) and samples accounts by SQL.
async fn prepare(args: &Args, db: &BenchDatabase) -> Result<(Option<String>, Sample)> {
    let kept = args.database.as_ref().filter(|path| path.exists());
    let seeded = match kept {
        Some(path) => {
            eprintln!("reusing {}", path.display());
            None
        }
        None => {
            eprintln!(
                "seeding {} friends ({}) ...",
                args.seeding.friends,
                db.engine()
            );
            let seeded = db.seed(&args.seeding, CHANNEL).await?;
            Some(seeded.describe(args.seeding.friends))
        }
    };
    Ok((
        seeded,
        sample(db, args.seeding.friends, args.samples).await?,
    ))
}

async fn measure(args: &Args, db: &BenchDatabase) -> Result<Figures> {
    let (seeded, sample) = prepare(args, db).await?;
    let options = db.server_options();
    let server =
        ServerProcess::start_with(&args.seeding.server_bin, OPERATOR_TOKEN, &options).await?;
    let pid = server.pid().context("pid")?;
    let control = ControlClient::new(server.base_url(), OPERATOR_TOKEN)?;
    let tree = json!({"profile": "gender", "op": "equals", "value": "female"});
    let group = control
        .post(
            &format!("/channels/{CHANNEL}/groups"),
            Some(json!({"name": format!("women {}", chrono::Utc::now().timestamp_millis()), "tree": tree})),
        )
        .await?["id"]
        .as_i64()
        .context("group id")?;
    eprintln!("loading the segment index ...");
    let (members, load) = warm_count(&control, group).await?;
    ensure!(
        members == sample.female_friends,
        "group count {members} != SQL {}",
        sample.female_friends
    );

    eprintln!("first send ...");
    let (first_id, first_wall, first_cpu) = send(&control, group, "first", pid).await?;
    let mut chats: Vec<i64> = sample.members.clone();
    chats.extend(&sample.others);
    let stop = Arc::new(AtomicBool::new(false));
    let readers = spawn_readers(&control, &chats, args.readers, &stop);
    let idle_from = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    eprintln!("second send, with {} readers ...", args.readers);
    let send_from = Instant::now();
    let (id, wall, cpu) = send(&control, group, "second", pid).await?;
    let send_to = Instant::now();
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let mut reads = Vec::new();
    for r in readers {
        reads.extend(r.await??);
    }

    let message = control
        .get(&format!("/channels/{CHANNEL}/messages/{id}"))
        .await?;
    let recipients = message["recipients"].as_u64().context("recipients")?;
    let wrong = check_chats(&control, &sample, [first_id, id]).await?;
    let rss_mb = peak_rss_mb(pid)?;
    server.stop().await?;
    Ok(Figures {
        seeded,
        members,
        load,
        first: (first_wall, first_cpu),
        second: (wall, cpu),
        idle: latencies(&reads, idle_from, send_from),
        during: latencies(&reads, send_from, send_to),
        after: latencies(&reads, send_to, Instant::now()),
        recipients,
        female_friends: sample.female_friends,
        sampled: (sample.members.len(), sample.others.len()),
        wrong,
        rss_mb,
    })
}

/// Each sampled member has each message once, no non-member has it: what is wrong.
async fn check_chats(
    control: &ControlClient,
    sample: &Sample,
    messages: [i64; 2],
) -> Result<Vec<String>> {
    let mut wrong = Vec::new();
    for &a in &sample.members {
        for m in messages {
            if times_in_chat(control, a, m).await? != 1 {
                wrong.push(format!("member {a} lacks message {m} or has it twice"));
            }
        }
    }
    for &a in &sample.others {
        for m in messages {
            if times_in_chat(control, a, m).await? != 0 {
                wrong.push(format!("non-member {a} has message {m}"));
            }
        }
    }
    Ok(wrong)
}
