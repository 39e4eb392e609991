//! Settings, from (highest first) command-line flags, `TALKCHANNEL_*` environment
//! variables, a TOML file, and defaults.

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://./data/talkchannel.db";
/// Read when no `--config` is given and the file exists.
pub const DEFAULT_CONFIG_FILE: &str = "talkchannel.toml";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port (printed at start).
    pub bind: SocketAddr,
    /// `sqlite://path` (embedded default) or `postgres://...`.
    pub database_url: String,
    /// Fixed operator token for the control API; generated on first start when unset.
    pub operator_token: Option<String>,
    /// `text` or `json`.
    pub log_format: LogFormat,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Largest CSV upload to `/admin/api/v1/customer-files/{id}/imports`, in bytes
    /// (streamed, never held in memory).
    pub max_import_bytes: usize,
    /// Requests running longer are answered 408.
    pub request_timeout_secs: u64,
    pub access_token_ttl_secs: i64,
    pub refresh_token_ttl_secs: i64,
    /// Webhook delivery: workers, allowed destinations, leases (`[webhooks]`).
    pub webhooks: crate::WebhookConfig,
    /// The user-facing pages: cookies, sessions, the emulator's account picker (`[pages]`).
    pub pages: talkchannel_api::pages::PageSettings,
    /// How often to look for scheduled messages whose time has come.
    pub message_poll_interval_ms: u64,
    /// Friend-group index snapshots (`[segments]`).
    pub segments: crate::SegmentsConfig,
    /// Sign-in throttling and password-hashing bounds (`[sign_in]`).
    pub sign_in: crate::SignInConfig,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: DEFAULT_BIND.parse().expect("valid default address"),
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            operator_token: None,
            log_format: LogFormat::Text,
            max_body_bytes: 2 * 1024 * 1024,
            max_import_bytes: 1024 * 1024 * 1024,
            request_timeout_secs: 30,
            access_token_ttl_secs: 21_599,
            refresh_token_ttl_secs: 5_183_999,
            webhooks: crate::WebhookConfig::default(),
            pages: talkchannel_api::pages::PageSettings::default(),
            message_poll_interval_ms: 1_000,
            segments: crate::SegmentsConfig::default(),
            sign_in: crate::SignInConfig::default(),
        }
    }
}

impl Config {
    /// Reads the file named explicitly (which must exist) or the default file if present.
    pub fn from_file(explicit: Option<&Path>) -> anyhow::Result<Self> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None if Path::new(DEFAULT_CONFIG_FILE).exists() => PathBuf::from(DEFAULT_CONFIG_FILE),
            None => return Ok(Self::default()),
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| {
            format!(
                "config file {} is not valid (see docs/configuration.md)",
                path.display()
            )
        })
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres://")
            || self.database_url.starts_with("postgresql://"))
        {
            bail!(
                "database_url must start with sqlite:// or postgres:// (got `{}`)",
                redact_url(&self.database_url)
            );
        }
        if let Some(token) = &self.operator_token {
            if token.len() < 16 {
                bail!("operator_token must be at least 16 characters");
            }
        }
        if self.max_body_bytes < 1024
            || self.request_timeout_secs == 0
            || self.message_poll_interval_ms == 0
            || self.segments.snapshot_interval_secs == 0
            || self.access_token_ttl_secs <= 0
            || self.refresh_token_ttl_secs <= 0
            || self.pages.session_ttl_secs <= 0
            || self.pages.max_sessions_per_account == 0
        {
            bail!(
                "max_body_bytes must be at least 1024, and timeouts, message_poll_interval_ms, segments.snapshot_interval_secs, token and session lifetimes and pages.max_sessions_per_account positive"
            );
        }
        self.sign_in.validate()?;
        self.webhooks.validate()
    }

    /// The configuration as TOML with secrets replaced, for `print-config`.
    pub fn redacted_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database_url = redact_url(&self.database_url);
        shown.operator_token = self
            .operator_token
            .as_ref()
            .map(|_| "<redacted>".to_owned());
        toml::to_string(&shown).unwrap_or_else(|e| format!("# cannot render configuration: {e}\n"))
    }
}

/// Hides the password of a database URL.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("redacted"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_secrets() {
        let config = Config {
            database_url: "postgres://tc:hunter2@db/tc".into(),
            operator_token: Some("a-very-secret-operator-token".into()),
            ..Config::default()
        };
        let shown = config.redacted_toml();
        assert!(
            !shown.contains("hunter2") && !shown.contains("a-very-secret"),
            "{shown}"
        );
        assert!(shown.contains("postgres://tc:redacted@db/tc"));
    }

    #[test]
    fn rejects_unknown_keys_and_bad_urls() {
        assert!(toml::from_str::<Config>("bnid = \"1.2.3.4:5\"").is_err());
        let config = Config {
            database_url: "mysql://x".into(),
            ..Config::default()
        };
        assert!(config.validate().is_err());
    }
}
