//! The notification receiver's UDP driver: sockets on several addresses (IPv4 and IPv6)
//! feeding one `ResponderEngine`, accepted traps and informs handed to the caller through a
//! bounded channel, informs acknowledged only once the caller confirms (RFC 3416 §4.2.7).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use bytes::Bytes;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;
use tokio::task::JoinSet;
use vigie_snmp::community::CommunityTable;
use vigie_snmp::engine::{
    DropReason, Incoming, RequestContext, ResponderEngine, SnmpCounters, Transmit, TrapUser,
    UsmStat,
};
use vigie_snmp::usm::Credentials;
use vigie_snmp::{AdminString, AnyPdu, Pdu, PduKind, SecurityLevel, SecurityModel, Version};

/// UDP sockets bound for a notification receiver, ready to [`run`](Self::run).
///
/// Each socket has its own task. A task drains what the kernel holds (up to [`BATCH`]
/// datagrams per wake-up), runs them through the engine under one lock, and offers each
/// accepted notification to the caller's channel without waiting: when the channel is full
/// the notification is dropped and counted ([`ListenerDrop::QueueFull`]), so a slow consumer
/// never stops the sockets from being read and memory stays bounded by the channel. When a
/// task finds the channel full it pauses 1 ms (the kernel buffer holds what
/// arrives meanwhile), then reads what is waiting in one pass, and datagrams the channel
/// still cannot take are counted as `QueueFull` without being decoded (so neither their
/// version nor their authenticity is known, nor counted by the engine): above capacity,
/// shedding the excess costs a read, not a decode, and leaves the cores to the consumer.
#[derive(Debug)]
pub struct NotificationListener {
    sockets: Vec<Arc<UdpSocket>>,
    engine: Arc<Mutex<ResponderEngine>>,
    stats: Arc<ListenerStats>,
}

impl NotificationListener {
    /// Binds one UDP socket per address (port 0 picks a free port). An IPv6 socket is
    /// IPv6-only, so that `0.0.0.0:162` and `[::]:162` can both be bound; each socket asks
    /// for a [`RECEIVE_BUFFER`]-byte kernel buffer to absorb bursts (the kernel may cap it at
    /// `net.core.rmem_max`).
    ///
    /// `engine` decides what is accepted: its community table, and with
    /// [`ResponderEngine::with_usm`] its own engine ID and users (informs, RFC 3414 §3.2)
    /// and [`ResponderEngine::set_trap_users`] the users of SNMPv3 traps.
    pub async fn bind(
        addresses: &[SocketAddr],
        engine: ResponderEngine,
    ) -> Result<Self, ListenerError> {
        let mut sockets = Vec::with_capacity(addresses.len());
        for &address in addresses {
            let socket =
                bind_udp(address).map_err(|source| ListenerError::Bind { address, source })?;
            sockets.push(Arc::new(socket));
        }
        Ok(Self {
            sockets,
            engine: Arc::new(Mutex::new(engine)),
            stats: Arc::new(ListenerStats::default()),
        })
    }

    /// The addresses the sockets are bound to, in the order given to [`bind`](Self::bind).
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.sockets
            .iter()
            .filter_map(|socket| socket.local_addr().ok())
            .collect()
    }

    /// The listener's counters: received, accepted, and every drop by reason.
    pub fn stats(&self) -> Arc<ListenerStats> {
        Arc::clone(&self.stats)
    }

    /// The engine's snmp group and usmStats counters.
    pub fn counters(&self) -> Arc<SnmpCounters> {
        Arc::clone(lock(&self.engine).counters())
    }

    /// A handle to change communities and users while running (SIGHUP, API); it works
    /// before and after [`run`](Self::run) starts.
    pub fn reload_handle(&self) -> ListenerReloadHandle {
        ListenerReloadHandle {
            engine: Arc::clone(&self.engine),
        }
    }

    /// Receives until `shutdown` completes or `sink` is closed.
    ///
    /// `observer` is told of every accepted notification and every drop, on the sockets'
    /// tasks: keep it quick (counters).
    pub async fn run(
        self,
        sink: mpsc::Sender<Accepted>,
        observer: Arc<dyn ListenerObserver>,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), ListenerError> {
        let mut tasks = JoinSet::new();
        for socket in &self.sockets {
            tasks.spawn(receive(
                Arc::clone(socket),
                Arc::clone(&self.engine),
                sink.clone(),
                Arc::clone(&self.stats),
                Arc::clone(&observer),
            ));
        }
        drop(sink);
        tokio::pin!(shutdown);
        tokio::select! {
            () = &mut shutdown => {}
            // Every task ends only when the consumer went away.
            () = async { while tasks.join_next().await.is_some() {} } => {}
        }
        tasks.abort_all();
        Ok(())
    }
}

/// An accepted notification, authenticated by its community or USM user.
#[derive(Debug)]
pub struct Accepted {
    /// The UDP source.
    pub source: SocketAddr,
    /// The message version.
    pub version: Version,
    /// SNMPv1, SNMPv2c or USM.
    pub security_model: SecurityModel,
    /// noAuthNoPriv for community messages.
    pub security_level: SecurityLevel,
    /// The community's security name (RFC 3584 §5.1) or the USM user; never the community.
    pub security_name: AdminString,
    /// The context (SNMPv3), or the one the community maps to.
    pub context_name: AdminString,
    /// For SNMPv3, msgAuthoritativeEngineID: the sender's for a trap, this receiver's for an
    /// inform.
    pub engine_id: Option<Bytes>,
    /// The v1 Trap-PDU, SNMPv2-Trap-PDU or InformRequest-PDU.
    pub pdu: AnyPdu,
    /// When it was read from the socket.
    pub received: Instant,
    ack: Option<Ack>,
}

impl Accepted {
    /// Whether the sender waits for an acknowledgement (an InformRequest).
    pub fn is_inform(&self) -> bool {
        self.ack.is_some()
    }

    /// The acknowledgement to send once the notification is stored; `None` for a trap.
    /// Dropping it unsent leaves the sender to retry.
    pub fn take_ack(&mut self) -> Option<Ack> {
        self.ack.take()
    }
}

/// The Response-PDU to an inform, encoded when it was received, sent by
/// [`confirm`](Self::confirm).
pub struct Ack {
    socket: Arc<UdpSocket>,
    transmit: Transmit,
}

impl Ack {
    /// Sends the acknowledgement (RFC 3416 §4.2.7); call it only after the notification is
    /// stored. Fails when the datagram cannot be sent; the sender then retries.
    pub async fn confirm(self) -> io::Result<()> {
        self.socket
            .send_to(&self.transmit.contents, self.transmit.destination)
            .await
            .map(|_| ())
    }

    /// Where the acknowledgement goes.
    pub fn destination(&self) -> SocketAddr {
        self.transmit.destination
    }
}

impl std::fmt::Debug for Ack {
    // The encoded response carries the community: show only where it goes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ack")
            .field("destination", &self.transmit.destination)
            .finish_non_exhaustive()
    }
}

/// Told of what the listener accepts and drops (for metrics), on the sockets' tasks.
pub trait ListenerObserver: Send + Sync + 'static {
    /// A notification was authenticated (it may still be dropped, `QueueFull`).
    fn accepted(&self, version: Version) {
        let _ = version;
    }

    /// A datagram was dropped, and why.
    fn dropped(&self, from: SocketAddr, reason: ListenerDrop) {
        let _ = (from, reason);
    }
}

/// An observer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoObserver;

impl ListenerObserver for NoObserver {}

/// Why the listener dropped a datagram; each has its counter in [`ListenerStats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ListenerDrop {
    /// Not a decodable SNMP message, or of an unsupported version or security model.
    Malformed,
    /// An unknown community, or one not accepted from this source.
    BadCommunity,
    /// Refused by the USM (unknown user or engine, wrong digest, outside the time window,
    /// undecryptable), counted in that usmStats counter too.
    Usm(UsmStat),
    /// Not a notification: a request, a response or a report sent to the trap port.
    NotNotification,
    /// The caller's channel was full.
    QueueFull,
}

impl ListenerDrop {
    /// A short label for metrics: `malformed`, `bad_community`, `usm`, `not_notification`,
    /// `queue_full`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Malformed => "malformed",
            Self::BadCommunity => "bad_community",
            Self::Usm(_) => "usm",
            Self::NotNotification => "not_notification",
            Self::QueueFull => "queue_full",
        }
    }
}

/// The listener's counters.
#[derive(Debug, Default)]
pub struct ListenerStats {
    received: AtomicU64,
    accepted: AtomicU64,
    malformed: AtomicU64,
    bad_community: AtomicU64,
    usm: AtomicU64,
    not_notification: AtomicU64,
    queue_full: AtomicU64,
}

impl ListenerStats {
    /// Datagrams read from the sockets.
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    /// Notifications handed to the caller's channel.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Datagrams dropped for `reason` (every [`UsmStat`] counts under one `usm` counter).
    pub fn dropped(&self, reason: ListenerDrop) -> u64 {
        self.slot(reason).load(Ordering::Relaxed)
    }

    /// Every drop, whatever the reason.
    pub fn dropped_total(&self) -> u64 {
        [
            &self.malformed,
            &self.bad_community,
            &self.usm,
            &self.not_notification,
            &self.queue_full,
        ]
        .iter()
        .map(|counter| counter.load(Ordering::Relaxed))
        .sum()
    }

    fn slot(&self, reason: ListenerDrop) -> &AtomicU64 {
        match reason {
            ListenerDrop::Malformed => &self.malformed,
            ListenerDrop::BadCommunity => &self.bad_community,
            ListenerDrop::Usm(_) => &self.usm,
            ListenerDrop::NotNotification => &self.not_notification,
            ListenerDrop::QueueFull => &self.queue_full,
        }
    }
}

/// Changes a [`NotificationListener`]'s configuration, between two batches of datagrams.
#[derive(Debug, Clone)]
pub struct ListenerReloadHandle {
    engine: Arc<Mutex<ResponderEngine>>,
}

impl ListenerReloadHandle {
    /// Replaces the community table, the inform users (this receiver authoritative) and the
    /// trap users (the sender authoritative); the engine ID, boots and counters stay.
    pub fn reload(
        &self,
        communities: CommunityTable,
        users: Vec<(Bytes, Credentials)>,
        trap_users: Vec<TrapUser>,
    ) {
        let mut engine = lock(&self.engine);
        engine.set_communities(communities);
        engine.set_users(users);
        engine.set_trap_users(trap_users);
    }
}

/// Why the listener could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ListenerError {
    /// A socket could not be bound.
    #[error("cannot listen on udp:{address}: {source}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// The error.
        source: io::Error,
    },
}

impl ListenerError {
    /// Whether binding failed for lack of privilege (a port below 1024 without
    /// `CAP_NET_BIND_SERVICE`).
    pub fn is_permission_denied(&self) -> bool {
        match self {
            Self::Bind { source, .. } => source.kind() == io::ErrorKind::PermissionDenied,
        }
    }

    /// The address that could not be bound.
    pub fn address(&self) -> SocketAddr {
        match self {
            Self::Bind { address, .. } => *address,
        }
    }
}

/// One socket's loop: drain a batch, process it under one lock, send reports, repeat.
async fn receive(
    socket: Arc<UdpSocket>,
    engine: Arc<Mutex<ResponderEngine>>,
    sink: mpsc::Sender<Accepted>,
    stats: Arc<ListenerStats>,
    observer: Arc<dyn ListenerObserver>,
) {
    let mut buffer = vec![0u8; MAX_DATAGRAM];
    let mut batch: Vec<(SocketAddr, Bytes)> = Vec::with_capacity(BATCH);
    let mut reports: Vec<Transmit> = Vec::new();
    loop {
        if socket.readable().await.is_err() || sink.is_closed() {
            return;
        }
        // A full channel: leave the cores to the consumer for a moment (the kernel buffer
        // holds what arrives meanwhile), then read and count in one pass what it can still
        // not take, instead of waking for every few datagrams.
        let mut limit = BATCH;
        if sink.capacity() == 0 {
            tokio::time::sleep(SHED_PAUSE).await;
            limit = SHED_BATCH;
        }
        let mut read = 0u64;
        for _ in 0..limit {
            match socket.try_recv_from(&mut buffer) {
                Ok((len, from)) => {
                    read += 1;
                    // Shed load where it costs least: when the channel cannot take even the
                    // datagrams already read, this one is counted as dropped undecoded, and
                    // the CPU it would have cost goes to the consumer.
                    if sink.capacity() <= batch.len() {
                        stats.queue_full.fetch_add(1, Ordering::Relaxed);
                        observer.dropped(from, ListenerDrop::QueueFull);
                        continue;
                    }
                    let contents = Bytes::copy_from_slice(buffer.get(..len).unwrap_or_default());
                    batch.push((from, contents));
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => break,
                // ICMP errors surface here on some systems; the socket stays usable.
                Err(_) => break,
            }
        }
        stats.received.fetch_add(read, Ordering::Relaxed);
        if batch.is_empty() {
            continue;
        }
        let now = Instant::now();
        let mut closed = false;
        {
            let mut engine = lock(&engine);
            for (from, contents) in batch.drain(..) {
                let drop = match engine.handle_datagram(now, from, contents) {
                    Incoming::Notification(ctx, pdu) => {
                        let accepted = accept(&mut engine, &socket, now, &ctx, pdu);
                        observer.accepted(accepted.version);
                        match sink.try_send(accepted) {
                            Ok(()) => {
                                stats.accepted.fetch_add(1, Ordering::Relaxed);
                                None
                            }
                            Err(TrySendError::Full(_)) => Some(ListenerDrop::QueueFull),
                            Err(TrySendError::Closed(_)) => {
                                closed = true;
                                None
                            }
                        }
                    }
                    Incoming::Report(transmit) => {
                        reports.push(transmit);
                        None
                    }
                    Incoming::Drop(reason) => Some(classify(reason)),
                    _ => Some(ListenerDrop::NotNotification),
                };
                if let Some(reason) = drop {
                    stats.slot(reason).fetch_add(1, Ordering::Relaxed);
                    observer.dropped(from, reason);
                }
            }
        }
        for report in reports.drain(..) {
            // A lost Report costs the sender one retry.
            let _ = socket.send_to(&report.contents, report.destination).await;
        }
        if closed {
            return;
        }
    }
}

/// What the caller receives of a notification; for an inform, its acknowledgement encoded
/// now, while the engine is at hand.
fn accept(
    engine: &mut ResponderEngine,
    socket: &Arc<UdpSocket>,
    now: Instant,
    ctx: &RequestContext,
    pdu: AnyPdu,
) -> Accepted {
    let ack = match &pdu {
        AnyPdu::Pdu(inform) if inform.kind == PduKind::InformRequest => engine
            .respond(
                ctx,
                Pdu {
                    // RFC 3416 §4.2.7: the Response carries the inform's varbinds.
                    varbinds: inform.varbinds.clone(),
                    ..inform.clone()
                },
            )
            .map(|transmit| Ack {
                socket: Arc::clone(socket),
                transmit,
            }),
        _ => None,
    };
    Accepted {
        source: ctx.from,
        version: ctx.version,
        security_model: ctx.security_model,
        security_level: ctx.security_level,
        security_name: ctx.security_name.clone(),
        context_name: ctx.context_name.clone(),
        engine_id: ctx.security_engine_id().cloned(),
        pdu,
        received: now,
        ack,
    }
}

fn classify(reason: DropReason) -> ListenerDrop {
    match reason {
        DropReason::BadCommunity(_) => ListenerDrop::BadCommunity,
        DropReason::Usm(stat) => ListenerDrop::Usm(stat),
        DropReason::UnexpectedPdu => ListenerDrop::NotNotification,
        _ => ListenerDrop::Malformed,
    }
}

/// A UDP socket as the listener wants it: IPv6-only for IPv6, a large receive buffer,
/// non-blocking for tokio.
fn bind_udp(address: SocketAddr) -> io::Result<UdpSocket> {
    let domain = Domain::for_address(address);
    let socket = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP))?;
    if address.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    // A smaller buffer than asked is still a buffer: the kernel caps it, never fails it.
    let _ = socket.set_recv_buffer_size(RECEIVE_BUFFER);
    socket.set_nonblocking(true)?;
    socket.bind(&address.into())?;
    UdpSocket::from_std(socket.into())
}

fn lock(engine: &Mutex<ResponderEngine>) -> std::sync::MutexGuard<'_, ResponderEngine> {
    // A panic while holding the lock leaves the engine between two datagrams: keep going.
    engine.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Datagrams read from one socket per wake-up before they are processed together.
pub const BATCH: usize = 64;
/// How long a socket's task pauses when it finds the channel full, before it reads again.
const SHED_PAUSE: std::time::Duration = std::time::Duration::from_millis(1);
/// Datagrams read in one pass after such a pause, at most.
const SHED_BATCH: usize = 4_096;
/// The kernel receive buffer each socket asks for, in bytes.
pub const RECEIVE_BUFFER: usize = 4 * 1024 * 1024;
/// The largest UDP payload.
const MAX_DATAGRAM: usize = 65_535;

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::time::Duration;

    use vigie_snmp::community::CommunityEntry;
    use vigie_snmp::engine::ResponderConfig;
    use vigie_snmp::{CommunityMessage, ErrorStatus, Message, RequestId, Value, VarBind};

    use super::*;

    fn engine() -> ResponderEngine {
        let mut communities = CommunityTable::new();
        communities
            .add(CommunityEntry::new("public", "comm1"))
            .unwrap();
        ResponderEngine::new(ResponderConfig {
            communities,
            max_message_size: 0,
        })
    }

    fn message(community: &'static [u8], kind: PduKind, id: i32) -> Vec<u8> {
        Message::Community(CommunityMessage {
            version: Version::V2c,
            community: Bytes::from_static(community),
            pdu: AnyPdu::Pdu(Pdu {
                kind,
                request_id: RequestId(id),
                error_status: ErrorStatus::NoError,
                error_index: 0,
                varbinds: vec![
                    VarBind {
                        name: "1.3.6.1.2.1.1.3.0".parse().unwrap(),
                        value: Value::TimeTicks(5),
                    },
                    VarBind {
                        name: "1.3.6.1.6.3.1.1.4.1.0".parse().unwrap(),
                        value: Value::ObjectIdentifier("1.3.6.1.6.3.1.1.5.1".parse().unwrap()),
                    },
                ],
            }),
        })
        .to_vec()
    }

    async fn wait_for(stats: &ListenerStats, received: u64) {
        for _ in 0..500 {
            if stats.received() >= received {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        panic!("only {} datagrams received", stats.received());
    }

    #[tokio::test]
    async fn traps_are_handed_over_and_informs_acknowledged_on_confirm() {
        let local = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let listener = NotificationListener::bind(&[local], engine())
            .await
            .unwrap();
        let address = listener.local_addrs()[0];
        let stats = listener.stats();
        let (sink, mut accepted) = mpsc::channel(8);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(listener.run(sink, Arc::new(NoObserver), async {
            let _ = stopped.await;
        }));
        let sender = UdpSocket::bind(local).await.unwrap();
        sender
            .send_to(&message(b"public", PduKind::SnmpV2Trap, 1), address)
            .await
            .unwrap();
        sender
            .send_to(&message(b"wrong", PduKind::SnmpV2Trap, 2), address)
            .await
            .unwrap();
        sender
            .send_to(&message(b"public", PduKind::GetRequest, 3), address)
            .await
            .unwrap();
        sender
            .send_to(&message(b"public", PduKind::InformRequest, 4), address)
            .await
            .unwrap();
        let mut trap = accepted.recv().await.unwrap();
        assert_eq!(trap.security_name.as_bytes(), b"comm1");
        assert!(!trap.is_inform());
        assert!(trap.take_ack().is_none());
        let mut inform = tokio::time::timeout(Duration::from_secs(5), accepted.recv())
            .await
            .unwrap()
            .unwrap();
        assert!(inform.is_inform());
        let shown = format!("{inform:?}");
        assert!(!shown.contains("public"), "the community in {shown}");
        // Nothing is sent before the confirmation.
        let mut buffer = [0u8; 1500];
        assert!(
            tokio::time::timeout(Duration::from_millis(100), sender.recv_from(&mut buffer))
                .await
                .is_err()
        );
        inform.take_ack().unwrap().confirm().await.unwrap();
        let (len, _) = tokio::time::timeout(Duration::from_secs(5), sender.recv_from(&mut buffer))
            .await
            .unwrap()
            .unwrap();
        let Ok(Message::Community(response)) =
            Message::decode(Bytes::copy_from_slice(&buffer[..len]))
        else {
            panic!("not a community message");
        };
        let AnyPdu::Pdu(response) = response.pdu else {
            panic!("not a Response");
        };
        assert_eq!(response.kind, PduKind::Response);
        assert_eq!(response.request_id, RequestId(4));
        assert_eq!(response.varbinds.len(), 2);
        assert_eq!(stats.dropped(ListenerDrop::BadCommunity), 1);
        assert_eq!(stats.dropped(ListenerDrop::NotNotification), 1);
        stop.send(()).unwrap();
        task.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn a_full_channel_drops_and_counts() {
        let local = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let listener = NotificationListener::bind(&[local], engine())
            .await
            .unwrap();
        let address = listener.local_addrs()[0];
        let stats = listener.stats();
        let (sink, mut accepted) = mpsc::channel(4);
        let task = tokio::spawn(listener.run(sink, Arc::new(NoObserver), std::future::pending()));
        let sender = UdpSocket::bind(local).await.unwrap();
        for id in 0..20 {
            sender
                .send_to(&message(b"public", PduKind::SnmpV2Trap, id), address)
                .await
                .unwrap();
        }
        wait_for(&stats, 20).await;
        assert_eq!(stats.accepted(), 4);
        assert_eq!(stats.dropped(ListenerDrop::QueueFull), 16);
        assert_eq!(stats.dropped_total(), 16);
        let mut batch = Vec::new();
        accepted.recv_many(&mut batch, 10).await;
        assert_eq!(batch.len(), 4);
        // Closing the channel ends the listener at its next datagram.
        drop(accepted);
        sender
            .send_to(&message(b"public", PduKind::SnmpV2Trap, 99), address)
            .await
            .unwrap();
        tokio::time::timeout(Duration::from_secs(5), task)
            .await
            .unwrap()
            .unwrap()
            .unwrap();
    }

    #[tokio::test]
    async fn a_full_channel_sheds_datagrams_undecoded() {
        let local = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let listener = NotificationListener::bind(&[local], engine())
            .await
            .unwrap();
        let address = listener.local_addrs()[0];
        let stats = listener.stats();
        let (sink, _accepted) = mpsc::channel(2);
        let task = tokio::spawn(listener.run(sink, Arc::new(NoObserver), std::future::pending()));
        let sender = UdpSocket::bind(local).await.unwrap();
        for id in 0..2 {
            sender
                .send_to(&message(b"public", PduKind::SnmpV2Trap, id), address)
                .await
                .unwrap();
        }
        wait_for(&stats, 2).await;
        assert_eq!(stats.accepted(), 2);
        // The channel is full: what comes next is not decoded, so a wrong community is not
        // even seen, and every datagram is still counted, read and dropped.
        for id in 2..12 {
            sender
                .send_to(&message(b"wrong", PduKind::SnmpV2Trap, id), address)
                .await
                .unwrap();
        }
        wait_for(&stats, 12).await;
        assert_eq!(stats.dropped(ListenerDrop::QueueFull), 10);
        assert_eq!(stats.dropped(ListenerDrop::BadCommunity), 0);
        assert_eq!(stats.received(), stats.accepted() + stats.dropped_total());
        task.abort();
    }

    #[tokio::test]
    async fn ipv4_and_ipv6_wildcards_share_a_port() {
        let v4 =
            NotificationListener::bind(&[SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0))], engine())
                .await
                .unwrap();
        let port = v4.local_addrs()[0].port();
        let v6: SocketAddr = format!("[::]:{port}").parse().unwrap();
        // Where IPv6 is disabled the bind fails for that reason, not for the shared port.
        match NotificationListener::bind(&[v6], engine()).await {
            Ok(listener) => assert_eq!(listener.local_addrs()[0].port(), port),
            Err(error) => assert_ne!(
                match &error {
                    ListenerError::Bind { source, .. } => source.kind(),
                },
                io::ErrorKind::AddrInUse
            ),
        }
    }
}
