//! `corpus/problems/`: each deliberately broken module loads, with the diagnostics its
//! defect deserves (kind and line), and keeps the meaning that can be kept.

use std::collections::BTreeMap;

use vigie_mib::{BaseType, DefVal, DiagnosticKind as K, Loader, MibSet, NodeKind, Range};

use crate::shared_mibs;

fn problems(test: &str) -> Option<MibSet> {
    let root = shared_mibs(test)?;
    let mut loader = Loader::new();
    loader.add_search_path(root.join("corpus/problems"));
    loader.add_search_path(root.join("netsnmp"));
    loader.load_all().expect("problems directory is readable");
    Some(loader.build())
}

#[test]
fn each_problem_module_gets_the_diagnostics_it_deserves() {
    let Some(mib) = problems("each_problem_module_gets_the_diagnostics_it_deserves") else {
        return;
    };
    let expected: BTreeMap<&str, Vec<(K, u32)>> = BTreeMap::from([
        (
            "PROBLEM-ACCESS-MIB",
            vec![
                (K::ScalarReadCreate, 32),
                (K::ScalarReadCreate, 40),
                (K::WriteOnly, 52),
            ],
        ),
        (
            "PROBLEM-DEFVAL-MIB",
            vec![(K::DefvalMismatch, 60), (K::DefvalMismatch, 71)],
        ),
        (
            "PROBLEM-DIAGNOSTICS-MIB",
            vec![
                (K::UnknownType, 29),
                (K::UnknownObject, 56),
                (K::UnknownObject, 80),
            ],
        ),
        (
            "PROBLEM-FORWARDING-MIB",
            vec![(K::ImportForwarded, 11), (K::ImportForwarded, 11)],
        ),
        ("PROBLEM-FORWARDING-RELAY-MIB", vec![]),
        ("PROBLEM-FORWARDING-SOURCE-MIB", vec![]),
        (
            "PROBLEM-HEXSTRINGS-MIB",
            vec![
                (K::OddHexString, 31),
                (K::OddHexString, 41),
                (K::OddHexString, 51),
            ],
        ),
        (
            "PROBLEM-IMPORTS-ALIAS-MIB",
            vec![(K::ModuleAlias, 10), (K::ModuleAlias, 12)],
        ),
        (
            "PROBLEM-IMPORTS-MIB",
            vec![
                (K::ImplicitImport, 40),
                (K::ImplicitImport, 48),
                (K::ImplicitImport, 56),
                (K::ImplicitImport, 64),
                (K::ImplicitImport, 73),
                (K::ImplicitImport, 82),
            ],
        ),
        ("PROBLEM-INDEX-MIB", vec![(K::IndexBareType, 41)]),
        ("PROBLEM-KEYWORDS-MIB", vec![]),
        (
            "PROBLEM-NAMING-MIB",
            vec![
                (K::NameCase, 30),
                (K::NameCase, 37),
                (K::NameCase, 42),
                (K::NameCase, 47),
            ],
        ),
        (
            "PROBLEM-NOTIFICATIONS-MIB",
            vec![
                (K::NotAccessibleReference, 80),
                (K::UnknownObject, 92),
                (K::NotAccessibleReference, 109),
            ],
        ),
        (
            "PROBLEM-REVISIONS-MIB",
            vec![
                (K::ModuleIdentityNotFirst, 19),
                (K::LastUpdatedWithoutRevision, 20),
                (K::RevisionOrder, 31),
            ],
        ),
        (
            "PROBLEM-SEMANTICS-MIB",
            vec![(K::NotAccessibleReference, 131)],
        ),
        ("PROBLEM-SHADOWING-BASE-MIB", vec![]),
        ("PROBLEM-SHADOWING-MIB", vec![(K::ImportShadowed, 34)]),
        (
            "PROBLEM-SMIv1v2-MIX-MIB",
            vec![
                (K::Smiv1InSmiv2, 32),
                (K::Smiv1InSmiv2, 33),
                (K::Smiv1InSmiv2, 43),
                (K::Smiv1InSmiv2, 44),
                (K::Smiv1InSmiv2, 53),
                (K::Smiv1InSmiv2, 54),
                (K::Smiv1InSmiv2, 72),
                (K::Smiv1InSmiv2, 92),
                (K::Smiv1InSmiv2, 93),
                (K::Smiv1InSmiv2, 94),
                (K::Smiv1InSmiv2, 99),
                (K::Smiv1InSmiv2, 100),
                (K::Smiv1InSmiv2, 101),
            ],
        ),
        ("PROBLEM-TYPECHAINS-MIB", vec![]),
    ]);
    for (module, want) in &expected {
        let mut got: Vec<(K, u32)> = mib
            .diagnostics()
            .iter()
            .filter(|d| d.module == *module)
            .map(|d| (d.kind, d.line))
            .collect();
        got.sort_by_key(|&(kind, line)| (line, kind.code()));
        let mut want = want.clone();
        want.sort_by_key(|&(kind, line)| (line, kind.code()));
        assert_eq!(got, want, "{module}");
    }
    let loaded: Vec<&str> = mib
        .module_names()
        .filter(|m| m.starts_with("PROBLEM-"))
        .collect();
    assert_eq!(loaded.len(), expected.len(), "{loaded:?}");
    for d in mib
        .diagnostics()
        .iter()
        .filter(|d| d.module.starts_with("PROBLEM-"))
    {
        assert!(d.column >= 1, "{d}");
        assert_eq!(d.severity, d.kind.severity());
    }
}

#[test]
fn broken_modules_keep_their_meaning() {
    let Some(mib) = problems("broken_modules_keep_their_meaning") else {
        return;
    };
    let node = |name: &str| mib.find(name).unwrap_or_else(|| panic!("{name}"));
    let syntax = |name: &str| {
        node(name)
            .object()
            .and_then(|o| o.syntax.clone())
            .unwrap_or_else(|| panic!("{name} has a syntax"))
    };
    let enterprise = |suffix: &[u32]| {
        let mut arcs = vec![1, 3, 6, 1, 4, 1, 99998];
        arcs.extend_from_slice(suffix);
        arcs
    };

    // Shadowing: the local TEXTUAL-CONVENTION wins over the imported one.
    let shadowed = syntax("PROBLEM-SHADOWING-MIB::problemShadowedTypeObject");
    assert_eq!(shadowed.hint.as_deref(), Some("1024a"));
    assert_eq!(shadowed.sizes, [Range { low: 0, high: 128 }]);
    let base = syntax("PROBLEM-SHADOWING-BASE-MIB::problemBaseTypedObject");
    assert_eq!(base.hint.as_deref(), Some("255a"));

    // Type chains: hints, sizes and enumerations inherited through TCs.
    let three = syntax("problemThreeLevelChain");
    assert_eq!(
        (
            three.base,
            three.textual_convention.as_deref(),
            three.hint.as_deref()
        ),
        (BaseType::OctetString, Some("MyLabel"), Some("255a"))
    );
    assert_eq!(three.sizes, [Range { low: 0, high: 32 }]);
    let chain = syntax("problemEnumChain");
    let labels: Vec<&str> = chain.enums.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(labels, ["active", "inactive", "unknown"]);
    let counter = syntax("problemAppTypeChain");
    assert_eq!(
        (counter.base, counter.type_name.as_deref()),
        (BaseType::Counter32, Some("MyCounter"))
    );
    let gauge = syntax("problemInheritedHint");
    assert_eq!(
        (gauge.base, gauge.hint.as_deref()),
        (BaseType::Gauge32, Some("d-2"))
    );
    assert_eq!(
        syntax("problemInheritedSize").sizes,
        [Range { low: 1, high: 100 }]
    );

    // Forwarded imports resolve through the relay module.
    let forwarded = syntax("problemForwardedTypeObject");
    assert_eq!(
        forwarded.textual_convention.as_deref(),
        Some("ForwardedType")
    );
    assert_eq!(forwarded.sizes, [Range { low: 0, high: 128 }]);
    assert_eq!(
        node("problemForwardedOidObject").arcs(),
        enterprise(&[20, 1, 10])
    );

    // Aliased modules and missing imports still give the standard types.
    assert_eq!(syntax("problemAliasString").hint.as_deref(), Some("255a"));
    assert_eq!(syntax("problemAliasInteger").base, BaseType::Integer32);
    assert_eq!(syntax("problemMissingCounter64").base, BaseType::Counter64);
    let truth = syntax("problemMissingTruthValue");
    assert_eq!(truth.enum_label(1), Some("true"));

    // Unknown references lose only themselves.
    assert!(
        node("problemUnknownType")
            .object()
            .unwrap()
            .syntax
            .is_none()
    );
    assert_eq!(syntax("problemValidType").base, BaseType::Integer32);
    let entry = node("problemDiagEntry").object().unwrap();
    assert_eq!(entry.index.len(), 2);
    assert!(entry.index[0].node.is_some());
    assert!(entry.index[1].node.is_none());
    let bare = node("problemBareTypeEntry").object().unwrap();
    assert_eq!(
        (bare.index[0].name.as_str(), bare.index[0].node),
        ("INTEGER", None)
    );

    // Table structure and AUGMENTS.
    assert_eq!(node("problemSemTable").kind(), NodeKind::Table);
    assert_eq!(node("problemSemEntry").kind(), NodeKind::Row);
    assert_eq!(node("problemSemName").kind(), NodeKind::Column);
    assert_eq!(node("problemScalar1").kind(), NodeKind::Scalar);
    assert_eq!(
        node("problemAugEntry").object().unwrap().augments,
        Some(node("problemSemEntry").id())
    );

    // Keywords as enumeration labels in DEFVAL.
    for (object, label) in [
        ("problemDefvalMandatory", "mandatory"),
        ("problemDefvalFalse", "false"),
    ] {
        assert_eq!(
            node(object).object().unwrap().defval,
            Some(DefVal::Name(label.into()))
        );
    }

    // Upper-case and hyphenated names are kept and resolvable.
    assert_eq!(
        node("PROBLEM-NAMING-MIB::S6730-H28Y4C").arcs(),
        enterprise(&[7, 2, 2])
    );
    assert_eq!(node("NetEngine-A800").kind(), NodeKind::ObjectIdentity);

    // SMIv1 in SMIv2: the trap goes to enterprise.0.number, Counter is Counter32.
    let trap = node("problemV1Trap");
    assert_eq!(trap.kind(), NodeKind::Trap);
    assert_eq!(trap.arcs(), enterprise(&[1, 0, 1]));
    assert_eq!(syntax("problemCounterObject").base, BaseType::Counter32);
    assert_eq!(syntax("problemGaugeObject").base, BaseType::Gauge32);

    // Definitions before MODULE-IDENTITY still anchor it.
    assert_eq!(
        node("problemRevTestObject").arcs(),
        enterprise(&[11, 1, 1, 1])
    );

    // Odd hex DEFVALs are kept as written.
    assert_eq!(
        node("problemOddHex3").object().unwrap().defval,
        Some(DefVal::Hex("FFF".into()))
    );
}
