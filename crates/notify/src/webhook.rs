//! Webhook delivery: a JSON POST over HTTP/1.1 or HTTPS (RFC 9112, RFC 9110), signed with
//! HMAC-SHA256 (RFC 2104) so the receiver can check who sent it and reject replays.
//!
//! The signature is `X-Vigie-Signature: sha256=<hex>` over `<timestamp>.<body>`, where
//! `<timestamp>` is the `X-Vigie-Timestamp` header (Unix seconds). A receiver recomputes it
//! with the shared secret ([`verify_signature`]) and refuses timestamps older than a few
//! minutes. `X-Vigie-Delivery` carries the notification's stable id: a retried delivery
//! sends the same id, so duplicates are recognisable.
//!
//! The client is a minimal HTTP/1.1 one (one request, `Connection: close`) over the crate's
//! TCP and rustls connections, so that a webhook gets the same TLS policy, trust store and
//! failure classification as SMTP without a second HTTP and TLS stack.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;

use crate::secret::Secret;
use crate::tls::{TlsPolicy, TrustAnchors};
use crate::transport::{self, LinkFailure, LinkStep, TlsOptions};

/// The header holding the signature.
pub const SIGNATURE_HEADER: &str = "X-Vigie-Signature";
/// The header holding the signed timestamp.
pub const TIMESTAMP_HEADER: &str = "X-Vigie-Timestamp";
/// The header holding the delivery id, stable across retries.
pub const DELIVERY_HEADER: &str = "X-Vigie-Delivery";

/// How much of a refusal's body is kept for the troubleshooting log.
const BODY_EXCERPT: usize = 512;
/// The response head is bounded: a receiver cannot make vigie buffer without end.
const MAX_HEAD: usize = 16 * 1024;

/// A webhook receiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// `http://host[:port]/path` or `https://host[:port]/path`.
    pub url: String,
    /// The HMAC key shared with the receiver.
    pub secret: Secret,
    /// Connect, handshake, write and response timeout, each.
    pub timeout: Duration,
    /// Protocol versions and cipher suites for HTTPS.
    pub tls: TlsPolicy,
    /// Trusted certificates for HTTPS.
    pub trust: TrustAnchors,
    /// Accept any certificate and any host name. Dangerous.
    pub dangerous_accept_invalid_certs: bool,
}

impl WebhookConfig {
    /// A receiver with the system roots and a 10 s timeout.
    pub fn new(url: impl Into<String>, secret: Secret) -> Self {
        Self {
            url: url.into(),
            secret,
            timeout: Duration::from_secs(10),
            tls: TlsPolicy::default(),
            trust: TrustAnchors::system(),
            dangerous_accept_invalid_certs: false,
        }
    }
}

/// A parsed webhook URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    /// Whether the scheme is `https`.
    pub https: bool,
    /// Host name or IP address (without brackets).
    pub host: String,
    /// Port, from the URL or the scheme's default.
    pub port: u16,
    /// Path and query, starting with `/`.
    pub path: String,
}

impl WebhookUrl {
    /// Parses `http(s)://host[:port][/path]`; user information and fragments are refused.
    pub fn parse(url: &str) -> Result<Self, WebhookFailure> {
        let bad = || WebhookFailure::BadUrl(url.to_owned());
        let (https, rest) = if let Some(rest) = url.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(bad());
        };
        let (authority, path) = match rest.find('/') {
            Some(index) => (&rest[..index], &rest[index..]),
            None => (rest, "/"),
        };
        let printable = |s: &str| s.bytes().all(|b| b.is_ascii_graphic());
        if authority.contains('@') || path.contains('#') || !printable(path) {
            return Err(bad());
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (host, after) = v6.split_once(']').ok_or_else(bad)?;
            (host, after.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            }
        };
        let port = match port {
            Some(port) => port.parse().map_err(|_| bad())?,
            None if https => 443,
            None => 80,
        };
        if host.is_empty() || !printable(host) {
            return Err(bad());
        }
        Ok(Self {
            https,
            host: host.to_owned(),
            port,
            path: path.to_owned(),
        })
    }

    fn host_header(&self) -> String {
        let default = if self.https { 443 } else { 80 };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == default {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

/// What the receiver answered to an accepted delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookResponse {
    /// The 2xx status code.
    pub status: u16,
    /// The first bytes of the body, lossily decoded.
    pub body_excerpt: String,
}

/// A webhook that was not delivered.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookFailure {
    /// The URL is not `http(s)://host[:port]/path`.
    #[error("invalid webhook URL {0:?}")]
    BadUrl(String),
    /// The connection, the TLS handshake, the write or the read failed.
    #[error(transparent)]
    Link(#[from] LinkFailure),
    /// The receiver answered with a status other than 2xx.
    #[error("the receiver answered HTTP {status}: {body}")]
    Status {
        /// The status code.
        status: u16,
        /// The first bytes of the body.
        body: String,
    },
    /// The answer is not an HTTP/1.x response.
    #[error("the receiver's answer is not an HTTP response: {0}")]
    BadResponse(&'static str),
}

impl WebhookFailure {
    /// Whether retrying later can succeed: connection failures, 5xx, 429 (Too Many
    /// Requests) and 408 (Request Timeout) are transient; other 4xx are permanent.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Link(link) => link.is_transient(),
            Self::Status { status, .. } => *status >= 500 || matches!(status, 408 | 429),
            Self::BadUrl(_) | Self::BadResponse(_) => false,
        }
    }

    /// A stable snake-case name of the classification.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::BadUrl(_) => "invalid_url",
            Self::Link(link) => link.kind(),
            Self::Status { status, .. } if *status >= 500 => "http_server_error",
            Self::Status { status: 429, .. } => "http_rate_limited",
            Self::Status {
                status: 401 | 403, ..
            } => "http_unauthorized",
            Self::Status { .. } => "http_client_error",
            Self::BadResponse(_) => "not_http",
        }
    }

    /// What the operator should do.
    pub fn fix(&self) -> &'static str {
        match self {
            Self::BadUrl(_) => {
                "Write the URL as http://host[:port]/path or https://host[:port]/path, without user information or fragment."
            }
            Self::Link(link) => link.fix(),
            Self::Status { status, .. } if *status >= 500 => {
                "The receiver failed: vigie retries; check the receiver's logs."
            }
            Self::Status { status: 429, .. } => {
                "The receiver asks vigie to slow down: vigie retries with back-off; lower the channel's rate limit to match the receiver's."
            }
            Self::Status {
                status: 401 | 403, ..
            } => {
                "The receiver refused the request: check that it has the same signing secret as the webhook action and that its clock is within its replay window."
            }
            Self::Status { .. } => {
                "The receiver refused the request: check the URL's path and what JSON the receiver expects."
            }
            Self::BadResponse(_) => {
                "Something other than an HTTP server answered: check the port, and http:// against https://."
            }
        }
    }

    /// The HTTP status, when the receiver answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The step where it failed.
    pub fn step(&self) -> Option<LinkStep> {
        match self {
            Self::Link(link) => link.step(),
            Self::Status { .. } | Self::BadResponse(_) => Some(LinkStep::Response),
            Self::BadUrl(_) => None,
        }
    }
}

/// `sha256=<hex>` of HMAC-SHA256(secret, `<timestamp>.<body>`).
pub fn sign(secret: &Secret, timestamp: u64, body: &[u8]) -> String {
    let digest = signer(secret, timestamp, body).finalize().into_bytes();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256=");
    for byte in digest {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

fn signer(secret: &Secret, timestamp: u64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length (RFC 2104 §2): `new_from_slice` cannot fail for it.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Checks a received signature in constant time: what a receiver does with the two headers
/// and the body.
pub fn verify_signature(secret: &Secret, timestamp: &str, body: &[u8], signature: &str) -> bool {
    let Ok(timestamp) = timestamp.parse::<u64>() else {
        return false;
    };
    let Some(hex) = signature.strip_prefix("sha256=") else {
        return false;
    };
    let Some(expected) = decode_hex(hex) else {
        return false;
    };
    signer(secret, timestamp, body)
        .verify_slice(&expected)
        .is_ok()
}

fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// POSTs `body` (JSON) to the receiver of `config`, signed at `now`.
pub async fn post_webhook(
    config: &WebhookConfig,
    delivery_id: &str,
    body: &str,
    now: SystemTime,
) -> Result<WebhookResponse, WebhookFailure> {
    let url = WebhookUrl::parse(&config.url)?;
    if delivery_id.bytes().any(|b| !b.is_ascii_graphic()) {
        return Err(WebhookFailure::BadUrl(config.url.clone()));
    }
    let timestamp = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let signature = sign(&config.secret, timestamp, body.as_bytes());
    let mut request = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: vigie/{}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{TIMESTAMP_HEADER}: {timestamp}\r\n{SIGNATURE_HEADER}: {signature}\r\n{DELIVERY_HEADER}: {delivery_id}\r\n\r\n",
        url.path,
        url.host_header(),
        env!("CARGO_PKG_VERSION"),
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body.as_bytes());
    let tls = url.https.then_some(TlsOptions {
        policy: &config.tls,
        trust: &config.trust,
        accept_invalid: config.dangerous_accept_invalid_certs,
    });
    let mut stream = transport::open(&url.host, url.port, config.timeout, tls).await?;
    match timeout(config.timeout, async {
        stream.write_all(&request).await?;
        stream.flush().await
    })
    .await
    {
        Ok(Ok(())) => {}
        Ok(Err(error)) => return Err(LinkFailure::io(LinkStep::Send, error).into()),
        Err(_) => {
            return Err(LinkFailure::TimedOut {
                step: LinkStep::Send,
            }
            .into());
        }
    }
    let response = match timeout(config.timeout, read_response(&mut stream)).await {
        Ok(result) => result?,
        Err(_) => {
            return Err(LinkFailure::TimedOut {
                step: LinkStep::Response,
            }
            .into());
        }
    };
    if (200..300).contains(&response.status) {
        Ok(response)
    } else {
        Err(WebhookFailure::Status {
            status: response.status,
            body: response.body_excerpt,
        })
    }
}

/// Reads the status line and headers, then up to [`BODY_EXCERPT`] bytes of body.
async fn read_response(
    stream: &mut Box<dyn transport::Stream>,
) -> Result<WebhookResponse, WebhookFailure> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(index) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break index;
        }
        if buffer.len() > MAX_HEAD {
            return Err(WebhookFailure::BadResponse("the response head is too long"));
        }
        match stream.read(&mut chunk).await {
            Ok(0) if buffer.is_empty() => {
                return Err(LinkFailure::io(
                    LinkStep::Response,
                    std::io::ErrorKind::UnexpectedEof.into(),
                )
                .into());
            }
            Ok(0) => {
                return Err(WebhookFailure::BadResponse(
                    "the response head is incomplete",
                ));
            }
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            Err(error) => return Err(LinkFailure::io(LinkStep::Response, error).into()),
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let status_line = head.lines().next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    let code = parts.next().unwrap_or_default();
    if !version.starts_with("HTTP/1.") || code.len() != 3 {
        return Err(WebhookFailure::BadResponse("no HTTP/1.x status line"));
    }
    let status: u16 = code
        .parse()
        .map_err(|_| WebhookFailure::BadResponse("the status code is not a number"))?;
    let mut body = buffer.split_off(head_end + 4);
    // The body only serves the log: read what comes within the excerpt's size and stop.
    while body.len() < BODY_EXCERPT {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    body.truncate(BODY_EXCERPT);
    Ok(WebhookResponse {
        status,
        body_excerpt: String::from_utf8_lossy(&body).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse() {
        let url = WebhookUrl::parse("https://hooks.example.com/vigie?x=1").ok();
        assert_eq!(
            url,
            Some(WebhookUrl {
                https: true,
                host: "hooks.example.com".into(),
                port: 443,
                path: "/vigie?x=1".into()
            })
        );
        let url = WebhookUrl::parse("http://[::1]:8080").ok();
        assert_eq!(
            url.as_ref()
                .map(|u| (u.host.as_str(), u.port, u.path.as_str())),
            Some(("::1", 8080, "/"))
        );
        assert_eq!(url.map(|u| u.host_header()).as_deref(), Some("[::1]:8080"));
        for bad in [
            "ftp://x/",
            "http://",
            "http://u:p@host/",
            "http://host:99999/",
            "http://h/a b",
            "http://h/#f",
        ] {
            assert!(WebhookUrl::parse(bad).is_err(), "{bad}");
        }
    }

    /// The value Python's `hmac` module gives for the same key and `<timestamp>.<body>`.
    #[test]
    fn signature_is_hmac_sha256_of_timestamp_dot_body() {
        let secret = Secret::new("Jefe");
        let signature = sign(&secret, 1_795_464_621, br#"{"alarm":1}"#);
        assert_eq!(
            signature,
            "sha256=f0519de838d364a3279534355adb9013dcc898e72bc21ed8a3ab83302c8f6ae8"
        );
        assert!(verify_signature(
            &secret,
            "1795464621",
            br#"{"alarm":1}"#,
            &signature
        ));
        // Another body, timestamp or key does not verify: the timestamp is signed.
        assert!(!verify_signature(
            &secret,
            "1795464622",
            br#"{"alarm":1}"#,
            &signature
        ));
        assert!(!verify_signature(
            &secret,
            "1795464621",
            br#"{"alarm":2}"#,
            &signature
        ));
        assert!(!verify_signature(
            &Secret::new("other"),
            "1795464621",
            br#"{"alarm":1}"#,
            &signature
        ));
        assert!(!verify_signature(
            &secret,
            "1795464621",
            br#"{"alarm":1}"#,
            "sha256=zz"
        ));
    }

    #[test]
    fn classification_of_statuses() {
        let status = |status| WebhookFailure::Status {
            status,
            body: String::new(),
        };
        assert!(status(503).is_transient());
        assert!(status(429).is_transient());
        assert!(status(408).is_transient());
        assert!(!status(400).is_transient());
        assert!(!status(401).is_transient());
        assert_eq!(status(401).kind(), "http_unauthorized");
        assert_eq!(status(500).kind(), "http_server_error");
        assert!(!WebhookFailure::BadUrl("x".into()).is_transient());
    }
}
