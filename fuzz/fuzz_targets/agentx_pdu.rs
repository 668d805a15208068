//! Decodes arbitrary bytes as one AgentX PDU (RFC 2741 §6), as the master reads them from a
//! subagent's stream: nothing may panic, and whatever decodes must survive an encode/decode
//! round trip unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigie_agent::agentx::pdu::{self, flags};

fuzz_target!(|data: &[u8]| {
    let Ok(decoded) = pdu::decode(data) else {
        return;
    };
    let encoded = decoded.encode();
    // The encoder writes only what the decoder accepts, so this cannot fail.
    let again = pdu::decode(&encoded).expect("a re-encoded PDU decodes");
    assert_eq!(again.body, decoded.body);
    assert_eq!(again.context, decoded.context);
    assert_eq!(again.header.session_id, decoded.header.session_id);
    assert_eq!(again.header.packet_id, decoded.header.packet_id);
    assert_eq!(
        again.header.flags & !flags::NON_DEFAULT_CONTEXT,
        decoded.header.flags & !flags::NON_DEFAULT_CONTEXT
    );
    assert_eq!(again.encode(), encoded);
});
