//! Decodes arbitrary bytes as one SNMP value (as the contents of an Opaque would be); whatever
//! decodes must survive an encode/decode round trip unchanged.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use vigie_snmp::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = Value::decode(Bytes::copy_from_slice(data)) else {
        return;
    };
    let encoded = value.to_vec();
    // The encoder writes only what the decoder accepts, so this cannot fail.
    let again = Value::decode(Bytes::from(encoded.clone())).expect("a re-encoded value decodes");
    assert_eq!(again, value);
    assert_eq!(again.to_vec(), encoded);
});
