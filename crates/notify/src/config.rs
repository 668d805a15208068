//! The SMTP configuration of one relay.

use std::time::Duration;

use crate::secret::Secret;
use crate::tls::{TlsPolicy, TrustAnchors};

/// How the connection to the relay is protected.
///
/// There is no opportunistic mode: with [`Encryption::StartTls`], a server that does not
/// offer STARTTLS is a failure, never a silent fallback to plain text (RFC 3207 §4 leaves the
/// decision to the client; lettre itself calls the opportunistic mode strongly discouraged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    /// Plain text SMTP; AUTH is refused unless [`SmtpConfig::insecure_plaintext_auth`].
    None,
    /// Plain connection upgraded with STARTTLS before anything else (RFC 3207).
    StartTls,
    /// TLS from the first byte (RFC 8314 "implicit TLS", SMTPS).
    ImplicitTls,
}

impl Encryption {
    /// The mode the port conventionally uses: 465 and 2465 (SES) are implicit TLS; 25, 587
    /// and 2587 (SES) are STARTTLS. Any other port is proposed as STARTTLS, the safe guess.
    pub fn for_port(port: u16) -> Self {
        match port {
            465 | 2465 => Self::ImplicitTls,
            _ => Self::StartTls,
        }
    }
}

/// How long each step may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP connect, per address.
    pub connect: Duration,
    /// The server's 220 greeting after the connection (or the TLS handshake).
    pub greeting: Duration,
    /// The TLS handshake.
    pub tls: Duration,
    /// Each command's reply (EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA).
    pub command: Duration,
    /// The reply to the final `.` of DATA.
    pub data_end: Duration,
}

impl Default for Timeouts {
    /// Shorter than RFC 5321 §4.5.3.2's server-friendly minutes, because a Test Action waits
    /// for the answer and a relay such as SES answers in well under a second: 10 s to connect
    /// and handshake, 30 s for the greeting and each command, 60 s after the data.
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            greeting: Duration::from_secs(30),
            tls: Duration::from_secs(10),
            command: Duration::from_secs(30),
            data_end: Duration::from_secs(60),
        }
    }
}

/// The relay and how to talk to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// Host name or IP address of the relay, e.g. `email-smtp.us-east-1.amazonaws.com`. The
    /// certificate is verified against this name.
    pub server: String,
    /// TCP port.
    pub port: u16,
    /// The envelope sender (`MAIL FROM`); for SES, an address of a verified identity.
    pub from: String,
    /// The user name for AUTH; `None` sends no AUTH.
    pub username: Option<String>,
    /// The password for AUTH.
    pub password: Secret,
    /// The protection of the connection.
    pub encryption: Encryption,
    /// The name sent in EHLO.
    pub helo_name: String,
    /// Step timeouts.
    pub timeouts: Timeouts,
    /// Protocol versions and cipher suites.
    pub tls: TlsPolicy,
    /// Which certificates are trusted.
    pub trust: TrustAnchors,
    /// Accept any certificate and any host name. Dangerous: anyone on the path can read the
    /// password and the mail.
    pub dangerous_accept_invalid_certs: bool,
    /// Allow AUTH over an unencrypted connection. Insecure: the password crosses the network
    /// in clear.
    pub insecure_plaintext_auth: bool,
}

impl SmtpConfig {
    /// A configuration with the encryption proposed by the port, the system roots, the
    /// default TLS policy and timeouts, and no AUTH.
    pub fn new(server: impl Into<String>, port: u16, from: impl Into<String>) -> Self {
        Self {
            server: server.into(),
            port,
            from: from.into(),
            username: None,
            password: Secret::default(),
            encryption: Encryption::for_port(port),
            helo_name: "localhost".to_owned(),
            timeouts: Timeouts::default(),
            tls: TlsPolicy::default(),
            trust: TrustAnchors::system(),
            dangerous_accept_invalid_certs: false,
            insecure_plaintext_auth: false,
        }
    }

    /// Sets the AUTH credentials.
    #[must_use]
    pub fn with_credentials(mut self, username: impl Into<String>, password: Secret) -> Self {
        self.username = Some(username.into());
        self.password = password;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_propose_the_conventional_mode() {
        for port in [465, 2465] {
            assert_eq!(Encryption::for_port(port), Encryption::ImplicitTls);
        }
        for port in [25, 587, 2587] {
            assert_eq!(Encryption::for_port(port), Encryption::StartTls);
        }
    }

    #[test]
    fn debug_never_shows_the_password() {
        let config = SmtpConfig::new("smtp.example", 587, "a@example.com")
            .with_credentials("AKIAEXAMPLE", Secret::new("s3cr3t-password"));
        let debug = format!("{config:?}");
        assert!(!debug.contains("s3cr3t"));
        assert!(debug.contains("***"));
    }
}
