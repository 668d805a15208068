//! Design notes: what the BER decoder tolerates, what it rejects, and why.
//!
//! The decoder follows one rule: **accept an encoding when its meaning is unambiguous and
//! real agents send it; reject it when the bytes could mean two things, or when accepting
//! would mean guessing or silently changing a value.** Net-SNMP 5.9.3 was used as the
//! reference for what "real agents send" and what a manager must accept; each decision
//! below was checked against it on loopback. The encoder, on the other hand, is strict:
//! it writes the shortest (DER-like) form of everything, so that `encode(decode(x))` is
//! canonical and the captured Net-SNMP datagrams in `tests/vectors/` re-encode byte for
//! byte.
//!
//! Every rejection is a [`DecodeError`](crate::DecodeError) whose `offset` is that of the
//! offending byte in the datagram (the tag, the first length octet, or the first content
//! octet of the faulty value), so a log line can point at it in a packet capture.
//!
//! # Structure and lengths
//!
//! | Input | Decision | Why |
//! |---|---|---|
//! | Long-form length where short form would do (`0x81 0x05`, `0x82 0x00 0x05`) | accepted | Unambiguous; some agents always use the long form. Net-SNMP accepts it. |
//! | Up to 8 long-form length octets | accepted | Net-SNMP accepts `sizeof(long)`; leading zero octets change nothing. |
//! | Indefinite length (`0x80`) | `InvalidLength` | SNMP datagrams are always definite (RFC 3417 §8); Net-SNMP rejects it too. |
//! | Reserved length `0xff`, or 9+ length octets | `InvalidLength` | X.690 §8.1.3.5; no datagram needs it. |
//! | A length running past the end of the datagram | `Truncated` | The datagram was cut. |
//! | A length running past the enclosing TLV | `InvalidLength` | The TLVs do not nest: the bytes are inconsistent. |
//! | Multi-octet tags (low five bits `0x1f`) | `UnexpectedTag` | SNMP defines none. Net-SNMP's Opaque-wrapped floats (`9f 78`) are carried inside an Opaque's contents, never parsed as a varbind value. |
//! | Bytes after the last element of a SEQUENCE or PDU | `TrailingData` | A varbind with three elements, or a PDU with a fifth field, is malformed. |
//! | Bytes after the outer message SEQUENCE | ignored | Net-SNMP's agent answers such datagrams (checked with snmpd 5.9.3); some embedded stacks pad datagrams. |
//!
//! The [`Reader`](crate::ber::Reader) enforces the nesting: each TLV read returns a new
//! reader bounded to its contents, so no length can make a later read run past the TLV
//! that encloses it, and no index can panic (the crate denies `clippy::indexing_slicing`
//! outside tests).
//!
//! # Integers
//!
//! | Input | Decision | Why |
//! |---|---|---|
//! | Redundant leading `0x00` (or `0xff` before a negative) octets | accepted | X.690 §8.3.2 forbids them, but they are unambiguous and devices send them (Counter32 as `00 00 ff ff ff ff`). Net-SNMP accepts up to 8 octets. |
//! | An INTEGER field (request-id, Integer32, error-status…) outside -2^31..2^31-1 | `IntegerOutOfRange` | RFC 3416 §3 bounds them to 32 bits. A request-id with more than four *significant* octets is rejected; a zero-padded one (`02 05 00 00 00 00 07`) is accepted, as Net-SNMP's agent does. |
//! | Empty INTEGER contents | `IntegerOutOfRange` | X.690 §8.3.1: at least one octet. |
//! | Counter32/Gauge32/TimeTicks from -2^31 to -1 | accepted, modulo 2^32 | Agents that encode a counter as a signed 32-bit integer (`41 04 ff ff ff ff`) mean 4294967295; Net-SNMP's `asn_parse_unsigned_int` reads it the same way. |
//! | Counter32/Gauge32/TimeTicks above 2^32-1 or below -2^31 | `IntegerOutOfRange` | Net-SNMP truncates to 32 bits; vigie refuses to invent a value, since a silently wrapped counter corrupts every rate computed from it. |
//! | Counter64 of 9 octets with a leading `0x00` | accepted | The normal encoding of values from 2^63. |
//! | Negative Counter64 (at most 8 octets) | accepted, modulo 2^64 | Same reasoning as Counter32. |
//! | error-index negative | `IntegerOutOfRange` | It is an index (RFC 3416 §3: 0..max-bindings). |
//! | error-status outside 0–18 | `InvalidErrorStatus` | [`ErrorStatus`](crate::ErrorStatus) is a closed enum of RFC 3416's values. |
//! | generic-trap outside 0–6 | accepted, as [`GenericTrap::Other`](crate::GenericTrap::Other) | RFC 1157 §4.1.6 defines seven, but Net-SNMP's `snmptrap` sends any integer and `snmptrapd` accepts it; RFC 3584 translation gives `snmpTraps.(n+1)`, as Net-SNMP does. |
//! | GetBulk non-repeaters or max-repetitions negative | clamped to 0 | RFC 3416 §4.2.3. Values above 2^32-1 are clamped to 2^32-1; the agent caps repetitions anyway. |
//!
//! # Object identifiers
//!
//! | Input | Decision | Why |
//! |---|---|---|
//! | A subidentifier padded with leading `0x80` octets | accepted | X.690 §8.19.2 forbids it, but the value is unambiguous and Net-SNMP accepts it. The OID is re-encoded without padding. |
//! | First subidentifier ≥ 80 | arc 2 and the rest (`2.999` is `88 37`) | X.690 §8.19.4. |
//! | An arc above 2^32-1 (or a first subidentifier above 2^32+79) | `InvalidOid` | RFC 2578 §3.5. Checked while accumulating, so no overflow whatever the padding. |
//! | More than 128 arcs | `InvalidOid` | RFC 2578 §3.5. |
//! | Empty contents (`06 00`) | read as `0.0` | zeroDotZero, the conventional "no OID"; Net-SNMP's `asn_parse_objid` reads it so, on purpose ("handle invalid object identifier encodings of the form 06 00 robustly"). Re-encoded as `06 01 00`. |
//! | Contents ending inside a subidentifier | `InvalidOid` | There is no OID to return. |
//!
//! # Other values
//!
//! | Input | Decision | Why |
//! |---|---|---|
//! | NULL or an exception (`80`, `81`, `82`) with contents | `NonEmptyNull` | X.690 §8.8.2, RFC 3416 §3. |
//! | IpAddress (and the v1 agent-addr) not exactly 4 octets | `InvalidIpAddress` | RFC 2578 §7.1.5. |
//! | OCTET STRING in the constructed form (`0x24`) | `UnexpectedTag` | SNMP never uses it (RFC 3417 §8); neither does Net-SNMP. |
//! | Any tag that is not one of the SMI's or the exceptions' | `UnexpectedTag` | There is no value type to decode it to. |
//!
//! # Versions and PDUs
//!
//! - Version 0 is v1, 1 is v2c and 3 is v3 (RFC 3412); any other number fails with
//!   `UnsupportedVersion`. A v3 message whose msgFlags ask for privacy without
//!   authentication fails with `InvalidMsgFlags`, and one whose security model is not the
//!   USM with `UnsupportedSecurityModel`: both are counted by RFC 3412 §7.2, not answered.
//! - An encrypted v3 `ScopedPDU` stays bytes until [`crate::usm`] has authenticated the
//!   message and decrypted it; its decoder ignores the padding DES and 3DES leave.
//! - The PDU is decoded whatever the version: a v1 message carrying a GetBulk decodes. Which
//!   PDUs a version may carry is the engine's business (RFC 3584 §4.1), not the codec's, so
//!   a responder can count and drop such a message rather than see a decoding error.
//!
//! # Memory
//!
//! Nothing is allocated in proportion to a number read from the wire. The varbind list is
//! sized by a first pass counting its TLVs, which cannot exceed half the bytes present.
//! OCTET STRING, Opaque and NsapAddress values and the community are slices of the
//! datagram's `Bytes`, not copies. OIDs of up to 16 arcs are stored inline.
//!
//! # Encoding
//!
//! v1 and v2c messages are written backwards from the end of a buffer sized once from an
//! upper bound: each header follows its contents, so its length is known when it is
//! written and nothing is patched or moved. Should the bound fall short (OIDs with many
//! large arcs), the message is written again forwards by the
//! [`Writer`](crate::ber::Writer), which the v3 code also uses: it writes each constructed
//! value with a one-octet length placeholder, then its contents, then patches the length,
//! moving contents of 128 bytes or more once for a long-form length. Either way the bytes
//! are the same, and checked to be by the tests. Integers take the fewest
//! two's-complement octets; unsigned types get a leading `0x00` when their high bit is set
//! (Counter32 4294967295 is `41 05 00 ff ff ff ff`, as Net-SNMP writes it); lengths are in
//! the shortest form; OID arcs are in base 128 without padding.
