//! The messages bench's markdown report.

use super::Args;
use crate::machine::RunContext;
use crate::segments::percentile;
use std::time::Duration;

/// Everything a run measured, for the report.
pub(super) struct Figures {
    pub(super) seeded: Option<String>,
    pub(super) members: u64,
    pub(super) load: Duration,
    pub(super) first: (Duration, Duration),
    pub(super) second: (Duration, Duration),
    pub(super) idle: Vec<Duration>,
    pub(super) during: Vec<Duration>,
    pub(super) after: Vec<Duration>,
    pub(super) recipients: u64,
    pub(super) female_friends: u64,
    pub(super) sampled: (usize, usize),
    pub(super) wrong: Vec<String>,
    pub(super) rss_mb: f64,
}

pub(super) fn report(args: &Args, context: &RunContext, engine: &str, f: &Figures) {
    println!(
        "## Message send to a friend group (messages), {engine}, {} friends\n",
        args.seeding.friends
    );
    println!("{}, {}\n", context.machine(), context.date);
    println!("| measure | value | target |\n|---|---|---|");
    match (&f.seeded, &args.database) {
        (Some(seeded), _) => println!("| seed | {seeded} | - |"),
        (None, Some(path)) => println!("| seed | reused {} | - |", path.display()),
        (None, None) => println!("| seed | reused | - |"),
    }
    println!(
        "| group members (count after start = segment index load) | {} in {:.2} s | - |",
        f.members,
        f.load.as_secs_f64()
    );
    println!(
        "| first send: call until 200 (recipients committed) | {:.2} s (server CPU {:.2} s) | < 10 s |",
        f.first.0.as_secs_f64(),
        f.first.1.as_secs_f64()
    );
    println!(
        "| second send, readers running | {:.2} s (server CPU {:.2} s) | < 10 s |",
        f.second.0.as_secs_f64(),
        f.second.1.as_secs_f64()
    );
    println!(
        "| chat read (last 50) p50 / p99 / max, before the send | {} | - |",
        summary(&f.idle)
    );
    println!(
        "| chat read p50 / p99 / max, during the send ({} readers) | {} | p99 < 10 ms |",
        args.readers,
        summary(&f.during)
    );
    println!(
        "| chat read p50 / p99 / max, 2 s after the send | {} | - |",
        summary(&f.after)
    );
    println!(
        "| recipients = SQL count of female friends | {} = {}: {} | equal |",
        f.recipients,
        f.female_friends,
        if f.recipients == f.female_friends {
            "yes"
        } else {
            "NO"
        }
    );
    println!(
        "| sampled chats ({} members, {} non-members) | {} | each member once, no non-member |",
        f.sampled.0,
        f.sampled.1,
        if f.wrong.is_empty() {
            "correct".to_owned()
        } else {
            f.wrong.join("; ")
        }
    );
    println!(
        "| server peak RSS (VmHWM) | {:.0} MB | < 1536 MB |",
        f.rss_mb
    );
    println!("\ncommand: `{}`", context.command);
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
