use super::ast::*;
use super::*;

fn one(src: &str) -> Module {
    let parsed = parse(src);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    assert_eq!(parsed.modules.len(), 1);
    parsed.modules.into_iter().next().unwrap()
}

fn kinds(module: &Module) -> Vec<(DiagnosticKind, u32)> {
    module
        .diagnostics
        .iter()
        .map(|d| (d.kind, d.line))
        .collect()
}

fn def<'m>(module: &'m Module, name: &str) -> &'m Body {
    &module
        .definitions
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("{name} not defined"))
        .body
}

const SMIV2: &str = r#"
TEST-MIB DEFINITIONS ::= BEGIN
IMPORTS
    MODULE-IDENTITY, OBJECT-TYPE, NOTIFICATION-TYPE, Integer32, mib-2
        FROM SNMPv2-SMI
    TEXTUAL-CONVENTION, DisplayString, RowStatus
        FROM SNMPv2-TC;

testMIB MODULE-IDENTITY
    LAST-UPDATED "202401010000Z"
    ORGANIZATION "org"
    CONTACT-INFO "contact"
    DESCRIPTION  "A ""quoted"" word"
    REVISION     "202401010000Z"
    DESCRIPTION  "first"
    ::= { mib-2 9999 }

Percent ::= TEXTUAL-CONVENTION
    DISPLAY-HINT "d-2"
    STATUS       current
    DESCRIPTION  "hundredths"
    SYNTAX       Integer32 (0..10000)

testTable OBJECT-TYPE
    SYNTAX      SEQUENCE OF TestEntry
    MAX-ACCESS  not-accessible
    STATUS      current
    DESCRIPTION "t"
    ::= { testMIB 1 }

testEntry OBJECT-TYPE
    SYNTAX      TestEntry
    MAX-ACCESS  not-accessible
    STATUS      current
    DESCRIPTION "e"
    INDEX       { testIndex, IMPLIED testName }
    ::= { testTable 1 }

TestEntry ::= SEQUENCE {
    testIndex   Integer32,
    testName    DisplayString,
    testFlags   BITS,
}

testFlags OBJECT-TYPE
    SYNTAX      BITS { a(0), b(1), c(7) }
    UNITS       "flags"
    MAX-ACCESS  read-create
    STATUS      current
    DESCRIPTION "f"
    DEFVAL      { { a, c } }
    ::= { testEntry 3 }

testState OBJECT-TYPE
    SYNTAX      INTEGER { up(1), down(2), weird(-1) }
    MAX-ACCESS  read-write
    STATUS      deprecated
    DESCRIPTION "s"
    REFERENCE   "RFC 0"
    DEFVAL      { down }
    ::= { testMIB 2 }

testEvent NOTIFICATION-TYPE
    OBJECTS { testState, testFlags }
    STATUS  current
    DESCRIPTION "n"
    ::= { testMIB 0 1 }
END
"#;

#[test]
fn smiv2_module_in_full() {
    let module = one(SMIV2);
    assert_eq!(module.name, "TEST-MIB");
    assert_eq!(module.version, SmiVersion::V2);
    assert!(module.diagnostics.is_empty(), "{:?}", module.diagnostics);
    assert_eq!(module.imports.len(), 2);
    assert_eq!(module.imports[1].module, "SNMPv2-TC");
    let names: Vec<&str> = module.imports[1]
        .symbols
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["TEXTUAL-CONVENTION", "DisplayString", "RowStatus"]);

    let Body::ModuleIdentity(identity) = def(&module, "testMIB") else {
        panic!()
    };
    assert_eq!(identity.revisions.len(), 1);
    assert_eq!(
        identity.oid.components,
        vec![
            OidComponent::Name(Ident {
                name: "mib-2".into(),
                pos: Pos {
                    line: 16,
                    column: 11
                }
            }),
            OidComponent::Number(9999)
        ]
    );

    let Body::TextualConvention(tc) = def(&module, "Percent") else {
        panic!()
    };
    assert_eq!(tc.hint.as_deref(), Some("d-2"));
    assert!(matches!(
        &tc.syntax.kind,
        SyntaxKind::Named { name, constraint: Some(Constraint::Range(r)), .. }
            if name.name == "Integer32" && r == &[Range { low: 0, high: 10000 }]
    ));

    let Body::ObjectType(entry) = def(&module, "testEntry") else {
        panic!()
    };
    assert_eq!(entry.index.len(), 2);
    assert!(!entry.index[0].implied);
    assert!(entry.index[1].implied);
    assert_eq!(entry.index[1].name.name, "testName");

    let Body::Type(sequence) = def(&module, "TestEntry") else {
        panic!()
    };
    let SyntaxKind::Sequence(fields) = &sequence.kind else {
        panic!()
    };
    assert_eq!(fields.len(), 3);

    let Body::ObjectType(flags) = def(&module, "testFlags") else {
        panic!()
    };
    assert_eq!(flags.units.as_deref(), Some("flags"));
    assert_eq!(flags.access.map(|a| a.access), Some(Access::ReadCreate));
    assert_eq!(
        flags.defval.as_ref().map(|d| &d.0),
        Some(&DefVal::Bits(vec!["a".into(), "c".into()]))
    );
    let Some(SyntaxKind::Bits(bits)) = flags.syntax.as_ref().map(|s| &s.kind) else {
        panic!()
    };
    assert_eq!(bits.iter().map(|b| b.value).collect::<Vec<_>>(), [0, 1, 7]);

    let Body::ObjectType(state) = def(&module, "testState") else {
        panic!()
    };
    assert_eq!(state.status.map(|s| s.0), Some(Status::Deprecated));
    assert_eq!(
        state.defval.as_ref().map(|d| &d.0),
        Some(&DefVal::Name("down".into()))
    );
    let Some(SyntaxKind::Integer { enums, .. }) = state.syntax.as_ref().map(|s| &s.kind) else {
        panic!()
    };
    assert_eq!(
        enums[2],
        NamedNumber {
            name: "weird".into(),
            value: -1
        }
    );

    let Body::Notification(n) = def(&module, "testEvent") else {
        panic!()
    };
    assert_eq!(n.objects.len(), 2);
    assert_eq!(n.oid.components.len(), 3);
}

#[test]
fn smiv1_module_with_trap_and_access() {
    let module = one(r#"RFC1213-LIKE DEFINITIONS ::= BEGIN
IMPORTS enterprises, Counter FROM RFC1155-SMI
        OBJECT-TYPE FROM RFC-1212
        TRAP-TYPE FROM RFC-1215;
acme OBJECT IDENTIFIER ::= { enterprises 9 }
DisplayString ::= OCTET STRING
acmeCount OBJECT-TYPE
    SYNTAX  Counter
    ACCESS  read-only
    STATUS  mandatory
    DESCRIPTION "c"
    ::= { acme 1 }
acmeTrap TRAP-TYPE
    ENTERPRISE acme
    VARIABLES { acmeCount }
    DESCRIPTION "t"
    ::= 3
END"#);
    assert_eq!(module.version, SmiVersion::V1);
    let Body::ObjectType(object) = def(&module, "acmeCount") else {
        panic!()
    };
    let access = object.access.unwrap();
    assert!(access.smiv1_keyword);
    assert_eq!(access.access, Access::ReadOnly);
    assert_eq!(object.status.map(|s| s.0), Some(Status::Mandatory));
    let Body::Trap(trap) = def(&module, "acmeTrap") else {
        panic!()
    };
    assert_eq!((trap.enterprise.name.as_str(), trap.number), ("acme", 3));
    assert_eq!(trap.variables[0].name, "acmeCount");
    assert!(matches!(def(&module, "DisplayString"), Body::Type(_)));
}

#[test]
fn smi_module_with_macros_and_tagged_types() {
    let module = one(r#"SNMPv2-SMI DEFINITIONS ::= BEGIN
org OBJECT IDENTIFIER ::= { iso 3 }
internet OBJECT IDENTIFIER ::= { iso org(3) dod(6) 1 }
ObjectSyntax ::= CHOICE { simple SimpleSyntax, application-wide ApplicationSyntax }
Integer32 ::= INTEGER (-2147483648..2147483647)
Counter64 ::= [APPLICATION 6] IMPLICIT INTEGER (0..18446744073709551615)
OBJECT-TYPE MACRO ::= BEGIN
    TYPE NOTATION ::= "SYNTAX" Syntax UnitsPart
    VALUE NOTATION ::= value(VALUE ObjectName)
    Syntax ::= type | "BITS" "{" NamedBits "}"
END
zeroDotZero OBJECT-IDENTITY STATUS current DESCRIPTION "z" ::= { 0 0 }
END"#);
    assert!(module.diagnostics.is_empty(), "{:?}", module.diagnostics);
    assert!(matches!(def(&module, "OBJECT-TYPE"), Body::Macro));
    let Body::Type(counter) = def(&module, "Counter64") else {
        panic!()
    };
    let SyntaxKind::Tagged { number: 6, inner } = &counter.kind else {
        panic!()
    };
    assert!(matches!(
        &inner.kind,
        SyntaxKind::Integer { constraint: Some(Constraint::Range(r)), .. } if r[0].high == 18_446_744_073_709_551_615
    ));
    let Body::OidValue(internet) = def(&module, "internet") else {
        panic!()
    };
    assert!(matches!(&internet.components[1], OidComponent::NamedNumber(n, 3) if n.name == "org"));
    assert!(matches!(
        def(&module, "zeroDotZero"),
        Body::ObjectIdentity(_)
    ));
}

#[test]
fn error_recovery_resumes_at_the_next_assignment() {
    let parsed = parse(
        r#"M DEFINITIONS ::= BEGIN
a OBJECT IDENTIFIER ::= { iso 3 }
b OBJECT-TYPE
    SYNTAX Integer32
    MAX-ACCESS read-only
    STATUS current
    DESCRIPTION "x" garbage here
    ::= { a 1 }
c OBJECT IDENTIFIER ::= { a 2 }
d OBJECT-TYPE
    SYNTAX Integer32
    STATUS current
e OBJECT IDENTIFIER ::= { a 3 }
END"#,
    );
    let module = &parsed.modules[0];
    let names: Vec<&str> = module.definitions.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["a", "c", "e"]);
    assert_eq!(
        kinds(module),
        [
            (DiagnosticKind::UnexpectedToken, 7),
            (DiagnosticKind::UnexpectedToken, 13)
        ]
    );
    assert_eq!(module.diagnostics[0].module, "M");
    assert_eq!(module.diagnostics[0].column, 21);
}

#[test]
fn missing_semicolon_after_imports_is_reported_and_tolerated() {
    let parsed =
        parse("M DEFINITIONS ::= BEGIN\nIMPORTS a FROM X\nb OBJECT IDENTIFIER ::= { a 1 }\nEND");
    let module = &parsed.modules[0];
    assert_eq!(module.imports.len(), 1);
    assert_eq!(module.definitions.len(), 1);
    assert_eq!(kinds(module), [(DiagnosticKind::UnexpectedToken, 3)]);
}

#[test]
fn naming_mistakes_are_warnings() {
    let parsed = parse(
        "M DEFINITIONS ::= BEGIN\nBad OBJECT IDENTIFIER ::= { iso 1 }\nok_not OBJECT IDENTIFIER ::= { iso 2 }\nlower ::= INTEGER\nEND",
    );
    assert_eq!(
        kinds(&parsed.modules[0]),
        [
            (DiagnosticKind::NameCase, 2),
            (DiagnosticKind::NameCharacters, 3),
            (DiagnosticKind::NameCase, 4)
        ]
    );
    assert_eq!(parsed.modules[0].definitions.len(), 3);
}

#[test]
fn missing_end_and_no_module() {
    let parsed = parse("M DEFINITIONS ::= BEGIN\na OBJECT IDENTIFIER ::= { iso 1 }\n");
    assert_eq!(kinds(&parsed.modules[0]), [(DiagnosticKind::MissingEnd, 3)]);
    let parsed = parse("just some words");
    assert!(parsed.modules.is_empty());
    let found: Vec<DiagnosticKind> = parsed.diagnostics.iter().map(|d| d.kind).collect();
    assert_eq!(
        found,
        [DiagnosticKind::UnexpectedToken, DiagnosticKind::NoModule]
    );
}

#[test]
fn two_modules_in_one_file_keep_their_own_diagnostics() {
    let parsed = parse(
        "A DEFINITIONS ::= BEGIN\nx OBJECT IDENTIFIER ::= { iso 'F'H }\nEND\nB DEFINITIONS ::= BEGIN\ny OBJECT IDENTIFIER ::= { iso 1 }\nEND",
    );
    assert_eq!(parsed.modules.len(), 2);
    assert_eq!(
        kinds(&parsed.modules[0]),
        [
            (DiagnosticKind::OddHexString, 2),
            (DiagnosticKind::UnexpectedToken, 2)
        ]
    );
    assert!(parsed.modules[1].diagnostics.is_empty());
    assert_eq!(parsed.modules[1].definitions[0].name, "y");
}

#[test]
fn revisions_and_module_identity_placement() {
    let parsed = parse(
        r#"M DEFINITIONS ::= BEGIN
IMPORTS MODULE-IDENTITY FROM SNMPv2-SMI;
early OBJECT IDENTIFIER ::= { iso 1 }
m MODULE-IDENTITY
    LAST-UPDATED "9901010000Z"
    ORGANIZATION "o" CONTACT-INFO "c" DESCRIPTION "d"
    REVISION "202401010000Z" DESCRIPTION "r"
    REVISION "202501010000Z" DESCRIPTION "r"
    ::= { early 1 }
END"#,
    );
    assert_eq!(
        kinds(&parsed.modules[0]),
        [
            (DiagnosticKind::ModuleIdentityNotFirst, 4),
            (DiagnosticKind::LastUpdatedWithoutRevision, 5),
            (DiagnosticKind::RevisionOrder, 8)
        ]
    );
}

#[test]
fn constraints_sizes_and_hex_bounds() {
    let module = one(
        "M DEFINITIONS ::= BEGIN\nT ::= OCTET STRING (SIZE (0 | 4..16 | 255))\nU ::= Unsigned32 (MIN..'FF'H)\nEND",
    );
    let Body::Type(t) = def(&module, "T") else {
        panic!()
    };
    assert_eq!(
        t.kind,
        SyntaxKind::OctetString(Some(Constraint::Size(vec![
            Range { low: 0, high: 0 },
            Range { low: 4, high: 16 },
            Range {
                low: 255,
                high: 255
            }
        ])))
    );
    let Body::Type(u) = def(&module, "U") else {
        panic!()
    };
    assert!(matches!(
        &u.kind,
        SyntaxKind::Named { constraint: Some(Constraint::Range(r)), .. }
            if r == &[Range { low: i128::MIN, high: 255 }]
    ));
}

#[test]
fn defval_forms() {
    let module = one(r#"M DEFINITIONS ::= BEGIN
a OBJECT-TYPE SYNTAX INTEGER DEFVAL { -1 } ::= { iso 1 }
b OBJECT-TYPE SYNTAX OCTET STRING DEFVAL { 'ABCD'H } ::= { iso 2 }
c OBJECT-TYPE SYNTAX OCTET STRING DEFVAL { "x""y" } ::= { iso 3 }
d OBJECT-TYPE SYNTAX BITS { a(0) } DEFVAL { { } } ::= { iso 4 }
e OBJECT-TYPE SYNTAX OBJECT IDENTIFIER DEFVAL { { 0 0 } } ::= { iso 5 }
f OBJECT-TYPE SYNTAX OCTET STRING DEFVAL { '1010'B } ::= { iso 6 }
END"#);
    let defval = |name| match def(&module, name) {
        Body::ObjectType(o) => o.defval.clone().unwrap().0,
        _ => panic!(),
    };
    assert_eq!(defval("a"), DefVal::Integer(-1));
    assert_eq!(defval("b"), DefVal::Hex("ABCD".into()));
    assert_eq!(defval("c"), DefVal::String("x\"y".into()));
    assert_eq!(defval("d"), DefVal::Bits(vec![]));
    assert_eq!(defval("e"), DefVal::Other);
    assert_eq!(defval("f"), DefVal::Binary("1010".into()));
}

#[test]
fn compliance_and_capabilities_are_skipped_to_their_oid() {
    let module = one(r#"M DEFINITIONS ::= BEGIN
c MODULE-COMPLIANCE
    STATUS current DESCRIPTION "d"
    MODULE -- this module
        MANDATORY-GROUPS { g }
        OBJECT o SYNTAX INTEGER { a(1) } MIN-ACCESS read-only DESCRIPTION "x"
    ::= { iso 1 }
cap AGENT-CAPABILITIES
    PRODUCT-RELEASE "r" STATUS current DESCRIPTION "d"
    SUPPORTS IF-MIB INCLUDES { ifGeneralGroup }
        VARIATION ifAdminStatus SYNTAX INTEGER { up(1) } DESCRIPTION "v"
    ::= { iso 2 }
g OBJECT-GROUP OBJECTS { o } STATUS current DESCRIPTION "g" ::= { iso 3 }
END"#);
    assert!(matches!(def(&module, "c"), Body::Compliance(_)));
    assert!(matches!(def(&module, "cap"), Body::Capabilities(_)));
    let Body::Group(group) = def(&module, "g") else {
        panic!()
    };
    assert_eq!(group.kind, GroupKind::Objects);
}

#[test]
fn hostile_nesting_is_bounded() {
    let deep = format!(
        "M DEFINITIONS ::= BEGIN\nT ::= {}INTEGER{}\nok OBJECT IDENTIFIER ::= {{ iso 1 }}\nEND",
        "SEQUENCE { a ".repeat(100_000),
        " }".repeat(100_000)
    );
    let parsed = parse(&deep);
    let module = &parsed.modules[0];
    assert_eq!(module.diagnostics[0].kind, DiagnosticKind::NestingTooDeep);
    assert!(module.definitions.iter().any(|d| d.name == "ok"));
}

#[test]
fn never_panics_on_truncations_of_a_real_module() {
    for end in 0..SMIV2.len() {
        if let Some(prefix) = SMIV2.get(..end) {
            let _ = parse(prefix);
        }
    }
}

#[test]
fn stray_characters_are_reported_where_they_are() {
    let parsed = parse(
        "M DEFINITIONS ::= BEGIN\na OBJECT IDENTIFIER ::= { iso @ }\nb OBJECT IDENTIFIER ::= { iso 2 }\nEND",
    );
    let module = &parsed.modules[0];
    assert_eq!(kinds(module), [(DiagnosticKind::UnexpectedCharacter, 2)]);
    assert_eq!(module.diagnostics[0].column, 31);
    assert_eq!(module.definitions.len(), 1);
}
