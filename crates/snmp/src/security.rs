//! Security models and levels, as the SNMP architecture names them (RFC 3411 §5).
//!
//! Both are shared by USM (which sets the level of a message), VACM (which matches them against
//! its access table) and the community-based model of RFC 3584, as is [`AdminString`], the
//! type of every security, group, context and view name.

use core::borrow::Borrow;
use core::fmt;
use core::str::FromStr;

use bytes::Bytes;

/// An `SnmpSecurityModel` (RFC 3411 §5), as far as RFC 3411 assigns values.
///
/// Explicitly complete for the values RFC 3411 defines: `Any` is only meaningful in VACM's
/// access table, where it matches every model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum SecurityModel {
    /// any(0): matches every model in `vacmAccessTable` (RFC 3415 §4).
    Any = 0,
    /// SNMPv1(1): the community-based model for v1 messages (RFC 3584).
    V1 = 1,
    /// SNMPv2c(2): the community-based model for v2c messages (RFC 3584).
    V2c = 2,
    /// USM(3): the User-based Security Model (RFC 3414).
    Usm = 3,
}

impl SecurityModel {
    /// Every model, in numeric order.
    pub const ALL: [Self; 4] = [Self::Any, Self::V1, Self::V2c, Self::Usm];

    /// The model with this number, if RFC 3411 defines it.
    pub fn from_code(code: i32) -> Option<Self> {
        usize::try_from(code)
            .ok()
            .and_then(|i| Self::ALL.get(i).copied())
    }

    /// Its number, as in `msgSecurityModel` and the VACM tables' indexes.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Net-SNMP's configuration token: `any`, `v1`, `v2c`, `usm`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Any => "any",
            Self::V1 => "v1",
            Self::V2c => "v2c",
            Self::Usm => "usm",
        }
    }
}

impl FromStr for SecurityModel {
    type Err = UnknownSecurityName;

    /// Parses Net-SNMP's tokens (`any`, `v1`, `v2c`, `usm`), case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|model| model.name().eq_ignore_ascii_case(s))
            .ok_or(UnknownSecurityName)
    }
}

impl fmt::Display for SecurityModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An `SnmpSecurityLevel` (RFC 3411 §5), ordered: `NoAuthNoPriv < AuthNoPriv < AuthPriv`.
///
/// Privacy without authentication is not a level: it cannot be represented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum SecurityLevel {
    /// noAuthNoPriv(1)
    NoAuthNoPriv = 1,
    /// authNoPriv(2)
    AuthNoPriv = 2,
    /// authPriv(3)
    AuthPriv = 3,
}

impl SecurityLevel {
    /// Every level, from the lowest.
    pub const ALL: [Self; 3] = [Self::NoAuthNoPriv, Self::AuthNoPriv, Self::AuthPriv];

    /// The level with this number (1–3).
    pub fn from_code(code: i32) -> Option<Self> {
        Some(match code {
            1 => Self::NoAuthNoPriv,
            2 => Self::AuthNoPriv,
            3 => Self::AuthPriv,
            _ => return None,
        })
    }

    /// The level of a message's `msgFlags` (RFC 3412 §6.4); `None` for privacy without
    /// authentication, which RFC 3412 §7.2 step 5 rejects.
    pub fn from_flags(auth: bool, privacy: bool) -> Option<Self> {
        match (auth, privacy) {
            (false, false) => Some(Self::NoAuthNoPriv),
            (true, false) => Some(Self::AuthNoPriv),
            (true, true) => Some(Self::AuthPriv),
            (false, true) => None,
        }
    }

    /// Its number, as in the VACM tables' indexes.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// True from `AuthNoPriv` up.
    pub fn is_authenticated(self) -> bool {
        self >= Self::AuthNoPriv
    }

    /// True for `AuthPriv`.
    pub fn is_private(self) -> bool {
        self == Self::AuthPriv
    }

    /// The RFC's name: `noAuthNoPriv`, `authNoPriv`, `authPriv`.
    pub fn name(self) -> &'static str {
        match self {
            Self::NoAuthNoPriv => "noAuthNoPriv",
            Self::AuthNoPriv => "authNoPriv",
            Self::AuthPriv => "authPriv",
        }
    }
}

impl FromStr for SecurityLevel {
    type Err = UnknownSecurityName;

    /// Parses the RFC names and Net-SNMP's short tokens (`noauth`, `auth`, `priv`),
    /// case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let level = match s.to_ascii_lowercase().as_str() {
            "noauthnopriv" | "noauth" => Self::NoAuthNoPriv,
            "authnopriv" | "auth" => Self::AuthNoPriv,
            "authpriv" | "priv" => Self::AuthPriv,
            _ => return Err(UnknownSecurityName),
        };
        Ok(level)
    }
}

impl fmt::Display for SecurityLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An `SnmpAdminString` (RFC 3411 §5): a name of a principal, group, context or view.
///
/// The octets are kept as they came: names from the wire are compared octet for octet and
/// never need to be valid UTF-8 to be looked up. `Debug` and `Display` show them as UTF-8,
/// replacing invalid sequences. The tables that store names check their sizes.
///
/// The octets are shared, not copied, when the string is cloned: each request's context
/// carries its security and context names, and clones them per request.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct AdminString(Bytes);

impl AdminString {
    /// A copy of `octets`.
    pub fn new(octets: impl AsRef<[u8]>) -> Self {
        Self(Bytes::copy_from_slice(octets.as_ref()))
    }

    /// The octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Number of octets.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True for the empty string (the default context's name).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for AdminString {
    fn from(s: &str) -> Self {
        Self::new(s)
    }
}

impl From<&[u8]> for AdminString {
    fn from(octets: &[u8]) -> Self {
        Self::new(octets)
    }
}

impl From<String> for AdminString {
    fn from(s: String) -> Self {
        Self(Bytes::from(s.into_bytes()))
    }
}

impl From<Vec<u8>> for AdminString {
    fn from(octets: Vec<u8>) -> Self {
        Self(Bytes::from(octets))
    }
}

/// The octets of `bytes`, shared with it: for a name read from a message, which lives no
/// longer than the request it names.
impl From<Bytes> for AdminString {
    fn from(octets: Bytes) -> Self {
        Self(octets)
    }
}

impl AsRef<[u8]> for AdminString {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Borrow<[u8]> for AdminString {
    fn borrow(&self) -> &[u8] {
        self.0.as_ref()
    }
}

impl fmt::Display for AdminString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.0))
    }
}

impl fmt::Debug for AdminString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(&self.0))
    }
}

/// A security model or level name that is not one of the known tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown security model or level name")]
pub struct UnknownSecurityName;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered() {
        assert!(SecurityLevel::NoAuthNoPriv < SecurityLevel::AuthNoPriv);
        assert!(SecurityLevel::AuthNoPriv < SecurityLevel::AuthPriv);
        assert!(!SecurityLevel::NoAuthNoPriv.is_authenticated());
        assert!(SecurityLevel::AuthNoPriv.is_authenticated());
        assert!(!SecurityLevel::AuthNoPriv.is_private());
        assert!(SecurityLevel::AuthPriv.is_private());
    }

    #[test]
    fn codes_round_trip() {
        for model in SecurityModel::ALL {
            assert_eq!(
                SecurityModel::from_code(i32::from(model.code())),
                Some(model)
            );
            assert_eq!(model.name().parse(), Ok(model));
        }
        assert_eq!(SecurityModel::from_code(4), None);
        assert_eq!(SecurityModel::from_code(-1), None);
        for level in SecurityLevel::ALL {
            assert_eq!(
                SecurityLevel::from_code(i32::from(level.code())),
                Some(level)
            );
            assert_eq!(level.name().parse(), Ok(level));
        }
        assert_eq!(SecurityLevel::from_code(0), None);
    }

    #[test]
    fn parses_net_snmp_tokens() {
        assert_eq!("USM".parse(), Ok(SecurityModel::Usm));
        assert_eq!("v2c".parse(), Ok(SecurityModel::V2c));
        assert_eq!("tsm".parse::<SecurityModel>(), Err(UnknownSecurityName));
        assert_eq!("noauth".parse(), Ok(SecurityLevel::NoAuthNoPriv));
        assert_eq!("auth".parse(), Ok(SecurityLevel::AuthNoPriv));
        assert_eq!("priv".parse(), Ok(SecurityLevel::AuthPriv));
        assert_eq!("authPriv".parse(), Ok(SecurityLevel::AuthPriv));
        assert_eq!(
            "privnoauth".parse::<SecurityLevel>(),
            Err(UnknownSecurityName)
        );
    }

    #[test]
    fn admin_strings_compare_as_octets() {
        let name = AdminString::from("grpcomm1");
        assert_eq!(name.as_bytes(), b"grpcomm1");
        assert_eq!(name, AdminString::new(b"grpcomm1"));
        assert_eq!(format!("{name:?}"), "\"grpcomm1\"");
        assert_eq!(AdminString::new([0x61, 0xff]).to_string(), "a\u{fffd}");
        assert!(AdminString::default().is_empty());
        let mut set = std::collections::BTreeSet::new();
        set.insert(name);
        assert!(set.contains(&b"grpcomm1"[..]));
    }

    #[test]
    fn flags_give_the_level() {
        assert_eq!(
            SecurityLevel::from_flags(false, false),
            Some(SecurityLevel::NoAuthNoPriv)
        );
        assert_eq!(
            SecurityLevel::from_flags(true, false),
            Some(SecurityLevel::AuthNoPriv)
        );
        assert_eq!(
            SecurityLevel::from_flags(true, true),
            Some(SecurityLevel::AuthPriv)
        );
        assert_eq!(SecurityLevel::from_flags(false, true), None);
    }
}
