//! SNMPv3 benchmark inputs: the two fixture messages sent with the User-based Security Model
//! (RFC 3414) at authPriv, and the vigie operations timed on them.
//!
//! The GetBulk response is the fixture's 50 varbinds in a Response-PDU; the trap is the
//! fixture's v1 trap translated to an SNMPv2-Trap (RFC 3584 §3.1), since SNMPv3 carries no
//! Trap-PDU. Both are in a `ScopedPDU` of the authoritative engine, as an agent sends them.
//! Encoding is what a sender does (encode the `ScopedPDU`, encrypt, write, sign); decoding is
//! what a receiver does (decode the message, check the MAC, decrypt, decode the `ScopedPDU`).
//! The keys are localized once, outside the timed loop, as `KeyCache` does in the engines.

use bytes::Bytes;
use vigie_snmp::message::{ScopedPdu, ScopedPduData};
use vigie_snmp::usm::{
    self, AuthProtocol, Credentials, EngineId, EngineTime, KeyInput, LocalizedKeys, Outgoing,
    PrivProtocol, SaltCounter, UsmError,
};
use vigie_snmp::{AnyPdu, ErrorStatus, Message, Pdu, PduKind, RequestId, SecurityLevel};

use crate::codecs::Codec;
use crate::codecs::Failure;
use crate::codecs::vigie::Vigie;
use crate::fixture::{Content, Kind};

/// The authentication password of every benchmark user (RFC 3414 A.3's).
pub const AUTH_PASSWORD: &[u8] = b"maplesyrup";
/// The privacy password of every benchmark user.
pub const PRIV_PASSWORD: &[u8] = b"maplesyrup-priv";
/// The authoritative engine ID of RFC 3414 A.3.
pub const ENGINE_ID: [u8; 12] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
/// The user name in msgUserName.
pub const USER: &[u8] = b"bench-user";

/// An authentication and privacy pair measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Suite {
    /// HMAC-SHA-256-192 (RFC 7860) with AES-128-CFB (RFC 3826): the reference.
    Sha256Aes128,
    /// HMAC-SHA-96 with AES-128-CFB: the most common pair in the field.
    Sha1Aes128,
    /// HMAC-SHA-96 with DES-CBC (RFC 3414 §8).
    Sha1Des,
    /// HMAC-MD5-96 with DES-CBC: RFC 3414's original pair.
    Md5Des,
}

impl Suite {
    /// Every pair, in report order.
    pub const ALL: [Self; 4] = [
        Self::Sha256Aes128,
        Self::Sha1Aes128,
        Self::Sha1Des,
        Self::Md5Des,
    ];

    /// The benchmark-function suffix.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha256Aes128 => "sha256_aes128",
            Self::Sha1Aes128 => "sha1_aes128",
            Self::Sha1Des => "sha1_des",
            Self::Md5Des => "md5_des",
        }
    }

    /// The authentication protocol.
    pub fn auth(self) -> AuthProtocol {
        match self {
            Self::Sha256Aes128 => AuthProtocol::Sha256,
            Self::Sha1Aes128 | Self::Sha1Des => AuthProtocol::Sha1,
            Self::Md5Des => AuthProtocol::Md5,
        }
    }

    /// The privacy protocol.
    pub fn privacy(self) -> PrivProtocol {
        match self {
            Self::Sha256Aes128 | Self::Sha1Aes128 => PrivProtocol::Aes128,
            Self::Sha1Des | Self::Md5Des => PrivProtocol::Des,
        }
    }
}

/// One message of one [`Kind`] at authPriv with one [`Suite`], ready to encode and decode.
#[derive(Debug)]
pub struct Fixture {
    scoped_pdu: ScopedPdu,
    keys: LocalizedKeys,
    suite: Suite,
    datagram: Bytes,
    varbinds: usize,
}

impl Fixture {
    /// Builds the message and its keys (two password-to-key derivations) and encodes it once.
    pub fn new(kind: Kind, suite: Suite) -> Result<Self, Failure> {
        let pdu = pdu(kind)?;
        let varbinds = match &pdu {
            AnyPdu::Pdu(pdu) => pdu.varbinds.len(),
            _ => 0,
        };
        let engine_id =
            EngineId::new(Bytes::from_static(&ENGINE_ID)).map_err(|_| Failure::Shape {
                library: Vigie::NAME,
                what: "the benchmark engine ID",
            })?;
        let credentials = Credentials::new(suite.auth(), KeyInput::Password(AUTH_PASSWORD))?
            .with_privacy(suite.privacy(), KeyInput::Password(PRIV_PASSWORD))?;
        let keys = credentials.localize(&engine_id);
        let scoped_pdu = ScopedPdu {
            context_engine_id: Bytes::from_static(&ENGINE_ID),
            context_name: Bytes::new(),
            pdu,
        };
        let mut fixture = Self {
            scoped_pdu,
            keys,
            suite,
            datagram: Bytes::new(),
            varbinds,
        };
        fixture.datagram = fixture.encode(&mut SaltCounter::new(1, 0))?;
        Ok(fixture)
    }

    /// The suite.
    pub fn suite(&self) -> Suite {
        self.suite
    }

    /// The number of varbinds in the PDU.
    pub fn varbinds(&self) -> usize {
        self.varbinds
    }

    /// The datagram encoded by [`Fixture::new`], for the decode benchmark.
    pub fn datagram(&self) -> &Bytes {
        &self.datagram
    }

    /// The `ScopedPDU` carried.
    pub fn scoped_pdu(&self) -> &ScopedPdu {
        &self.scoped_pdu
    }

    /// The keys, localized for [`ENGINE_ID`].
    pub fn keys(&self) -> &LocalizedKeys {
        &self.keys
    }

    /// Encodes the message at authPriv as its authoritative engine sends it (RFC 3414 §3.1),
    /// with the next salt of `salts`.
    pub fn encode(&self, salts: &mut SaltCounter) -> Result<Bytes, Failure> {
        let outgoing = Outgoing {
            msg_id: 0x1234_5678,
            max_size: 65_507,
            reportable: false,
            engine_id: Bytes::from_static(&ENGINE_ID),
            engine_time: EngineTime::new(7, 1_234_567),
            user_name: Bytes::from_static(USER),
            scoped_pdu: &self.scoped_pdu,
        };
        Ok(usm::encode_message(
            &outgoing,
            SecurityLevel::AuthPriv,
            Some(&self.keys),
            salts,
        )?)
    }

    /// Decodes `datagram` as a receiver does (RFC 3414 §3.2 steps 6 and 8): message, MAC,
    /// decryption, `ScopedPDU`. Returns the number of varbinds.
    pub fn decode(&self, datagram: &Bytes) -> Result<usize, Failure> {
        let Message::V3(message) = Message::decode(datagram.clone())? else {
            return Err(shape("not an SNMPv3 message"));
        };
        usm::authenticate(self.keys.auth(), datagram)?;
        let ScopedPduData::Encrypted(encrypted) = &message.data else {
            return Err(shape("not encrypted"));
        };
        let privacy = self
            .keys
            .privacy()
            .ok_or(UsmError::UnsupportedSecurityLevel(SecurityLevel::AuthPriv))?;
        let scoped = usm::decrypt_scoped_pdu(privacy, &message.security, encrypted)?;
        match scoped.pdu {
            AnyPdu::Pdu(pdu) => Ok(pdu.varbinds.len()),
            _ => Err(shape("not a Response or SNMPv2-Trap")),
        }
    }
}

/// The fixture's PDU for SNMPv3: the Response as it is, the v1 trap as an SNMPv2-Trap.
fn pdu(kind: Kind) -> Result<AnyPdu, Failure> {
    let Message::Community(message) = Vigie::build(&kind.content())? else {
        return Err(shape("not a community message"));
    };
    match (kind.content(), message.pdu) {
        (Content::Response(_), AnyPdu::Pdu(pdu)) => Ok(AnyPdu::Pdu(pdu)),
        (Content::TrapV1(_), AnyPdu::TrapV1(v1)) => {
            let varbinds = vigie_snmp::translate::trap_v1_to_v2(&v1, None)
                .map_err(|_| shape("the v1 trap does not translate"))?;
            Ok(AnyPdu::Pdu(Pdu {
                kind: PduKind::SnmpV2Trap,
                request_id: RequestId(0x0bad_cafe),
                error_status: ErrorStatus::NoError,
                error_index: 0,
                varbinds,
            }))
        }
        _ => Err(shape("unexpected fixture PDU")),
    }
}

fn shape(what: &'static str) -> Failure {
    Failure::Shape {
        library: Vigie::NAME,
        what,
    }
}

/// Password to key and localization (RFC 3414 A.2) for `protocol`: one user at one engine.
pub fn localize(
    protocol: AuthProtocol,
    password: &[u8],
    engine_id: &EngineId,
) -> Result<usm::LocalizedKey, Failure> {
    Ok(protocol.password_to_key(password)?.localize(engine_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_suite_round_trips_both_messages() {
        for kind in Kind::ALL {
            for suite in Suite::ALL {
                let fixture = Fixture::new(kind, suite).expect("the fixture builds");
                let decoded = fixture.decode(fixture.datagram());
                assert_eq!(decoded.ok(), Some(fixture.varbinds()), "{kind:?} {suite:?}");
                assert!(fixture.varbinds() >= 4, "{kind:?}");
            }
        }
    }

    #[test]
    fn a_flipped_octet_fails_authentication() {
        let fixture = Fixture::new(Kind::GetBulkResponse50, Suite::Sha256Aes128).expect("builds");
        let mut bytes = fixture.datagram().to_vec();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert!(fixture.decode(&Bytes::from(bytes)).is_err());
    }

    #[test]
    fn localization_matches_rfc_3414_a_3() {
        // RFC 3414 A.3.1: MD5, "maplesyrup", engine ID 00..02.
        let engine_id = EngineId::new(Bytes::from_static(&ENGINE_ID)).expect("12 octets");
        let key = localize(AuthProtocol::Md5, AUTH_PASSWORD, &engine_id).expect("derives");
        assert_eq!(
            key.as_bytes(),
            [
                0x52, 0x6f, 0x5e, 0xed, 0x9f, 0xcc, 0xe2, 0x6f, 0x89, 0x64, 0xc2, 0x93, 0x07, 0x87,
                0xd8, 0x2b
            ]
        );
    }
}
