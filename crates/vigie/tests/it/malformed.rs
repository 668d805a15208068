//! An agent that answers with malformed messages: vigie times out as Net-SNMP does, then says
//! why the answers were dropped.

use std::net::UdpSocket;
use std::thread;
use std::time::Duration;

use crate::support::vigie;

#[test]
fn truncated_answers_are_named_after_the_timeout() {
    let agent = UdpSocket::bind("127.0.0.1:0").expect("bind the fake agent");
    agent
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("set the read timeout");
    let address = agent.local_addr().expect("local address");
    // Answers every request with its first half, so the outer SEQUENCE runs past the end.
    let responder = thread::spawn(move || {
        let mut buffer = [0u8; 65_535];
        let mut answered = 0;
        while let Ok((length, from)) = agent.recv_from(&mut buffer) {
            let half = &buffer[..length / 2];
            agent.send_to(half, from).expect("answer");
            answered += 1;
            if answered == 2 {
                break;
            }
        }
        answered
    });

    let target = address.to_string();
    let output = vigie(
        "get",
        &[
            "-v2c",
            "-c",
            "public",
            "-t",
            "0.3",
            "-r",
            "1",
            &target,
            ".1.3.6.1.2.1.1.1.0",
        ],
    );

    assert_eq!(
        responder.join().expect("fake agent"),
        2,
        "request and retry were both answered"
    );
    assert_eq!(output.status, Some(1));
    assert!(output.stdout.is_empty());
    assert_eq!(
        output.stderr,
        format!(
            "Timeout: No Response from {target}.\n{target} answered, but with a malformed \
             message (truncated input at offset 1), which was dropped.\n"
        )
    );
}
