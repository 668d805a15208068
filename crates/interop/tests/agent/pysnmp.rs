//! pysnmp (from `PyPI`) as a second manager, independent of Net-SNMP: its GETBULK walk of the
//! whole tree, over v2c and v3 authPriv, sees the objects `snmpwalk` sees, in the same order.

use std::process::{Command, Stdio};

use tempfile::TempDir;
use vigie_interop::{Peer, require, run};

use super::{VigieAgent, snmp, walked_oids};

#[test]
fn pysnmp_walks_over_v2c_and_v3_auth_priv_see_what_snmpwalk_sees() {
    if !require(&[Peer::Snmpwalk]) || !pysnmp_importable() {
        return;
    }
    let dir = TempDir::new().unwrap();
    let config = dir.path().join("agent.toml");
    std::fs::write(
        &config,
        "[[user]]\nname = \"walker\"\nauth = \"SHA-256\"\nauth_password = \"walkerpassword\"\n\
         privacy = \"AES\"\npriv_password = \"walkerprivpass\"\naccess = \"ro\"\n",
    )
    .unwrap();
    let path = config.display().to_string();
    let agent = VigieAgent::start_with(&dir.path().join("state"), &["--config", &path]);
    let port = agent.port.to_string();
    let python = |args: &[&str]| {
        let mut all = vec![SCRIPT, "127.0.0.1", &port];
        all.extend_from_slice(args);
        run(std::path::Path::new("python3"), &all)
    };
    let v2c = python(&["v2c", "public"]);
    let v3 = python(&["v3", "walker", "walkerpassword", "walkerprivpass"]);
    let reference = snmp(
        Peer::Snmpwalk,
        &["-v2c", "-c", "public", "-On", &agent.target(), ".1.3"],
    );
    assert!(reference.success(), "{reference}");
    let expected = walked_oids(&reference);
    assert!(expected.len() > 40, "{reference}");
    for walk in [&v2c, &v3] {
        assert!(walk.success(), "{walk}\nagent log:\n{}", agent.log());
        let oids: Vec<Vec<u32>> = walk
            .stdout
            .lines()
            .map(|line| {
                let (oid, _) = line.split_once('\t').expect("OID, tab, type");
                oid.split('.').map(|arc| arc.parse().unwrap()).collect()
            })
            .collect();
        // Rows of the live host's tables can come and go between two walks: the OIDs
        // outside them must be the same, and every walk strictly increasing.
        assert!(oids.windows(2).all(|pair| pair[0] < pair[1]), "{walk}");
        let stable = |oids: &[Vec<u32>]| -> Vec<Vec<u32>> {
            oids.iter()
                .filter(|oid| !VOLATILE.iter().any(|prefix| oid.starts_with(prefix)))
                .cloned()
                .collect()
        };
        assert_eq!(stable(&oids), stable(&expected), "{walk}\n{reference}");
        // The types pysnmp decoded: 64-bit counters and the exceptions' absence.
        assert!(!walk.stdout.contains("EndOfMibView"), "{walk}");
    }
    assert!(
        v2c.stdout.contains("\tCounter64"),
        "ifHCInOctets and the like: {v2c}"
    );
}

/// Whether python3 can import pysnmp; otherwise skipped with a message, or a failure with
/// `VIGIE_REQUIRE_PEERS=1` (the test command installs it).
fn pysnmp_importable() -> bool {
    let importable = Command::new("python3")
        .args(["-c", "import pysnmp.hlapi.v3arch.asyncio"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if !importable {
        let message = "pysnmp is missing (pip install pysnmp): the pysnmp manager test is skipped";
        assert!(
            std::env::var_os("VIGIE_REQUIRE_PEERS").is_none_or(|value| value != "1"),
            "{message}"
        );
        eprintln!("{message}");
    }
    importable
}

/// The manager script.
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/agent/pysnmp_walk.py");
/// Subtrees whose rows follow the live host: hrStorage, hrDevice, hrProcessor (and the
/// counters' values are not compared at all, only their OIDs).
const VOLATILE: &[&[u32]] = &[&[1, 3, 6, 1, 2, 1, 25, 2], &[1, 3, 6, 1, 2, 1, 25, 3]];
