//! The master's listening addresses, written as Net-SNMP's `agentXSocket` values.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;

/// Where the master listens: a Unix stream socket or a TCP address.
///
/// Read as Net-SNMP reads `agentXSocket` (snmpd.conf(5)): `/var/agentx/master` or
/// `unix:/path` for a Unix socket; `tcp:HOST:PORT`, `tcp6:[HOST]:PORT`, `HOST:PORT` or a bare
/// `PORT` (on 127.0.0.1) for TCP. HOST is an IP address or `localhost`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SocketAddress {
    /// A Unix stream socket at this path.
    Unix(PathBuf),
    /// A TCP address.
    Tcp(SocketAddr),
}

impl FromStr for SocketAddress {
    type Err = AddressError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AddressError::Empty);
        }
        if let Some(path) = text.strip_prefix("unix:") {
            if path.is_empty() {
                return Err(AddressError::Empty);
            }
            return Ok(Self::Unix(PathBuf::from(path)));
        }
        if text.starts_with('/') {
            return Ok(Self::Unix(PathBuf::from(text)));
        }
        let rest = text
            .strip_prefix("tcp6:")
            .or_else(|| text.strip_prefix("tcp:"))
            .unwrap_or(text);
        if let Ok(port) = rest.parse::<u16>() {
            return Ok(Self::Tcp(SocketAddr::from((Ipv4Addr::LOCALHOST, port))));
        }
        if let Ok(address) = rest.parse::<SocketAddr>() {
            return Ok(Self::Tcp(address));
        }
        let (host, port) = rest
            .rsplit_once(':')
            .ok_or_else(|| AddressError::Invalid(text.to_owned()))?;
        let port: u16 = port
            .parse()
            .map_err(|_| AddressError::Invalid(text.to_owned()))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            host.parse()
                .map_err(|_| AddressError::Invalid(text.to_owned()))?
        };
        Ok(Self::Tcp(SocketAddr::new(ip, port)))
    }
}

impl fmt::Display for SocketAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unix(path) => write!(f, "unix:{}", path.display()),
            Self::Tcp(address) => write!(f, "tcp:{address}"),
        }
    }
}

/// Why a socket address cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// Nothing was written.
    #[error("empty AgentX socket address")]
    Empty,
    /// Neither a path nor a TCP address.
    #[error("{0:?} is not an AgentX socket: write /path, unix:/path, tcp:HOST:PORT or HOST:PORT")]
    Invalid(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_net_snmp_agentx_socket_syntax() {
        let parse = |text: &str| text.parse::<SocketAddress>();
        assert_eq!(
            parse("/var/agentx/master"),
            Ok(SocketAddress::Unix("/var/agentx/master".into()))
        );
        assert_eq!(
            parse("unix:/tmp/x"),
            Ok(SocketAddress::Unix("/tmp/x".into()))
        );
        assert_eq!(
            parse("tcp:127.0.0.1:705"),
            Ok(SocketAddress::Tcp(
                "127.0.0.1:705".parse().expect("literal")
            ))
        );
        assert_eq!(
            parse("tcp:localhost:705"),
            Ok(SocketAddress::Tcp(
                "127.0.0.1:705".parse().expect("literal")
            ))
        );
        assert_eq!(
            parse("tcp6:[::1]:705"),
            Ok(SocketAddress::Tcp("[::1]:705".parse().expect("literal")))
        );
        assert_eq!(
            parse("705"),
            Ok(SocketAddress::Tcp(
                "127.0.0.1:705".parse().expect("literal")
            ))
        );
        assert!(parse("tcp:nowhere").is_err());
        assert_eq!(parse(""), Err(AddressError::Empty));
    }
}
