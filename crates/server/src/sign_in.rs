//! `[sign_in]`: the sign-in throttle's limits, the bound on password hashing, and which
//! proxies may name the client's address. See docs/user-side.md, "Sign-in throttling".

use anyhow::bail;
use serde::{Deserialize, Serialize};
use talkchannel_api::pages::ClientAddresses;
use talkchannel_domain::ThrottlePolicy;
use talkchannel_service::SignInLimits;

/// One throttle: `limit` failures within `window_secs` block for `backoff_secs`,
/// doubling with each block in a row up to `max_backoff_secs`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ThrottleConfig {
    pub limit: u32,
    pub window_secs: i64,
    pub backoff_secs: i64,
    pub max_backoff_secs: i64,
}

impl ThrottleConfig {
    fn policy(&self) -> ThrottlePolicy {
        ThrottlePolicy {
            limit: self.limit,
            window: chrono::Duration::seconds(self.window_secs),
            base_backoff: chrono::Duration::seconds(self.backoff_secs),
            max_backoff: chrono::Duration::seconds(self.max_backoff_secs),
        }
    }

    fn of(p: &ThrottlePolicy) -> Self {
        Self {
            limit: p.limit,
            window_secs: p.window.num_seconds(),
            backoff_secs: p.base_backoff.num_seconds(),
            max_backoff_secs: p.max_backoff.num_seconds(),
        }
    }

    fn valid(&self) -> bool {
        self.limit > 0
            && self.window_secs > 0
            && self.backoff_secs > 0
            && self.max_backoff_secs >= self.backoff_secs
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct SignInConfig {
    /// Failures per login name (email or phone number).
    pub per_login: ThrottleConfig,
    /// Failures per client address (IPv4 address, IPv6 /64), whatever the login.
    pub per_address: ThrottleConfig,
    /// Password hashes running at once on this node; 0 = the number of CPUs.
    pub hash_concurrency: usize,
    /// Sign-ins that may wait for a hash slot; more get 503 at once. 0 = 8 per slot.
    pub hash_queue: usize,
    /// Proxies (addresses or CIDR blocks) whose `X-Forwarded-For` names the client;
    /// empty (the default): the socket peer is the client.
    pub trusted_proxies: Vec<String>,
}

impl Default for SignInConfig {
    fn default() -> Self {
        let limits = SignInLimits::default();
        Self {
            per_login: ThrottleConfig::of(&limits.per_login),
            per_address: ThrottleConfig::of(&limits.per_address),
            hash_concurrency: 0,
            hash_queue: 0,
            trusted_proxies: Vec::new(),
        }
    }
}

impl SignInConfig {
    pub fn validate(&self) -> anyhow::Result<()> {
        if !(self.per_login.valid() && self.per_address.valid()) {
            bail!("sign_in throttles need a positive limit, window_secs and backoff_secs, and max_backoff_secs >= backoff_secs");
        }
        if let Err(e) = self.client_addresses() {
            bail!("sign_in.trusted_proxies: {e}");
        }
        Ok(())
    }

    pub fn limits(&self) -> SignInLimits {
        let defaults = SignInLimits::default();
        let concurrency = match self.hash_concurrency {
            0 => defaults.hash_concurrency,
            n => n,
        };
        SignInLimits {
            per_login: self.per_login.policy(),
            per_address: self.per_address.policy(),
            hash_concurrency: concurrency,
            hash_queue: match self.hash_queue {
                0 => concurrency * 8,
                n => n,
            },
        }
    }

    pub fn client_addresses(&self) -> Result<ClientAddresses, String> {
        ClientAddresses::trusting(&self.trusted_proxies)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_and_validate() {
        let config = SignInConfig::default();
        config.validate().expect("defaults are valid");
        assert_eq!(config.limits().per_login, SignInLimits::default().per_login);
        let text = toml::to_string(&config).expect("toml");
        assert_eq!(
            toml::from_str::<SignInConfig>(&text).expect("parse"),
            config
        );
    }

    #[test]
    fn bad_limits_and_proxies_are_refused() {
        let mut config = SignInConfig::default();
        config.per_login.limit = 0;
        assert!(config.validate().is_err());
        let config = SignInConfig {
            trusted_proxies: vec!["10.0.0.0/40".into()],
            ..SignInConfig::default()
        };
        assert!(config.validate().is_err());
    }
}
