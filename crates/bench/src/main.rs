//! `talkchannel-bench`: load benchmarks of the talkchannel server.
//!
//! Each bench is one subcommand and one module; the shared modules start the release
//! server, seed it through the control API, drive `wrk` and print a markdown report.

mod control;
mod customer_files;
mod database;
mod machine;
mod messages;
mod parallel;
mod process;
mod relationship;
mod report;
mod segments;
mod server;
mod webhooks;
mod wrk;

use clap::{Parser, Subcommand};

/// Load benchmarks of the talkchannel server (run from the workspace root).
#[derive(Debug, Parser)]
#[command(name = "talkchannel-bench", version, about)]
struct Cli {
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Debug, Subcommand)]
enum Bench {
    /// The Kakao relationship check (`GET /v2/api/talk/channels`) against /healthz.
    Relationship(relationship::Args),
    /// Channel webhook delivery: deliveries/s and the enqueue cost of a change.
    Webhooks(webhooks::Args),
    /// Customer files: CSV import (peak RSS), the add-users API, the friends count.
    CustomerFiles(customer_files::Args),
    /// Friend-group counts: warm, after a restart, under friendship churn; peak RSS.
    Segments(segments::Args),
    /// A send to half the friends: recipients fixed durably, chat reads meanwhile, RSS.
    Messages(messages::Args),
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let bench = async {
        match cli.bench {
            Bench::Relationship(args) => relationship::run(args).await,
            Bench::Webhooks(args) => webhooks::run(args).await,
            Bench::CustomerFiles(args) => customer_files::run(args).await,
            Bench::Segments(args) => segments::run(args).await,
            Bench::Messages(args) => messages::run(args).await,
        }
    };
    // Ctrl-C drops the bench's future, and with it its server processes and databases
    // (their `Drop` impls stop and remove them) before the process exits.
    let outcome = tokio::select! {
        outcome = bench => outcome,
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    };
    if let Err(e) = outcome {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
