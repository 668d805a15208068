//! What went wrong with a delivery, and what to do about it.
//!
//! A [`DeliveryFailure`] is built from what really happened: the SMTP reply (code, enhanced
//! status code, text) at a known [`Stage`], the TLS alert or certificate error rustls
//! reported, or the socket error. Each variant has a [`DeliveryFailure::fix`] text for the
//! operator, drawn from the seed's troubleshooting table and extended to the other common
//! causes, and says with [`DeliveryFailure::is_transient`] whether retrying later can help.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::{AlertDescription, CertificateError};

use crate::error::TlsPolicyError;
use crate::reply::{Reply, ReplyError};

/// The step of the SMTP session where something happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Resolving the relay's host name.
    Resolve,
    /// Opening the TCP connection.
    Connect,
    /// The TLS handshake (implicit TLS, or after STARTTLS).
    TlsHandshake,
    /// Waiting for the 220 greeting.
    Greeting,
    /// EHLO.
    Ehlo,
    /// STARTTLS.
    StartTls,
    /// AUTH.
    Auth,
    /// MAIL FROM.
    MailFrom,
    /// RCPT TO.
    RcptTo,
    /// DATA, before the content.
    Data,
    /// The reply to the final dot of DATA.
    DataEnd,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Resolve => "resolve",
            Self::Connect => "connect",
            Self::TlsHandshake => "TLS",
            Self::Greeting => "greeting",
            Self::Ehlo => "EHLO",
            Self::StartTls => "STARTTLS",
            Self::Auth => "AUTH",
            Self::MailFrom => "MAIL",
            Self::RcptTo => "RCPT",
            Self::Data => "DATA",
            Self::DataEnd => "DATA end",
        })
    }
}

/// Why a certificate chain does not validate.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CertificateProblem {
    /// The chain does not lead to a trusted root (Java's "unable to find valid certification
    /// path to requested target").
    UnknownIssuer,
    /// The server presented a self-signed certificate that is not trusted.
    SelfSigned,
    /// A certificate of the chain has expired.
    Expired,
    /// A certificate of the chain is not valid yet.
    NotYetValid,
    /// The certificate is not valid for the host name configured.
    NameMismatch {
        /// The configured server name.
        expected: String,
    },
    /// The certificate was revoked.
    Revoked,
    /// Another reason given by the verifier.
    Invalid(CertificateError),
}

impl CertificateProblem {
    /// Classifies rustls's verdict, telling a self-signed certificate apart from an unknown
    /// issuer by looking at the presented chain.
    pub(crate) fn from_rustls(
        error: &CertificateError,
        chain: &[CertificateDer<'static>],
        server: &str,
    ) -> Self {
        match error {
            CertificateError::UnknownIssuer => {
                let self_signed = chain.len() == 1
                    && chain
                        .first()
                        .and_then(|c| crate::trust::CertificateInfo::from_der(c))
                        .is_some_and(|info| info.self_issued);
                if self_signed {
                    Self::SelfSigned
                } else {
                    Self::UnknownIssuer
                }
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => Self::Expired,
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                Self::NotYetValid
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                Self::NameMismatch {
                    expected: server.to_owned(),
                }
            }
            CertificateError::Revoked => Self::Revoked,
            other => Self::Invalid(other.clone()),
        }
    }
}

impl fmt::Display for CertificateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownIssuer => f.write_str("the chain does not lead to a trusted root"),
            Self::SelfSigned => f.write_str("the certificate is self-signed and not trusted"),
            Self::Expired => f.write_str("a certificate of the chain has expired"),
            Self::NotYetValid => f.write_str("a certificate of the chain is not valid yet"),
            Self::NameMismatch { expected } => {
                write!(f, "the certificate is not valid for the name {expected}")
            }
            Self::Revoked => f.write_str("the certificate was revoked"),
            Self::Invalid(error) => write!(f, "the certificate is invalid: {error:?}"),
        }
    }
}

/// A delivery that did not happen, classified.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum DeliveryFailure {
    /// The TLS policy cannot be applied.
    #[error("invalid TLS policy: {0}")]
    InvalidTlsPolicy(#[from] TlsPolicyError),
    /// The server name is neither a DNS name nor an IP address.
    #[error("invalid server name {0:?}")]
    InvalidServerName(String),
    /// AUTH would have crossed the network in clear text.
    #[error("refusing to send the password over an unencrypted connection")]
    PlaintextAuthRefused,
    /// The relay's name does not resolve.
    #[error("cannot resolve {host}: {error}")]
    DnsFailure {
        /// The configured server.
        host: String,
        /// The resolver's error.
        error: Arc<io::Error>,
    },
    /// Every address of the relay refused the connection.
    #[error("connection refused by {address}")]
    ConnectionRefused {
        /// The last address tried.
        address: SocketAddr,
    },
    /// A step took longer than its timeout.
    #[error("timed out at the {stage} stage")]
    TimedOut {
        /// Where.
        stage: Stage,
    },
    /// The connection failed or was closed by the server.
    #[error("connection error at the {stage} stage: {error}")]
    Io {
        /// Where.
        stage: Stage,
        /// The socket error; `UnexpectedEof` when the server closed the connection.
        error: Arc<io::Error>,
    },
    /// The server answered something that is not an SMTP reply.
    #[error("malformed reply at the {stage} stage: {error}")]
    Protocol {
        /// Where.
        stage: Stage,
        /// What was wrong.
        error: ReplyError,
    },
    /// The server sent data right after accepting STARTTLS, before the handshake: an
    /// injection attempt (CVE-2011-0411 class); the connection was dropped.
    #[error("the server sent unencrypted data after STARTTLS")]
    StartTlsInjection,
    /// Implicit TLS was spoken to a port that speaks plain SMTP (a STARTTLS port).
    #[error(
        "the server answered the TLS handshake in plain text: the port expects STARTTLS or plain SMTP"
    )]
    TlsOnPlainPort,
    /// Plain SMTP (or STARTTLS) was spoken to a port that expects TLS from the first byte.
    #[error("the server sent no SMTP greeting but speaks TLS: the port expects implicit TLS")]
    PlainOnTlsPort,
    /// STARTTLS is required by the configuration but the server did not offer it.
    #[error("the server does not offer STARTTLS (EHLO: {})", extensions.join(", "))]
    StartTlsNotOffered {
        /// The EHLO keywords the server offered.
        extensions: Vec<String>,
    },
    /// The server's certificate chain does not validate.
    #[error("untrusted server certificate: {problem}")]
    UntrustedCertificate {
        /// Why.
        problem: CertificateProblem,
        /// The chain the server presented, end-entity first, for capture and import.
        chain: Vec<CertificateDer<'static>>,
    },
    /// The server negotiates only finite-field Diffie-Hellman, which rustls does not
    /// implement (the seed's "dh key too small").
    #[error("the server offers only finite-field DHE key exchange ({suite}{})", dh_bits.map(|b| format!(", {b}-bit group")).unwrap_or_default())]
    WeakDh {
        /// The suite the server chose when offered DHE.
        suite: String,
        /// The size of the server's DH prime, if it was seen.
        dh_bits: Option<u16>,
    },
    /// The server and vigie share no cipher suite or protocol version.
    #[error("no shared cipher suite or protocol version (TLS alert {alert:?})")]
    NoSharedCipher {
        /// The alert the server sent.
        alert: AlertDescription,
    },
    /// Another TLS failure.
    #[error("TLS failure at the {stage} stage: {error}")]
    Tls {
        /// Where.
        stage: Stage,
        /// rustls's error.
        error: rustls::Error,
    },
    /// The server does not offer a supported AUTH mechanism (PLAIN or LOGIN).
    #[error("the server offers no supported AUTH mechanism (offered: {})", offered.join(" "))]
    AuthNotOffered {
        /// The mechanisms the server advertised.
        offered: Vec<String>,
    },
    /// 535: the credentials were refused.
    #[error("authentication failed: {reply}")]
    BadCredentials {
        /// The reply.
        reply: Reply,
    },
    /// 530 without STARTTLS in the text: the relay wants AUTH first.
    #[error("the relay requires authentication: {reply}")]
    AuthenticationRequired {
        /// Where.
        stage: Stage,
        /// The reply.
        reply: Reply,
    },
    /// 554 "Email address is not verified" (Amazon SES).
    #[error("sender not verified{}{}: {reply}", address.as_ref().map(|a| format!(" ({a})")).unwrap_or_default(), region.as_ref().map(|r| format!(" in region {r}")).unwrap_or_default())]
    UnverifiedSender {
        /// Where (SES answers at MAIL or after DATA).
        stage: Stage,
        /// The address named in the reply.
        address: Option<String>,
        /// The region named in the reply.
        region: Option<String>,
        /// The reply.
        reply: Reply,
    },
    /// 530 "Must issue a STARTTLS command first".
    #[error("the relay requires STARTTLS first: {reply}")]
    MustIssueStartTls {
        /// Where.
        stage: Stage,
        /// The reply.
        reply: Reply,
    },
    /// 421 or 4xx: a temporary refusal.
    #[error("temporary failure at the {stage} stage: {reply}")]
    Transient {
        /// Where.
        stage: Stage,
        /// The reply.
        reply: Reply,
    },
    /// 552, or 5.3.4, or larger than the SIZE the server announced.
    #[error("message too large ({size} bytes{})", limit.map(|l| format!(", limit {l}")).unwrap_or_default())]
    MessageTooLarge {
        /// Where.
        stage: Stage,
        /// The size of the rendered message.
        size: usize,
        /// The limit the server announced in EHLO SIZE, if any.
        limit: Option<u64>,
        /// The reply, when the server refused (none when the SIZE check stopped it first).
        reply: Option<Reply>,
    },
    /// A recipient was refused at RCPT.
    #[error("recipient {recipient} rejected: {reply}")]
    RecipientRejected {
        /// The address.
        recipient: String,
        /// The reply.
        reply: Reply,
    },
    /// Any other refusal, with the reply kept.
    #[error("rejected at the {stage} stage: {reply}")]
    Rejected {
        /// Where.
        stage: Stage,
        /// The reply.
        reply: Reply,
    },
}

impl DeliveryFailure {
    /// Classifies a negative reply at `stage`.
    pub(crate) fn from_reply(stage: Stage, reply: Reply, recipient: Option<&str>) -> Self {
        let lower = reply.text().to_ascii_lowercase();
        let enhanced = reply.enhanced.map(|e| (e.class, e.subject, e.detail));
        if reply.is_transient() {
            return Self::Transient { stage, reply };
        }
        if lower.contains("not verified") || lower.contains("failed the check in region") {
            let (address, region) = ses_identity(&reply.text());
            return Self::UnverifiedSender {
                stage,
                address,
                region,
                reply,
            };
        }
        if reply.code == 535 || enhanced == Some((5, 7, 8)) {
            return Self::BadCredentials { reply };
        }
        if reply.code == 530 {
            return if lower.contains("starttls") || lower.contains("tls first") {
                Self::MustIssueStartTls { stage, reply }
            } else {
                Self::AuthenticationRequired { stage, reply }
            };
        }
        let too_large = matches!(enhanced, Some((5, 3, 4) | (5, 2, 3)))
            || (reply.code == 552 && stage != Stage::RcptTo);
        if too_large {
            return Self::MessageTooLarge {
                stage,
                size: 0,
                limit: None,
                reply: Some(reply),
            };
        }
        if stage == Stage::RcptTo {
            return Self::RecipientRejected {
                recipient: recipient.unwrap_or_default().to_owned(),
                reply,
            };
        }
        Self::Rejected { stage, reply }
    }

    /// Whether retrying later can succeed without a change of configuration.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::DnsFailure { .. }
            | Self::ConnectionRefused { .. }
            | Self::TimedOut { .. }
            | Self::Io { .. }
            | Self::Transient { .. } => true,
            Self::Rejected { reply, .. } => reply.is_transient(),
            _ => false,
        }
    }

    /// The stage where the failure happened, when it is tied to one.
    pub fn stage(&self) -> Option<Stage> {
        match self {
            Self::DnsFailure { .. } => Some(Stage::Resolve),
            Self::ConnectionRefused { .. } => Some(Stage::Connect),
            Self::TimedOut { stage }
            | Self::Io { stage, .. }
            | Self::Protocol { stage, .. }
            | Self::Tls { stage, .. }
            | Self::AuthenticationRequired { stage, .. }
            | Self::MustIssueStartTls { stage, .. }
            | Self::Transient { stage, .. }
            | Self::MessageTooLarge { stage, .. }
            | Self::UnverifiedSender { stage, .. }
            | Self::Rejected { stage, .. } => Some(*stage),
            Self::StartTlsInjection | Self::StartTlsNotOffered { .. } => Some(Stage::StartTls),
            Self::TlsOnPlainPort
            | Self::UntrustedCertificate { .. }
            | Self::WeakDh { .. }
            | Self::NoSharedCipher { .. } => Some(Stage::TlsHandshake),
            Self::PlainOnTlsPort => Some(Stage::Greeting),
            Self::AuthNotOffered { .. } | Self::BadCredentials { .. } => Some(Stage::Auth),
            Self::RecipientRejected { .. } => Some(Stage::RcptTo),
            Self::InvalidTlsPolicy(_) | Self::InvalidServerName(_) | Self::PlaintextAuthRefused => {
                None
            }
        }
    }

    /// A stable snake-case name of the classification, for structured logs and the API.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidTlsPolicy(_) => "invalid_tls_policy",
            Self::InvalidServerName(_) => "invalid_server_name",
            Self::PlaintextAuthRefused => "plaintext_auth_refused",
            Self::DnsFailure { .. } => "dns_failure",
            Self::ConnectionRefused { .. } => "connection_refused",
            Self::TimedOut { .. } => "timed_out",
            Self::Io { .. } => "connection_error",
            Self::Protocol { .. } => "protocol_error",
            Self::StartTlsInjection => "starttls_injection",
            Self::TlsOnPlainPort => "tls_on_plain_port",
            Self::PlainOnTlsPort => "plain_on_tls_port",
            Self::StartTlsNotOffered { .. } => "starttls_not_offered",
            Self::UntrustedCertificate { .. } => "untrusted_certificate",
            Self::WeakDh { .. } => "weak_dh",
            Self::NoSharedCipher { .. } => "no_shared_cipher",
            Self::Tls { .. } => "tls_error",
            Self::AuthNotOffered { .. } => "auth_not_offered",
            Self::BadCredentials { .. } => "bad_credentials",
            Self::AuthenticationRequired { .. } => "authentication_required",
            Self::UnverifiedSender { .. } => "unverified_sender",
            Self::MustIssueStartTls { .. } => "must_issue_starttls",
            Self::Transient { .. } => "transient",
            Self::MessageTooLarge { .. } => "message_too_large",
            Self::RecipientRejected { .. } => "recipient_rejected",
            Self::Rejected { .. } => "rejected",
        }
    }

    /// The SMTP reply behind the failure, if the server gave one.
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            Self::BadCredentials { reply }
            | Self::AuthenticationRequired { reply, .. }
            | Self::UnverifiedSender { reply, .. }
            | Self::MustIssueStartTls { reply, .. }
            | Self::Transient { reply, .. }
            | Self::RecipientRejected { reply, .. }
            | Self::Rejected { reply, .. } => Some(reply),
            Self::MessageTooLarge { reply, .. } => reply.as_ref(),
            _ => None,
        }
    }

    /// What the operator should do, in English.
    pub fn fix(&self) -> &str {
        match self {
            Self::InvalidTlsPolicy(_) => {
                "Correct the cipher list: use IANA names (TLS_AES_128_GCM_SHA256) or OpenSSL names (ECDHE-RSA-AES128-GCM-SHA256) of ECDHE or TLS 1.3 AEAD suites, and keep at least one suite for each allowed TLS version."
            }
            Self::InvalidServerName(_) => {
                "Set the SMTP server to a host name (email-smtp.us-east-1.amazonaws.com) or an IP address, without scheme or port."
            }
            Self::PlaintextAuthRefused => {
                "Choose STARTTLS (ports 25, 587, 2587) or implicit TLS (ports 465, 2465) so the password is encrypted; only if the relay is on a trusted network, enable the insecure plaintext AUTH option."
            }
            Self::DnsFailure { .. } => {
                "Check the SMTP server name (for SES, the SMTP endpoint of the region shown in the SES console, e.g. email-smtp.us-east-1.amazonaws.com) and the manager's DNS resolver settings."
            }
            Self::ConnectionRefused { .. } => {
                "Nothing listens on that port: check the port (SES: 25, 587 or 2587 for STARTTLS, 465 or 2465 for TLS) and that the relay is running; a firewall that rejects the port looks the same."
            }
            Self::TimedOut {
                stage: Stage::Connect,
            } => {
                "The relay did not answer the connection: check firewalls and outbound rules (many clouds block port 25; use 587 or 2587), and the server address."
            }
            Self::TimedOut { .. } => {
                "The relay stopped answering: check the network path and the relay's load; if it happens at the greeting, the port may expect implicit TLS (465, 2465)."
            }
            Self::Io { .. } => {
                "The relay closed or reset the connection: check the port and encryption type, the relay's logs, and any proxy or firewall inspecting SMTP."
            }
            Self::Protocol { .. } => {
                "The server on that port does not speak SMTP: check the host, the port and the encryption type."
            }
            Self::StartTlsInjection => {
                "Something on the path injected data into the STARTTLS exchange: check for an SMTP-inspecting firewall or a man in the middle."
            }
            Self::TlsOnPlainPort => {
                "This port speaks plain SMTP: select STARTTLS for ports 25, 587 and 2587, or change the port to 465 or 2465 for implicit TLS (SMTPS)."
            }
            Self::PlainOnTlsPort => {
                "This port expects TLS from the first byte: select implicit TLS (SMTPS) for ports 465 and 2465, or use port 587 or 2587 with STARTTLS."
            }
            Self::StartTlsNotOffered { .. } => {
                "The server does not offer STARTTLS on this port: use the relay's submission port (587) or implicit TLS (465); vigie never falls back to plain text."
            }
            Self::UntrustedCertificate {
                problem: CertificateProblem::UnknownIssuer | CertificateProblem::SelfSigned,
                ..
            } => {
                "Capture the chain the server presents (vigie smtp certs --host H --port P), check its fingerprints, and import the issuing CA or the server certificate into the trust store; or enable the system roots if the relay uses a public CA."
            }
            Self::UntrustedCertificate {
                problem: CertificateProblem::Expired | CertificateProblem::NotYetValid,
                ..
            } => {
                "A certificate of the chain is outside its validity period: check the manager's clock (NTP), then ask the relay's operator to renew the certificate."
            }
            Self::UntrustedCertificate {
                problem: CertificateProblem::NameMismatch { .. },
                ..
            } => {
                "Configure the SMTP server by the name in its certificate (for SES, email-smtp.<region>.amazonaws.com, not an IP address or a CNAME)."
            }
            Self::UntrustedCertificate { .. } => {
                "Capture the chain the server presents and check it; replace the certificate on the relay if it is revoked or malformed."
            }
            Self::WeakDh { .. } => {
                "The relay offers only finite-field DHE (often with a 1024-bit group) and vigie accepts only ECDHE: enable ECDHE suites on the relay (SES selects ECDHE when the client offers no DHE suite, as vigie does)."
            }
            Self::NoSharedCipher { .. } => {
                "The relay and vigie share no TLS 1.2/1.3 AEAD cipher suite: enable ECDHE-RSA-AES128-GCM-SHA256 or TLS 1.3 on the relay, or widen vigie's cipher list within the ECDHE suites."
            }
            Self::Tls { .. } => {
                "The TLS handshake failed: check that the port and encryption type match, and that the relay supports TLS 1.2 or 1.3."
            }
            Self::AuthNotOffered { .. } => {
                "The relay offers no AUTH PLAIN or LOGIN here: AUTH is often offered only after STARTTLS or on the submission port (587); remove the user name if the relay does not need one."
            }
            Self::BadCredentials { .. } => {
                "Create SMTP credentials in the SES console (Account dashboard > SMTP settings > Create SMTP credentials) and enter that SMTP user name and password: they are not the IAM access key and secret, and they are valid only in the region where they were created, so the server must be that region's endpoint."
            }
            Self::AuthenticationRequired { .. } => {
                "The relay requires authentication: set the SMTP user name and password."
            }
            Self::UnverifiedSender { .. } => {
                "Set the From address to an address of a domain (or an address) verified in SES in the region of the SMTP endpoint; in the SES sandbox, every recipient must be verified too."
            }
            Self::MustIssueStartTls { .. } => {
                "The relay requires encryption: select STARTTLS for this port (or implicit TLS on 465 or 2465)."
            }
            Self::Transient { .. } => {
                "The relay refused temporarily (throttling, maintenance, greylisting): the notification will be retried; if it persists, check the relay's sending quota."
            }
            Self::MessageTooLarge { .. } => {
                "Shorten the message (fewer varbinds in the template) or raise the relay's size limit (SES: 10 MB for SMTP)."
            }
            Self::RecipientRejected { .. } => {
                "Check the recipient address; in the SES sandbox, the recipient must also be a verified identity."
            }
            Self::Rejected { .. } => {
                "The relay refused the message: read the server's reply text and enhanced status code, and check the relay's policy for this sender and recipient."
            }
        }
    }
}

/// Extracts the address and region from SES's "…failed the check in region US-EAST-1:
/// user@example.com".
fn ses_identity(text: &str) -> (Option<String>, Option<String>) {
    let lower = text.to_ascii_lowercase();
    let region = lower.find("in region ").and_then(|at| {
        let rest = &text[at + "in region ".len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len());
        (end > 0).then(|| rest[..end].to_owned())
    });
    let address = text
        .rsplit([':', ' '])
        .map(|w| w.trim().trim_matches(|c| c == '<' || c == '>' || c == ','))
        .find(|w| w.contains('@'))
        .map(str::to_owned);
    (address, region)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::EnhancedCode;

    fn reply(code: u16, enhanced: Option<(u8, u16, u16)>, text: &str) -> Reply {
        Reply {
            code,
            enhanced: enhanced.map(|(class, subject, detail)| EnhancedCode {
                class,
                subject,
                detail,
            }),
            lines: vec![text.to_owned()],
        }
    }

    #[test]
    fn ses_554_names_address_and_region() {
        let failure = DeliveryFailure::from_reply(
            Stage::DataEnd,
            reply(
                554,
                None,
                "Message rejected: Email address is not verified. The following identities failed the check in region US-EAST-1: alerts@example.com",
            ),
            None,
        );
        let DeliveryFailure::UnverifiedSender {
            address, region, ..
        } = &failure
        else {
            panic!("{failure:?}")
        };
        assert_eq!(address.as_deref(), Some("alerts@example.com"));
        assert_eq!(region.as_deref(), Some("US-EAST-1"));
        assert!(failure.to_string().contains("alerts@example.com"));
        assert!(failure.to_string().contains("US-EAST-1"));
        assert!(!failure.is_transient());
    }

    #[test]
    fn classification_by_code() {
        let f = |code, enhanced, stage, text| {
            DeliveryFailure::from_reply(stage, reply(code, enhanced, text), Some("x@example.com"))
        };
        assert!(matches!(
            f(
                535,
                Some((5, 7, 8)),
                Stage::Auth,
                "Authentication Credentials Invalid"
            ),
            DeliveryFailure::BadCredentials { .. }
        ));
        assert!(matches!(
            f(
                530,
                Some((5, 7, 0)),
                Stage::MailFrom,
                "Must issue a STARTTLS command first"
            ),
            DeliveryFailure::MustIssueStartTls { .. }
        ));
        assert!(matches!(
            f(
                530,
                Some((5, 7, 0)),
                Stage::MailFrom,
                "Authentication required"
            ),
            DeliveryFailure::AuthenticationRequired { .. }
        ));
        let transient = f(421, None, Stage::Greeting, "Service not available");
        assert!(transient.is_transient());
        assert!(matches!(
            f(554, Some((5, 3, 4)), Stage::DataEnd, "Message too big"),
            DeliveryFailure::MessageTooLarge { .. }
        ));
        assert!(matches!(
            f(552, None, Stage::DataEnd, "Too much mail data"),
            DeliveryFailure::MessageTooLarge { .. }
        ));
        assert!(matches!(
            f(550, Some((5, 1, 1)), Stage::RcptTo, "No such user"),
            DeliveryFailure::RecipientRejected { .. }
        ));
        let other = f(554, Some((5, 7, 1)), Stage::MailFrom, "Access denied");
        assert_eq!(other.reply().map(|r| r.code), Some(554));
        assert_eq!(other.stage(), Some(Stage::MailFrom));
        assert!(!other.is_transient());
    }

    #[test]
    fn every_fix_is_actionable_text() {
        let failures = [
            DeliveryFailure::TlsOnPlainPort,
            DeliveryFailure::PlainOnTlsPort,
            DeliveryFailure::PlaintextAuthRefused,
            DeliveryFailure::TimedOut {
                stage: Stage::Connect,
            },
        ];
        let mut kinds = std::collections::HashSet::new();
        for failure in failures {
            assert!(failure.fix().len() > 40, "{failure:?}");
            assert!(kinds.insert(failure.kind()));
        }
    }
}
