//! The User-based Security Model, without I/O (RFC 3414; RFC 3826 and RFC 7860 for AES and
//! SHA-2; the Blumenthal and Reeder drafts for AES-192/256 and 3DES).
//!
//! What is here is what an engine needs to secure messages; the engines themselves decide
//! when to discover, which counter to bump and which Report to send.
//!
//! - Keys: [`AuthProtocol::password_to_key`], [`MasterKey::localize`],
//!   [`PrivKey::from_localized`] with both key extensions; [`Credentials`] holds a user's
//!   master keys (derived once) and [`KeyCache`] the localized keys per engine and user, so
//!   that a thousand messages cost one derivation.
//! - Authentication: [`sign`] and [`verify`] (constant time) over an encoded message, without
//!   copying it.
//! - Privacy: [`PrivKey::encrypt`] and [`PrivKey::decrypt`] in place, salts from a
//!   [`SaltCounter`].
//! - Whole messages: [`encode_message`] builds, encrypts and signs an outgoing message;
//!   [`authenticate`] and [`decrypt_scoped_pdu`] are steps 6 and 8 of RFC 3414 §3.2 for an
//!   incoming one, with [`LocalClock`] and [`RemoteClock`] for step 7.
//! - Engine identifiers: [`EngineId`].
//!
//! ```
//! use bytes::Bytes;
//! use vigie_snmp::message::{ScopedPdu, ScopedPduData};
//! use vigie_snmp::usm::{
//!     self, AuthProtocol, Credentials, EngineId, EngineTime, KeyCache, KeyInput, Outgoing,
//!     PrivProtocol, SaltCounter,
//! };
//! use vigie_snmp::{AnyPdu, ErrorStatus, Message, Pdu, PduKind, RequestId, SecurityLevel, VarBind};
//!
//! let credentials = Credentials::new(AuthProtocol::Sha256, KeyInput::Password(b"maplesyrup"))?
//!     .with_privacy(PrivProtocol::Aes128, KeyInput::Password(b"maplesyrup"))?;
//! let engine_id: EngineId = "0x80001f8880e9bd0c5a6a2bf65c00000000".parse()?;
//! let mut cache = KeyCache::new();
//! let keys = cache.keys(b"alice", &credentials, &engine_id);
//!
//! let scoped_pdu = ScopedPdu {
//!     context_engine_id: engine_id.to_bytes(),
//!     context_name: Bytes::new(),
//!     pdu: AnyPdu::Pdu(Pdu {
//!         kind: PduKind::GetRequest,
//!         request_id: RequestId(1),
//!         error_status: ErrorStatus::NoError,
//!         error_index: 0,
//!         varbinds: vec![VarBind::null("1.3.6.1.2.1.1.1.0".parse()?)],
//!     }),
//! };
//! let outgoing = Outgoing {
//!     msg_id: 1,
//!     max_size: 65_507,
//!     reportable: true,
//!     engine_id: engine_id.to_bytes(),
//!     engine_time: EngineTime::new(1, 100),
//!     user_name: Bytes::from_static(b"alice"),
//!     scoped_pdu: &scoped_pdu,
//! };
//! let mut salts = SaltCounter::new(1, 0x5eed);
//! let datagram = usm::encode_message(&outgoing, SecurityLevel::AuthPriv, Some(keys), &mut salts)?;
//!
//! // The receiving side: decode, authenticate, decrypt.
//! let Message::V3(message) = Message::decode(datagram.clone())? else { unreachable!() };
//! usm::authenticate(keys.auth(), &datagram)?;
//! let ScopedPduData::Encrypted(encrypted) = &message.data else { unreachable!() };
//! let privacy = keys.privacy().expect("authPriv keys");
//! let decrypted = usm::decrypt_scoped_pdu(privacy, &message.security, encrypted)?;
//! assert_eq!(decrypted, scoped_pdu);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod auth;
mod credentials;
mod engine_id;
mod key;
mod privacy;
mod processing;
mod timeliness;

pub use auth::{sign, verify};
pub use credentials::{Credentials, KeyCache, KeyInput, LocalizedKeys};
pub use engine_id::{EngineId, EngineIdError, EngineIdFormat};
pub use key::{
    AuthProtocol, KeyExtension, LocalizedKey, MIN_PASSWORD_LEN, MasterKey, PrivKey, PrivProtocol,
};
pub use privacy::{DecryptionError, SaltCounter};
pub use processing::{Outgoing, authenticate, decrypt_scoped_pdu, encode_message};
pub use timeliness::{EngineTime, LocalClock, NotInTimeWindow, RemoteClock, TIME_WINDOW};

use crate::error::DecodeError;
use crate::security::SecurityLevel;

/// What the User-based Security Model refused.
///
/// The errors of incoming messages map to RFC 3414's counters: [`WrongDigest`] and
/// [`AuthParamsLength`] to usmStatsWrongDigests, [`Decryption`] to
/// usmStatsDecryptionErrors, [`NotInTimeWindow`] to usmStatsNotInTimeWindows.
///
/// [`WrongDigest`]: Self::WrongDigest
/// [`AuthParamsLength`]: Self::AuthParamsLength
/// [`Decryption`]: Self::Decryption
/// [`NotInTimeWindow`]: Self::NotInTimeWindow
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsmError {
    /// A password under 8 octets (RFC 3414 §11.2).
    #[error("passwords have at least 8 characters (RFC 3414 §11.2)")]
    PasswordTooShort,
    /// A key given as octets has the wrong length for its protocol.
    #[error("the key has {actual} octets where {expected} are needed")]
    KeyLength {
        /// The length the protocol needs.
        expected: usize,
        /// The length given.
        actual: usize,
    },
    /// A name that is not an authentication protocol.
    #[error("the authentication protocol is MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512")]
    UnknownAuthProtocol,
    /// A name that is not a privacy protocol.
    #[error("the privacy protocol is DES, AES, AES192, AES256, AES192C, AES256C or 3DES")]
    UnknownPrivProtocol,
    /// The message's security level needs keys the user does not have.
    #[error("security level {0} needs keys this user does not have")]
    UnsupportedSecurityLevel(SecurityLevel),
    /// msgAuthenticationParameters is not as long as the protocol's MAC (RFC 3414 §6.3.2
    /// step 1): counted as a wrong digest.
    #[error("authentication parameters of the wrong length (wrong authentication protocol?)")]
    AuthParamsLength,
    /// The MAC does not match (usmStatsWrongDigests): a wrong authentication password or
    /// protocol, or a message altered on the way.
    #[error("wrong digest (wrong authentication password or protocol?)")]
    WrongDigest,
    /// The message could not be decrypted (usmStatsDecryptionErrors).
    #[error("decryption error: {0}")]
    Decryption(#[from] DecryptionError),
    /// The message is outside the time window (usmStatsNotInTimeWindows).
    #[error(transparent)]
    NotInTimeWindow(#[from] NotInTimeWindow),
    /// The datagram is not an SNMPv3 message the USM can read.
    #[error("malformed SNMPv3 message: {0}")]
    Malformed(DecodeError),
}
