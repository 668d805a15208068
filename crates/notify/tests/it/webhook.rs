//! Webhooks against a small HTTP/1.1 server written here (plain and over rustls), which
//! checks the signature the way a receiver would.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use vigie_notify::{
    AttemptQuery, Channel, Channels, LinkFailure, ManualClock, Notification, Outbox, Secret,
    TrustAnchors, WebhookConfig, WebhookFailure, Worker, post_webhook, verify_signature,
};

use super::peers::{Pki, ServerCert};

const SECRET: &str = "webhook signing secret";

/// A TLS acceptor with a server certificate for 127.0.0.1 signed by `pki`'s CA.
pub(crate) fn tls_acceptor(pki: &Pki) -> TlsAcceptor {
    let (cert, key) = pki.server("receiver", ServerCert::Good);
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert)
        .expect("test certificate")
        .collect::<Result<_, _>>()
        .expect("test certificate");
    let key = PrivateKeyDer::from_pem_file(&key).expect("test key");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("test TLS config")
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .expect("test TLS config");
    TlsAcceptor::from(Arc::new(config))
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// One request as the receiver saw it.
#[derive(Debug)]
struct Request {
    line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

async fn read_request(stream: &mut (dyn Io + '_)) -> Option<Request> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 1024];
    let end = loop {
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buffer[..end].to_vec()).ok()?;
    let mut lines = head.split("\r\n");
    let line = lines.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))?
        .1
        .parse()
        .ok()?;
    let mut body = buffer[end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Request {
        line,
        headers,
        body,
    })
}

/// Answers one connection per reply, in order, and returns the requests seen.
async fn receiver(
    replies: Vec<(u16, &'static str)>,
    tls: Option<TlsAcceptor>,
) -> (u16, JoinHandle<Vec<Request>>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("test listener");
    let port = listener.local_addr().expect("test listener").port();
    let task = tokio::spawn(async move {
        let mut seen = Vec::new();
        for (status, body) in replies {
            let Ok((tcp, _)) = listener.accept().await else {
                break;
            };
            let mut stream: Box<dyn Io> = match &tls {
                Some(acceptor) => match acceptor.accept(tcp).await {
                    Ok(stream) => Box::new(stream),
                    Err(_) => continue,
                },
                None => Box::new(tcp),
            };
            let Some(request) = read_request(&mut *stream).await else {
                continue;
            };
            let reply = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes()).await;
            let _ = stream.shutdown().await;
            seen.push(request);
        }
        seen
    });
    (port, task)
}

fn config(url: String, ca: Option<&[u8]>) -> WebhookConfig {
    let mut config = WebhookConfig::new(url, Secret::new(SECRET));
    config.timeout = Duration::from_secs(5);
    config.trust = TrustAnchors {
        system_roots: false,
        certificates: ca.map(|ca| vec![ca.to_vec().into()]).unwrap_or_default(),
    };
    config
}

const NOW: Duration = Duration::from_secs(1_795_464_621);

#[tokio::test]
async fn a_signed_post_is_accepted_and_the_receiver_can_verify_it() {
    let (port, seen) = receiver(vec![(200, "thanks")], None).await;
    let body = r#"{"alarm":{"id":42,"severity":"critical"}}"#;
    let response = post_webhook(
        &config(format!("http://127.0.0.1:{port}/hooks/vigie?x=1"), None),
        "delivery-42",
        body,
        UNIX_EPOCH + NOW,
    )
    .await
    .expect("accepted");
    assert_eq!(response.status, 200);
    assert_eq!(response.body_excerpt, "thanks");

    let seen = seen.await.expect("receiver");
    let request = &seen[0];
    assert_eq!(request.line, "POST /hooks/vigie?x=1 HTTP/1.1");
    assert_eq!(
        request.header("Host"),
        Some(format!("127.0.0.1:{port}").as_str())
    );
    assert_eq!(request.header("Content-Type"), Some("application/json"));
    assert_eq!(request.header("X-Vigie-Delivery"), Some("delivery-42"));
    assert_eq!(request.body, body.as_bytes());
    let timestamp = request.header("X-Vigie-Timestamp").expect("timestamp");
    assert_eq!(timestamp, NOW.as_secs().to_string());
    let signature = request.header("X-Vigie-Signature").expect("signature");
    assert!(signature.starts_with("sha256="));
    let secret = Secret::new(SECRET);
    assert!(verify_signature(
        &secret,
        timestamp,
        &request.body,
        signature
    ));
    // A replayed body with a fresh timestamp does not verify: the timestamp is signed.
    let later = (NOW.as_secs() + 600).to_string();
    assert!(!verify_signature(&secret, &later, &request.body, signature));
    assert!(!verify_signature(
        &Secret::new("wrong"),
        timestamp,
        &request.body,
        signature
    ));
}

#[tokio::test]
async fn statuses_are_classified_with_the_body_excerpt() {
    let replies = vec![
        (503, "maintenance"),
        (429, "slow down"),
        (404, "no such hook"),
        (401, "bad signature"),
    ];
    let (port, _seen) = receiver(replies, None).await;
    let config = config(format!("http://127.0.0.1:{port}/"), None);
    let mut results = Vec::new();
    for _ in 0..4 {
        let failure = post_webhook(&config, "d", "{}", SystemTime::now())
            .await
            .expect_err("refused");
        results.push((failure.status(), failure.kind(), failure.is_transient()));
        if let WebhookFailure::Status { body, .. } = &failure {
            assert!(!body.is_empty());
        }
    }
    assert_eq!(
        results,
        [
            (Some(503), "http_server_error", true),
            (Some(429), "http_rate_limited", true),
            (Some(404), "http_client_error", false),
            (Some(401), "http_unauthorized", false),
        ]
    );
}

#[tokio::test]
async fn https_with_the_trusted_ca_is_accepted() {
    let pki = Pki::new("Vigie Webhook CA");
    let (port, seen) = receiver(vec![(204, "")], Some(tls_acceptor(&pki))).await;
    let response = post_webhook(
        &config(format!("https://127.0.0.1:{port}/h"), Some(&pki.ca_der())),
        "d1",
        "{}",
        SystemTime::now(),
    )
    .await
    .expect("accepted over TLS");
    assert_eq!(response.status, 204);
    assert_eq!(seen.await.expect("receiver").len(), 1);
}

#[tokio::test]
async fn https_with_an_unknown_ca_is_an_untrusted_certificate() {
    let pki = Pki::new("Vigie Webhook CA");
    let other = Pki::new("Another CA");
    let (port, _seen) = receiver(vec![(200, "")], Some(tls_acceptor(&pki))).await;
    let failure = post_webhook(
        &config(format!("https://127.0.0.1:{port}/h"), Some(&other.ca_der())),
        "d1",
        "{}",
        SystemTime::now(),
    )
    .await
    .expect_err("untrusted");
    match &failure {
        WebhookFailure::Link(LinkFailure::UntrustedCertificate { chain, .. }) => {
            assert_eq!(chain.len(), 2, "the presented chain is kept for import");
        }
        other => panic!("expected an untrusted certificate, got {other:?}"),
    }
    assert!(!failure.is_transient());
    assert!(failure.fix().contains("trust store"));
}

#[tokio::test]
async fn refused_connection_is_transient() {
    let port = super::peers::free_port();
    let failure = post_webhook(
        &config(format!("http://127.0.0.1:{port}/"), None),
        "d",
        "{}",
        SystemTime::now(),
    )
    .await
    .expect_err("refused");
    assert_eq!(failure.kind(), "connection_refused");
    assert!(failure.is_transient());
}

#[tokio::test]
async fn the_outbox_retries_a_5xx_with_the_same_delivery_id() {
    let dir = tempfile::tempdir().expect("test dir");
    let clock = ManualClock::new(UNIX_EPOCH + NOW);
    let outbox = Outbox::open(dir.path().join("vigie.db"))
        .await
        .expect("test database")
        .with_clock(Arc::new(clock.clone()));
    let (port, seen) = receiver(vec![(500, "boom"), (200, "ok")], None).await;
    let mut channels = Channels::new();
    channels.insert(
        "hooks",
        Channel::Webhook(config(format!("http://127.0.0.1:{port}/"), None)),
    );
    let worker = Worker::new(outbox.clone(), channels);
    let notification = Notification::webhook("hooks", r#"{"n":1}"#);
    outbox.enqueue(&notification).await.expect("enqueue");
    assert_eq!(worker.run_once().await.expect("pass").retried, 1);
    clock.advance(Duration::from_secs(60));
    assert_eq!(worker.run_once().await.expect("pass").delivered, 1);

    let seen = seen.await.expect("receiver");
    assert_eq!(seen.len(), 2);
    for request in &seen {
        assert_eq!(
            request.header("X-Vigie-Delivery"),
            Some(notification.key.as_str())
        );
    }
    let log = outbox
        .attempts(&AttemptQuery {
            failures_only: true,
            ..AttemptQuery::default()
        })
        .await
        .expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].smtp_code, Some(500));
    assert_eq!(log[0].server_text.as_deref(), Some("boom"));
    assert_eq!(log[0].classification.as_deref(), Some("http_server_error"));
    assert_eq!(log[0].stage.as_deref(), Some("response"));
    assert!(!serde_json::to_string(&log).expect("json").contains(SECRET));
}
