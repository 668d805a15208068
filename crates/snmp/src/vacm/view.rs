//! MIB views: families of view subtrees with their masks (RFC 3415 §4, `vacmViewTreeFamilyTable`).

use core::cmp::Reverse;
use core::fmt;
use core::str::FromStr;

use smallvec::SmallVec;

use crate::oid::{MAX_ARCS, Oid};
use crate::vacm::ConfigError;

/// A MIB view: every family of one `vacmViewTreeFamilyViewName` (RFC 3415 §4).
///
/// An OID is in the view when the most specific family that matches it is included: the one
/// with the most sub-identifiers, then the lexicographically greatest subtree. No matching
/// family means not in view. Families are kept most specific first, so a check is one pass
/// that stops at the first match, and never allocates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct View {
    families: Vec<ViewFamily>,
}

impl View {
    /// A view with no family, which contains nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a family, replacing the one with the same subtree: the table is indexed by
    /// (view name, subtree), so a view has one family per subtree.
    pub fn insert(&mut self, family: ViewFamily) {
        match self.position(&family.subtree) {
            Ok(at) => {
                if let Some(slot) = self.families.get_mut(at) {
                    *slot = family;
                }
            }
            Err(at) => self.families.insert(at, family),
        }
    }

    /// Removes the family with this subtree.
    pub fn remove(&mut self, subtree: &ViewSubtree) -> Option<ViewFamily> {
        let at = self.position(subtree).ok()?;
        Some(self.families.remove(at))
    }

    /// The families, most specific first (the order in which they are tried).
    pub fn families(&self) -> &[ViewFamily] {
        &self.families
    }

    /// True when the view has no family (and so contains nothing).
    pub fn is_empty(&self) -> bool {
        self.families.is_empty()
    }

    /// True when `oid` is in this view (RFC 3415 §4, `vacmViewTreeFamilyTable`).
    pub fn contains(&self, oid: &Oid) -> bool {
        self.contains_arcs(oid.arcs())
    }

    /// [`contains`](Self::contains) for bare arcs.
    pub fn contains_arcs(&self, arcs: &[u32]) -> bool {
        self.families
            .iter()
            .find(|family| family.matches(arcs))
            .is_some_and(|family| family.kind == FamilyType::Included)
    }

    /// Whether `prefix` and every OID under it are in this view, none of them is, or some
    /// are and some are not.
    ///
    /// A GETNEXT or GETBULK walk skips a whole MIB subtree when this says `Excluded`, and
    /// stops checking each OID under it when it says `Included`. `Mixed` is conservative: it
    /// can be returned for a subtree whose OIDs all happen to share one verdict, never the
    /// other way round.
    pub fn check_subtree(&self, prefix: &Oid) -> SubtreeView {
        let prefix = prefix.arcs();
        let mut longer_included = false;
        let mut longer_excluded = false;
        let mut covering = None;
        for family in &self.families {
            if family.subtree.len() > prefix.len() {
                // A longer family decides only for the OIDs under it, when it can match any.
                if family.matches_start(prefix) {
                    match family.kind {
                        FamilyType::Included => longer_included = true,
                        FamilyType::Excluded => longer_excluded = true,
                    }
                }
            } else if family.matches(prefix) {
                // The first family no longer than the prefix that matches it matches every
                // OID under it, and is the most specific such one (families are sorted).
                covering = Some(family.kind);
                break;
            }
        }
        match covering.unwrap_or(FamilyType::Excluded) {
            FamilyType::Included if longer_excluded => SubtreeView::Mixed,
            FamilyType::Excluded if longer_included => SubtreeView::Mixed,
            FamilyType::Included => SubtreeView::Included,
            FamilyType::Excluded => SubtreeView::Excluded,
        }
    }

    /// True unless nothing under `prefix` (or `prefix` itself) is in view.
    pub fn may_contain_under(&self, prefix: &Oid) -> bool {
        self.check_subtree(prefix) != SubtreeView::Excluded
    }

    /// Where a family with this subtree is or would go in the specificity order.
    fn position(&self, subtree: &ViewSubtree) -> Result<usize, usize> {
        self.families
            .binary_search_by(|family| family.sort_key().cmp(&subtree.sort_key()))
    }
}

/// What [`View::check_subtree`] found for a whole subtree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubtreeView {
    /// The subtree's root and every OID under it are in view.
    Included,
    /// Nothing in the subtree is in view.
    Excluded,
    /// Some OIDs are in view, some are not: check each.
    Mixed,
}

/// One family of view subtrees: a subtree, a mask and whether it is included (RFC 3415 §4,
/// `vacmViewTreeFamilyEntry`).
#[derive(Clone, PartialEq, Eq)]
pub struct ViewFamily {
    subtree: ViewSubtree,
    mask: ViewMask,
    kind: FamilyType,
    /// Bit `i` set: sub-identifier `i` of the subtree is a wildcard (mask bit 0).
    wildcards: u128,
}

impl ViewFamily {
    /// A family of `subtree` under `mask`.
    pub fn new(subtree: ViewSubtree, mask: ViewMask, kind: FamilyType) -> Self {
        let wildcards = (0..subtree.len())
            .filter(|&i| mask.is_wildcard(i))
            .fold(0u128, |bits, i| bits | 1 << i);
        Self {
            subtree,
            mask,
            kind,
            wildcards,
        }
    }

    /// An included subtree without wildcards, as Net-SNMP's `view NAME included OID`.
    pub fn included(subtree: impl Into<ViewSubtree>) -> Self {
        Self::new(subtree.into(), ViewMask::EXACT, FamilyType::Included)
    }

    /// An excluded subtree without wildcards, as Net-SNMP's `view NAME excluded OID`.
    pub fn excluded(subtree: impl Into<ViewSubtree>) -> Self {
        Self::new(subtree.into(), ViewMask::EXACT, FamilyType::Excluded)
    }

    /// `vacmViewTreeFamilySubtree`.
    pub fn subtree(&self) -> &ViewSubtree {
        &self.subtree
    }

    /// `vacmViewTreeFamilyMask`.
    pub fn mask(&self) -> &ViewMask {
        &self.mask
    }

    /// `vacmViewTreeFamilyType`.
    pub fn kind(&self) -> FamilyType {
        self.kind
    }

    /// True when `arcs` is in this family: at least as long as the subtree, and equal to it
    /// at every sub-identifier the mask does not wildcard.
    pub fn matches(&self, arcs: &[u32]) -> bool {
        let subtree = self.subtree.arcs();
        if arcs.len() < subtree.len() {
            return false;
        }
        if self.wildcards == 0 {
            return arcs.starts_with(subtree);
        }
        self.agrees(subtree, arcs)
    }

    /// True when some OID starting with `prefix` (shorter than the subtree) is in this
    /// family: the prefix agrees with the subtree's first arcs.
    fn matches_start(&self, prefix: &[u32]) -> bool {
        let start = self.subtree.arcs().get(..prefix.len()).unwrap_or_default();
        start.len() == prefix.len() && self.agrees(start, prefix)
    }

    /// Compares `subtree` (a start of this family's subtree) with the start of `arcs`.
    fn agrees(&self, subtree: &[u32], arcs: &[u32]) -> bool {
        subtree
            .iter()
            .zip(arcs)
            .enumerate()
            .all(|(i, (s, x))| s == x || (i < 128 && self.wildcards & (1 << i) != 0))
    }

    fn sort_key(&self) -> (Reverse<usize>, Reverse<&[u32]>) {
        self.subtree.sort_key()
    }
}

impl fmt::Debug for ViewFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} {} {}", self.kind, self.subtree, self.mask)
    }
}

/// `vacmViewTreeFamilyType` (RFC 3415 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum FamilyType {
    /// included(1)
    Included = 1,
    /// excluded(2)
    Excluded = 2,
}

impl FromStr for FamilyType {
    type Err = ConfigError;

    /// Net-SNMP's `included` or `excluded`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "included" => Ok(Self::Included),
            "excluded" => Ok(Self::Excluded),
            _ => Err(ConfigError::InvalidFamilyType),
        }
    }
}

/// A view family's subtree: an OID value of 0 to 128 sub-identifiers.
///
/// Unlike [`Oid`] it may have fewer than two arcs: Net-SNMP's `view all included .1` is the
/// commonest view there is, and its `_all_` view is `.0`, `.1` and `.2`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ViewSubtree {
    arcs: SmallVec<[u32; 16]>,
}

impl ViewSubtree {
    /// A subtree of these arcs; at most 128 of them.
    pub fn new(arcs: &[u32]) -> Result<Self, ConfigError> {
        if arcs.len() > MAX_ARCS {
            return Err(ConfigError::InvalidSubtree);
        }
        Ok(Self {
            arcs: SmallVec::from_slice(arcs),
        })
    }

    /// The arcs.
    pub fn arcs(&self) -> &[u32] {
        &self.arcs
    }

    /// Number of arcs.
    pub fn len(&self) -> usize {
        self.arcs.len()
    }

    /// True for the empty subtree, which contains every OID.
    pub fn is_empty(&self) -> bool {
        self.arcs.is_empty()
    }

    /// Most sub-identifiers first, then the lexicographically greatest (RFC 3415 §4).
    fn sort_key(&self) -> (Reverse<usize>, Reverse<&[u32]>) {
        (Reverse(self.arcs.len()), Reverse(self.arcs.as_slice()))
    }
}

impl From<&Oid> for ViewSubtree {
    fn from(oid: &Oid) -> Self {
        Self {
            arcs: SmallVec::from_slice(oid.arcs()),
        }
    }
}

impl From<Oid> for ViewSubtree {
    fn from(oid: Oid) -> Self {
        Self::from(&oid)
    }
}

impl FromStr for ViewSubtree {
    type Err = ConfigError;

    /// Dotted decimal with or without the leading dot, at least one arc: `.1`, `1.3.6.1.2.1`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let body = s.strip_prefix('.').unwrap_or(s);
        let mut arcs = SmallVec::<[u32; 16]>::new();
        for part in body.split('.') {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ConfigError::InvalidSubtree);
            }
            let arc = part.parse().map_err(|_| ConfigError::InvalidSubtree)?;
            arcs.push(arc);
        }
        Self::new(&arcs)
    }
}

impl fmt::Display for ViewSubtree {
    /// Net-SNMP's form, with a leading dot: `.1.3.6.1.2.1.1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for arc in &self.arcs {
            write!(f, ".{arc}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ViewSubtree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ViewSubtree({self})")
    }
}

/// `vacmViewTreeFamilyMask` (RFC 3415 §4): one bit per sub-identifier of the subtree, the
/// most significant bit of the first octet for the first one; 1 means must match, 0 is a
/// wildcard. A mask shorter than the subtree is extended with 1s, so the empty mask
/// wildcards nothing.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ViewMask {
    octets: [u8; MAX_MASK_OCTETS],
    len: u8,
}

impl ViewMask {
    /// The empty mask: every sub-identifier must match.
    pub const EXACT: Self = Self {
        octets: [0; MAX_MASK_OCTETS],
        len: 0,
    };

    /// A mask of these octets; at most 16 of them (RFC 3415 §4, `SIZE (0..16)`).
    pub fn new(octets: &[u8]) -> Result<Self, ConfigError> {
        let mut mask = Self::EXACT;
        let Some(slot) = mask.octets.get_mut(..octets.len()) else {
            return Err(ConfigError::MaskTooLong);
        };
        slot.copy_from_slice(octets);
        mask.len = u8::try_from(octets.len()).map_err(|_| ConfigError::MaskTooLong)?;
        Ok(mask)
    }

    /// The octets, as `vacmViewTreeFamilyMask` holds them.
    pub fn octets(&self) -> &[u8] {
        self.octets.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// True when sub-identifier `index` (from 0) is a wildcard.
    pub fn is_wildcard(&self, index: usize) -> bool {
        self.octets()
            .get(index / 8)
            .is_some_and(|octet| octet & (0x80 >> (index % 8)) == 0)
    }
}

impl FromStr for ViewMask {
    type Err = ConfigError;

    /// Net-SNMP's `view` mask syntax: hex octets separated by `.` or `:`, each with an
    /// optional `0x`, such as `0xff:a0` or `ff.a0`. An octet over `ff` is rejected (Net-SNMP
    /// silently keeps its low 8 bits).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut octets = SmallVec::<[u8; MAX_MASK_OCTETS]>::new();
        for part in s.split(['.', ':']) {
            let digits = part
                .strip_prefix("0x")
                .or_else(|| part.strip_prefix("0X"))
                .unwrap_or(part);
            if digits.is_empty() || digits.len() > 2 {
                return Err(ConfigError::InvalidMask);
            }
            let octet = u8::from_str_radix(digits, 16).map_err(|_| ConfigError::InvalidMask)?;
            octets.push(octet);
        }
        Self::new(&octets)
    }
}

impl fmt::Display for ViewMask {
    /// Net-SNMP's form, `ff:a0`; empty for the exact mask.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, octet) in self.octets().iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{octet:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ViewMask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ViewMask({self})")
    }
}

/// Maximum length of a view mask (RFC 3415 §4): 16 octets, one bit for each of 128 arcs.
pub const MAX_MASK_OCTETS: usize = 16;
