//! async-snmp's SNMPv3 path on the same messages as [`crate::v3`], through its public pieces.
//!
//! async-snmp's own `encode_v3_message` and inbound processing are private to the crate; this
//! adapter chains the public steps they are made of, in the same order: `ScopedPdu` encoding,
//! `PrivKey::encrypt_aes`, `UsmSecurityParams` with a MAC placeholder, `V3Message` encoding,
//! `authenticate_message`; and for decoding `Message::decode`, `UsmSecurityParams::decode`,
//! `verify_message`, `PrivKey::decrypt`, `ScopedPdu::decode`. AES suites only: DES needs
//! async-snmp's durable `DesSaltState`, which the benchmark does not set up.

use async_snmp::ber::Decoder;
use async_snmp::message::{
    Message, MsgFlags, MsgGlobalData, ScopedPdu, SecurityLevel, V3Message, V3MessageData,
};
use async_snmp::v3::auth::{authenticate_message, verify_message};
use async_snmp::v3::{PrivKey, SaltCounter, UsmSecurityParams};
use async_snmp::{
    AuthProtocol, DecodeConfig, LocalizedKey, MessageSize, Oid, Pdu, PduBody, PrivProtocol,
    StandardPduType, Value, VarBind,
};
use bytes::Bytes;

use crate::codecs::Failure;
use crate::fixture::Kind;
use crate::v3::{AUTH_PASSWORD, ENGINE_ID, PRIV_PASSWORD, Suite, USER};

const NAME: &str = "async-snmp";
const BOOTS: u32 = 7;
const TIME: u32 = 1_234_567;

/// One message at authPriv with async-snmp's keys and PDU.
pub struct Fixture {
    pdu: Pdu,
    auth: LocalizedKey,
    privacy: PrivKey,
    salts: SaltCounter,
    datagram: Bytes,
}

impl core::fmt::Debug for Fixture {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // async-snmp's SaltCounter has no Debug; the keys are not shown either.
        f.debug_struct("Fixture")
            .field("pdu", &self.pdu)
            .finish_non_exhaustive()
    }
}

impl Fixture {
    /// The same content as [`crate::v3::Fixture::new`] builds; `Unsupported` for DES.
    pub fn new(kind: Kind, suite: Suite) -> Result<Self, Failure> {
        let (auth_protocol, priv_protocol) = match suite {
            Suite::Sha256Aes128 => (AuthProtocol::Sha256, PrivProtocol::Aes128),
            Suite::Sha1Aes128 => (AuthProtocol::Sha1, PrivProtocol::Aes128),
            Suite::Sha1Des | Suite::Md5Des => {
                return Err(Failure::Unsupported {
                    library: NAME,
                    operation: crate::codecs::Operation::Encode,
                    reason: "DES needs its durable salt state, not set up here",
                });
            }
        };
        let vigie = crate::v3::Fixture::new(kind, Suite::Sha1Aes128)?;
        let vigie_snmp::AnyPdu::Pdu(source) = &vigie.scoped_pdu().pdu else {
            return Err(shape("not a Response or SNMPv2-Trap"));
        };
        let pdu_type = match source.kind {
            vigie_snmp::PduKind::SnmpV2Trap => StandardPduType::TrapV2,
            _ => StandardPduType::Response,
        };
        let body = PduBody::Standard {
            pdu_type,
            error_status: 0,
            error_index: 0,
        };
        let varbinds = source
            .varbinds
            .iter()
            .map(|varbind| {
                Ok(VarBind::new(
                    Oid::from_slice(varbind.name.arcs()),
                    value(&varbind.value)?,
                ))
            })
            .collect::<Result<Vec<_>, Failure>>()?;
        let pdu = Pdu::from_raw_parts(source.request_id.0, body, varbinds);
        let auth = LocalizedKey::from_password(auth_protocol, AUTH_PASSWORD, &ENGINE_ID)
            .map_err(|_| shape("the authentication key"))?;
        let privacy =
            PrivKey::from_password(auth_protocol, priv_protocol, PRIV_PASSWORD, &ENGINE_ID)
                .map_err(|_| shape("the privacy key"))?;
        let salts = SaltCounter::new()?;
        let mut fixture = Self {
            pdu,
            auth,
            privacy,
            salts,
            datagram: Bytes::new(),
        };
        fixture.datagram = fixture.encode()?;
        Ok(fixture)
    }

    /// The datagram encoded by [`Fixture::new`].
    pub fn datagram(&self) -> &Bytes {
        &self.datagram
    }

    /// Encodes the message at authPriv, as `encode_v3_message` does for AES.
    pub fn encode(&self) -> Result<Bytes, Failure> {
        let scoped = ScopedPdu::new(
            Bytes::from_static(&ENGINE_ID),
            Bytes::new(),
            self.pdu.clone(),
        );
        let plaintext = scoped.encode_to_bytes()?;
        let (ciphertext, salt) = self
            .privacy
            .encrypt_aes(&plaintext, BOOTS, TIME, &self.salts)
            .map_err(|_| shape("encryption"))?;
        let security = UsmSecurityParams::new(
            Bytes::from_static(&ENGINE_ID),
            BOOTS,
            TIME,
            Bytes::from_static(USER),
        )?
        .with_auth_placeholder(self.auth.mac_len())?
        .with_priv_params(salt)?;
        let header = MsgGlobalData::new(
            0x1234_5678,
            MessageSize::new(65_507).map_err(|_| shape("msgMaxSize"))?,
            MsgFlags::new(SecurityLevel::AuthPriv, false),
        )?;
        let message = V3Message::new_with_opaque_encrypted_scoped_pdu(
            header,
            security.encode()?,
            ciphertext,
        )?;
        let mut encoded = message.encode()?.to_vec();
        let (offset, len) = UsmSecurityParams::find_auth_params_offset(&encoded)
            .ok_or_else(|| shape("no authentication parameters"))?;
        authenticate_message(&self.auth, &mut encoded, offset, len)
            .map_err(|_| shape("signing"))?;
        Ok(Bytes::from(encoded))
    }

    /// Decodes, authenticates and decrypts `datagram`; returns the number of varbinds.
    pub fn decode(&self, datagram: &Bytes) -> Result<usize, Failure> {
        let Message::V3(message) =
            Message::decode(datagram.clone(), DecodeConfig::default())?.value
        else {
            return Err(shape("not an SNMPv3 message"));
        };
        let security =
            UsmSecurityParams::decode(message.security_params().clone(), DecodeConfig::default())?
                .value;
        let (offset, len) = UsmSecurityParams::find_auth_params_offset(datagram)
            .ok_or_else(|| shape("no authentication parameters"))?;
        if !verify_message(&self.auth, datagram, offset, len).map_err(|_| shape("MAC"))? {
            return Err(shape("wrong MAC"));
        }
        let V3MessageData::Encrypted(ciphertext) = message.data() else {
            return Err(shape("not encrypted"));
        };
        let plaintext = self
            .privacy
            .decrypt(
                ciphertext,
                security.engine_boots(),
                security.engine_time(),
                security.priv_params(),
            )
            .map_err(|_| shape("decryption"))?;
        let scoped = ScopedPdu::decode(&mut Decoder::new(plaintext))?;
        Ok(scoped.pdu.varbinds().len())
    }
}

fn value(value: &vigie_snmp::Value) -> Result<Value, Failure> {
    use vigie_snmp::Value as V;
    Ok(match value {
        V::Integer(n) => Value::Integer(*n),
        V::OctetString(bytes) => Value::OctetString(bytes.clone()),
        V::ObjectIdentifier(oid) => Value::ObjectIdentifier(Oid::from_slice(oid.arcs())),
        V::IpAddress(address) => Value::IpAddress(address.octets()),
        V::Counter32(n) => Value::Counter32(*n),
        V::Gauge32(n) => Value::Gauge32(*n),
        V::TimeTicks(n) => Value::TimeTicks(*n),
        V::Counter64(n) => Value::Counter64(*n),
        _ => return Err(shape("a value the fixtures do not hold")),
    })
}

fn shape(what: &'static str) -> Failure {
    Failure::Shape {
        library: NAME,
        what,
    }
}

/// Password to key and localization (RFC 3414 A.2) with async-snmp.
pub fn localize(sha256: bool, password: &[u8], engine_id: &[u8]) -> Result<LocalizedKey, Failure> {
    let protocol = if sha256 {
        AuthProtocol::Sha256
    } else {
        AuthProtocol::Md5
    };
    LocalizedKey::from_password(protocol, password, engine_id).map_err(|_| shape("localization"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_messages_round_trip_and_vigie_decodes_them() {
        for kind in Kind::ALL {
            for suite in [Suite::Sha256Aes128, Suite::Sha1Aes128] {
                let fixture = Fixture::new(kind, suite).expect("builds");
                let vigie = crate::v3::Fixture::new(kind, suite).expect("builds");
                let expected = vigie.varbinds();
                assert_eq!(fixture.decode(fixture.datagram()).ok(), Some(expected));
                // Each side reads the other's datagram: the same keys, the same message.
                assert_eq!(vigie.decode(fixture.datagram()).ok(), Some(expected));
                assert_eq!(fixture.decode(vigie.datagram()).ok(), Some(expected));
            }
        }
    }

    #[test]
    fn localizes_as_vigie_does() {
        let engine_id =
            vigie_snmp::usm::EngineId::new(Bytes::from_static(&ENGINE_ID)).expect("12 octets");
        for (sha256, protocol) in [
            (true, vigie_snmp::usm::AuthProtocol::Sha256),
            (false, vigie_snmp::usm::AuthProtocol::Md5),
        ] {
            let theirs = localize(sha256, AUTH_PASSWORD, &ENGINE_ID).expect("derives");
            let ours = crate::v3::localize(protocol, AUTH_PASSWORD, &engine_id).expect("derives");
            assert_eq!(theirs.as_bytes(), ours.as_bytes());
        }
    }
}
