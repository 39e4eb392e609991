use anyhow::Context;
use clap::Parser;
use std::sync::Arc;
use talkchannel_domain::SystemClock;
use talkchannel_server::cli::{Cli, Command};
use talkchannel_server::{open_store, telemetry, Server};
use talkchannel_service::{Services, TokenPolicy};

/// mimalloc: the hot paths allocate many small strings from several threads, where it
/// is markedly faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    if let Err(e) = run(Cli::parse()).await {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(settings) => serve(settings.resolve()?).await,
        Command::Migrate(settings) => {
            let config = settings.resolve()?;
            telemetry::init(config.log_format);
            open_store(&config.database_url, true).await?;
            println!(
                "database schema is up to date ({})",
                talkchannel_server::config::redact_url(&config.database_url)
            );
            Ok(())
        }
        Command::PrintConfig(settings) => {
            print!("{}", settings.resolve()?.redacted_toml());
            Ok(())
        }
        Command::Import(args) => talkchannel_server::import::run(args).await,
        Command::Seed(args) => talkchannel_server::seed::run(args).await,
        Command::RotateOperatorToken(settings) => {
            let config = settings.resolve()?;
            let services = Services::new(
                open_store(&config.database_url, true).await?,
                Arc::new(SystemClock),
                TokenPolicy::default(),
            );
            let token = services.rotate_operator_token().await?;
            println!(
                "new operator token (shown once; running servers accept it at once):\n{token}"
            );
            Ok(())
        }
    }
}

async fn serve(config: talkchannel_server::Config) -> anyhow::Result<()> {
    telemetry::init(config.log_format);
    // Registered before the server starts: a supervisor may send SIGTERM as soon as it
    // sees the "listening" line, and a signal with no handler yet would kill the process
    // mid-request instead of stopping it gracefully.
    let stop = shutdown_signal().context("cannot install the SIGTERM / Ctrl-C handlers")?;
    let shown_db = talkchannel_server::config::redact_url(&config.database_url);
    let mut server = Server::new(config).start().await?;
    if let Some(token) = &server.generated_operator_token {
        println!("operator token for the control API (shown once, keep it safe):\n  {token}");
    }
    println!(
        "talkchannel listening on http://{} (database: {shown_db})",
        server.addr
    );
    tracing::info!(addr = %server.addr, database = %shown_db, "serving");
    tokio::select! {
        result = server.wait() => result.context("the server stopped unexpectedly"),
        () = stop => {
            tracing::info!("shutting down: finishing in-flight requests");
            server.shutdown().await
        }
    }
}

/// Ctrl-C or SIGTERM (what service managers send). The handlers are installed when this
/// is called, not when the returned future is first polled.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
