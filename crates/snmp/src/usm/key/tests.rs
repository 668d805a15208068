use super::*;

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn rfc3414_engine() -> EngineId {
    EngineId::new(hex("000000000000000000000002")).unwrap()
}

#[test]
fn rfc3414_a_3_1_md5_password_to_key_and_localisation() {
    let ku = AuthProtocol::Md5.password_to_key(b"maplesyrup").unwrap();
    assert_eq!(ku.as_bytes(), hex("9faf3283884e92834ebc9847d8edd963"));
    let kul = ku.localize(&rfc3414_engine());
    assert_eq!(kul.as_bytes(), hex("526f5eed9fcce26f8964c2930787d82b"));
    assert_eq!(kul.protocol(), AuthProtocol::Md5);
}

#[test]
fn rfc3414_a_3_2_sha_password_to_key_and_localisation() {
    let ku = AuthProtocol::Sha1.password_to_key(b"maplesyrup").unwrap();
    assert_eq!(
        ku.as_bytes(),
        hex("9fb5cc0381497b3793528939ff788d5d79145211")
    );
    let kul = ku.localize(&rfc3414_engine());
    assert_eq!(
        kul.as_bytes(),
        hex("6695febc9288e36282235fc7151f128497b38f3f")
    );
}

#[test]
fn password_to_key_repeats_the_password_over_one_megabyte() {
    // An independent, literal reading of RFC 3414 A.2.1: 64-octet blocks of the password
    // repeated, 16 384 of them.
    let password = b"a longer password, not a divisor of 64";
    let mut hasher = Sha256::new();
    let mut index = 0;
    for _ in 0..16_384 {
        let block: Vec<u8> = (0..64)
            .map(|_| {
                let octet = password[index % password.len()];
                index += 1;
                octet
            })
            .collect();
        hasher.update(&block);
    }
    let expected = hasher.finalize();
    let ku = AuthProtocol::Sha256.password_to_key(password).unwrap();
    assert_eq!(ku.as_bytes(), expected.as_slice());
}

#[test]
fn every_protocol_gives_keys_of_its_digest_length() {
    let engine = rfc3414_engine();
    for protocol in AuthProtocol::ALL {
        let ku = protocol.password_to_key(b"maplesyrup").unwrap();
        assert_eq!(ku.as_bytes().len(), protocol.digest_len(), "{protocol}");
        assert_eq!(ku.localize(&engine).as_bytes().len(), protocol.digest_len());
        assert!(protocol.mac_len() < protocol.digest_len());
    }
}

#[test]
fn passwords_under_eight_octets_are_refused() {
    assert_eq!(
        AuthProtocol::Sha1.password_to_key(b"1234567"),
        Err(UsmError::PasswordTooShort)
    );
    assert_eq!(
        AuthProtocol::Sha1.password_to_key(b""),
        Err(UsmError::PasswordTooShort)
    );
    assert!(AuthProtocol::Sha1.password_to_key(b"12345678").is_ok());
}

#[test]
fn keys_given_as_octets_must_have_the_digest_length() {
    assert_eq!(
        MasterKey::from_bytes(AuthProtocol::Sha1, &[0; 16]),
        Err(UsmError::KeyLength {
            expected: 20,
            actual: 16
        })
    );
    let kul = LocalizedKey::from_bytes(AuthProtocol::Md5, &[7; 16]).unwrap();
    assert_eq!(kul.as_bytes(), [7; 16]);
    assert_eq!(
        PrivKey::from_bytes(PrivProtocol::Aes256, &[0; 24]),
        Err(UsmError::KeyLength {
            expected: 32,
            actual: 24
        })
    );
}

#[test]
fn blumenthal_appends_the_hash_of_the_key_so_far() {
    let engine = rfc3414_engine();
    let kul = AuthProtocol::Md5
        .password_to_key(b"maplesyrup")
        .unwrap()
        .localize(&engine);
    let key = PrivKey::from_localized(PrivProtocol::Aes256, &kul, &engine);
    let second = Md5::digest(kul.as_bytes());
    assert_eq!(&key.as_bytes()[..16], kul.as_bytes());
    assert_eq!(&key.as_bytes()[16..], second.as_slice());
    // SHA-1 needs 20 + 4 octets for AES-192: the hash is cut.
    let kul = AuthProtocol::Sha1
        .password_to_key(b"maplesyrup")
        .unwrap()
        .localize(&engine);
    let key = PrivKey::from_localized(PrivProtocol::Aes192, &kul, &engine);
    assert_eq!(&key.as_bytes()[..20], kul.as_bytes());
    assert_eq!(&key.as_bytes()[20..], &Sha1::digest(kul.as_bytes())[..4]);
}

#[test]
fn reeder_appends_the_localized_key_of_the_key_so_far() {
    let engine = rfc3414_engine();
    let kul = AuthProtocol::Sha1
        .password_to_key(b"maplesyrup")
        .unwrap()
        .localize(&engine);
    let key = PrivKey::from_localized(PrivProtocol::Aes256C, &kul, &engine);
    let next = AuthProtocol::Sha1
        .password_to_key(kul.as_bytes())
        .unwrap()
        .localize(&engine);
    assert_eq!(&key.as_bytes()[..20], kul.as_bytes());
    assert_eq!(&key.as_bytes()[20..], &next.as_bytes()[..12]);
    // 3DES takes the same extension.
    let triple = PrivKey::from_localized(PrivProtocol::TripleDes, &kul, &engine);
    assert_eq!(triple.as_bytes(), key.as_bytes());
}

#[test]
fn long_enough_keys_are_only_cut() {
    let engine = rfc3414_engine();
    let kul = AuthProtocol::Sha256
        .password_to_key(b"maplesyrup")
        .unwrap()
        .localize(&engine);
    for protocol in PrivProtocol::ALL {
        let key = PrivKey::from_localized(protocol, &kul, &engine);
        assert_eq!(key.as_bytes().len(), protocol.key_len());
        assert_eq!(
            key.as_bytes(),
            &kul.as_bytes()[..protocol.key_len()],
            "{protocol}"
        );
    }
}

#[test]
fn names_parse_back_and_oids_are_net_snmps() {
    for protocol in AuthProtocol::ALL {
        assert_eq!(protocol.name().parse(), Ok(protocol));
        assert_eq!(protocol.to_string().to_lowercase().parse(), Ok(protocol));
    }
    for protocol in PrivProtocol::ALL {
        assert_eq!(protocol.name().parse(), Ok(protocol));
    }
    assert_eq!("AES-192".parse(), Ok(PrivProtocol::Aes192));
    assert_eq!("sha1".parse(), Ok(AuthProtocol::Sha1));
    assert_eq!(
        "SHA-3".parse::<AuthProtocol>(),
        Err(UsmError::UnknownAuthProtocol)
    );
    assert_eq!(
        "AES512".parse::<PrivProtocol>(),
        Err(UsmError::UnknownPrivProtocol)
    );
    assert_eq!(AuthProtocol::Md5.oid().to_string(), "1.3.6.1.6.3.10.1.1.2");
    assert_eq!(
        AuthProtocol::Sha512.oid().to_string(),
        "1.3.6.1.6.3.10.1.1.7"
    );
    assert_eq!(PrivProtocol::Des.oid().to_string(), "1.3.6.1.6.3.10.1.2.2");
    assert_eq!(
        PrivProtocol::Aes128.oid().to_string(),
        "1.3.6.1.6.3.10.1.2.4"
    );
    assert_eq!(
        PrivProtocol::Aes256.oid().to_string(),
        "1.3.6.1.4.1.14832.1.4"
    );
    assert_eq!(
        PrivProtocol::Aes192C.oid().to_string(),
        "1.3.6.1.4.1.9.12.6.1.1"
    );
}

#[test]
fn debug_never_shows_key_octets() {
    let ku = AuthProtocol::Md5.password_to_key(b"maplesyrup").unwrap();
    let kul = ku.localize(&rfc3414_engine());
    let key = PrivKey::from_localized(PrivProtocol::Des, &kul, &rfc3414_engine());
    assert_eq!(format!("{ku:?}"), "***");
    assert_eq!(format!("{kul:?}"), "***");
    assert_eq!(format!("{key:?}"), "PrivKey(DES, ***)");
}
