//! A user's secrets and the cache of their localized keys (RFC 3414 §2.6, §5 usmUserTable).
//!
//! Password to key costs a megabyte of hashing; localisation costs one hash, and the Reeder
//! extension another megabyte. [`Credentials`] runs password-to-key once, when it is built,
//! and keeps the master keys. [`KeyCache`] localizes them once per (engine ID, user name) and
//! hands out the same [`LocalizedKeys`] to every later message; it counts its derivations so
//! that a test can prove it.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fmt;

use bytes::Bytes;

use crate::security::SecurityLevel;
use crate::usm::UsmError;
use crate::usm::engine_id::EngineId;
use crate::usm::key::{AuthProtocol, LocalizedKey, MasterKey, PrivKey, PrivProtocol};

/// How a secret is given: Net-SNMP's `-A`/`-X` (password), `-3m`/`-3M` (master key) or
/// `-3k`/`-3K` (localized key).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum KeyInput<'a> {
    /// A password of at least 8 octets, turned into a master key (RFC 3414 A.2).
    Password(&'a [u8]),
    /// A master key Ku: as many octets as the authentication protocol's hash.
    MasterKey(&'a [u8]),
    /// A key already localized for the engine it will be used with: as many octets as the
    /// authentication protocol's hash, or, for privacy, as many as the privacy protocol
    /// takes ([`PrivProtocol::key_len`]).
    LocalizedKey(&'a [u8]),
}

impl fmt::Debug for KeyInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            Self::Password(_) => "Password",
            Self::MasterKey(_) => "MasterKey",
            Self::LocalizedKey(_) => "LocalizedKey",
        };
        write!(f, "{kind}(***)")
    }
}

/// A user's authentication and privacy secrets, independent of any engine: what
/// usmUserTable holds once the engine ID is set aside.
///
/// Building it from passwords runs password-to-key (a megabyte of hashing) for each, once.
/// Its `Debug` shows the protocols, never the keys.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Credentials {
    auth: Secret<LocalizedKey>,
    privacy: Option<(PrivProtocol, Secret<PrivKey>)>,
    auth_protocol: AuthProtocol,
}

impl Credentials {
    /// Credentials for authentication (authNoPriv) with `protocol`.
    pub fn new(protocol: AuthProtocol, key: KeyInput<'_>) -> Result<Self, UsmError> {
        let auth = match key {
            KeyInput::Password(password) => Secret::Master(protocol.password_to_key(password)?),
            KeyInput::MasterKey(bytes) => Secret::Master(MasterKey::from_bytes(protocol, bytes)?),
            KeyInput::LocalizedKey(bytes) => {
                Secret::Localized(LocalizedKey::from_bytes(protocol, bytes)?)
            }
        };
        Ok(Self {
            auth,
            privacy: None,
            auth_protocol: protocol,
        })
    }

    /// The same credentials with privacy (authPriv) by `protocol`. The privacy key is
    /// derived with the authentication protocol's hash (RFC 3414 §2.6, RFC 3826 §1.2).
    pub fn with_privacy(self, protocol: PrivProtocol, key: KeyInput<'_>) -> Result<Self, UsmError> {
        let hash = self.auth_protocol;
        let secret = match key {
            KeyInput::Password(password) => Secret::Master(hash.password_to_key(password)?),
            KeyInput::MasterKey(bytes) => Secret::Master(MasterKey::from_bytes(hash, bytes)?),
            KeyInput::LocalizedKey(bytes) if bytes.len() == hash.digest_len() => {
                Secret::LocalizedHash(LocalizedKey::from_bytes(hash, bytes)?)
            }
            KeyInput::LocalizedKey(bytes) => {
                Secret::Localized(PrivKey::from_bytes(protocol, bytes)?)
            }
        };
        Ok(Self {
            privacy: Some((protocol, secret)),
            ..self
        })
    }

    /// The authentication protocol.
    pub fn auth_protocol(&self) -> AuthProtocol {
        self.auth_protocol
    }

    /// The privacy protocol, if any.
    pub fn priv_protocol(&self) -> Option<PrivProtocol> {
        self.privacy.as_ref().map(|(protocol, _)| *protocol)
    }

    /// The highest security level these credentials allow.
    pub fn level(&self) -> SecurityLevel {
        if self.privacy.is_some() {
            SecurityLevel::AuthPriv
        } else {
            SecurityLevel::AuthNoPriv
        }
    }

    /// The keys for the authoritative engine `engine_id`, derived now; prefer
    /// [`KeyCache::keys`], which derives them once.
    pub fn localize(&self, engine_id: &EngineId) -> LocalizedKeys {
        let auth = match &self.auth {
            Secret::Master(master) => master.localize(engine_id),
            Secret::Localized(localized) | Secret::LocalizedHash(localized) => localized.clone(),
        };
        let privacy = self
            .privacy
            .as_ref()
            .map(|(protocol, secret)| match secret {
                Secret::Master(master) => {
                    PrivKey::from_localized(*protocol, &master.localize(engine_id), engine_id)
                }
                Secret::LocalizedHash(localized) => {
                    PrivKey::from_localized(*protocol, localized, engine_id)
                }
                Secret::Localized(key) => key.clone(),
            });
        LocalizedKeys { auth, privacy }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("auth", &self.auth_protocol)
            .field("privacy", &self.priv_protocol())
            .finish_non_exhaustive()
    }
}

/// A secret as it was given: a master key, a key localized with the authentication hash,
/// or the final localized key.
// A user's credentials are built once and kept: the size of the keyed HMAC state a
// localized key carries matters less than reaching it without an indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Secret<L> {
    Master(MasterKey),
    LocalizedHash(LocalizedKey),
    Localized(L),
}

/// The keys of one user for one authoritative engine (RFC 3414 §2.6): the localized
/// authentication key and, for authPriv, the privacy key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalizedKeys {
    auth: LocalizedKey,
    privacy: Option<PrivKey>,
}

impl LocalizedKeys {
    /// The authentication key.
    pub fn auth(&self) -> &LocalizedKey {
        &self.auth
    }

    /// The privacy key, when the user has one.
    pub fn privacy(&self) -> Option<&PrivKey> {
        self.privacy.as_ref()
    }
}

/// Localized keys per (engine ID, user name), derived on first use.
///
/// A lookup that hits allocates nothing. An entry remembers the credentials it was derived
/// from: credentials that changed since (a new password) are derived again.
#[derive(Debug, Default)]
pub struct KeyCache {
    engines: BTreeMap<EngineId, BTreeMap<Bytes, Cached>>,
    derivations: u64,
}

impl KeyCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The keys of `user` with `credentials` for the engine `engine_id`, derived the first
    /// time and kept.
    pub fn keys(
        &mut self,
        user: &[u8],
        credentials: &Credentials,
        engine_id: &EngineId,
    ) -> &LocalizedKeys {
        let users = match self.engines.entry(engine_id.clone()) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => entry.insert(BTreeMap::new()),
        };
        let stale = users
            .get(user)
            .is_none_or(|cached| cached.credentials != *credentials);
        if stale {
            self.derivations += 1;
            users.insert(
                Bytes::copy_from_slice(user),
                Cached {
                    credentials: credentials.clone(),
                    keys: credentials.localize(engine_id),
                },
            );
        }
        let cached = users
            .get(user)
            .expect("the entry was inserted just above when missing");
        &cached.keys
    }

    /// How many times keys were derived: once per (engine, user) unless credentials change.
    pub fn derivations(&self) -> u64 {
        self.derivations
    }

    /// Number of (engine, user) entries.
    pub fn len(&self) -> usize {
        self.engines.values().map(BTreeMap::len).sum()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.engines.is_empty()
    }

    /// Drops every key of `engine_id`, such as an engine that is no longer polled.
    pub fn forget_engine(&mut self, engine_id: &EngineId) {
        self.engines.remove(engine_id);
    }

    /// Drops every key of `user`, such as a user that was removed.
    pub fn forget_user(&mut self, user: &[u8]) {
        for users in self.engines.values_mut() {
            users.remove(user);
        }
        self.engines.retain(|_, users| !users.is_empty());
    }
}

#[derive(Debug)]
struct Cached {
    credentials: Credentials,
    keys: LocalizedKeys,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(last: u8) -> EngineId {
        EngineId::new(vec![0x80, 0, 0x1f, 0x88, 0x04, b'e', last]).unwrap()
    }

    #[test]
    fn one_derivation_serves_every_message() {
        let credentials = Credentials::new(AuthProtocol::Sha1, KeyInput::Password(b"maplesyrup"))
            .unwrap()
            .with_privacy(PrivProtocol::Aes128, KeyInput::Password(b"maplesyrup"))
            .unwrap();
        let mut cache = KeyCache::new();
        let first = cache.keys(b"alice", &credentials, &engine(1)).clone();
        for _ in 0..1_000 {
            assert_eq!(cache.keys(b"alice", &credentials, &engine(1)), &first);
        }
        assert_eq!(cache.derivations(), 1);
        // Another engine and another user each need their own.
        assert_ne!(cache.keys(b"alice", &credentials, &engine(2)), &first);
        cache.keys(b"bob", &credentials, &engine(1));
        assert_eq!(cache.derivations(), 3);
        assert_eq!(cache.len(), 3);
        cache.forget_user(b"alice");
        assert_eq!(cache.len(), 1);
        cache.forget_engine(&engine(1));
        assert!(cache.is_empty());
    }

    #[test]
    fn changed_credentials_are_derived_again() {
        let old = Credentials::new(AuthProtocol::Md5, KeyInput::Password(b"password1")).unwrap();
        let new = Credentials::new(AuthProtocol::Md5, KeyInput::Password(b"password2")).unwrap();
        let mut cache = KeyCache::new();
        let before = cache.keys(b"alice", &old, &engine(1)).clone();
        let after = cache.keys(b"alice", &new, &engine(1)).clone();
        assert_ne!(before, after);
        assert_eq!(cache.derivations(), 2);
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn keys_given_as_master_or_localized_match_passwords() {
        let engine = engine(1);
        let from_password = Credentials::new(AuthProtocol::Sha256, KeyInput::Password(b"12345678"))
            .unwrap()
            .with_privacy(PrivProtocol::Aes256C, KeyInput::Password(b"abcdefgh"))
            .unwrap();
        let keys = from_password.localize(&engine);
        let ku = AuthProtocol::Sha256.password_to_key(b"12345678").unwrap();
        let priv_ku = AuthProtocol::Sha256.password_to_key(b"abcdefgh").unwrap();
        let from_master =
            Credentials::new(AuthProtocol::Sha256, KeyInput::MasterKey(ku.as_bytes()))
                .unwrap()
                .with_privacy(
                    PrivProtocol::Aes256C,
                    KeyInput::MasterKey(priv_ku.as_bytes()),
                )
                .unwrap();
        assert_eq!(from_master.localize(&engine), keys);
        let from_localized = Credentials::new(
            AuthProtocol::Sha256,
            KeyInput::LocalizedKey(keys.auth().as_bytes()),
        )
        .unwrap()
        .with_privacy(
            PrivProtocol::Aes256C,
            KeyInput::LocalizedKey(priv_ku.localize(&engine).as_bytes()),
        )
        .unwrap();
        assert_eq!(from_localized.localize(&engine), keys);
    }

    #[test]
    fn a_final_privacy_key_is_taken_as_it_is() {
        let engine = engine(1);
        let raw = [0x42; 24];
        let credentials = Credentials::new(AuthProtocol::Sha1, KeyInput::Password(b"12345678"))
            .unwrap()
            .with_privacy(PrivProtocol::Aes192, KeyInput::LocalizedKey(&raw))
            .unwrap();
        let keys = credentials.localize(&engine);
        assert_eq!(keys.privacy().unwrap().as_bytes(), raw);
        assert_eq!(credentials.level(), SecurityLevel::AuthPriv);
        assert_eq!(credentials.priv_protocol(), Some(PrivProtocol::Aes192));
        let wrong = Credentials::new(AuthProtocol::Sha1, KeyInput::Password(b"12345678"))
            .unwrap()
            .with_privacy(PrivProtocol::Aes192, KeyInput::LocalizedKey(&[1; 7]));
        assert_eq!(
            wrong.unwrap_err(),
            UsmError::KeyLength {
                expected: 24,
                actual: 7
            }
        );
    }

    #[test]
    fn short_passwords_are_refused_and_secrets_never_printed() {
        assert_eq!(
            Credentials::new(AuthProtocol::Md5, KeyInput::Password(b"1234567")).unwrap_err(),
            UsmError::PasswordTooShort
        );
        let credentials =
            Credentials::new(AuthProtocol::Md5, KeyInput::Password(b"secretpassword")).unwrap();
        let printed = format!("{credentials:?} {:?}", credentials.localize(&engine(1)));
        assert!(!printed.contains("secret"));
        assert!(printed.contains("***"), "{printed}");
        assert_eq!(
            format!("{:?}", KeyInput::Password(b"secretpassword")),
            "Password(***)"
        );
    }
}
