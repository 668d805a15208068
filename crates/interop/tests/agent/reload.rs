//! SIGHUP applies changed listen addresses and notification targets, not only access rules.

use std::process::Command;

use tempfile::TempDir;
use vigie_interop::{Peer, Snmptrapd, free_udp_port, require};

use super::{SYS_UP_TIME, VigieAgent, snmp};

#[test]
fn sighup_moves_listen_addresses_and_notification_targets() {
    if !require(&[Peer::Snmptrapd, Peer::Snmpget]) {
        return;
    }
    let Some(trapd) = Snmptrapd::start() else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let config = dir.path().join("agent.toml");
    let before = free_udp_port();
    let after = free_udp_port();
    let write = |port: u16, community: &str| {
        std::fs::write(
            &config,
            format!(
                "listen = [\"udp:127.0.0.1:{port}\"]\n\n\
                 [[trap]]\ntarget = \"udp:{}\"\ncommunity = \"{community}\"\n",
                trapd.target()
            ),
        )
        .unwrap();
    };
    write(before, "first");
    let path = config.display().to_string();
    let agent = VigieAgent::start_with(&dir.path().join("state"), &["--config", &path]);
    let answers = |port: u16| {
        snmp(
            Peer::Snmpget,
            &[
                "-v2c",
                "-c",
                "public",
                "-t",
                "0.3",
                "-r",
                "0",
                &format!("127.0.0.1:{port}"),
                SYS_UP_TIME,
            ],
        )
        .success()
    };
    assert!(answers(before), "agent log:\n{}", agent.log());
    assert!(!answers(after));

    write(after, "second");
    let status = Command::new("kill")
        .args(["-HUP", &agent.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let received = trapd.wait_for(2);
    assert_eq!(
        received.len(),
        2,
        "{received:?}\nagent log:\n{}",
        agent.log()
    );
    // coldStart went to the first target, warmStart to the second only.
    assert!(
        received[0].contains("community first") && received[0].contains("iso.3.6.1.6.3.1.1.5.1"),
        "{received:?}"
    );
    assert!(
        received[1].contains("community second") && received[1].contains("iso.3.6.1.6.3.1.1.5.2"),
        "{received:?}"
    );
    assert!(answers(after), "agent log:\n{}", agent.log());
    assert!(!answers(before), "the old address still answers");
    // The address given on the command line stays.
    assert!(answers(agent.port));

    // An address that cannot be bound leaves everything as it was.
    let taken = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let taken_port = taken.local_addr().unwrap().port();
    write(taken_port, "third");
    let status = Command::new("kill")
        .args(["-HUP", &agent.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !agent.log().contains("reload failed") && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(agent.log().contains("reload failed"), "{}", agent.log());
    assert!(answers(after), "agent log:\n{}", agent.log());
    assert_eq!(trapd.notifications().len(), 2);
}
