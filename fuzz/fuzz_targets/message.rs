//! Decodes arbitrary datagrams; whatever decodes must re-encode to a message that decodes to
//! the same value, and re-encode to the same bytes again.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use vigie_snmp::Message;

fuzz_target!(|data: &[u8]| {
    let Ok(message) = Message::decode(Bytes::copy_from_slice(data)) else {
        return;
    };
    let encoded = message.to_vec();
    // The encoder writes only what the decoder accepts, so this cannot fail.
    let again =
        Message::decode(Bytes::from(encoded.clone())).expect("a re-encoded message decodes");
    assert_eq!(again, message);
    assert_eq!(again.to_vec(), encoded);
});
