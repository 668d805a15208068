//! Message authentication: HMAC-MD5-96, HMAC-SHA-96 (RFC 3414 §6, §7) and the HMAC-SHA-2
//! protocols of RFC 7860 §4.
//!
//! The MAC covers the whole encoded message with msgAuthenticationParameters set to zeros
//! (RFC 3414 §6.3.1, §7.3.1). Neither [`sign`] nor [`verify`] copies the message: the HMAC
//! is fed the octets before the parameters, as many zeros as they hold, and the octets after.
//! [`verify`] compares in constant time.

use std::ops::Range;

use subtle::ConstantTimeEq;

use crate::usm::UsmError;
use crate::usm::key::{LocalizedKey, MAX_DIGEST_LEN};

/// Writes the MAC of `message` into `message[auth_params]` (RFC 3414 §6.3.1, §7.3.1;
/// RFC 7860 §4.2.1): the HMAC of the message with those octets taken as zeros, whatever
/// they hold, truncated to the protocol's [`mac_len`](crate::usm::AuthProtocol::mac_len).
///
/// Fails with [`UsmError::AuthParamsLength`] when the range is not `mac_len` octets inside
/// `message`.
pub fn sign(
    key: &LocalizedKey,
    message: &mut [u8],
    auth_params: Range<usize>,
) -> Result<(), UsmError> {
    let mac = compute(key, message, auth_params.clone())?;
    let slot = message
        .get_mut(auth_params)
        .ok_or(UsmError::AuthParamsLength)?;
    slot.copy_from_slice(mac.get(..slot.len()).unwrap_or_default());
    Ok(())
}

/// Checks the MAC in `message[auth_params]` (RFC 3414 §6.3.2, §7.3.2; RFC 7860 §4.2.2), in
/// constant time.
///
/// Fails with [`UsmError::AuthParamsLength`] when the parameters are not the protocol's
/// [`mac_len`](crate::usm::AuthProtocol::mac_len) octets (RFC 3414 §6.3.2 step 1), and with
/// [`UsmError::WrongDigest`] when the MAC differs (usmStatsWrongDigests).
pub fn verify(
    key: &LocalizedKey,
    message: &[u8],
    auth_params: Range<usize>,
) -> Result<(), UsmError> {
    let expected = compute(key, message, auth_params.clone())?;
    let received = message.get(auth_params).ok_or(UsmError::AuthParamsLength)?;
    let expected = expected.get(..received.len()).unwrap_or_default();
    if bool::from(expected.ct_eq(received)) {
        Ok(())
    } else {
        Err(UsmError::WrongDigest)
    }
}

/// The full HMAC of `message` with `auth_params` taken as zeros; the first
/// `mac_len` octets are the MAC.
fn compute(
    key: &LocalizedKey,
    message: &[u8],
    auth_params: Range<usize>,
) -> Result<[u8; MAX_HMAC_LEN], UsmError> {
    let protocol = key.protocol();
    if auth_params.len() != protocol.mac_len() {
        return Err(UsmError::AuthParamsLength);
    }
    let (Some(before), Some(after)) = (
        message.get(..auth_params.start),
        message.get(auth_params.end..),
    ) else {
        return Err(UsmError::AuthParamsLength);
    };
    let zeros = ZEROS.get(..auth_params.len()).unwrap_or_default();
    let mut out = [0; MAX_HMAC_LEN];
    key.mac().compute(&[before, zeros, after], &mut out);
    Ok(out)
}

/// The longest HMAC output: HMAC-SHA-512's.
const MAX_HMAC_LEN: usize = MAX_DIGEST_LEN;
/// The longest msgAuthenticationParameters: HMAC-SHA-512's 48 octets (RFC 7860 §4.2).
pub(crate) const ZEROS: [u8; 48] = [0; 48];

#[cfg(test)]
mod tests;
