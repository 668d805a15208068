//! `vigie get` against `snmpget`.

use vigie_interop::Peer;

use crate::{
    PAST_THE_END, SYS_CONTACT_0, SYS_DESCR_0, SYS_LOCATION_0, SYS_NAME_0, SYS_OBJECT_ID_0, TARGET,
    agent, agent_case, all_pass_oids, pass, same,
};

cases!(agent_case {
    v2c_one_oid: Snmpget ["-v2c", "-c", "public", TARGET, SYS_DESCR_0];
    v1_one_oid: Snmpget ["-v1", "-c", "public", TARGET, SYS_DESCR_0];
    v2c_system_objects: Snmpget [
        "-v2c", "-c", "public", TARGET,
        SYS_DESCR_0, SYS_OBJECT_ID_0, SYS_CONTACT_0, SYS_NAME_0, SYS_LOCATION_0,
    ];
    /// noSuchInstance, noSuchObject, and an OID outside every registration, next to a value.
    v2c_exceptions: Snmpget [
        "-v2c", "-c", "public", TARGET,
        SYS_DESCR_0, ".1.3.6.1.2.1.1.1.1", ".1.3.6.1.2.1.1.99.0", &pass(99), PAST_THE_END,
    ];
    /// v1 has no exceptions: noSuchName, then Net-SNMP retries without the failed varbind.
    v1_no_such_name_among_good_oids: Snmpget [
        "-v1", "-c", "public", TARGET, SYS_DESCR_0, ".1.3.6.1.2.1.1.1.1", SYS_NAME_0,
    ];
    v1_no_such_name_alone: Snmpget ["-v1", "-c", "public", TARGET, &pass(99)];
    /// A Counter64 cannot travel in v1: snmpd answers noSuchName.
    v1_counter64_is_no_such_name: Snmpget ["-v1", "-c", "public", TARGET, &pass(5), &pass(4)];
    /// snmpd drops a request with an unknown community: both tools time out alike.
    wrong_community_times_out: Snmpget [
        "-v2c", "-c", "wrong", "-t", "0.2", "-r", "0", TARGET, SYS_DESCR_0,
    ];
    /// v1: a Counter64 and a missing object in one request; Net-SNMP reports the first
    /// failure and retries without it, then reports the next.
    v1_two_failures_in_one_request: Snmpget [
        "-v1", "-c", "public", TARGET, SYS_DESCR_0, &pass(5), ".1.3.6.1.2.1.1.99.0",
    ];
});

/// Every value type and string rendering in one request.
#[test]
fn v2c_every_pass_object() {
    let Some(agent) = agent(&[Peer::Snmpget]) else {
        return;
    };
    let target = agent.target();
    let oids = all_pass_oids();
    let mut args = vec!["-v2c", "-c", "public", &target];
    args.extend(oids.iter().map(String::as_str));
    same(Peer::Snmpget, &args);
}

/// The same objects one request each, so that a single bad rendering is named alone.
#[test]
fn v2c_each_pass_object_alone() {
    let Some(agent) = agent(&[Peer::Snmpget]) else {
        return;
    };
    let target = agent.target();
    for oid in all_pass_oids() {
        same(Peer::Snmpget, &["-v2c", "-c", "public", &target, &oid]);
    }
}

/// The agent written the other ways Net-SNMP accepts: transport prefix, host name.
#[test]
fn agent_address_forms() {
    let Some(agent) = agent(&[Peer::Snmpget]) else {
        return;
    };
    let port = agent.port();
    for target in [format!("udp:127.0.0.1:{port}"), format!("localhost:{port}")] {
        same(
            Peer::Snmpget,
            &["-v2c", "-c", "public", &target, SYS_DESCR_0],
        );
    }
}

/// A host name that does not resolve, and an OID that does not parse: Net-SNMP's message
/// and exit status.
#[test]
fn unknown_host_and_bad_oid() {
    let Some(agent) = agent(&[Peer::Snmpget]) else {
        return;
    };
    same(
        Peer::Snmpget,
        &["-v2c", "-c", "public", "nosuchhost.invalid", SYS_DESCR_0],
    );
    same(
        Peer::Snmpget,
        &["-v2c", "-c", "public", &agent.target(), "1.3.6.x"],
    );
}

/// Usage errors (no OID, no agent, unknown version) exit with Net-SNMP's status and print
/// a message. The usage text itself names the program, so only its presence is compared.
#[test]
fn usage_errors_exit_alike() {
    let Some(agent) = agent(&[Peer::Snmpget]) else {
        return;
    };
    let target = agent.target();
    for args in [
        &["-v2c", "-c", "public", target.as_str()][..],
        &["-v2c", "-c", "public"][..],
        &["-v9", "-c", "public", target.as_str(), SYS_DESCR_0][..],
    ] {
        let pair = vigie_interop::compare(Peer::Snmpget, args);
        assert_eq!(
            pair.vigie.status, pair.netsnmp.status,
            "{}\n{}",
            pair.netsnmp, pair.vigie
        );
        assert!(!pair.vigie.stderr.is_empty(), "{}", pair.vigie);
        assert_eq!(pair.vigie.stdout, pair.netsnmp.stdout, "{}", pair.vigie);
    }
}

/// `-d` dumps each datagram as Net-SNMP does. The client's port and the request-id differ
/// between the two runs: the port is masked, and so is the dump line holding the request-id
/// (the second one of a v2c `GetRequest` with a six-octet community).
#[test]
fn packet_dumps() {
    let Some(agent) = agent(&[Peer::Snmpget]) else {
        return;
    };
    let target = agent.target();
    vigie_interop::compare(
        Peer::Snmpget,
        &["-d", "-v2c", "-c", "public", &target, SYS_DESCR_0],
    )
    .masked(mask_dump)
    .assert_same();
}

fn mask_dump(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.starts_with("0016: ") {
                "0016: (request-id)".to_owned()
            } else if let Some(at) = line.find("->[0.0.0.0]:") {
                format!("{}->[0.0.0.0]:PORT", &line[..at])
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
