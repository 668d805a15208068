//! The SMTP client: RFC 5321 session, STARTTLS (RFC 3207), AUTH PLAIN (RFC 4616) and
//! LOGIN (RFC 4954 with the de facto LOGIN mechanism), over tokio and rustls.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::{AlertDescription, ClientConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::config::{Encryption, SmtpConfig};
use crate::failure::{CertificateProblem, DeliveryFailure, Stage};
use crate::message::{Message, base64, dot_stuff};
use crate::reply::{Reply, ReplyBuilder, ReplyError};
use crate::tls::{Presented, RecordingVerifier, client_config};

/// A message the relay accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    /// The reply to the end of DATA, e.g. SES's `250 Ok 0100018c…` (its message ID).
    pub reply: Reply,
    /// The negotiated TLS parameters, if the session was encrypted.
    pub tls: Option<NegotiatedTls>,
}

/// The protocol version and cipher suite of an encrypted session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NegotiatedTls {
    /// `TLSv1_2` or `TLSv1_3`.
    pub version: &'static str,
    /// The IANA name of the suite.
    pub cipher_suite: &'static str,
}

/// Sends `message` through the relay of `config`.
///
/// The session is connect → (TLS) → greeting → EHLO → (STARTTLS → EHLO) → AUTH → MAIL →
/// RCPT… → DATA; every step has its timeout, and any failure is classified with the stage
/// where it happened.
pub async fn send(config: &SmtpConfig, message: &Message) -> Result<Delivered, DeliveryFailure> {
    if config.username.is_some()
        && config.encryption == Encryption::None
        && !config.insecure_plaintext_auth
    {
        return Err(DeliveryFailure::PlaintextAuthRefused);
    }
    let mut session = Session::open(config).await?;
    let result = session.deliver(config, message).await;
    // QUIT is a courtesy (RFC 5321 §4.1.1.10); its outcome changes nothing.
    session.quit().await;
    result
}

/// The TLS material of one connection.
pub(crate) struct TlsSetup {
    pub(crate) config: Arc<ClientConfig>,
    pub(crate) verifier: Arc<RecordingVerifier>,
    pub(crate) name: ServerName<'static>,
}

impl TlsSetup {
    pub(crate) fn new(config: &SmtpConfig, accept_invalid: bool) -> Result<Self, DeliveryFailure> {
        let (tls, verifier) = client_config(&config.tls, &config.trust, accept_invalid)?;
        let name = ServerName::try_from(config.server.clone())
            .map_err(|_| DeliveryFailure::InvalidServerName(config.server.clone()))?;
        Ok(Self {
            config: tls,
            verifier,
            name,
        })
    }
}

enum Transport {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

/// An open SMTP session, past the greeting and EHLO (and STARTTLS when configured).
pub(crate) struct Session {
    transport: Option<Transport>,
    buffer: Vec<u8>,
    pub(crate) extensions: Vec<String>,
    command_timeout: Duration,
    tls: Option<TlsSetup>,
    pub(crate) presented: Option<Presented>,
}

/// RFC 5321 §4.5.3.1.5 sets 512 octets for a reply line; servers exceed it in EHLO, so the
/// bound is wider, but finite.
const MAX_LINE: usize = 8192;

impl Session {
    /// Connects, handles implicit TLS or STARTTLS, reads the greeting and sends EHLO.
    pub(crate) async fn open(config: &SmtpConfig) -> Result<Self, DeliveryFailure> {
        Self::open_with(
            config,
            TlsSetup::new(config, config.dangerous_accept_invalid_certs)?,
        )
        .await
    }

    /// Like [`Session::open`] with the given TLS material (capture uses a verifier that
    /// records without refusing).
    pub(crate) async fn open_with(
        config: &SmtpConfig,
        tls: TlsSetup,
    ) -> Result<Self, DeliveryFailure> {
        let stream = connect(config).await?;
        let mut session = Self {
            transport: Some(Transport::Plain(stream)),
            buffer: Vec::new(),
            extensions: Vec::new(),
            command_timeout: config.timeouts.command,
            tls: Some(tls),
            presented: None,
        };
        if config.encryption == Encryption::ImplicitTls {
            session.handshake(config, true).await?;
        }
        let greeting = match timeout(
            config.timeouts.greeting,
            session.read_reply(Stage::Greeting),
        )
        .await
        {
            Ok(Ok(reply)) => reply,
            Ok(Err(DeliveryFailure::Protocol { .. })) if session.looks_like_tls() => {
                return Err(DeliveryFailure::PlainOnTlsPort);
            }
            Ok(Err(failure)) => return Err(failure),
            Err(_) => {
                if config.encryption != Encryption::ImplicitTls && speaks_tls(config).await {
                    return Err(DeliveryFailure::PlainOnTlsPort);
                }
                return Err(DeliveryFailure::TimedOut {
                    stage: Stage::Greeting,
                });
            }
        };
        if greeting.code != 220 {
            return Err(DeliveryFailure::from_reply(Stage::Greeting, greeting, None));
        }
        session.ehlo(config).await?;
        if config.encryption == Encryption::StartTls {
            if !session.offers("STARTTLS") {
                return Err(DeliveryFailure::StartTlsNotOffered {
                    extensions: session.extensions.clone(),
                });
            }
            let reply = session.command("STARTTLS", Stage::StartTls).await?;
            if reply.code != 220 {
                return Err(DeliveryFailure::from_reply(Stage::StartTls, reply, None));
            }
            // RFC 3207 §4.2 and CVE-2011-0411: anything already buffered was sent before
            // the handshake and must not be read as if it came through TLS.
            if !session.buffer.is_empty() {
                return Err(DeliveryFailure::StartTlsInjection);
            }
            session.handshake(config, false).await?;
            session.ehlo(config).await?;
        }
        Ok(session)
    }

    async fn deliver(
        &mut self,
        config: &SmtpConfig,
        message: &Message,
    ) -> Result<Delivered, DeliveryFailure> {
        if let Some(username) = &config.username {
            self.authenticate(username, config.password.expose())
                .await?;
        }
        let data = dot_stuff(&message.render());
        let limit = self.size_limit();
        if let Some(limit) = limit
            && u64::try_from(data.len()).unwrap_or(u64::MAX) > limit
        {
            return Err(DeliveryFailure::MessageTooLarge {
                stage: Stage::MailFrom,
                size: data.len(),
                limit: Some(limit),
                reply: None,
            });
        }
        let size = if self.offers("SIZE") {
            format!(" SIZE={}", data.len())
        } else {
            String::new()
        };
        let reply = self
            .command(
                &format!("MAIL FROM:<{}>{size}", config.from),
                Stage::MailFrom,
            )
            .await?;
        if !reply.is_positive() {
            return Err(with_size(
                DeliveryFailure::from_reply(Stage::MailFrom, reply, None),
                data.len(),
                limit,
            ));
        }
        for recipient in message.recipients() {
            let reply = self
                .command(&format!("RCPT TO:<{}>", recipient.address), Stage::RcptTo)
                .await?;
            if !reply.is_positive() {
                return Err(DeliveryFailure::from_reply(
                    Stage::RcptTo,
                    reply,
                    Some(&recipient.address),
                ));
            }
        }
        let reply = self.command("DATA", Stage::Data).await?;
        if reply.code != 354 {
            return Err(DeliveryFailure::from_reply(Stage::Data, reply, None));
        }
        let mut payload = data.into_bytes();
        let size = payload.len();
        payload.extend_from_slice(b".\r\n");
        self.write(&payload, Stage::DataEnd).await?;
        let reply = match timeout(config.timeouts.data_end, self.read_reply(Stage::DataEnd)).await {
            Ok(reply) => reply?,
            Err(_) => {
                return Err(DeliveryFailure::TimedOut {
                    stage: Stage::DataEnd,
                });
            }
        };
        if !reply.is_positive() {
            return Err(with_size(
                DeliveryFailure::from_reply(Stage::DataEnd, reply, None),
                size,
                limit,
            ));
        }
        Ok(Delivered {
            reply,
            tls: self.negotiated(),
        })
    }

    /// AUTH PLAIN if offered, else LOGIN (RFC 4954 §4).
    async fn authenticate(
        &mut self,
        username: &str,
        password: &str,
    ) -> Result<(), DeliveryFailure> {
        let offered = self.auth_mechanisms();
        let has = |m: &str| offered.iter().any(|o| o.eq_ignore_ascii_case(m));
        let reply = if has("PLAIN") {
            // RFC 4616 §2: authzid NUL authcid NUL passwd, sent as the initial response.
            let token = base64(format!("\0{username}\0{password}").as_bytes());
            let reply = self
                .command(&format!("AUTH PLAIN {token}"), Stage::Auth)
                .await?;
            if reply.code == 334 {
                self.command(&token, Stage::Auth).await?
            } else {
                reply
            }
        } else if has("LOGIN") {
            let mut reply = self.command("AUTH LOGIN", Stage::Auth).await?;
            for answer in [username, password] {
                if reply.code != 334 {
                    break;
                }
                reply = self
                    .command(&base64(answer.as_bytes()), Stage::Auth)
                    .await?;
            }
            reply
        } else {
            return Err(DeliveryFailure::AuthNotOffered { offered });
        };
        if reply.code == 235 {
            Ok(())
        } else {
            Err(DeliveryFailure::from_reply(Stage::Auth, reply, None))
        }
    }

    fn auth_mechanisms(&self) -> Vec<String> {
        self.extensions
            .iter()
            .filter_map(|e| {
                let upper = e.to_ascii_uppercase();
                upper
                    .strip_prefix("AUTH ")
                    .or_else(|| upper.strip_prefix("AUTH="))
                    .map(str::to_owned)
            })
            .flat_map(|m| m.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
            .collect()
    }

    fn size_limit(&self) -> Option<u64> {
        self.extensions.iter().find_map(|e| {
            let mut words = e.split_whitespace();
            let keyword = words.next()?;
            if !keyword.eq_ignore_ascii_case("SIZE") {
                return None;
            }
            // RFC 1870 §4: SIZE 0 (or no value) means no fixed limit.
            words.next()?.parse().ok().filter(|&n: &u64| n > 0)
        })
    }

    pub(crate) fn offers(&self, keyword: &str) -> bool {
        self.extensions.iter().any(|e| {
            e.split_whitespace()
                .next()
                .is_some_and(|k| k.eq_ignore_ascii_case(keyword))
        })
    }

    async fn ehlo(&mut self, config: &SmtpConfig) -> Result<(), DeliveryFailure> {
        let reply = self
            .command(&format!("EHLO {}", config.helo_name), Stage::Ehlo)
            .await?;
        if !reply.is_positive() {
            return Err(DeliveryFailure::from_reply(Stage::Ehlo, reply, None));
        }
        // The first line is the server's name; the others are extensions (RFC 5321 §4.1.1.1).
        self.extensions = reply.lines.into_iter().skip(1).collect();
        Ok(())
    }

    async fn handshake(
        &mut self,
        config: &SmtpConfig,
        implicit: bool,
    ) -> Result<(), DeliveryFailure> {
        let (Some(Transport::Plain(stream)), Some(tls)) = (self.transport.take(), &self.tls) else {
            return Err(DeliveryFailure::Io {
                stage: Stage::TlsHandshake,
                error: Arc::new(io::Error::other("connection already upgraded")),
            });
        };
        let connector = TlsConnector::from(tls.config.clone());
        let result = timeout(
            config.timeouts.tls,
            connector.connect(tls.name.clone(), stream),
        )
        .await;
        self.presented = tls.verifier.presented();
        match result {
            Ok(Ok(stream)) => {
                self.transport = Some(Transport::Tls(Box::new(stream)));
                Ok(())
            }
            Ok(Err(error)) => {
                Err(classify_tls_error(config, error, self.presented.as_ref(), implicit).await)
            }
            Err(_) => Err(DeliveryFailure::TimedOut {
                stage: Stage::TlsHandshake,
            }),
        }
    }

    pub(crate) fn negotiated(&self) -> Option<NegotiatedTls> {
        let Some(Transport::Tls(stream)) = &self.transport else {
            return None;
        };
        let (_, connection) = stream.get_ref();
        let version = connection.protocol_version()?;
        let suite = connection.negotiated_cipher_suite()?;
        Some(NegotiatedTls {
            version: version.as_str().unwrap_or("unknown"),
            cipher_suite: suite.suite().as_str().unwrap_or("unknown"),
        })
    }

    /// Whether the bytes received so far look like a TLS record (handshake or alert).
    fn looks_like_tls(&self) -> bool {
        matches!(self.buffer.first(), Some(0x15 | 0x16)) && self.buffer.get(1) == Some(&0x03)
    }

    pub(crate) async fn command(
        &mut self,
        line: &str,
        stage: Stage,
    ) -> Result<Reply, DeliveryFailure> {
        let mut bytes = Vec::with_capacity(line.len() + 2);
        bytes.extend_from_slice(line.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        self.write(&bytes, stage).await?;
        match timeout(self.command_timeout, self.read_reply(stage)).await {
            Ok(reply) => reply,
            Err(_) => Err(DeliveryFailure::TimedOut { stage }),
        }
    }

    async fn write(&mut self, bytes: &[u8], stage: Stage) -> Result<(), DeliveryFailure> {
        let io_failure = |error: io::Error| DeliveryFailure::Io {
            stage,
            error: Arc::new(error),
        };
        let write = async {
            match &mut self.transport {
                Some(Transport::Plain(stream)) => {
                    stream.write_all(bytes).await?;
                    stream.flush().await
                }
                Some(Transport::Tls(stream)) => {
                    stream.write_all(bytes).await?;
                    stream.flush().await
                }
                None => Err(io::Error::from(io::ErrorKind::NotConnected)),
            }
        };
        match timeout(self.command_timeout, write).await {
            Ok(result) => result.map_err(io_failure),
            Err(_) => Err(DeliveryFailure::TimedOut { stage }),
        }
    }

    async fn read_reply(&mut self, stage: Stage) -> Result<Reply, DeliveryFailure> {
        let mut builder = ReplyBuilder::default();
        loop {
            let line = self.read_line(stage).await?;
            let text = String::from_utf8_lossy(&line);
            match builder.push(&text) {
                Ok(Some(reply)) => return Ok(reply),
                Ok(None) => {}
                Err(error) => {
                    // Keep the bytes for the TLS-on-this-port check.
                    let mut kept = line;
                    kept.extend_from_slice(&self.buffer);
                    self.buffer = kept;
                    return Err(DeliveryFailure::Protocol { stage, error });
                }
            }
        }
    }

    async fn read_line(&mut self, stage: Stage) -> Result<Vec<u8>, DeliveryFailure> {
        loop {
            if let Some(end) = self.buffer.windows(2).position(|w| w == b"\r\n") {
                let mut line: Vec<u8> = self.buffer.drain(..end + 2).collect();
                line.truncate(end);
                return Ok(line);
            }
            // A TLS record from a server that expected a ClientHello has no CRLF.
            if matches!(self.buffer.first(), Some(0x15 | 0x16)) && self.buffer.len() >= 5 {
                return Err(DeliveryFailure::Protocol {
                    stage,
                    error: ReplyError::BadCode,
                });
            }
            if self.buffer.len() > MAX_LINE {
                return Err(DeliveryFailure::Protocol {
                    stage,
                    error: ReplyError::TooManyLines,
                });
            }
            let mut chunk = [0u8; 4096];
            let read = match &mut self.transport {
                Some(Transport::Plain(stream)) => stream.read(&mut chunk).await,
                Some(Transport::Tls(stream)) => stream.read(&mut chunk).await,
                None => Err(io::Error::from(io::ErrorKind::NotConnected)),
            };
            match read {
                Ok(0) => {
                    return Err(DeliveryFailure::Io {
                        stage,
                        error: Arc::new(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "the server closed the connection",
                        )),
                    });
                }
                Ok(n) => self.buffer.extend_from_slice(&chunk[..n]),
                Err(error) => {
                    return Err(DeliveryFailure::Io {
                        stage,
                        error: Arc::new(error),
                    });
                }
            }
        }
    }

    async fn quit(&mut self) {
        let quit = async {
            if self.write(b"QUIT\r\n", Stage::DataEnd).await.is_ok() {
                let _ = self.read_reply(Stage::DataEnd).await;
            }
            match &mut self.transport {
                Some(Transport::Tls(stream)) => {
                    let _ = stream.shutdown().await;
                }
                Some(Transport::Plain(stream)) => {
                    let _ = stream.shutdown().await;
                }
                None => {}
            }
        };
        let _ = timeout(Duration::from_secs(2), quit).await;
    }

    /// Ends the session without delivering.
    pub(crate) async fn close(mut self) {
        self.quit().await;
    }
}

/// A failure's size fields are filled in where the message size is known.
fn with_size(failure: DeliveryFailure, size: usize, limit: Option<u64>) -> DeliveryFailure {
    match failure {
        DeliveryFailure::MessageTooLarge { stage, reply, .. } => DeliveryFailure::MessageTooLarge {
            stage,
            size,
            limit,
            reply,
        },
        other => other,
    }
}

/// Resolves the server and connects to each address in turn.
pub(crate) async fn connect(config: &SmtpConfig) -> Result<TcpStream, DeliveryFailure> {
    let addresses: Vec<SocketAddr> = match timeout(
        config.timeouts.connect,
        tokio::net::lookup_host((config.server.as_str(), config.port)),
    )
    .await
    {
        Ok(Ok(addresses)) => addresses.collect(),
        Ok(Err(error)) => {
            return Err(DeliveryFailure::DnsFailure {
                host: config.server.clone(),
                error: Arc::new(error),
            });
        }
        Err(_) => {
            return Err(DeliveryFailure::TimedOut {
                stage: Stage::Resolve,
            });
        }
    };
    let mut last = None;
    for address in addresses {
        match timeout(config.timeouts.connect, TcpStream::connect(address)).await {
            Ok(Ok(stream)) => {
                // Commands are small and interactive; waiting to coalesce them only adds delay.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Ok(Err(error)) if error.kind() == io::ErrorKind::ConnectionRefused => {
                last = Some(DeliveryFailure::ConnectionRefused { address });
            }
            Ok(Err(error)) => {
                last = Some(DeliveryFailure::Io {
                    stage: Stage::Connect,
                    error: Arc::new(error),
                });
            }
            Err(_) => {
                last = Some(DeliveryFailure::TimedOut {
                    stage: Stage::Connect,
                });
            }
        }
    }
    Err(last.unwrap_or_else(|| DeliveryFailure::DnsFailure {
        host: config.server.clone(),
        error: Arc::new(io::Error::new(
            io::ErrorKind::NotFound,
            "the name has no address",
        )),
    }))
}

/// Whether a fresh connection to the server completes a TLS `ServerHello`: used when the
/// greeting never comes, to tell "this port expects implicit TLS" from a dead server.
async fn speaks_tls(config: &SmtpConfig) -> bool {
    let Ok(setup) = TlsSetup::new(config, true) else {
        return false;
    };
    let Ok(stream) = connect(config).await else {
        return false;
    };
    let connector = TlsConnector::from(setup.config);
    match timeout(config.timeouts.tls, connector.connect(setup.name, stream)).await {
        Ok(Ok(_)) => true,
        // A TLS alert is TLS too.
        Ok(Err(error)) => matches!(
            rustls_error(&error),
            Some(rustls::Error::AlertReceived(_) | rustls::Error::InvalidCertificate(_))
        ),
        Err(_) => false,
    }
}

fn rustls_error(error: &io::Error) -> Option<&rustls::Error> {
    error
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
}

/// Turns a handshake error into the failure an operator can act on.
async fn classify_tls_error(
    config: &SmtpConfig,
    error: io::Error,
    presented: Option<&Presented>,
    implicit: bool,
) -> DeliveryFailure {
    let stage = Stage::TlsHandshake;
    let Some(tls_error) = rustls_error(&error).cloned() else {
        return DeliveryFailure::Io {
            stage,
            error: Arc::new(error),
        };
    };
    match tls_error {
        rustls::Error::InvalidCertificate(cert_error) => {
            let chain = presented.map(|p| p.chain.clone()).unwrap_or_default();
            DeliveryFailure::UntrustedCertificate {
                problem: CertificateProblem::from_rustls(&cert_error, &chain, &config.server),
                chain,
            }
        }
        rustls::Error::AlertReceived(
            alert @ (AlertDescription::HandshakeFailure
            | AlertDescription::InsufficientSecurity
            | AlertDescription::ProtocolVersion),
        ) => match crate::probe::probe_dhe(config).await {
            Some(weak) => weak,
            None => DeliveryFailure::NoSharedCipher { alert },
        },
        rustls::Error::InvalidMessage(_) if implicit => DeliveryFailure::TlsOnPlainPort,
        other => DeliveryFailure::Tls {
            stage,
            error: other,
        },
    }
}
