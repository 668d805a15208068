//! A probe that tells a server that speaks only finite-field DHE from one that shares no
//! cipher at all.
//!
//! rustls never offers DHE suites, so a DHE-only server answers its `ClientHello` with a
//! `handshake_failure` alert, exactly as a server with no common cipher would. To name the
//! cause, the probe opens a second connection and sends a minimal TLS 1.2 `ClientHello`
//! (RFC 5246 §7.4.1.2) offering only DHE suites; if the server picks one, it reads the
//! `ServerKeyExchange` (RFC 5246 §7.4.3) for the size of the DH prime — the "Server Temp Key:
//! DH, 1024 bits" of the seed's `openssl s_client` output. The probe never completes a
//! handshake and sends no credentials.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::client::connect;
use crate::config::{Encryption, SmtpConfig};
use crate::failure::DeliveryFailure;

/// The DHE suites offered by the probe: (code, IANA name).
const DHE_SUITES: &[(u16, &str)] = &[
    (0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"),
    (0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"),
    (0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
    (0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"),
    (0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"),
    (0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"),
    (0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"),
    (0x00a2, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"),
    (0x00a3, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384"),
];

/// Returns [`DeliveryFailure::WeakDh`] when the server accepts a DHE suite.
pub(crate) async fn probe_dhe(config: &SmtpConfig) -> Option<DeliveryFailure> {
    let work = async {
        let mut stream = connect(config).await.ok()?;
        if config.encryption == Encryption::StartTls {
            starttls_preamble(&mut stream, &config.helo_name).await?;
        }
        stream.write_all(&client_hello(&config.server)).await.ok()?;
        let outcome = read_server_flight(&mut stream).await?;
        let name = DHE_SUITES
            .iter()
            .find(|(code, _)| *code == outcome.suite)
            .map(|(_, name)| *name)?;
        Some(DeliveryFailure::WeakDh {
            suite: name.to_owned(),
            dh_bits: outcome.dh_bits,
        })
    };
    timeout(config.timeouts.tls + config.timeouts.command, work)
        .await
        .ok()
        .flatten()
}

/// Greeting, EHLO, STARTTLS over a plain stream; `None` if any reply is not the expected one.
async fn starttls_preamble(stream: &mut TcpStream, helo: &str) -> Option<()> {
    let mut buffer = Vec::new();
    expect(stream, &mut buffer, 220).await?;
    stream
        .write_all(format!("EHLO {helo}\r\n").as_bytes())
        .await
        .ok()?;
    expect(stream, &mut buffer, 250).await?;
    stream.write_all(b"STARTTLS\r\n").await.ok()?;
    expect(stream, &mut buffer, 220).await
}

/// Reads one complete reply and checks its code.
async fn expect(stream: &mut TcpStream, buffer: &mut Vec<u8>, code: u16) -> Option<()> {
    let mut builder = crate::reply::ReplyBuilder::default();
    loop {
        while let Some(end) = buffer.windows(2).position(|w| w == b"\r\n") {
            let line: Vec<u8> = buffer.drain(..end + 2).collect();
            let text = String::from_utf8_lossy(&line[..end]);
            if let Some(reply) = builder.push(&text).ok()? {
                return (reply.code == code).then_some(());
            }
        }
        if buffer.len() > 8192 {
            return None;
        }
        let mut chunk = [0u8; 1024];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

/// A TLS 1.2 `ClientHello` offering the DHE suites, with SNI for DNS names and the
/// signature algorithms OpenSSL 3 expects.
fn client_hello(server: &str) -> Vec<u8> {
    let mut body = vec![0x03, 0x03];
    // The random need not be secret: the probe never derives keys.
    body.extend_from_slice(&[0x5a; 32]);
    body.push(0);
    let suites: Vec<u8> = DHE_SUITES
        .iter()
        .flat_map(|(code, _)| code.to_be_bytes())
        .collect();
    push_u16_prefixed(&mut body, &suites);
    body.extend_from_slice(&[0x01, 0x00]);

    let mut extensions = Vec::new();
    if server.parse::<std::net::IpAddr>().is_err() && server.len() < 256 {
        // server_name (RFC 6066 §3): list of one host_name entry.
        let mut entry = vec![0x00];
        push_u16_prefixed(&mut entry, server.as_bytes());
        let mut list = Vec::new();
        push_u16_prefixed(&mut list, &entry);
        extensions.extend_from_slice(&[0x00, 0x00]);
        push_u16_prefixed(&mut extensions, &list);
    }
    // signature_algorithms (RFC 5246 §7.4.1.4.1): RSA-PSS, PKCS#1 and ECDSA with SHA-2.
    let schemes: &[u16] = &[
        0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0403, 0x0503,
    ];
    let schemes: Vec<u8> = schemes.iter().flat_map(|s| s.to_be_bytes()).collect();
    let mut list = Vec::new();
    push_u16_prefixed(&mut list, &schemes);
    extensions.extend_from_slice(&[0x00, 0x0d]);
    push_u16_prefixed(&mut extensions, &list);
    push_u16_prefixed(&mut body, &extensions);

    let mut handshake = vec![0x01];
    push_u24_prefixed(&mut handshake, &body);
    let mut record = vec![0x16, 0x03, 0x01];
    push_u16_prefixed(&mut record, &handshake);
    record
}

fn push_u16_prefixed(out: &mut Vec<u8>, data: &[u8]) {
    let len = u16::try_from(data.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(data);
}

fn push_u24_prefixed(out: &mut Vec<u8>, data: &[u8]) {
    let len = u32::try_from(data.len())
        .unwrap_or(0x00ff_ffff)
        .min(0x00ff_ffff);
    out.extend_from_slice(&len.to_be_bytes()[1..]);
    out.extend_from_slice(data);
}

/// What the server's first flight says about DHE.
#[derive(Debug, PartialEq, Eq)]
struct ServerFlight {
    suite: u16,
    dh_bits: Option<u16>,
}

/// Reads records until the `ServerHelloDone` (or an alert, or 64 KiB), collecting the chosen
/// suite and the DH prime size.
async fn read_server_flight(stream: &mut TcpStream) -> Option<ServerFlight> {
    let mut records = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut parser = FlightParser::default();
    while records.len() < 65_536 {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        records.extend_from_slice(&chunk[..n]);
        match parser.feed(&records) {
            Progress::Done => break,
            Progress::Failed => return None,
            Progress::More => {}
        }
    }
    Some(ServerFlight {
        suite: parser.suite?,
        dh_bits: parser.dh_bits,
    })
}

#[derive(Default)]
struct FlightParser {
    suite: Option<u16>,
    dh_bits: Option<u16>,
}

enum Progress {
    More,
    Done,
    Failed,
}

impl FlightParser {
    /// Parses every complete record of `records` from the start (the flight is small, so
    /// re-parsing is simpler than keeping offsets).
    fn feed(&mut self, records: &[u8]) -> Progress {
        let mut handshake = Vec::new();
        let mut rest = records;
        while rest.len() >= 5 {
            let content_type = rest[0];
            let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
            let Some(fragment) = rest.get(5..5 + len) else {
                break;
            };
            match content_type {
                0x16 => handshake.extend_from_slice(fragment),
                0x15 => return Progress::Failed,
                _ => return Progress::Failed,
            }
            rest = &rest[5 + len..];
        }
        let mut messages = handshake.as_slice();
        while messages.len() >= 4 {
            let kind = messages[0];
            let len = usize::from(messages[1]) << 16
                | usize::from(messages[2]) << 8
                | usize::from(messages[3]);
            let Some(body) = messages.get(4..4 + len) else {
                break;
            };
            match kind {
                // ServerHello: version(2) random(32) session_id<0..32> cipher_suite(2).
                0x02 => {
                    let sid_len = usize::from(*body.get(34).unwrap_or(&0));
                    let at = 35 + sid_len;
                    self.suite = body
                        .get(at..at + 2)
                        .map(|s| u16::from_be_bytes([s[0], s[1]]));
                }
                // ServerKeyExchange for DHE: dh_p<1..2^16-1> first.
                0x0c => {
                    let p_len = body
                        .get(..2)
                        .map(|s| usize::from(u16::from_be_bytes([s[0], s[1]])));
                    if let Some(prime) = p_len.and_then(|l| body.get(2..2 + l)) {
                        self.dh_bits = Some(bit_length(prime));
                    }
                    return Progress::Done;
                }
                // ServerHelloDone.
                0x0e => return Progress::Done,
                _ => {}
            }
            messages = &messages[4 + len..];
        }
        Progress::More
    }
}

/// The number of significant bits of a big-endian unsigned integer.
fn bit_length(number: &[u8]) -> u16 {
    let mut bytes = number.iter().skip_while(|&&b| b == 0);
    let Some(first) = bytes.next() else {
        return 0;
    };
    let rest = bytes.count();
    let bits = rest * 8 + (8 - first.leading_zeros() as usize);
    u16::try_from(bits).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_hello_is_well_formed() {
        let hello = client_hello("mail.example");
        assert_eq!(&hello[..3], &[0x16, 0x03, 0x01]);
        let record_len = usize::from(u16::from_be_bytes([hello[3], hello[4]]));
        assert_eq!(record_len, hello.len() - 5);
        assert_eq!(hello[5], 0x01);
        let body_len =
            usize::from(hello[6]) << 16 | usize::from(hello[7]) << 8 | usize::from(hello[8]);
        assert_eq!(body_len, hello.len() - 9);
        assert!(hello.windows(12).any(|w| w == b"mail.example"));
        // No SNI for an IP address (RFC 6066 §3 forbids literal addresses).
        assert!(
            !client_hello("127.0.0.1")
                .windows(9)
                .any(|w| w == b"127.0.0.1")
        );
    }

    #[test]
    fn parses_server_hello_and_dh_prime_size() {
        let mut server_hello = vec![0x03, 0x03];
        server_hello.extend_from_slice(&[0; 32]);
        server_hello.push(0);
        server_hello.extend_from_slice(&[0x00, 0x9e, 0x00]);
        let mut ske = Vec::new();
        let prime = [0x80u8; 128];
        push_u16_prefixed(&mut ske, &prime);
        let mut handshake = vec![0x02];
        push_u24_prefixed(&mut handshake, &server_hello);
        handshake.push(0x0c);
        push_u24_prefixed(&mut handshake, &ske);
        // Split across two records, as servers do.
        let (a, b) = handshake.split_at(20);
        let mut records = Vec::new();
        for part in [a, b] {
            records.extend_from_slice(&[0x16, 0x03, 0x03]);
            push_u16_prefixed(&mut records, part);
        }
        let mut parser = FlightParser::default();
        assert!(matches!(parser.feed(&records[..10]), Progress::More));
        assert!(matches!(parser.feed(&records), Progress::Done));
        assert_eq!(parser.suite, Some(0x009e));
        assert_eq!(parser.dh_bits, Some(1024));
    }

    #[test]
    fn alert_means_no_dhe() {
        let mut parser = FlightParser::default();
        assert!(matches!(
            parser.feed(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]),
            Progress::Failed
        ));
    }

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_length(&[0x00, 0x01]), 1);
        assert_eq!(bit_length(&[0x7f, 0xff]), 15);
        assert_eq!(bit_length(&[]), 0);
    }
}
