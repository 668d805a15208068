//! The incoming SNMPv3 path with fixed keys: decode, locate and verify the MAC, decrypt and
//! decode the ScopedPDU. Nothing may panic; a ScopedPDU that decrypts must re-encode to a
//! ScopedPDU that decodes to itself.
//!
//! The first input octet picks the keys; the rest is the datagram. The keys are the ones
//! Net-SNMP derived for users of the captured vectors (`tests/vectors/v3-*.hex`, engine
//! 0x80001f8804766967696533), so the seed corpus authenticates and decrypts and the fuzzer
//! starts deep in the path.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use vigie_snmp::Message;
use vigie_snmp::message::{ScopedPdu, ScopedPduData};
use vigie_snmp::usm::{self, AuthProtocol, LocalizedKey, PrivKey, PrivProtocol};

/// (auth protocol, Kul, priv protocol, privacy key) of users md5-des, sha-aes, sha-aes-256
/// and sha-256-aes192c.
const KEYS: [(AuthProtocol, &str, PrivProtocol, &str); 4] = [
    (
        AuthProtocol::Md5,
        "8b6b0f68fa51ef958e52b2811967c695",
        PrivProtocol::Des,
        "5629231a7cd3584fa07bdab4ed575e76",
    ),
    (
        AuthProtocol::Sha1,
        "b6f594b7f88c2d38cb8c6bcd0aa25507b0423f5d",
        PrivProtocol::Aes128,
        "ba72f6ca7f286ef9618a9bfea1cb7718",
    ),
    (
        AuthProtocol::Sha1,
        "699d8884edd61307c72dea3ffa0e8a4e010a0b03",
        PrivProtocol::Aes256,
        "9a5b4323984eef83c57ef89f24a0840b9c8d16130a3e621023053dc3dee51313",
    ),
    (
        AuthProtocol::Sha256,
        "81232d67ab5a703388ef42a42655d10283f23a9f4c4a30923d62ae0a3beb24b6",
        PrivProtocol::Aes192C,
        "d92df1637c87c7f9aa6e5782c426c18c8c64780cdd5277ff",
    ),
];

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("constant hex"))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, datagram)) = data.split_first() else {
        return;
    };
    let (auth, auth_key, privacy, priv_key) = KEYS[usize::from(selector) % KEYS.len()];
    let auth_key = LocalizedKey::from_bytes(auth, &hex(auth_key)).expect("constant key");
    let priv_key = PrivKey::from_bytes(privacy, &hex(priv_key)).expect("constant key");
    let datagram = Bytes::copy_from_slice(datagram);
    let Ok(Message::V3(message)) = Message::decode(datagram.clone()) else {
        // Locating the MAC must fail cleanly on whatever does not decode as v3, too.
        let _ = vigie_snmp::message::locate_auth_params(&datagram);
        return;
    };
    let _ = usm::authenticate(&auth_key, &datagram);
    let ScopedPduData::Encrypted(encrypted) = &message.data else {
        return;
    };
    let Ok(scoped) = usm::decrypt_scoped_pdu(&priv_key, &message.security, encrypted) else {
        return;
    };
    let mut encoded = Vec::new();
    scoped.encode(&mut encoded);
    let again = ScopedPdu::decode(Bytes::from(encoded)).expect("a re-encoded ScopedPDU decodes");
    assert_eq!(again, scoped);
});
