//! `talkchannel-bench messages`: a send to a friend group of about half a channel's
//! friends (issue 6) on SQLite. Seeds N friends with `talkchannel seed`, starts the
//! release server, makes the group `gender = female` (profile), warms the segment index
//! with a count, then sends two messages to it through the control API. The second send
//! runs while several readers read sampled accounts' chats (last 50 messages).
//!
//! What is timed for a send: from issuing `POST .../messages/{id}/send` until its 200
//! answer. The server answers after the transaction that stores the recipient set and
//! marks the message sent has committed (SQLite WAL, `synchronous = NORMAL`: durable
//! against a crash of the server process), so that is "recipients fixed durably". The
//! server's CPU time over the call is reported beside it (robust to a loaded machine).

use crate::control::ControlClient;
use crate::machine::RunContext;
use crate::segments::{peak_rss_mb, percentile, seed_channel};
use crate::server::{ServerOptions, ServerProcess};
use anyhow::{bail, ensure, Context, Result};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const OPERATOR_TOKEN: &str = "talkchannel-bench-operator-token-0001";
const CHANNEL: &str = "_msgbench";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The release server binary [build it: cargo build --release -p talkchannel-server]
    #[arg(long, default_value = "target/release/talkchannel")]
    server_bin: PathBuf,
    /// Friends to seed (the group is the female half)
    #[arg(long, default_value_t = 10_000_000)]
    friends: u64,
    /// Concurrent chat readers during the send
    #[arg(long, default_value_t = 4)]
    readers: usize,
    /// Sampled members and sampled non-members (each) whose chats are read and checked
    #[arg(long, default_value_t = 8)]
    samples: usize,
    /// Keep the seeded SQLite database at this path and reuse it when it exists (for
    /// back-to-back A/B runs of two server binaries on the same data)
    #[arg(long)]
    database: Option<PathBuf>,
}

/// Accounts sampled from the database file, independently of the server.
struct Sample {
    members: Vec<i64>,
    others: Vec<i64>,
    /// Friends whose profile gender is female, counted by SQL.
    female_friends: u64,
}

async fn sample(db: &str, friends: u64, n: usize) -> Result<Sample> {
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect(&format!("{db}?mode=ro"))
        .await?;
    let first: i64 = sqlx::query_scalar(
        "SELECT MIN(account_id) FROM friendships \
         WHERE channel_id = (SELECT id FROM channels WHERE public_id = ?)",
    )
    .bind(CHANNEL)
    .fetch_one(&pool)
    .await?;
    let pick = "SELECT a.id FROM accounts a JOIN friendships f ON f.account_id = a.id \
         WHERE f.channel_id = (SELECT id FROM channels WHERE public_id = ?) \
         AND f.relation = 'ADDED' AND a.gender = ? AND a.id >= ? ORDER BY a.id LIMIT 1";
    let (mut members, mut others) = (Vec::new(), Vec::new());
    for i in 0..n as u64 {
        let from = first + (i * friends / n as u64 + i * 7) as i64;
        for (gender, into) in [("female", &mut members), ("male", &mut others)] {
            let id: i64 = sqlx::query_scalar(pick)
                .bind(CHANNEL)
                .bind(gender)
                .bind(from)
                .fetch_one(&pool)
                .await?;
            into.push(id);
        }
    }
    let female: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM friendships f JOIN accounts a ON a.id = f.account_id \
         WHERE f.channel_id = (SELECT id FROM channels WHERE public_id = ?) \
         AND f.relation = 'ADDED' AND a.gender = 'female'",
    )
    .bind(CHANNEL)
    .fetch_one(&pool)
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
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after_name = stat.rsplit(')').next().context("stat")?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the name.
    let ticks: u64 = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
    Ok(Duration::from_millis(ticks * 10))
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

fn summary(d: &[Duration]) -> String {
    if d.is_empty() {
        return "no reads".to_owned();
    }
    format!(
        "{:.2} ms / {:.2} ms / {:.2} ms ({} reads)",
        percentile(d, 0.5).as_secs_f64() * 1e3,
        percentile(d, 0.99).as_secs_f64() * 1e3,
        d[d.len() - 1].as_secs_f64() * 1e3,
        d.len()
    )
}

pub async fn run(args: Args) -> Result<()> {
    let context = RunContext::collect();
    let dir = tempfile::tempdir()?;
    let path = (args.database.clone()).unwrap_or_else(|| dir.path().join("msg.db"));
    let db = format!("sqlite://{}", path.display());
    let seed_secs = if path.exists() {
        eprintln!("reusing {}", path.display());
        None
    } else {
        eprintln!("seeding {} friends ...", args.friends);
        Some(
            seed_channel(&args.server_bin, args.friends, CHANNEL, &db)
                .await?
                .0,
        )
    };
    let sample = sample(&db, args.friends, args.samples).await?;
    let options = ServerOptions {
        database_url: Some(db.clone()),
        ..ServerOptions::default()
    };
    let server = ServerProcess::start_with(&args.server_bin, OPERATOR_TOKEN, &options).await?;
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
    let idle = latencies(&reads, idle_from, send_from);
    let during = latencies(&reads, send_from, send_to);
    let after = latencies(&reads, send_to, Instant::now());

    let message = control
        .get(&format!("/channels/{CHANNEL}/messages/{id}"))
        .await?;
    let recipients = message["recipients"].as_u64().context("recipients")?;
    let mut wrong = Vec::new();
    for &a in &sample.members {
        for m in [first_id, id] {
            if times_in_chat(&control, a, m).await? != 1 {
                wrong.push(format!("member {a} lacks message {m} or has it twice"));
            }
        }
    }
    for &a in &sample.others {
        for m in [first_id, id] {
            if times_in_chat(&control, a, m).await? != 0 {
                wrong.push(format!("non-member {a} has message {m}"));
            }
        }
    }
    let rss = peak_rss_mb(pid)?;
    server.stop().await?;

    println!(
        "## Message send to a friend group (messages), SQLite, {} friends\n",
        args.friends
    );
    println!("{}, {}\n", context.machine(), context.date);
    println!("| measure | value | target |\n|---|---|---|");
    match seed_secs {
        Some(secs) => println!("| seed | {secs:.1} s | - |"),
        None => println!("| seed | reused {} | - |", path.display()),
    }
    println!(
        "| group members (count after start = segment index load) | {members} in {:.2} s | - |",
        load.as_secs_f64()
    );
    println!("| first send: call until 200 (recipients committed) | {:.2} s (server CPU {:.2} s) | < 10 s |", first_wall.as_secs_f64(), first_cpu.as_secs_f64());
    println!(
        "| second send, readers running | {:.2} s (server CPU {:.2} s) | < 10 s |",
        wall.as_secs_f64(),
        cpu.as_secs_f64()
    );
    println!(
        "| chat read (last 50) p50 / p99 / max, before the send | {} | - |",
        summary(&idle)
    );
    println!(
        "| chat read p50 / p99 / max, during the send ({} readers) | {} | p99 < 10 ms |",
        args.readers,
        summary(&during)
    );
    println!(
        "| chat read p50 / p99 / max, 2 s after the send | {} | - |",
        summary(&after)
    );
    println!(
        "| recipients = SQL count of female friends | {recipients} = {}: {} | equal |",
        sample.female_friends,
        if recipients == sample.female_friends {
            "yes"
        } else {
            "NO"
        }
    );
    println!(
        "| sampled chats ({} members, {} non-members) | {} | each member once, no non-member |",
        sample.members.len(),
        sample.others.len(),
        if wrong.is_empty() {
            "correct".to_owned()
        } else {
            wrong.join("; ")
        }
    );
    println!("| server peak RSS (VmHWM) | {rss:.0} MB | < 1536 MB |");
    println!("\ncommand: `{}`", context.command);
    if recipients != sample.female_friends || !wrong.is_empty() {
        bail!("the send reached the wrong accounts");
    }
    Ok(())
}
