use proptest::prelude::*;

use super::*;
use crate::community::CommunityTable;

use ContextMatch::{Exact, Prefix};
use SecurityLevel::{AuthNoPriv, AuthPriv, NoAuthNoPriv};
use SecurityModel::{Any, Usm, V1, V2c};

fn oid(s: &str) -> Oid {
    s.parse().unwrap()
}

fn subtree(s: &str) -> ViewSubtree {
    s.parse().unwrap()
}

fn family(s: &str, mask: &str, kind: FamilyType) -> ViewFamily {
    let mask = if mask.is_empty() {
        ViewMask::EXACT
    } else {
        mask.parse().unwrap()
    };
    ViewFamily::new(subtree(s), mask, kind)
}

/// A VACM where `comm1` (v2c) and `alice` (usm) are in group `g`, and every view `vN` is
/// the subtree `1.3.6.1.N`: which view an access entry selected shows in which OID passes.
fn with_group() -> Vacm {
    let mut vacm = Vacm::new();
    vacm.add_group("g", V2c, "comm1").unwrap();
    vacm.add_group("g", Usm, "alice").unwrap();
    vacm.add_context("ctxA").unwrap();
    vacm.add_context("ctxB").unwrap();
    vacm.add_context("other").unwrap();
    for n in 1..=9 {
        vacm.add_view(
            format!("v{n}"),
            ViewFamily::included(oid(&format!("1.3.6.1.{n}"))),
        )
        .unwrap();
    }
    vacm
}

/// The number N of the read view `vN` selected for this request, found through the OIDs
/// the view lets through.
fn selected(
    vacm: &Vacm,
    model: SecurityModel,
    name: &[u8],
    level: SecurityLevel,
    context: &[u8],
) -> Result<u32, AccessError> {
    let view = vacm.view(model, name, level, ViewType::Read, context)?;
    (1..=9)
        .find(|n| view.contains(&oid(&format!("1.3.6.1.{n}.0"))))
        .ok_or(AccessError::NotInView)
}

fn entry(model: SecurityModel, level: SecurityLevel, view: u32) -> AccessEntry {
    AccessEntry::new("g", model, level).with_read_view(format!("v{view}"))
}

#[test]
fn each_outcome_of_is_access_allowed() {
    let mut vacm = with_group();
    vacm.add_access(
        AccessEntry::new("g", V2c, NoAuthNoPriv)
            .with_read_view("v2")
            .with_write_view("undefined"),
    )
    .unwrap();
    let inside = oid("1.3.6.1.2.1.1.5.0");
    let outside = oid("1.3.6.1.4.1.8072");
    let check = |model, name: &[u8], view_type, context: &[u8], oid: &Oid| {
        vacm.is_access_allowed(model, name, NoAuthNoPriv, view_type, context, oid)
    };
    assert_eq!(check(V2c, b"comm1", ViewType::Read, b"", &inside), Ok(()));
    assert_eq!(
        check(V2c, b"comm1", ViewType::Read, b"", &outside),
        Err(AccessError::NotInView)
    );
    assert_eq!(
        check(V2c, b"comm1", ViewType::Read, b"nowhere", &inside),
        Err(AccessError::NoSuchContext)
    );
    // The same name under another model is another principal.
    assert_eq!(
        check(V1, b"comm1", ViewType::Read, b"", &inside),
        Err(AccessError::NoGroupName)
    );
    assert_eq!(
        check(V2c, b"comm2", ViewType::Read, b"", &inside),
        Err(AccessError::NoGroupName)
    );
    // The entry is for the default context, exactly.
    assert_eq!(
        check(V2c, b"comm1", ViewType::Read, b"ctxA", &inside),
        Err(AccessError::NoAccessEntry)
    );
    // A write view that names no defined view, and a notify view that is not set.
    assert_eq!(
        check(V2c, b"comm1", ViewType::Write, b"", &inside),
        Err(AccessError::NoSuchView)
    );
    assert_eq!(
        check(V2c, b"comm1", ViewType::Notify, b"", &inside),
        Err(AccessError::NoSuchView)
    );
    // Context is checked before the group: an unknown principal in an unknown context.
    assert_eq!(
        check(V1, b"nobody", ViewType::Read, b"nowhere", &inside),
        Err(AccessError::NoSuchContext)
    );
}

#[test]
fn a_specific_model_beats_any() {
    let mut vacm = with_group();
    vacm.add_access(entry(Any, NoAuthNoPriv, 1)).unwrap();
    vacm.add_access(entry(V2c, NoAuthNoPriv, 2)).unwrap();
    assert_eq!(selected(&vacm, V2c, b"comm1", NoAuthNoPriv, b""), Ok(2));
    assert_eq!(selected(&vacm, Usm, b"alice", AuthPriv, b""), Ok(1));
    // Even over a better level or a longer context prefix.
    vacm.add_access(entry(Any, AuthPriv, 3)).unwrap();
    vacm.add_access(entry(Any, NoAuthNoPriv, 4).with_context("ctxA", Exact))
        .unwrap();
    vacm.add_access(entry(V2c, NoAuthNoPriv, 5).with_context("ct", Prefix))
        .unwrap();
    assert_eq!(selected(&vacm, V2c, b"comm1", AuthPriv, b""), Ok(2));
    assert_eq!(selected(&vacm, V2c, b"comm1", NoAuthNoPriv, b"ctxA"), Ok(5));
    assert_eq!(selected(&vacm, Usm, b"alice", AuthPriv, b""), Ok(3));
    assert_eq!(selected(&vacm, Usm, b"alice", AuthPriv, b"ctxA"), Ok(4));
}

#[test]
fn an_exact_context_beats_a_prefix_and_a_longer_prefix_a_shorter() {
    let mut vacm = with_group();
    vacm.add_access(entry(V2c, NoAuthNoPriv, 1).with_context("", Prefix))
        .unwrap();
    vacm.add_access(entry(V2c, NoAuthNoPriv, 2).with_context("ct", Prefix))
        .unwrap();
    vacm.add_access(entry(V2c, NoAuthNoPriv, 3).with_context("ctx", Prefix))
        .unwrap();
    vacm.add_access(entry(V2c, NoAuthNoPriv, 4).with_context("ctxA", Exact))
        .unwrap();
    let at = |context: &[u8]| selected(&vacm, V2c, b"comm1", NoAuthNoPriv, context);
    assert_eq!(at(b"ctxA"), Ok(4));
    assert_eq!(at(b"ctxB"), Ok(3));
    assert_eq!(at(b"other"), Ok(1));
    assert_eq!(at(b""), Ok(1));
    // An exact entry never matches a longer context name.
    vacm.add_context("ctxAB").unwrap();
    assert_eq!(
        selected(&vacm, V2c, b"comm1", NoAuthNoPriv, b"ctxAB"),
        Ok(3)
    );
    // A context beats a level.
    vacm.add_access(entry(V2c, AuthPriv, 5).with_context("", Prefix))
        .unwrap();
    assert_eq!(selected(&vacm, V2c, b"comm1", AuthPriv, b"ctxA"), Ok(4));
}

#[test]
fn the_highest_level_not_above_the_request_wins() {
    let mut vacm = with_group();
    vacm.add_access(entry(Usm, AuthNoPriv, 2)).unwrap();
    vacm.add_access(entry(Usm, AuthPriv, 3)).unwrap();
    let at = |level| selected(&vacm, Usm, b"alice", level, b"");
    assert_eq!(at(AuthPriv), Ok(3));
    assert_eq!(at(AuthNoPriv), Ok(2));
    assert_eq!(at(NoAuthNoPriv), Err(AccessError::NoAccessEntry));
    vacm.add_access(entry(Usm, NoAuthNoPriv, 1)).unwrap();
    assert_eq!(selected(&vacm, Usm, b"alice", NoAuthNoPriv, b""), Ok(1));
}

#[test]
fn an_entry_with_the_same_index_is_replaced() {
    let mut vacm = with_group();
    vacm.add_access(entry(V2c, NoAuthNoPriv, 1)).unwrap();
    vacm.add_access(entry(V2c, NoAuthNoPriv, 2).with_context("", Exact))
        .unwrap();
    assert_eq!(vacm.access_entries().count(), 1);
    assert_eq!(selected(&vacm, V2c, b"comm1", NoAuthNoPriv, b""), Ok(2));
    // contextMatch is not part of the index: a prefix row replaces the exact one.
    vacm.add_access(entry(V2c, NoAuthNoPriv, 3).with_context("", Prefix))
        .unwrap();
    assert_eq!(vacm.access_entries().count(), 1);
    assert_eq!(selected(&vacm, V2c, b"comm1", NoAuthNoPriv, b"ctxA"), Ok(3));
    let removed = vacm.remove_access(b"g", b"", V2c, NoAuthNoPriv).unwrap();
    assert_eq!(removed.context_match(), Prefix);
    assert_eq!(
        selected(&vacm, V2c, b"comm1", NoAuthNoPriv, b""),
        Err(AccessError::NoAccessEntry)
    );
}

#[test]
fn group_and_context_tables() {
    let mut vacm = Vacm::new();
    assert!(vacm.has_context(b""));
    assert_eq!(
        vacm.add_group("g", Any, "x"),
        Err(ConfigError::AnyModelInGroup)
    );
    assert_eq!(
        vacm.add_group("", V1, "x"),
        Err(ConfigError::NameLength(NameField::GroupName))
    );
    assert_eq!(
        vacm.add_group("g", V1, "x".repeat(33)),
        Err(ConfigError::NameLength(NameField::SecurityName))
    );
    vacm.add_group("g", V1, "x".repeat(32)).unwrap();
    vacm.add_group("h", V1, "x".repeat(32)).unwrap();
    assert_eq!(
        vacm.group(V1, "x".repeat(32).as_bytes())
            .map(AdminString::as_bytes),
        Some(&b"h"[..])
    );
    assert_eq!(vacm.groups().count(), 1);
    assert_eq!(
        vacm.add_context("c".repeat(33)),
        Err(ConfigError::ContextTooLong)
    );
    assert!(vacm.remove_context(b""));
    assert!(!vacm.has_context(b""));
    assert_eq!(
        vacm.add_access(AccessEntry::new("g", V1, NoAuthNoPriv).with_read_view("v".repeat(33))),
        Err(ConfigError::NameLength(NameField::ViewName))
    );
    assert_eq!(
        vacm.add_view("", ViewFamily::included(oid("1.3"))),
        Err(ConfigError::NameLength(NameField::ViewName))
    );
}

#[test]
fn the_most_specific_family_decides() {
    let mut view = View::new();
    view.insert(ViewFamily::included(oid("1.3.6.1.2.1")));
    view.insert(ViewFamily::excluded(oid("1.3.6.1.2.1.1.9")));
    view.insert(ViewFamily::included(oid("1.3.6.1.2.1.1.9.1.2.3")));
    assert!(view.contains(&oid("1.3.6.1.2.1")));
    assert!(view.contains(&oid("1.3.6.1.2.1.1.5.0")));
    assert!(!view.contains(&oid("1.3.6.1.2.1.1.9")));
    assert!(!view.contains(&oid("1.3.6.1.2.1.1.9.1.2.1")));
    assert!(view.contains(&oid("1.3.6.1.2.1.1.9.1.2.3")));
    assert!(view.contains(&oid("1.3.6.1.2.1.1.9.1.2.3.7")));
    assert!(!view.contains(&oid("1.3.6.1.2")));
    assert!(!view.contains(&oid("1.3.6.1.4.1")));
    // Re-adding a subtree replaces its family.
    view.insert(ViewFamily::included(oid("1.3.6.1.2.1.1.9")));
    assert_eq!(view.families().len(), 3);
    assert!(view.contains(&oid("1.3.6.1.2.1.1.9.1.2.1")));
    assert!(view.remove(&subtree("1.3.6.1.2.1.1.9")).is_some());
    assert!(view.remove(&subtree("1.3.6.1.2.1.1.9")).is_none());
    assert_eq!(view.families().len(), 2);
}

#[test]
fn the_rfc_row_mask_selects_every_column_of_one_row() {
    // RFC 3415 §4's use of masks: all columns of ifTable's row 3, 1.3.6.1.2.1.2.2.1.*.3,
    // is subtree 1.3.6.1.2.1.2.2.1.1.3 with mask 0xff 0xa0 (sub-identifier 10 wild).
    let mut view = View::new();
    view.insert(family(
        "1.3.6.1.2.1.2.2.1.1.3",
        "ff:a0",
        FamilyType::Included,
    ));
    for column in [1, 2, 10, 22] {
        assert!(view.contains(&oid(&format!("1.3.6.1.2.1.2.2.1.{column}.3"))));
    }
    assert!(view.contains(&oid("1.3.6.1.2.1.2.2.1.7.3.99")));
    assert!(!view.contains(&oid("1.3.6.1.2.1.2.2.1.7.4")));
    assert!(!view.contains(&oid("1.3.6.1.2.1.2.2.1.7")));
    assert!(!view.contains(&oid("1.3.6.1.2.1.2.2.2.7.3")));
    // Net-SNMP's ifRow4 example, with a 0 where the wildcard is.
    let mut view = View::new();
    view.insert(family(
        "1.3.6.1.2.1.2.2.1.0.4",
        "0xff:a0",
        FamilyType::Included,
    ));
    assert!(view.contains(&oid("1.3.6.1.2.1.2.2.1.2.4")));
    assert!(!view.contains(&oid("1.3.6.1.2.1.2.2.1.2.3")));
}

#[test]
fn a_short_mask_is_extended_with_ones() {
    // 0xf0 wildcards sub-identifiers 5 to 8 only; 9 and beyond must match.
    let mut view = View::new();
    view.insert(family("1.3.6.1.2.1.1.1.1.1", "f0", FamilyType::Included));
    assert!(view.contains(&oid("1.3.6.1.9.9.9.9.1.1")));
    assert!(!view.contains(&oid("1.3.6.1.9.9.9.9.2.1")));
    assert!(!view.contains(&oid("1.3.6.2.1.1.1.1.1.1")));
    // A mask longer than the subtree: the extra bits are ignored.
    let mut view = View::new();
    view.insert(family("1.3.6", "ff:00", FamilyType::Included));
    assert!(view.contains(&oid("1.3.6.1")));
    assert!(!view.contains(&oid("1.3.7")));
    // An all-zero mask wildcards every sub-identifier of the subtree, not more.
    let mut view = View::new();
    view.insert(family("1.3.6", "00", FamilyType::Included));
    assert!(view.contains(&oid("2.9.9")));
    assert!(!view.contains(&oid("2.9")));
}

#[test]
fn equal_lengths_go_to_the_lexicographically_greatest_subtree() {
    let target = oid("1.3.6.1.2.1.2.2.1.5.3");
    for (low, high, expected) in [
        (FamilyType::Included, FamilyType::Excluded, false),
        (FamilyType::Excluded, FamilyType::Included, true),
    ] {
        let mut view = View::new();
        view.insert(family("1.3.6.1.2.1.2.2.1.2.3", "ff:a0", high));
        view.insert(family("1.3.6.1.2.1.2.2.1.1.3", "ff:a0", low));
        assert_eq!(view.contains(&target), expected);
    }
}

#[test]
fn masks_parse_as_net_snmp_writes_them() {
    let mask: ViewMask = "0xff:a0".parse().unwrap();
    assert_eq!(mask.octets(), [0xff, 0xa0]);
    assert_eq!(mask.to_string(), "ff:a0");
    assert_eq!("FF.A0".parse::<ViewMask>().unwrap(), mask);
    assert_eq!("0xf0".parse::<ViewMask>().unwrap().octets(), [0xf0]);
    assert!(!mask.is_wildcard(8));
    assert!(mask.is_wildcard(9));
    assert!(!mask.is_wildcard(10));
    assert!(mask.is_wildcard(11));
    assert!(!mask.is_wildcard(16));
    for bad in ["", "ffa0", "0x", "fg", "ff::a0", "0x100"] {
        assert_eq!(
            bad.parse::<ViewMask>(),
            Err(ConfigError::InvalidMask),
            "{bad}"
        );
    }
    let seventeen = vec!["ff"; 17].join(":");
    assert_eq!(seventeen.parse::<ViewMask>(), Err(ConfigError::MaskTooLong));
    assert_eq!(ViewMask::new(&[0; 16]).unwrap().octets().len(), 16);
    assert_eq!(ViewMask::new(&[0; 17]), Err(ConfigError::MaskTooLong));
}

#[test]
fn subtrees_accept_single_arcs() {
    assert_eq!(subtree(".1").arcs(), [1]);
    assert_eq!(subtree("1.3.6").to_string(), ".1.3.6");
    for bad in ["", ".", "1..3", "1.x", "1.4294967296"] {
        assert_eq!(
            bad.parse::<ViewSubtree>(),
            Err(ConfigError::InvalidSubtree),
            "{bad}"
        );
    }
    assert_eq!(
        ViewSubtree::new(&[1; 129]),
        Err(ConfigError::InvalidSubtree)
    );
    let mut view = View::new();
    view.insert(ViewFamily::included(subtree(".1")));
    assert!(view.contains(&oid("1.3")));
    assert!(!view.contains(&oid("2.3")));
    assert_eq!("included".parse(), Ok(FamilyType::Included));
    assert_eq!("excluded".parse(), Ok(FamilyType::Excluded));
    assert_eq!(
        "include".parse::<FamilyType>(),
        Err(ConfigError::InvalidFamilyType)
    );
}

#[test]
fn subtree_checks_let_walks_skip_excluded_parts() {
    let mut view = View::new();
    view.insert(ViewFamily::included(oid("1.3.6.1.2.1")));
    view.insert(ViewFamily::excluded(oid("1.3.6.1.2.1.1.9")));
    view.insert(family(
        "1.3.6.1.2.1.2.2.1.1.3",
        "ff:a0",
        FamilyType::Excluded,
    ));
    let check = |s: &str| view.check_subtree(&oid(s));
    assert_eq!(check("1.3.6.1.2.1.4"), SubtreeView::Included);
    assert_eq!(check("1.3.6.1.2.1.1.9"), SubtreeView::Excluded);
    assert_eq!(check("1.3.6.1.2.1.1.9.1.2"), SubtreeView::Excluded);
    assert_eq!(check("1.3.6.1.2.1.1"), SubtreeView::Mixed);
    assert_eq!(check("1.3.6.1"), SubtreeView::Mixed);
    assert_eq!(check("1.3.6.1.4"), SubtreeView::Excluded);
    assert_eq!(check("1.3.6.1.2.1.2.2.1"), SubtreeView::Mixed);
    assert_eq!(check("1.3.6.1.2.1.2.2.1.5"), SubtreeView::Mixed);
    assert_eq!(check("1.3.6.1.2.1.2.2.1.5.3"), SubtreeView::Excluded);
    assert_eq!(check("1.3.6.1.2.1.2.2.1.5.4"), SubtreeView::Included);
    assert!(view.may_contain_under(&oid("1.3.6")));
    assert!(!view.may_contain_under(&oid("1.3.6.1.4.1")));
    assert_eq!(
        View::new().check_subtree(&oid("1.3")),
        SubtreeView::Excluded
    );
}

#[test]
fn shorthand_names_rows_as_snmpd_does() {
    let mut vacm = Vacm::new();
    let mut communities = CommunityTable::new();
    let mut shorthand = Shorthand::new();
    let sec = shorthand
        .community(
            &mut vacm,
            &mut communities,
            Permission::ReadOnly,
            "public",
            Some("127.0.0.1".parse().unwrap()),
            ViewScope::Subtree(subtree(".1.3.6.1.2.1.1")),
            None,
        )
        .unwrap();
    assert_eq!(sec.as_bytes(), b"comm1");
    let group = shorthand
        .user(
            &mut vacm,
            Permission::ReadWrite,
            Usm,
            "bob.smith-2",
            AuthPriv,
            ViewScope::Subtree(subtree(".1.3.6.1.2.1.2")),
            Some(b"ctx*"),
        )
        .unwrap();
    assert_eq!(group.as_bytes(), b"grpbob_smith_2");
    let long = "u".repeat(32);
    let group = shorthand
        .user(
            &mut vacm,
            Permission::ReadOnly,
            Usm,
            &long,
            AuthNoPriv,
            ViewScope::All,
            None,
        )
        .unwrap();
    assert_eq!(group.len(), 31);
    assert!(vacm.view_named(b"viewComm1").is_some());
    assert!(vacm.view_named(b"viewUSM2").is_some());
    assert_eq!(
        vacm.view_named(b"_all_").map(|v| v.families().len()),
        Some(3)
    );
    let bob = vacm
        .select_access(b"grpbob_smith_2", Usm, AuthPriv, b"ctxZ")
        .unwrap();
    assert_eq!(bob.context_prefix().as_bytes(), b"ctx");
    assert_eq!(bob.context_match(), Prefix);
    assert_eq!(
        bob.view(ViewType::Write).map(AdminString::as_bytes),
        Some(&b"viewUSM2"[..])
    );
    assert_eq!(
        bob.view(ViewType::Notify).map(AdminString::as_bytes),
        Some(&b"viewUSM2"[..])
    );
    assert!(
        vacm.select_access(b"grpbob_smith_2", Usm, AuthNoPriv, b"ctxZ")
            .is_none()
    );
    let public = vacm
        .select_access(b"grpcomm1", V1, NoAuthNoPriv, b"any")
        .unwrap();
    assert_eq!(public.view(ViewType::Write), None);
    // A user name that is not a valid table name fails without leaving rows behind.
    let too_long = "u".repeat(33);
    assert!(
        shorthand
            .user(
                &mut vacm,
                Permission::ReadOnly,
                Usm,
                &too_long,
                AuthNoPriv,
                ViewScope::All,
                None
            )
            .is_err()
    );
    assert_eq!(vacm.groups().count(), 4);
}

fn arcs() -> impl Strategy<Value = Vec<u32>> {
    // A tiny alphabet makes families overlap often.
    prop::collection::vec(0u32..3, 0..6)
}

fn families() -> impl Strategy<Value = Vec<(Vec<u32>, u8, bool)>> {
    prop::collection::vec((arcs(), any::<u8>(), any::<bool>()), 0..6)
}

fn build(families: &[(Vec<u32>, u8, bool)]) -> View {
    let mut view = View::new();
    for (arcs, mask, included) in families {
        let kind = if *included {
            FamilyType::Included
        } else {
            FamilyType::Excluded
        };
        // An all-ones mask half the time, so that plain subtrees are well covered.
        let mask = if mask % 2 == 0 {
            ViewMask::EXACT
        } else {
            ViewMask::new(&[*mask]).unwrap()
        };
        view.insert(ViewFamily::new(ViewSubtree::new(arcs).unwrap(), mask, kind));
    }
    view
}

/// The RFC's rule, written plainly: among the matching families, the longest subtree, then
/// the lexicographically greatest, decides.
fn reference(view: &View, x: &[u32]) -> bool {
    view.families()
        .iter()
        .filter(|family| family.matches(x))
        .max_by(|a, b| {
            (a.subtree().len(), a.subtree().arcs()).cmp(&(b.subtree().len(), b.subtree().arcs()))
        })
        .is_some_and(|family| family.kind() == FamilyType::Included)
}

proptest! {
    #[test]
    fn contains_follows_the_rfc_rule(families in families(), x in arcs()) {
        let view = build(&families);
        prop_assert_eq!(view.contains_arcs(&x), reference(&view, &x));
    }

    #[test]
    fn subtree_verdicts_hold_for_every_oid_under(
        families in families(),
        prefix in prop::collection::vec(0u32..3, 2..4),
        suffixes in prop::collection::vec(prop::collection::vec(0u32..3, 0..4), 1..20),
    ) {
        let view = build(&families);
        let verdict = view.check_subtree(&Oid::new(&prefix).unwrap());
        for suffix in suffixes {
            let mut x = prefix.clone();
            x.extend(suffix);
            match verdict {
                SubtreeView::Included => prop_assert!(view.contains_arcs(&x)),
                SubtreeView::Excluded => prop_assert!(!view.contains_arcs(&x)),
                SubtreeView::Mixed => {}
            }
        }
    }
}
