//! Signing in with a password, throttled: failures are counted per login name and per
//! client address in the database (so every node sees them), a blocked key is refused
//! before any password hashing, and hashing itself goes through the [`PasswordGate`].

use crate::password_gate::PasswordGate;
use crate::{login, secrets, ServiceResult, Services, SessionHandle};
use chrono::{DateTime, Duration, Utc};
use std::net::IpAddr;
use talkchannel_domain::{ThrottlePolicy, ThrottleState};

/// How often (one failure in N) counting a failure also deletes quiet throttle rows.
const PURGE_ONE_IN: u32 = 64;

/// The sign-in limits (`[sign_in]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    /// Failures per login name (email or phone number, normalised).
    pub per_login: ThrottlePolicy,
    /// Failures per client address (IPv4 address or IPv6 /64), whatever the login.
    pub per_address: ThrottlePolicy,
    /// Password hashes that run at once.
    pub hash_concurrency: usize,
    /// Checks that may wait for one of them; more are answered "busy".
    pub hash_queue: usize,
}

impl Default for SignInLimits {
    fn default() -> Self {
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            per_login: ThrottlePolicy {
                limit: 5,
                window: Duration::minutes(15),
                base_backoff: Duration::seconds(30),
                max_backoff: Duration::minutes(15),
            },
            per_address: ThrottlePolicy {
                limit: 30,
                window: Duration::minutes(15),
                base_backoff: Duration::seconds(60),
                max_backoff: Duration::hours(1),
            },
            hash_concurrency: cpus,
            hash_queue: cpus * 8,
        }
    }
}

/// How a sign-in attempt ended.
#[derive(Debug)]
pub enum SignIn {
    SignedIn(SessionHandle),
    /// Wrong login or password.
    Refused,
    /// Too many failures for this login or address: no password was checked.
    Throttled {
        retry_at: DateTime<Utc>,
    },
    /// Password checks are saturated; try again in a moment.
    Busy,
}

/// The throttle keys of an attempt; hashed, so the table holds no emails or addresses.
struct Keys {
    login: String,
    address: Option<String>,
}

impl Keys {
    fn of(login: &str, client: Option<IpAddr>) -> Self {
        let name = login::normalise_login(login).unwrap_or_else(|| login.trim().to_lowercase());
        Self {
            login: secrets::token_hash(&format!("login:{name}")),
            address: client.map(|ip| secrets::token_hash(&format!("addr:{}", address_key(ip)))),
        }
    }

    fn all(&self) -> Vec<String> {
        std::iter::once(self.login.clone())
            .chain(self.address.clone())
            .collect()
    }
}

/// IPv4 addresses count one by one; IPv6 by /64, the block one subscriber usually has
/// (counting single IPv6 addresses would give every guesser 2^64 fresh addresses).
fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

fn blocked(states: &[ThrottleState], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    states.iter().filter_map(|s| s.blocked_at(now)).max()
}

impl Services {
    /// Checks `login` and `password` from `client` unless either is throttled; on success
    /// replaces `old` (so a session id planted before sign-in is worthless) with a new
    /// signed-in session and forgets the login's failures.
    pub async fn sign_in(
        &self,
        old: Option<&SessionHandle>,
        login: &str,
        password: &str,
        client: Option<IpAddr>,
    ) -> ServiceResult<SignIn> {
        let keys = Keys::of(login, client);
        let now = self.now();
        let known = self.store.throttle_states(&keys.all()).await?;
        let states: Vec<ThrottleState> = known.into_iter().map(|(_, s)| s).collect();
        if let Some(retry_at) = blocked(&states, now) {
            return Ok(SignIn::Throttled { retry_at });
        }
        let Ok(found) = self.verify_login(login, password).await? else {
            return Ok(SignIn::Busy);
        };
        let Some(account) = found else {
            return self.count_failure(&keys).await;
        };
        // Only the login's count: clearing the address's would let a guesser who owns
        // one account wipe it between guesses at others.
        self.store.clear_throttle(&keys.login).await?;
        self.switch_session(old, account)
            .await
            .map(SignIn::SignedIn)
    }

    async fn count_failure(&self, keys: &Keys) -> ServiceResult<SignIn> {
        let limits = &self.sign_in_limits;
        let now = self.now();
        let mut states = self
            .store
            .record_sign_in_failure(std::slice::from_ref(&keys.login), &limits.per_login, now)
            .await?;
        if let Some(address) = &keys.address {
            let more = self
                .store
                .record_sign_in_failure(std::slice::from_ref(address), &limits.per_address, now)
                .await?;
            states.extend(more);
        }
        if rand::random_ratio(1, PURGE_ONE_IN) {
            let quiet = limits.per_login.window.max(limits.per_address.window);
            let purged = self.store.purge_throttles(now - quiet).await?;
            tracing::debug!(purged, "quiet sign-in throttle rows purged");
        }
        Ok(match blocked(&states, now) {
            Some(retry_at) => SignIn::Throttled { retry_at },
            None => SignIn::Refused,
        })
    }

    /// The gate password hashing goes through (tests count its hashes).
    pub fn password_gate(&self) -> &std::sync::Arc<PasswordGate> {
        &self.password_gate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_count_by_64_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_eq!(address_key("::ffff:10.0.0.1".parse().unwrap()), "10.0.0.1");
        assert_ne!(
            address_key("10.0.0.1".parse().unwrap()),
            address_key("10.0.0.2".parse().unwrap())
        );
    }
}
