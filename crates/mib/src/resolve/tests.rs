use crate::diagnostic::{DiagnosticKind as K, Severity};
use crate::tree::{BaseType, MibSet, NodeKind};
use crate::{Loader, LookupError};

fn load(sources: &[&str]) -> MibSet {
    let mut loader = Loader::new();
    for source in sources {
        loader.load_source(source);
    }
    loader.build()
}

fn kinds(mib: &MibSet, module: &str) -> Vec<(K, u32)> {
    mib.diagnostics()
        .iter()
        .filter(|d| d.module == module)
        .map(|d| (d.kind, d.line))
        .collect()
}

const SMI: &str = r#"SNMPv2-SMI DEFINITIONS ::= BEGIN
org OBJECT IDENTIFIER ::= { iso 3 }
dod OBJECT IDENTIFIER ::= { org 6 }
internet OBJECT IDENTIFIER ::= { dod 1 }
private OBJECT IDENTIFIER ::= { internet 4 }
enterprises OBJECT IDENTIFIER ::= { private 1 }
Integer32 ::= INTEGER (-2147483648..2147483647)
Counter32 ::= [APPLICATION 1] IMPLICIT INTEGER (0..4294967295)
OBJECT-TYPE MACRO ::= BEGIN END
END"#;

const TC: &str = r#"SNMPv2-TC DEFINITIONS ::= BEGIN
IMPORTS Integer32 FROM SNMPv2-SMI;
DisplayString ::= TEXTUAL-CONVENTION
    DISPLAY-HINT "255a" STATUS current DESCRIPTION "d"
    SYNTAX OCTET STRING (SIZE (0..255))
TruthValue ::= TEXTUAL-CONVENTION STATUS current DESCRIPTION "t"
    SYNTAX INTEGER { true(1), false(2) }
END"#;

#[test]
fn forward_references_imports_and_type_chains() {
    let mib = load(&[
        SMI,
        TC,
        r#"ACME-MIB DEFINITIONS ::= BEGIN
IMPORTS OBJECT-TYPE, enterprises, Counter32 FROM SNMPv2-SMI
        DisplayString FROM SNMPv2-TC;
acmeName OBJECT-TYPE
    SYNTAX Label (SIZE (0..8)) MAX-ACCESS read-only STATUS current DESCRIPTION "n"
    ::= { acmeObjects 1 }
acmeObjects OBJECT IDENTIFIER ::= { acme 1 }
acme OBJECT IDENTIFIER ::= { enterprises 4242 }
Label ::= TEXTUAL-CONVENTION STATUS current DESCRIPTION "l" SYNTAX DisplayString
acmeCount OBJECT-TYPE
    SYNTAX Counter32 MAX-ACCESS read-only STATUS current DESCRIPTION "c"
    ::= { acmeObjects 2 }
END"#,
    ]);
    assert!(mib.diagnostics().is_empty(), "{:#?}", mib.diagnostics());
    let name = mib.find("ACME-MIB::acmeName").unwrap();
    assert_eq!(name.arcs(), [1, 3, 6, 1, 4, 1, 4242, 1, 1]);
    let syntax = name.object().unwrap().syntax.as_ref().unwrap();
    assert_eq!(syntax.base, BaseType::OctetString);
    assert_eq!(syntax.textual_convention.as_deref(), Some("Label"));
    assert_eq!(syntax.hint.as_deref(), Some("255a"));
    assert_eq!(syntax.sizes, [crate::Range { low: 0, high: 8 }]);
    let count = mib.find("acmeCount").unwrap().object().unwrap();
    assert_eq!(
        count.syntax.as_ref().map(|s| s.base),
        Some(BaseType::Counter32)
    );
    assert_eq!(
        count
            .syntax
            .as_ref()
            .and_then(|s| s.textual_convention.clone()),
        None
    );
    assert_eq!(mib.find("acme").unwrap().kind(), NodeKind::OidValue);
    assert_eq!(
        mib.find("SNMPv2-SMI::enterprises").unwrap().module(),
        Some("SNMPv2-SMI")
    );
}

#[test]
fn well_known_roots_without_imports_are_warnings() {
    let mib = load(&[r#"LAZY-MIB DEFINITIONS ::= BEGIN
lazy OBJECT IDENTIFIER ::= { enterprises 7 }
lazyToo OBJECT IDENTIFIER ::= { mib-2 99 }
lazyCount OBJECT-TYPE SYNTAX Counter64 ACCESS read-only STATUS mandatory ::= { lazy 1 }
root OBJECT IDENTIFIER ::= { iso 99 }
END"#]);
    assert_eq!(
        kinds(&mib, "LAZY-MIB"),
        [
            (K::ImplicitImport, 2),
            (K::ImplicitImport, 3),
            (K::ImplicitImport, 4)
        ]
    );
    assert_eq!(mib.find("lazy").unwrap().arcs(), [1, 3, 6, 1, 4, 1, 7]);
    assert_eq!(
        mib.name_of(&"1.3.6.1.4.1.7.1.0".parse().unwrap()),
        "LAZY-MIB::lazyCount.0"
    );
    assert_eq!(
        mib.name_of(&"1.3.6.1.4.1".parse().unwrap()),
        "SNMPv2-SMI::enterprises"
    );
}

#[test]
fn unknown_names_cycles_and_missing_modules_are_errors() {
    let mib = load(&[r#"BAD-MIB DEFINITIONS ::= BEGIN
IMPORTS thing FROM NOWHERE-MIB;
a OBJECT IDENTIFIER ::= { b 1 }
b OBJECT IDENTIFIER ::= { a 1 }
c OBJECT IDENTIFIER ::= { nowhere 1 }
d OBJECT IDENTIFIER ::= { c 1 }
T ::= U
U ::= T
x OBJECT-TYPE SYNTAX T ACCESS read-only STATUS mandatory ::= { iso 5 }
self OBJECT IDENTIFIER ::= { self 2 }
ok OBJECT IDENTIFIER ::= { iso 6 }
ok OBJECT IDENTIFIER ::= { iso 7 }
END"#]);
    let got = kinds(&mib, "BAD-MIB");
    // The cycles are reported at the reference that closes them.
    assert_eq!(
        got,
        [
            (K::ModuleNotFound, 2),
            (K::CyclicDefinition, 4),
            (K::UnknownParent, 5),
            (K::CyclicDefinition, 7),
            (K::CyclicDefinition, 10),
            (K::DuplicateDefinition, 12),
        ]
    );
    assert!(mib.find("d").is_none(), "d hangs under an unknown parent");
    assert_eq!(mib.find("ok").unwrap().arcs(), [1, 6]);
    assert!(mib.find("x").unwrap().object().unwrap().syntax.is_none());
    assert!(
        mib.diagnostics()
            .iter()
            .all(|d| d.severity == d.kind.severity())
    );
    assert!(
        mib.diagnostics()
            .iter()
            .any(|d| d.severity == Severity::Error)
    );
}

#[test]
fn traps_and_notifications() {
    let mib = load(&[r#"TRAP-MIB DEFINITIONS ::= BEGIN
IMPORTS enterprises FROM RFC1155-SMI TRAP-TYPE FROM RFC-1215 OBJECT-TYPE FROM RFC-1212;
acme OBJECT IDENTIFIER ::= { enterprises 9 }
acmeValue OBJECT-TYPE SYNTAX INTEGER ACCESS read-only STATUS mandatory ::= { acme 1 }
acmeAlarm TRAP-TYPE ENTERPRISE acme VARIABLES { acmeValue, ghost } ::= 17
END"#]);
    assert_eq!(kinds(&mib, "TRAP-MIB"), [(K::UnknownObject, 5)]);
    let trap = mib.find("acmeAlarm").unwrap();
    assert_eq!(trap.kind(), NodeKind::Trap);
    assert_eq!(trap.arcs(), [1, 3, 6, 1, 4, 1, 9, 0, 17]);
}

#[test]
fn local_lookup_forms() {
    let mib = load(&[SMI]);
    assert_eq!(mib.resolve_arcs("iso.org.dod"), Ok(vec![1, 3, 6]));
    assert_eq!(mib.resolve_arcs(".iso.3.dod.1"), Ok(vec![1, 3, 6, 1]));
    assert_eq!(
        mib.resolve_arcs("SNMPv2-SMI::internet.4.1"),
        Ok(vec![1, 3, 6, 1, 4, 1])
    );
    assert_eq!(
        mib.resolve_arcs("internet.nothing"),
        Err(LookupError::InvalidArc("nothing".into()))
    );
    let unknown = mib.describe(&[7, 1]);
    assert!(unknown.is_none());
    assert_eq!(mib.name_of(&"2.5".parse().unwrap()), "joint-iso-ccitt.5");
    let deep = mib.describe(&[1, 3, 6, 1, 4, 1, 5, 6]).unwrap();
    assert_eq!(
        (deep.node.name(), deep.index.as_slice()),
        (Some("enterprises"), &[5, 6][..])
    );
}

#[test]
fn a_long_chain_of_definitions_does_not_overflow_the_stack() {
    // Each definition names the next one as its parent: resolution must not recurse.
    let count = 50_000;
    let mut source = String::from("CHAIN-MIB DEFINITIONS ::= BEGIN\n");
    for i in 0..count {
        source.push_str(&format!("n{i} OBJECT IDENTIFIER ::= {{ n{} 1 }}\n", i + 1));
    }
    source.push_str(&format!("n{count} OBJECT IDENTIFIER ::= {{ iso 9 }}\n"));
    for i in 0..count {
        source.push_str(&format!("T{i} ::= T{}\n", i + 1));
    }
    source.push_str(&format!("T{count} ::= INTEGER\nEND\n"));
    let mib = load(&[&source]);
    let first = mib.find("n0").unwrap();
    assert_eq!(first.arcs().len(), count + 2);
    assert!(
        mib.diagnostics()
            .iter()
            .all(|d| d.kind == K::NestingTooDeep),
        "only the over-long type chain is refused"
    );
}

#[test]
fn loader_errors_name_what_was_asked() {
    let mut loader = Loader::new();
    loader.add_search_path("/nonexistent/vigie-mib-test");
    assert!(
        matches!(loader.load_module("IF-MIB"), Err(crate::Error::ModuleNotFound(m)) if m == "IF-MIB")
    );
    assert!(matches!(loader.load_all(), Err(crate::Error::Io { .. })));
    assert!(matches!(
        loader.load_file("/nonexistent/vigie-mib-test/X-MIB"),
        Err(crate::Error::Io { .. })
    ));
    assert!(loader.load_source("not a module").is_empty());
    let mib = loader.build();
    assert!(mib.diagnostics().iter().any(|d| d.kind == K::NoModule));
}

#[test]
fn descriptions_can_be_skipped_without_changing_the_tree() {
    let source = r#"DESC-MIB DEFINITIONS ::= BEGIN
IMPORTS OBJECT-TYPE, Integer32, enterprises FROM SNMPv2-SMI;
descTest OBJECT IDENTIFIER ::= { enterprises 99 }
descValue OBJECT-TYPE
    SYNTAX Integer32 (1..10)
    MAX-ACCESS read-only
    STATUS current
    DESCRIPTION "The value.
        On two lines."
    ::= { descTest 1 }
END
"#;
    let mut kept = Loader::new();
    kept.load_source(source);
    let kept = kept.build();
    let mut skipped = Loader::new();
    skipped.skip_descriptions().load_source(source);
    let skipped = skipped.build();
    let arcs = [1, 3, 6, 1, 4, 1, 99, 1];
    let node = |mib: &MibSet| mib.describe(&arcs).map(|i| i.node.id());
    let kept_node = node(&kept).and_then(|id| kept.node(id));
    let skipped_node = node(&skipped).and_then(|id| skipped.node(id));
    assert_eq!(
        kept_node.and_then(|n| n.description()),
        Some("The value.\n        On two lines.")
    );
    assert_eq!(skipped_node.and_then(|n| n.description()), None);
    assert_eq!(
        kept_node.and_then(|n| n.object()),
        skipped_node.and_then(|n| n.object())
    );
    assert_eq!(kept.len(), skipped.len());
    assert_eq!(
        kept.resolve("DESC-MIB::descValue.0"),
        skipped.resolve("DESC-MIB::descValue.0")
    );
}

#[test]
fn asn1_roots_hold_the_three_roots_alone() {
    let mib = MibSet::asn1_roots();
    let names: Vec<(u32, Option<&str>)> =
        mib.root().children().map(|n| (n.arc(), n.name())).collect();
    assert_eq!(
        names,
        [
            (0, Some("ccitt")),
            (1, Some("iso")),
            (2, Some("joint-iso-ccitt"))
        ]
    );
    assert_eq!(mib.len(), 4);
    assert_eq!(mib.name_of(&"1.3.6".parse().unwrap()), "iso.3.6");
}
