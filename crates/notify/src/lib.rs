//! Notification delivery for vigie: e-mail over SMTP with rustls, the TLS policy, the trust
//! store, and a classification of every delivery failure with the fix to apply.
//!
//! This crate knows nothing of SNMP. It sends a [`Message`] through an SMTP relay
//! ([`send`]) and reports either what the relay answered ([`Delivered`]) or a
//! [`DeliveryFailure`] built from what really happened on the wire: the [`Stage`], the SMTP
//! reply code, the enhanced status code (RFC 3463) and the text, or the TLS alert and the
//! certificate chain the server presented.
//!
//! The SMTP client is written here (RFC 5321, STARTTLS per RFC 3207, AUTH PLAIN and LOGIN
//! per RFC 4954 and RFC 4616) rather than taken from a mail crate, so that every failure
//! keeps its stage and reply and each connection gets its own rustls configuration with a
//! recording certificate verifier.
//!
//! ```no_run
//! # async fn example() -> Result<(), vigie_notify::MessageError> {
//! use vigie_notify::{Mailbox, Message, Secret, SmtpConfig, send};
//!
//! // Port 587 proposes STARTTLS; the SES SMTP credentials are not IAM keys.
//! let config = SmtpConfig::new("email-smtp.us-east-1.amazonaws.com", 587, "alerts@example.com")
//!     .with_credentials("SMTP-USER", Secret::new("smtp-password"));
//! let message = Message::new(
//!     Mailbox::new("alerts@example.com")?,
//!     vec![Mailbox::new("ops@example.com")?],
//!     "Link down on core-1",
//!     "ifIndex 3 (Gi0/1) went down at 20:10 UTC.",
//! )?;
//! match send(&config, &message).await {
//!     Ok(delivered) => eprintln!("accepted: {}", delivered.reply),
//!     Err(failure) => eprintln!("{failure}\nfix: {}", failure.fix()),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! What it never does: fall back from STARTTLS to plain text, send a password over plain
//! text unless [`SmtpConfig::insecure_plaintext_auth`] is set, skip host name verification
//! unless [`SmtpConfig::dangerous_accept_invalid_certs`] is set, or show a [`Secret`].

mod attempt_log;
mod capture;
mod client;
mod config;
mod custom;
pub mod db;
mod error;
mod failure;
mod message;
mod outbox;
mod probe;
mod ratelimit;
mod reply;
mod secret;
mod syslog;
mod tls;
mod transport;
mod trust;
mod webhook;

pub use attempt_log::{AttemptLog, AttemptOutcome, AttemptQuery, AttemptRecord};
pub use capture::{CapturedCertificate, CapturedChain, capture_chain, capture_with};
pub use client::{Delivered, NegotiatedTls, send};
pub use config::{Encryption, SmtpConfig, Timeouts};
pub use custom::{BoxFuture, CustomChannel, CustomFailure};
pub use error::{Error, MessageError, TlsPolicyError, TrustStoreError};
pub use failure::{CertificateProblem, DeliveryFailure, Stage};
pub use message::{Mailbox, Message, dot_stuff};
pub use outbox::{
    Accepted, Attempt, Channel, ChannelFailure, Channels, Clock, Deliverer, Enqueued, Entry,
    FailReason, ManualClock, Notification, NotificationId, Origin, Outbox, OutboxError,
    OutboxEvent, Pass, Payload, RateLimits, RetryPolicy, State, SystemClock, Worker,
};
pub use ratelimit::RateLimit;
pub use reply::{EnhancedCode, Reply, ReplyError};
pub use secret::Secret;
pub use syslog::{
    APP_NAME, SdElement, SyslogConfig, SyslogError, SyslogFailure, SyslogMessage, SyslogTransport,
    Timestamp, send_syslog,
};
pub use tls::{
    CipherList, IgnoredCipher, MinTlsVersion, TlsPolicy, TrustAnchors, UnsupportedReason,
};
pub use transport::{LinkFailure, LinkStep};
pub use trust::{CertificateInfo, TrustStore, TrustedCertificate, fingerprint, to_pem};
pub use webhook::{
    DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookConfig, WebhookFailure,
    WebhookResponse, WebhookUrl, post_webhook, sign, verify_signature,
};
