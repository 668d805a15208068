//! The command responder's UDP driver: sockets on several addresses, IPv4 and IPv6, feeding
//! one `ResponderEngine` and one request handler.

use std::future::{Future, poll_fn};
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use tokio::io::ReadBuf;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use vigie_snmp::community::CommunityTable;
use vigie_snmp::engine::{DropReason, Incoming, RequestContext, ResponderEngine, SnmpCounters};
use vigie_snmp::usm::Credentials;
use vigie_snmp::{AnyPdu, Pdu};

/// Answers the requests the engine authenticated.
///
/// Called on a blocking thread, one request at a time: keep it quick (MIB handlers read
/// `/proc` and caches, not the network); [`SharedHandler`] answers several at once.
pub trait RequestHandler: Send + 'static {
    /// The Response-PDU to `pdu`, or `None` to send nothing. `counters` are the engine's
    /// snmp group counters (for `snmpInBadCommunityUses`).
    fn handle(
        &mut self,
        now: Instant,
        request: &RequestContext,
        pdu: &AnyPdu,
        counters: &SnmpCounters,
    ) -> Option<Pdu>;

    /// Told of every datagram the engine dropped, and why (an unknown community is an
    /// authentication failure, RFC 3418 `authenticationFailure`). Default: nothing.
    fn dropped(&mut self, from: SocketAddr, reason: &DropReason) {
        let _ = (from, reason);
    }
}

/// Answers the requests the engine authenticated, several at a time: each request runs on a
/// blocking thread of its own (MIB handlers read `/proc`), so that one slow request does not
/// hold up the others.
pub trait SharedHandler: Send + Sync + 'static {
    /// The Response-PDU to `pdu`, or `None` to send nothing (see [`RequestHandler::handle`]).
    fn handle(
        &self,
        now: Instant,
        request: &RequestContext,
        pdu: &AnyPdu,
        counters: &SnmpCounters,
    ) -> Option<Pdu>;

    /// Told of every datagram the engine dropped, and why. Default: nothing.
    fn dropped(&self, from: SocketAddr, reason: &DropReason) {
        let _ = (from, reason);
    }
}

/// A [`RequestHandler`] as a [`SharedHandler`] that answers one request at a time.
struct Serial<H>(Mutex<H>);

impl<H: RequestHandler> SharedHandler for Serial<H> {
    fn handle(
        &self,
        now: Instant,
        request: &RequestContext,
        pdu: &AnyPdu,
        counters: &SnmpCounters,
    ) -> Option<Pdu> {
        let mut handler = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        handler.handle(now, request, pdu, counters)
    }

    fn dropped(&self, from: SocketAddr, reason: &DropReason) {
        let mut handler = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        handler.dropped(from, reason);
    }
}

impl<F> RequestHandler for F
where
    F: FnMut(Instant, &RequestContext, &AnyPdu, &SnmpCounters) -> Option<Pdu> + Send + 'static,
{
    fn handle(
        &mut self,
        now: Instant,
        request: &RequestContext,
        pdu: &AnyPdu,
        counters: &SnmpCounters,
    ) -> Option<Pdu> {
        self(now, request, pdu, counters)
    }
}

/// UDP sockets bound for a command responder, ready to [`run`](Self::run).
#[derive(Debug)]
pub struct Responder {
    sockets: Vec<Arc<UdpSocket>>,
    engine: ResponderEngine,
    reloads: Option<mpsc::Receiver<Control>>,
}

impl Responder {
    /// Binds one UDP socket per address (IPv4 or IPv6; port 0 picks a free port).
    pub async fn bind(
        addresses: &[SocketAddr],
        engine: ResponderEngine,
    ) -> Result<Self, ResponderError> {
        let mut sockets = Vec::with_capacity(addresses.len());
        for &address in addresses {
            let socket = UdpSocket::bind(address)
                .await
                .map_err(|source| ResponderError::Bind { address, source })?;
            sockets.push(Arc::new(socket));
        }
        Ok(Self {
            sockets,
            engine,
            reloads: None,
        })
    }

    /// The addresses the sockets are bound to, in the order given to [`bind`](Self::bind).
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.sockets
            .iter()
            .filter_map(|socket| socket.local_addr().ok())
            .collect()
    }

    /// The engine's counters, to serve them from the MIB before running.
    pub fn counters(&self) -> Arc<SnmpCounters> {
        Arc::clone(self.engine.counters())
    }

    /// A handle to change the configuration while running (SIGHUP); calling it again
    /// replaces the previous handle, which then fails.
    pub fn reload_handle(&mut self) -> ReloadHandle {
        let (sender, receiver) = mpsc::channel(1);
        self.reloads = Some(receiver);
        ReloadHandle { sender }
    }

    /// Receives, authenticates, answers, until `shutdown` completes.
    ///
    /// The sockets are read by the responder's task itself, one datagram at a time into one
    /// reused buffer; datagrams not yet read wait in the kernel's socket buffer, which drops
    /// what overflows, so that a flood cannot grow memory. Requests are answered one at a
    /// time.
    /// [`ReloadHandle::rebind`] changes the sockets between two requests.
    pub async fn run(
        self,
        handler: impl RequestHandler,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), ResponderError> {
        self.run_shared(Arc::new(Serial(Mutex::new(handler))), 1, shutdown)
            .await
    }

    /// [`run`](Self::run) with up to `workers` requests answered at once, each on a blocking
    /// thread: a request that takes long (a large table read from `/proc`) holds up only its
    /// own answer. While `workers` requests are in progress no datagram is read from the
    /// sockets. Datagrams are still decoded, authenticated and encoded one at a time, and a
    /// reload waits until the requests in progress are answered. With one worker, requests
    /// are answered on the responder's task itself, with no thread hop: the hop roughly
    /// halves the rate of small requests (measured with 8 managers of GETs on loopback).
    pub async fn run_shared<H: SharedHandler>(
        self,
        handler: Arc<H>,
        workers: usize,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), ResponderError> {
        let mut workers = workers.clamp(1, MAX_WORKERS);
        let Self {
            sockets,
            mut engine,
            reloads,
        } = self;
        // Without a handle, a channel that never yields.
        let (_keep, idle) = mpsc::channel(1);
        let mut reloads = reloads.unwrap_or(idle);
        let mut listening = sockets;
        // At most `workers` answers are in progress, so the channel never makes one wait.
        let (answers, mut answered) = mpsc::channel::<Answered>(MAX_WORKERS);
        let mut in_progress = 0;
        // Every datagram is read into this buffer, then copied at its own size: no datagram
        // costs more than its length, and no socket read waits for another task.
        let mut buffer = vec![0u8; MAX_DATAGRAM];
        // The socket tried first next time, so that the ready sockets take turns.
        let mut first = 0;
        tokio::pin!(shutdown);
        loop {
            // Biased: shutdown, answers and reloads go before the next datagram, so that a
            // flood of requests cannot hold them up.
            let received = tokio::select! {
                biased;
                () = &mut shutdown => break,
                Some(answer) = answered.recv() => {
                    in_progress -= 1;
                    send_answer(&mut engine, answer).await;
                    continue;
                }
                Some(control) = reloads.recv() => {
                    // Between two requests: the ones in progress are answered first.
                    while in_progress > 0 {
                        let Some(answer) = answered.recv().await else {
                            break;
                        };
                        in_progress -= 1;
                        send_answer(&mut engine, answer).await;
                    }
                    match control {
                        // Between two requests: no request sees half of the new configuration.
                        Control::Reload(reload) => {
                            engine.set_communities(reload.communities);
                            engine.set_users(reload.users);
                            (reload.apply)();
                            let _ = reload.applied.send(());
                        }
                        Control::Workers(change) => {
                            workers = change.count.clamp(1, MAX_WORKERS);
                            let _ = change.done.send(());
                        }
                        Control::Rebind(rebind) => {
                            let outcome = match bind_all(&listening, &rebind.addresses).await {
                                Ok(next) => {
                                    // The sockets not kept close when `listening` drops them.
                                    listening = next;
                                    first = 0;
                                    Ok(local_addrs(&listening))
                                }
                                Err(error) => Err(error),
                            };
                            let _ = rebind.done.send(outcome);
                        }
                    }
                    continue;
                }
                received = poll_fn(|cx| poll_receive(cx, &listening, &mut first, &mut buffer)),
                    if in_progress < workers => received,
            };
            let (index, from, len) = received;
            let Some(socket) = listening.get(index) else {
                continue;
            };
            let contents = Bytes::copy_from_slice(buffer.get(..len).unwrap_or_default());
            let now = Instant::now();
            let transmit = match engine.handle_datagram(now, from, contents) {
                Incoming::Request(ctx, pdu) if workers == 1 => {
                    // One at a time: answered here, without a thread hop, which costs about
                    // half the throughput of small requests.
                    let response = handler.handle(now, &ctx, &pdu, engine.counters());
                    if let Some(transmit) =
                        response.and_then(|response| engine.respond(&ctx, response))
                    {
                        // A failed send (the manager's port closed, say) concerns that
                        // manager only.
                        let _ = socket
                            .send_to(&transmit.contents, transmit.destination)
                            .await;
                    }
                    continue;
                }
                Incoming::Request(ctx, pdu) => {
                    let counters = Arc::clone(engine.counters());
                    let handler = Arc::clone(&handler);
                    let answers = answers.clone();
                    let socket = Arc::clone(socket);
                    in_progress += 1;
                    tokio::task::spawn_blocking(move || {
                        let response = handler.handle(now, &ctx, &pdu, &counters);
                        // The loop has stopped when the channel is closed: nothing to answer.
                        let _ = answers.blocking_send(Answered {
                            request: ctx,
                            response,
                            socket,
                        });
                    });
                    continue;
                }
                Incoming::Report(transmit) => Some(transmit),
                Incoming::Drop(reason) => {
                    handler.dropped(from, &reason);
                    None
                }
                _ => None,
            };
            let Some(transmit) = transmit else {
                continue;
            };
            // A failed send (the manager's port closed, say) concerns that manager only.
            let _ = socket
                .send_to(&transmit.contents, transmit.destination)
                .await;
        }
        Ok(())
    }
}

/// The most requests answered at once ([`Responder::run_shared`]'s `workers`).
pub const MAX_WORKERS: usize = 64;

/// Changes a running [`Responder`]'s configuration.
#[derive(Debug, Clone)]
pub struct ReloadHandle {
    sender: mpsc::Sender<Control>,
}

impl ReloadHandle {
    /// Replaces the community table and the SNMPv3 users, and runs `apply` (which changes what the request
    /// handler shares with it, its access rules say), both between two requests; returns
    /// once they are applied.
    pub async fn reload(
        &self,
        communities: CommunityTable,
        users: Vec<(Bytes, Credentials)>,
        apply: impl FnOnce() + Send + 'static,
    ) -> Result<(), ResponderError> {
        let (applied, done) = oneshot::channel();
        self.sender
            .send(Control::Reload(Reload {
                communities,
                users,
                apply: Box::new(apply),
                applied,
            }))
            .await
            .map_err(|_| ResponderError::Stopped)?;
        done.await.map_err(|_| ResponderError::Stopped)
    }

    /// Answers up to `count` requests at once from now on (at most [`MAX_WORKERS`]), as
    /// [`Responder::run_shared`]'s `workers`: one answers on the responder's task, more on
    /// blocking threads. Applied between two requests, once those in progress are answered.
    pub async fn set_workers(&self, count: usize) -> Result<(), ResponderError> {
        let (done, applied) = oneshot::channel();
        self.sender
            .send(Control::Workers(Workers { count, done }))
            .await
            .map_err(|_| ResponderError::Stopped)?;
        applied.await.map_err(|_| ResponderError::Stopped)
    }

    /// Listens on `addresses` from now on, between two requests: a socket already bound to
    /// one of them (its local address, port resolved) is kept with its queued datagrams, the
    /// others are bound, and the sockets no longer listed are closed. Returns the local
    /// addresses in the order given; when one cannot be bound, nothing changes.
    pub async fn rebind(
        &self,
        addresses: Vec<SocketAddr>,
    ) -> Result<Vec<SocketAddr>, ResponderError> {
        let (done, outcome) = oneshot::channel();
        self.sender
            .send(Control::Rebind(Rebind { addresses, done }))
            .await
            .map_err(|_| ResponderError::Stopped)?;
        outcome.await.map_err(|_| ResponderError::Stopped)?
    }
}

/// What the running loop is asked to change.
#[derive(Debug)]
enum Control {
    Reload(Reload),
    Rebind(Rebind),
    Workers(Workers),
}

/// A new number of requests answered at once.
#[derive(Debug)]
struct Workers {
    count: usize,
    done: oneshot::Sender<()>,
}

/// New listening addresses for the running loop.
#[derive(Debug)]
struct Rebind {
    addresses: Vec<SocketAddr>,
    done: oneshot::Sender<Result<Vec<SocketAddr>, ResponderError>>,
}

/// The sockets for `addresses`: those of `listening` bound there (with the datagrams
/// waiting in them), the others newly bound; an error when one cannot be bound.
async fn bind_all(
    listening: &[Arc<UdpSocket>],
    addresses: &[SocketAddr],
) -> Result<Vec<Arc<UdpSocket>>, ResponderError> {
    let mut next: Vec<Arc<UdpSocket>> = Vec::with_capacity(addresses.len());
    for &address in addresses {
        let kept = listening.iter().find(|socket| {
            socket.local_addr().ok() == Some(address)
                && !next.iter().any(|taken| Arc::ptr_eq(taken, socket))
        });
        if let Some(socket) = kept {
            next.push(Arc::clone(socket));
            continue;
        }
        let socket = UdpSocket::bind(address)
            .await
            .map_err(|source| ResponderError::Bind { address, source })?;
        next.push(Arc::new(socket));
    }
    Ok(next)
}

fn local_addrs(listening: &[Arc<UdpSocket>]) -> Vec<SocketAddr> {
    listening
        .iter()
        .filter_map(|socket| socket.local_addr().ok())
        .collect()
}

/// A new configuration for the running loop.
struct Reload {
    communities: CommunityTable,
    users: Vec<(Bytes, Credentials)>,
    apply: Box<dyn FnOnce() + Send>,
    applied: oneshot::Sender<()>,
}

impl std::fmt::Debug for Reload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reload").finish_non_exhaustive()
    }
}

/// Why the responder could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResponderError {
    /// A socket could not be bound.
    #[error("cannot listen on udp:{address}: {source}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// The error.
        source: io::Error,
    },
    /// The responder is no longer running.
    #[error("the responder has stopped")]
    Stopped,
}

/// A request answered by a worker, to be secured and sent by the loop.
struct Answered {
    request: RequestContext,
    response: Option<Pdu>,
    socket: Arc<UdpSocket>,
}

/// Secures `answer`'s response with the engine and sends it.
async fn send_answer(engine: &mut ResponderEngine, answer: Answered) {
    let Some(transmit) = answer
        .response
        .and_then(|response| engine.respond(&answer.request, response))
    else {
        return;
    };
    // A failed send (the manager's port closed, say) concerns that manager only.
    let _ = answer
        .socket
        .send_to(&transmit.contents, transmit.destination)
        .await;
}

/// Reads the next datagram into `buffer` from the first of `sockets` that has one, starting
/// at `first` and going round: the index of its socket, its sender and its length. Pending,
/// with every socket registered for a wakeup, when none has one.
///
/// A socket counts as having one when tokio's I/O driver last saw it readable, and the
/// driver looks again each time the task yields, at the latest after tokio's budget of
/// operations per poll: a flooded socket delays the others by about that many datagrams,
/// it does not starve them.
fn poll_receive(
    cx: &mut Context<'_>,
    sockets: &[Arc<UdpSocket>],
    first: &mut usize,
    buffer: &mut [u8],
) -> Poll<(usize, SocketAddr, usize)> {
    let count = sockets.len();
    for step in 0..count {
        let index = (*first + step) % count;
        let Some(socket) = sockets.get(index) else {
            continue;
        };
        let mut read = ReadBuf::new(buffer);
        match socket.poll_recv_from(cx, &mut read) {
            Poll::Ready(Ok(from)) => {
                *first = (index + 1) % count;
                return Poll::Ready((index, from, read.filled().len()));
            }
            // ICMP errors surface here on some systems; the socket stays usable. It is read
            // again on the next poll, after the other tasks have run.
            Poll::Ready(Err(_)) => cx.waker().wake_by_ref(),
            Poll::Pending => {}
        }
    }
    Poll::Pending
}
/// The largest UDP payload.
const MAX_DATAGRAM: usize = 65_535;

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::time::Duration;

    use vigie_snmp::community::{CommunityEntry, CommunityTable};
    use vigie_snmp::engine::ResponderConfig;
    use vigie_snmp::{
        CommunityMessage, ErrorStatus, Message, Oid, PduKind, RequestId, VarBind, Version,
    };

    use super::*;

    #[tokio::test]
    async fn answers_on_every_socket_and_ignores_unknown_communities() {
        let mut communities = CommunityTable::new();
        communities
            .add(CommunityEntry::new("public", "comm1"))
            .unwrap();
        let engine = ResponderEngine::new(ResponderConfig {
            communities,
            max_message_size: 0,
        });
        let local = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let mut responder = Responder::bind(&[local, local], engine).await.unwrap();
        let reloads = responder.reload_handle();
        let addresses = responder.local_addrs();
        assert_eq!(addresses.len(), 2);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(responder.run(
            |_now: Instant, _ctx: &RequestContext, pdu: &AnyPdu, _counters: &SnmpCounters| {
                Some(Pdu {
                    kind: PduKind::Response,
                    request_id: RequestId(0),
                    error_status: ErrorStatus::NoError,
                    error_index: 0,
                    varbinds: pdu.varbinds().to_vec(),
                })
            },
            async {
                let _ = stopped.await;
            },
        ));
        let client = UdpSocket::bind(local).await.unwrap();
        let request = |community: &'static [u8]| {
            Message::Community(CommunityMessage {
                version: Version::V2c,
                community: Bytes::from_static(community),
                pdu: AnyPdu::Pdu(Pdu {
                    kind: PduKind::GetRequest,
                    request_id: RequestId(42),
                    error_status: ErrorStatus::NoError,
                    error_index: 0,
                    varbinds: vec![VarBind::null("1.3.6.1.2.1.1.5.0".parse().unwrap())],
                }),
            })
            .to_vec()
        };
        let mut buffer = [0u8; 1500];
        for address in &addresses {
            client.send_to(&request(b"wrong"), address).await.unwrap();
            client.send_to(&request(b"public"), address).await.unwrap();
            let (len, from) =
                tokio::time::timeout(Duration::from_secs(5), client.recv_from(&mut buffer))
                    .await
                    .unwrap()
                    .unwrap();
            assert_eq!(from, *address);
            let Message::Community(message) =
                Message::decode(Bytes::copy_from_slice(&buffer[..len])).unwrap()
            else {
                panic!("not a community message");
            };
            assert_eq!(message.community, "public");
            assert_eq!(message.pdu.request_id(), Some(RequestId(42)));
        }
        // After a reload, the new community is answered and the old one is not.
        let mut communities = CommunityTable::new();
        communities
            .add(CommunityEntry::new("other", "comm1"))
            .unwrap();
        let applied = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = Arc::clone(&applied);
        reloads
            .reload(communities, Vec::new(), move || {
                flag.store(true, std::sync::atomic::Ordering::Relaxed);
            })
            .await
            .unwrap();
        assert!(applied.load(std::sync::atomic::Ordering::Relaxed));
        client
            .send_to(&request(b"public"), addresses[0])
            .await
            .unwrap();
        client
            .send_to(&request(b"other"), addresses[0])
            .await
            .unwrap();
        let (len, _) = tokio::time::timeout(Duration::from_secs(5), client.recv_from(&mut buffer))
            .await
            .unwrap()
            .unwrap();
        let Message::Community(message) =
            Message::decode(Bytes::copy_from_slice(&buffer[..len])).unwrap()
        else {
            panic!("not a community message");
        };
        assert_eq!(message.community, "other");
        stop.send(()).unwrap();
        task.await.unwrap().unwrap();
    }

    /// A handler that takes long for one OID and answers the others at once.
    struct SlowFor(Oid);

    impl SharedHandler for SlowFor {
        fn handle(
            &self,
            _now: Instant,
            _ctx: &RequestContext,
            pdu: &AnyPdu,
            _counters: &SnmpCounters,
        ) -> Option<Pdu> {
            if pdu.varbinds().iter().any(|varbind| varbind.name == self.0) {
                std::thread::sleep(Duration::from_secs(2));
            }
            Some(Pdu {
                kind: PduKind::Response,
                request_id: pdu.request_id().unwrap_or(RequestId(0)),
                error_status: ErrorStatus::NoError,
                error_index: 0,
                varbinds: pdu.varbinds().to_vec(),
            })
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_slow_request_does_not_hold_up_the_next_ones() {
        let mut communities = CommunityTable::new();
        communities
            .add(CommunityEntry::new("public", "comm1"))
            .unwrap();
        let engine = ResponderEngine::new(ResponderConfig {
            communities,
            max_message_size: 0,
        });
        let local = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let responder = Responder::bind(&[local], engine).await.unwrap();
        let address = responder.local_addrs()[0];
        let slow: Oid = "1.3.6.1.2.1.25.4.2.1.2".parse().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(
            responder.run_shared(Arc::new(SlowFor(slow.clone())), 4, async {
                let _ = stopped.await;
            }),
        );
        let client = UdpSocket::bind(local).await.unwrap();
        let request = |id: i32, name: &Oid| {
            Message::Community(CommunityMessage {
                version: Version::V2c,
                community: Bytes::from_static(b"public"),
                pdu: AnyPdu::Pdu(Pdu {
                    kind: PduKind::GetNextRequest,
                    request_id: RequestId(id),
                    error_status: ErrorStatus::NoError,
                    error_index: 0,
                    varbinds: vec![VarBind::null(name.clone())],
                }),
            })
            .to_vec()
        };
        let started = Instant::now();
        client.send_to(&request(1, &slow), address).await.unwrap();
        let fast: Oid = "1.3.6.1.2.1.1.3.0".parse().unwrap();
        client.send_to(&request(2, &fast), address).await.unwrap();
        let mut buffer = [0u8; 1500];
        let mut order = Vec::new();
        for _ in 0..2 {
            let (len, _) =
                tokio::time::timeout(Duration::from_secs(5), client.recv_from(&mut buffer))
                    .await
                    .unwrap()
                    .unwrap();
            let Message::Community(message) =
                Message::decode(Bytes::copy_from_slice(&buffer[..len])).unwrap()
            else {
                panic!("not a community message");
            };
            order.push((message.pdu.request_id(), started.elapsed()));
        }
        // The quick request is answered first, long before the slow one's two seconds.
        assert_eq!(order[0].0, Some(RequestId(2)), "{order:?}");
        assert!(order[0].1 < Duration::from_secs(1), "{order:?}");
        assert_eq!(order[1].0, Some(RequestId(1)), "{order:?}");
        stop.send(()).unwrap();
        task.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn rebind_keeps_listed_sockets_binds_new_ones_and_closes_the_rest() {
        let engine = ResponderEngine::new(ResponderConfig {
            communities: CommunityTable::new(),
            max_message_size: 0,
        });
        let local = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let mut responder = Responder::bind(&[local, local], engine).await.unwrap();
        let reloads = responder.reload_handle();
        let before = responder.local_addrs();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(responder.run(
            |_now: Instant, _ctx: &RequestContext, _pdu: &AnyPdu, _counters: &SnmpCounters| None,
            async {
                let _ = stopped.await;
            },
        ));
        let after = reloads.rebind(vec![before[1], local]).await.unwrap();
        assert_eq!(after.len(), 2);
        assert_eq!(after[0], before[1]);
        assert!(!before.contains(&after[1]), "{before:?} {after:?}");
        // The socket no longer listed is closed: its port can be bound again.
        tokio::time::timeout(Duration::from_secs(5), async {
            while std::net::UdpSocket::bind(before[0]).is_err() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .unwrap();
        // An address that cannot be bound changes nothing.
        let taken = std::net::UdpSocket::bind(local).unwrap();
        let error = reloads
            .rebind(vec![after[0], taken.local_addr().unwrap()])
            .await
            .unwrap_err();
        assert!(matches!(error, ResponderError::Bind { .. }), "{error}");
        assert_eq!(reloads.rebind(after.clone()).await.unwrap(), after);
        stop.send(()).unwrap();
        task.await.unwrap().unwrap();
    }
}
