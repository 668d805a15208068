//! Syslog delivery: RFC 5424 messages over UDP (RFC 5426), TCP with octet-counting framing
//! (RFC 6587 §3.4.1) and TLS (RFC 5425, with the crate's rustls policy).
//!
//! One connection per message: alarms are rare enough that a persistent connection would
//! only add a reconnection path to get wrong, and each attempt then reports its own
//! connection failure to the troubleshooting log.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;
use tokio::net::UdpSocket;
use tokio::time::timeout;

use crate::tls::{TlsPolicy, TrustAnchors};
use crate::transport::{self, LinkFailure, LinkStep};

/// The application name vigie puts in APP-NAME.
pub const APP_NAME: &str = "vigie";

/// The RFC 5424 NILVALUE.
const NIL: &str = "-";

/// A syslog message (RFC 5424 §6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyslogMessage {
    /// Facility, 0–23 (RFC 5424 §6.2.1, Table 1); 16–23 are local0–local7.
    pub facility: u8,
    /// Severity, 0 (Emergency) – 7 (Debug) (RFC 5424 §6.2.1, Table 2).
    pub severity: u8,
    /// TIMESTAMP; `None` is the NILVALUE.
    pub timestamp: Option<Timestamp>,
    /// HOSTNAME, at most 255 printable US-ASCII characters; empty is the NILVALUE.
    pub hostname: String,
    /// APP-NAME, at most 48 characters; [`APP_NAME`] by default.
    pub app_name: String,
    /// PROCID, at most 128 characters; empty is the NILVALUE.
    pub procid: String,
    /// MSGID, at most 32 characters; empty is the NILVALUE.
    pub msgid: String,
    /// STRUCTURED-DATA elements, in order; none is the NILVALUE.
    pub structured_data: Vec<SdElement>,
    /// MSG, free text; `None` sends no MSG part.
    pub msg: Option<String>,
    /// Whether MSG starts with the UTF-8 BOM, marking it as UTF-8 (RFC 5424 §6.4 MSG-UTF8).
    pub bom: bool,
}

/// A TIMESTAMP (RFC 5424 §6.2.3, a restricted RFC 3339 date-time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timestamp {
    /// The instant.
    pub time: SystemTime,
    /// The offset from UTC written, in minutes (0 writes `Z`).
    pub offset_minutes: i16,
    /// Digits of the fraction of a second, 0–6 (RFC 5424 §6.2.3 TIME-SECFRAC).
    pub fraction_digits: u8,
}

impl Timestamp {
    /// UTC with milliseconds, as vigie sends.
    pub fn utc_millis(time: SystemTime) -> Self {
        Self {
            time,
            offset_minutes: 0,
            fraction_digits: 3,
        }
    }
}

/// An SD-ELEMENT: an SD-ID and its parameters (RFC 5424 §6.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SdElement {
    /// SD-ID, e.g. `exampleSDID@32473` (an SD-NAME, optionally `@` an enterprise number).
    pub id: String,
    /// SD-PARAMs: (PARAM-NAME, PARAM-VALUE), in order; values are escaped when written.
    pub params: Vec<(String, String)>,
}

/// A syslog message that cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SyslogError {
    /// Facility above 23 or severity above 7.
    #[error("facility {facility} or severity {severity} out of range (0–23, 0–7)")]
    BadPriority {
        /// The facility.
        facility: u8,
        /// The severity.
        severity: u8,
    },
    /// A header field is too long or holds characters outside printable US-ASCII.
    #[error("the {field} field {value:?} is not 1–{max} printable US-ASCII characters")]
    BadHeaderField {
        /// HOSTNAME, APP-NAME, PROCID or MSGID.
        field: &'static str,
        /// The value.
        value: String,
        /// The maximum length.
        max: usize,
    },
    /// An SD-ID or PARAM-NAME is not an SD-NAME (1–32 printable US-ASCII, no `=`, space,
    /// `]` or `"`).
    #[error("{0:?} is not a valid SD-NAME")]
    BadSdName(String),
    /// The fraction has more than 6 digits, or the offset is beyond ±23:59.
    #[error("the timestamp cannot be written (fraction digits ≤ 6, offset within ±23:59)")]
    BadTimestamp,
}

impl SyslogMessage {
    /// A message from vigie: facility, severity, now in UTC with milliseconds, APP-NAME
    /// `vigie`, this process's PROCID, a BOM before the text.
    pub fn new(
        facility: u8,
        severity: u8,
        hostname: impl Into<String>,
        msg: impl Into<String>,
    ) -> Self {
        Self {
            facility,
            severity,
            timestamp: Some(Timestamp::utc_millis(SystemTime::now())),
            hostname: hostname.into(),
            app_name: APP_NAME.to_owned(),
            procid: std::process::id().to_string(),
            msgid: String::new(),
            structured_data: Vec::new(),
            msg: Some(msg.into()),
            bom: true,
        }
    }

    /// The message as RFC 5424 SYSLOG-MSG bytes.
    pub fn encode(&self) -> Result<Vec<u8>, SyslogError> {
        if self.facility > 23 || self.severity > 7 {
            return Err(SyslogError::BadPriority {
                facility: self.facility,
                severity: self.severity,
            });
        }
        let mut out = String::new();
        let pri = u16::from(self.facility) * 8 + u16::from(self.severity);
        // HEADER = PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID
        let _ = write!(out, "<{pri}>1 ");
        match &self.timestamp {
            Some(timestamp) => out.push_str(&format_timestamp(timestamp)?),
            None => out.push_str(NIL),
        }
        for (field, value, max) in [
            ("HOSTNAME", &self.hostname, 255),
            ("APP-NAME", &self.app_name, 48),
            ("PROCID", &self.procid, 128),
            ("MSGID", &self.msgid, 32),
        ] {
            out.push(' ');
            out.push_str(header_field(field, value, max)?);
        }
        out.push(' ');
        if self.structured_data.is_empty() {
            out.push_str(NIL);
        }
        for element in &self.structured_data {
            write_sd_element(&mut out, element)?;
        }
        let mut bytes = out.into_bytes();
        if let Some(msg) = &self.msg {
            bytes.push(b' ');
            if self.bom {
                bytes.extend_from_slice(b"\xEF\xBB\xBF");
            }
            bytes.extend_from_slice(msg.as_bytes());
        }
        Ok(bytes)
    }
}

/// A header field, or the NILVALUE when empty (RFC 5424 §6.2).
fn header_field<'a>(
    field: &'static str,
    value: &'a str,
    max: usize,
) -> Result<&'a str, SyslogError> {
    if value.is_empty() {
        return Ok(NIL);
    }
    if value.len() > max || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(SyslogError::BadHeaderField {
            field,
            value: value.to_owned(),
            max,
        });
    }
    Ok(value)
}

/// Checks an SD-NAME (RFC 5424 §6.3.2, §6.3.3); an SD-ID may carry `@` and an enterprise
/// number, which is within the same character set.
fn check_sd_name(name: &str) -> Result<(), SyslogError> {
    let valid = !name.is_empty()
        && name.len() <= 32
        && name
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'=' | b']' | b'"'));
    if valid {
        Ok(())
    } else {
        Err(SyslogError::BadSdName(name.to_owned()))
    }
}

/// `[SD-ID SP PARAM-NAME="PARAM-VALUE" …]`, escaping `"`, `\` and `]` in values with a
/// backslash (RFC 5424 §6.3.3).
fn write_sd_element(out: &mut String, element: &SdElement) -> Result<(), SyslogError> {
    check_sd_name(&element.id)?;
    out.push('[');
    out.push_str(&element.id);
    for (name, value) in &element.params {
        check_sd_name(name)?;
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        for c in value.chars() {
            if matches!(c, '"' | '\\' | ']') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    }
    out.push(']');
    Ok(())
}

/// `2003-10-11T22:14:15.003Z` or `2003-08-24T05:14:15.000003-07:00` (RFC 5424 §6.2.3).
fn format_timestamp(timestamp: &Timestamp) -> Result<String, SyslogError> {
    if timestamp.fraction_digits > 6 || timestamp.offset_minutes.unsigned_abs() >= 24 * 60 {
        return Err(SyslogError::BadTimestamp);
    }
    let since = timestamp
        .time
        .duration_since(UNIX_EPOCH)
        .map_err(|_| SyslogError::BadTimestamp)?;
    let local = i64::try_from(since.as_secs()).map_err(|_| SyslogError::BadTimestamp)?
        + i64::from(timestamp.offset_minutes) * 60;
    let local = u64::try_from(local).map_err(|_| SyslogError::BadTimestamp)?;
    let (year, month, day) = civil_from_days(local / 86_400);
    let rem = local % 86_400;
    let mut out = format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    );
    if timestamp.fraction_digits > 0 {
        let micros = since.subsec_micros();
        let digits = u32::from(timestamp.fraction_digits);
        let fraction = micros / 10u32.pow(6 - digits);
        let _ = write!(
            out,
            ".{fraction:0width$}",
            width = usize::from(timestamp.fraction_digits)
        );
    }
    match timestamp.offset_minutes {
        0 => out.push('Z'),
        offset => {
            let sign = if offset < 0 { '-' } else { '+' };
            let abs = offset.unsigned_abs();
            let _ = write!(out, "{sign}{:02}:{:02}", abs / 60, abs % 60);
        }
    }
    Ok(out)
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + u64::from(month <= 2), month, day)
}

/// The transport to the syslog receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyslogTransport {
    /// One datagram per message (RFC 5426), usually port 514.
    Udp,
    /// TCP with octet-counting framing (RFC 6587 §3.4.1), usually port 514 or 601.
    Tcp,
    /// TLS with octet-counting framing (RFC 5425), usually port 6514.
    Tls,
}

/// Where and how syslog messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyslogConfig {
    /// Host name or IP address of the receiver; TLS verifies the certificate against it.
    pub host: String,
    /// Port.
    pub port: u16,
    /// UDP, TCP or TLS.
    pub transport: SyslogTransport,
    /// Connect, handshake and write timeout, each.
    pub timeout: Duration,
    /// Protocol versions and cipher suites for TLS.
    pub tls: TlsPolicy,
    /// Trusted certificates for TLS.
    pub trust: TrustAnchors,
    /// Accept any certificate and any host name. Dangerous.
    pub dangerous_accept_invalid_certs: bool,
}

impl SyslogConfig {
    /// A receiver with the conventional port of the transport (514 for UDP and TCP, 6514
    /// for TLS per RFC 5425 §4.1), the system roots and a 10 s timeout.
    pub fn new(host: impl Into<String>, transport: SyslogTransport) -> Self {
        Self {
            host: host.into(),
            port: match transport {
                SyslogTransport::Udp | SyslogTransport::Tcp => 514,
                SyslogTransport::Tls => 6514,
            },
            transport,
            timeout: Duration::from_secs(10),
            tls: TlsPolicy::default(),
            trust: TrustAnchors::system(),
            dangerous_accept_invalid_certs: false,
        }
    }

    /// `host:port` for logs.
    pub fn target(&self) -> String {
        transport::target(&self.host, self.port)
    }
}

/// A syslog message that was not delivered.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum SyslogFailure {
    /// The message cannot be written.
    #[error("invalid syslog message: {0}")]
    Invalid(#[from] SyslogError),
    /// The connection, the TLS handshake or the write failed.
    #[error(transparent)]
    Link(#[from] LinkFailure),
    /// The message does not fit a UDP datagram.
    #[error("the message is {size} bytes, more than a UDP datagram carries")]
    TooLarge {
        /// The encoded size.
        size: usize,
    },
}

impl SyslogFailure {
    /// Whether retrying later can succeed without a change of configuration.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Link(link) => link.is_transient(),
            Self::Invalid(_) | Self::TooLarge { .. } => false,
        }
    }

    /// A stable snake-case name of the classification.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid_syslog_message",
            Self::Link(link) => link.kind(),
            Self::TooLarge { .. } => "message_too_large",
        }
    }

    /// What the operator should do.
    pub fn fix(&self) -> &'static str {
        match self {
            Self::Invalid(_) => {
                "Correct the syslog action: header fields in printable ASCII within their lengths, SD-IDs and parameter names without '=', ']', '\"' or spaces."
            }
            Self::Link(link) => link.fix(),
            Self::TooLarge { .. } => {
                "Shorten the message template, or use the TCP or TLS transport, which have no datagram limit."
            }
        }
    }

    /// The step where it failed, when it is tied to one.
    pub fn step(&self) -> Option<LinkStep> {
        match self {
            Self::Link(link) => link.step(),
            Self::Invalid(_) | Self::TooLarge { .. } => None,
        }
    }
}

/// The largest UDP payload over IPv4 (65,535 − 8 − 20).
const MAX_DATAGRAM: usize = 65_507;

/// Sends one message to the receiver of `config`.
pub async fn send_syslog(
    config: &SyslogConfig,
    message: &SyslogMessage,
) -> Result<(), SyslogFailure> {
    let bytes = message.encode()?;
    match config.transport {
        SyslogTransport::Udp => send_udp(config, &bytes).await,
        SyslogTransport::Tcp | SyslogTransport::Tls => {
            // RFC 6587 §3.4.1 and RFC 5425 §4.3: MSG-LEN SP SYSLOG-MSG.
            let mut frame = format!("{} ", bytes.len()).into_bytes();
            frame.extend_from_slice(&bytes);
            let mut stream = transport::open(
                &config.host,
                config.port,
                config.timeout,
                (config.transport == SyslogTransport::Tls).then_some(transport::TlsOptions {
                    policy: &config.tls,
                    trust: &config.trust,
                    accept_invalid: config.dangerous_accept_invalid_certs,
                }),
            )
            .await?;
            let write = async {
                stream.write_all(&frame).await?;
                stream.flush().await?;
                stream.shutdown().await
            };
            match timeout(config.timeout, write).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(error)) => Err(LinkFailure::io(LinkStep::Send, error).into()),
                Err(_) => Err(LinkFailure::TimedOut {
                    step: LinkStep::Send,
                }
                .into()),
            }
        }
    }
}

async fn send_udp(config: &SyslogConfig, bytes: &[u8]) -> Result<(), SyslogFailure> {
    if bytes.len() > MAX_DATAGRAM {
        return Err(SyslogFailure::TooLarge { size: bytes.len() });
    }
    let address: SocketAddr = transport::resolve(&config.host, config.port, config.timeout)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| LinkFailure::no_address(&config.host))?;
    let local: SocketAddr = if address.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(local)
        .await
        .map_err(|e| LinkFailure::io(LinkStep::Connect, e))?;
    match timeout(config.timeout, socket.send_to(bytes, address)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => Err(LinkFailure::io(LinkStep::Send, error).into()),
        Err(_) => Err(LinkFailure::TimedOut {
            step: LinkStep::Send,
        }
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64, micros: u32) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_micros(u64::from(micros))
    }

    fn text(message: &SyslogMessage) -> Vec<u8> {
        message.encode().unwrap_or_else(|e| panic!("{e}"))
    }

    /// RFC 5424 §6.5, example 1: no STRUCTURED-DATA, UTF-8 MSG with BOM.
    #[test]
    fn rfc5424_example_1() {
        let message = SyslogMessage {
            facility: 4,
            severity: 2,
            // 2003-10-11T22:14:15.003Z
            timestamp: Some(Timestamp::utc_millis(at(1_065_910_455, 3_000))),
            hostname: "mymachine.example.com".into(),
            app_name: "su".into(),
            procid: String::new(),
            msgid: "ID47".into(),
            structured_data: Vec::new(),
            msg: Some("'su root' failed for lonvick on /dev/pts/8".into()),
            bom: true,
        };
        assert_eq!(
            text(&message),
            b"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xEF\xBB\xBF'su root' failed for lonvick on /dev/pts/8"
        );
    }

    /// RFC 5424 §6.5, example 2: microseconds, a -07:00 offset, MSG without BOM.
    #[test]
    fn rfc5424_example_2() {
        let message = SyslogMessage {
            facility: 20,
            severity: 5,
            // 2003-08-24T05:14:15.000003-07:00 is 12:14:15.000003 UTC.
            timestamp: Some(Timestamp {
                time: at(1_061_727_255, 3),
                offset_minutes: -420,
                fraction_digits: 6,
            }),
            hostname: "192.0.2.1".into(),
            app_name: "myproc".into(),
            procid: "8710".into(),
            msgid: String::new(),
            structured_data: Vec::new(),
            msg: Some("%% It's time to make the do-nuts.".into()),
            bom: false,
        };
        assert_eq!(
            String::from_utf8(text(&message)).unwrap_or_default(),
            "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts."
        );
    }

    fn example_sd() -> SdElement {
        SdElement {
            id: "exampleSDID@32473".into(),
            params: vec![
                ("iut".into(), "3".into()),
                ("eventSource".into(), "Application".into()),
                ("eventID".into(), "1011".into()),
            ],
        }
    }

    /// RFC 5424 §6.5, examples 3 and 4: STRUCTURED-DATA with and without MSG.
    #[test]
    fn rfc5424_examples_3_and_4() {
        let mut message = SyslogMessage {
            facility: 20,
            severity: 5,
            timestamp: Some(Timestamp::utc_millis(at(1_065_910_455, 3_000))),
            hostname: "mymachine.example.com".into(),
            app_name: "evntslog".into(),
            procid: String::new(),
            msgid: "ID47".into(),
            structured_data: vec![example_sd()],
            msg: Some("An application event log entry...".into()),
            bom: true,
        };
        assert_eq!(
            text(&message),
            b"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] \xEF\xBB\xBFAn application event log entry..."
        );
        message.structured_data.push(SdElement {
            id: "examplePriority@32473".into(),
            params: vec![("class".into(), "high".into())],
        });
        message.msg = None;
        assert_eq!(
            String::from_utf8(text(&message)).unwrap_or_default(),
            "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]"
        );
    }

    /// RFC 5424 §6.3.3: `"`, `\` and `]` are escaped in PARAM-VALUE, nothing else is.
    #[test]
    fn param_values_are_escaped() {
        let mut message = SyslogMessage::new(1, 3, "h", "m");
        message.timestamp = None;
        message.procid = String::new();
        message.structured_data = vec![SdElement {
            id: "alarm@32473".into(),
            params: vec![("text".into(), r#"a"b\c]d[e é"#.into())],
        }];
        message.msg = None;
        assert_eq!(
            String::from_utf8(text(&message)).unwrap_or_default(),
            r#"<11>1 - h vigie - - [alarm@32473 text="a\"b\\c\]d[e é"]"#
        );
    }

    #[test]
    fn invalid_fields_are_refused() {
        let mut message = SyslogMessage::new(24, 0, "h", "m");
        assert!(matches!(
            message.encode(),
            Err(SyslogError::BadPriority { .. })
        ));
        message.facility = 1;
        message.hostname = "two words".into();
        assert!(matches!(
            message.encode(),
            Err(SyslogError::BadHeaderField {
                field: "HOSTNAME",
                ..
            })
        ));
        message.hostname = "h".into();
        message.msgid = "x".repeat(33);
        assert!(matches!(
            message.encode(),
            Err(SyslogError::BadHeaderField { field: "MSGID", .. })
        ));
        message.msgid = String::new();
        message.structured_data = vec![SdElement {
            id: "bad id".into(),
            params: Vec::new(),
        }];
        assert!(matches!(message.encode(), Err(SyslogError::BadSdName(_))));
        message.structured_data = vec![SdElement {
            id: "ok".into(),
            params: vec![("a=b".into(), String::new())],
        }];
        assert!(matches!(message.encode(), Err(SyslogError::BadSdName(_))));
    }

    #[test]
    fn timestamps_with_offsets_and_precisions() {
        let time = at(0, 123_456);
        let stamp = |offset_minutes, fraction_digits| {
            format_timestamp(&Timestamp {
                time,
                offset_minutes,
                fraction_digits,
            })
        };
        assert_eq!(stamp(0, 0).as_deref(), Ok("1970-01-01T00:00:00Z"));
        assert_eq!(stamp(0, 1).as_deref(), Ok("1970-01-01T00:00:00.1Z"));
        assert_eq!(
            stamp(330, 3).as_deref(),
            Ok("1970-01-01T05:30:00.123+05:30")
        );
        assert_eq!(stamp(0, 7), Err(SyslogError::BadTimestamp));
        // Before the epoch in local time: not representable here, refused rather than wrong.
        assert_eq!(stamp(-60, 0), Err(SyslogError::BadTimestamp));
    }
}
