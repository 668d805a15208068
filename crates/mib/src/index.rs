//! Instance indexes (RFC 2578 §7.7): the sub-identifiers after a column's OID, decoded into
//! the values of the row's INDEX objects, and encoded back.
//!
//! Each INDEX object's syntax decides its encoding: an integer takes one sub-identifier, an
//! IpAddress four, a fixed-size OCTET STRING its size, a variable-size OCTET STRING or an
//! OBJECT IDENTIFIER a length then its contents (no length when IMPLIED, which only the last
//! index may be). Decoding never panics: a malformed suffix is an [`IndexError`].

use std::net::Ipv4Addr;

use crate::tree::{BaseType, MibSet, NodeId, NodeKind, Syntax};

/// How one INDEX object is encoded in an instance OID (RFC 2578 §7.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IndexEncoding {
    /// One sub-identifier: INTEGER (enumerated or not), Integer32, Unsigned32, Gauge32,
    /// Counter32, TimeTicks.
    Integer,
    /// An OCTET STRING (or BITS, Opaque) of fixed SIZE: exactly that many sub-identifiers.
    FixedString(usize),
    /// An OCTET STRING of variable size: its length then its octets, or only its octets
    /// when IMPLIED.
    String {
        /// IMPLIED: no length sub-identifier (the last index only).
        implied: bool,
    },
    /// An OBJECT IDENTIFIER: its length then its arcs, or only its arcs when IMPLIED.
    ObjectIdentifier {
        /// IMPLIED: no length sub-identifier (the last index only).
        implied: bool,
    },
    /// An IpAddress: four sub-identifiers.
    IpAddress,
    /// An SMIv1 NetworkAddress: a kind (1, internet) then four sub-identifiers (RFC 1212
    /// §4.1.6).
    NetworkAddress,
}

impl IndexEncoding {
    /// The encoding of an index object of syntax `syntax`; `None` for a syntax that cannot
    /// index a table (Counter64, SEQUENCE, …).
    pub fn of(syntax: &Syntax, implied: bool) -> Option<Self> {
        Some(match syntax.base {
            BaseType::Integer
            | BaseType::Integer32
            | BaseType::Unsigned32
            | BaseType::Gauge32
            | BaseType::Counter32
            | BaseType::TimeTicks => Self::Integer,
            BaseType::IpAddress if syntax.type_name.as_deref() == Some("NetworkAddress") => {
                Self::NetworkAddress
            }
            BaseType::IpAddress => Self::IpAddress,
            BaseType::OctetString | BaseType::Bits | BaseType::Opaque => {
                // Net-SNMP checks IMPLIED before the size, and so do we.
                match (implied, fixed_size(syntax)) {
                    (false, Some(size)) => Self::FixedString(size),
                    _ => Self::String { implied },
                }
            }
            BaseType::ObjectIdentifier => Self::ObjectIdentifier { implied },
            _ => return None,
        })
    }
}

/// One decoded index value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IndexValue {
    /// An integer-valued index.
    Integer(u32),
    /// An OCTET STRING index, fixed or variable.
    String(Vec<u8>),
    /// An OBJECT IDENTIFIER index, as arcs (possibly fewer than two).
    ObjectIdentifier(Vec<u32>),
    /// An IpAddress or NetworkAddress index.
    IpAddress(Ipv4Addr),
}

/// One element of a row's INDEX, with its encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IndexField {
    /// The index object's name, as the INDEX clause writes it.
    pub name: String,
    /// The index object's node, when it resolves.
    pub node: Option<NodeId>,
    /// How its value is encoded; `None` when the object is unknown or its syntax cannot
    /// index.
    pub encoding: Option<IndexEncoding>,
}

/// The INDEX of a table row, ready to decode and encode instance suffixes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RowIndex {
    /// The row (the entry) whose INDEX this is; for a row that AUGMENTS another, the row
    /// that carries the INDEX.
    pub row: NodeId,
    /// The INDEX elements, in order.
    pub fields: Vec<IndexField>,
}

impl RowIndex {
    /// Decodes a whole instance suffix (the arcs after a column's OID) into one value per
    /// INDEX element. Arcs left over after the last element are an error.
    pub fn decode(&self, arcs: &[u32]) -> Result<Vec<IndexValue>, IndexError> {
        let mut values = Vec::with_capacity(self.fields.len());
        let mut rest = arcs;
        for position in 0..self.fields.len() {
            let (value, used) = self.decode_field(position, rest)?;
            values.push(value);
            rest = rest.get(used..).unwrap_or_default();
        }
        if !rest.is_empty() {
            return Err(IndexError::Trailing { count: rest.len() });
        }
        Ok(values)
    }

    /// Decodes the element at `position` from the start of `arcs`; returns the value and
    /// the number of arcs it took.
    pub fn decode_field(
        &self,
        position: usize,
        arcs: &[u32],
    ) -> Result<(IndexValue, usize), IndexError> {
        let field = self.field(position)?;
        let encoding = field.encoding.ok_or_else(|| IndexError::UnknownSyntax {
            position,
            name: field.name.clone(),
        })?;
        decode_one(encoding, arcs).map_err(|kind| kind.at(position, &field.name))
    }

    /// Encodes one value per INDEX element into the instance suffix.
    pub fn encode(&self, values: &[IndexValue]) -> Result<Vec<u32>, IndexError> {
        if values.len() != self.fields.len() {
            return Err(IndexError::ValueCount {
                expected: self.fields.len(),
                given: values.len(),
            });
        }
        let mut arcs = Vec::new();
        for (position, value) in values.iter().enumerate() {
            self.encode_field(position, value, &mut arcs)?;
        }
        Ok(arcs)
    }

    /// Encodes one value as the element at `position`, appending its arcs to `arcs`.
    pub fn encode_field(
        &self,
        position: usize,
        value: &IndexValue,
        arcs: &mut Vec<u32>,
    ) -> Result<(), IndexError> {
        let field = self.field(position)?;
        let encoding = field.encoding.ok_or_else(|| IndexError::UnknownSyntax {
            position,
            name: field.name.clone(),
        })?;
        encode_one(encoding, value, arcs).map_err(|kind| kind.at(position, &field.name))
    }

    fn field(&self, position: usize) -> Result<&IndexField, IndexError> {
        self.fields.get(position).ok_or(IndexError::ValueCount {
            expected: self.fields.len(),
            given: position + 1,
        })
    }
}

/// An instance suffix that does not decode, or values that do not encode, for a row's
/// INDEX. Positions count INDEX elements from 0.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// The node is not in a table row, or the row has no INDEX (nor AUGMENTS).
    #[error("{0} is not a table column or row with an INDEX")]
    NoIndex(String),
    /// The index object is unknown, or its syntax cannot index a table.
    #[error("index {position} ({name}) has no usable syntax")]
    UnknownSyntax {
        /// Position in the INDEX.
        position: usize,
        /// The index object.
        name: String,
    },
    /// The suffix ends before this element is complete.
    #[error("the instance ends inside index {position} ({name})")]
    Truncated {
        /// Position in the INDEX.
        position: usize,
        /// The index object.
        name: String,
    },
    /// A sub-identifier of an OCTET STRING or IpAddress index is above 255.
    #[error("sub-identifier {value} of index {position} ({name}) is not an octet")]
    NotAnOctet {
        /// Position in the INDEX.
        position: usize,
        /// The index object.
        name: String,
        /// The offending sub-identifier.
        value: u32,
    },
    /// A NetworkAddress index whose kind is not 1 (internet).
    #[error("index {position} ({name}) is a NetworkAddress of unknown kind {kind}")]
    AddressKind {
        /// Position in the INDEX.
        position: usize,
        /// The index object.
        name: String,
        /// The kind sub-identifier.
        kind: u32,
    },
    /// Sub-identifiers remain after the last INDEX element.
    #[error("{count} sub-identifiers follow the last index")]
    Trailing {
        /// How many.
        count: usize,
    },
    /// Encoding: not one value per INDEX element.
    #[error("{given} index values given for an INDEX of {expected}")]
    ValueCount {
        /// Elements in the INDEX.
        expected: usize,
        /// Values given.
        given: usize,
    },
    /// Encoding: the value's kind does not match the index object's syntax, a
    /// fixed-size string has the wrong size, or a length does not fit a sub-identifier.
    #[error("the value of index {position} ({name}) does not fit its syntax")]
    ValueMismatch {
        /// Position in the INDEX.
        position: usize,
        /// The index object.
        name: String,
    },
}

impl MibSet {
    /// The INDEX that instances of `node` carry: `node` is a column, or a row; a row that
    /// AUGMENTS another takes that row's INDEX (RFC 2578 §7.8).
    pub fn row_index(&self, node: NodeId) -> Result<RowIndex, IndexError> {
        let no_index = || {
            IndexError::NoIndex(
                self.node(node)
                    .map_or_else(|| format!("{node:?}"), |n| n.qualified_name()),
            )
        };
        let start = self.node(node).ok_or_else(no_index)?;
        let mut row = match start.kind() {
            NodeKind::Row => start,
            NodeKind::Column => start.parent().ok_or_else(no_index)?,
            _ => return Err(no_index()),
        };
        // AUGMENTS chains are short; the bound stops a cycle in a broken module.
        for _ in 0..MAX_AUGMENTS {
            let object = row.object().ok_or_else(no_index)?;
            if !object.index.is_empty() {
                let fields = object
                    .index
                    .iter()
                    .map(|part| IndexField {
                        name: part.name.clone(),
                        node: part.node,
                        encoding: part
                            .node
                            .and_then(|n| self.node(n))
                            .and_then(|n| n.object())
                            .and_then(|o| o.syntax.as_ref())
                            .and_then(|s| IndexEncoding::of(s, part.implied)),
                    })
                    .collect();
                return Ok(RowIndex {
                    row: row.id(),
                    fields,
                });
            }
            let target = object.augments.ok_or_else(no_index)?;
            row = self.node(target).ok_or_else(no_index)?;
        }
        Err(no_index())
    }
}

/// A decoding or encoding failure before the field is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldError {
    Truncated,
    NotAnOctet(u32),
    AddressKind(u32),
    Mismatch,
}

impl FieldError {
    fn at(self, position: usize, name: &str) -> IndexError {
        let name = name.to_owned();
        match self {
            Self::Truncated => IndexError::Truncated { position, name },
            Self::NotAnOctet(value) => IndexError::NotAnOctet {
                position,
                name,
                value,
            },
            Self::AddressKind(kind) => IndexError::AddressKind {
                position,
                name,
                kind,
            },
            Self::Mismatch => IndexError::ValueMismatch { position, name },
        }
    }
}

/// Decodes one value of `encoding` from the start of `arcs`: the value and the arcs taken.
fn decode_one(encoding: IndexEncoding, arcs: &[u32]) -> Result<(IndexValue, usize), FieldError> {
    match encoding {
        IndexEncoding::Integer => {
            let &value = arcs.first().ok_or(FieldError::Truncated)?;
            Ok((IndexValue::Integer(value), 1))
        }
        IndexEncoding::IpAddress => Ok((IndexValue::IpAddress(address(arcs)?), 4)),
        IndexEncoding::NetworkAddress => {
            let &kind = arcs.first().ok_or(FieldError::Truncated)?;
            if kind != 1 {
                return Err(FieldError::AddressKind(kind));
            }
            let rest = arcs.get(1..).unwrap_or_default();
            Ok((IndexValue::IpAddress(address(rest)?), 5))
        }
        IndexEncoding::FixedString(size) => {
            let octets = arcs.get(..size).ok_or(FieldError::Truncated)?;
            Ok((IndexValue::String(to_octets(octets)?), size))
        }
        IndexEncoding::String { implied } => {
            let (contents, used) = counted(arcs, implied)?;
            Ok((IndexValue::String(to_octets(contents)?), used))
        }
        IndexEncoding::ObjectIdentifier { implied } => {
            let (contents, used) = counted(arcs, implied)?;
            Ok((IndexValue::ObjectIdentifier(contents.to_vec()), used))
        }
    }
}

/// The contents of a length-prefixed (or, IMPLIED, all remaining) element, and the arcs
/// it takes.
fn counted(arcs: &[u32], implied: bool) -> Result<(&[u32], usize), FieldError> {
    if implied {
        return Ok((arcs, arcs.len()));
    }
    let (&length, rest) = arcs.split_first().ok_or(FieldError::Truncated)?;
    let length = usize::try_from(length).map_err(|_| FieldError::Truncated)?;
    let contents = rest.get(..length).ok_or(FieldError::Truncated)?;
    Ok((contents, length + 1))
}

fn address(arcs: &[u32]) -> Result<Ipv4Addr, FieldError> {
    let octets = arcs.get(..4).ok_or(FieldError::Truncated)?;
    let octets = to_octets(octets)?;
    let octets: [u8; 4] = octets.try_into().map_err(|_| FieldError::Truncated)?;
    Ok(Ipv4Addr::from(octets))
}

fn to_octets(arcs: &[u32]) -> Result<Vec<u8>, FieldError> {
    arcs.iter()
        .map(|&arc| u8::try_from(arc).map_err(|_| FieldError::NotAnOctet(arc)))
        .collect()
}

fn encode_one(
    encoding: IndexEncoding,
    value: &IndexValue,
    arcs: &mut Vec<u32>,
) -> Result<(), FieldError> {
    match (encoding, value) {
        (IndexEncoding::Integer, IndexValue::Integer(v)) => arcs.push(*v),
        (IndexEncoding::IpAddress, IndexValue::IpAddress(a)) => {
            arcs.extend(a.octets().iter().map(|&o| u32::from(o)));
        }
        (IndexEncoding::NetworkAddress, IndexValue::IpAddress(a)) => {
            arcs.push(1);
            arcs.extend(a.octets().iter().map(|&o| u32::from(o)));
        }
        (IndexEncoding::FixedString(size), IndexValue::String(s)) => {
            if s.len() != size {
                return Err(FieldError::Mismatch);
            }
            arcs.extend(s.iter().map(|&o| u32::from(o)));
        }
        (IndexEncoding::String { implied }, IndexValue::String(s)) => {
            if !implied {
                arcs.push(u32::try_from(s.len()).map_err(|_| FieldError::Mismatch)?);
            }
            arcs.extend(s.iter().map(|&o| u32::from(o)));
        }
        (IndexEncoding::ObjectIdentifier { implied }, IndexValue::ObjectIdentifier(o)) => {
            if !implied {
                arcs.push(u32::try_from(o.len()).map_err(|_| FieldError::Mismatch)?);
            }
            arcs.extend_from_slice(o);
        }
        _ => return Err(FieldError::Mismatch),
    }
    Ok(())
}

/// The size of a string type whose SIZE allows exactly one value.
pub(crate) fn fixed_size(syntax: &Syntax) -> Option<usize> {
    match syntax.sizes.as_slice() {
        [range] if range.low == range.high => usize::try_from(range.low).ok(),
        _ => None,
    }
}

/// How many AUGMENTS links are followed before giving up.
const MAX_AUGMENTS: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::ast::Range;

    fn field(name: &str, encoding: IndexEncoding) -> IndexField {
        IndexField {
            name: name.to_owned(),
            node: None,
            encoding: Some(encoding),
        }
    }

    fn index(encodings: &[IndexEncoding]) -> RowIndex {
        RowIndex {
            row: NodeId::ROOT,
            fields: encodings
                .iter()
                .enumerate()
                .map(|(i, &e)| field(&format!("i{i}"), e))
                .collect(),
        }
    }

    #[test]
    fn integers_take_one_arc_each() {
        let row = index(&[IndexEncoding::Integer, IndexEncoding::Integer]);
        assert_eq!(
            row.decode(&[3, 4_294_967_295]),
            Ok(vec![
                IndexValue::Integer(3),
                IndexValue::Integer(4_294_967_295)
            ])
        );
        assert_eq!(row.encode(&row.decode(&[3, 7]).unwrap()), Ok(vec![3, 7]));
        assert!(matches!(
            row.decode(&[3]),
            Err(IndexError::Truncated { position: 1, .. })
        ));
        assert_eq!(
            row.decode(&[3, 4, 5, 6]),
            Err(IndexError::Trailing { count: 2 })
        );
    }

    #[test]
    fn variable_strings_carry_a_length_unless_implied() {
        // vacmSecurityToGroupEntry: INDEX { vacmSecurityModel, vacmSecurityName }.
        let row = index(&[
            IndexEncoding::Integer,
            IndexEncoding::String { implied: false },
        ]);
        let arcs = [3, 6, 112, 117, 98, 108, 105, 99];
        let values = vec![
            IndexValue::Integer(3),
            IndexValue::String(b"public".to_vec()),
        ];
        assert_eq!(row.decode(&arcs), Ok(values.clone()));
        assert_eq!(row.encode(&values), Ok(arcs.to_vec()));
        assert_eq!(
            row.decode(&[3, 0]),
            Ok(vec![IndexValue::Integer(3), IndexValue::String(Vec::new())])
        );
        assert!(matches!(
            row.decode(&[3, 7, 112, 117]),
            Err(IndexError::Truncated { position: 1, .. })
        ));
        assert!(matches!(
            row.decode(&[3, 2, 300, 1]),
            Err(IndexError::NotAnOctet {
                position: 1,
                value: 300,
                ..
            })
        ));
        // A length of 2^32 - 1 must not overflow anything.
        assert!(matches!(
            row.decode(&[3, u32::MAX]),
            Err(IndexError::Truncated { .. })
        ));

        // snmpTargetAddrEntry: INDEX { IMPLIED snmpTargetAddrName }.
        let implied = index(&[IndexEncoding::String { implied: true }]);
        assert_eq!(
            implied.decode(&[102, 111, 111]),
            Ok(vec![IndexValue::String(b"foo".to_vec())])
        );
        assert_eq!(
            implied.decode(&[]),
            Ok(vec![IndexValue::String(Vec::new())])
        );
        assert_eq!(
            implied.encode(&[IndexValue::String(b"foo".to_vec())]),
            Ok(vec![102, 111, 111])
        );
    }

    #[test]
    fn fixed_strings_addresses_and_oids() {
        let row = index(&[
            IndexEncoding::FixedString(6),
            IndexEncoding::IpAddress,
            IndexEncoding::ObjectIdentifier { implied: false },
            IndexEncoding::ObjectIdentifier { implied: true },
        ]);
        let arcs = [
            0, 17, 34, 51, 68, 85, 127, 0, 0, 1, 3, 1, 3, 6, 1, 3, 6, 1, 2,
        ];
        let values = vec![
            IndexValue::String(vec![0, 17, 34, 51, 68, 85]),
            IndexValue::IpAddress(Ipv4Addr::new(127, 0, 0, 1)),
            IndexValue::ObjectIdentifier(vec![1, 3, 6]),
            IndexValue::ObjectIdentifier(vec![1, 3, 6, 1, 2]),
        ];
        assert_eq!(row.decode(&arcs), Ok(values.clone()));
        assert_eq!(row.encode(&values), Ok(arcs.to_vec()));
        assert!(matches!(
            row.decode(&arcs[..8]),
            Err(IndexError::Truncated { position: 1, .. })
        ));
        let mut wrong = values.clone();
        wrong[0] = IndexValue::String(vec![1, 2]);
        assert!(matches!(
            row.encode(&wrong),
            Err(IndexError::ValueMismatch { position: 0, .. })
        ));
        wrong[0] = IndexValue::Integer(1);
        assert!(matches!(
            row.encode(&wrong),
            Err(IndexError::ValueMismatch { position: 0, .. })
        ));
        assert_eq!(
            row.encode(&values[..1]),
            Err(IndexError::ValueCount {
                expected: 4,
                given: 1
            })
        );
    }

    #[test]
    fn network_addresses_carry_their_kind() {
        let row = index(&[IndexEncoding::NetworkAddress]);
        let value = IndexValue::IpAddress(Ipv4Addr::new(10, 0, 0, 1));
        assert_eq!(row.decode(&[1, 10, 0, 0, 1]), Ok(vec![value.clone()]));
        assert_eq!(row.encode(&[value]), Ok(vec![1, 10, 0, 0, 1]));
        assert!(matches!(
            row.decode(&[2, 10, 0, 0, 1]),
            Err(IndexError::AddressKind { kind: 2, .. })
        ));
    }

    #[test]
    fn an_unknown_index_object_is_an_error_not_a_guess() {
        let row = RowIndex {
            row: NodeId::ROOT,
            fields: vec![IndexField {
                name: "missing".into(),
                node: None,
                encoding: None,
            }],
        };
        assert!(matches!(
            row.decode(&[1]),
            Err(IndexError::UnknownSyntax { position: 0, .. })
        ));
    }

    #[test]
    fn encodings_follow_the_syntax() {
        let mut syntax = Syntax::base(BaseType::OctetString);
        assert_eq!(
            IndexEncoding::of(&syntax, false),
            Some(IndexEncoding::String { implied: false })
        );
        syntax.sizes = vec![Range { low: 6, high: 6 }];
        assert_eq!(
            IndexEncoding::of(&syntax, false),
            Some(IndexEncoding::FixedString(6))
        );
        assert_eq!(
            IndexEncoding::of(&syntax, true),
            Some(IndexEncoding::String { implied: true })
        );
        syntax.sizes = vec![Range { low: 0, high: 6 }];
        assert_eq!(
            IndexEncoding::of(&syntax, false),
            Some(IndexEncoding::String { implied: false })
        );
        let mut address = Syntax::base(BaseType::IpAddress);
        assert_eq!(
            IndexEncoding::of(&address, false),
            Some(IndexEncoding::IpAddress)
        );
        address.type_name = Some("NetworkAddress".into());
        assert_eq!(
            IndexEncoding::of(&address, false),
            Some(IndexEncoding::NetworkAddress)
        );
        assert_eq!(
            IndexEncoding::of(&Syntax::base(BaseType::Counter64), false),
            None
        );
    }
}
