//! walk and bulkwalk against snmpd.

use vigie_interop::{Peer, free_udp_port, require};

use crate::support::{agent, same};

const SYS_OR_ID: &str = "1.3.6.1.2.1.1.9.1.2";

#[test]
fn walks_with_their_application_flags() {
    let Some(agent) = agent(&[Peer::Snmpwalk, Peer::Snmpbulkwalk]) else {
        return;
    };
    let a = agent.target();
    let a = a.as_str();
    for tool in [Peer::Snmpwalk, Peer::Snmpbulkwalk] {
        let outcome = same(tool, &["-v2c", "-c", "public", a, SYS_OR_ID]);
        assert!(
            outcome.stdout.lines().count() >= 5,
            "{}: {}",
            tool.program(),
            outcome.stdout
        );
        let outcome = same(tool, &["-v2c", "-c", "public", "-Cp", a, SYS_OR_ID]);
        assert!(outcome.stdout.contains("Variables found: "));
        let cases: &[&[&str]] = &[
            &["-v2c", "-c", "public", "-Ci", a, SYS_OR_ID],
            &["-v2c", "-c", "public", "-Ci", a, "1.3.6.1.2.1.1.1.0"],
            // A leaf: the walk finds nothing under it and falls back to a GET.
            &["-v2c", "-c", "public", a, "1.3.6.1.2.1.1.1.0"],
            // An empty subtree: the GET fallback prints the exception.
            &["-v2c", "-c", "public", "-Cp", a, "1.3.6.1.2.1.1.99"],
            &["-v1", "-c", "public", a, "1.3.6.1.2.1.1.99"],
            &["-v2c", "-c", "public", a, "1.4"],
            &["-v1", "-c", "public", a, "1.4"],
            &["-v2c", "-c", "public", "-Onq", a, SYS_OR_ID],
            &["-v2c", "-c", "public", "-Cc", a, "1.3.6.1.2.1.1.9.1.3"],
            &["-v2c", "-c", "public", a, SYS_OR_ID, "-OQ"],
            &["-v2c", "-c", "public", "-Cx", a, SYS_OR_ID],
        ];
        for args in cases {
            same(tool, args);
        }
    }
    let cases: &[(Peer, &[&str])] = &[
        (
            Peer::Snmpwalk,
            &["-v2c", "-c", "public", "-CI", a, "1.3.6.1.2.1.1.1.0"],
        ),
        (
            Peer::Snmpwalk,
            &[
                "-v2c",
                "-c",
                "public",
                "-CE",
                "1.3.6.1.2.1.1.9.1.2.3",
                a,
                SYS_OR_ID,
            ],
        ),
        (
            Peer::Snmpwalk,
            &["-v2c", "-c", "public", "-CE1.3.6", a, SYS_OR_ID],
        ),
        (
            Peer::Snmpbulkwalk,
            &["-v2c", "-c", "public", "-Cr3", "-Cn0", a, SYS_OR_ID],
        ),
        (
            Peer::Snmpbulkwalk,
            &["-v2c", "-c", "public", "-CI", a, SYS_OR_ID],
        ),
        (Peer::Snmpbulkwalk, &["-v1", "-c", "public", a, SYS_OR_ID]),
    ];
    for (tool, args) in cases {
        same(*tool, args);
    }
}

#[test]
fn walk_timeout_has_no_period() {
    let tools = [
        Peer::Snmpwalk,
        Peer::Snmpbulkwalk,
        Peer::Snmpget,
        Peer::Snmpgetnext,
        Peer::Snmpbulkget,
    ];
    if !require(&tools) {
        return;
    }
    let silent = format!("127.0.0.1:{}", free_udp_port());
    for tool in tools {
        let outcome = same(
            tool,
            &[
                "-v2c",
                "-c",
                "public",
                "-t",
                "0.2",
                "-r",
                "0",
                &silent,
                "1.3.6.1.2.1.1",
            ],
        );
        assert_eq!(outcome.status, Some(1));
        assert!(
            outcome
                .stderr
                .starts_with("Timeout: No Response from 127.0.0.1:")
        );
    }
}

/// Net-SNMP's standard modules (`../shared/mibs/netsnmp`), or `None` when absent.
fn netsnmp_mibs() -> Option<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/mibs/netsnmp");
    if std::path::Path::new(dir).is_dir() {
        return Some(dir.to_owned());
    }
    eprintln!("skipping: {dir} is absent");
    None
}

/// Roots of one arc, with and without modules: the `2` typed is sent as the one
/// subidentifier `02` (read back as `0.2`), yet snmpwalk names the root it compares with
/// `joint-iso-ccitt`; snmpbulkwalk leaves the agent's `1.3.6…` out of the subtree of `2`
/// and falls back to a GET of `ccitt.2`; a root of `3` cannot be sent at all.
#[test]
fn single_arc_roots_as_net_snmp_names_them() {
    let Some(agent) = agent(&[Peer::Snmpwalk, Peer::Snmpbulkwalk]) else {
        return;
    };
    let Some(mibs) = netsnmp_mibs() else {
        return;
    };
    let a = agent.target();
    let a = a.as_str();
    let with_mibs: &[&str] = &["-M", &mibs, "-m", "ALL"];
    for tool in [Peer::Snmpwalk, Peer::Snmpbulkwalk] {
        for modules in [with_mibs, &[]] {
            for flags in [&[][..], &["-Of"], &["-On"], &["-Ci", "-Cp"]] {
                for root in ["0", "2", "joint-iso-ccitt", ".2", "3"] {
                    let mut args = modules.to_vec();
                    args.extend_from_slice(flags);
                    args.extend_from_slice(&["-v2c", "-c", "public", a, root]);
                    same(tool, &args);
                }
            }
        }
        let mut args = with_mibs.to_vec();
        args.extend_from_slice(&["-v2c", "-c", "public", a, "2"]);
        let outcome = same(tool, &args);
        if tool == Peer::Snmpwalk {
            assert_eq!(outcome.status, Some(1));
            assert!(
                outcome.stderr.starts_with(
                    "Error: OID not increasing: joint-iso-ccitt\n >= SNMPv2-MIB::sysDescr.0\n"
                ),
                "{}",
                outcome.stderr
            );
        } else {
            assert_eq!(outcome.status, Some(0));
            assert_eq!(
                outcome.stdout,
                "ccitt.2 = No Such Object available on this agent at this OID\n"
            );
        }
    }
    // Under `1`, up to the end of the system group's first objects.
    let mut args = with_mibs.to_vec();
    args.extend_from_slice(&["-v2c", "-c", "public", "-CE", "1.3.6.1.2.1.1.3", a, "1"]);
    let outcome = same(Peer::Snmpwalk, &args);
    assert!(
        outcome
            .stdout
            .starts_with("SNMPv2-MIB::sysDescr.0 = STRING: ")
    );
}
