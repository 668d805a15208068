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
