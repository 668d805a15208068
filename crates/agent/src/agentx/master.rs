//! The master's I/O: listening sockets, one task per connection, the sessions opened over it
//! and the administrative PDUs they send (RFC 2741 §7.1).

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::mpsc;
use vigie_snmp::{Oid, Value, VarBind};

use super::address::SocketAddress;
use super::forward::{Defaults, Forwarder, Session};
use super::pdu::{self, Body, Header, Pdu, Registration, Response, error, flags};
use crate::registry::{DynamicRegion, DynamicRegions, RegistryError};
use crate::system::AgentCapabilities;

/// The master's settings (Net-SNMP's `agentXSocket`, `agentXPerms`, `agentXTimeout` and
/// `agentXRetries`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterConfig {
    /// Where subagents connect.
    pub sockets: Vec<SocketAddress>,
    /// How long a forwarded request waits for its answer when neither the session nor the
    /// registration sets one.
    pub timeout: Duration,
    /// Timeouts in a row after which a session is closed (reasonTimeouts) and its
    /// registrations removed.
    pub retries: u32,
    /// The Unix sockets' permission bits.
    pub mode: u32,
    /// Whether a GETBULK repetition inside a subagent's region is forwarded as one AgentX
    /// GetBulk for the repetitions left, rather than a GetNext per repetition (off by
    /// default: some subagents, such as `pyagentx3`, never answer a GetBulk).
    pub get_bulk: bool,
}

impl Default for MasterConfig {
    fn default() -> Self {
        Self {
            sockets: vec![SocketAddress::Unix(PathBuf::from(DEFAULT_SOCKET))],
            timeout: DEFAULT_TIMEOUT,
            retries: DEFAULT_RETRIES,
            mode: DEFAULT_MODE,
            get_bulk: false,
        }
    }
}

/// Net-SNMP's default master socket.
pub const DEFAULT_SOCKET: &str = "/var/agentx/master";
/// Net-SNMP's default AgentX timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// Net-SNMP's default AgentX retries.
pub const DEFAULT_RETRIES: u32 = 5;
/// Net-SNMP's default socket permissions (`agentXPerms`): anyone on the host may connect.
pub const DEFAULT_MODE: u32 = 0o777;

/// What subagents ask of the rest of the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MasterEvent {
    /// An agentx-Notify-PDU: snmpTrapOID.0 and the objects, sysUpTime.0 removed (the
    /// originator adds its own), for the notification originator to send to its targets.
    Notify(Vec<VarBind>),
}

/// The AgentX master: its sockets, bound, ready to [`run`](Self::run).
pub struct Master {
    unix: Vec<(UnixListener, PathBuf)>,
    tcp: Vec<TcpListener>,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Master {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Master")
            .field("addresses", &self.local_addrs())
            .finish_non_exhaustive()
    }
}

/// The reloadable part of a running master's [`MasterConfig`].
#[derive(Debug, Clone)]
pub struct MasterSettings {
    defaults: Arc<Defaults>,
}

impl MasterSettings {
    /// Applies `config`'s timeout, retries and GetBulk choice to every session, those open
    /// included, from their next request; its sockets and mode are the bound ones' business
    /// and are not read.
    pub fn apply(&self, config: &MasterConfig) {
        self.defaults
            .set(config.timeout, config.retries, config.get_bulk);
    }
}

/// What every connection shares.
pub(super) struct Shared {
    pub(super) regions: Arc<DynamicRegions>,
    /// The timeout, retries and GetBulk choice of the configuration, as last reloaded.
    defaults: Arc<Defaults>,
    events: mpsc::Sender<MasterEvent>,
    start: Instant,
    next_session: AtomicU32,
    indexes: Mutex<HashMap<(Bytes, Oid), IndexState>>,
    /// The sessions' agent capabilities, as `sysORTable` shows them.
    capabilities: AgentCapabilities,
}

impl Shared {
    /// sysUpTime for Responses, in hundredths of a second.
    pub(super) fn up_time(&self) -> u32 {
        let ticks = Instant::now().duration_since(self.start).as_millis() / 10;
        u32::try_from(ticks % (1 << 32)).unwrap_or(0)
    }
}

/// The values of one index object allocated so far (RFC 2741 §7.1.4).
#[derive(Default)]
struct IndexState {
    /// The values allocated now, and the session holding each.
    allocated: Vec<(Value, u32)>,
    /// Every value ever allocated, which `NEW_INDEX` avoids.
    ever: Vec<Value>,
}

impl Master {
    /// Binds every socket of `config`. A Unix socket's stale file is replaced; its directory
    /// is created (Net-SNMP creates `/var/agentx`). `start` is the origin of sysUpTime;
    /// subagents' notifications go to `events`.
    pub async fn bind(
        config: MasterConfig,
        regions: Arc<DynamicRegions>,
        events: mpsc::Sender<MasterEvent>,
        start: Instant,
    ) -> Result<Self, MasterError> {
        let mut unix = Vec::new();
        let mut tcp = Vec::new();
        for address in &config.sockets {
            match address {
                SocketAddress::Unix(path) => {
                    let failed = |source| MasterError::Bind {
                        address: address.to_string(),
                        source,
                    };
                    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
                        std::fs::create_dir_all(dir).map_err(failed)?;
                    }
                    // A socket left by a previous run refuses the bind; only a socket is
                    // removed, never another kind of file.
                    if std::fs::symlink_metadata(path).is_ok_and(|meta| {
                        std::os::unix::fs::FileTypeExt::is_socket(&meta.file_type())
                    }) {
                        std::fs::remove_file(path).map_err(failed)?;
                    }
                    let listener = UnixListener::bind(path).map_err(failed)?;
                    std::fs::set_permissions(path, std::fs::Permissions::from_mode(config.mode))
                        .map_err(failed)?;
                    unix.push((listener, path.clone()));
                }
                SocketAddress::Tcp(socket) => {
                    let listener =
                        TcpListener::bind(socket)
                            .await
                            .map_err(|source| MasterError::Bind {
                                address: address.to_string(),
                                source,
                            })?;
                    tcp.push(listener);
                }
            }
        }
        Ok(Self {
            unix,
            tcp,
            shared: Arc::new(Shared {
                regions,
                defaults: Arc::new(Defaults::new(
                    config.timeout,
                    config.retries,
                    config.get_bulk,
                )),
                events,
                start,
                next_session: AtomicU32::new(1),
                indexes: Mutex::new(HashMap::new()),
                capabilities: AgentCapabilities::default(),
            }),
        })
    }

    /// Keeps the subagents' AddAgentCaps in `capabilities` (the system group's
    /// `sysORTable` rows); call before [`run`](Self::run).
    #[must_use]
    pub fn with_capabilities(mut self, capabilities: AgentCapabilities) -> Self {
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.capabilities = capabilities;
        }
        self
    }

    /// What changes the running master's timeout, retries and GetBulk choice.
    pub fn settings(&self) -> MasterSettings {
        MasterSettings {
            defaults: Arc::clone(&self.shared.defaults),
        }
    }

    /// The addresses listened on, TCP ports resolved.
    pub fn local_addrs(&self) -> Vec<SocketAddress> {
        self.unix
            .iter()
            .map(|(_, path)| SocketAddress::Unix(path.clone()))
            .chain(
                self.tcp
                    .iter()
                    .filter_map(|listener| listener.local_addr().ok())
                    .map(SocketAddress::Tcp),
            )
            .collect()
    }

    /// Accepts subagents until the task is dropped; each connection runs on its own task.
    pub async fn run(self) {
        let mut tasks = tokio::task::JoinSet::new();
        for (listener, _) in self.unix {
            let shared = Arc::clone(&self.shared);
            tasks.spawn(async move {
                loop {
                    match listener.accept().await {
                        Ok((stream, _)) => {
                            tokio::spawn(connection(stream, Arc::clone(&shared)));
                        }
                        Err(_) => tokio::time::sleep(ACCEPT_BACKOFF).await,
                    }
                }
            });
        }
        for listener in self.tcp {
            let shared = Arc::clone(&self.shared);
            tasks.spawn(async move {
                loop {
                    match listener.accept().await {
                        Ok((stream, _)) => {
                            let _ = stream.set_nodelay(true);
                            tokio::spawn(connection(stream, Arc::clone(&shared)));
                        }
                        Err(_) => tokio::time::sleep(ACCEPT_BACKOFF).await,
                    }
                }
            });
        }
        while tasks.join_next().await.is_some() {}
    }
}

/// The connection's writing half and the requests waiting for answers over it.
pub(super) struct Link {
    frames: mpsc::UnboundedSender<Vec<u8>>,
    pending: Mutex<HashMap<u32, std::sync::mpsc::Sender<Response>>>,
    next_packet: AtomicU32,
    closed: AtomicBool,
}

impl Link {
    /// Sends `pdu`; false when the connection is gone.
    pub(super) fn send(&self, pdu: &Pdu) -> bool {
        !self.closed.load(Ordering::Acquire) && self.frames.send(pdu.encode()).is_ok()
    }

    /// Sends a request and returns where its Response will arrive.
    pub(super) fn request(
        &self,
        mut pdu: Pdu,
    ) -> Option<(u32, std::sync::mpsc::Receiver<Response>)> {
        let packet = self.next_packet.fetch_add(1, Ordering::Relaxed);
        pdu.header.packet_id = packet;
        let (answer, answered) = std::sync::mpsc::channel();
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(packet, answer);
        if self.send(&pdu) {
            Some((packet, answered))
        } else {
            self.forget(packet);
            None
        }
    }

    /// Stops waiting for `packet` (it timed out).
    pub(super) fn forget(&self, packet: u32) {
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&packet);
    }

    fn close(&self) {
        self.closed.store(true, Ordering::Release);
        // Dropping the senders wakes every waiting request at once.
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// One subagent connection: reads PDUs until it closes, answers administrative PDUs, hands
/// Responses to the requests waiting for them; on loss, every session's registrations go.
async fn connection<S>(stream: S, shared: Arc<Shared>)
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (mut reader, mut writer) = tokio::io::split(stream);
    let (frames, mut outgoing) = mpsc::unbounded_channel::<Vec<u8>>();
    let link = Arc::new(Link {
        frames,
        pending: Mutex::new(HashMap::new()),
        next_packet: AtomicU32::new(1),
        closed: AtomicBool::new(false),
    });
    let writing = tokio::spawn(async move {
        while let Some(frame) = outgoing.recv().await {
            if writer.write_all(&frame).await.is_err() {
                break;
            }
        }
    });
    let mut sessions: HashMap<u32, Arc<Session>> = HashMap::new();
    loop {
        let pdu = match read_pdu(&mut reader).await {
            Ok(Some(pdu)) => pdu,
            Ok(None) => break,
            Err(Framing::Parse(header)) => {
                // RFC 2741 §7.1: a PDU that cannot be parsed is answered parseError when
                // its header could be; an unreadable header closes the connection.
                match header {
                    Some(header) => {
                        link.send(&response(
                            &shared,
                            header,
                            error::PARSE_ERROR,
                            0,
                            Vec::new(),
                        ));
                        continue;
                    }
                    None => break,
                }
            }
            Err(Framing::Io) => break,
        };
        if let Body::Response(answer) = pdu.body {
            let waiting = link
                .pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&pdu.header.packet_id);
            if let Some(waiting) = waiting {
                let _ = waiting.send(answer);
            }
            continue;
        }
        if let Some(session) = sessions.get(&pdu.header.session_id) {
            if session.is_closed() {
                sessions.remove(&pdu.header.session_id);
            }
        }
        if let Some(answer) = administer(&shared, &link, &mut sessions, pdu) {
            link.send(&answer);
        }
    }
    link.close();
    for session in sessions.values() {
        session.close(&shared.regions);
    }
    release_indexes(&shared, sessions.keys().copied());
    remove_capabilities(&shared, sessions.keys().copied());
    writing.abort();
}

/// The answer to one administrative PDU (RFC 2741 §7.1).
fn administer(
    shared: &Arc<Shared>,
    link: &Arc<Link>,
    sessions: &mut HashMap<u32, Arc<Session>>,
    pdu: Pdu,
) -> Option<Pdu> {
    let header = pdu.header;
    if let Body::Open { timeout, .. } = &pdu.body {
        let id = shared.next_session.fetch_add(1, Ordering::Relaxed);
        let timeout = (*timeout != 0).then(|| Duration::from_secs(u64::from(*timeout)));
        sessions.insert(
            id,
            Arc::new(Session::new(
                id,
                Arc::clone(link),
                header.big_endian(),
                timeout,
                Arc::clone(&shared.defaults),
            )),
        );
        return Some(response(
            shared,
            Header {
                session_id: id,
                ..header
            },
            error::NO_ERROR,
            0,
            Vec::new(),
        ));
    }
    let Some(session) = sessions.get(&header.session_id).cloned() else {
        // RFC 2741 §7.1.x: a PDU for a session not open is answered notOpen.
        return Some(response(shared, header, error::NOT_OPEN, 0, Vec::new()));
    };
    let code = match pdu.body {
        Body::Close { .. } => {
            sessions.remove(&header.session_id);
            session.close(&shared.regions);
            release_indexes(shared, [header.session_id]);
            remove_capabilities(shared, [header.session_id]);
            error::NO_ERROR
        }
        Body::Register(registration) => {
            register(shared, &session, pdu.context, &registration, header.flags)
        }
        Body::Unregister(registration) => unregister(shared, &session, pdu.context, &registration),
        Body::Ping => error::NO_ERROR,
        Body::Notify(varbinds) => notify(shared, varbinds),
        Body::IndexAllocate(varbinds) => {
            return Some(
                match allocate(shared, &session, pdu.context, &varbinds, header.flags) {
                    Ok(allocated) => response(shared, header, error::NO_ERROR, 0, allocated),
                    Err((code, index)) => response(shared, header, code, index, varbinds),
                },
            );
        }
        Body::IndexDeallocate(varbinds) => {
            return Some(match deallocate(shared, &session, pdu.context, &varbinds) {
                Ok(()) => response(shared, header, error::NO_ERROR, 0, varbinds),
                Err((code, index)) => response(shared, header, code, index, varbinds),
            });
        }
        Body::AddAgentCaps { id, descr } => {
            if shared
                .capabilities
                .add(header.session_id, id, descr, Instant::now())
            {
                error::NO_ERROR
            } else {
                error::PROCESSING_ERROR
            }
        }
        Body::RemoveAgentCaps { id } => {
            if shared
                .capabilities
                .remove(header.session_id, &id, Instant::now())
            {
                error::NO_ERROR
            } else {
                error::UNKNOWN_AGENT_CAPS
            }
        }
        // Requests a master sends, never receives.
        _ => error::PARSE_ERROR,
    };
    Some(response(shared, header, code, 0, Vec::new()))
}

/// Registers a subtree or a range (RFC 2741 §7.1.5).
fn register(
    shared: &Arc<Shared>,
    session: &Arc<Session>,
    context: Option<Bytes>,
    registration: &Registration,
    flag_bits: u8,
) -> u16 {
    // A non-default context is served to the requests in that context (an SNMPv3
    // contextName, or a community mapped to it), and exists for VACM while it is
    // registered.
    let context = context.unwrap_or_default();
    if context.len() > MAX_CONTEXT_NAME {
        return error::UNSUPPORTED_CONTEXT;
    }
    // INSTANCE_REGISTRATION changes nothing here: an instance is served as the subtree of
    // its OID, which holds only that instance (RFC 2741 §7.1.5.1).
    let _ = flag_bits & flags::INSTANCE_REGISTRATION;
    session.attach(&shared.regions);
    let Some(subtrees) = expand(registration) else {
        return error::PARSE_ERROR;
    };
    let timeout =
        (registration.timeout != 0).then(|| Duration::from_secs(u64::from(registration.timeout)));
    let handler = Arc::new(Forwarder::new(
        Arc::clone(session),
        timeout,
        context.clone(),
    ));
    let regions = subtrees
        .into_iter()
        .map(|subtree| DynamicRegion {
            subtree,
            priority: registration.priority,
            context: context.clone(),
            owner: u64::from(session.id()),
            handler: handler.clone(),
        })
        .collect();
    match shared.regions.register(regions) {
        Ok(()) => error::NO_ERROR,
        Err(RegistryError::Duplicate { .. }) => error::DUPLICATE_REGISTRATION,
        Err(_) => error::REQUEST_DENIED,
    }
}

/// Removes a registration made with the same subtree, range and priority (RFC 2741 §7.1.6).
fn unregister(
    shared: &Arc<Shared>,
    session: &Arc<Session>,
    context: Option<Bytes>,
    registration: &Registration,
) -> u16 {
    let context = context.unwrap_or_default();
    let Some(subtrees) = expand(registration) else {
        return error::PARSE_ERROR;
    };
    let removed = shared
        .regions
        .unregister(u64::from(session.id()), |region| {
            region.priority == registration.priority
                && region.context == context
                && subtrees.contains(&region.subtree)
        });
    if removed == 0 {
        error::UNKNOWN_REGISTRATION
    } else {
        error::NO_ERROR
    }
}

/// The subtrees a registration covers: one, or one per value of a range's sub-identifier
/// (RFC 2741 §6.2.3); `None` for an empty or too wide range.
fn expand(registration: &Registration) -> Option<Vec<Oid>> {
    let Some(upper) = registration.upper_bound else {
        return Some(vec![registration.subtree.clone()]);
    };
    let at = usize::from(registration.range_subid).checked_sub(1)?;
    let arcs = registration.subtree.arcs();
    let lower = *arcs.get(at)?;
    if upper < lower || upper - lower >= MAX_RANGE {
        return None;
    }
    (lower..=upper)
        .map(|value| {
            let mut arcs = arcs.to_vec();
            *arcs.get_mut(at)? = value;
            Oid::new(&arcs).ok()
        })
        .collect()
}

/// Hands a subagent's notification to the originator (RFC 2741 §7.1.10): sysUpTime.0 is
/// optional in the PDU, snmpTrapOID.0 is not.
fn notify(shared: &Shared, mut varbinds: Vec<VarBind>) -> u16 {
    if varbinds
        .first()
        .is_some_and(|varbind| varbind.name.arcs() == SYS_UP_TIME_0)
    {
        varbinds.remove(0);
    }
    let trap_oid_first = varbinds.first().is_some_and(|varbind| {
        varbind.name.arcs() == SNMP_TRAP_OID_0
            && matches!(varbind.value, Value::ObjectIdentifier(_))
    });
    if !trap_oid_first {
        return error::PROCESSING_ERROR;
    }
    // A full queue refuses rather than waits: the connection's task must keep reading.
    match shared.events.try_send(MasterEvent::Notify(varbinds)) {
        Ok(()) => error::NO_ERROR,
        Err(_) => error::PROCESSING_ERROR,
    }
}

/// IndexAllocate (RFC 2741 §7.1.4.1): all of the varbinds or none.
fn allocate(
    shared: &Shared,
    session: &Session,
    context: Option<Bytes>,
    varbinds: &[VarBind],
    flag_bits: u8,
) -> Result<Vec<VarBind>, (u16, u16)> {
    let context = context.unwrap_or_default();
    let any = flag_bits & (flags::NEW_INDEX | flags::ANY_INDEX) != 0;
    let new = flag_bits & flags::NEW_INDEX != 0;
    let mut indexes = shared
        .indexes
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let mut chosen: Vec<VarBind> = Vec::with_capacity(varbinds.len());
    for (i, varbind) in varbinds.iter().enumerate() {
        let position = u16::try_from(i + 1).unwrap_or(u16::MAX);
        let state = indexes
            .get(&(context.clone(), varbind.name.clone()))
            .map_or_else(
                || (Vec::new(), Vec::new()),
                |state| (state.allocated.clone(), state.ever.clone()),
            );
        let taken = |value: &Value| {
            state.0.iter().any(|(other, _)| other == value)
                || chosen
                    .iter()
                    .any(|earlier| earlier.name == varbind.name && earlier.value == *value)
                || (new && state.1.contains(value))
        };
        let value = if any {
            match &varbind.value {
                Value::Integer(_) => {
                    // The smallest positive value free under the flag's rule.
                    (1..=i32::MAX)
                        .map(Value::Integer)
                        .find(|value| !taken(value))
                        .ok_or((error::INDEX_NONE_AVAILABLE, position))?
                }
                _ => return Err((error::INDEX_WRONG_TYPE, position)),
            }
        } else {
            if matches!(
                varbind.value,
                Value::Null | Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView
            ) {
                return Err((error::INDEX_WRONG_TYPE, position));
            }
            if state.0.first().is_some_and(|(first, _)| {
                std::mem::discriminant(first) != std::mem::discriminant(&varbind.value)
            }) {
                return Err((error::INDEX_WRONG_TYPE, position));
            }
            if taken(&varbind.value) {
                return Err((error::INDEX_ALREADY_ALLOCATED, position));
            }
            varbind.value.clone()
        };
        chosen.push(VarBind {
            name: varbind.name.clone(),
            value,
        });
    }
    for varbind in &chosen {
        let state = indexes
            .entry((context.clone(), varbind.name.clone()))
            .or_default();
        state.allocated.push((varbind.value.clone(), session.id()));
        state.ever.push(varbind.value.clone());
    }
    Ok(chosen)
}

/// IndexDeallocate (RFC 2741 §7.1.4.2): all of the varbinds or none.
fn deallocate(
    shared: &Shared,
    session: &Session,
    context: Option<Bytes>,
    varbinds: &[VarBind],
) -> Result<(), (u16, u16)> {
    let context = context.unwrap_or_default();
    let mut indexes = shared
        .indexes
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    for (i, varbind) in varbinds.iter().enumerate() {
        let held = indexes
            .get(&(context.clone(), varbind.name.clone()))
            .is_some_and(|state| {
                state
                    .allocated
                    .iter()
                    .any(|(value, owner)| *value == varbind.value && *owner == session.id())
            });
        if !held {
            return Err((
                error::INDEX_NOT_ALLOCATED,
                u16::try_from(i + 1).unwrap_or(u16::MAX),
            ));
        }
    }
    for varbind in varbinds {
        if let Some(state) = indexes.get_mut(&(context.clone(), varbind.name.clone())) {
            state
                .allocated
                .retain(|(value, owner)| !(*value == varbind.value && *owner == session.id()));
        }
    }
    Ok(())
}

/// A closed session's indexes are free again (RFC 2741 §7.1.8).
fn release_indexes(shared: &Shared, sessions: impl IntoIterator<Item = u32>) {
    let sessions: Vec<u32> = sessions.into_iter().collect();
    let mut indexes = shared
        .indexes
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    for state in indexes.values_mut() {
        state
            .allocated
            .retain(|(_, owner)| !sessions.contains(owner));
    }
}

fn remove_capabilities(shared: &Shared, sessions: impl IntoIterator<Item = u32>) {
    let now = Instant::now();
    for session in sessions {
        shared.capabilities.remove_owner(session, now);
    }
}

/// A Response to the PDU whose header is `header`, in the subagent's byte order.
fn response(shared: &Shared, header: Header, code: u16, index: u16, varbinds: Vec<VarBind>) -> Pdu {
    Pdu {
        header: Header {
            kind: pdu::RESPONSE,
            flags: header.flags & flags::NETWORK_BYTE_ORDER,
            payload_length: 0,
            ..header
        },
        context: None,
        body: Body::Response(Response {
            sys_up_time: shared.up_time(),
            error: code,
            index,
            varbinds,
        }),
    }
}

/// Why a PDU could not be read.
enum Framing {
    /// The connection failed or closed mid-PDU.
    Io,
    /// The bytes are not a PDU; the header, when it could be read.
    Parse(Option<Header>),
}

/// Reads one PDU; `None` at a clean end of the stream. The payload is read only once its
/// length passed the header's checks, so a hostile length never allocates.
async fn read_pdu<R: AsyncRead + Unpin>(reader: &mut R) -> Result<Option<Pdu>, Framing> {
    let mut head = [0u8; pdu::HEADER_LEN];
    match reader.read(&mut head[..1]).await {
        Ok(0) => return Ok(None),
        Ok(_) => {}
        Err(_) => return Err(Framing::Io),
    }
    reader
        .read_exact(&mut head[1..])
        .await
        .map_err(|_| Framing::Io)?;
    let header = Header::decode(&head).map_err(|_| Framing::Parse(None))?;
    let length = usize::try_from(header.payload_length).map_err(|_| Framing::Parse(None))?;
    let mut payload = vec![0u8; length];
    reader
        .read_exact(&mut payload)
        .await
        .map_err(|_| Framing::Io)?;
    pdu::decode_payload(header, &payload)
        .map(Some)
        .map_err(|_| Framing::Parse(Some(header)))
}

/// sysUpTime.0.
const SYS_UP_TIME_0: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 3, 0];
/// snmpTrapOID.0.
const SNMP_TRAP_OID_0: &[u32] = &[1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0];
/// The widest range registration accepted, in values of its sub-identifier.
const MAX_RANGE: u32 = 4_096;
/// The longest context name (`SnmpAdminString`, RFC 3411 §5: 0 to 32 octets).
const MAX_CONTEXT_NAME: usize = 32;
/// How long to wait after a failed accept (out of file descriptors, say).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Why the master cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MasterError {
    /// A socket could not be bound.
    #[error("cannot listen on AgentX socket {address}: {source}")]
    Bind {
        /// The address.
        address: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(text: &str) -> Oid {
        text.parse()
            .unwrap_or_else(|_| panic!("bad test OID {text}"))
    }

    #[test]
    fn ranges_expand_to_one_subtree_per_value() {
        let registration = Registration {
            timeout: 0,
            priority: 127,
            range_subid: 10,
            subtree: oid("1.3.6.1.2.1.2.2.1.1.7"),
            upper_bound: Some(3),
        };
        assert_eq!(
            expand(&registration),
            Some(vec![
                oid("1.3.6.1.2.1.2.2.1.1.7"),
                oid("1.3.6.1.2.1.2.2.1.2.7"),
                oid("1.3.6.1.2.1.2.2.1.3.7"),
            ])
        );
        let reversed = Registration {
            upper_bound: Some(0),
            ..registration.clone()
        };
        assert_eq!(expand(&reversed), None);
        let huge = Registration {
            upper_bound: Some(u32::MAX),
            ..registration
        };
        assert_eq!(expand(&huge), None);
    }
}
