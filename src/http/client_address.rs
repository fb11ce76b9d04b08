//! Who the client is, by network address: the peer of the TCP connection,
//! unless that peer is a proxy the operator trusts (`--trusted-proxy`), in
//! which case `X-Forwarded-For` says who the proxy spoke for. Rate limits
//! key on this address, so a header from anyone else is ignored: it would
//! let a client pick its own key.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::http::HeaderMap;

/// A network in CIDR notation (`10.0.0.0/8`, `fd00::/8`), or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let invalid = || format!("`{text}` is not an address or a CIDR network such as 10.0.0.0/8");
        let (address, prefix) = text.trim().split_once('/').map_or((text.trim(), None), |(a, p)| (a, Some(p)));
        let network = address.parse::<IpAddr>().map_err(|_| invalid())?.to_canonical();
        let most = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => most,
            Some(prefix) => prefix.parse::<u8>().ok().filter(|&p| p <= most).ok_or_else(invalid)?,
        };
        Ok(Self { network, prefix })
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl Cidr {
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, address.to_canonical()) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(network) & mask == u32::from(address) & mask
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(network) & mask == u128::from(address) & mask
            }
            _ => false,
        }
    }
}

/// The client's address. Starting from the peer, each hop that is a
/// trusted proxy hands over to the address it forwarded for (the next one
/// leftwards in `X-Forwarded-For`); the first untrusted hop is the client.
/// A malformed entry stops the walk at the proxy that wrote it.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[Cidr]) -> IpAddr {
    let mut client = peer.to_canonical();
    if !trusted.iter().any(|proxy| proxy.contains(client)) {
        return client;
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    for hop in forwarded.iter().rev() {
        let Some(address) = parse_hop(hop) else { break };
        client = address;
        if !trusted.iter().any(|proxy| proxy.contains(client)) {
            break;
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, or an address with a port.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>().ok().or_else(|| hop.parse::<SocketAddr>().ok().map(|at| at.ip())).map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidrs(list: &[&str]) -> Vec<Cidr> {
        list.iter().map(|text| text.parse().unwrap()).collect()
    }

    fn client(peer: &str, forwarded: &[&str], trusted: &[&str]) -> String {
        let mut headers = HeaderMap::new();
        for value in forwarded {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        client_address(peer.parse().unwrap(), &headers, &cidrs(trusted)).to_string()
    }

    #[test]
    fn networks_parse_and_contain() {
        let private: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(private.contains("10.20.30.40".parse().unwrap()));
        assert!(!private.contains("11.0.0.1".parse().unwrap()));
        assert!(private.contains("::ffff:10.1.2.3".parse().unwrap()), "IPv4-mapped addresses are IPv4");
        let one: Cidr = "192.0.2.7".parse().unwrap();
        assert_eq!(one.to_string(), "192.0.2.7/32");
        assert!("fd00::/8".parse::<Cidr>().unwrap().contains("fd12::1".parse().unwrap()));
        assert!("0.0.0.0/0".parse::<Cidr>().unwrap().contains("203.0.113.9".parse().unwrap()));
        for bad in ["10.0.0.0/33", "nope", "10.0.0.0/", "::/129"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_for_counts_only_from_trusted_proxies() {
        // No trusted proxy: the header is the client's to forge, so ignored.
        assert_eq!(client("198.51.100.1", &["203.0.113.9"], &[]), "198.51.100.1");
        // A trusted proxy speaks for the address it appended.
        assert_eq!(client("10.0.0.2", &["203.0.113.9"], &["10.0.0.0/8"]), "203.0.113.9");
        // A client's own forged entries sit left of what the proxy appended.
        assert_eq!(client("10.0.0.2", &["1.2.3.4, 203.0.113.9"], &["10.0.0.0/8"]), "203.0.113.9");
        // Chains of trusted proxies, in one header or several.
        assert_eq!(client("10.0.0.2", &["203.0.113.9, 10.0.0.5"], &["10.0.0.0/8"]), "203.0.113.9");
        assert_eq!(client("10.0.0.2", &["203.0.113.9", "10.0.0.5"], &["10.0.0.0/8"]), "203.0.113.9");
        // Garbage stops the walk at the proxy that wrote it.
        assert_eq!(client("10.0.0.2", &["203.0.113.9, junk"], &["10.0.0.0/8"]), "10.0.0.2");
        // Ports are dropped.
        assert_eq!(client("10.0.0.2", &["203.0.113.9:4711"], &["10.0.0.0/8"]), "203.0.113.9");
        // A trusted proxy without the header is the client.
        assert_eq!(client("10.0.0.2", &[], &["10.0.0.0/8"]), "10.0.0.2");
    }
}
