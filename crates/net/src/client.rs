//! The UDP client: a socket and a task driving `vigie_snmp::engine::ClientEngine`.

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use bytes::Bytes;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use vigie_snmp::engine::{
    ClientConfig, ClientEngine, ClientEvent, ClientStats, RemoteEngine, Request, UsmUser,
};
use vigie_snmp::usm::PrivProtocol;
use vigie_snmp::{AnyPdu, BulkPdu, ErrorStatus, Oid, Pdu, PduKind, RequestId, VarBind, Version};

use crate::error::{NetError, RequestError};
use crate::session::Session;
use crate::walk::{Walk, WalkOptions};

/// An SNMP client for one agent.
///
/// It owns a UDP socket bound to the unspecified address of the target's family and a tokio
/// task that drives the engine; requests may be issued concurrently from several tasks.
/// Dropping the client ends the task, failing requests still in flight with
/// [`RequestError::Closed`].
#[derive(Debug)]
pub struct Client {
    session: Session,
    commands: mpsc::UnboundedSender<Command>,
    stats: Arc<Mutex<ClientStats>>,
    remote_engine: Arc<Mutex<Option<RemoteEngine>>>,
    local_addr: SocketAddr,
}

impl Client {
    /// Opens the socket and starts the task. Must be called within a tokio runtime.
    ///
    /// An SNMPv3 session (with [`Session::usm`] set) discovers the agent's engine
    /// transparently before its first request.
    pub async fn new(session: Session) -> Result<Self, NetError> {
        Self::traced(session, None).await
    }

    /// [`new`](Self::new), with `trace` called for every datagram sent or received, as
    /// Net-SNMP's `-d` dumps them.
    pub async fn with_trace(session: Session, trace: PacketTrace) -> Result<Self, NetError> {
        Self::traced(session, Some(trace)).await
    }

    async fn traced(session: Session, trace: Option<PacketTrace>) -> Result<Self, NetError> {
        let usable = match session.version {
            Version::V1 | Version::V2c => true,
            Version::V3 => session.usm.is_some(),
        };
        if !usable {
            return Err(NetError::UnsupportedVersion(session.version));
        }
        let local: SocketAddr = match session.target {
            SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
            SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
        };
        let socket = UdpSocket::bind(local).await.map_err(NetError::Bind)?;
        let local_addr = socket.local_addr().map_err(NetError::Bind)?;
        let engine = ClientEngine::new(ClientConfig::new(session.retry_policy()), rand::random());
        let (commands, receiver) = mpsc::unbounded_channel();
        let stats = Arc::new(Mutex::new(ClientStats::default()));
        let remote_engine = Arc::new(Mutex::new(None));
        let usm = match session.version {
            Version::V3 => session.usm.clone(),
            Version::V1 | Version::V2c => None,
        };
        let driver = Driver {
            socket,
            peer: session.target,
            engine,
            usm,
            commands: receiver,
            pending: HashMap::new(),
            stats: Arc::clone(&stats),
            remote_engine: Arc::clone(&remote_engine),
            trace,
            local_addr,
        };
        tokio::spawn(driver.run());
        Ok(Self {
            session,
            commands,
            stats,
            remote_engine,
            local_addr,
        })
    }

    /// The session this client was made with.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The local address of the socket.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// GetRequest (RFC 3416 §4.2.1) for `oids`.
    pub async fn get(&self, oids: &[Oid]) -> Result<Pdu, RequestError> {
        self.request(plain(PduKind::GetRequest, null_varbinds(oids)))
            .await
    }

    /// GetNextRequest (RFC 3416 §4.2.2) for `oids`.
    pub async fn get_next(&self, oids: &[Oid]) -> Result<Pdu, RequestError> {
        self.request(plain(PduKind::GetNextRequest, null_varbinds(oids)))
            .await
    }

    /// GetBulkRequest (RFC 3416 §4.2.3); refused on a v1 session, as `snmpbulkget -v1` does.
    pub async fn get_bulk(
        &self,
        non_repeaters: u32,
        max_repetitions: u32,
        oids: &[Oid],
    ) -> Result<Pdu, RequestError> {
        if self.session.version == Version::V1 {
            return Err(RequestError::NotInV1 {
                operation: "GetBulk",
            });
        }
        self.request(AnyPdu::Bulk(BulkPdu {
            request_id: RequestId(0),
            non_repeaters,
            max_repetitions,
            varbinds: null_varbinds(oids),
        }))
        .await
    }

    /// SetRequest (RFC 3416 §4.2.5).
    pub async fn set(&self, varbinds: Vec<VarBind>) -> Result<Pdu, RequestError> {
        self.request(plain(PduKind::SetRequest, varbinds)).await
    }

    /// InformRequest (RFC 3416 §4.2.7), v2c or v3; returns the receiver's Response. In v3 the
    /// receiver is the authoritative engine, so it is discovered first.
    ///
    /// The varbinds are sent as given: by RFC 3416 §4.2.7 the first two should be sysUpTime.0
    /// and snmpTrapOID.0.
    pub async fn inform(&self, varbinds: Vec<VarBind>) -> Result<Pdu, RequestError> {
        if self.session.version == Version::V1 {
            return Err(RequestError::NotInV1 {
                operation: "Inform",
            });
        }
        self.request(plain(PduKind::InformRequest, varbinds)).await
    }

    /// Sends a trap: a v1 Trap-PDU on a v1 session, an SNMPv2-Trap-PDU on a v2c or v3 session.
    /// No response is awaited (RFC 3416 §4.2.6). In v3 the sender is the authoritative engine:
    /// the session's [`UsmUser::engine_id`] and [`UsmUser::engine_time`] are its own.
    pub async fn send_trap(&self, pdu: AnyPdu) -> Result<(), NetError> {
        let fits = match (&pdu, self.session.version) {
            (AnyPdu::TrapV1(_), Version::V1) => true,
            (AnyPdu::Pdu(pdu), Version::V2c | Version::V3) => pdu.kind == PduKind::SnmpV2Trap,
            _ => false,
        };
        if !fits {
            return Err(NetError::InvalidTrap(self.session.version));
        }
        let (reply, outcome) = oneshot::channel();
        let command = Command::Unacknowledged {
            request: self.message(pdu),
            reply,
        };
        self.commands.send(command).map_err(|_| NetError::Closed)?;
        outcome.await.map_err(|_| NetError::Closed)?
    }

    /// Walks the subtree under `root` with GETNEXT, or GETBULK when
    /// `options.max_repetitions` is set and the session is not v1.
    pub fn walk(&self, root: Oid, options: WalkOptions) -> Walk<'_> {
        Walk::new(self, root, options)
    }

    /// Counters: strays, duplicates, malformed datagrams, retransmissions, timeouts…
    pub fn stats(&self) -> ClientStats {
        *self.stats.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// SNMPv3: the agent's engine ID, boots and time, once discovered (or resynchronised);
    /// `None` before the first discovery, and on v1/v2c sessions.
    pub fn remote_engine(&self) -> Option<RemoteEngine> {
        self.remote_engine
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    async fn request(&self, pdu: AnyPdu) -> Result<Pdu, RequestError> {
        let (reply, outcome) = oneshot::channel();
        let command = Command::Confirmed {
            request: self.message(pdu),
            reply,
        };
        self.commands
            .send(command)
            .map_err(|_| RequestError::Closed)?;
        outcome.await.map_err(|_| RequestError::Closed)?
    }

    fn message(&self, pdu: AnyPdu) -> Request {
        Request {
            version: self.session.version,
            community: self.session.community.clone(),
            pdu,
        }
    }
}

/// Called with every datagram a [`Client`] made by [`Client::with_trace`] sends or receives.
pub type PacketTrace = Arc<dyn Fn(&Packet<'_>) + Send + Sync>;

/// One datagram, as a [`PacketTrace`] sees it.
#[derive(Debug, Clone, Copy)]
pub struct Packet<'a> {
    /// Sent or received.
    pub direction: Direction,
    /// The agent's address.
    pub peer: SocketAddr,
    /// The client socket's address (unspecified IP, bound port).
    pub local: SocketAddr,
    /// The datagram's bytes.
    pub datagram: &'a [u8],
}

/// Whether a [`Packet`] was sent or received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Sent to the agent.
    Sent,
    /// Received from it.
    Received,
}

enum Command {
    Confirmed {
        request: Request,
        reply: oneshot::Sender<Result<Pdu, RequestError>>,
    },
    Unacknowledged {
        request: Request,
        reply: oneshot::Sender<Result<(), NetError>>,
    },
}

struct Driver {
    socket: UdpSocket,
    peer: SocketAddr,
    engine: ClientEngine,
    /// The SNMPv3 user of a v3 session.
    usm: Option<UsmUser>,
    commands: mpsc::UnboundedReceiver<Command>,
    pending: HashMap<RequestId, oneshot::Sender<Result<Pdu, RequestError>>>,
    stats: Arc<Mutex<ClientStats>>,
    remote_engine: Arc<Mutex<Option<RemoteEngine>>>,
    trace: Option<PacketTrace>,
    local_addr: SocketAddr,
}

impl Driver {
    fn trace(&self, direction: Direction, peer: SocketAddr, datagram: &[u8]) {
        if let Some(trace) = &self.trace {
            trace(&Packet {
                direction,
                peer,
                local: self.local_addr,
                datagram,
            });
        }
    }

    async fn run(mut self) {
        let mut buffer = vec![0_u8; RECEIVE_BUFFER];
        loop {
            self.forget_abandoned();
            self.flush().await;
            self.deliver();
            *self.stats.lock().unwrap_or_else(PoisonError::into_inner) = self.engine.stats();
            let deadline = self.engine.poll_timeout();
            tokio::select! {
                command = self.commands.recv() => {
                    // `None`: every `Client` handle is gone, so nobody can await a result.
                    let Some(command) = command else { return };
                    self.handle(command).await;
                }
                received = self.socket.recv_from(&mut buffer) => {
                    // Errors here are transient (an ICMP error reported on the socket, an
                    // interrupted call): the retries and the timeout still apply.
                    if let Ok((length, from)) = received {
                        let datagram = Bytes::copy_from_slice(buffer.get(..length).unwrap_or(&[]));
                        self.trace(Direction::Received, from, &datagram);
                        self.engine.handle_datagram(Instant::now(), from, datagram);
                    }
                }
                () = sleep_until(deadline), if deadline.is_some() => {
                    // Before retransmitting, so that nothing is resent for nobody.
                    self.forget_abandoned();
                    self.engine.handle_timeout(Instant::now());
                }
            }
        }
    }

    async fn handle(&mut self, command: Command) {
        match command {
            Command::Confirmed { request, reply } => {
                let target = self.peer;
                let id = match &self.usm {
                    Some(user) => self
                        .engine
                        .send_v3(Instant::now(), target, user, request.pdu),
                    None => self.engine.send(Instant::now(), target, request),
                };
                self.pending.insert(id, reply);
            }
            Command::Unacknowledged { request, reply } => {
                let target = self.peer;
                if let Some(user) = &self.usm {
                    let sent = self.engine.send_v3_unacknowledged(
                        Instant::now(),
                        target,
                        user,
                        request.pdu,
                    );
                    if let Err(failure) = sent {
                        // The caller may have stopped waiting; nothing to do then.
                        let _ = reply.send(Err(NetError::V3(failure)));
                        return;
                    }
                } else {
                    self.engine
                        .send_unacknowledged(Instant::now(), target, request);
                }
                // The queue was empty before this command: the only transmit is the trap's.
                let outcome = match self.engine.poll_transmit() {
                    Some(transmit) => {
                        self.trace(Direction::Sent, transmit.destination, &transmit.contents);
                        self.socket
                            .send_to(&transmit.contents, transmit.destination)
                            .await
                            .map(drop)
                            .map_err(NetError::Send)
                    }
                    None => Ok(()),
                };
                // The caller may have stopped waiting; nothing to do then.
                let _ = reply.send(outcome);
            }
        }
    }

    async fn flush(&mut self) {
        while let Some(transmit) = self.engine.poll_transmit() {
            self.trace(Direction::Sent, transmit.destination, &transmit.contents);
            let sent = self
                .socket
                .send_to(&transmit.contents, transmit.destination)
                .await;
            let (Err(error), Some(id)) = (sent, transmit.request) else {
                continue;
            };
            self.engine.cancel(id);
            if let Some(reply) = self.pending.remove(&id) {
                let _ = reply.send(Err(RequestError::Io(error)));
            }
        }
    }

    fn deliver(&mut self) {
        while let Some(event) = self.engine.poll_event() {
            let (id, outcome) = match event {
                ClientEvent::Response { id, pdu } => (id, Ok(pdu)),
                ClientEvent::TimedOut { id, last_malformed } => {
                    (id, Err(RequestError::Timeout { last_malformed }))
                }
                ClientEvent::Failed { id, failure } => {
                    (id, Err(RequestError::from_v3(failure, self.privacy())))
                }
                ClientEvent::EngineLearned { engine, .. } => {
                    *self
                        .remote_engine
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner) = Some(engine);
                    continue;
                }
                _ => continue,
            };
            if let Some(reply) = self.pending.remove(&id) {
                // The caller may have stopped waiting; the outcome is then dropped.
                let _ = reply.send(outcome);
            }
        }
    }

    /// The privacy protocol of the session's v3 user, for the decryption error's hint.
    fn privacy(&self) -> Option<PrivProtocol> {
        self.usm.as_ref().and_then(UsmUser::priv_protocol)
    }

    /// Cancels the requests whose callers stopped waiting, so they are not retransmitted.
    fn forget_abandoned(&mut self) {
        let engine = &mut self.engine;
        self.pending.retain(|id, reply| {
            let waiting = !reply.is_closed();
            if !waiting {
                engine.cancel(*id);
            }
            waiting
        });
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    if let Some(deadline) = deadline {
        tokio::time::sleep_until(deadline.into()).await;
    }
}

fn plain(kind: PduKind, varbinds: Vec<VarBind>) -> AnyPdu {
    AnyPdu::Pdu(Pdu {
        kind,
        request_id: RequestId(0),
        error_status: ErrorStatus::NoError,
        error_index: 0,
        varbinds,
    })
}

fn null_varbinds(oids: &[Oid]) -> Vec<VarBind> {
    oids.iter().cloned().map(VarBind::null).collect()
}

/// The largest UDP payload: no datagram is truncated on receipt.
const RECEIVE_BUFFER: usize = 65_535;
