use super::*;
use crate::usm::AuthProtocol;

/// A message with `mac_len` octets of parameters between "vigie" and "end".
fn message(mac_len: usize) -> (Vec<u8>, Range<usize>) {
    let mut message = b"vigie".to_vec();
    message.extend(std::iter::repeat_n(0xee, mac_len));
    message.extend_from_slice(b"end");
    (message, 5..5 + mac_len)
}

fn key(protocol: AuthProtocol) -> LocalizedKey {
    let bytes: Vec<u8> = (1..=protocol.digest_len())
        .map(|i| u8::try_from(i).unwrap())
        .collect();
    LocalizedKey::from_bytes(protocol, &bytes).unwrap()
}

/// HMACs of "vigie" ‖ zeros ‖ "end" under the key 01 02 03 …, computed with Python's `hmac`.
const EXPECTED: [(AuthProtocol, &str); 6] = [
    (AuthProtocol::Md5, "70ddfaa98f7ea8e1ea7477a3"),
    (AuthProtocol::Sha1, "0966a344ea8cb4a7789b406b"),
    (AuthProtocol::Sha224, "ff712a9418b4ca8794d342beb3b2e29b"),
    (
        AuthProtocol::Sha256,
        "6367fe7dfc4332b950fdd802b6ca5e23d134a059e1e22fc8",
    ),
    (
        AuthProtocol::Sha384,
        "a0c2af15797dee31a4c91528c5f893909dd8a094ec2396cab4bb579abe38e139",
    ),
    (
        AuthProtocol::Sha512,
        "7e543cf209cdcd7179dbae48d02a2293205df6d171c9855835317206c5f59cb4b85f0a120b3448af341d3859529859fd",
    ),
];

#[test]
fn sign_writes_the_truncated_hmac_of_the_message_with_zeros() {
    for (protocol, expected) in EXPECTED {
        let (mut message, range) = message(protocol.mac_len());
        sign(&key(protocol), &mut message, range.clone()).unwrap();
        let mac: String = message[range.clone()]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(mac, expected, "{protocol}");
        assert_eq!(verify(&key(protocol), &message, range), Ok(()));
    }
}

#[test]
fn any_altered_octet_is_a_wrong_digest() {
    let protocol = AuthProtocol::Sha256;
    let (mut message, range) = message(protocol.mac_len());
    sign(&key(protocol), &mut message, range.clone()).unwrap();
    for i in 0..message.len() {
        let mut altered = message.clone();
        altered[i] ^= 0x01;
        assert_eq!(
            verify(&key(protocol), &altered, range.clone()),
            Err(UsmError::WrongDigest),
            "octet {i}"
        );
    }
    assert_eq!(
        verify(&key(AuthProtocol::Sha1), &message, 5..17),
        Err(UsmError::WrongDigest)
    );
}

#[test]
fn parameters_of_the_wrong_length_are_refused() {
    let (mut message, _) = message(12);
    let key = key(AuthProtocol::Sha256);
    assert_eq!(
        verify(&key, &message, 5..17),
        Err(UsmError::AuthParamsLength)
    );
    assert_eq!(
        sign(&key, &mut message, 5..17),
        Err(UsmError::AuthParamsLength)
    );
    assert_eq!(
        verify(&key, &message, 0..0),
        Err(UsmError::AuthParamsLength)
    );
    // A range past the end of the message.
    assert_eq!(
        verify(&key, &message, 10..34),
        Err(UsmError::AuthParamsLength)
    );
}
