//! Engine identifiers (RFC 3411 §5, `SnmpEngineID`).

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use bytes::Bytes;

/// An snmpEngineID: 5 to 32 octets (RFC 3411 §5).
///
/// Parsed from hex as Net-SNMP's `-e`/`-E` take it (`0x80001f8880…`, `80:00:1f:88:…`, or
/// bare hex), displayed as `0x` and lowercase hex. [`format`](Self::format) tells which of
/// RFC 3411's layouts it follows.
///
/// The empty engine ID of a discovery probe is not an `EngineId`: the message codec carries
/// msgAuthoritativeEngineID as raw octets, and the engine turns them into an `EngineId` once
/// it knows they are one.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EngineId(Bytes);

impl EngineId {
    /// An engine ID of `bytes`; [`EngineIdError::Length`] unless 5 to 32 octets.
    pub fn new(bytes: impl Into<Bytes>) -> Result<Self, EngineIdError> {
        let bytes = bytes.into();
        if !(MIN_LEN..=MAX_LEN).contains(&bytes.len()) {
            return Err(EngineIdError::Length(bytes.len()));
        }
        Ok(Self(bytes))
    }

    /// An engine ID in RFC 3411's modern layout: the enterprise number with its high bit
    /// set, the format octet, then up to 27 octets of `data`.
    pub fn with_format(enterprise: u32, format: u8, data: &[u8]) -> Result<Self, EngineIdError> {
        Self::new(modern(enterprise, format, data))
    }

    /// An engine ID made of `enterprise`'s number and `text` (format 4), as Net-SNMP's
    /// `engineIDType 3` does with a configured string.
    pub fn from_text(enterprise: u32, text: &str) -> Result<Self, EngineIdError> {
        Self::with_format(enterprise, FORMAT_TEXT, text.as_bytes())
    }

    /// An engine ID made of `enterprise`'s number and an IPv4 address (format 1).
    pub fn from_ipv4(enterprise: u32, address: Ipv4Addr) -> Self {
        Self(Bytes::from(modern(
            enterprise,
            FORMAT_IPV4,
            &address.octets(),
        )))
    }

    /// An engine ID made of `enterprise`'s number and a MAC address (format 3).
    pub fn from_mac(enterprise: u32, mac: [u8; 6]) -> Self {
        Self(Bytes::from(modern(enterprise, FORMAT_MAC, &mac)))
    }

    /// The octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The octets, shared.
    pub fn to_bytes(&self) -> Bytes {
        self.0.clone()
    }

    /// The IANA enterprise number in the first four octets, without the layout bit.
    pub fn enterprise(&self) -> u32 {
        let mut first = [0; 4];
        if let Some(octets) = self.0.get(..4) {
            first.copy_from_slice(octets);
        }
        u32::from_be_bytes(first) & !MODERN_LAYOUT
    }

    /// Which of RFC 3411's layouts the octets follow, and what they hold.
    pub fn format(&self) -> EngineIdFormat<'_> {
        let bytes: &[u8] = &self.0;
        let modern = bytes.first().is_some_and(|&first| first & 0x80 != 0);
        let (Some(&format), Some(data)) = (bytes.get(4), bytes.get(5..)) else {
            return EngineIdFormat::Other(bytes);
        };
        if !modern {
            return if bytes.len() == RFC1910_LEN {
                EngineIdFormat::Rfc1910(bytes.get(4..).unwrap_or_default())
            } else {
                EngineIdFormat::Other(bytes)
            };
        }
        match format {
            FORMAT_IPV4 => <[u8; 4]>::try_from(data).map_or(EngineIdFormat::Other(bytes), |a| {
                EngineIdFormat::Ipv4(Ipv4Addr::from(a))
            }),
            FORMAT_IPV6 => <[u8; 16]>::try_from(data).map_or(EngineIdFormat::Other(bytes), |a| {
                EngineIdFormat::Ipv6(Ipv6Addr::from(a))
            }),
            FORMAT_MAC => {
                <[u8; 6]>::try_from(data).map_or(EngineIdFormat::Other(bytes), EngineIdFormat::Mac)
            }
            FORMAT_TEXT => EngineIdFormat::Text(data),
            FORMAT_OCTETS => EngineIdFormat::Octets(data),
            0x80..=0xff => EngineIdFormat::Enterprise { format, data },
            _ => EngineIdFormat::Other(bytes),
        }
    }
}

impl fmt::Display for EngineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("0x")?;
        for octet in self.0.iter() {
            write!(f, "{octet:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for EngineId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EngineId({self})")
    }
}

impl FromStr for EngineId {
    type Err = EngineIdError;

    /// Hex, with an optional `0x` prefix, and `:`, `-` or spaces allowed between octets.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s
            .strip_prefix("0x")
            .or_else(|| s.strip_prefix("0X"))
            .unwrap_or(s);
        let mut bytes = Vec::with_capacity(digits.len() / 2);
        for group in digits.split([':', '-', ' ']).filter(|g| !g.is_empty()) {
            // A group of one digit is an octet written without its leading zero (`80:0:1f`).
            if let [digit] = group.as_bytes() {
                bytes.push(hex_digit(*digit)?);
                continue;
            }
            if group.len() % 2 != 0 {
                return Err(EngineIdError::InvalidHex);
            }
            for pair in group.as_bytes().chunks_exact(2) {
                let &[high, low] = pair else {
                    return Err(EngineIdError::InvalidHex);
                };
                bytes.push((hex_digit(high)? << 4) | hex_digit(low)?);
            }
        }
        Self::new(bytes)
    }
}

/// What an engine ID holds, by RFC 3411 §5's layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EngineIdFormat<'a> {
    /// Format 1: an IPv4 address.
    Ipv4(Ipv4Addr),
    /// Format 2: an IPv6 address.
    Ipv6(Ipv6Addr),
    /// Format 3: a MAC address.
    Mac([u8; 6]),
    /// Format 4: administratively assigned text.
    Text(&'a [u8]),
    /// Format 5: administratively assigned octets.
    Octets(&'a [u8]),
    /// Formats 128–255: defined by the enterprise (Net-SNMP's default, format 128, is random
    /// octets and the time of creation).
    Enterprise {
        /// The format octet.
        format: u8,
        /// What follows it.
        data: &'a [u8],
    },
    /// The SNMPv1/v2-era layout (RFC 1910): 12 octets, the enterprise number with its high
    /// bit clear, then 8 octets the enterprise defines.
    Rfc1910(&'a [u8]),
    /// A reserved format, or a format whose data has the wrong length: all the octets.
    Other(&'a [u8]),
}

impl fmt::Display for EngineIdFormat<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ipv4(address) => write!(f, "IPv4 address {address}"),
            Self::Ipv6(address) => write!(f, "IPv6 address {address}"),
            Self::Mac(mac) => {
                let [a, b, c, d, e, g] = mac;
                write!(
                    f,
                    "MAC address {a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}"
                )
            }
            Self::Text(text) => write!(f, "text \"{}\"", String::from_utf8_lossy(text)),
            Self::Octets(data) => write!(f, "octets {}", Hex(data)),
            Self::Enterprise { format, data } => {
                write!(f, "enterprise-specific format {format}: {}", Hex(data))
            }
            Self::Rfc1910(data) => write!(f, "RFC 1910 layout: {}", Hex(data)),
            Self::Other(data) => write!(f, "unknown layout: {}", Hex(data)),
        }
    }
}

/// Why octets or text are not an engine ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineIdError {
    /// Not 5 to 32 octets (RFC 3411 §5).
    #[error("an engine ID has 5 to 32 octets, not {0}")]
    Length(usize),
    /// Text that is not hex octets.
    #[error("an engine ID is written in hex, such as 0x80001f8803525400a1b2c3")]
    InvalidHex,
}

struct Hex<'a>(&'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for octet in self.0 {
            write!(f, "{octet:02x}")?;
        }
        Ok(())
    }
}

fn modern(enterprise: u32, format: u8, data: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(5 + data.len());
    bytes.extend_from_slice(&(enterprise | MODERN_LAYOUT).to_be_bytes());
    bytes.push(format);
    bytes.extend_from_slice(data);
    bytes
}

fn hex_digit(digit: u8) -> Result<u8, EngineIdError> {
    char::from(digit)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
        .ok_or(EngineIdError::InvalidHex)
}

/// The shortest engine ID (RFC 3411 §5).
const MIN_LEN: usize = 5;
/// The longest engine ID (RFC 3411 §5).
const MAX_LEN: usize = 32;
/// The first bit of the enterprise number: set in RFC 3411's layout, clear in RFC 1910's.
const MODERN_LAYOUT: u32 = 0x8000_0000;
const RFC1910_LEN: usize = 12;
const FORMAT_IPV4: u8 = 1;
const FORMAT_IPV6: u8 = 2;
const FORMAT_MAC: u8 = 3;
const FORMAT_TEXT: u8 = 4;
const FORMAT_OCTETS: u8 = 5;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hex_in_net_snmp_spellings() {
        let expected = EngineId::new(vec![0x80, 0x00, 0x1f, 0x88, 0x04, b'a']).unwrap();
        for text in [
            "0x80001f880461",
            "80001F880461",
            "80:00:1f:88:04:61",
            "80 00 1f 88 4 61",
        ] {
            assert_eq!(text.parse::<EngineId>(), Ok(expected.clone()), "{text}");
        }
        assert_eq!(expected.to_string(), "0x80001f880461");
        assert_eq!(expected.to_string().parse(), Ok(expected));
    }

    #[test]
    fn rejects_bad_hex_and_lengths() {
        assert_eq!("0x8000".parse::<EngineId>(), Err(EngineIdError::Length(2)));
        assert_eq!(
            "80001f8804g1".parse::<EngineId>(),
            Err(EngineIdError::InvalidHex)
        );
        assert_eq!(
            "80001f88046".parse::<EngineId>(),
            Err(EngineIdError::InvalidHex)
        );
        assert_eq!("".parse::<EngineId>(), Err(EngineIdError::Length(0)));
        assert_eq!(EngineId::new(vec![0; 33]), Err(EngineIdError::Length(33)));
        assert!(EngineId::new(vec![0; 32]).is_ok());
        assert!(EngineId::new(vec![0; 5]).is_ok());
        assert_eq!(
            EngineId::from_text(8072, &"x".repeat(28)),
            Err(EngineIdError::Length(33))
        );
    }

    #[test]
    fn describes_each_layout() {
        let ipv4 = EngineId::from_ipv4(8072, Ipv4Addr::new(192, 0, 2, 1));
        assert_eq!(
            ipv4.as_bytes(),
            [0x80, 0x00, 0x1f, 0x88, 0x01, 192, 0, 2, 1]
        );
        assert_eq!(ipv4.enterprise(), 8072);
        assert_eq!(
            ipv4.format(),
            EngineIdFormat::Ipv4(Ipv4Addr::new(192, 0, 2, 1))
        );
        let ipv6 = EngineId::with_format(9, 2, &Ipv6Addr::LOCALHOST.octets()).unwrap();
        assert_eq!(ipv6.format(), EngineIdFormat::Ipv6(Ipv6Addr::LOCALHOST));
        let mac = EngineId::from_mac(9, [0, 0x11, 0x22, 0x33, 0x44, 0x55]);
        assert_eq!(mac.format().to_string(), "MAC address 00:11:22:33:44:55");
        let text = EngineId::from_text(8072, "router1").unwrap();
        assert_eq!(text.format(), EngineIdFormat::Text(b"router1"));
        let octets = EngineId::with_format(8072, 5, &[1, 2]).unwrap();
        assert_eq!(octets.format(), EngineIdFormat::Octets(&[1, 2]));
        // Net-SNMP's default: format 128, random octets and a time.
        let net_snmp: EngineId = "0x80001f88804b1e2d3c5f6a7b8c00000000".parse().unwrap();
        assert!(matches!(
            net_snmp.format(),
            EngineIdFormat::Enterprise { format: 0x80, .. }
        ));
        // RFC 3414 A.3's engine ID is the RFC 1910 layout.
        let rfc1910: EngineId = "000000000000000000000002".parse().unwrap();
        assert_eq!(rfc1910.enterprise(), 0);
        assert_eq!(
            rfc1910.format(),
            EngineIdFormat::Rfc1910(&[0, 0, 0, 0, 0, 0, 0, 2])
        );
        let short_ipv4 = EngineId::with_format(9, 1, &[10, 0, 0]).unwrap();
        assert!(matches!(short_ipv4.format(), EngineIdFormat::Other(_)));
        let reserved = EngineId::with_format(9, 7, &[1]).unwrap();
        assert!(matches!(reserved.format(), EngineIdFormat::Other(_)));
        let odd_rfc1910 = EngineId::new(vec![0, 0, 0, 9, 1, 2]).unwrap();
        assert!(matches!(odd_rfc1910.format(), EngineIdFormat::Other(_)));
    }
}
