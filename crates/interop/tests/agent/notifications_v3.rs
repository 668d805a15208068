//! Version 3 notifications from `vigie agent` to `snmptrapd`: a trap, whose authoritative engine
//! is the agent (the receiver knows the user by the agent's engine ID, `createUser -e`), and
//! an inform, whose authoritative engine is the receiver (the agent discovers it).

use tempfile::TempDir;
use vigie_interop::{Peer, Snmptrapd, require};

use super::VigieAgent;

#[test]
fn v3_traps_and_informs_reach_snmptrapd() {
    if !require(&[Peer::Snmptrapd, Peer::Snmpget]) {
        return;
    }
    let Some(trapd) = Snmptrapd::start_with(&format!(
        "createUser -e 0x{ENGINE_ID} trapper SHA trapperpass AES trapperpriv\n\
         createUser informer SHA-256 informerpass AES informerpriv\n"
    )) else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let state = dir.path().join("state");
    // The agent's engine ID, fixed in its state so that snmptrapd can know it beforehand.
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(
        state.join("vigie-agent.state"),
        format!("engineID {ENGINE_ID}\n"),
    )
    .unwrap();
    let config = dir.path().join("agent.toml");
    let target = trapd.target();
    std::fs::write(
        &config,
        format!(
            "[[trap]]\ntarget = \"udp:{target}\"\nversion = \"v3\"\nuser = \"trapper\"\n\
             auth = \"SHA\"\nauth_password = \"trapperpass\"\n\
             privacy = \"AES\"\npriv_password = \"trapperpriv\"\n\n\
             [[trap]]\ntarget = \"udp:{target}\"\nversion = \"v3\"\nkind = \"inform\"\n\
             user = \"informer\"\nlevel = \"authPriv\"\nauth = \"SHA-256\"\n\
             auth_password = \"informerpass\"\nprivacy = \"AES\"\n\
             priv_password = \"informerpriv\"\n"
        ),
    )
    .unwrap();
    let path = config.display().to_string();
    let agent = VigieAgent::start_with(&state, &["--config", &path]);
    let received = trapd.wait_for(2);
    assert_eq!(
        received.len(),
        2,
        "{received:?}\nsnmptrapd log:\n{}\nagent log:\n{}",
        trapd.log(),
        agent.log()
    );
    let trap = received
        .iter()
        .find(|record| record.starts_with("TRAP2, SNMP v3, user trapper"))
        .unwrap_or_else(|| panic!("the v3 trap: {received:?}"));
    let inform = received
        .iter()
        .find(|record| record.starts_with("INFORM, SNMP v3, user informer"))
        .unwrap_or_else(|| panic!("the v3 inform: {received:?}"));
    for record in [trap, inform] {
        assert!(
            record.contains("iso.3.6.1.6.3.1.1.4.1.0 = OID: iso.3.6.1.6.3.1.1.5.1"),
            "coldStart: {record}"
        );
    }
    // Nothing was refused: no wrong digest, no unknown user or engine on the receiver.
    let log = trapd.log();
    assert!(
        !log.contains("Authentication failure") && !log.contains("Unknown"),
        "{log}"
    );
}

/// The agent's engine ID: enterprise 32473 (RFC 5612), format 5, eight octets.
const ENGINE_ID: &str = "80007ed9050102030405060708";
