//! The peers behave as the harness documents, checked with Net-SNMP's own tools only, so
//! that a vigie failure elsewhere is never a fixture bug.

use vigie_interop::{
    PASS_SUBTREE, Peer, SYS_CONTACT, SYS_DESCR, SYS_LOCATION, SYS_NAME, pass_objects, run_netsnmp,
};

use crate::{
    SYS_CONTACT_0, SYS_DESCR_0, SYS_LOCATION_0, SYS_NAME_0, SYS_OBJECT_ID_0, agent, receiver,
};

/// `snmpget` sees every pass object with the rendering recorded in the harness.
#[test]
fn pass_subtree_serves_documented_values() {
    let Some(agent) = agent(&[Peer::Snmpget]) else {
        return;
    };
    let oids: Vec<String> = pass_objects().iter().map(|object| object.oid()).collect();
    let target = agent.target();
    let mut args = vec!["-v2c", "-c", "public", &target];
    args.extend(oids.iter().map(String::as_str));

    let out = run_netsnmp(Peer::Snmpget, &args);

    let expected: String = pass_objects()
        .iter()
        .map(|object| {
            let oid = object.oid().replacen(".1.3.6.1", "iso.3.6.1", 1);
            format!("{oid} = {}\n", object.netsnmp)
        })
        .collect();
    assert_eq!(out.stdout, expected, "{out}\nsnmpd log:\n{}", agent.log());
    assert_eq!(out.stderr, "");
    assert!(out.success());
}

/// The system group carries the configured values.
#[test]
fn system_group_is_configured() {
    let Some(agent) = agent(&[Peer::Snmpget]) else {
        return;
    };
    let target = agent.target();
    let out = run_netsnmp(
        Peer::Snmpget,
        &[
            "-v2c",
            "-c",
            "public",
            "-Oqv",
            &target,
            SYS_DESCR_0,
            SYS_OBJECT_ID_0,
            SYS_CONTACT_0,
            SYS_NAME_0,
            SYS_LOCATION_0,
        ],
    );
    assert_eq!(
        out.stdout,
        format!(
            "\"{SYS_DESCR}\"\niso.3.6.1.4.1.99999.1\n\"{SYS_CONTACT}\"\n\"{SYS_NAME}\"\n\
             \"{SYS_LOCATION}\"\n"
        ),
        "{out}"
    );
}

/// A walk of the pass subtree returns every object once and stops at its end.
#[test]
fn pass_subtree_walks_to_its_end() {
    let Some(agent) = agent(&[Peer::Snmpwalk]) else {
        return;
    };
    let target = agent.target();
    let out = run_netsnmp(
        Peer::Snmpwalk,
        &["-v2c", "-c", "public", "-On", "-Oq", &target, PASS_SUBTREE],
    );
    let names: Vec<&str> = out
        .stdout
        .lines()
        .filter_map(|line| line.strip_prefix(PASS_SUBTREE))
        .map(|rest| rest.split(' ').next().unwrap_or_default())
        .collect();
    let expected: Vec<String> = pass_objects()
        .iter()
        .map(|object| format!(".{}.0", object.index))
        .collect();
    assert_eq!(names, expected, "{out}");
    assert!(out.success());
}

/// The agent answers on its port and stops when dropped: nothing keeps running.
#[test]
fn agent_stops_when_dropped() {
    let Some(agent) = agent(&[Peer::Snmpget]) else {
        return;
    };
    let pid = agent.pid();
    assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
    drop(agent);
    // `Drop` reaps the child, so its /proc entry is gone at once.
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
}

/// `snmptrapd` logs a v1 trap from `snmptrap` in the documented record format.
#[test]
fn snmptrapd_logs_a_v1_trap() {
    let Some(receiver) = receiver(&[Peer::Snmptrap]) else {
        return;
    };
    let target = receiver.target();
    let out = run_netsnmp(
        Peer::Snmptrap,
        &[
            "-v",
            "1",
            "-c",
            "public",
            &target,
            PASS_SUBTREE,
            "192.0.2.7",
            "6",
            "17",
            "12345",
            ".1.3.6.1.4.1.99999.1.0",
            "i",
            "42",
        ],
    );
    assert!(out.success(), "{out}");
    assert_eq!(
        receiver.wait_for(1),
        [
            "TRAP, SNMP v1, community public|iso.3.6.1.4.1.99999|6|.17|12345|192.0.2.7|\
          iso.3.6.1.4.1.99999.1.0 = INTEGER: 42"
        ],
        "log:\n{}",
        receiver.log()
    );
}
