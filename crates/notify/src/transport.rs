//! TCP and TLS connections for the webhook and syslog channels, with the crate's rustls
//! policy and failures classified the way SMTP's are, but with fixes that speak of a web or
//! syslog receiver rather than a mail relay.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::AlertDescription;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::TlsConnector;

use crate::error::TlsPolicyError;
use crate::failure::CertificateProblem;
use crate::tls::{TlsPolicy, TrustAnchors, client_config};

/// The step of a webhook or syslog delivery where something happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkStep {
    /// Resolving the host name.
    Resolve,
    /// Opening the TCP connection.
    Connect,
    /// The TLS handshake.
    TlsHandshake,
    /// Writing the request or message.
    Send,
    /// Reading the response (webhooks).
    Response,
}

impl fmt::Display for LinkStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Resolve => "resolve",
            Self::Connect => "connect",
            Self::TlsHandshake => "TLS",
            Self::Send => "send",
            Self::Response => "response",
        })
    }
}

/// A connection-level failure of a webhook or syslog delivery.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum LinkFailure {
    /// The host is neither a DNS name nor an IP address.
    #[error("invalid host name {0:?}")]
    InvalidServerName(String),
    /// The TLS policy cannot be applied.
    #[error("invalid TLS policy: {0}")]
    InvalidTlsPolicy(#[from] TlsPolicyError),
    /// The name does not resolve.
    #[error("cannot resolve {host}: {error}")]
    DnsFailure {
        /// The configured host.
        host: String,
        /// The resolver's error.
        error: Arc<io::Error>,
    },
    /// Every address refused the connection.
    #[error("connection refused by {address}")]
    ConnectionRefused {
        /// The last address tried.
        address: SocketAddr,
    },
    /// A step took longer than its timeout.
    #[error("timed out at the {step} step")]
    TimedOut {
        /// Where.
        step: LinkStep,
    },
    /// The connection failed or was closed.
    #[error("connection error at the {step} step: {error}")]
    Io {
        /// Where.
        step: LinkStep,
        /// The socket error.
        error: Arc<io::Error>,
    },
    /// The server's certificate chain does not validate.
    #[error("untrusted server certificate: {problem}")]
    UntrustedCertificate {
        /// Why.
        problem: CertificateProblem,
        /// The chain presented, end-entity first.
        chain: Vec<CertificateDer<'static>>,
    },
    /// No shared cipher suite or protocol version.
    #[error("no shared cipher suite or protocol version (TLS alert {alert:?})")]
    NoSharedCipher {
        /// The alert the server sent.
        alert: AlertDescription,
    },
    /// Another TLS failure.
    #[error("TLS failure: {0}")]
    Tls(rustls::Error),
}

impl LinkFailure {
    pub(crate) fn io(step: LinkStep, error: io::Error) -> Self {
        Self::Io {
            step,
            error: Arc::new(error),
        }
    }

    pub(crate) fn no_address(host: &str) -> Self {
        Self::DnsFailure {
            host: host.to_owned(),
            error: Arc::new(io::Error::new(
                io::ErrorKind::NotFound,
                "the name has no address",
            )),
        }
    }

    /// Whether retrying later can succeed without a change of configuration.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::DnsFailure { .. }
                | Self::ConnectionRefused { .. }
                | Self::TimedOut { .. }
                | Self::Io { .. }
        )
    }

    /// The step where it failed.
    pub fn step(&self) -> Option<LinkStep> {
        match self {
            Self::InvalidServerName(_) | Self::InvalidTlsPolicy(_) => None,
            Self::DnsFailure { .. } => Some(LinkStep::Resolve),
            Self::ConnectionRefused { .. } => Some(LinkStep::Connect),
            Self::TimedOut { step } | Self::Io { step, .. } => Some(*step),
            Self::UntrustedCertificate { .. } | Self::NoSharedCipher { .. } | Self::Tls(_) => {
                Some(LinkStep::TlsHandshake)
            }
        }
    }

    /// A stable snake-case name of the classification, shared with SMTP's where the cause is
    /// the same.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidServerName(_) => "invalid_server_name",
            Self::InvalidTlsPolicy(_) => "invalid_tls_policy",
            Self::DnsFailure { .. } => "dns_failure",
            Self::ConnectionRefused { .. } => "connection_refused",
            Self::TimedOut { .. } => "timed_out",
            Self::Io { .. } => "connection_error",
            Self::UntrustedCertificate { .. } => "untrusted_certificate",
            Self::NoSharedCipher { .. } => "no_shared_cipher",
            Self::Tls(_) => "tls_error",
        }
    }

    /// What the operator should do.
    pub fn fix(&self) -> &'static str {
        match self {
            Self::InvalidServerName(_) => {
                "Set the host to a DNS name or an IP address, without scheme, path or port."
            }
            Self::InvalidTlsPolicy(_) => {
                "Correct the cipher list: IANA or OpenSSL names of ECDHE or TLS 1.3 AEAD suites, at least one for each allowed TLS version."
            }
            Self::DnsFailure { .. } => {
                "Check the receiver's host name and the manager's DNS resolver settings."
            }
            Self::ConnectionRefused { .. } => {
                "Nothing listens on that port: check the port and that the receiver is running; a firewall that rejects the port looks the same."
            }
            Self::TimedOut { .. } => {
                "The receiver did not answer in time: check firewalls on the path, the address, and the receiver's load."
            }
            Self::Io { .. } => {
                "The receiver closed or reset the connection: check the port and whether it expects TLS (https, syslog over TLS on 6514) or plain TCP."
            }
            Self::UntrustedCertificate { .. } => {
                "Import the receiver's CA certificate (or the presented chain) into the trust store, or correct the host name to one the certificate names."
            }
            Self::NoSharedCipher { .. } => {
                "The receiver offers no TLS 1.2/1.3 ECDHE suite with AEAD: update its TLS configuration, or widen the cipher list if it names too few suites."
            }
            Self::Tls(_) => {
                "The TLS handshake failed: check that the port speaks TLS and the receiver's TLS configuration."
            }
        }
    }
}

/// A byte stream, plain or TLS.
pub(crate) trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}

impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// What a TLS connection needs.
pub(crate) struct TlsOptions<'a> {
    pub(crate) policy: &'a TlsPolicy,
    pub(crate) trust: &'a TrustAnchors,
    pub(crate) accept_invalid: bool,
}

/// `host:port`, with brackets around an IPv6 address.
pub(crate) fn target(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The addresses of `host`.
pub(crate) async fn resolve(
    host: &str,
    port: u16,
    limit: Duration,
) -> Result<Vec<SocketAddr>, LinkFailure> {
    match timeout(limit, tokio::net::lookup_host((host, port))).await {
        Ok(Ok(addresses)) => Ok(addresses.collect()),
        Ok(Err(error)) => Err(LinkFailure::DnsFailure {
            host: host.to_owned(),
            error: Arc::new(error),
        }),
        Err(_) => Err(LinkFailure::TimedOut {
            step: LinkStep::Resolve,
        }),
    }
}

/// Connects to `host:port`, trying each address, then runs the TLS handshake when asked.
pub(crate) async fn open(
    host: &str,
    port: u16,
    limit: Duration,
    tls: Option<TlsOptions<'_>>,
) -> Result<Box<dyn Stream>, LinkFailure> {
    // Build the TLS material first: a bad policy or name fails before any traffic.
    let tls = match tls {
        Some(options) => {
            let (config, verifier) =
                client_config(options.policy, options.trust, options.accept_invalid)?;
            let name = ServerName::try_from(host.to_owned())
                .map_err(|_| LinkFailure::InvalidServerName(host.to_owned()))?;
            Some((config, verifier, name))
        }
        None => None,
    };
    let mut last = None;
    let mut stream = None;
    for address in resolve(host, port, limit).await? {
        match timeout(limit, TcpStream::connect(address)).await {
            Ok(Ok(s)) => {
                stream = Some(s);
                break;
            }
            Ok(Err(error)) if error.kind() == io::ErrorKind::ConnectionRefused => {
                last = Some(LinkFailure::ConnectionRefused { address });
            }
            Ok(Err(error)) => last = Some(LinkFailure::io(LinkStep::Connect, error)),
            Err(_) => {
                last = Some(LinkFailure::TimedOut {
                    step: LinkStep::Connect,
                });
            }
        }
    }
    let Some(stream) = stream else {
        return Err(last.unwrap_or_else(|| LinkFailure::no_address(host)));
    };
    let _ = stream.set_nodelay(true);
    let Some((config, verifier, name)) = tls else {
        return Ok(Box::new(stream));
    };
    match timeout(limit, TlsConnector::from(config).connect(name, stream)).await {
        Ok(Ok(tls)) => Ok(Box::new(tls)),
        Ok(Err(error)) => {
            let rustls_error = error
                .get_ref()
                .and_then(|e| e.downcast_ref::<rustls::Error>())
                .cloned();
            Err(match rustls_error {
                Some(rustls::Error::InvalidCertificate(cert_error)) => {
                    let chain = verifier.presented().map(|p| p.chain).unwrap_or_default();
                    LinkFailure::UntrustedCertificate {
                        problem: CertificateProblem::from_rustls(&cert_error, &chain, host),
                        chain,
                    }
                }
                Some(rustls::Error::AlertReceived(
                    alert @ (AlertDescription::HandshakeFailure
                    | AlertDescription::InsufficientSecurity
                    | AlertDescription::ProtocolVersion),
                )) => LinkFailure::NoSharedCipher { alert },
                Some(other) => LinkFailure::Tls(other),
                None => LinkFailure::io(LinkStep::TlsHandshake, error),
            })
        }
        Err(_) => Err(LinkFailure::TimedOut {
            step: LinkStep::TlsHandshake,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_bracket_ipv6() {
        assert_eq!(target("::1", 514), "[::1]:514");
        assert_eq!(target("logs.example", 6514), "logs.example:6514");
    }

    #[tokio::test]
    async fn refused_connection_is_transient() {
        // Bind then drop: the port is very likely free and nothing listens.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(9);
        let result = open("127.0.0.1", port, Duration::from_secs(2), None).await;
        let Err(failure) = result else {
            panic!("nothing listens on {port}")
        };
        assert_eq!(failure.kind(), "connection_refused");
        assert!(failure.is_transient());
        assert_eq!(failure.step(), Some(LinkStep::Connect));
    }
}
