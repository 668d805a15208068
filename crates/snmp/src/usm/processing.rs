//! Securing whole messages: RFC 3414 §3.1 (outgoing) and §3.2 steps 6 and 8 (incoming).

use bytes::Bytes;

use crate::ber::Writer;
use crate::message::{
    DataRef, HeaderData, MsgFlags, ScopedPdu, UsmSecurityParameters, locate_auth_params,
    write_message,
};
use crate::security::SecurityLevel;
use crate::usm::UsmError;
use crate::usm::auth::{self, ZEROS};
use crate::usm::credentials::LocalizedKeys;
use crate::usm::key::{LocalizedKey, PrivKey};
use crate::usm::privacy::{DecryptionError, SaltCounter};
use crate::usm::timeliness::EngineTime;

/// An outgoing SNMPv3 message before security is applied (RFC 3412 §7.1, RFC 3414 §3.1).
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// msgID.
    pub msg_id: u32,
    /// msgMaxSize: the largest message this engine accepts.
    pub max_size: u32,
    /// The reportable flag: set for requests and informs.
    pub reportable: bool,
    /// msgAuthoritativeEngineID: the agent's for requests, this engine's for traps and
    /// responses, empty for a discovery probe.
    pub engine_id: Bytes,
    /// The authoritative engine's boots and time: [`RemoteClock::estimate`] for requests,
    /// [`LocalClock::at`] for responses and traps, zeros for a discovery probe.
    ///
    /// [`RemoteClock::estimate`]: crate::usm::RemoteClock::estimate
    /// [`LocalClock::at`]: crate::usm::LocalClock::at
    pub engine_time: EngineTime,
    /// msgUserName.
    pub user_name: Bytes,
    /// The `ScopedPDU` to send.
    pub scoped_pdu: &'a ScopedPdu,
}

/// Encodes `outgoing` at `level` (RFC 3414 §3.1): encrypts the `ScopedPDU` with `keys`'
/// privacy key and the next salt for authPriv, then signs the whole message with `keys`'
/// authentication key for authNoPriv and authPriv.
///
/// Fails with [`UsmError::UnsupportedSecurityLevel`] when `keys` lack what `level` needs.
pub fn encode_message(
    outgoing: &Outgoing<'_>,
    level: SecurityLevel,
    keys: Option<&LocalizedKeys>,
    salts: &mut SaltCounter,
) -> Result<Bytes, UsmError> {
    let missing = UsmError::UnsupportedSecurityLevel(level);
    let auth_key = match level {
        SecurityLevel::NoAuthNoPriv => None,
        _ => Some(keys.ok_or(missing)?.auth()),
    };
    let mut encrypted = Vec::new();
    let mut priv_params = Bytes::new();
    if level == SecurityLevel::AuthPriv {
        let privacy = keys.and_then(LocalizedKeys::privacy).ok_or(missing)?;
        outgoing.scoped_pdu.encode(&mut encrypted);
        let salt = salts.next_salt(privacy.protocol());
        privacy.encrypt(&mut encrypted, outgoing.engine_time, salt);
        priv_params = Bytes::copy_from_slice(&salt);
    }
    let mac_len = auth_key.map_or(0, |key| key.protocol().mac_len());
    let header = HeaderData {
        msg_id: outgoing.msg_id,
        max_size: outgoing.max_size,
        flags: MsgFlags {
            level,
            reportable: outgoing.reportable,
        },
    };
    let security = UsmSecurityParameters {
        engine_id: outgoing.engine_id.clone(),
        engine_time: outgoing.engine_time,
        user_name: outgoing.user_name.clone(),
        auth_params: Bytes::from_static(ZEROS.get(..mac_len).unwrap_or_default()),
        priv_params,
    };
    let data = if level == SecurityLevel::AuthPriv {
        DataRef::Encrypted(&encrypted)
    } else {
        DataRef::Plaintext(outgoing.scoped_pdu)
    };
    let mut out = Vec::with_capacity(
        96 + outgoing.engine_id.len()
            + outgoing.user_name.len()
            + encrypted.len()
            + outgoing.scoped_pdu.size_hint(),
    );
    write_message(&mut Writer::new(&mut out), &header, &security, data);
    let Some(key) = auth_key else {
        return Ok(Bytes::from(out));
    };
    // The MAC's place is found the way a receiver finds it, so that both sides agree.
    let message = Bytes::from(out);
    let range = locate_auth_params(&message).map_err(UsmError::Malformed)?;
    let mut out = Vec::from(message);
    auth::sign(key, &mut out, range)?;
    Ok(Bytes::from(out))
}

/// Checks the MAC of a received SNMPv3 datagram (RFC 3414 §3.2 step 6) in constant time.
pub fn authenticate(key: &LocalizedKey, datagram: &Bytes) -> Result<(), UsmError> {
    let range = locate_auth_params(datagram).map_err(UsmError::Malformed)?;
    auth::verify(key, datagram, range)
}

/// Decrypts an encryptedPDU (RFC 3414 §3.2 step 8) with the boots, time and privacy
/// parameters of `security`, and decodes the `ScopedPDU` it holds.
///
/// A `ScopedPDU` that does not decode is a [`DecryptionError::Malformed`]: with a wrong key
/// the plaintext is noise.
pub fn decrypt_scoped_pdu(
    key: &PrivKey,
    security: &UsmSecurityParameters,
    encrypted: &[u8],
) -> Result<ScopedPdu, UsmError> {
    let mut plaintext = encrypted.to_vec();
    key.decrypt(&mut plaintext, security.engine_time, &security.priv_params)?;
    ScopedPdu::decode(Bytes::from(plaintext))
        .map_err(|error| UsmError::Decryption(DecryptionError::Malformed(error)))
}
