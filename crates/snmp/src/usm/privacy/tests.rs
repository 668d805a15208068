use super::*;

fn key(protocol: PrivProtocol) -> PrivKey {
    let bytes: Vec<u8> = (1..=protocol.key_len())
        .map(|i| u8::try_from(i).unwrap())
        .collect();
    PrivKey::from_bytes(protocol, &bytes).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const ENGINE: EngineTime = EngineTime {
    boots: 0x0102_0304,
    time: 0x0a0b_0c0d,
};
const SALT: u64 = 0x1122_3344_5566_7788;
const PLAINTEXT: &[u8] = b"0123456789abcdefghij";

/// Ciphertexts of PLAINTEXT under the key 01 02 03 …, ENGINE and SALT, computed with Python's
/// `cryptography` (AES-CFB128, and DES/3DES-CBC on the text padded with 04 04 04 04).
const EXPECTED: [(PrivProtocol, &str, &str); 7] = [
    (
        PrivProtocol::Des,
        "0102030455667788",
        "066c6f75f52ca28ec579cd98933626ec86d80f901d45c24e",
    ),
    (
        PrivProtocol::TripleDes,
        "0102030455667788",
        "d40f803c06527fdbd57448f5ac6fcffd7e0c2527ac982e19",
    ),
    (
        PrivProtocol::Aes128,
        "1122334455667788",
        "4ee24d1e9d71b348f3f9596e53a41dca4c098e6a",
    ),
    (
        PrivProtocol::Aes192,
        "1122334455667788",
        "06e96a2faab5f3d3c00dafe0ed829f563b1b187f",
    ),
    (
        PrivProtocol::Aes192C,
        "1122334455667788",
        "06e96a2faab5f3d3c00dafe0ed829f563b1b187f",
    ),
    (
        PrivProtocol::Aes256,
        "1122334455667788",
        "e54ae7d687aa299e10d35dfcaba94cc6dc4fd9d7",
    ),
    (
        PrivProtocol::Aes256C,
        "1122334455667788",
        "e54ae7d687aa299e10d35dfcaba94cc6dc4fd9d7",
    ),
];

#[test]
fn encrypts_as_an_independent_implementation_does() {
    for (protocol, params, ciphertext) in EXPECTED {
        let mut data = PLAINTEXT.to_vec();
        let salt = SaltCounter::new(ENGINE.boots, SALT).next_salt(protocol);
        assert_eq!(hex(&salt), params, "{protocol}");
        key(protocol).encrypt(&mut data, ENGINE, salt);
        assert_eq!(hex(&data), ciphertext, "{protocol}");
        key(protocol).decrypt(&mut data, ENGINE, &salt).unwrap();
        assert_eq!(&data[..PLAINTEXT.len()], PLAINTEXT, "{protocol}");
        let padding = data.len() - PLAINTEXT.len();
        assert!(
            data[PLAINTEXT.len()..]
                .iter()
                .all(|&b| usize::from(b) == padding)
        );
    }
}

#[test]
fn cbc_needs_whole_blocks_and_every_cipher_eight_octets_of_salt() {
    let mut data = vec![0; 20];
    assert_eq!(
        key(PrivProtocol::Des).decrypt(&mut data, ENGINE, &[0; 8]),
        Err(DecryptionError::CiphertextLength(20))
    );
    assert_eq!(
        key(PrivProtocol::TripleDes).decrypt(&mut data, ENGINE, &[0; 8]),
        Err(DecryptionError::CiphertextLength(20))
    );
    for protocol in PrivProtocol::ALL {
        assert_eq!(
            key(protocol).decrypt(&mut data, ENGINE, &[0; 7]),
            Err(DecryptionError::PrivParamsLength(7)),
            "{protocol}"
        );
    }
    // CFB takes any length, the empty one included.
    assert_eq!(
        key(PrivProtocol::Aes128).decrypt(&mut [], ENGINE, &[0; 8]),
        Ok(())
    );
}

#[test]
fn the_iv_depends_on_boots_time_and_salt() {
    for protocol in PrivProtocol::ALL {
        let encrypt = |engine: EngineTime, salt: u64| {
            let mut data = PLAINTEXT.to_vec();
            let salt = SaltCounter::new(7, salt).next_salt(protocol);
            key(protocol).encrypt(&mut data, engine, salt);
            data
        };
        let base = encrypt(ENGINE, SALT);
        assert_ne!(base, encrypt(ENGINE, SALT + 1), "{protocol}");
        // DES and 3DES take neither the authoritative boots nor the time (RFC 3414
        // §8.1.1.1): their salt holds the encrypting engine's own boots.
        let is_cbc = matches!(protocol, PrivProtocol::Des | PrivProtocol::TripleDes);
        let other_boots = encrypt(EngineTime::new(9, ENGINE.time), SALT);
        assert_eq!(base == other_boots, is_cbc, "{protocol}");
        let other_time = encrypt(EngineTime::new(ENGINE.boots, 1), SALT);
        assert_eq!(base == other_time, is_cbc, "{protocol}");
    }
}

#[test]
fn whole_blocks_are_not_padded() {
    for protocol in [PrivProtocol::Des, PrivProtocol::TripleDes] {
        let mut data = vec![0x30; 16];
        key(protocol).encrypt(&mut data, ENGINE, [0; 8]);
        assert_eq!(data.len(), 16);
        let mut data = vec![0x30; 17];
        key(protocol).encrypt(&mut data, ENGINE, [0; 8]);
        assert_eq!(data.len(), 24);
    }
}

#[test]
fn salts_count_up_and_wrap() {
    let mut salts = SaltCounter::new(6, u64::MAX);
    assert_eq!(
        salts.next_salt(PrivProtocol::Aes128),
        u64::MAX.to_be_bytes()
    );
    assert_eq!(salts.next_salt(PrivProtocol::Aes256C), 0_u64.to_be_bytes());
    // DES: the local boots, then the low 32 bits of the counter.
    assert_eq!(salts.next_salt(PrivProtocol::Des), [0, 0, 0, 6, 0, 0, 0, 1]);
    let mut salts = SaltCounter::new(1, 0x1234_5678_ffff_ffff);
    assert_eq!(
        salts.next_salt(PrivProtocol::TripleDes),
        [0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]
    );
    assert_eq!(
        salts.next_salt(PrivProtocol::TripleDes),
        [0, 0, 0, 1, 0, 0, 0, 0]
    );
}
