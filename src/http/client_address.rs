//! Who the client is, by network address: the peer of the TCP connection,
//! unless that peer is a proxy the operator trusts (`--trusted-proxy`), in
//! which case `X-Forwarded-For` says who the proxy spoke for. Rate limits
//! key on this address, so a header from anyone else is ignored: it would
//! let a client pick its own key.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;

use crate::config::Cidr;

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
