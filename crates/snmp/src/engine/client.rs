//! The client engine: request-ids, retransmissions, response matching (RFC 3416 §4.1).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::error::DecodeError;
use crate::message::{CommunityMessage, Message, Version};
use crate::pdu::{AnyPdu, Pdu, PduKind, RequestId};
use crate::usm::{KeyCache, SaltCounter};

mod v3;

pub use v3::{RemoteEngine, UsmUser, V3Failure};

/// The command-generator side of SNMP, without I/O.
///
/// Hand it requests with [`send`](Self::send), the datagrams that arrive with
/// [`handle_datagram`](Self::handle_datagram) and the passing of time with
/// [`handle_timeout`](Self::handle_timeout); take datagrams out with
/// [`poll_transmit`](Self::poll_transmit), outcomes with [`poll_event`](Self::poll_event), and
/// call `handle_timeout` again at [`poll_timeout`](Self::poll_timeout).
///
/// A response is accepted only when its request-id is outstanding, it comes from the address
/// the request went to, and its version and community are the request's (RFC 3416 §4.1,
/// RFC 3584 §4.1); everything else is dropped and counted in [`ClientStats`]. SNMPv3 requests
/// ([`send_v3`](Self::send_v3)) are matched by msgID, authenticated and decrypted, and
/// discover the target's engine first when needed.
pub struct ClientEngine {
    config: ClientConfig,
    next_id: i32,
    outstanding: BTreeMap<RequestId, Outstanding>,
    completed: VecDeque<Completed>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<ClientEvent>,
    stats: ClientStats,
    /// SNMPv3: the msgIDs of the transmissions in flight.
    msg_ids: HashMap<u32, RequestId>,
    next_msg_id: u32,
    /// SNMPv3: what is known of each target's authoritative engine.
    remotes: HashMap<SocketAddr, v3::Remote>,
    keys: KeyCache,
    salts: SaltCounter,
}

impl ClientEngine {
    /// An engine with no outstanding request.
    ///
    /// `rng_seed` chooses the first request-id, so that two runs (or two tools run one after
    /// the other) do not reuse each other's ids; pass fresh randomness, or a constant in tests.
    pub fn new(config: ClientConfig, rng_seed: [u8; 32]) -> Self {
        Self {
            config,
            next_id: first_request_id(&rng_seed),
            outstanding: BTreeMap::new(),
            completed: VecDeque::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            stats: ClientStats::default(),
            msg_ids: HashMap::new(),
            next_msg_id: first_msg_id(&rng_seed),
            remotes: HashMap::new(),
            keys: KeyCache::new(),
            // Salts need not be secret, only never reused for a key: a counter from the seed.
            salts: SaltCounter::new(0, seed_word(&rng_seed, SALT_STREAM)),
        }
    }

    /// The configuration this engine runs with.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Sends a confirmed-class request (Get, GetNext, GetBulk, Set, Inform) to `target` and
    /// tracks it until a [`ClientEvent::Response`] or [`ClientEvent::TimedOut`].
    ///
    /// The engine chooses the request-id and writes it into the PDU; the one in `request` is
    /// ignored. The datagram is resent unchanged after each `timeout`, `retries` times.
    pub fn send(&mut self, now: Instant, target: SocketAddr, request: Request) -> RequestId {
        let id = self.allocate_id();
        let Request {
            version,
            community,
            pdu,
        } = request;
        let datagram = encode(version, community.clone(), with_request_id(pdu, id));
        let policy = self.config.retry;
        self.outstanding.insert(
            id,
            Outstanding {
                target,
                version,
                community,
                datagram: datagram.clone(),
                deadline: now + policy.timeout,
                retries_left: policy.retries,
                last_malformed: None,
                v3: None,
            },
        );
        self.queue_transmit(target, datagram, Some(id));
        id
    }

    /// Sends an unconfirmed-class PDU (a v1 Trap or an SNMPv2-Trap, RFC 3416 §4.2.6): one
    /// datagram, no retransmission, nothing awaited.
    ///
    /// Returns the request-id given to the PDU, `None` for the v1 Trap-PDU, which has none.
    pub fn send_unacknowledged(
        &mut self,
        now: Instant,
        target: SocketAddr,
        request: Request,
    ) -> Option<RequestId> {
        // Sending does not depend on the time; `now` keeps the signature uniform.
        let _ = now;
        let Request {
            version,
            community,
            pdu,
        } = request;
        let id = pdu.request_id().map(|_| self.allocate_id());
        let pdu = match id {
            Some(id) => with_request_id(pdu, id),
            None => pdu,
        };
        self.queue_transmit(target, encode(version, community, pdu), None);
        id
    }

    /// Forgets an outstanding request: no retransmission (a queued one is withdrawn), no
    /// event. A response that arrives later is counted as late. Returns false when `id` was
    /// not outstanding.
    pub fn cancel(&mut self, id: RequestId) -> bool {
        let Some(request) = self.outstanding.remove(&id) else {
            return false;
        };
        self.transmits
            .retain(|transmit| transmit.request != Some(id));
        if let Some(v3) = &request.v3 {
            self.forget_msg_ids(v3);
        }
        self.remember(id, request.target, Completion::Abandoned);
        true
    }

    /// Processes one received datagram from `from`.
    pub fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: Bytes) {
        let message = match Message::decode(datagram.clone()) {
            Ok(message) => message,
            Err(error) => {
                self.stats.malformed += 1;
                // Remember why, so that a request that times out can say the agent did
                // answer, but with something unreadable.
                for request in self.outstanding.values_mut() {
                    if request.target == from {
                        request.last_malformed = Some(error);
                    }
                }
                return;
            }
        };
        let message = match message {
            Message::Community(message) => message,
            Message::V3(message) => {
                self.handle_v3(now, from, &datagram, message);
                return;
            }
        };
        let AnyPdu::Pdu(pdu) = message.pdu else {
            self.stats.strays += 1;
            return;
        };
        if pdu.kind != PduKind::Response {
            self.stats.strays += 1;
            return;
        }
        let id = pdu.request_id;
        let Some(request) = self.outstanding.get(&id) else {
            self.count_unknown(id, from);
            return;
        };
        if request.target != from {
            self.stats.wrong_source += 1;
            return;
        }
        if request.version != message.version || request.community != message.community {
            self.stats.mismatched += 1;
            return;
        }
        self.outstanding.remove(&id);
        self.remember(id, from, Completion::Answered);
        self.stats.responses += 1;
        self.events.push_back(ClientEvent::Response { id, pdu });
    }

    /// Retransmits or times out every request whose deadline is `now` or earlier.
    pub fn handle_timeout(&mut self, now: Instant) {
        let due: Vec<RequestId> = self
            .outstanding
            .iter()
            .filter(|(_, request)| request.deadline <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in due {
            let Some(request) = self.outstanding.get_mut(&id) else {
                continue;
            };
            if request.retries_left > 0 {
                request.retries_left -= 1;
                request.deadline = now + self.config.retry.timeout;
                self.stats.retransmissions += 1;
                if request.v3.is_some() {
                    // A new message, not the same bytes again (RFC 3412 §7.1).
                    self.retransmit_v3(now, id);
                } else {
                    let (target, datagram) = (request.target, request.datagram.clone());
                    self.queue_transmit(target, datagram, Some(id));
                }
                continue;
            }
            let last_malformed = request.last_malformed;
            let target = request.target;
            if let Some(v3) = self.outstanding.remove(&id).and_then(|request| request.v3) {
                self.forget_msg_ids(&v3);
            }
            self.remember(id, target, Completion::Abandoned);
            self.stats.timeouts += 1;
            self.events
                .push_back(ClientEvent::TimedOut { id, last_malformed });
        }
    }

    /// The next datagram to send, if any.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next outcome, if any.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must next be called; `None` when no
    /// request is outstanding.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.outstanding
            .values()
            .map(|request| request.deadline)
            .min()
    }

    /// Number of requests awaiting a response.
    pub fn outstanding(&self) -> usize {
        self.outstanding.len()
    }

    /// Counters of what was sent and received.
    pub fn stats(&self) -> ClientStats {
        self.stats
    }

    /// The next request-id: increasing from the seeded start, wrapping within 1..=2^31-1,
    /// skipping ids still outstanding.
    fn allocate_id(&mut self) -> RequestId {
        loop {
            let id = RequestId(self.next_id);
            self.next_id = if self.next_id == i32::MAX {
                1
            } else {
                self.next_id + 1
            };
            if !self.outstanding.contains_key(&id) {
                return id;
            }
        }
    }

    fn queue_transmit(
        &mut self,
        destination: SocketAddr,
        contents: Bytes,
        request: Option<RequestId>,
    ) {
        self.stats.sent += 1;
        self.transmits.push_back(Transmit {
            destination,
            contents,
            request,
        });
    }

    fn remember(&mut self, id: RequestId, target: SocketAddr, completion: Completion) {
        if self.completed.len() == COMPLETED_MEMORY {
            self.completed.pop_front();
        }
        self.completed.push_back(Completed {
            id,
            target,
            completion,
        });
    }

    fn count_unknown(&mut self, id: RequestId, from: SocketAddr) {
        let known = self
            .completed
            .iter()
            .rev()
            .find(|completed| completed.id == id && completed.target == from);
        match known.map(|completed| completed.completion) {
            Some(Completion::Answered) => self.stats.duplicates += 1,
            Some(Completion::Abandoned) => self.stats.late += 1,
            None => self.stats.strays += 1,
        }
    }
}

impl fmt::Debug for ClientEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Outstanding requests hold communities, which are secrets: show only counts.
        f.debug_struct("ClientEngine")
            .field("config", &self.config)
            .field("next_id", &self.next_id)
            .field("outstanding", &self.outstanding.len())
            .field("transmits", &self.transmits.len())
            .field("events", &self.events.len())
            .field("stats", &self.stats)
            .field("remote_engines", &self.remotes.len())
            .finish()
    }
}

/// How a [`ClientEngine`] behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientConfig {
    /// When to resend, and when to give up.
    pub retry: RetryPolicy,
    /// The msgMaxSize of SNMPv3 messages: the largest message this engine accepts
    /// (RFC 3412 §6.2); 65 507 by default, the largest UDP payload over IPv4.
    pub max_message_size: u32,
}

impl ClientConfig {
    /// A configuration with this retry policy.
    pub fn new(retry: RetryPolicy) -> Self {
        Self {
            retry,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
        }
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self::new(RetryPolicy::default())
    }
}

/// Retransmission policy: wait `timeout` for a response, resend, `retries` times.
///
/// A request is thus sent `1 + retries` times and fails `(1 + retries) × timeout` after it was
/// first sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How long to wait for each transmission's response.
    pub timeout: Duration,
    /// How many times to resend.
    pub retries: u32,
}

impl Default for RetryPolicy {
    /// One second and five retries: Net-SNMP's defaults (`-t 1 -r 5`), which the tools'
    /// users expect.
    fn default() -> Self {
        Self {
            timeout: DEFAULT_TIMEOUT,
            retries: DEFAULT_RETRIES,
        }
    }
}

/// A message to send: version, community and PDU.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    /// `V1` or `V2c`.
    pub version: Version,
    /// The community, a secret: it is never shown by `Debug`.
    pub community: Bytes,
    /// The PDU; the engine sets its request-id.
    pub pdu: AnyPdu,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("version", &self.version)
            .field("community", &"***")
            .field("pdu", &self.pdu)
            .finish()
    }
}

/// A datagram for the driver to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Where to send it.
    pub destination: SocketAddr,
    /// The encoded message.
    pub contents: Bytes,
    /// The confirmed request it carries, so that a driver that fails to send it can
    /// [`cancel`](ClientEngine::cancel) the request and report why.
    pub request: Option<RequestId>,
}

/// An outcome of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The agent answered. Its error-status, if any, is in the PDU.
    Response {
        /// The request answered.
        id: RequestId,
        /// The Response-PDU.
        pdu: Pdu,
    },
    /// No acceptable response came after all retransmissions.
    TimedOut {
        /// The request that failed.
        id: RequestId,
        /// The last undecodable datagram the target sent while the request was outstanding:
        /// the agent is there, but speaks something this engine cannot read.
        last_malformed: Option<DecodeError>,
    },
    /// An SNMPv3 request ended with a Report other than the discovery and resynchronisation
    /// ones, or could not be secured.
    Failed {
        /// The request that failed.
        id: RequestId,
        /// What the Report named.
        failure: V3Failure,
    },
    /// A target's authoritative engine ID, boots and time were learnt from a discovery or
    /// notInTimeWindow Report (RFC 3414 §4); [`ClientEngine::set_remote_engine`] takes them
    /// back.
    EngineLearned {
        /// The target.
        target: SocketAddr,
        /// What was learnt.
        engine: RemoteEngine,
    },
}

/// Counters of a [`ClientEngine`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ClientStats {
    /// Datagrams handed to the driver, retransmissions included.
    pub sent: u64,
    /// Retransmissions after a timeout.
    pub retransmissions: u64,
    /// Responses matched to their request.
    pub responses: u64,
    /// Requests that failed after all retransmissions.
    pub timeouts: u64,
    /// Datagrams with an unknown request-id, or a PDU other than Response.
    pub strays: u64,
    /// Responses from an address other than the request's target.
    pub wrong_source: u64,
    /// Responses whose version or community differs from the request's.
    pub mismatched: u64,
    /// Further responses to a request already answered (the agent saw a retransmission).
    pub duplicates: u64,
    /// Responses to a request that had already timed out or been cancelled.
    pub late: u64,
    /// Datagrams that could not be decoded.
    pub malformed: u64,
    /// SNMPv3 Reports received.
    pub reports: u64,
    /// SNMPv3 requests ended by a Report ([`ClientEvent::Failed`]).
    pub failures: u64,
    /// SNMPv3 messages whose MAC did not verify, dropped (usmStatsWrongDigests).
    pub wrong_digests: u64,
    /// SNMPv3 messages that did not decrypt, dropped (usmStatsDecryptionErrors).
    pub decryption_errors: u64,
    /// Authentic SNMPv3 messages outside the time window, dropped
    /// (usmStatsNotInTimeWindows).
    pub not_in_time_window: u64,
}

struct Outstanding {
    target: SocketAddr,
    version: Version,
    community: Bytes,
    datagram: Bytes,
    deadline: Instant,
    retries_left: u32,
    last_malformed: Option<DecodeError>,
    v3: Option<v3::V3Outstanding>,
}

struct Completed {
    id: RequestId,
    target: SocketAddr,
    completion: Completion,
}

#[derive(Clone, Copy)]
enum Completion {
    Answered,
    Abandoned,
}

fn encode(version: Version, community: Bytes, pdu: AnyPdu) -> Bytes {
    let message = Message::Community(CommunityMessage {
        version,
        community,
        pdu,
    });
    Bytes::from(message.to_vec())
}

fn with_request_id(pdu: AnyPdu, id: RequestId) -> AnyPdu {
    match pdu {
        AnyPdu::Pdu(mut pdu) => {
            pdu.request_id = id;
            AnyPdu::Pdu(pdu)
        }
        AnyPdu::Bulk(mut bulk) => {
            bulk.request_id = id;
            AnyPdu::Bulk(bulk)
        }
        AnyPdu::TrapV1(trap) => AnyPdu::TrapV1(trap),
    }
}

/// A request-id in 1..=2^31-1 drawn from the seed.
fn first_request_id(seed: &[u8; 32]) -> i32 {
    let mixed = seed.chunks_exact(8).fold(0_u64, |acc, word| {
        let mut bytes = [0_u8; 8];
        bytes.copy_from_slice(word);
        mix64(acc ^ u64::from_le_bytes(bytes))
    });
    // The top 31 bits of a well-mixed word: uniform over 0..2^31.
    let positive = i32::try_from(mixed >> 33).unwrap_or(1);
    positive.max(1)
}

/// A msgID in 1..=2^31-1 drawn from the seed, independent of the first request-id.
fn first_msg_id(seed: &[u8; 32]) -> u32 {
    let positive = u32::try_from(seed_word(seed, MSG_ID_STREAM) >> 33).unwrap_or(1);
    positive.max(1)
}

/// A word of the seed's `stream`-th derived stream.
fn seed_word(seed: &[u8; 32], stream: u64) -> u64 {
    seed.chunks_exact(8).fold(mix64(stream), |acc, word| {
        let mut bytes = [0_u8; 8];
        bytes.copy_from_slice(word);
        mix64(acc ^ u64::from_le_bytes(bytes))
    })
}

/// `SplitMix64`'s finalizer (Steele, Lea, Flood 2014): every input bit affects every output bit.
fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Net-SNMP's default timeout (`-t 1`).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);
/// Net-SNMP's default retries (`-r 5`).
const DEFAULT_RETRIES: u32 = 5;
/// The default msgMaxSize: the largest UDP payload over IPv4.
const DEFAULT_MAX_MESSAGE_SIZE: u32 = 65_507;
/// The seed streams of the msgIDs and salts.
const MSG_ID_STREAM: u64 = 1;
const SALT_STREAM: u64 = 2;
/// How many finished requests are remembered to tell duplicates and late answers from strays.
const COMPLETED_MEMORY: usize = 1_024;

#[cfg(test)]
mod tests;
