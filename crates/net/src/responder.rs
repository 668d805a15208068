//! The command responder's UDP driver: sockets on several addresses, IPv4 and IPv6, feeding
//! one `ResponderEngine` and one request handler.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;
use vigie_snmp::community::CommunityTable;
use vigie_snmp::engine::{DropReason, Incoming, RequestContext, ResponderEngine, SnmpCounters};
use vigie_snmp::usm::Credentials;
use vigie_snmp::{AnyPdu, Pdu};

/// Answers the requests the engine authenticated.
///
/// Called on the responder's task, one request at a time: keep it quick (MIB handlers read
/// `/proc` and caches, not the network).
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
    reloads: Option<mpsc::Receiver<Reload>>,
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
    /// Each socket has a receiving task; datagrams wait in one queue of [`QUEUE`] entries,
    /// and while it is full the sockets are not read (the kernel's buffer then drops the
    /// excess), so that a flood cannot grow memory. Requests are answered one at a time.
    pub async fn run(
        self,
        mut handler: impl RequestHandler,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), ResponderError> {
        let Self {
            sockets,
            mut engine,
            reloads,
        } = self;
        // Without a handle, a channel that never yields.
        let (_keep, idle) = mpsc::channel(1);
        let mut reloads = reloads.unwrap_or(idle);
        let (queue, mut received) = mpsc::channel::<Received>(QUEUE);
        let mut receivers = JoinSet::new();
        for (index, socket) in sockets.iter().enumerate() {
            receivers.spawn(receive(index, Arc::clone(socket), queue.clone()));
        }
        drop(queue);
        tokio::pin!(shutdown);
        loop {
            let datagram = tokio::select! {
                () = &mut shutdown => break,
                Some(reload) = reloads.recv() => {
                    // Between two requests: no request sees half of the new configuration.
                    engine.set_communities(reload.communities);
                    engine.set_users(reload.users);
                    (reload.apply)();
                    let _ = reload.applied.send(());
                    continue;
                }
                datagram = received.recv() => datagram,
            };
            let Some(Received {
                socket,
                from,
                contents,
            }) = datagram
            else {
                break;
            };
            let now = Instant::now();
            let transmit = match engine.handle_datagram(now, from, contents) {
                Incoming::Request(ctx, pdu) => {
                    let counters = Arc::clone(engine.counters());
                    handler
                        .handle(now, &ctx, &pdu, &counters)
                        .and_then(|response| engine.respond(&ctx, response))
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
            let Some(socket) = sockets.get(socket) else {
                continue;
            };
            // A failed send (the manager's port closed, say) concerns that manager only.
            let _ = socket
                .send_to(&transmit.contents, transmit.destination)
                .await;
        }
        receivers.abort_all();
        Ok(())
    }
}

/// Changes a running [`Responder`]'s configuration.
#[derive(Debug, Clone)]
pub struct ReloadHandle {
    sender: mpsc::Sender<Reload>,
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
            .send(Reload {
                communities,
                users,
                apply: Box::new(apply),
                applied,
            })
            .await
            .map_err(|_| ResponderError::Stopped)?;
        done.await.map_err(|_| ResponderError::Stopped)
    }
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

struct Received {
    socket: usize,
    from: SocketAddr,
    contents: Bytes,
}

async fn receive(index: usize, socket: Arc<UdpSocket>, queue: mpsc::Sender<Received>) {
    let mut buffer = vec![0u8; MAX_DATAGRAM];
    loop {
        // ICMP errors surface here on some systems; the socket stays usable.
        let Ok((len, from)) = socket.recv_from(&mut buffer).await else {
            continue;
        };
        let contents = Bytes::copy_from_slice(buffer.get(..len).unwrap_or_default());
        let datagram = Received {
            socket: index,
            from,
            contents,
        };
        // A full queue stops this task from reading: datagrams then wait in the kernel's
        // socket buffer, which drops what overflows, so memory stays bounded.
        if queue.send(datagram).await.is_err() {
            return;
        }
    }
}

/// Datagrams read from the sockets and waiting to be processed, at most (with 64 KiB
/// datagrams, 8 MiB).
pub const QUEUE: usize = 128;
/// The largest UDP payload.
const MAX_DATAGRAM: usize = 65_535;

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::time::Duration;

    use vigie_snmp::community::{CommunityEntry, CommunityTable};
    use vigie_snmp::engine::ResponderConfig;
    use vigie_snmp::{
        CommunityMessage, ErrorStatus, Message, PduKind, RequestId, VarBind, Version,
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
}
