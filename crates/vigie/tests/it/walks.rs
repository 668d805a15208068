//! walk and bulkwalk against snmpd.

use crate::support::{Daemon, peers_available, same};

const SYS_OR_ID: &str = "1.3.6.1.2.1.1.9.1.2";

#[test]
fn walks_with_their_application_flags() {
    if !peers_available() {
        return;
    }
    let agent = Daemon::snmpd();
    let a = agent.address.as_str();
    for tool in ["walk", "bulkwalk"] {
        let outcome = same(tool, &["-v2c", "-c", "public", a, SYS_OR_ID]);
        assert!(
            outcome.stdout.lines().count() >= 5,
            "{tool}: {}",
            outcome.stdout
        );
        let outcome = same(tool, &["-v2c", "-c", "public", "-Cp", a, SYS_OR_ID]);
        assert!(outcome.stdout.contains("Variables found: "));
        same(tool, &["-v2c", "-c", "public", "-Ci", a, SYS_OR_ID]);
        same(
            tool,
            &["-v2c", "-c", "public", "-Ci", a, "1.3.6.1.2.1.1.1.0"],
        );
        // A leaf: the walk finds nothing under it and falls back to a GET.
        same(tool, &["-v2c", "-c", "public", a, "1.3.6.1.2.1.1.1.0"]);
        // An empty subtree: the GET fallback prints the exception.
        same(
            tool,
            &["-v2c", "-c", "public", "-Cp", a, "1.3.6.1.2.1.1.99"],
        );
        same(tool, &["-v1", "-c", "public", a, "1.3.6.1.2.1.1.99"]);
        same(tool, &["-v2c", "-c", "public", a, "1.4"]);
        same(tool, &["-v1", "-c", "public", a, "1.4"]);
        same(tool, &["-v2c", "-c", "public", "-Onq", a, SYS_OR_ID]);
        same(
            tool,
            &["-v2c", "-c", "public", "-Cc", a, "1.3.6.1.2.1.1.9.1.3"],
        );
        same(tool, &["-v2c", "-c", "public", a, SYS_OR_ID, "-OQ"]);
        same(tool, &["-v2c", "-c", "public", "-Cx", a, SYS_OR_ID]);
    }
    same(
        "walk",
        &["-v2c", "-c", "public", "-CI", a, "1.3.6.1.2.1.1.1.0"],
    );
    same(
        "walk",
        &[
            "-v2c",
            "-c",
            "public",
            "-CE",
            "1.3.6.1.2.1.1.9.1.2.3",
            a,
            SYS_OR_ID,
        ],
    );
    same("walk", &["-v2c", "-c", "public", "-CE1.3.6", a, SYS_OR_ID]);
    same(
        "bulkwalk",
        &["-v2c", "-c", "public", "-Cr3", "-Cn0", a, SYS_OR_ID],
    );
    same("bulkwalk", &["-v2c", "-c", "public", "-CI", a, SYS_OR_ID]);
    same("bulkwalk", &["-v1", "-c", "public", a, SYS_OR_ID]);
}

#[test]
fn walk_timeout_has_no_period() {
    if !peers_available() {
        return;
    }
    let silent = format!("127.0.0.1:{}", crate::support::free_port());
    for tool in ["walk", "bulkwalk", "get", "getnext", "bulkget"] {
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
