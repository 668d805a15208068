//! The community table of the community-based security model (RFC 3584 §5.1,
//! `snmpCommunityTable`): which community, from which sources, maps to which security name
//! and context.
//!
//! The transport tag of the RFC (a reference to `snmpTargetAddrTable` rows with their
//! `snmpTargetAddrTMask`) is reduced to what it is used for, a source network per entry, as
//! Net-SNMP's `com2sec` does. Several entries may share a community with different sources;
//! the first entry in configuration order that accepts the source wins.
//!
//! ```
//! use std::net::IpAddr;
//! use vigie_snmp::community::{CommunityEntry, CommunityMiss, CommunityTable};
//!
//! // com2sec local 127.0.0.0/8 public
//! let mut table = CommunityTable::new();
//! table.add(CommunityEntry::new("public", "local").source("127.0.0.0/8".parse()?))?;
//! let localhost: IpAddr = "127.0.0.1".parse()?;
//! let remote: IpAddr = "192.0.2.1".parse()?;
//! assert_eq!(table.lookup(b"public", localhost)?.security_name().as_bytes(), b"local");
//! assert_eq!(table.lookup(b"public", remote), Err(CommunityMiss::SourceNotAllowed));
//! assert_eq!(table.lookup(b"private", localhost), Err(CommunityMiss::UnknownCommunity));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;
use core::str::FromStr;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use bytes::Bytes;

use crate::security::AdminString;
use crate::vacm::{ConfigError, NameField, context_name, table_name};

/// The community table (RFC 3584 §5.1), in configuration order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommunityTable {
    entries: Vec<CommunityEntry>,
}

impl CommunityTable {
    /// An empty table, which accepts no community.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends an entry. The community is not empty, the security name is 1 to 32 octets
    /// and the context name at most 32 (RFC 3584 §5.1).
    pub fn add(&mut self, entry: CommunityEntry) -> Result<(), ConfigError> {
        if entry.community.0.is_empty() {
            return Err(ConfigError::EmptyCommunity);
        }
        table_name(entry.security_name.as_bytes(), NameField::SecurityName)?;
        context_name(entry.context_name.as_bytes())?;
        self.entries.push(entry);
        Ok(())
    }

    /// The entries, in configuration order.
    pub fn entries(&self) -> &[CommunityEntry] {
        &self.entries
    }

    /// The entry for a message with `community` received from `source` (RFC 3584 §5.2.1).
    ///
    /// Every entry is compared, each in time independent of where the communities differ,
    /// so the time taken does not tell which prefix of a guess was right. A miss says
    /// whether the community is unknown or known but not from this source: both count
    /// `snmpInBadCommunityNames`, as SNMPv2-MIB allows for failed source checks and as
    /// snmpd 5.9 does (`snmpInBadCommunityUses` stays for operations the community may not
    /// perform). An IPv4-mapped IPv6 source (`::ffff:a.b.c.d`) matches as its IPv4 address.
    pub fn lookup(
        &self,
        community: &[u8],
        source: IpAddr,
    ) -> Result<&CommunityEntry, CommunityMiss> {
        let source = source.to_canonical();
        let mut known = false;
        let mut found = None;
        for entry in &self.entries {
            let same = entry.community.matches(community);
            known |= same;
            if same && found.is_none() && entry.accepts(source) {
                found = Some(entry);
            }
        }
        match found {
            Some(entry) => Ok(entry),
            None if known => Err(CommunityMiss::SourceNotAllowed),
            None => Err(CommunityMiss::UnknownCommunity),
        }
    }

    /// The first entry for `security_name` in `context_name`: the community a notification
    /// originator sends with (RFC 3584 §5.2.3).
    pub fn for_security_name(
        &self,
        security_name: &[u8],
        context_name: &[u8],
    ) -> Option<&CommunityEntry> {
        self.entries.iter().find(|entry| {
            entry.security_name.as_bytes() == security_name
                && entry.context_name.as_bytes() == context_name
        })
    }
}

/// One row of `snmpCommunityTable` (RFC 3584 §5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityEntry {
    community: Community,
    security_name: AdminString,
    context_engine_id: Option<Bytes>,
    context_name: AdminString,
    source: Option<SourceNetwork>,
}

impl CommunityEntry {
    /// Maps `community` to `security_name` in the default context of the local engine, from
    /// any source.
    pub fn new(community: impl AsRef<[u8]>, security_name: impl Into<AdminString>) -> Self {
        Self {
            community: Community::new(community),
            security_name: security_name.into(),
            context_engine_id: None,
            context_name: AdminString::default(),
            source: None,
        }
    }

    /// Sets `snmpCommunityContextName`.
    #[must_use]
    pub fn with_context_name(mut self, name: impl AsRef<[u8]>) -> Self {
        self.context_name = AdminString::new(name);
        self
    }

    /// Sets `snmpCommunityContextEngineID`, for a context of another engine (a proxy's).
    #[must_use]
    pub fn with_context_engine_id(mut self, engine_id: impl Into<Bytes>) -> Self {
        self.context_engine_id = Some(engine_id.into());
        self
    }

    /// Accepts the community only from `source`.
    #[must_use]
    pub fn source(mut self, source: SourceNetwork) -> Self {
        self.source = Some(source);
        self
    }

    /// `snmpCommunityName`: a secret.
    pub fn community(&self) -> &Community {
        &self.community
    }

    /// `snmpCommunitySecurityName`.
    pub fn security_name(&self) -> &AdminString {
        &self.security_name
    }

    /// `snmpCommunityContextEngineID`; `None` is the local engine's snmpEngineID, the
    /// column's default.
    pub fn context_engine_id(&self) -> Option<&Bytes> {
        self.context_engine_id.as_ref()
    }

    /// `snmpCommunityContextName`.
    pub fn context_name(&self) -> &AdminString {
        &self.context_name
    }

    /// The network the community is accepted from; `None` for any.
    pub fn source_network(&self) -> Option<SourceNetwork> {
        self.source
    }

    fn accepts(&self, source: IpAddr) -> bool {
        self.source.is_none_or(|network| network.contains(source))
    }
}

/// A community string: a secret, which `Debug` prints as `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Community(Bytes);

impl Community {
    /// A copy of `octets`.
    pub fn new(octets: impl AsRef<[u8]>) -> Self {
        Self(Bytes::copy_from_slice(octets.as_ref()))
    }

    /// The octets, to put in an outgoing message. Never log them.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Compares with `other` in time that depends on the lengths only.
    pub fn matches(&self, other: &[u8]) -> bool {
        if self.0.len() != other.len() {
            return false;
        }
        let difference = self
            .0
            .iter()
            .zip(other)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        core::hint::black_box(difference) == 0
    }
}

impl fmt::Debug for Community {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Why a community was refused (RFC 3584 §5.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum CommunityMiss {
    /// No entry has this community.
    #[error("unknown community")]
    UnknownCommunity,
    /// The community is known, but not accepted from this source.
    #[error("community not accepted from this source")]
    SourceNotAllowed,
}

/// A source network: an address and a prefix length, IPv4 or IPv6, as Net-SNMP's `com2sec`
/// SOURCE field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourceNetwork {
    network: IpAddr,
    prefix_len: u8,
}

impl SourceNetwork {
    /// The network of `address` with `prefix_len` leading bits (at most 32 for IPv4, 128 for
    /// IPv6). The host bits are cleared, as Net-SNMP does: `10.1.2.3/8` is `10.0.0.0/8`.
    pub fn new(address: IpAddr, prefix_len: u8) -> Result<Self, ConfigError> {
        let network = match address {
            IpAddr::V4(v4) => {
                let mask = v4_mask(prefix_len)?;
                IpAddr::V4(Ipv4Addr::from(u32::from(v4) & mask))
            }
            IpAddr::V6(v6) => {
                let mask = v6_mask(prefix_len)?;
                IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
            }
        };
        Ok(Self {
            network,
            prefix_len,
        })
    }

    /// One host: /32 or /128.
    pub fn host(address: IpAddr) -> Self {
        let prefix_len = if address.is_ipv4() { 32 } else { 128 };
        Self {
            network: address,
            prefix_len,
        }
    }

    /// The network address (host bits clear).
    pub fn network(&self) -> IpAddr {
        self.network
    }

    /// The prefix length.
    pub fn prefix_len(&self) -> u8 {
        self.prefix_len
    }

    /// True when `address` is in this network. IPv4 never matches an IPv6 network nor the
    /// reverse; callers pass IPv4-mapped addresses through [`IpAddr::to_canonical`] first.
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, address) {
            (IpAddr::V4(network), IpAddr::V4(address)) => v4_mask(self.prefix_len)
                .is_ok_and(|mask| u32::from(address) & mask == u32::from(network)),
            (IpAddr::V6(network), IpAddr::V6(address)) => v6_mask(self.prefix_len)
                .is_ok_and(|mask| u128::from(address) & mask == u128::from(network)),
            _ => false,
        }
    }

    /// Parses Net-SNMP's SOURCE field: `default` (any source, `None`), an address (one
    /// host), `address/bits` or `address/mask`. Host names are not resolved: this crate does
    /// no I/O.
    pub fn parse_source(s: &str) -> Result<Option<Self>, ConfigError> {
        if s == "default" {
            return Ok(None);
        }
        s.parse().map(Some)
    }
}

impl FromStr for SourceNetwork {
    type Err = ConfigError;

    /// `127.0.0.1`, `10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `::1`, `2001:db8::/32`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (address, prefix) = match s.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (s, None),
        };
        let address: IpAddr = address.parse().map_err(|_| ConfigError::InvalidSource)?;
        let Some(prefix) = prefix else {
            return Ok(Self::host(address));
        };
        if let Ok(bits) = prefix.parse::<u8>() {
            return Self::new(address, bits);
        }
        // A dotted mask: only contiguous ones make a prefix.
        let Ok(IpAddr::V4(mask)) = prefix.parse::<IpAddr>() else {
            return Err(ConfigError::InvalidSource);
        };
        let mask = u32::from(mask);
        if !address.is_ipv4() || mask.leading_ones() + mask.trailing_zeros() != 32 {
            return Err(ConfigError::InvalidSource);
        }
        let bits = u8::try_from(mask.leading_ones()).map_err(|_| ConfigError::InvalidSource)?;
        Self::new(address, bits)
    }
}

impl fmt::Display for SourceNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix_len)
    }
}

fn v4_mask(prefix_len: u8) -> Result<u32, ConfigError> {
    match prefix_len {
        0 => Ok(0),
        1..=32 => Ok(u32::MAX << (32 - prefix_len)),
        _ => Err(ConfigError::InvalidPrefixLength),
    }
}

fn v6_mask(prefix_len: u8) -> Result<u128, ConfigError> {
    match prefix_len {
        0 => Ok(0),
        1..=128 => Ok(u128::MAX << (128 - prefix_len)),
        _ => Err(ConfigError::InvalidPrefixLength),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn debug_hides_the_community() {
        let entry = CommunityEntry::new("s3cret", "comm1");
        let shown = format!("{entry:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("***"), "{shown}");
        assert_eq!(entry.community().expose(), b"s3cret");
    }

    #[test]
    fn compares_communities_whole() {
        let community = Community::new("public");
        assert!(community.matches(b"public"));
        assert!(!community.matches(b"publi"));
        assert!(!community.matches(b"publik"));
        assert!(!community.matches(b"public "));
        assert!(!community.matches(b""));
    }

    #[test]
    fn parses_sources_as_net_snmp_writes_them() {
        let host: SourceNetwork = "127.0.0.1".parse().unwrap();
        assert_eq!(host.to_string(), "127.0.0.1/32");
        let bits: SourceNetwork = "10.1.2.3/8".parse().unwrap();
        assert_eq!(bits.to_string(), "10.0.0.0/8");
        let mask: SourceNetwork = "10.10.10.0/255.255.255.0".parse().unwrap();
        assert_eq!(mask.to_string(), "10.10.10.0/24");
        let v6: SourceNetwork = "2001:db8::1/32".parse().unwrap();
        assert_eq!(v6.to_string(), "2001:db8::/32");
        assert_eq!("::1".parse::<SourceNetwork>().unwrap().prefix_len(), 128);
        assert_eq!(SourceNetwork::parse_source("default"), Ok(None));
        assert_eq!(
            SourceNetwork::parse_source("0.0.0.0/0")
                .unwrap()
                .map(|s| s.prefix_len()),
            Some(0)
        );
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0/255.0.255.0",
            "::1/255.0.0.0",
            "host.example",
            "10.0.0.0/x",
        ] {
            assert!(bad.parse::<SourceNetwork>().is_err(), "{bad}");
        }
        assert_eq!(
            "10.0.0.0/33".parse::<SourceNetwork>(),
            Err(ConfigError::InvalidPrefixLength)
        );
    }

    #[test]
    fn networks_contain_their_addresses_only() {
        let net: SourceNetwork = "10.0.0.0/8".parse().unwrap();
        assert!(net.contains(ip("10.255.0.1")));
        assert!(!net.contains(ip("11.0.0.1")));
        assert!(!net.contains(ip("::ffff:10.0.0.1")));
        let any: SourceNetwork = "0.0.0.0/0".parse().unwrap();
        assert!(any.contains(ip("192.0.2.1")));
        assert!(!any.contains(ip("::1")));
        let v6: SourceNetwork = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains(ip("2001:db8:ffff::1")));
        assert!(!v6.contains(ip("2001:db9::1")));
        assert!(!v6.contains(ip("10.0.0.1")));
    }

    #[test]
    fn lookup_distinguishes_unknown_communities_from_refused_sources() {
        let mut table = CommunityTable::new();
        table
            .add(CommunityEntry::new("public", "lan").source("10.0.0.0/8".parse().unwrap()))
            .unwrap();
        table
            .add(CommunityEntry::new("public", "loop").source("127.0.0.1".parse().unwrap()))
            .unwrap();
        table
            .add(CommunityEntry::new("v6", "six").source("::1".parse().unwrap()))
            .unwrap();
        table
            .add(CommunityEntry::new("any", "anywhere").with_context_name("ctxA"))
            .unwrap();

        let lan = table.lookup(b"public", ip("10.1.1.1")).unwrap();
        assert_eq!(lan.security_name().as_bytes(), b"lan");
        let loopback = table.lookup(b"public", ip("127.0.0.1")).unwrap();
        assert_eq!(loopback.security_name().as_bytes(), b"loop");
        // An IPv4-mapped source from a dual-stack socket is its IPv4 address.
        let mapped = table.lookup(b"public", ip("::ffff:127.0.0.1")).unwrap();
        assert_eq!(mapped.security_name().as_bytes(), b"loop");
        assert_eq!(
            table.lookup(b"public", ip("192.0.2.1")),
            Err(CommunityMiss::SourceNotAllowed)
        );
        assert_eq!(
            table.lookup(b"v6", ip("127.0.0.1")),
            Err(CommunityMiss::SourceNotAllowed)
        );
        assert_eq!(
            table
                .lookup(b"v6", ip("::1"))
                .unwrap()
                .security_name()
                .as_bytes(),
            b"six"
        );
        assert_eq!(
            table.lookup(b"Public", ip("10.1.1.1")),
            Err(CommunityMiss::UnknownCommunity)
        );
        let anywhere = table.lookup(b"any", ip("2001:db8::1")).unwrap();
        assert_eq!(anywhere.context_name().as_bytes(), b"ctxA");
        assert_eq!(anywhere.context_engine_id(), None);
    }

    #[test]
    fn first_matching_entry_wins() {
        let mut table = CommunityTable::new();
        table.add(CommunityEntry::new("c", "first")).unwrap();
        table.add(CommunityEntry::new("c", "second")).unwrap();
        let entry = table.lookup(b"c", ip("192.0.2.1")).unwrap();
        assert_eq!(entry.security_name().as_bytes(), b"first");
    }

    #[test]
    fn rejects_what_the_mib_cannot_hold() {
        let mut table = CommunityTable::new();
        assert_eq!(
            table.add(CommunityEntry::new("", "x")),
            Err(ConfigError::EmptyCommunity)
        );
        assert_eq!(
            table.add(CommunityEntry::new("c", "")),
            Err(ConfigError::NameLength(NameField::SecurityName))
        );
        assert_eq!(
            table.add(CommunityEntry::new("c", "x".repeat(33).as_str())),
            Err(ConfigError::NameLength(NameField::SecurityName))
        );
        assert_eq!(
            table.add(CommunityEntry::new("c", "x").with_context_name("c".repeat(33))),
            Err(ConfigError::ContextTooLong)
        );
        assert!(table.entries().is_empty());
    }

    #[test]
    fn finds_the_community_for_a_notification() {
        let mut table = CommunityTable::new();
        table.add(CommunityEntry::new("traps", "nms")).unwrap();
        table
            .add(CommunityEntry::new("other", "nms").with_context_name("ctx"))
            .unwrap();
        let entry = table.for_security_name(b"nms", b"ctx").unwrap();
        assert_eq!(entry.community().expose(), b"other");
        assert!(table.for_security_name(b"nobody", b"").is_none());
    }
}
