//! vigie-notify against real peers on loopback: an `aiosmtpd` relay (the Python package of that name) started
//! from `tests/smtpd/relay.py`, and `openssl s_server` for a DHE-only TLS server. Each
//! `DeliveryFailure` classification is produced here for real by at least one test.

mod outbox;
mod peers;
mod rsyslog;
mod syslog;
mod webhook;

use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use peers::{OpenSslServer, Pki, Relay, ServerCert};
use vigie_notify::{
    CertificateProblem, DeliveryFailure, Encryption, Mailbox, Message, Secret, SmtpConfig, Stage,
    TrustAnchors, TrustStore, capture_chain, send,
};

const USER: &str = "AKIAVIGIETEST";
const PASSWORD: &str = "correct horse battery staple";

fn config(port: u16, encryption: Encryption, ca: &[u8]) -> SmtpConfig {
    let mut config = SmtpConfig::new("127.0.0.1", port, "vigie@example.com");
    config.encryption = encryption;
    config.trust = TrustAnchors {
        system_roots: false,
        certificates: vec![ca.to_vec().into()],
    };
    config.timeouts.greeting = Duration::from_secs(2);
    config.timeouts.tls = Duration::from_secs(5);
    config.timeouts.command = Duration::from_secs(5);
    config
}

fn message() -> Message {
    let mut message = Message::new(
        Mailbox::with_name("Vigie", "vigie@example.com").expect("valid test message"),
        vec![
            Mailbox::new("ops@example.com").expect("valid test message"),
            Mailbox::new("noc@example.com").expect("valid test message"),
        ],
        "Lien coupé sur le routeur de Besançon",
        "Interface Gi0/1 is down.\n.\n.hidden line\nend\n",
    )
    .expect("valid test message");
    message.cc = vec![Mailbox::new("cc@example.com").expect("valid test message")];
    message
}

fn relay_args<'a>(mode: &'a str, cert: &'a Path, key: &'a Path) -> Vec<&'a str> {
    vec![
        "--mode",
        mode,
        "--cert",
        cert.to_str().expect("valid test message"),
        "--key",
        key.to_str().expect("valid test message"),
    ]
}

fn with_auth(mut args: Vec<&str>) -> Vec<&str> {
    args.extend(["--auth-user", USER, "--auth-password", PASSWORD]);
    args
}

#[tokio::test]
async fn starttls_with_auth_plain_delivers_the_message() {
    if !peers::aiosmtpd() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let relay = Relay::start(&with_auth(relay_args("starttls", &cert, &key)));
    let config = config(relay.port(), Encryption::StartTls, &pki.ca_der())
        .with_credentials(USER, Secret::new(PASSWORD));
    let message = message();

    let delivered = send(&config, &message).await.unwrap();
    assert_eq!(delivered.reply.code, 250);
    assert_eq!(delivered.reply.text(), "Ok: queued as VIGIE0001");
    assert!(delivered.tls.is_some());

    let received = relay.received();
    assert_eq!(received.len(), 1);
    let vigie_interop::Received { envelope, content } = &received[0];
    assert_eq!(
        envelope,
        &[
            "vigie@example.com",
            "ops@example.com",
            "noc@example.com",
            "cc@example.com"
        ]
    );
    assert!(content.contains(&format!("Message-ID: <{}>\r\n", message.message_id)));
    assert!(content.contains("To: ops@example.com, noc@example.com\r\n"));
    assert!(content.contains("Cc: cc@example.com\r\n"));
    assert!(content.contains("From: \"Vigie\" <vigie@example.com>\r\n"));
    assert!(content.contains("Subject: =?utf-8?B?"));
    // The relay undoes the dot-stuffing: the body arrives exactly as written.
    assert!(
        content.ends_with("\r\n\r\nInterface Gi0/1 is down.\r\n.\r\n.hidden line\r\nend\r\n"),
        "{content:?}"
    );
}

#[tokio::test]
async fn starttls_with_auth_login_delivers() {
    if !peers::aiosmtpd() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let mut args = with_auth(relay_args("starttls", &cert, &key));
    args.extend(["--auth-exclude", "PLAIN"]);
    let relay = Relay::start(&args);
    let config = config(relay.port(), Encryption::StartTls, &pki.ca_der())
        .with_credentials(USER, Secret::new(PASSWORD));
    send(&config, &message()).await.unwrap();
    assert_eq!(relay.received().len(), 1);
}

#[tokio::test]
async fn implicit_tls_delivers() {
    if !peers::aiosmtpd() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let relay = Relay::start(&with_auth(relay_args("implicit", &cert, &key)));
    let config = config(relay.port(), Encryption::ImplicitTls, &pki.ca_der())
        .with_credentials(USER, Secret::new(PASSWORD));
    let delivered = send(&config, &message()).await.unwrap();
    assert!(delivered.tls.is_some());
    assert_eq!(relay.received().len(), 1);
}

#[tokio::test]
async fn wrong_password_is_bad_credentials_and_never_shows_the_password() {
    if !peers::aiosmtpd() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let relay = Relay::start(&with_auth(relay_args("starttls", &cert, &key)));
    let config = config(relay.port(), Encryption::StartTls, &pki.ca_der())
        .with_credentials(USER, Secret::new("wrong-password-xyz"));
    let failure = send(&config, &message()).await.unwrap_err();
    let DeliveryFailure::BadCredentials { reply } = &failure else {
        panic!("{failure:?}")
    };
    assert_eq!(reply.code, 535);
    assert_eq!(
        reply.enhanced.map(|e| e.to_string()).as_deref(),
        Some("5.7.8")
    );
    assert!(failure.fix().contains("not the IAM access key"));
    assert!(!format!("{failure} {failure:?}").contains("wrong-password-xyz"));
    assert!(!failure.is_transient());
    assert!(relay.received().is_empty());
}

#[tokio::test]
async fn relay_answering_535_to_every_auth() {
    if !peers::aiosmtpd() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let mut args = relay_args("starttls", &cert, &key);
    args.push("--auth-reject");
    let relay = Relay::start(&args);
    let config = config(relay.port(), Encryption::StartTls, &pki.ca_der())
        .with_credentials(USER, Secret::new(PASSWORD));
    let failure = send(&config, &message()).await.unwrap_err();
    assert!(
        matches!(failure, DeliveryFailure::BadCredentials { .. }),
        "{failure:?}"
    );
    assert_eq!(failure.stage(), Some(Stage::Auth));
}

#[tokio::test]
async fn ses_unverified_sender_names_address_and_region() {
    if !peers::aiosmtpd() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let mut args = with_auth(relay_args("starttls", &cert, &key));
    args.push("--ses-unverified");
    let relay = Relay::start(&args);
    let config = config(relay.port(), Encryption::StartTls, &pki.ca_der())
        .with_credentials(USER, Secret::new(PASSWORD));
    let failure = send(&config, &message()).await.unwrap_err();
    let DeliveryFailure::UnverifiedSender {
        stage,
        address,
        region,
        reply,
    } = &failure
    else {
        panic!("{failure:?}")
    };
    assert_eq!((*stage, reply.code), (Stage::MailFrom, 554));
    assert_eq!(address.as_deref(), Some("vigie@example.com"));
    assert_eq!(region.as_deref(), Some("US-EAST-1"));
    assert!(failure.fix().contains("verified in SES"));
}

#[tokio::test]
async fn unknown_ca_is_captured_imported_then_the_send_succeeds() {
    if !peers::aiosmtpd() {
        return;
    }
    let pki = Pki::new("Private Relay CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let relay = Relay::start(&with_auth(relay_args("starttls", &cert, &key)));
    let store_dir = tempfile::tempdir().unwrap();
    let mut store = TrustStore::open(store_dir.path()).unwrap();
    let mut config = config(relay.port(), Encryption::StartTls, &pki.ca_der())
        .with_credentials(USER, Secret::new(PASSWORD));
    config.trust = store.anchors(false);

    let failure = send(&config, &message()).await.unwrap_err();
    let DeliveryFailure::UntrustedCertificate { problem, chain } = &failure else {
        panic!("{failure:?}")
    };
    assert_eq!(*problem, CertificateProblem::UnknownIssuer);
    assert_eq!(chain.len(), 2, "the presented chain is kept");
    assert!(failure.fix().contains("trust store"));

    let captured = capture_chain(
        "127.0.0.1",
        relay.port(),
        Encryption::StartTls,
        &config.trust,
    )
    .await
    .unwrap();
    assert_eq!(captured.validation, Err(CertificateProblem::UnknownIssuer));
    let names: Vec<_> = captured
        .certificates
        .iter()
        .map(|c| c.info.common_name.clone().unwrap_or_default())
        .collect();
    assert_eq!(names, ["relay.test", "Private Relay CA"]);
    assert_eq!(captured.certificates[1].file_name(), "PrivateRelayCA.pem");
    assert_eq!(
        captured.certificates[1].der.as_ref(),
        pki.ca_der().as_slice()
    );

    for certificate in &captured.certificates {
        store
            .import_pem(certificate.pem().as_bytes(), None)
            .unwrap();
    }
    assert!(store_dir.path().join("PrivateRelayCA.pem").exists());
    let store = TrustStore::open(store_dir.path()).unwrap();
    config.trust = store.anchors(false);

    let captured = capture_chain(
        "127.0.0.1",
        relay.port(),
        Encryption::StartTls,
        &config.trust,
    )
    .await
    .unwrap();
    assert_eq!(captured.validation, Ok(()));
    send(&config, &message()).await.unwrap();
    assert_eq!(relay.received().len(), 1);
}

async fn certificate_problem(kind: ServerCert) -> Option<CertificateProblem> {
    if !peers::aiosmtpd() {
        return None;
    }
    let pki = Pki::new("Vigie Test CA");
    let (cert, key) = pki.server("relay", kind);
    let relay = Relay::start(&relay_args("implicit", &cert, &key));
    let config = config(relay.port(), Encryption::ImplicitTls, &pki.ca_der());
    match send(&config, &message()).await {
        Err(DeliveryFailure::UntrustedCertificate { problem, chain }) => {
            assert!(!chain.is_empty());
            Some(problem)
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn expired_certificate() {
    if let Some(problem) = certificate_problem(ServerCert::Expired).await {
        assert_eq!(problem, CertificateProblem::Expired);
    }
}

#[tokio::test]
async fn certificate_for_another_name() {
    if let Some(problem) = certificate_problem(ServerCert::OtherName).await {
        assert_eq!(
            problem,
            CertificateProblem::NameMismatch {
                expected: "127.0.0.1".to_owned()
            }
        );
    }
}

#[tokio::test]
async fn self_signed_certificate() {
    if let Some(problem) = certificate_problem(ServerCert::SelfSigned).await {
        assert_eq!(problem, CertificateProblem::SelfSigned);
    }
}

#[tokio::test]
async fn dangerous_option_accepts_an_untrusted_certificate() {
    if !peers::aiosmtpd() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let (cert, key) = pki.server("relay", ServerCert::SelfSigned);
    let relay = Relay::start(&relay_args("implicit", &cert, &key));
    let mut config = config(relay.port(), Encryption::ImplicitTls, &pki.ca_der());
    config.dangerous_accept_invalid_certs = true;
    send(&config, &message()).await.unwrap();
}

#[tokio::test]
async fn relay_down_is_connection_refused() {
    let port = peers::free_port();
    let config = config(port, Encryption::StartTls, &[]);
    let failure = send(&config, &message()).await.unwrap_err();
    assert!(
        matches!(failure, DeliveryFailure::ConnectionRefused { .. }),
        "{failure:?}"
    );
    assert!(failure.is_transient());
    assert!(failure.fix().contains("port"));
}

#[tokio::test]
async fn implicit_tls_to_a_starttls_port() {
    if !peers::aiosmtpd() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let relay = Relay::start(&relay_args("starttls", &cert, &key));
    let config = config(relay.port(), Encryption::ImplicitTls, &pki.ca_der());
    let failure = send(&config, &message()).await.unwrap_err();
    assert!(
        matches!(failure, DeliveryFailure::TlsOnPlainPort),
        "{failure:?}"
    );
    assert!(failure.fix().contains("STARTTLS"));
}

#[tokio::test]
async fn starttls_to_an_implicit_tls_port() {
    if !peers::aiosmtpd() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let relay = Relay::start(&relay_args("implicit", &cert, &key));
    let config = config(relay.port(), Encryption::StartTls, &pki.ca_der());
    let failure = send(&config, &message()).await.unwrap_err();
    assert!(
        matches!(failure, DeliveryFailure::PlainOnTlsPort),
        "{failure:?}"
    );
    assert!(failure.fix().contains("implicit TLS"));
}

#[tokio::test]
async fn starttls_not_offered_never_falls_back() {
    if !peers::aiosmtpd() {
        return;
    }
    let relay = Relay::start(&["--mode", "plain"]);
    let config = config(relay.port(), Encryption::StartTls, &[]);
    let failure = send(&config, &message()).await.unwrap_err();
    let DeliveryFailure::StartTlsNotOffered { extensions } = &failure else {
        panic!("{failure:?}")
    };
    assert!(extensions.iter().any(|e| e.starts_with("SIZE")));
    assert!(relay.received().is_empty());
}

#[tokio::test]
async fn relay_requiring_starttls_answers_530() {
    if !peers::aiosmtpd() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let mut args = relay_args("starttls", &cert, &key);
    args.push("--require-starttls");
    let relay = Relay::start(&args);
    let config = config(relay.port(), Encryption::None, &pki.ca_der());
    let failure = send(&config, &message()).await.unwrap_err();
    let DeliveryFailure::MustIssueStartTls { reply, .. } = &failure else {
        panic!("{failure:?}")
    };
    assert_eq!(reply.code, 530);
}

#[tokio::test]
async fn plaintext_auth_is_refused_unless_allowed() {
    let config = config(peers::free_port(), Encryption::None, &[])
        .with_credentials(USER, Secret::new(PASSWORD));
    let failure = send(&config, &message()).await.unwrap_err();
    assert!(
        matches!(failure, DeliveryFailure::PlaintextAuthRefused),
        "{failure:?}"
    );

    if !peers::aiosmtpd() {
        return;
    }
    let relay = Relay::start(&[
        "--mode",
        "plain",
        "--auth-user",
        USER,
        "--auth-password",
        PASSWORD,
    ]);
    let mut config = config;
    config.port = relay.port();
    config.insecure_plaintext_auth = true;
    send(&config, &message()).await.unwrap();
    assert_eq!(relay.received().len(), 1);
}

#[tokio::test]
async fn temporary_refusal_is_transient() {
    if !peers::aiosmtpd() {
        return;
    }
    let relay = Relay::start(&["--mode", "plain", "--transient"]);
    let config = config(relay.port(), Encryption::None, &[]);
    let failure = send(&config, &message()).await.unwrap_err();
    let DeliveryFailure::Transient { stage, reply } = &failure else {
        panic!("{failure:?}")
    };
    assert_eq!((*stage, reply.code), (Stage::MailFrom, 451));
    assert!(failure.is_transient());
}

#[tokio::test]
async fn message_larger_than_the_announced_size() {
    if !peers::aiosmtpd() {
        return;
    }
    let relay = Relay::start(&["--mode", "plain", "--size-limit", "300"]);
    let config = config(relay.port(), Encryption::None, &[]);
    let failure = send(&config, &message()).await.unwrap_err();
    let DeliveryFailure::MessageTooLarge { limit, size, .. } = &failure else {
        panic!("{failure:?}")
    };
    assert_eq!(*limit, Some(300));
    assert!(*size > 300);
}

#[tokio::test]
async fn rejected_recipient_is_named() {
    if !peers::aiosmtpd() {
        return;
    }
    let relay = Relay::start(&["--mode", "plain"]);
    let config = config(relay.port(), Encryption::None, &[]);
    let mut message = message();
    message
        .to
        .push(Mailbox::new("rejected@example.com").unwrap());
    let failure = send(&config, &message).await.unwrap_err();
    let DeliveryFailure::RecipientRejected { recipient, reply } = &failure else {
        panic!("{failure:?}")
    };
    assert_eq!(recipient, "rejected@example.com");
    assert_eq!(reply.code, 550);
    assert!(relay.received().is_empty());
}

#[tokio::test]
async fn silent_server_times_out_at_the_greeting() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut config = config(port, Encryption::StartTls, &[]);
    config.timeouts.tls = Duration::from_millis(500);
    let failure = send(&config, &message()).await.unwrap_err();
    assert!(
        matches!(
            failure,
            DeliveryFailure::TimedOut {
                stage: Stage::Greeting
            }
        ),
        "{failure:?}"
    );
    assert!(failure.is_transient());
    drop(listener);
}

#[tokio::test]
async fn unresolvable_name_is_a_dns_failure() {
    let mut config = config(587, Encryption::StartTls, &[]);
    config.server = "relay.vigie-test.invalid".to_owned();
    let failure = send(&config, &message()).await.unwrap_err();
    assert!(
        matches!(
            failure,
            DeliveryFailure::DnsFailure { .. }
                | DeliveryFailure::TimedOut {
                    stage: Stage::Resolve
                }
        ),
        "{failure:?}"
    );
}

#[tokio::test]
async fn dhe_only_server_is_weak_dh() {
    if !peers::openssl() {
        return;
    }
    let server = OpenSslServer::start("DHE-RSA-AES128-GCM-SHA256");
    let config = config(server.port, Encryption::ImplicitTls, &[]);
    let failure = send(&config, &message()).await.unwrap_err();
    let DeliveryFailure::WeakDh { suite, dh_bits } = &failure else {
        panic!("{failure:?}")
    };
    assert_eq!(suite, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256");
    // OpenSSL 3 sizes its automatic DH group to the 2048-bit RSA key.
    assert_eq!(*dh_bits, Some(2048));
    assert!(failure.to_string().contains("2048-bit group"), "{failure}");
    assert!(failure.fix().contains("ECDHE"));
    assert!(!failure.is_transient());
}

#[tokio::test]
async fn cbc_only_server_is_no_shared_cipher() {
    if !peers::openssl() {
        return;
    }
    let server = OpenSslServer::start("AES128-SHA");
    let config = config(server.port, Encryption::ImplicitTls, &[]);
    let failure = send(&config, &message()).await.unwrap_err();
    assert!(
        matches!(failure, DeliveryFailure::NoSharedCipher { .. }),
        "{failure:?}"
    );
}

#[tokio::test]
async fn other_refusal_keeps_code_enhanced_code_and_text() {
    if !peers::aiosmtpd() {
        return;
    }
    let relay = Relay::start(&["--mode", "plain", "--reject-mail"]);
    let config = config(relay.port(), Encryption::None, &[]);
    let failure = send(&config, &message()).await.unwrap_err();
    let DeliveryFailure::Rejected { stage, reply } = &failure else {
        panic!("{failure:?}")
    };
    assert_eq!(*stage, Stage::MailFrom);
    assert_eq!(reply.code, 554);
    assert_eq!(
        reply.enhanced.map(|e| e.to_string()).as_deref(),
        Some("5.7.1")
    );
    assert_eq!(reply.text(), "Sender blocked by local policy");
}

#[tokio::test]
async fn relay_refusing_the_data_as_too_large() {
    if !peers::aiosmtpd() {
        return;
    }
    let relay = Relay::start(&["--mode", "plain", "--data-too-large"]);
    let config = config(relay.port(), Encryption::None, &[]);
    let failure = send(&config, &message()).await.unwrap_err();
    let DeliveryFailure::MessageTooLarge {
        stage, reply, size, ..
    } = &failure
    else {
        panic!("{failure:?}")
    };
    assert_eq!(*stage, Stage::DataEnd);
    assert_eq!(reply.as_ref().map(|r| r.code), Some(552));
    assert!(*size > 0);
}

#[tokio::test]
async fn relay_requiring_auth_answers_530_without_credentials() {
    if !peers::aiosmtpd() {
        return;
    }
    let pki = Pki::new("Vigie Test CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let relay = Relay::start(&with_auth(relay_args("starttls", &cert, &key)));
    let config = config(relay.port(), Encryption::StartTls, &pki.ca_der());
    let failure = send(&config, &message()).await.unwrap_err();
    assert!(
        matches!(failure, DeliveryFailure::AuthenticationRequired { ref reply, .. } if reply.code == 530),
        "{failure:?}"
    );
}

#[tokio::test]
async fn relay_without_a_supported_auth_mechanism() {
    use peers::Step::{Recv, Send};
    let port = peers::scripted(vec![
        Send("220 relay.test ESMTP\r\n"),
        Recv,
        Send("250-relay.test\r\n250 AUTH CRAM-MD5 GSSAPI\r\n"),
        Recv,
    ]);
    let mut config =
        config(port, Encryption::None, &[]).with_credentials(USER, Secret::new(PASSWORD));
    config.insecure_plaintext_auth = true;
    let failure = send(&config, &message()).await.unwrap_err();
    let DeliveryFailure::AuthNotOffered { offered } = &failure else {
        panic!("{failure:?}")
    };
    assert_eq!(offered, &["CRAM-MD5", "GSSAPI"]);
}

#[tokio::test]
async fn data_after_starttls_acceptance_is_an_injection() {
    use peers::Step::{Recv, Send};
    let port = peers::scripted(vec![
        Send("220 relay.test ESMTP\r\n"),
        Recv,
        Send("250-relay.test\r\n250 STARTTLS\r\n"),
        Recv,
        Send("220 Ready to start TLS\r\n250 injected\r\n"),
        Recv,
    ]);
    let config = config(port, Encryption::StartTls, &[]);
    let failure = send(&config, &message()).await.unwrap_err();
    assert!(
        matches!(failure, DeliveryFailure::StartTlsInjection),
        "{failure:?}"
    );
}

#[tokio::test]
async fn not_smtp_is_a_protocol_failure() {
    use peers::Step::Send;
    let port = peers::scripted(vec![Send("HTTP/1.1 400 Bad Request\r\n\r\n")]);
    let config = config(port, Encryption::StartTls, &[]);
    let failure = send(&config, &message()).await.unwrap_err();
    assert!(
        matches!(
            failure,
            DeliveryFailure::Protocol {
                stage: Stage::Greeting,
                ..
            }
        ),
        "{failure:?}"
    );
}

#[tokio::test]
async fn busy_greeting_is_transient() {
    use peers::Step::Send;
    let port = peers::scripted(vec![Send("421 4.3.2 Service not available, try later\r\n")]);
    let config = config(port, Encryption::StartTls, &[]);
    let failure = send(&config, &message()).await.unwrap_err();
    assert!(
        matches!(failure, DeliveryFailure::Transient { stage: Stage::Greeting, ref reply } if reply.code == 421),
        "{failure:?}"
    );
    assert!(failure.is_transient());
}

#[tokio::test]
async fn connection_closed_after_greeting() {
    use peers::Step::Send;
    let port = peers::scripted(vec![Send("220 relay.test ESMTP\r\n")]);
    let config = config(port, Encryption::StartTls, &[]);
    let failure = send(&config, &message()).await.unwrap_err();
    let DeliveryFailure::Io { stage, error } = &failure else {
        panic!("{failure:?}")
    };
    assert_eq!(*stage, Stage::Ehlo);
    assert_eq!(error.kind(), std::io::ErrorKind::UnexpectedEof);
    assert!(failure.is_transient());
}
