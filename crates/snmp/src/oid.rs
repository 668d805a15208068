//! Object identifiers (X.690 §8.19, with SNMP's limits from RFC 2578 §3.5).

use core::fmt;
use core::str::FromStr;

use smallvec::SmallVec;

use crate::ber::oid_arcs as ber_oid_arcs;

/// An OBJECT IDENTIFIER: at least two arcs, at most 128, each at most 2^32-1.
///
/// Ordering is lexicographic over the arcs, which is the order GETNEXT walks the MIB in.
/// Most OIDs an agent serves have fewer than 16 arcs and live inline, without allocating.
#[derive(PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Oid {
    arcs: SmallVec<[u32; INLINE_ARCS]>,
}

/// The concatenation of `parts`, built in an inline array when it fits: `SmallVec`'s
/// `extend_from_slice` goes through its general insertion path, which costs more than the
/// copy for OIDs this short.
fn joined(parts: &[&[u32]]) -> SmallVec<[u32; INLINE_ARCS]> {
    let total: usize = parts.iter().map(|part| part.len()).sum();
    if total > INLINE_ARCS {
        return parts.iter().flat_map(|part| part.iter().copied()).collect();
    }
    let mut buf = [0; INLINE_ARCS];
    let mut at = 0;
    for part in parts {
        if let Some(slot) = buf.get_mut(at..at + part.len()) {
            slot.copy_from_slice(part);
        }
        at += part.len();
    }
    SmallVec::from_buf_and_len(buf, total)
}

/// A copy of the arcs as one block: `SmallVec`'s own `Clone` pushes them one by one, and an
/// agent clones OIDs for every varbind it answers.
impl Clone for Oid {
    fn clone(&self) -> Self {
        Self {
            arcs: SmallVec::from_slice(&self.arcs),
        }
    }

    fn clone_from(&mut self, source: &Self) {
        self.arcs.clear();
        self.arcs.extend_from_slice(&source.arcs);
    }
}

impl Oid {
    /// Builds an OID from its arcs, checking SNMP's limits (RFC 2578 §3.5) and the first two
    /// arcs' rule (X.690 §8.19.4: the first is 0, 1 or 2; under 0 and 1 the second is < 40).
    pub fn new(arcs: &[u32]) -> Result<Self, OidError> {
        let [first, second, ..] = *arcs else {
            return Err(OidError::TooFewArcs);
        };
        if arcs.len() > MAX_ARCS {
            return Err(OidError::TooManyArcs);
        }
        if first > 2 || (first < 2 && second >= 40) {
            return Err(OidError::InvalidFirstArcs);
        }
        Ok(Self {
            arcs: SmallVec::from_slice(arcs),
        })
    }

    /// The arcs, from the root.
    pub fn arcs(&self) -> &[u32] {
        &self.arcs
    }

    /// Number of arcs.
    pub fn len(&self) -> usize {
        self.arcs.len()
    }

    /// Always false: an OID has at least two arcs. Present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.arcs.is_empty()
    }

    /// True when `prefix` is this OID or one of its ancestors.
    pub fn starts_with(&self, prefix: &Self) -> bool {
        self.arcs.starts_with(&prefix.arcs)
    }

    /// This OID with `arc` appended; fails past 128 arcs.
    pub fn child(&self, arc: u32) -> Result<Self, OidError> {
        self.extended(&[arc])
    }

    /// This OID with `suffix` appended (an instance index, say); fails past 128 arcs.
    pub fn extended(&self, suffix: &[u32]) -> Result<Self, OidError> {
        if self.arcs.len() + suffix.len() > MAX_ARCS {
            return Err(OidError::TooManyArcs);
        }
        Ok(Self {
            arcs: joined(&[&self.arcs, suffix]),
        })
    }

    /// This OID with `arc` and then `suffix` appended (a table's `entry.column.index`);
    /// fails past 128 arcs.
    pub fn descendant(&self, arc: u32, suffix: &[u32]) -> Result<Self, OidError> {
        if self.arcs.len() + 1 + suffix.len() > MAX_ARCS {
            return Err(OidError::TooManyArcs);
        }
        Ok(Self {
            arcs: joined(&[&self.arcs, &[arc], suffix]),
        })
    }

    /// The arcs after `prefix`, when `prefix` is an ancestor (or the OID itself).
    pub fn suffix(&self, prefix: &Self) -> Option<&[u32]> {
        self.arcs.strip_prefix(prefix.arcs.as_slice())
    }

    /// `0.0`, zeroDotZero: the conventional "no OID" (RFC 2578 §2).
    pub(crate) fn zero_dot_zero() -> Self {
        Self {
            arcs: SmallVec::from_buf_and_len([0; INLINE_ARCS], 2),
        }
    }

    /// Decodes OBJECT IDENTIFIER contents (X.690 §8.19); on failure, the index in
    /// `contents` of the offending subidentifier. Empty contents are read as `0.0`, as
    /// Net-SNMP's `asn_parse_objid` does (see [`crate::ber::Reader::oid`]).
    #[inline]
    pub(crate) fn from_ber(contents: &[u8]) -> Result<Self, usize> {
        // Each octet ends at most one subidentifier and the first holds two arcs, so
        // contents shorter than INLINE_ARCS fit the inline array: decode straight into it.
        if contents.len() < INLINE_ARCS {
            if contents.is_empty() {
                return Ok(Self::zero_dot_zero());
            }
            let mut buf = [0u32; INLINE_ARCS];
            let count = ber_oid_arcs(contents, &mut buf)?;
            return Ok(Self {
                arcs: SmallVec::from_buf_and_len(buf, count),
            });
        }
        let mut buf = [0u32; MAX_ARCS];
        let count = ber_oid_arcs(contents, &mut buf)?;
        Ok(Self {
            arcs: SmallVec::from_slice(buf.get(..count).unwrap_or_default()),
        })
    }
}

impl FromStr for Oid {
    type Err = OidError;

    /// Parses dotted decimal, with or without the leading dot: `1.3.6.1` or `.1.3.6.1`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let body = s.strip_prefix('.').unwrap_or(s);
        if body.is_empty() {
            return Err(OidError::TooFewArcs);
        }
        let mut arcs = SmallVec::<[u32; INLINE_ARCS]>::new();
        for part in body.split('.') {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(OidError::InvalidArc);
            }
            let arc = part.parse::<u32>().map_err(|_| OidError::ArcTooLarge)?;
            if arcs.len() == MAX_ARCS {
                return Err(OidError::TooManyArcs);
            }
            arcs.push(arc);
        }
        Self::new(&arcs)
    }
}

impl fmt::Display for Oid {
    /// Dotted decimal without a leading dot: `1.3.6.1.2.1.1.1.0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Every stored event and every logged varbind prints OIDs: digits without the
        // formatting machinery's padding logic.
        let mut digits = itoa::Buffer::new();
        let mut first = true;
        for &arc in &self.arcs {
            if !first {
                f.write_str(".")?;
            }
            first = false;
            f.write_str(digits.format(arc))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({self})")
    }
}

/// Why an OID was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OidError {
    /// Fewer than two arcs.
    #[error("an OID needs at least two arcs")]
    TooFewArcs,
    /// More than 128 arcs (RFC 2578 §3.5).
    #[error("an OID has at most 128 arcs")]
    TooManyArcs,
    /// An arc that is empty or not a decimal number.
    #[error("an OID arc must be a decimal number")]
    InvalidArc,
    /// An arc above 2^32-1.
    #[error("an OID arc must be at most 4294967295")]
    ArcTooLarge,
    /// The first arc is over 2, or the second is 40 or more under 0 and 1.
    #[error("an OID starts with 0, 1 or 2, and under 0 or 1 the second arc is below 40")]
    InvalidFirstArcs,
}

/// Maximum number of arcs in an SNMP OID (RFC 2578 §3.5).
pub const MAX_ARCS: usize = 128;
pub(crate) const INLINE_ARCS: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_and_without_leading_dot() {
        let a: Oid = "1.3.6.1.2.1".parse().unwrap();
        let b: Oid = ".1.3.6.1.2.1".parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(a.arcs(), &[1, 3, 6, 1, 2, 1]);
        assert_eq!(a.to_string(), "1.3.6.1.2.1");
    }

    #[test]
    fn rejects_malformed_text() {
        assert_eq!("".parse::<Oid>(), Err(OidError::TooFewArcs));
        assert_eq!(".".parse::<Oid>(), Err(OidError::TooFewArcs));
        assert_eq!("1".parse::<Oid>(), Err(OidError::TooFewArcs));
        assert_eq!("1..3".parse::<Oid>(), Err(OidError::InvalidArc));
        assert_eq!("1.3.".parse::<Oid>(), Err(OidError::InvalidArc));
        assert_eq!("1.3.-6".parse::<Oid>(), Err(OidError::InvalidArc));
        assert_eq!("1.3.+6".parse::<Oid>(), Err(OidError::InvalidArc));
        assert_eq!("1.3.4294967296".parse::<Oid>(), Err(OidError::ArcTooLarge));
        assert_eq!("3.1".parse::<Oid>(), Err(OidError::InvalidFirstArcs));
        assert_eq!("1.40".parse::<Oid>(), Err(OidError::InvalidFirstArcs));
        assert!("2.999".parse::<Oid>().is_ok());
        assert!("1.3.4294967295".parse::<Oid>().is_ok());
    }

    #[test]
    fn enforces_128_arcs() {
        let ok = vec![1u32; MAX_ARCS];
        let oid = Oid::new(&ok).unwrap();
        assert_eq!(oid.child(1), Err(OidError::TooManyArcs));
        assert_eq!(
            Oid::new(&vec![1u32; MAX_ARCS + 1]),
            Err(OidError::TooManyArcs)
        );
        let text = vec!["1"; MAX_ARCS + 1].join(".");
        assert_eq!(text.parse::<Oid>(), Err(OidError::TooManyArcs));
    }

    #[test]
    fn orders_lexicographically() {
        let mut oids: Vec<Oid> = [
            "1.3.6.1.2.1.2",
            "1.3.6.1.2.1.1.9",
            "1.3.6.1.2.1.1",
            "1.3.6.1.2.1.10",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        oids.sort();
        let sorted: Vec<String> = oids.iter().map(Oid::to_string).collect();
        assert_eq!(
            sorted,
            [
                "1.3.6.1.2.1.1",
                "1.3.6.1.2.1.1.9",
                "1.3.6.1.2.1.2",
                "1.3.6.1.2.1.10"
            ]
        );
    }

    #[test]
    fn prefix_and_suffix() {
        let table: Oid = "1.3.6.1.2.1.2.2".parse().unwrap();
        let cell: Oid = "1.3.6.1.2.1.2.2.1.2.3".parse().unwrap();
        assert!(cell.starts_with(&table));
        assert!(!table.starts_with(&cell));
        assert_eq!(cell.suffix(&table), Some(&[1, 2, 3][..]));
        assert_eq!(table.extended(&[1, 2, 3]).unwrap(), cell);
    }

    #[test]
    fn builds_descendants_inline_and_past_the_inline_arcs() {
        let entry: Oid = "1.3.6.1.2.1.2.2.1".parse().unwrap();
        let cell = entry.descendant(2, &[3]).unwrap();
        assert_eq!(cell.to_string(), "1.3.6.1.2.1.2.2.1.2.3");
        assert_eq!(cell, entry.child(2).unwrap().extended(&[3]).unwrap());
        // Exactly the inline size, then one arc more (on the heap): the same arcs either way.
        let index: Vec<u32> = (1..=6).collect();
        let inline = entry.descendant(7, &index).unwrap();
        assert_eq!(inline.len(), INLINE_ARCS);
        let longer = entry
            .descendant(7, &[index.as_slice(), &[99]].concat())
            .unwrap();
        assert_eq!(longer.len(), INLINE_ARCS + 1);
        assert_eq!(longer.arcs().get(..INLINE_ARCS), Some(inline.arcs()));
        assert_eq!(longer.arcs().last(), Some(&99));
        assert!(inline < longer && longer.starts_with(&inline));
        let mut copy = cell.clone();
        copy.clone_from(&longer);
        assert_eq!(copy, longer);
        assert_eq!(cell.to_string(), "1.3.6.1.2.1.2.2.1.2.3");
        assert_eq!(longer.clone(), longer);
        let full = Oid::new(&[1; MAX_ARCS - 3]).unwrap();
        assert_eq!(full.descendant(1, &[2, 3]).unwrap().len(), MAX_ARCS);
        assert_eq!(full.descendant(1, &[2, 3, 4]), Err(OidError::TooManyArcs));
    }
}
