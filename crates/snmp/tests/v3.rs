//! SNMPv3 against Net-SNMP 5.9.3: captured exchanges (`tests/vectors/v3-*.hex`) authenticate
//! and decrypt with keys vigie derives from the passwords, for every authentication and
//! privacy protocol Net-SNMP has; the localized keys snmpd persisted
//! (`v3-netsnmp-usm-users.txt`) equal vigie's for all 42 combinations; vigie re-encodes
//! snmpget's requests byte for byte; and property tests round-trip messages and keys.

// Test helpers outside `#[test]` functions read the committed vectors: a failure there is a
// test failure, which is what `unwrap` reports.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use proptest::prelude::*;
use vigie_snmp::message::{
    HeaderData, MsgFlags, ScopedPdu, ScopedPduData, UsmSecurityParameters, V3Message,
};
use vigie_snmp::usm::{
    self, AuthProtocol, Credentials, DecryptionError, EngineId, EngineTime, KeyCache, KeyInput,
    LocalizedKey, LocalizedKeys, Outgoing, PrivKey, PrivProtocol, SaltCounter, UsmError,
};
use vigie_snmp::{
    AnyPdu, ErrorStatus, Message, Oid, Pdu, PduKind, RequestId, SecurityLevel, Value, VarBind,
};

/// The agent's engine ID in every capture: format 4, text "vigie3".
const ENGINE_ID: &str = "0x80001f8804766967696533";
const SYS_DESCR: &str = "1.3.6.1.2.1.1.1.0";
const SYS_NAME: &str = "1.3.6.1.2.1.1.5.0";

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

fn engine_id() -> EngineId {
    ENGINE_ID.parse().unwrap()
}

fn oid(text: &str) -> Oid {
    text.parse().unwrap()
}

fn hex(text: &str) -> Vec<u8> {
    let text = text.trim_start_matches("0x");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// A captured datagram and the `createUser` line of the user that sent or received it.
struct Vector {
    name: String,
    bytes: Bytes,
    user: String,
    auth: AuthProtocol,
    privacy: Option<PrivProtocol>,
}

impl Vector {
    fn load(name: &str) -> Self {
        let text = fs::read_to_string(vectors_dir().join(name)).unwrap();
        let mut bytes = Vec::new();
        let mut create_user = None;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("#   createUser ") {
                create_user = Some(
                    rest.split_whitespace()
                        .map(String::from)
                        .collect::<Vec<_>>(),
                );
            } else if !line.starts_with('#') {
                bytes.extend(
                    line.split_whitespace()
                        .map(|o| u8::from_str_radix(o, 16).unwrap()),
                );
            }
        }
        let fields = create_user.unwrap_or_else(|| panic!("{name}: no createUser line"));
        Self {
            name: name.to_owned(),
            bytes: Bytes::from(bytes),
            user: fields[0].clone(),
            auth: fields[1].parse().unwrap(),
            privacy: fields.get(3).map(|p| p.parse().unwrap()),
        }
    }

    /// Credentials from the passwords the capture's header gives.
    fn credentials(&self, auth_password: &str, priv_password: &str) -> Credentials {
        let credentials =
            Credentials::new(self.auth, KeyInput::Password(auth_password.as_bytes())).unwrap();
        match self.privacy {
            Some(privacy) => credentials
                .with_privacy(privacy, KeyInput::Password(priv_password.as_bytes()))
                .unwrap(),
            None => credentials,
        }
    }

    fn keys(&self) -> LocalizedKeys {
        let auth = format!("authpass-{}", self.user);
        let privacy = format!("privpass-{}", self.user);
        self.credentials(&auth, &privacy).localize(&engine_id())
    }

    fn message(&self) -> V3Message {
        match Message::decode(self.bytes.clone()) {
            Ok(Message::V3(message)) => message,
            other => panic!("{}: {other:?}", self.name),
        }
    }
}

fn captured(suffix: &str) -> Vec<Vector> {
    let mut names: Vec<String> = fs::read_dir(vectors_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.starts_with("v3-") && name.ends_with(suffix))
        .filter(|name| !name.starts_with("v3-discovery"))
        .collect();
    names.sort();
    names.iter().map(|name| Vector::load(name)).collect()
}

/// Authenticates a captured message and returns its `ScopedPDU`, decrypted when private.
fn open(vector: &Vector, keys: &LocalizedKeys) -> Result<ScopedPdu, UsmError> {
    let message = vector.message();
    usm::authenticate(keys.auth(), &vector.bytes)?;
    match message.data {
        ScopedPduData::Plaintext(scoped) => Ok(scoped),
        ScopedPduData::Encrypted(encrypted) => {
            usm::decrypt_scoped_pdu(keys.privacy().unwrap(), &message.security, &encrypted)
        }
    }
}

fn pdu(scoped: &ScopedPdu) -> &Pdu {
    match &scoped.pdu {
        AnyPdu::Pdu(pdu) => pdu,
        other => panic!("not a Pdu: {other:?}"),
    }
}

#[test]
fn responses_authenticate_and_decrypt_for_every_protocol() {
    let mut auths = BTreeSet::new();
    let mut privs = BTreeSet::new();
    let responses = captured("-response.hex");
    assert!(responses.len() >= 14, "{} responses", responses.len());
    for vector in responses {
        let message = vector.message();
        assert_eq!(
            message.security.engine_id,
            engine_id().as_bytes(),
            "{}",
            vector.name
        );
        assert_eq!(message.security.user_name, vector.user.as_bytes());
        assert_eq!(message.security.auth_params.len(), vector.auth.mac_len());
        assert!(!message.header.flags.reportable);
        let scoped =
            open(&vector, &vector.keys()).unwrap_or_else(|e| panic!("{}: {e}", vector.name));
        assert_eq!(scoped.context_engine_id, engine_id().as_bytes());
        assert!(scoped.context_name.is_empty());
        let response = pdu(&scoped);
        assert_eq!(response.kind, PduKind::Response, "{}", vector.name);
        assert_eq!(response.error_status, ErrorStatus::NoError);
        let text = |s: &'static str| Value::OctetString(Bytes::from_static(s.as_bytes()));
        assert_eq!(
            response.varbinds,
            [
                VarBind {
                    name: oid(SYS_DESCR),
                    value: text("vigie v3 test agent")
                },
                VarBind {
                    name: oid(SYS_NAME),
                    value: text("vigie-v3")
                },
            ],
            "{}",
            vector.name
        );
        auths.insert(vector.auth);
        privs.extend(vector.privacy);
    }
    assert_eq!(auths, AuthProtocol::ALL.into_iter().collect());
    // Every privacy protocol Net-SNMP 5.9.3 has: all but 3DES.
    let net_snmp: BTreeSet<_> = PrivProtocol::ALL
        .into_iter()
        .filter(|p| *p != PrivProtocol::TripleDes)
        .collect();
    assert_eq!(privs, net_snmp);
}

#[test]
fn requests_authenticate_decrypt_and_re_encode_byte_for_byte() {
    let requests = captured("-request.hex");
    assert!(requests.len() >= 5);
    for vector in requests {
        let keys = vector.keys();
        let scoped = open(&vector, &keys).unwrap_or_else(|e| panic!("{}: {e}", vector.name));
        let request = pdu(&scoped);
        assert_eq!(request.kind, PduKind::GetRequest);
        assert_eq!(
            request.varbinds,
            [VarBind::null(oid(SYS_DESCR)), VarBind::null(oid(SYS_NAME))]
        );

        // vigie, given the same msgID, clock and salt, writes the very datagram snmpget sent.
        let message = vector.message();
        // snmpget's salt: its own boots then a counter for DES, a 64-bit counter for AES.
        let salts = match message.security.priv_params.as_ref() {
            [] => SaltCounter::new(0, 0),
            params => SaltCounter::new(
                u32::from_be_bytes(params[..4].try_into().unwrap()),
                u64::from_be_bytes(params.try_into().unwrap()),
            ),
        };
        let outgoing = Outgoing {
            msg_id: message.header.msg_id,
            max_size: message.header.max_size,
            reportable: message.header.flags.reportable,
            engine_id: message.security.engine_id.clone(),
            engine_time: message.security.engine_time,
            user_name: message.security.user_name.clone(),
            scoped_pdu: &scoped,
        };
        let level = message.header.flags.level;
        let datagram =
            usm::encode_message(&outgoing, level, Some(&keys), &mut salts.clone()).unwrap();
        assert_eq!(datagram, vector.bytes, "{}", vector.name);
    }
}

#[test]
fn wrong_secrets_are_told_apart() {
    let vector = Vector::load("v3-sha-aes256-response.hex");
    let auth = "authpass-sha-aes-256";
    let privacy = "privpass-sha-aes-256";
    let wrong_auth = vector
        .credentials("not-the-password", privacy)
        .localize(&engine_id());
    assert_eq!(open(&vector, &wrong_auth), Err(UsmError::WrongDigest));
    let wrong_priv = vector
        .credentials(auth, "not-the-password")
        .localize(&engine_id());
    assert!(matches!(
        open(&vector, &wrong_priv),
        Err(UsmError::Decryption(DecryptionError::Malformed(_)))
    ));
    // The other key-extension scheme (Reeder instead of Blumenthal) is a decryption error
    // too: the hint the tools give for AES-192/256.
    let reeder = Credentials::new(AuthProtocol::Sha1, KeyInput::Password(auth.as_bytes()))
        .unwrap()
        .with_privacy(
            PrivProtocol::Aes256C,
            KeyInput::Password(privacy.as_bytes()),
        )
        .unwrap()
        .localize(&engine_id());
    assert!(matches!(
        open(&vector, &reeder),
        Err(UsmError::Decryption(_))
    ));
    // Another authentication protocol: the MAC is not even the right length.
    let sha256 = Credentials::new(AuthProtocol::Sha256, KeyInput::Password(auth.as_bytes()))
        .unwrap()
        .localize(&engine_id());
    assert_eq!(
        usm::authenticate(sha256.auth(), &vector.bytes),
        Err(UsmError::AuthParamsLength)
    );
}

#[test]
fn discovery_probe_and_report() {
    let probe = Vector::load("v3-discovery-request.hex").message();
    assert_eq!(probe.header.flags.level, SecurityLevel::NoAuthNoPriv);
    assert!(probe.header.flags.reportable);
    assert_eq!(probe.security, UsmSecurityParameters::default());

    let report = Vector::load("v3-discovery-report.hex").message();
    assert_eq!(report.header.msg_id, probe.header.msg_id);
    assert_eq!(report.header.flags.level, SecurityLevel::NoAuthNoPriv);
    assert!(!report.header.flags.reportable);
    assert_eq!(report.security.engine_id, engine_id().as_bytes());
    assert_eq!(report.security.engine_time.boots, 1);
    let ScopedPduData::Plaintext(scoped) = &report.data else {
        panic!("a Report is in clear");
    };
    let pdu = pdu(scoped);
    assert_eq!(pdu.kind, PduKind::Report);
    // usmStatsUnknownEngineIDs.0 (RFC 3414 §5).
    assert_eq!(pdu.varbinds[0].name, oid("1.3.6.1.6.3.15.1.1.4.0"));
    assert!(matches!(pdu.varbinds[0].value, Value::Counter32(n) if n >= 1));
}

#[test]
fn localized_keys_equal_net_snmps_for_all_42_users() {
    let text = fs::read_to_string(vectors_dir().join("v3-netsnmp-usm-users.txt")).unwrap();
    let engine = engine_id();
    let mut cache = KeyCache::new();
    let mut count = 0;
    for line in text.lines().filter(|l| l.starts_with("usmUser ")) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(hex(fields[3]), engine.as_bytes());
        let user = String::from_utf8(hex(fields[4])).unwrap();
        let auth = AuthProtocol::ALL
            .into_iter()
            .find(|p| p.oid().to_string() == fields[7][1..]);
        let auth = auth.unwrap_or_else(|| panic!("{user}: {}", fields[7]));
        let privacy = PrivProtocol::ALL
            .into_iter()
            .find(|p| p.oid().to_string() == fields[9][1..]);
        let password = format!("authpass-{user}");
        let mut credentials =
            Credentials::new(auth, KeyInput::Password(password.as_bytes())).unwrap();
        if let Some(privacy) = privacy {
            let password = format!("privpass-{user}");
            credentials = credentials
                .with_privacy(privacy, KeyInput::Password(password.as_bytes()))
                .unwrap();
        } else {
            assert_eq!(
                fields[9], ".1.3.6.1.6.3.10.1.2.1",
                "{user}: usmNoPrivProtocol"
            );
        }
        let keys = cache.keys(user.as_bytes(), &credentials, &engine);
        assert_eq!(
            keys.auth().as_bytes(),
            hex(fields[8]),
            "{user}: authentication key"
        );
        match keys.privacy() {
            Some(key) => assert_eq!(key.as_bytes(), hex(fields[10]), "{user}: privacy key"),
            None => assert_eq!(fields[10], "\"\""),
        }
        count += 1;
    }
    assert_eq!(count, 42);
    assert_eq!(cache.derivations(), 42);
}

#[test]
fn triple_des_round_trips_through_the_whole_message() {
    let credentials = Credentials::new(AuthProtocol::Sha1, KeyInput::Password(b"maplesyrup"))
        .unwrap()
        .with_privacy(PrivProtocol::TripleDes, KeyInput::Password(b"maplesyrup"))
        .unwrap();
    let keys = credentials.localize(&engine_id());
    let scoped = scoped_pdu(vec![VarBind::null(oid(SYS_DESCR))], Bytes::new());
    let datagram = seal(&scoped, SecurityLevel::AuthPriv, &keys, 42);
    assert_eq!(open_datagram(&datagram, &keys), Ok(scoped));
}

fn scoped_pdu(varbinds: Vec<VarBind>, context_name: Bytes) -> ScopedPdu {
    ScopedPdu {
        context_engine_id: engine_id().to_bytes(),
        context_name,
        pdu: AnyPdu::Pdu(Pdu {
            kind: PduKind::GetRequest,
            request_id: RequestId(17),
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds,
        }),
    }
}

fn seal(scoped: &ScopedPdu, level: SecurityLevel, keys: &LocalizedKeys, salt: u64) -> Bytes {
    let outgoing = Outgoing {
        msg_id: 99,
        max_size: 65_507,
        reportable: true,
        engine_id: engine_id().to_bytes(),
        engine_time: EngineTime::new(4, 1_000),
        user_name: Bytes::from_static(b"alice"),
        scoped_pdu: scoped,
    };
    usm::encode_message(&outgoing, level, Some(keys), &mut SaltCounter::new(3, salt)).unwrap()
}

fn open_datagram(datagram: &Bytes, keys: &LocalizedKeys) -> Result<ScopedPdu, UsmError> {
    let Ok(Message::V3(message)) = Message::decode(datagram.clone()) else {
        panic!("not a v3 message");
    };
    if message.header.flags.level >= SecurityLevel::AuthNoPriv {
        usm::authenticate(keys.auth(), datagram)?;
    }
    match message.data {
        ScopedPduData::Plaintext(scoped) => Ok(scoped),
        ScopedPduData::Encrypted(encrypted) => {
            usm::decrypt_scoped_pdu(keys.privacy().unwrap(), &message.security, &encrypted)
        }
    }
}

fn auth_protocol() -> impl Strategy<Value = AuthProtocol> {
    prop::sample::select(AuthProtocol::ALL.to_vec())
}

fn priv_protocol() -> impl Strategy<Value = PrivProtocol> {
    prop::sample::select(PrivProtocol::ALL.to_vec())
}

fn octets(max: usize) -> impl Strategy<Value = Bytes> {
    prop::collection::vec(any::<u8>(), 0..max).prop_map(Bytes::from)
}

fn level() -> impl Strategy<Value = SecurityLevel> {
    prop::sample::select(SecurityLevel::ALL.to_vec())
}

fn varbinds() -> impl Strategy<Value = Vec<VarBind>> {
    let varbind =
        (prop::collection::vec(0u32..5_000, 0..12), octets(80)).prop_map(|(tail, value)| {
            let mut arcs = vec![1, 3, 6, 1];
            arcs.extend(tail);
            VarBind {
                name: Oid::new(&arcs).unwrap(),
                value: Value::OctetString(value),
            }
        });
    prop::collection::vec(varbind, 0..8)
}

/// Keys of random octets: the properties do not need password-to-key, which is slow.
fn keys() -> impl Strategy<Value = LocalizedKeys> {
    (
        auth_protocol(),
        priv_protocol(),
        prop::collection::vec(any::<u8>(), 96),
    )
        .prop_map(|(auth, privacy, octets)| {
            let auth_key = LocalizedKey::from_bytes(auth, &octets[..auth.digest_len()]).unwrap();
            let priv_key = &octets[64..64 + privacy.key_len()];
            let credentials = Credentials::new(auth, KeyInput::LocalizedKey(auth_key.as_bytes()))
                .unwrap()
                .with_privacy(privacy, KeyInput::LocalizedKey(priv_key))
                .unwrap();
            let keys = credentials.localize(&engine_id());
            assert_eq!(keys.privacy().map(PrivKey::as_bytes), Some(priv_key));
            keys
        })
}

fn v3_message() -> impl Strategy<Value = V3Message> {
    let header = (
        0u32..=i32::MAX as u32,
        484u32..=i32::MAX as u32,
        level(),
        any::<bool>(),
    )
        .prop_map(|(msg_id, max_size, level, reportable)| HeaderData {
            msg_id,
            max_size,
            flags: MsgFlags { level, reportable },
        });
    let security = (
        octets(40),
        0u32..=i32::MAX as u32,
        0u32..=i32::MAX as u32,
        octets(40),
        octets(60),
        octets(10),
    )
        .prop_map(
            |(engine_id, boots, time, user_name, auth_params, priv_params)| UsmSecurityParameters {
                engine_id,
                engine_time: EngineTime::new(boots, time),
                user_name,
                auth_params,
                priv_params,
            },
        );
    (header, security, varbinds(), octets(40), octets(400)).prop_map(
        |(header, security, varbinds, context_name, encrypted)| {
            let data = if header.flags.level == SecurityLevel::AuthPriv {
                ScopedPduData::Encrypted(encrypted)
            } else {
                ScopedPduData::Plaintext(scoped_pdu(varbinds, context_name))
            };
            V3Message {
                header,
                security,
                data,
            }
        },
    )
}

proptest! {
    #[test]
    fn v3_messages_round_trip(message in v3_message()) {
        let bytes = Message::V3(message.clone()).to_vec();
        let decoded = Message::decode(Bytes::from(bytes));
        prop_assert_eq!(decoded, Ok(Message::V3(message)));
    }

    #[test]
    fn sealed_messages_open_with_their_keys(
        keys in keys(),
        level in level(),
        varbinds in varbinds(),
        salt in any::<u64>(),
    ) {
        let scoped = scoped_pdu(varbinds, Bytes::from_static(b"ctx"));
        let datagram = seal(&scoped, level, &keys, salt);
        prop_assert_eq!(open_datagram(&datagram, &keys), Ok(scoped));
        if level >= SecurityLevel::AuthNoPriv {
            // Flipping any bit of the datagram makes it fail, one way or another.
            let mut altered = datagram.to_vec();
            let at = usize::try_from(salt % datagram.len() as u64).unwrap();
            altered[at] ^= 0x10;
            let altered = Bytes::from(altered);
            let failed = match Message::decode(altered.clone()) {
                Ok(_) => usm::authenticate(keys.auth(), &altered).is_err(),
                Err(_) => true,
            };
            prop_assert!(failed, "bit flip at {} went unnoticed", at);
        }
    }

    #[test]
    fn the_incoming_path_never_panics(
        index in 0usize..21,
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let vectors: Vec<Vector> = captured(".hex");
        let vector = &vectors[index % vectors.len()];
        let mut bytes = vector.bytes.to_vec();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        let bytes = Bytes::from(bytes);
        let keys = cached_keys(vector);
        if let Ok(Message::V3(message)) = Message::decode(bytes.clone()) {
            let _ = usm::authenticate(keys.auth(), &bytes);
            if let (ScopedPduData::Encrypted(encrypted), Some(privacy)) = (&message.data, keys.privacy()) {
                let _ = usm::decrypt_scoped_pdu(privacy, &message.security, encrypted);
            }
        }
    }
}

/// Keys of a captured vector, derived once per process (password-to-key is slow in debug).
fn cached_keys(vector: &Vector) -> LocalizedKeys {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, LocalizedKeys>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache.lock().unwrap();
    cache
        .entry(vector.name.clone())
        .or_insert_with(|| vector.keys())
        .clone()
}
