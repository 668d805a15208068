//! Syslog delivery to listeners in the test: UDP datagrams (RFC 5426), TCP and TLS with
//! octet-counting frames (RFC 6587 §3.4.1, RFC 5425 §4.3).

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::net::{TcpListener, UdpSocket};
use vigie_notify::{
    AttemptOutcome, AttemptQuery, Channel, Channels, LinkFailure, ManualClock, Notification,
    Outbox, SdElement, SyslogConfig, SyslogFailure, SyslogMessage, SyslogTransport, TrustAnchors,
    Worker, send_syslog,
};

use super::peers::Pki;
use super::webhook::tls_acceptor;

fn message() -> SyslogMessage {
    let mut message = SyslogMessage::new(
        16,
        2,
        "vigie-1",
        "Link down on core-1 Gi0/1 — état critique",
    );
    message.msgid = "ALARM".into();
    message.structured_data = vec![SdElement {
        id: "alarm@32473".into(),
        params: vec![
            ("id".into(), "42".into()),
            ("device".into(), "core-1 [rack \"A\"]".into()),
        ],
    }];
    message
}

fn config(port: u16, transport: SyslogTransport) -> SyslogConfig {
    let mut config = SyslogConfig::new("127.0.0.1", transport);
    config.port = port;
    config.timeout = Duration::from_secs(5);
    config
}

/// Reads one octet-counted frame (`MSG-LEN SP SYSLOG-MSG`) and checks nothing follows it.
async fn read_frame(mut stream: impl AsyncRead + Unpin) -> Vec<u8> {
    let mut all = Vec::new();
    stream.read_to_end(&mut all).await.expect("frame");
    let space = all.iter().position(|&b| b == b' ').expect("MSG-LEN SP");
    let length: usize = std::str::from_utf8(&all[..space])
        .expect("digits")
        .parse()
        .expect("MSG-LEN");
    assert_eq!(
        all.len() - space - 1,
        length,
        "MSG-LEN counts the octets of the message"
    );
    all.split_off(space + 1)
}

#[tokio::test]
async fn udp_sends_one_datagram_per_message() {
    let socket = UdpSocket::bind("127.0.0.1:0").await.expect("test socket");
    let port = socket.local_addr().expect("test socket").port();
    let message = message();
    send_syslog(&config(port, SyslogTransport::Udp), &message)
        .await
        .expect("sent");
    let mut buffer = vec![0u8; 4096];
    let (n, _) = tokio::time::timeout(Duration::from_secs(5), socket.recv_from(&mut buffer))
        .await
        .expect("datagram in time")
        .expect("datagram");
    assert_eq!(&buffer[..n], message.encode().expect("valid").as_slice());
    let text = String::from_utf8_lossy(&buffer[..n]);
    assert!(text.starts_with("<130>1 "), "{text}");
    assert!(
        text.contains(r#"[alarm@32473 id="42" device="core-1 [rack \"A\"\]"]"#),
        "{text}"
    );
}

#[tokio::test]
async fn tcp_uses_octet_counting() {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("test listener");
    let port = listener.local_addr().expect("test listener").port();
    let receiver = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("connection");
        read_frame(stream).await
    });
    let message = message();
    send_syslog(&config(port, SyslogTransport::Tcp), &message)
        .await
        .expect("sent");
    assert_eq!(
        receiver.await.expect("receiver"),
        message.encode().expect("valid")
    );
}

#[tokio::test]
async fn tls_uses_octet_counting_over_the_trusted_chain() {
    let pki = Pki::new("Vigie Syslog CA");
    let acceptor = tls_acceptor(&pki);
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("test listener");
    let port = listener.local_addr().expect("test listener").port();
    let receiver = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("connection");
        let stream = acceptor.accept(stream).await.expect("handshake");
        read_frame(stream).await
    });
    let mut config = config(port, SyslogTransport::Tls);
    config.trust = TrustAnchors {
        system_roots: false,
        certificates: vec![pki.ca_der().into()],
    };
    let message = message();
    send_syslog(&config, &message).await.expect("sent");
    assert_eq!(
        receiver.await.expect("receiver"),
        message.encode().expect("valid")
    );
}

#[tokio::test]
async fn tls_with_an_unknown_ca_fails_permanently() {
    let pki = Pki::new("Vigie Syslog CA");
    let acceptor = tls_acceptor(&pki);
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("test listener");
    let port = listener.local_addr().expect("test listener").port();
    tokio::spawn(async move {
        if let Ok((stream, _)) = listener.accept().await {
            let _ = acceptor.accept(stream).await;
        }
    });
    let mut config = config(port, SyslogTransport::Tls);
    config.trust = TrustAnchors {
        system_roots: false,
        certificates: vec![Pki::new("Other CA").ca_der().into()],
    };
    let failure = send_syslog(&config, &message())
        .await
        .expect_err("untrusted");
    assert!(
        matches!(
            failure,
            SyslogFailure::Link(LinkFailure::UntrustedCertificate { .. })
        ),
        "{failure:?}"
    );
    assert!(!failure.is_transient());
}

#[tokio::test]
async fn the_outbox_delivers_syslog_after_the_receiver_comes_up() {
    let dir = tempfile::tempdir().expect("test dir");
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_795_464_621));
    let outbox = Outbox::open(dir.path().join("vigie.db"))
        .await
        .expect("test database")
        .with_clock(Arc::new(clock.clone()));
    let port = super::peers::free_port();
    let mut channels = Channels::new();
    channels.insert("logs", Channel::Syslog(config(port, SyslogTransport::Tcp)));
    let worker = Worker::new(outbox.clone(), channels);
    let message = message();
    outbox
        .enqueue(&Notification::syslog("logs", message.clone()))
        .await
        .expect("enqueue");
    assert_eq!(worker.run_once().await.expect("pass").retried, 1);

    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("test listener");
    let receiver = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("connection");
        read_frame(stream).await
    });
    clock.advance(Duration::from_secs(60));
    assert_eq!(worker.run_once().await.expect("pass").delivered, 1);
    assert_eq!(
        receiver.await.expect("receiver"),
        message.encode().expect("valid")
    );
    let log = outbox
        .attempts(&AttemptQuery::default())
        .await
        .expect("log");
    let outcomes: Vec<_> = log
        .iter()
        .map(|r| (r.outcome, r.classification.clone()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (AttemptOutcome::Delivered, None),
            (AttemptOutcome::Retry, Some("connection_refused".to_owned())),
        ]
    );
    assert!(
        log.iter()
            .all(|r| r.kind == "syslog" && r.target == format!("127.0.0.1:{port}"))
    );
}
