//! Which destinations outgoing webhooks may reach.
//!
//! The resolver below is the client's only way from a host name to an address, so the
//! address checked is the address connected to: a name that re-resolves to a private
//! address between check and connect (DNS rebinding) never gets through.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// What the operator allows beyond public addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressPolicy {
    /// 127.0.0.0/8 and ::1 (the emulator profile allows these by default).
    pub allow_loopback: bool,
    /// RFC 1918, carrier-grade NAT, link-local and unique-local (fc00::/7) addresses.
    pub allow_private: bool,
}

impl Default for AddressPolicy {
    fn default() -> Self {
        Self {
            allow_loopback: true,
            allow_private: false,
        }
    }
}

impl AddressPolicy {
    /// Why `ip` is refused, or `None` when it may be reached.
    pub fn refusal(&self, ip: IpAddr) -> Option<&'static str> {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match classify(ip) {
            Class::Public => None,
            Class::Loopback if self.allow_loopback => None,
            Class::Loopback => Some("loopback"),
            Class::Private if self.allow_private => None,
            Class::Private => Some("private or link-local"),
            Class::Never => Some("unspecified, multicast or broadcast"),
        }
    }
}

enum Class {
    Public,
    Loopback,
    Private,
    Never,
}

fn classify(ip: IpAddr) -> Class {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Class {
    let [a, b, ..] = ip.octets();
    let carrier_nat = a == 100 && (64..128).contains(&b);
    if ip.is_loopback() {
        Class::Loopback
    } else if ip.is_unspecified() || ip.is_multicast() || ip.is_broadcast() {
        Class::Never
    } else if ip.is_private() || ip.is_link_local() || carrier_nat {
        Class::Private
    } else {
        Class::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> Class {
    let first = ip.segments()[0];
    let unique_local = first & 0xfe00 == 0xfc00;
    let link_local = first & 0xffc0 == 0xfe80;
    if ip.is_loopback() {
        Class::Loopback
    } else if ip.is_unspecified() || ip.is_multicast() {
        Class::Never
    } else if unique_local || link_local {
        Class::Private
    } else {
        Class::Public
    }
}

/// Resolves names and drops every address the policy refuses.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    pub policy: AddressPolicy,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| policy.refusal(a.ip()).is_none())
                .collect();
            if allowed.is_empty() {
                let reason = found
                    .first()
                    .and_then(|a| policy.refusal(a.ip()))
                    .unwrap_or("no address");
                return Err(format!("destination refused: {host} resolves to a {reason} address; allow it in [webhooks] of the server config").into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(policy: AddressPolicy, ip: &str) -> bool {
        policy.refusal(ip.parse().unwrap()).is_some()
    }

    #[test]
    fn default_allows_public_and_loopback_only() {
        let p = AddressPolicy::default();
        for ip in ["93.184.216.34", "2606:2800:220:1::1", "127.0.0.1", "::1"] {
            assert!(!refused(p, ip), "{ip}");
        }
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "100.64.0.1",
            "169.254.169.254",
            "fe80::1",
            "fd00::1",
            "0.0.0.0",
            "::",
            "224.0.0.1",
            "255.255.255.255",
            "ff02::1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(refused(p, ip), "{ip}");
        }
    }

    #[test]
    fn operator_choices_apply() {
        let strict = AddressPolicy {
            allow_loopback: false,
            allow_private: false,
        };
        assert!(refused(strict, "127.0.0.1") && refused(strict, "::ffff:127.0.0.1"));
        let open = AddressPolicy {
            allow_loopback: true,
            allow_private: true,
        };
        assert!(!refused(open, "10.0.0.1") && !refused(open, "fd00::1"));
        assert!(refused(open, "0.0.0.0"), "never the unspecified address");
    }
}
