//! Encoding table indexes as OID arcs (RFC 2578 §7.7).
//!
//! A row's instance is `entry.column.index`, where `index` is the concatenation of the
//! encodings of the INDEX objects, in order.

use std::net::Ipv4Addr;

/// An INTEGER or Unsigned32 index: one arc (RFC 2578 §7.7, first bullet).
pub fn integer(value: u32) -> Vec<u32> {
    vec![value]
}

/// A variable-length OCTET STRING index: the length, then one arc per octet (RFC 2578 §7.7,
/// second bullet).
pub fn octets(value: &[u8]) -> Vec<u32> {
    let mut arcs = Vec::with_capacity(value.len() + 1);
    // An index cannot exceed 128 arcs in an OID, so the length always fits in u32.
    arcs.push(u32::try_from(value.len()).unwrap_or(u32::MAX));
    arcs.extend(value.iter().map(|&octet| u32::from(octet)));
    arcs
}

/// An OCTET STRING index under the `IMPLIED` keyword: one arc per octet, no length (the
/// last index object only).
pub fn implied_octets(value: &[u8]) -> Vec<u32> {
    value.iter().map(|&octet| u32::from(octet)).collect()
}

/// An IpAddress index: four arcs, one per octet (RFC 2578 §7.7, fourth bullet).
pub fn ipv4(address: Ipv4Addr) -> Vec<u32> {
    address
        .octets()
        .iter()
        .map(|&octet| u32::from(octet))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_indexes_as_rfc_2578_says() {
        assert_eq!(integer(7), [7]);
        assert_eq!(octets(b"ab"), [2, 97, 98]);
        assert_eq!(implied_octets(b"ab"), [97, 98]);
        assert_eq!(ipv4(Ipv4Addr::new(10, 0, 0, 1)), [10, 0, 0, 1]);
    }
}
