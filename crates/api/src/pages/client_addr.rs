//! Which address a request came from, for sign-in throttling: the socket peer, or, only
//! when that peer is a proxy the operator named (`[sign_in] trusted_proxies`), the
//! nearest address in `X-Forwarded-For` that is not itself such a proxy. Anyone can
//! write that header, so it is never believed from anyone else.

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};
use std::net::{IpAddr, SocketAddr};

/// An address or a CIDR block (`10.0.0.0/8`, `fd00::/8`, `127.0.0.1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    fn parse(s: &str) -> Result<Self, String> {
        let bad = || format!("`{s}` is not an IP address or CIDR block");
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().map_err(|_| bad())?)),
            None => (s.trim(), None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return Err(bad());
        }
        Ok(Self { addr, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let (net, ip, bits) = match (self.addr, canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(i)) => {
                (u128::from(u32::from(n)), u128::from(u32::from(i)), 32)
            }
            (IpAddr::V6(n), IpAddr::V6(i)) => (u128::from(n), u128::from(i), 128),
            _ => return false,
        };
        let shift = bits - u32::from(self.prefix);
        shift >= bits || (net >> shift) == (ip >> shift)
    }
}

/// `::ffff:a.b.c.d` is the IPv4 address a dual-stack socket reports it as.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientAddresses {
    trusted: Vec<Net>,
}

impl ClientAddresses {
    /// Trusts `X-Forwarded-For` from these proxies (addresses or CIDR blocks).
    pub fn trusting(proxies: &[String]) -> Result<Self, String> {
        let trusted = proxies
            .iter()
            .map(|p| Net::parse(p))
            .collect::<Result<_, _>>()?;
        Ok(Self { trusted })
    }

    fn is_trusted(&self, ip: IpAddr) -> bool {
        self.trusted.iter().any(|n| n.contains(ip))
    }

    /// The client's address; `None` only when the server was not told the peer (a
    /// router called without connection info, as some tests do).
    pub fn client(&self, extensions: &Extensions, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| canonical(c.0.ip()))?;
        if !self.is_trusted(peer) {
            return Some(peer);
        }
        // Right to left: each trusted proxy appended the address it got the request from.
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|a| a.trim().parse::<IpAddr>().map(canonical))
            .collect::<Vec<_>>();
        let mut client = peer;
        for hop in forwarded.into_iter().rev() {
            match hop {
                Ok(ip) if self.is_trusted(ip) => client = ip,
                Ok(ip) => return Some(ip),
                // A malformed entry: stop at the last address a trusted proxy vouched for.
                Err(_) => break,
            }
        }
        Some(client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(trusted: &[&str], peer: &str, xff: Option<&str>) -> Option<IpAddr> {
        let policy =
            ClientAddresses::trusting(&trusted.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .expect("valid");
        let mut ext = Extensions::new();
        ext.insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        let mut headers = HeaderMap::new();
        if let Some(v) = xff {
            headers.insert("x-forwarded-for", v.parse().unwrap());
        }
        policy.client(&ext, &headers)
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        assert_eq!(
            ask(&[], "203.0.113.5:1", Some("1.2.3.4")),
            ip("203.0.113.5")
        );
        assert_eq!(
            ask(&["10.0.0.0/8"], "10.1.2.3:1", Some("1.2.3.4")),
            ip("1.2.3.4")
        );
        assert_eq!(
            ask(
                &["10.0.0.0/8"],
                "10.1.2.3:1",
                Some("6.6.6.6, 1.2.3.4, 10.9.9.9")
            ),
            ip("1.2.3.4"),
            "the spoofed first entry is not believed"
        );
        assert_eq!(ask(&["10.0.0.0/8"], "10.1.2.3:1", None), ip("10.1.2.3"));
        assert_eq!(
            ask(&["10.0.0.0/8"], "10.1.2.3:1", Some("junk")),
            ip("10.1.2.3")
        );
        assert_eq!(
            ask(&["::1"], "[::1]:1", Some("2001:db8::7")),
            ip("2001:db8::7")
        );
        assert_eq!(
            ask(&["127.0.0.1"], "[::ffff:127.0.0.1]:1", Some("1.2.3.4")),
            ip("1.2.3.4")
        );
    }

    #[test]
    fn bad_proxy_entries_are_refused() {
        for bad in ["10.0.0.0/33", "nope", "::/129", "1.2.3.4/x"] {
            assert!(
                ClientAddresses::trusting(&[bad.to_owned()]).is_err(),
                "{bad}"
            );
        }
        assert!(ClientAddresses::trusting(&["0.0.0.0/0".to_owned()]).is_ok());
    }
}
