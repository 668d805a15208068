//! `vigie trap` and `vigie inform` to `snmptrapd`: it logs the same record for vigie's
//! notification as for `snmptrap`'s or `snmpinform`'s with the same arguments (the uptime
//! is given explicitly so that both carry the same one, except where the default is tested).

use vigie_interop::{PASS_SUBTREE, Pair, Peer, Snmptrapd, compare, mask_timeticks, require};

use crate::{TARGET, at, receiver, silent_target};

/// Sends the notification with the Net-SNMP tool, then with vigie, and checks that both
/// tools behave alike and that snmptrapd logged two identical records.
fn assert_same_notification(tool: Peer, receiver: &Snmptrapd, args: &[&str]) -> Pair {
    let pair = compare(tool, args);
    pair.assert_same();
    let records = receiver.wait_for(2);
    assert_eq!(records.len(), 2, "snmptrapd log:\n{}", receiver.log());
    assert_eq!(
        records[1],
        records[0],
        "snmptrapd logged vigie's notification (left) differently from {}'s (right)",
        tool.program()
    );
    pair
}

/// A case against a fresh receiver: [`assert_same_notification`]; `None` when a peer is
/// missing.
fn notification_case(tool: Peer, args: &[&str]) -> Option<Pair> {
    let receiver = receiver(&[tool])?;
    Some(assert_same_notification(
        tool,
        &receiver,
        &at(args, &receiver.target()),
    ))
}

/// [`notification_case`], and vigie exits 0.
fn delivered_notification_case(tool: Peer, args: &[&str]) {
    if let Some(pair) = notification_case(tool, args) {
        assert!(pair.vigie.success(), "{}", pair.vigie);
    }
}

cases!(notification_case {
    /// v1 enterpriseSpecific trap with varbinds.
    v1_enterprise_specific_trap: Snmptrap [
        "-v", "1", "-c", "public", TARGET, PASS_SUBTREE, "192.0.2.7", "6", "17", "12345",
        ".1.3.6.1.4.1.99999.1.0", "i", "42",
        ".1.3.6.1.4.1.99999.10.0", "s", "hello there",
    ];
    /// v1 generic linkDown trap carrying ifIndex.
    v1_generic_link_down_trap: Snmptrap [
        "-v", "1", "-c", "public", TARGET, PASS_SUBTREE, "192.0.2.7", "2", "0", "99",
        ".1.3.6.1.2.1.2.2.1.1.3", "i", "3",
    ];
    /// A generic-trap outside RFC 1157's 0–6: snmptrap sends it as typed.
    v1_generic_trap_outside_0_to_6: Snmptrap [
        "-v", "1", "-c", "public", TARGET, PASS_SUBTREE, "192.0.2.7", "9", "0", "99",
    ];
});

cases!(delivered_notification_case {
    /// v2c trap with one varbind of each type letter.
    v2c_trap: Snmptrap [
        "-v", "2c", "-c", "public", TARGET, "12345", ".1.3.6.1.4.1.99999.0.1",
        ".1.3.6.1.4.1.99999.1.0", "i", "-42",
        ".1.3.6.1.4.1.99999.3.0", "u", "4294967295",
        ".1.3.6.1.4.1.99999.6.0", "t", "8640000",
        ".1.3.6.1.4.1.99999.8.0", "a", "192.0.2.1",
        ".1.3.6.1.4.1.99999.9.0", "o", ".1.3.6.1.4.1.99999.42",
        ".1.3.6.1.4.1.99999.10.0", "s", "He said \"hi\"",
        ".1.3.6.1.4.1.99999.16.0", "x", "0001FF",
        ".1.3.6.1.4.1.99999.18.0", "d", "65.66.67",
    ];
    /// v2c inform: snmptrapd acknowledges it and vigie exits 0.
    v2c_inform_is_acknowledged: Snmpinform [
        "-v", "2c", "-c", "public", TARGET, "12345", ".1.3.6.1.4.1.99999.0.2",
        ".1.3.6.1.4.1.99999.1.0", "i", "42",
    ];
});

/// An inform nobody acknowledges times out alike (Net-SNMP prefixes the program name,
/// which necessarily differs).
#[test]
fn v2c_inform_times_out_without_receiver() {
    if !require(&[Peer::Snmpinform]) {
        return;
    }
    let target = silent_target();
    compare(
        Peer::Snmpinform,
        &[
            "-v",
            "2c",
            "-c",
            "public",
            "-t",
            "0.2",
            "-r",
            "0",
            &target,
            "12345",
            ".1.3.6.1.4.1.99999.0.2",
        ],
    )
    .masked(|text| {
        text.replace("snmpinform:", "PROGRAM:")
            .replace("vigie inform:", "PROGRAM:")
            .replace("vigie:", "PROGRAM:")
    })
    .assert_same();
}

/// Without an explicit uptime (`''`) both tools send the host's uptime, and a v1 trap
/// without an agent address carries the host's address: the records match once the clock
/// values, which move between the two sends, are masked.
#[test]
fn default_uptime_and_agent_address() {
    let Some(receiver) = receiver(&[Peer::Snmptrap]) else {
        return;
    };
    let target = receiver.target();
    compare(
        Peer::Snmptrap,
        &[
            "-v",
            "1",
            "-c",
            "public",
            &target,
            PASS_SUBTREE,
            "",
            "6",
            "1",
            "",
        ],
    )
    .assert_same();
    compare(
        Peer::Snmptrap,
        &[
            "-v",
            "2c",
            "-c",
            "public",
            &target,
            "",
            ".1.3.6.1.4.1.99999.0.1",
        ],
    )
    .assert_same();

    let records: Vec<String> = receiver
        .wait_for(4)
        .iter()
        .map(|r| mask_clocks(r))
        .collect();
    assert_eq!(records.len(), 4, "snmptrapd log:\n{}", receiver.log());
    assert_eq!(
        records[1], records[0],
        "v1 trap: vigie (left), snmptrap (right)"
    );
    assert_eq!(
        records[3], records[2],
        "v2c trap: vigie (left), snmptrap (right)"
    );
}

/// Masks the v1 time-stamp field and every `TimeTicks` varbind of a record.
fn mask_clocks(record: &str) -> String {
    let mut fields: Vec<&str> = record.split('|').collect();
    if let Some(stamp) = fields.get_mut(TIME_STAMP_FIELD) {
        *stamp = "#";
    }
    mask_timeticks(&fields.join("|"))
}

/// The position of `%T` in the harness's record format.
const TIME_STAMP_FIELD: usize = 4;
