//! USM keys: password to key, localisation, and the two key extensions (RFC 3414 §2.6 and
//! A.2, RFC 7860 §9.3, draft-blumenthal-aes-usm-04 §3.1.2.1, draft-reeder-snmpv3-usm-3desede-00
//! §2.1).
//!
//! A password becomes a [`MasterKey`] (Ku) by hashing 1 048 576 octets of the password
//! repeated; a master key becomes a [`LocalizedKey`] (Kul) for one authoritative engine as
//! `H(Ku ‖ engineID ‖ Ku)`. The authentication protocol's hash does both, for the
//! authentication key and for the privacy key alike. A privacy protocol whose key is longer
//! than the hash output (AES-192/256 with MD5 or SHA-1, 3DES with MD5 or SHA-1) extends the
//! localized key, in one of the two schemes equipment uses: see [`KeyExtension`].
//!
//! Deriving a master key costs a megabyte of hashing, and the Reeder extension costs another
//! per block: [`Credentials`] derives master keys once, when it is built, and
//! [`KeyCache`](super::KeyCache) keeps the localized keys per user and engine.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use md5::Md5;
use sha1::Sha1;
use sha2::Digest;
use sha2::{Sha224, Sha256, Sha384, Sha512};

use crate::oid::Oid;
use crate::usm::UsmError;
use crate::usm::engine_id::EngineId;

/// An authentication protocol: the HMAC and the hash used for keys (RFC 3414 §6, §7;
/// RFC 7860 §4).
///
/// Named as Net-SNMP's `-a` names them: `MD5`, `SHA`, `SHA-224`, `SHA-256`, `SHA-384`,
/// `SHA-512`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AuthProtocol {
    /// usmHMACMD5AuthProtocol, HMAC-MD5-96 (RFC 3414 §6).
    Md5,
    /// usmHMACSHAAuthProtocol, HMAC-SHA-96 (RFC 3414 §7).
    Sha1,
    /// usmHMAC128SHA224AuthProtocol, HMAC-SHA-224 truncated to 128 bits (RFC 7860).
    Sha224,
    /// usmHMAC192SHA256AuthProtocol, HMAC-SHA-256 truncated to 192 bits (RFC 7860).
    Sha256,
    /// usmHMAC256SHA384AuthProtocol, HMAC-SHA-384 truncated to 256 bits (RFC 7860).
    Sha384,
    /// usmHMAC384SHA512AuthProtocol, HMAC-SHA-512 truncated to 384 bits (RFC 7860).
    Sha512,
}

impl AuthProtocol {
    /// Every authentication protocol, weakest first.
    pub const ALL: [Self; 6] = [
        Self::Md5,
        Self::Sha1,
        Self::Sha224,
        Self::Sha256,
        Self::Sha384,
        Self::Sha512,
    ];

    /// Net-SNMP's name for the protocol (`-a`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Sha1 => "SHA",
            Self::Sha224 => "SHA-224",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        }
    }

    /// The protocol's identity in usmUserAuthProtocol (SNMP-USER-BASED-SM-MIB, RFC 7860 §4.1).
    pub fn oid(self) -> Oid {
        let last = match self {
            Self::Md5 => 2,
            Self::Sha1 => 3,
            Self::Sha224 => 4,
            Self::Sha256 => 5,
            Self::Sha384 => 6,
            Self::Sha512 => 7,
        };
        // A constant OID of ten small arcs is valid.
        Oid::new(&[1, 3, 6, 1, 6, 3, 10, 1, 1, last]).expect("a valid constant OID")
    }

    /// Octets of the hash output, which is also the length of Ku and Kul.
    pub fn digest_len(self) -> usize {
        match self {
            Self::Md5 => 16,
            Self::Sha1 => 20,
            Self::Sha224 => 28,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }

    /// Octets of msgAuthenticationParameters: the truncated HMAC (RFC 3414 §6.3.1 and
    /// §7.3.1: 12; RFC 7860 §4.2: 16, 24, 32, 48).
    pub fn mac_len(self) -> usize {
        match self {
            Self::Md5 | Self::Sha1 => 12,
            Self::Sha224 => 16,
            Self::Sha256 => 24,
            Self::Sha384 => 32,
            Self::Sha512 => 48,
        }
    }

    /// Password to key (RFC 3414 A.2): the hash of 1 048 576 octets of `password` repeated.
    ///
    /// Fails with [`UsmError::PasswordTooShort`] under 8 octets (RFC 3414 §11.2), as
    /// Net-SNMP does.
    pub fn password_to_key(self, password: &[u8]) -> Result<MasterKey, UsmError> {
        if password.len() < MIN_PASSWORD_LEN {
            return Err(UsmError::PasswordTooShort);
        }
        Ok(MasterKey(KeyBytes::new(self, |buf| {
            expand_password(self, password, buf)
        })))
    }

    /// `H(parts[0] ‖ parts[1] ‖ …)` written into the front of `out`; returns its length.
    pub(crate) fn hash_into(self, parts: &[&[u8]], out: &mut [u8; MAX_DIGEST_LEN]) -> usize {
        match self {
            Self::Md5 => hash_parts::<Md5>(parts, out),
            Self::Sha1 => hash_parts::<Sha1>(parts, out),
            Self::Sha224 => hash_parts::<Sha224>(parts, out),
            Self::Sha256 => hash_parts::<Sha256>(parts, out),
            Self::Sha384 => hash_parts::<Sha384>(parts, out),
            Self::Sha512 => hash_parts::<Sha512>(parts, out),
        }
    }
}

impl fmt::Display for AuthProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for AuthProtocol {
    type Err = UsmError;

    /// Net-SNMP's names, case-insensitive; `SHA1` and `SHA-1` are accepted for `SHA`, and the
    /// SHA-2 names with or without their hyphen.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_uppercase().as_str() {
            "MD5" => Self::Md5,
            "SHA" | "SHA1" | "SHA-1" => Self::Sha1,
            "SHA-224" | "SHA224" => Self::Sha224,
            "SHA-256" | "SHA256" => Self::Sha256,
            "SHA-384" | "SHA384" => Self::Sha384,
            "SHA-512" | "SHA512" => Self::Sha512,
            _ => return Err(UsmError::UnknownAuthProtocol),
        })
    }
}

/// A privacy protocol (RFC 3414 §8, RFC 3826, draft-blumenthal-aes-usm-04,
/// draft-reeder-snmpv3-usm-3desede-00).
///
/// Named as Net-SNMP's `-x` names them, plus `3DES`, which Net-SNMP 5.9 lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrivProtocol {
    /// usmDESPrivProtocol, CBC-DES (RFC 3414 §8).
    Des,
    /// usmAesCfb128Protocol, AES-128 in CFB-128 mode (RFC 3826).
    Aes128,
    /// AES-192-CFB with the Blumenthal key extension (draft-blumenthal-aes-usm-04).
    Aes192,
    /// AES-256-CFB with the Blumenthal key extension (draft-blumenthal-aes-usm-04).
    Aes256,
    /// AES-192-CFB with the Reeder key extension, as Cisco and others implement it
    /// (Net-SNMP's `AES192C`).
    Aes192C,
    /// AES-256-CFB with the Reeder key extension (Net-SNMP's `AES256C`).
    Aes256C,
    /// usm3DESEDEPrivProtocol, CBC-3DES-EDE (draft-reeder-snmpv3-usm-3desede-00).
    TripleDes,
}

impl PrivProtocol {
    /// Every privacy protocol.
    pub const ALL: [Self; 7] = [
        Self::Des,
        Self::Aes128,
        Self::Aes192,
        Self::Aes256,
        Self::Aes192C,
        Self::Aes256C,
        Self::TripleDes,
    ];

    /// Net-SNMP's name for the protocol (`-x`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Des => "DES",
            Self::Aes128 => "AES",
            Self::Aes192 => "AES192",
            Self::Aes256 => "AES256",
            Self::Aes192C => "AES192C",
            Self::Aes256C => "AES256C",
            Self::TripleDes => "3DES",
        }
    }

    /// The protocol's identity in usmUserPrivProtocol, as Net-SNMP assigns it: RFC 3414's
    /// DES, RFC 3826's AES, the Reeder draft's 3DES, Blumenthal's AES-192/256 under
    /// enterprise 14832 and the "Cisco" variants under Cisco's `cusmAESCfb192PrivProtocol`
    /// and `cusmAESCfb256PrivProtocol`.
    pub fn oid(self) -> Oid {
        let arcs: &[u32] = match self {
            Self::Des => &[1, 3, 6, 1, 6, 3, 10, 1, 2, 2],
            Self::TripleDes => &[1, 3, 6, 1, 6, 3, 10, 1, 2, 3],
            Self::Aes128 => &[1, 3, 6, 1, 6, 3, 10, 1, 2, 4],
            Self::Aes192 => &[1, 3, 6, 1, 4, 1, 14832, 1, 3],
            Self::Aes256 => &[1, 3, 6, 1, 4, 1, 14832, 1, 4],
            Self::Aes192C => &[1, 3, 6, 1, 4, 1, 9, 12, 6, 1, 1],
            Self::Aes256C => &[1, 3, 6, 1, 4, 1, 9, 12, 6, 1, 2],
        };
        // Constant OIDs of ten or eleven small arcs are valid.
        Oid::new(arcs).expect("a valid constant OID")
    }

    /// Octets of key material the protocol consumes: DES takes a key and a pre-IV of 8
    /// octets each (RFC 3414 §8.1.1.1), 3DES three keys and a pre-IV (Reeder §5.1.1.1), AES
    /// only its key (RFC 3826 §3.1.2.1).
    pub fn key_len(self) -> usize {
        match self {
            Self::Des | Self::Aes128 => 16,
            Self::Aes192 | Self::Aes192C => 24,
            Self::Aes256 | Self::Aes256C | Self::TripleDes => 32,
        }
    }

    /// How a localized key shorter than [`key_len`](Self::key_len) is lengthened.
    pub fn key_extension(self) -> KeyExtension {
        match self {
            Self::Des | Self::Aes128 => KeyExtension::None,
            Self::Aes192 | Self::Aes256 => KeyExtension::Blumenthal,
            Self::Aes192C | Self::Aes256C | Self::TripleDes => KeyExtension::Reeder,
        }
    }
}

impl fmt::Display for PrivProtocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PrivProtocol {
    type Err = UsmError;

    /// Net-SNMP's names, case-insensitive (`AES-192` and `AES192` alike), plus `3DES`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_uppercase().as_str() {
            "DES" => Self::Des,
            "AES" | "AES128" | "AES-128" => Self::Aes128,
            "AES192" | "AES-192" => Self::Aes192,
            "AES256" | "AES-256" => Self::Aes256,
            "AES192C" | "AES-192-C" => Self::Aes192C,
            "AES256C" | "AES-256-C" => Self::Aes256C,
            "3DES" | "3DESEDE" | "3DES-EDE" => Self::TripleDes,
            _ => return Err(UsmError::UnknownPrivProtocol),
        })
    }
}

/// How a localized key is lengthened when a cipher needs more than the hash gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyExtension {
    /// The key is long enough whatever the hash.
    None,
    /// `Kul ← Kul ‖ H(Kul)` until long enough (draft-blumenthal-aes-usm-04 §3.1.2.1).
    Blumenthal,
    /// `Kul ← Kul ‖ localize(password_to_key(Kul))` until long enough
    /// (draft-reeder-snmpv3-usm-3desede-00 §2.1): costs a megabyte of hashing per step.
    Reeder,
}

/// A master key Ku: what password-to-key gives, before localisation (RFC 3414 §2.6).
///
/// Its `Debug` prints `***`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MasterKey(KeyBytes);

impl MasterKey {
    /// A master key given as octets (Net-SNMP's `-3m`/`-3M`): exactly the protocol's
    /// [`digest_len`](AuthProtocol::digest_len).
    pub fn from_bytes(protocol: AuthProtocol, bytes: &[u8]) -> Result<Self, UsmError> {
        KeyBytes::exact(protocol, bytes).map(Self)
    }

    /// The hash this key was derived with.
    pub fn protocol(&self) -> AuthProtocol {
        self.0.protocol
    }

    /// The key octets.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Localizes the key for `engine_id`: `Kul = H(Ku ‖ engineID ‖ Ku)` (RFC 3414 §2.6, A.2).
    pub fn localize(&self, engine_id: &EngineId) -> LocalizedKey {
        let ku = self.as_bytes();
        let protocol = self.protocol();
        LocalizedKey::new(KeyBytes::new(protocol, |buf| {
            protocol.hash_into(&[ku, engine_id.as_bytes(), ku], buf)
        }))
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A localized key Kul: a master key bound to one authoritative engine (RFC 3414 §2.6).
///
/// As an authentication key it keys the HMAC (see [`sign`](crate::usm::sign) and [`verify`](crate::usm::verify)); as a privacy key it
/// is turned into a [`PrivKey`] by [`PrivKey::from_localized`]. Its `Debug` prints `***`.
///
/// It also keeps the HMAC keyed once (the hash states after the inner and outer padded key
/// blocks, RFC 2104 §4), so that each message costs the hash of the message and of one
/// digest, not two more blocks for the key. Equality and order are the key octets'.
#[derive(Clone)]
pub struct LocalizedKey {
    bytes: KeyBytes,
    mac: KeyedMac,
}

impl LocalizedKey {
    /// A localized key given as octets (Net-SNMP's `-3k`/`-3K`): exactly the protocol's
    /// [`digest_len`](AuthProtocol::digest_len).
    pub fn from_bytes(protocol: AuthProtocol, bytes: &[u8]) -> Result<Self, UsmError> {
        KeyBytes::exact(protocol, bytes).map(Self::new)
    }

    fn new(bytes: KeyBytes) -> Self {
        let mac = KeyedMac::new(bytes.protocol, bytes.as_bytes());
        Self { bytes, mac }
    }

    /// The hash this key was localized with, which is also the HMAC's.
    pub fn protocol(&self) -> AuthProtocol {
        self.bytes.protocol
    }

    /// The key octets.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.as_bytes()
    }

    /// The HMAC keyed with this key, ready to take a message.
    pub(crate) fn mac(&self) -> &KeyedMac {
        &self.mac
    }
}

impl PartialEq for LocalizedKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for LocalizedKey {}

impl Hash for LocalizedKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.bytes.hash(state);
    }
}

impl PartialOrd for LocalizedKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for LocalizedKey {
    fn cmp(&self, other: &Self) -> Ordering {
        self.bytes.cmp(&other.bytes)
    }
}

/// An HMAC of one of the authentication protocols, keyed and not yet fed: clone it for each
/// message. The SHA-384 and SHA-512 states, twice the others' size, are boxed.
#[derive(Clone)]
pub(crate) enum KeyedMac {
    Md5(Hmac<Md5>),
    Sha1(Hmac<Sha1>),
    Sha224(Hmac<Sha224>),
    Sha256(Hmac<Sha256>),
    Sha384(Box<Hmac<Sha384>>),
    Sha512(Box<Hmac<Sha512>>),
}

impl KeyedMac {
    fn new(protocol: AuthProtocol, key: &[u8]) -> Self {
        // HMAC takes keys of any length (RFC 2104 §2: longer ones are hashed first).
        fn keyed<M: KeyInit>(key: &[u8]) -> M {
            M::new_from_slice(key).expect("HMAC accepts keys of any length")
        }
        match protocol {
            AuthProtocol::Md5 => Self::Md5(keyed(key)),
            AuthProtocol::Sha1 => Self::Sha1(keyed(key)),
            AuthProtocol::Sha224 => Self::Sha224(keyed(key)),
            AuthProtocol::Sha256 => Self::Sha256(keyed(key)),
            AuthProtocol::Sha384 => Self::Sha384(Box::new(keyed(key))),
            AuthProtocol::Sha512 => Self::Sha512(Box::new(keyed(key))),
        }
    }

    /// The full HMAC of the concatenation of `parts`, written to the front of `out`;
    /// returns its length.
    pub(crate) fn compute(&self, parts: &[&[u8]], out: &mut [u8; MAX_DIGEST_LEN]) -> usize {
        fn run<M: Mac + Clone>(mac: &M, parts: &[&[u8]], out: &mut [u8]) -> usize {
            let mut mac = mac.clone();
            for part in parts {
                mac.update(part);
            }
            copy_prefix(out, &mac.finalize().into_bytes())
        }
        match self {
            Self::Md5(mac) => run(mac, parts, out),
            Self::Sha1(mac) => run(mac, parts, out),
            Self::Sha224(mac) => run(mac, parts, out),
            Self::Sha256(mac) => run(mac, parts, out),
            Self::Sha384(mac) => run(mac.as_ref(), parts, out),
            Self::Sha512(mac) => run(mac.as_ref(), parts, out),
        }
    }
}

impl fmt::Debug for LocalizedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The key material of a privacy protocol, extended if needed: exactly
/// [`PrivProtocol::key_len`] octets. Its `Debug` prints `***`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PrivKey {
    protocol: PrivProtocol,
    bytes: [u8; MAX_PRIV_KEY_LEN],
}

impl PrivKey {
    /// The privacy key for `protocol` from a localized key (RFC 3414 §8.1.1.1, RFC 3826
    /// §3.1.2.1): its first octets, after the protocol's [`KeyExtension`] when the hash is
    /// too short. The Reeder extension localizes again, hence `engine_id`.
    pub fn from_localized(
        protocol: PrivProtocol,
        localized: &LocalizedKey,
        engine_id: &EngineId,
    ) -> Self {
        let needed = protocol.key_len();
        let auth = localized.protocol();
        let mut bytes = [0; MAX_PRIV_KEY_LEN];
        let mut have = copy_prefix(&mut bytes, localized.as_bytes());
        // The hash of any key in use (at least 16 octets) is at least 16 octets, so every
        // round adds material and the loop ends within two rounds.
        while have < needed {
            let current = bytes.get(..have).unwrap_or_default();
            let mut block = [0; MAX_DIGEST_LEN];
            let len = match protocol.key_extension() {
                KeyExtension::None => break,
                KeyExtension::Blumenthal => auth.hash_into(&[current], &mut block),
                KeyExtension::Reeder => {
                    let mut ku = [0; MAX_DIGEST_LEN];
                    expand_password(auth, current, &mut ku);
                    let ku = ku.get(..auth.digest_len()).unwrap_or_default();
                    auth.hash_into(&[ku, engine_id.as_bytes(), ku], &mut block)
                }
            };
            let added = bytes.get_mut(have..needed).map_or(0, |slot| {
                copy_prefix(slot, block.get(..len).unwrap_or_default())
            });
            if added == 0 {
                break;
            }
            have += added;
        }
        Self { protocol, bytes }
    }

    /// A privacy key given as its final octets: exactly [`PrivProtocol::key_len`] of them.
    pub fn from_bytes(protocol: PrivProtocol, bytes: &[u8]) -> Result<Self, UsmError> {
        if bytes.len() != protocol.key_len() {
            return Err(UsmError::KeyLength {
                expected: protocol.key_len(),
                actual: bytes.len(),
            });
        }
        let mut key = [0; MAX_PRIV_KEY_LEN];
        copy_prefix(&mut key, bytes);
        Ok(Self {
            protocol,
            bytes: key,
        })
    }

    /// The cipher this key is for.
    pub fn protocol(&self) -> PrivProtocol {
        self.protocol
    }

    /// The key octets, [`PrivProtocol::key_len`] of them.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
            .get(..self.protocol.key_len())
            .unwrap_or_default()
    }

    pub(crate) fn array<const N: usize>(&self, from: usize) -> [u8; N] {
        let mut out = [0; N];
        if let Some(src) = self.bytes.get(from..from + N) {
            out.copy_from_slice(src);
        }
        out
    }
}

impl fmt::Debug for PrivKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivKey({}, ***)", self.protocol)
    }
}

/// Up to [`MAX_DIGEST_LEN`] key octets and the hash that made them, without allocation.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct KeyBytes {
    protocol: AuthProtocol,
    bytes: [u8; MAX_DIGEST_LEN],
}

impl KeyBytes {
    fn new(protocol: AuthProtocol, fill: impl FnOnce(&mut [u8; MAX_DIGEST_LEN]) -> usize) -> Self {
        let mut bytes = [0; MAX_DIGEST_LEN];
        let written = fill(&mut bytes);
        debug_assert_eq!(written, protocol.digest_len());
        Self { protocol, bytes }
    }

    fn exact(protocol: AuthProtocol, bytes: &[u8]) -> Result<Self, UsmError> {
        if bytes.len() != protocol.digest_len() {
            return Err(UsmError::KeyLength {
                expected: protocol.digest_len(),
                actual: bytes.len(),
            });
        }
        Ok(Self::new(protocol, |buf| copy_prefix(buf, bytes)))
    }

    fn as_bytes(&self) -> &[u8] {
        self.bytes
            .get(..self.protocol.digest_len())
            .unwrap_or_default()
    }
}

/// Hashes 1 048 576 octets of `password` repeated (RFC 3414 A.2.1 and A.2.2) into `out`;
/// returns the digest length. `password` must not be empty.
fn expand_password(
    protocol: AuthProtocol,
    password: &[u8],
    out: &mut [u8; MAX_DIGEST_LEN],
) -> usize {
    match protocol {
        AuthProtocol::Md5 => expand::<Md5>(password, out),
        AuthProtocol::Sha1 => expand::<Sha1>(password, out),
        AuthProtocol::Sha224 => expand::<Sha224>(password, out),
        AuthProtocol::Sha256 => expand::<Sha256>(password, out),
        AuthProtocol::Sha384 => expand::<Sha384>(password, out),
        AuthProtocol::Sha512 => expand::<Sha512>(password, out),
    }
}

fn expand<D: Digest>(password: &[u8], out: &mut [u8; MAX_DIGEST_LEN]) -> usize {
    // Hash whole copies of the password, a few kilobytes at a time: the stream the hash
    // sees is the same as RFC 3414's 64-octet loop, with far fewer calls.
    let copies = EXPANSION_CHUNK.div_ceil(password.len().max(1));
    let chunk = password.repeat(copies);
    let mut hasher = D::new();
    let mut left = EXPANDED_PASSWORD_LEN;
    while left > 0 {
        let take = left.min(chunk.len());
        hasher.update(chunk.get(..take).unwrap_or_default());
        left -= take;
        if take == 0 {
            break;
        }
    }
    copy_prefix(out, &hasher.finalize())
}

fn hash_parts<D: Digest>(parts: &[&[u8]], out: &mut [u8; MAX_DIGEST_LEN]) -> usize {
    let mut hasher = D::new();
    for part in parts {
        hasher.update(part);
    }
    copy_prefix(out, &hasher.finalize())
}

/// Copies as much of `src` as fits into the front of `dst`; returns the count.
fn copy_prefix(dst: &mut [u8], src: &[u8]) -> usize {
    let n = dst.len().min(src.len());
    if let (Some(dst), Some(src)) = (dst.get_mut(..n), src.get(..n)) {
        dst.copy_from_slice(src);
    }
    n
}

/// The shortest password accepted (RFC 3414 §11.2; Net-SNMP's `USM_LENGTH_P_MIN`).
pub const MIN_PASSWORD_LEN: usize = 8;
/// The longest hash output: SHA-512's.
pub(crate) const MAX_DIGEST_LEN: usize = 64;
/// The longest privacy key: AES-256's and 3DES's.
const MAX_PRIV_KEY_LEN: usize = 32;
/// How many password octets password-to-key hashes (RFC 3414 A.2.1).
const EXPANDED_PASSWORD_LEN: usize = 1_048_576;
/// Octets hashed per call while expanding a password.
const EXPANSION_CHUNK: usize = 4_096;

#[cfg(test)]
mod tests;
