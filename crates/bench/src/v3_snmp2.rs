//! snmp2's SNMPv3 (features `v3` and `crypto-rust`: the `RustCrypto` crates, no OpenSSL):
//! password to key and localization, the one v3 step its public API offers on its own.
//!
//! Its v3 messages are built only inside its sessions (the builders are crate-private), so
//! there is no encode to time. Its decoder, `Pdu::from_bytes_with_security`, zeroes the
//! msgAuthenticationParameters of the caller's `&[u8]` through a raw pointer before checking
//! the MAC: it writes through a shared reference (undefined behaviour in Rust), a second
//! decode of the same buffer fails its MAC, and the call also moves the `Security`'s engine
//! clock from the wall clock. The benchmark does not run undefined behaviour, so snmp2 has no
//! decode entry either.

use snmp2::v3::{AuthProtocol, Security};

use crate::v3::USER;

/// Password to key and localization (RFC 3414 A.2) with snmp2: `Security::with_engine_id`
/// derives and localizes the authentication key (authNoPriv: no privacy key).
pub fn localize(sha256: bool, password: &[u8], engine_id: &[u8]) -> Option<Security> {
    let protocol = if sha256 {
        AuthProtocol::Sha256
    } else {
        AuthProtocol::Md5
    };
    Security::new(USER, password)
        .with_auth_protocol(protocol)
        .with_engine_id(engine_id)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v3::{AUTH_PASSWORD, ENGINE_ID};

    #[test]
    fn localizes_for_the_engine() {
        for sha256 in [false, true] {
            let security = localize(sha256, AUTH_PASSWORD, &ENGINE_ID).expect("keys");
            assert_eq!(security.engine_id(), ENGINE_ID);
        }
    }
}
