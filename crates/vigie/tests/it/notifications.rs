//! trap and inform: what snmptrapd logs for vigie's notifications must be what it logs for
//! Net-SNMP's, apart from the time, the source port and the uptime.

use std::thread;
use std::time::{Duration, Instant};

use vigie_interop::{Pair, Peer, Snmptrapd, free_udp_port, require, run_as_shell};

use crate::support::vigie;

/// An `snmptrapd` logging in its own format, once `tools` are known to be installed; `None`
/// (the test returns) when a peer is missing.
fn receiver(tools: &[Peer]) -> Option<Snmptrapd> {
    if !require(tools) {
        return None;
    }
    Snmptrapd::start_netsnmp_format()
}

/// Sends with both tools and compares their outcomes and what snmptrapd logged for each.
fn same_notification(trapd: &Snmptrapd, tool: Peer, args: &[&str]) -> String {
    let subcommand = tool.vigie_subcommand().expect("a notification tool");
    let before = trapd.log().len();
    let expected = run_as_shell(tool, args).usage_cut();
    let logged_expected = wait_for_entry(trapd, before, expected.success());
    let middle = trapd.log().len();
    let actual = vigie(subcommand, args).usage_cut();
    let logged_actual = wait_for_entry(trapd, middle, actual.success());
    Pair {
        netsnmp: expected,
        vigie: actual,
    }
    .assert_same();
    assert_eq!(
        normalise(&logged_actual),
        normalise(&logged_expected),
        "vigie {subcommand} {args:?}"
    );
    logged_actual
}

/// The log text after `offset`, once a complete entry arrived (or nothing, when none is due).
fn wait_for_entry(trapd: &Snmptrapd, offset: usize, expect_entry: bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(if expect_entry { 5 } else { 1 });
    loop {
        let log = trapd.log();
        let entry = log.get(offset..).unwrap_or_default().to_owned();
        let complete = entry.ends_with('\n') && !entry.is_empty();
        if complete || Instant::now() >= deadline {
            // snmptrapd writes a v1 entry in two writes; give the second one a moment.
            thread::sleep(Duration::from_millis(100));
            return trapd.log().get(offset..).unwrap_or_default().to_owned();
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// Drops what legitimately differs: the date, the source port and uptime values.
fn normalise(entry: &str) -> String {
    entry
        .lines()
        .map(|line| {
            let line = line.splitn(3, ' ').collect::<Vec<_>>();
            let line = match line.as_slice() {
                [date, time, rest] if date.contains('-') && time.contains(':') => {
                    (*rest).to_owned()
                }
                other => other.join(" "),
            };
            mask_after(
                &mask_after(&mask_port(&line), "Timeticks: ", '\t'),
                "Uptime: ",
                '\n',
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn mask_port(line: &str) -> String {
    match (line.find("]:"), line.find("->")) {
        (Some(start), Some(end)) if start < end => {
            format!("{}]:PORT{}", &line[..start], &line[end..])
        }
        _ => line.to_owned(),
    }
}

fn mask_after(line: &str, marker: &str, stop: char) -> String {
    match line.find(marker) {
        Some(at) => {
            let start = at + marker.len();
            let end = line[start..].find(stop).map_or(line.len(), |n| start + n);
            format!("{}UPTIME{}", &line[..start], &line[end..])
        }
        None => line.to_owned(),
    }
}

#[test]
fn v1_traps() {
    let Some(trapd) = receiver(&[Peer::Snmptrap]) else {
        return;
    };
    let t = trapd.target();
    let t = t.as_str();
    let logged = same_notification(
        &trapd,
        Peer::Snmptrap,
        &[
            "-v1",
            "-c",
            "public",
            t,
            "1.3.6.1.4.1.8072",
            "10.1.2.3",
            "6",
            "17",
            "1234",
            "1.3.6.1.2.1.1.1.0",
            "s",
            "hello",
        ],
    );
    assert!(
        logged.contains("Enterprise Specific Trap (17) Uptime: 0:00:12.34"),
        "{logged}"
    );
    let cases: &[&[&str]] = &[
        // Empty agent address and uptime: this host's address and uptime.
        &[
            "-v1",
            "-c",
            "public",
            t,
            "1.3.6.1.4.1.8072",
            "",
            "2",
            "0",
            "",
        ],
        &["-v1", "-c", "public", t, "", "localhost", "3", "0", "5"],
        &[
            "-v1",
            "-c",
            "public",
            t,
            "1.3.6.1.4.1.8072",
            "",
            "x",
            "y",
            "abc",
        ],
        &["-v1", "-c", "public", t],
        &["-v1", "-c", "public", t, "1.3.6.1.4.1.8072"],
        &["-v1", "-c", "public", t, "1.3.6.1.4.1.8072", ""],
        &["-v1", "-c", "public", t, "1.3.6.1.4.1.8072", "", "6"],
        &["-v1", "-c", "public", t, "1.3.6.1.4.1.8072", "", "6", "1"],
        &["-v1", "-c", "public", t, "foo", "", "3", "0", "5"],
        &[
            "-v1",
            "-c",
            "public",
            t,
            "1.3.6.1.4.1.8072",
            "nosuchhost.invalid",
            "2",
            "0",
            "",
        ],
    ];
    for args in cases {
        same_notification(&trapd, Peer::Snmptrap, args);
    }
}

#[test]
fn v2c_traps_and_informs() {
    let Some(trapd) = receiver(&[Peer::Snmptrap, Peer::Snmpinform]) else {
        return;
    };
    let t = trapd.target();
    let t = t.as_str();
    let link_down = "1.3.6.1.6.3.1.1.5.3";
    let logged = same_notification(
        &trapd,
        Peer::Snmptrap,
        &[
            "-v2c",
            "-c",
            "public",
            t,
            "1234",
            link_down,
            "1.3.6.1.2.1.2.2.1.1.1",
            "i",
            "1",
        ],
    );
    assert!(
        logged.contains(
            "iso.3.6.1.2.1.1.3.0 = Timeticks: (1234) 0:00:12.34\t\
             iso.3.6.1.6.3.1.1.4.1.0 = OID: iso.3.6.1.6.3.1.1.5.3"
        ),
        "{logged}"
    );
    let traps: &[&[&str]] = &[
        &["-v2c", "-c", "public", t, "", link_down],
        // An uptime that is not a number drops sysUpTime.0; a negative one wraps.
        &["-v2c", "-c", "public", t, "12abc", link_down],
        &["-v2c", "-c", "public", t, "-5", link_down],
        &[
            "-v2c",
            "-c",
            "public",
            t,
            "",
            link_down,
            "1.3.6.1.2.1.1.1.0",
            "x",
            "00 ff",
            "1.3.6.1.2.1.1.2.0",
            "a",
            "1.2.3.4",
            "1.3.6.1.2.1.1.3.0",
            "U",
            "77",
            "1.3.6.1.2.1.1.4.0",
            "F",
            "2.5",
            "1.3.6.1.2.1.1.5.0",
            "o",
            "1.3.6",
        ],
        &["-v2c", "-c", "public", "-Ci", t, "", link_down],
        &["-v2c", "-c", "public", t],
        &["-v2c", "-c", "public", t, "12"],
        &["-v2c", "-c", "public", t, "", "foo"],
        &["-v2c", "-c", "public", t, "", link_down, "-On"],
        &["-v2c", "-c", "public", "nosuchhost.invalid", "", link_down],
        &["-c", "public", t, "", link_down],
    ];
    for args in traps {
        same_notification(&trapd, Peer::Snmptrap, args);
    }
    // A sysDescr.0 varbind without a value, with a value its type cannot parse, with an
    // unknown type letter.
    let down_with_descr = [
        "-v2c",
        "-c",
        "public",
        t,
        "",
        link_down,
        "1.3.6.1.2.1.1.1.0",
    ];
    for value in [&["s"][..], &["i", "abc"], &["z", "abc"]] {
        let args = [&down_with_descr[..], value].concat();
        same_notification(&trapd, Peer::Snmptrap, &args);
    }
    let silent = format!("127.0.0.1:{}", free_udp_port());
    let inform_with_descr = [&down_with_descr[..], &["s", "x"]].concat();
    let informs: &[&[&str]] = &[
        &inform_with_descr,
        &[
            "-v1",
            "-c",
            "public",
            t,
            "1.3.6.1.4.1.8072",
            "",
            "6",
            "1",
            "",
        ],
        &["-v2c", "-c", "public", "nosuchhost.invalid", "", link_down],
        &[
            "-v2c", "-c", "public", "-t", "0.2", "-r", "0", &silent, "", link_down,
        ],
    ];
    for args in informs {
        same_notification(&trapd, Peer::Snmpinform, args);
    }
}
