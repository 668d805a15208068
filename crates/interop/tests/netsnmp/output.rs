//! Output options (`-O…`) of `vigie get` and `vigie walk` against Net-SNMP.

use vigie_interop::{PASS_SUBTREE, Peer};

use crate::{agent, all_pass_oids, same};

/// Every pass object under each output option.
#[test]
fn get_with_each_output_option() {
    let Some(agent) = agent(&[Peer::Snmpget]) else {
        return;
    };
    let target = agent.target();
    let oids = all_pass_oids();
    for option in OPTIONS {
        let mut args = vec!["-v2c", "-c", "public", option, &target];
        args.extend(oids.iter().map(String::as_str));
        same(Peer::Snmpget, &args);
    }
}

/// A walk under each output option.
#[test]
fn walk_with_each_output_option() {
    let Some(agent) = agent(&[Peer::Snmpwalk]) else {
        return;
    };
    let target = agent.target();
    for option in OPTIONS {
        same(
            Peer::Snmpwalk,
            &["-v2c", "-c", "public", option, &target, PASS_SUBTREE],
        );
    }
}

/// Every `-O` flag that changes output without a MIB, alone, and the combinations scripts
/// use most.
const OPTIONS: &[&str] = &[
    "-On", "-Oq", "-OQ", "-Ov", "-Ox", "-Ot", "-Oa", "-Ob", "-Oe", "-Of", "-Os", "-OS", "-OT",
    "-OU", "-Ou", "-OX", "-OE", "-Oqv", "-OnQ", "-Oqn", "-Otq",
];
