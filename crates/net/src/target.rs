//! Agent addresses in Net-SNMP's syntax (snmpcmd(1) "AGENT SPECIFICATION").

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Parses an agent address the way Net-SNMP does and resolves its name.
///
/// Accepted forms: `host`, `host:port`, `udp:host:port`, `udp6:[::1]:port`, `udp6:host:port`,
/// `[::1]:port`, `[::1]`, `::1`, and a lone port number for the local host. Without a transport prefix, IPv4 is tried first, then IPv6,
/// as Net-SNMP tries its `udp` then `udp6` domains; `udp6:` (or `udpv6:`, `udpipv6:`) asks for
/// IPv6 only. Other transports (`tcp:`, `unix:`, …) are not supported yet.
pub async fn resolve_target(spec: &str, default_port: u16) -> Result<SocketAddr, TargetError> {
    let parsed = parse(spec, default_port)?;
    let name = match parsed.host {
        Host::Ip(ip) => {
            if parsed.family == Some(AddressFamily::Ipv6) && ip.is_ipv4() {
                return Err(TargetError::NoAddress {
                    host: ip.to_string(),
                    family: AddressFamily::Ipv6,
                });
            }
            return Ok(SocketAddr::new(ip, parsed.port));
        }
        Host::Name(name) => name,
    };
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), parsed.port))
        .await
        .map_err(|source| TargetError::Unresolvable {
            host: name.clone(),
            source,
        })?
        .collect();
    let first_of = |family: AddressFamily| addresses.iter().copied().find(|a| family.contains(a));
    let found = match parsed.family {
        Some(family) => first_of(family),
        None => first_of(AddressFamily::Ipv4).or_else(|| first_of(AddressFamily::Ipv6)),
    };
    found.ok_or_else(|| TargetError::NoAddress {
        host: name,
        family: parsed.family.unwrap_or(AddressFamily::Ipv4),
    })
}

/// Why an agent address was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The address is empty.
    #[error("empty agent address")]
    Empty,
    /// A transport this client does not speak (`tcp:`, `unix:`, `dtlsudp:` …).
    #[error("unsupported transport \"{transport}\"")]
    UnknownTransport {
        /// The transport as written.
        transport: String,
    },
    /// The port is not a number in 1–65535.
    #[error("invalid port \"{port}\"")]
    BadPort {
        /// The port as written.
        port: String,
    },
    /// The address is not well formed (an unclosed `[`, an empty host…).
    #[error("invalid agent address \"{address}\"")]
    BadAddress {
        /// The address as written.
        address: String,
    },
    /// The name could not be resolved.
    #[error("unknown host \"{host}\": {source}")]
    Unresolvable {
        /// The name.
        host: String,
        /// The resolver's error.
        #[source]
        source: io::Error,
    },
    /// The name resolved, but to no address of the family the transport needs.
    #[error("no {family} address for \"{host}\"")]
    NoAddress {
        /// The name.
        host: String,
        /// The family asked for.
        family: AddressFamily,
    },
}

/// IPv4 (`udp:`) or IPv6 (`udp6:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressFamily {
    /// IPv4.
    Ipv4,
    /// IPv6.
    Ipv6,
}

impl AddressFamily {
    fn contains(self, address: &SocketAddr) -> bool {
        match self {
            Self::Ipv4 => address.is_ipv4(),
            Self::Ipv6 => address.is_ipv6(),
        }
    }
}

impl std::fmt::Display for AddressFamily {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Ipv4 => "IPv4",
            Self::Ipv6 => "IPv6",
        })
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Parsed {
    family: Option<AddressFamily>,
    host: Host,
    port: u16,
}

#[derive(Debug, PartialEq, Eq)]
enum Host {
    Ip(IpAddr),
    Name(String),
}

fn parse(spec: &str, default_port: u16) -> Result<Parsed, TargetError> {
    if spec.is_empty() {
        return Err(TargetError::Empty);
    }
    let (family, address) = split_transport(spec)?;
    // Net-SNMP reads a lone number as a port on the local host.
    if !address.is_empty() && address.bytes().all(|b| b.is_ascii_digit()) {
        let host = match family {
            Some(AddressFamily::Ipv6) => IpAddr::V6(Ipv6Addr::LOCALHOST),
            _ => IpAddr::V4(Ipv4Addr::LOCALHOST),
        };
        return Ok(Parsed {
            family,
            host: Host::Ip(host),
            port: parse_port(address)?,
        });
    }
    let (host, port) = split_port(address, family)?;
    let port = match port {
        None => default_port,
        Some(port) => parse_port(port)?,
    };
    if host.is_empty() {
        return Err(TargetError::BadAddress {
            address: spec.to_owned(),
        });
    }
    let host = match host.parse::<IpAddr>() {
        Ok(ip) => Host::Ip(ip),
        Err(_) => Host::Name(host.to_owned()),
    };
    if family == Some(AddressFamily::Ipv4) && matches!(host, Host::Ip(IpAddr::V6(_))) {
        return Err(TargetError::BadAddress {
            address: spec.to_owned(),
        });
    }
    Ok(Parsed { family, host, port })
}

/// Splits a transport prefix off, when the text before the first `:` names one.
fn split_transport(spec: &str) -> Result<(Option<AddressFamily>, &str), TargetError> {
    let Some((prefix, rest)) = spec.split_once(':') else {
        return Ok((None, spec));
    };
    let lower = prefix.to_ascii_lowercase();
    if UDP4_TRANSPORTS.contains(&lower.as_str()) {
        return Ok((Some(AddressFamily::Ipv4), rest));
    }
    if UDP6_TRANSPORTS.contains(&lower.as_str()) {
        return Ok((Some(AddressFamily::Ipv6), rest));
    }
    if OTHER_TRANSPORTS.contains(&lower.as_str()) {
        return Err(TargetError::UnknownTransport {
            transport: prefix.to_owned(),
        });
    }
    // Not a transport: `host:port` or a bare IPv6 address.
    Ok((None, spec))
}

/// Splits `host[:port]`, `[v6]:port`, or recognises a bare IPv6 address.
fn split_port(
    address: &str,
    family: Option<AddressFamily>,
) -> Result<(&str, Option<&str>), TargetError> {
    if let Some(rest) = address.strip_prefix('[') {
        let Some((host, after)) = rest.split_once(']') else {
            return Err(TargetError::BadAddress {
                address: address.to_owned(),
            });
        };
        return match after {
            "" => Ok((host, None)),
            _ => match after.strip_prefix(':') {
                Some(port) => Ok((host, Some(port))),
                None => Err(TargetError::BadAddress {
                    address: address.to_owned(),
                }),
            },
        };
    }
    // A whole IPv6 address carries no port: `::1`, `fe80::1:161` (Net-SNMP reads it so too).
    if family != Some(AddressFamily::Ipv4) && address.parse::<Ipv6Addr>().is_ok() {
        return Ok((address, None));
    }
    match address.rsplit_once(':') {
        None => Ok((address, None)),
        Some((host, port)) if family == Some(AddressFamily::Ipv6) || !host.contains(':') => {
            Ok((host, Some(port)))
        }
        Some(_) => Err(TargetError::BadAddress {
            address: address.to_owned(),
        }),
    }
}

fn parse_port(port: &str) -> Result<u16, TargetError> {
    let bad = || TargetError::BadPort {
        port: port.to_owned(),
    };
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    match port.parse::<u16>() {
        Ok(0) | Err(_) => Err(bad()),
        Ok(port) => Ok(port),
    }
}

const UDP4_TRANSPORTS: &[&str] = &["udp", "udpv4", "udpipv4"];
const UDP6_TRANSPORTS: &[&str] = &["udp6", "udpv6", "udpipv6", "ipv6"];
const OTHER_TRANSPORTS: &[&str] = &[
    "tcp", "tcpv4", "tcp6", "tcpv6", "tcpipv6", "unix", "ipx", "aal5pvc", "pvc", "dtlsudp", "dtls",
    "tlstcp", "tls", "ssh", "callback", "alias", "uds",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(spec: &str) -> Parsed {
        parse(spec, 161).unwrap()
    }

    fn ip(family: Option<AddressFamily>, ip: &str, port: u16) -> Parsed {
        Parsed {
            family,
            host: Host::Ip(ip.parse().unwrap()),
            port,
        }
    }

    fn name(family: Option<AddressFamily>, name: &str, port: u16) -> Parsed {
        Parsed {
            family,
            host: Host::Name(name.to_owned()),
            port,
        }
    }

    #[test]
    fn plain_forms() {
        assert_eq!(ok("localhost"), name(None, "localhost", 161));
        assert_eq!(ok("localhost:1161"), name(None, "localhost", 1161));
        assert_eq!(ok("10.0.0.1"), ip(None, "10.0.0.1", 161));
        assert_eq!(ok("10.0.0.1:2000"), ip(None, "10.0.0.1", 2000));
    }

    #[test]
    fn ipv6_forms() {
        assert_eq!(ok("::1"), ip(None, "::1", 161));
        assert_eq!(ok("[::1]"), ip(None, "::1", 161));
        assert_eq!(ok("[::1]:1161"), ip(None, "::1", 1161));
        assert_eq!(
            ok("udp6:[::1]:1161"),
            ip(Some(AddressFamily::Ipv6), "::1", 1161)
        );
        assert_eq!(ok("udp6:::1"), ip(Some(AddressFamily::Ipv6), "::1", 161));
        assert_eq!(
            ok("udp6:host:99"),
            name(Some(AddressFamily::Ipv6), "host", 99)
        );
        assert_eq!(
            ok("UDPv6:[fe80::1]"),
            ip(Some(AddressFamily::Ipv6), "fe80::1", 161)
        );
    }

    #[test]
    fn transport_prefixes() {
        assert_eq!(
            ok("udp:host:99"),
            name(Some(AddressFamily::Ipv4), "host", 99)
        );
        assert_eq!(
            ok("udp:127.0.0.1"),
            ip(Some(AddressFamily::Ipv4), "127.0.0.1", 161)
        );
        assert!(matches!(
            parse("tcp:host:161", 161),
            Err(TargetError::UnknownTransport { transport }) if transport == "tcp"
        ));
        assert!(matches!(
            parse("unix:/tmp/x", 161),
            Err(TargetError::UnknownTransport { .. })
        ));
    }

    #[test]
    fn a_lone_number_is_a_local_port() {
        assert_eq!(ok("1161"), ip(None, "127.0.0.1", 1161));
        assert_eq!(ok("udp6:1161"), ip(Some(AddressFamily::Ipv6), "::1", 1161));
        assert!(matches!(
            parse("99999", 161),
            Err(TargetError::BadPort { .. })
        ));
    }

    #[test]
    fn bad_ports() {
        for spec in [
            "host:",
            "host:abc",
            "host:65536",
            "host:0",
            "[::1]:",
            "host:-1",
        ] {
            assert!(
                matches!(parse(spec, 161), Err(TargetError::BadPort { .. })),
                "{spec}: {:?}",
                parse(spec, 161)
            );
        }
    }

    #[test]
    fn bad_addresses() {
        assert!(matches!(parse("", 161), Err(TargetError::Empty)));
        assert!(matches!(
            parse("[::1", 161),
            Err(TargetError::BadAddress { .. })
        ));
        assert!(matches!(
            parse("[::1]x", 161),
            Err(TargetError::BadAddress { .. })
        ));
        assert!(matches!(
            parse(":161", 161),
            Err(TargetError::BadAddress { .. })
        ));
        assert!(matches!(
            parse("udp:[::1]:161", 161),
            Err(TargetError::BadAddress { .. })
        ));
        assert!(matches!(
            parse("a:b:c", 161),
            Err(TargetError::BadAddress { .. })
        ));
    }
}
