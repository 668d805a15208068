use super::parse::{Component, split};
use super::*;

#[test]
fn names_split_at_dots_outside_quotes_and_brackets() {
    assert_eq!(
        split("vacmGroupName.3.\"a.b\\\"c\"").unwrap(),
        vec![
            Component::Plain("vacmGroupName"),
            Component::Plain("3"),
            Component::Quoted {
                text: b"a.b\"c".to_vec(),
                quote: b'"'
            },
        ]
    );
    assert_eq!(
        split("ifDescr[3][\"x]y\"].4").unwrap(),
        vec![
            Component::Plain("ifDescr"),
            Component::Bracket("3"),
            Component::Bracket("\"x]y\""),
            Component::Plain("4"),
        ]
    );
    assert!(split("a.\"open").is_err());
    assert!(split("a[open").is_err());
    assert!(split("a.\"x\"y").is_err());
}

#[test]
fn inet_addresses_print_as_net_snmp_prints_them() {
    assert_eq!(
        inet_address(1, &[127, 0, 0, 1]).as_deref(),
        Some("127.0.0.1")
    );
    assert_eq!(
        inet_address(3, &[10, 0, 0, 1, 0, 0, 1, 0]).as_deref(),
        Some("10.0.0.1%256")
    );
    let v6 = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    assert_eq!(
        inet_address(2, &v6).as_deref(),
        Some("fe:80:00:00:00:00:00:00:00:00:00:00:00:00:00:01")
    );
    // Wrong sizes and other families print as plain strings.
    assert_eq!(inet_address(1, &[1, 2, 3]), None);
    assert_eq!(inet_address(16, b"host"), None);
}

#[test]
fn leftover_arcs_end_the_name() {
    let mut out = String::from("ifDescr.3.");
    finish(&mut out, &[]);
    assert_eq!(out, "ifDescr.3");
    let mut out = String::from("ifDescr[3]");
    finish(&mut out, &[4, 5]);
    assert_eq!(out, "ifDescr[3].4.5");
    let mut out = String::from("vacmGroupName[3][");
    finish(&mut out, &[7, 112]);
    assert_eq!(out, "vacmGroupName[3][.7.112");
}
