use crate::config::{Config, LogFormat};
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// talkchannel: a self-hosted Kakao Talk Channel platform and emulator.
#[derive(Debug, Parser)]
#[command(name = "talkchannel", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (migrates the database first).
    Serve(Settings),
    /// Bring the database schema up to date, then exit.
    Migrate(Settings),
    /// Print the effective configuration with secrets redacted.
    PrintConfig(Settings),
    /// Replace the stored operator token and print the new one.
    RotateOperatorToken(Settings),
    /// Import a CSV into a customer file (all rows or none), straight into the database.
    Import(ImportArgs),
    /// Build a synthetic channel with N friends and a customer file of N rows.
    Seed(SeedArgs),
}

/// `talkchannel seed --friends 1000000 --channel _seed1m --seed 7`.
#[derive(Debug, Args)]
pub struct SeedArgs {
    /// How many friends (and customer-file rows) to create
    #[arg(long, default_value_t = 1_000_000)]
    pub friends: u64,
    /// The new channel's public id (must not exist yet)
    #[arg(long, default_value = "_seed")]
    pub channel: String,
    /// Makes the generated values reproducible: same seed, same data
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[command(flatten)]
    pub settings: Settings,
}

/// `talkchannel import --file-id 7 --user-type phone customers.csv`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The customer file to load (its id, as the Kakao API or control API shows it)
    #[arg(long)]
    pub file_id: i64,
    /// What the id column holds: `app` (app user ids) or `phone` (phone numbers)
    #[arg(long)]
    pub user_type: String,
    /// A CSV whose header names the id column (id, user_id, app_user_id, phone or
    /// phone_number) and fields of the file's schema
    pub csv: PathBuf,
    #[command(flatten)]
    pub settings: Settings,
}

/// Every setting; flags win over `TALKCHANNEL_*` variables, which win over the file.
#[derive(Debug, Args, Default)]
pub struct Settings {
    /// TOML configuration file [default: ./talkchannel.toml when it exists]
    #[arg(long, env = "TALKCHANNEL_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "TALKCHANNEL_BIND")]
    pub bind: Option<SocketAddr>,
    /// Port to listen on (overrides the port of --bind; 0 picks a free one)
    #[arg(long, short, env = "TALKCHANNEL_PORT")]
    pub port: Option<u16>,
    /// sqlite://path or postgres://... [default: sqlite://./data/talkchannel.db]
    #[arg(long, env = "TALKCHANNEL_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Fixed operator token for the control API (otherwise generated on first start)
    #[arg(long, env = "TALKCHANNEL_OPERATOR_TOKEN", hide_env_values = true)]
    pub operator_token: Option<String>,
    /// Log format
    #[arg(long, env = "TALKCHANNEL_LOG_FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Largest request body, in bytes [default: 2097152]
    #[arg(long, env = "TALKCHANNEL_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,
    /// Request timeout in seconds [default: 30]
    #[arg(long, env = "TALKCHANNEL_REQUEST_TIMEOUT_SECS")]
    pub request_timeout_secs: Option<u64>,
}

impl Settings {
    /// Layers flags and environment (already merged by clap) over the file.
    pub fn resolve(&self) -> anyhow::Result<Config> {
        let mut config = Config::from_file(self.config.as_deref())?;
        if let Some(bind) = self.bind {
            config.bind = bind;
        }
        if let Some(port) = self.port {
            config.bind.set_port(port);
        }
        if let Some(url) = &self.database_url {
            config.database_url = url.clone();
        }
        if let Some(token) = &self.operator_token {
            config.operator_token = Some(token.clone());
        }
        if let Some(format) = self.log_format {
            config.log_format = format;
        }
        if let Some(bytes) = self.max_body_bytes {
            config.max_body_bytes = bytes;
        }
        if let Some(secs) = self.request_timeout_secs {
            config.request_timeout_secs = secs;
        }
        config.validate()?;
        Ok(config)
    }
}
