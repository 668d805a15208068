//! The trap and inform receiver: `vigie_net::NotificationListener` (the sockets) glued to
//! [`Intake::accept`] (the store and the alarms).
//!
//! Each accepted notification is authorised (its community or USM user, then the VACM
//! notify view when one is configured, RFC 3415 §3.2 with `ViewType::Notify` on the trap
//! OID), put in the one v2 shape (v1 traps translated, RFC 3584 §3.1) and appended to the
//! intake journal ([`crate::journal`]) with its batch, in one write and one sync; an inform
//! is acknowledged only after that sync (RFC 3416 §4.2.7: an unacknowledged inform is sent
//! again, so nothing is lost when the journal fails). The indexer reads the journal behind
//! the writer, names each notification with the MIBs (`IF-MIB::linkDown`,
//! `IF-MIB::ifIndex.3`) and its device with the inventory, and stores the events and the
//! alarm decisions they imply in one transaction, with the journal mark they reach. Every
//! notification is counted in [`Metrics`]: received by version, then stored or dropped
//! with a reason.
//!
//! ```text
//!   UDP ──► NotificationListener ──(bounded queue, full → dropped "queue_full")──► Receiver
//!     stage 1: authorise, translate, encode          stage 3, the indexer: read the journal,
//!        │ (a few batches)                              name, Intake::index (events, alarm
//!     stage 2: append every waiting batch to the        decisions and the journal mark in
//!        journal, sync, acknowledge informs ──────►     one transaction), delete indexed
//!        (waits while the indexer is MAX_BACKLOG        segments
//!        records behind)
//! ```
//!
//! The journal takes bursts at several times the rate the store's transactions sustain:
//! a burst is durable, and its informs acknowledged, as fast as it is written, and the
//! events appear in the store as the indexer catches up.
//!
//! Above capacity the listener sheds load where it costs least: while the queue is full it
//! reads datagrams and counts them as dropped (`queue_full`) without decoding them, so the
//! CPU goes to storing what the queue holds, and the stored rate stays at capacity.

use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use vigie_mib::MibSet;
use vigie_net::{
    Accepted, Ack, ListenerDrop, ListenerError, ListenerObserver, ListenerReloadHandle,
    ListenerStats, NotificationListener,
};
use vigie_snmp::community::{CommunityEntry, CommunityTable, SourceNetwork};
use vigie_snmp::engine::{ResponderConfig, ResponderEngine, TrapUser, UsmConfig};
use vigie_snmp::usm::{Credentials, EngineId};
use vigie_snmp::vacm::{ConfigError, Vacm, ViewType};
use vigie_snmp::{AnyPdu, Oid, PduKind, VarBind, Version, translate};

use crate::alarm::{AlarmEvent, SystemAlarm};
use crate::desk::AlarmDesk;
use crate::event::{Notification, NotificationKind, SnmpVersion, trap_oid_of};
use crate::intake::{Intake, Received};
use crate::journal::{Journal, JournalError, JournalReader, encode_record};
use crate::metrics::{DropReason, Metrics};
use crate::store::{Durability, Store, StoreError};
use crate::time::Timestamp;

/// What the receiver listens on and whom it accepts.
#[derive(Debug, Clone)]
pub struct ReceiverConfig {
    /// The UDP addresses to listen on.
    pub listen: Vec<SocketAddr>,
    /// The communities accepted from v1 and v2c senders.
    pub communities: Vec<TrapCommunity>,
    /// The SNMPv3 users: for traps (the sender authoritative, per sender engine ID) and for
    /// informs (this receiver authoritative).
    pub users: Vec<ReceiverUser>,
    /// This receiver's snmpEngineID, which SNMPv3 informs discover and are sent to. `serve`
    /// should pass the one it keeps in its data directory, so that senders' configurations
    /// stay valid across restarts.
    pub engine_id: EngineId,
    /// snmpEngineBoots, this start included.
    pub engine_boots: u32,
    /// When set, a notification is accepted only if `isAccessAllowed` (RFC 3415 §3.2)
    /// grants its security name the notify view's access to its trap OID.
    pub vacm: Option<Vacm>,
    /// Notifications waiting between the sockets and the store, at most; beyond it they are
    /// dropped and counted (`queue_full`).
    pub queue: usize,
}

impl Default for ReceiverConfig {
    /// UDP `0.0.0.0:162` and `[::]:162`; community `public` from anywhere (security name
    /// `comm1`, as Net-SNMP's first `authCommunity`); no SNMPv3 user; the engine ID
    /// `80007ed9047669676965` (enterprise 32473, text `vigie`); no notify view; a queue of
    /// [`DEFAULT_QUEUE`].
    fn default() -> Self {
        Self {
            listen: vec![
                SocketAddr::from((Ipv4Addr::UNSPECIFIED, TRAP_PORT)),
                SocketAddr::from((Ipv6Addr::UNSPECIFIED, TRAP_PORT)),
            ],
            communities: vec![TrapCommunity {
                community: Bytes::from_static(b"public"),
                security_name: "comm1".to_owned(),
                source: None,
            }],
            users: Vec::new(),
            engine_id: default_engine_id(),
            engine_boots: 1,
            vacm: None,
            queue: DEFAULT_QUEUE,
        }
    }
}

/// A community notifications may come with (RFC 3584 §5.1).
#[derive(Clone)]
pub struct TrapCommunity {
    /// The community: a secret, never logged nor stored.
    pub community: Bytes,
    /// The security name it maps to, stored with each event and checked by the VACM.
    pub security_name: String,
    /// Accepted only from this network; `None` for anywhere.
    pub source: Option<SourceNetwork>,
}

impl std::fmt::Debug for TrapCommunity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrapCommunity")
            .field("community", &"***")
            .field("security_name", &self.security_name)
            .field("source", &self.source)
            .finish()
    }
}

/// An SNMPv3 user notifications may come from (RFC 3414).
#[derive(Debug, Clone)]
pub struct ReceiverUser {
    /// The user name.
    pub name: String,
    /// The trap sender's snmpEngineID (Net-SNMP's `createUser -e`); `None` accepts traps
    /// from any sender, keys localized to the engine ID each trap carries. Informs are
    /// accepted from users whose engine ID is `None` or this receiver's.
    pub engine_id: Option<EngineId>,
    /// Protocols and master keys.
    pub credentials: Credentials,
}

/// Why the receiver cannot run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiverError {
    /// A socket could not be bound: port 162 without privilege, or taken by another
    /// receiver.
    #[error("the trap receiver cannot listen on udp:{address}: {source}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// The error.
        source: io::Error,
    },
    /// No address to listen on.
    #[error("the trap receiver has no address to listen on")]
    NoAddress,
    /// A community or security name that cannot be used.
    #[error("invalid trap receiver configuration: {0}")]
    Config(#[from] ConfigError),
    /// The intake journal cannot be opened.
    #[error("the trap receiver's journal cannot be opened: {0}")]
    Journal(#[from] JournalError),
    /// The store's journal mark cannot be read.
    #[error("the trap receiver cannot read the store: {0}")]
    Store(StoreError),
}

impl ReceiverError {
    /// What to do about it, for the health page and the log.
    pub fn fix(&self) -> Option<String> {
        let Self::Bind { address, source } = self else {
            return None;
        };
        match source.kind() {
            io::ErrorKind::PermissionDenied => Some(format!(
                "port {} needs privilege: run with CAP_NET_BIND_SERVICE (sudo setcap \
                 cap_net_bind_service=+ep \"$(command -v vigie)\", or \
                 AmbientCapabilities=CAP_NET_BIND_SERVICE in the systemd unit) or choose \
                 --traps 127.0.0.1:10162",
                address.port()
            )),
            io::ErrorKind::AddrInUse => Some(format!(
                "another process (snmptrapd?) holds udp port {}: stop it (systemctl stop \
                 snmptrapd) or choose --traps 127.0.0.1:10162",
                address.port()
            )),
            io::ErrorKind::AddrNotAvailable => Some(format!(
                "{} is not an address of this host: choose one it has, or 0.0.0.0",
                address.ip()
            )),
            _ => None,
        }
    }

    /// Whether binding failed for lack of privilege.
    pub fn is_permission_denied(&self) -> bool {
        matches!(self, Self::Bind { source, .. } if source.kind() == io::ErrorKind::PermissionDenied)
    }

    /// The error and its fix in one line, as the health API shows a DOWN receiver.
    pub fn status_reason(&self) -> String {
        match self.fix() {
            Some(fix) => format!("{self}; fix: {fix}"),
            None => self.to_string(),
        }
    }
}

impl From<ListenerError> for ReceiverError {
    fn from(error: ListenerError) -> Self {
        match error {
            ListenerError::Bind { address, source } => Self::Bind { address, source },
            // ListenerError is non-exhaustive: any later variant is still a failure to bind.
            other => Self::Bind {
                address: other.address(),
                source: io::Error::other(other.to_string()),
            },
        }
    }
}

/// What the receiver writes to.
#[derive(Debug, Clone)]
pub struct ReceiverParts {
    /// Stores events and raises alarms.
    pub intake: Intake,
    /// Counts received and dropped notifications.
    pub metrics: Arc<Metrics>,
    /// The inventory, to name each event's device.
    pub store: Store,
    /// The MIBs names are resolved with: the built-in set plus loaded modules.
    pub mibs: Arc<MibSet>,
    /// The intake journal's directory ([`crate::journal`]), synced at each batch when the
    /// store's durability is [`Durability::Full`](crate::store::Durability::Full).
    pub journal: PathBuf,
}

/// A bound receiver, ready to [`run`](Self::run) or [`spawn`](Self::spawn).
#[derive(Debug)]
pub struct Receiver {
    listener: NotificationListener,
    parts: ReceiverParts,
    vacm: Arc<RwLock<Option<Vacm>>>,
    engine_id: EngineId,
    queue: usize,
    journal: Arc<Journal>,
    reader: JournalReader,
}

impl Receiver {
    /// Binds every address of `config.listen`.
    ///
    /// A bind failure is returned as [`ReceiverError::Bind`] with its [`fix`](ReceiverError::fix),
    /// so that the caller can show the receiver DOWN and keep the rest running. The one
    /// exception: an IPv6 wildcard on a host without IPv6 is skipped (with a warning) when
    /// another address remains.
    ///
    /// The intake journal is opened first, at the store's mark: the records a crash left
    /// unindexed are indexed when the receiver runs, or at once, on a task of their own, when
    /// it cannot bind: a receiver that cannot listen (port 162 without the privilege, say)
    /// still stores what it acknowledged before the restart.
    pub async fn bind(config: ReceiverConfig, parts: ReceiverParts) -> Result<Self, ReceiverError> {
        let mark = parts
            .store
            .journal_mark()
            .await
            .map_err(ReceiverError::Store)?;
        let dir = parts.journal.clone();
        let sync = parts.store.durability() == Durability::Full;
        let (journal, reader) =
            tokio::task::spawn_blocking(move || Journal::open(&dir, sync, mark))
                .await
                .map_err(|error| ReceiverError::Store(error.into()))??;
        if journal.backlog() > 0 {
            tracing::info!(
                waiting = journal.backlog(),
                "notifications journaled before the last stop are being stored"
            );
        }
        let journal = Arc::new(journal);
        let listener = match listen(&config).await {
            Ok(listener) => listener,
            Err(error) => {
                if journal.backlog() > 0 {
                    let (_, done) = watch::channel(true);
                    tokio::spawn(Indexer::new(parts, journal, reader).run(done));
                }
                return Err(error);
            }
        };
        Ok(Self {
            listener,
            parts,
            vacm: Arc::new(RwLock::new(config.vacm.clone())),
            engine_id: config.engine_id.clone(),
            queue: config.queue.max(1),
            journal,
            reader,
        })
    }

    /// The bound addresses.
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.listener.local_addrs()
    }

    /// The socket-side counters (datagrams received, accepted, dropped by reason).
    pub fn stats(&self) -> Arc<ListenerStats> {
        self.listener.stats()
    }

    /// The engine's snmp group and usmStats counters (bad communities, unknown users, wrong
    /// digests, RFC 3418, RFC 3414 §3.2), which count refused informs answered with a Report
    /// as well as dropped traps.
    pub fn counters(&self) -> Arc<vigie_snmp::engine::SnmpCounters> {
        self.listener.counters()
    }

    /// A handle to apply a new configuration (communities, users, notify view) without
    /// losing a notification; the listen addresses and the engine ID stay.
    pub fn reload_handle(&self) -> ReceiverReloadHandle {
        ReceiverReloadHandle {
            listener: self.listener.reload_handle(),
            vacm: Arc::clone(&self.vacm),
            engine_id: self.engine_id.clone(),
        }
    }

    /// Runs on a new task until `shutdown` completes.
    pub fn spawn(self, shutdown: impl Future<Output = ()> + Send + 'static) -> JoinHandle<()> {
        tokio::spawn(self.run(shutdown))
    }

    /// Receives and stores until `shutdown` completes; then stops reading the sockets,
    /// journals what is already queued and indexes the journal before returning.
    ///
    /// Three stages overlap: one task authorises, translates and encodes a batch; the next
    /// appends every batch waiting for it to the journal in one write and one sync, then
    /// acknowledges their informs; the indexer reads the journal behind them and stores its
    /// records, up to [`MAX_COMMIT`] in one transaction with their alarm decisions. When the
    /// indexer is [`MAX_BACKLOG`] records behind, the journal's writer waits for it, and the
    /// listener's queue absorbs (and counts) the rest.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let Self {
            listener,
            parts,
            vacm,
            queue,
            journal,
            reader,
            ..
        } = self;
        let (sink, mut accepted) = mpsc::channel(queue);
        let (stop, stopped) = oneshot::channel::<()>();
        let observer = Arc::new(MetricsObserver(Arc::clone(&parts.metrics)));
        let sockets = tokio::spawn(listener.run(sink, observer, async {
            let _ = stopped.await;
        }));
        let (stopping_tx, stopping) = watch::channel(false);
        let (journaled_tx, journaled_done) = watch::channel(false);
        let (prepared_tx, prepared_rx) = mpsc::channel(PREPARED_BATCHES);
        let writer = tokio::spawn(write_journal(
            Arc::clone(&journal),
            Arc::clone(&parts.metrics),
            prepared_rx,
            stopping,
            journaled_tx,
        ));
        let preparer = Preparer {
            vacm,
            metrics: Arc::clone(&parts.metrics),
        };
        let indexer = tokio::spawn(Indexer::new(parts, journal, reader).run(journaled_done));
        let mut batch = Vec::with_capacity(MAX_BATCH);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                n = accepted.recv_many(&mut batch, MAX_BATCH) => {
                    if n == 0 {
                        break;
                    }
                    if let Some(prepared) = preparer.prepare(&mut batch)
                        && prepared_tx.send(prepared).await.is_err()
                    {
                        break;
                    }
                }
            }
        }
        // Graceful stop: no new datagram, and nothing already read is lost. The journal's
        // writer no longer waits for the indexer.
        let _ = stopping_tx.send(true);
        let _ = stop.send(());
        let _ = sockets.await;
        while accepted.recv_many(&mut batch, MAX_BATCH).await > 0 {
            if let Some(prepared) = preparer.prepare(&mut batch)
                && prepared_tx.send(prepared).await.is_err()
            {
                break;
            }
        }
        drop(prepared_tx);
        let _ = writer.await;
        let _ = indexer.await;
    }
}

/// Binds every address of `config.listen`, skipping an IPv6 one on a host without IPv6 when
/// another address remains.
async fn listen(config: &ReceiverConfig) -> Result<NotificationListener, ReceiverError> {
    let mut listen = config.listen.clone();
    loop {
        if listen.is_empty() {
            return Err(ReceiverError::NoAddress);
        }
        let engine = engine(config)?;
        match NotificationListener::bind(&listen, engine).await {
            Ok(listener) => return Ok(listener),
            Err(ListenerError::Bind { address, source })
                if address.is_ipv6() && listen.len() > 1 && no_ipv6(&source) =>
            {
                tracing::warn!(%address, error = %source, "no IPv6 here: not listening on it");
                listen.retain(|a| *a != address);
            }
            Err(error) => return Err(error.into()),
        }
    }
}

/// Changes a running [`Receiver`]'s communities, users and notify view.
#[derive(Debug, Clone)]
pub struct ReceiverReloadHandle {
    listener: ListenerReloadHandle,
    vacm: Arc<RwLock<Option<Vacm>>>,
    engine_id: EngineId,
}

impl ReceiverReloadHandle {
    /// Applies `config`'s communities, users and VACM; its listen addresses and engine ID
    /// are ignored (they need a restart). Fails, changing nothing, on an invalid community
    /// entry.
    pub fn reload(&self, config: &ReceiverConfig) -> Result<(), ReceiverError> {
        let communities = communities(config)?;
        let (users, trap_users) = users(config, &self.engine_id);
        self.listener.reload(communities, users, trap_users);
        *self.vacm.write().unwrap_or_else(PoisonError::into_inner) = config.vacm.clone();
        Ok(())
    }
}

/// The first stage: authorise, translate and encode for the journal.
struct Preparer {
    vacm: Arc<RwLock<Option<Vacm>>>,
    metrics: Arc<Metrics>,
}

/// The last stage: read the journal, name, store, and move the store's journal mark.
struct Indexer {
    parts: ReceiverParts,
    journal: Arc<Journal>,
    /// Taken while a blocking read runs.
    reader: Option<JournalReader>,
    /// Device names by sender address, read again when the inventory changes.
    devices: DeviceNames,
    /// Tells when the inventory changed.
    inventory: watch::Receiver<u64>,
    /// Whether `devices` was read once.
    loaded: bool,
    /// MIB names of the OIDs seen lately.
    names: NameCache,
}

/// The MIB names of OIDs, as [`Notification::resolve_names`] gives them, remembered: a
/// storm repeats a few trap OIDs and varbind instances, and naming one walks the MIB tree
/// and formats text. At most [`NAME_CACHE`] OIDs; when full it starts again empty, so that
/// a sender cycling through instances bounds its memory, not its correctness. The table is
/// sized for its bound when it is made and never grows: a table that doubled as new
/// instances came (a fresh ifIndex in each linkDown) took the footprint up in steps over
/// the hours (docs/reliability.md, "Tenth").
#[derive(Debug)]
struct NameCache {
    names: HashMap<Oid, Option<String>>,
}

impl Default for NameCache {
    fn default() -> Self {
        Self {
            names: HashMap::with_capacity(NAME_CACHE),
        }
    }
}

impl NameCache {
    /// Names the trap OID and each varbind of `notification`.
    fn resolve(&mut self, mibs: &MibSet, notification: &mut Notification) {
        notification.trap_name = self.name(mibs, &notification.trap_oid);
        for varbind in &mut notification.varbinds {
            varbind.name = self.name(mibs, &varbind.oid);
        }
    }

    /// `MODULE::name.index`, or `None` when no module names any arc of `oid`.
    fn name(&mut self, mibs: &MibSet, oid: &Oid) -> Option<String> {
        if let Some(name) = self.names.get(oid) {
            return name.clone();
        }
        let name = mibs.describe(oid.arcs()).map(|_| mibs.name_of(oid));
        if self.names.len() >= NAME_CACHE {
            self.names.clear();
        }
        self.names.insert(oid.clone(), name.clone());
        name
    }
}

/// The inventory's names by SNMP address, to name a notification's device (RFC 3416 §4.2.6
/// gives a trap no other identity than its source).
#[derive(Debug, Default)]
struct DeviceNames {
    /// By address and port: a device that sends from its agent's port, or one of several
    /// agents behind one address (port forwarding, several agents on one host).
    by_target: HashMap<SocketAddr, String>,
    /// By address alone, for the usual sender on an ephemeral port: when several devices
    /// share the address, the first by name.
    by_ip: HashMap<IpAddr, String>,
}

impl DeviceNames {
    /// The names of `devices`, given as (address, port, name) in name order.
    fn new(devices: impl IntoIterator<Item = (IpAddr, u16, String)>) -> Self {
        let mut names = Self::default();
        for (ip, port, name) in devices {
            names.by_ip.entry(ip).or_insert_with(|| name.clone());
            names.by_target.insert(SocketAddr::new(ip, port), name);
        }
        names
    }

    /// The name of the device `source` is, if the inventory knows it.
    fn name(&self, source: SocketAddr) -> Option<&str> {
        self.by_target
            .get(&source)
            .or_else(|| self.by_ip.get(&source.ip()))
            .map(String::as_str)
    }
}

impl Preparer {
    /// Authorises `batch` (emptying it) and encodes its notifications in the v2 form as
    /// journal records; `None` when nothing of it is left to journal.
    fn prepare(&self, batch: &mut Vec<Accepted>) -> Option<Journaled> {
        let now = Timestamp::from_system_time(SystemTime::now());
        let mut records = Vec::with_capacity(batch.len() * RECORD_SIZE_HINT);
        let mut count = 0;
        let mut acks = Vec::new();
        let vacm = self.vacm.read().unwrap_or_else(PoisonError::into_inner);
        for mut accepted in batch.drain(..) {
            let (varbinds, kind): (Cow<'_, [VarBind]>, _) = match &accepted.pdu {
                AnyPdu::TrapV1(trap) => match translate::trap_v1_to_v2(trap, None) {
                    Ok(varbinds) => (Cow::Owned(varbinds), NotificationKind::Trap),
                    Err(_) => {
                        self.metrics.dropped(DropReason::Malformed);
                        continue;
                    }
                },
                AnyPdu::Pdu(pdu) if pdu.kind == PduKind::InformRequest => {
                    (Cow::Borrowed(&pdu.varbinds[..]), NotificationKind::Inform)
                }
                AnyPdu::Pdu(pdu) => (Cow::Borrowed(&pdu.varbinds[..]), NotificationKind::Trap),
                AnyPdu::Bulk(_) => {
                    self.metrics.dropped(DropReason::Malformed);
                    continue;
                }
            };
            let Some(trap_oid) = trap_oid_of(&varbinds) else {
                self.metrics.dropped(DropReason::Malformed);
                continue;
            };
            if let Some(vacm) = vacm.as_ref() {
                let allowed = vacm.is_access_allowed(
                    accepted.security_model,
                    accepted.security_name.as_bytes(),
                    accepted.security_level,
                    ViewType::Notify,
                    accepted.context_name.as_bytes(),
                    trap_oid,
                );
                if allowed.is_err() {
                    self.metrics.dropped(DropReason::Unauthorised);
                    continue;
                }
            }
            encode_record(
                &mut records,
                now,
                accepted.source,
                accepted.version,
                kind,
                accepted.security_name.as_bytes(),
                &varbinds,
            );
            drop(varbinds);
            count += 1;
            if let Some(ack) = accepted.take_ack() {
                acks.push(ack);
            }
        }
        (count > 0).then_some(Journaled {
            records,
            count,
            acks,
        })
    }
}

impl Indexer {
    fn new(parts: ReceiverParts, journal: Arc<Journal>, reader: JournalReader) -> Self {
        Self {
            inventory: parts.store.inventory_changes(),
            parts,
            journal,
            reader: Some(reader),
            devices: DeviceNames::default(),
            loaded: false,
            names: NameCache::default(),
        }
    }

    /// Indexes the journal as it grows; returns once the writer is done (`done`) and every
    /// durable record is indexed, or, the writer done, when the store fails (the records
    /// wait in the journal for the next start).
    async fn run(mut self, mut done: watch::Receiver<bool>) {
        let mut durable = self.journal.durable();
        self.parts.metrics.journal_backlog(self.journal.backlog());
        loop {
            let through = *durable.borrow_and_update();
            if self.next_seq() > through {
                if *done.borrow_and_update() {
                    if self.next_seq() > *durable.borrow() {
                        return;
                    }
                    continue;
                }
                tokio::select! {
                    changed = durable.changed() => if changed.is_err() { return },
                    changed = done.changed() => if changed.is_err() { return },
                }
                continue;
            }
            if !self.index_through(through, &done).await {
                return;
            }
        }
    }

    fn next_seq(&self) -> u64 {
        self.reader
            .as_ref()
            .map_or(u64::MAX, JournalReader::next_seq)
    }

    /// Reads and stores the next records up to `through`; `false` when indexing must stop.
    async fn index_through(&mut self, through: u64, done: &watch::Receiver<bool>) -> bool {
        let Some(mut reader) = self.reader.take() else {
            return false;
        };
        let expected = reader.next_seq();
        let read = tokio::task::spawn_blocking(move || {
            let records = reader.read(through, MAX_COMMIT);
            (reader, records)
        })
        .await;
        let Ok((reader, records)) = read else {
            tracing::error!("the journal's reader failed; notifications are no longer indexed");
            return false;
        };
        self.reader = Some(reader);
        let records = match records {
            Ok(records) => records,
            Err(error) => return self.skip_damaged(&error, expected, done).await,
        };
        let Some(mark) = records.last().map(|record| record.seq) else {
            // Nothing read below a durable record should not happen; a pause, not a spin.
            tokio::time::sleep(STORE_RETRY).await;
            return !*done.borrow();
        };
        self.refresh_devices().await;
        let mut now = Timestamp(i64::MIN);
        let mut received = Vec::with_capacity(records.len());
        for record in &records {
            let Ok(mut notification) = record.notification() else {
                self.parts.metrics.dropped(DropReason::Malformed);
                continue;
            };
            now = now.max(record.received_at);
            self.names.resolve(&self.parts.mibs, &mut notification);
            let device = self
                .devices
                .name(record.source)
                .map_or_else(|| record.source.ip().to_string(), str::to_owned);
            received.push(Received {
                notification: Arc::new(notification),
                device,
            });
        }
        drop(records);
        if received.is_empty() {
            now = Timestamp::from_system_time(SystemTime::now());
        }
        self.store(now, &received, mark, done).await
    }

    /// Stores `received`, the journal's records up to `mark`, until the store takes them;
    /// `false` when it fails after the writer is done.
    async fn store(
        &self,
        now: Timestamp,
        received: &[Received],
        mark: u64,
        done: &watch::Receiver<bool>,
    ) -> bool {
        loop {
            match self.parts.intake.index(now, received, mark).await {
                Ok(_) => break,
                Err(error) if *done.borrow() => {
                    tracing::error!(%error, waiting = self.journal.backlog(),
                        "notifications could not be stored; they wait in the journal for the \
                         next start");
                    return false;
                }
                Err(error) => {
                    tracing::error!(%error, notifications = received.len(),
                        "notifications could not be stored; they wait in the journal, trying \
                         again in a second");
                    tokio::time::sleep(STORE_RETRY).await;
                }
            }
        }
        if self.journal.note_indexed(mark) {
            let journal = Arc::clone(&self.journal);
            match tokio::task::spawn_blocking(move || journal.delete_indexed()).await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => {
                    tracing::warn!(%error, "an indexed journal segment stays on disk");
                }
                Err(_) => {}
            }
        }
        self.parts.metrics.journal_backlog(self.journal.backlog());
        true
    }

    /// After a damaged journal record: counts the records lost and moves the mark past them.
    async fn skip_damaged(
        &mut self,
        error: &JournalError,
        expected: u64,
        done: &watch::Receiver<bool>,
    ) -> bool {
        tracing::error!(%error, "the intake journal is damaged");
        let Some(mut reader) = self.reader.take() else {
            return false;
        };
        if reader.next_seq() == expected {
            // The damage is in the segment being written: a new segment lets the reader
            // continue after it.
            let journal = Arc::clone(&self.journal);
            let moved = tokio::task::spawn_blocking(move || {
                let rotated = journal.rotate();
                reader.skip_damaged();
                (reader, rotated)
            })
            .await;
            let Ok((moved, rotated)) = moved else {
                return false;
            };
            if let Err(error) = rotated {
                tracing::error!(%error, "the journal cannot start a new segment");
            }
            reader = moved;
        }
        let next = reader.next_seq();
        self.reader = Some(reader);
        if next == expected {
            tokio::time::sleep(STORE_RETRY).await;
            return !*done.borrow();
        }
        let lost = next - expected;
        tracing::error!(lost, first = expected, "journal records lost to the damage");
        for _ in 0..lost {
            self.parts.metrics.dropped(DropReason::StoreFailed);
        }
        self.store(
            Timestamp::from_system_time(SystemTime::now()),
            &[],
            next - 1,
            done,
        )
        .await
    }

    /// Reads the device names again when the inventory changed since the last read.
    async fn refresh_devices(&mut self) {
        let changed = self.inventory.has_changed().unwrap_or(false);
        if self.loaded && !changed {
            return;
        }
        // Marked seen before the read: a change during it triggers another.
        self.inventory.mark_unchanged();
        match self.parts.store.devices().await {
            Ok(devices) => {
                self.loaded = true;
                self.devices = DeviceNames::new(
                    devices
                        .into_iter()
                        .map(|device| (device.address, device.port, device.name)),
                );
            }
            Err(error) => tracing::warn!(%error, "device names unavailable; using addresses"),
        }
    }
}

/// Journal records ready to append, and the acknowledgements of the informs among them.
struct Journaled {
    records: Vec<u8>,
    count: u64,
    acks: Vec<Ack>,
}

/// The journal's writer: appends each group of waiting batches in one write and one sync,
/// then acknowledges their informs. While the indexer is [`MAX_BACKLOG`] records behind it
/// waits, unless the receiver is stopping. Returns when the first stage is gone and
/// nothing waits, and says so through `done`.
async fn write_journal(
    journal: Arc<Journal>,
    metrics: Arc<Metrics>,
    mut batches: mpsc::Receiver<Journaled>,
    mut stopping: watch::Receiver<bool>,
    done: watch::Sender<bool>,
) {
    let mut indexed = journal.indexed();
    let mut waiting = Vec::with_capacity(PREPARED_BATCHES);
    while batches.recv_many(&mut waiting, PREPARED_BATCHES).await > 0 {
        let mut group = waiting.drain(..);
        let Some(Journaled {
            mut records,
            mut count,
            mut acks,
        }) = group.next()
        else {
            continue;
        };
        for next in group {
            records.extend_from_slice(&next.records);
            count += next.count;
            acks.extend(next.acks);
        }
        while journal.backlog() >= MAX_BACKLOG && !*stopping.borrow() {
            tokio::select! {
                changed = indexed.changed() => if changed.is_err() { break },
                changed = stopping.changed() => if changed.is_err() { break },
            }
        }
        let writer = Arc::clone(&journal);
        let written = tokio::task::spawn_blocking(move || writer.append(&records, count)).await;
        match written {
            Ok(Ok(_)) => {
                metrics.journal_backlog(journal.backlog());
                for ack in acks {
                    // A lost acknowledgement makes the sender resend: a duplicate, never a
                    // loss.
                    let _ = ack.confirm().await;
                }
            }
            Ok(Err(error)) => {
                // The senders of informs retry.
                tracing::error!(%error, notifications = count,
                    "notifications could not be journaled");
                for _ in 0..count {
                    metrics.dropped(DropReason::StoreFailed);
                }
            }
            Err(_) => {
                tracing::error!(notifications = count, "the journal's writer failed");
                for _ in 0..count {
                    metrics.dropped(DropReason::StoreFailed);
                }
            }
        }
    }
    let _ = done.send(true);
}

/// The system alarm of a full receiver queue: raised as soon as the queue between the
/// sockets and the store drops a notification ([`ListenerDrop::QueueFull`]), cleared once
/// none was dropped for a quiet period.
///
/// Pure: the caller passes the drop counter and the time; [`watch_queue`] drives it.
#[derive(Debug, Clone)]
pub struct QueueWatch {
    /// The counter at the last observation.
    dropped: u64,
    /// When the last drop was seen, while the alarm is (or may be) open.
    last_drop: Option<Instant>,
    quiet: Duration,
}

impl QueueWatch {
    /// The queue's name in the alarm's text and key.
    pub const QUEUE: &'static str = "trap intake";

    /// A watch starting from the counter's current value, at `now`. It behaves as if a
    /// drop had just been seen, so that an alarm left open by an earlier run (stopped
    /// mid-flood) is cleared after the quiet period.
    pub fn new(now: Instant, dropped: u64, quiet: Duration) -> Self {
        Self {
            dropped,
            last_drop: Some(now),
            quiet,
        }
    }

    /// The alarm event the counter's value at `now` calls for: a raise when it grew since
    /// the last observation (repeated while drops go on, which counts them in the alarm),
    /// a clear once it has not grown for the quiet period, and then nothing.
    pub fn observe(&mut self, now: Instant, dropped: u64) -> Option<AlarmEvent> {
        let alarm = SystemAlarm::QueueFull {
            queue: Self::QUEUE.to_owned(),
        };
        if dropped > self.dropped {
            self.dropped = dropped;
            self.last_drop = Some(now);
            return Some(alarm.raise());
        }
        let since = self.last_drop?;
        if now.saturating_duration_since(since) < self.quiet {
            return None;
        }
        self.last_drop = None;
        Some(alarm.clear())
    }
}

/// How often [`watch_queue`] reads the drop counter.
pub const QUEUE_WATCH_PERIOD: Duration = Duration::from_secs(1);

/// How long without a drop before the queue-full alarm clears.
pub const QUEUE_WATCH_QUIET: Duration = Duration::from_secs(10);

/// Raises and clears the queue-full system alarm of a receiver (its [`Receiver::stats`])
/// through `desk`, every `period`, until `shutdown` completes.
pub async fn watch_queue(
    stats: Arc<ListenerStats>,
    desk: Arc<AlarmDesk>,
    period: Duration,
    quiet: Duration,
    shutdown: impl Future<Output = ()> + Send,
) {
    let mut watch = QueueWatch::new(
        Instant::now(),
        stats.dropped(ListenerDrop::QueueFull),
        quiet,
    );
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = ticks.tick() => {}
        }
        let Some(event) = watch.observe(Instant::now(), stats.dropped(ListenerDrop::QueueFull))
        else {
            continue;
        };
        let now = Timestamp::from_system_time(SystemTime::now());
        if let Err(error) = desk.apply(now, event).await {
            tracing::error!(%error, "the queue-full system alarm could not be stored");
        }
    }
}

/// Counts what the sockets accept and drop in [`Metrics`].
struct MetricsObserver(Arc<Metrics>);

impl ListenerObserver for MetricsObserver {
    fn accepted(&self, version: Version) {
        self.0.received(SnmpVersion::from(version));
    }

    fn dropped(&self, _from: SocketAddr, reason: ListenerDrop) {
        self.0.dropped(match reason {
            ListenerDrop::BadCommunity | ListenerDrop::Usm(_) => DropReason::Unauthorised,
            ListenerDrop::QueueFull => DropReason::QueueFull,
            _ => DropReason::Malformed,
        });
    }
}

/// The engine `config` describes.
fn engine(config: &ReceiverConfig) -> Result<ResponderEngine, ReceiverError> {
    let (users, trap_users) = users(config, &config.engine_id);
    let mut engine = ResponderEngine::new(ResponderConfig {
        communities: communities(config)?,
        max_message_size: 0,
    })
    .with_usm(
        UsmConfig {
            engine_id: config.engine_id.clone(),
            boots: config.engine_boots,
            users,
        },
        Instant::now(),
        rand::random(),
    );
    engine.set_trap_users(trap_users);
    Ok(engine)
}

fn communities(config: &ReceiverConfig) -> Result<CommunityTable, ReceiverError> {
    let mut table = CommunityTable::new();
    for community in &config.communities {
        let mut entry = CommunityEntry::new(&community.community, community.security_name.as_str());
        if let Some(source) = community.source {
            entry = entry.source(source);
        }
        table.add(entry)?;
    }
    Ok(table)
}

/// The inform users (localized to this receiver) and the trap users.
#[allow(
    clippy::type_complexity,
    reason = "the two argument lists of the engine"
)]
fn users(config: &ReceiverConfig, own: &EngineId) -> (Vec<(Bytes, Credentials)>, Vec<TrapUser>) {
    let informs = config
        .users
        .iter()
        .filter(|user| user.engine_id.as_ref().is_none_or(|id| id == own))
        .map(|user| (Bytes::from(user.name.clone()), user.credentials.clone()))
        .collect();
    let traps = config
        .users
        .iter()
        .map(|user| TrapUser {
            name: Bytes::from(user.name.clone()),
            engine_id: user.engine_id.clone(),
            credentials: user.credentials.clone(),
        })
        .collect();
    (informs, traps)
}

/// An error binding an IPv6 socket on a host without IPv6.
fn no_ipv6(error: &io::Error) -> bool {
    // EAFNOSUPPORT (97 on Linux) when the module is absent; EADDRNOTAVAIL when disabled.
    error.raw_os_error() == Some(97) || error.kind() == io::ErrorKind::AddrNotAvailable
}

fn default_engine_id() -> EngineId {
    // Enterprise 32473 (RFC 5612's documentation number, as the agent uses), format 4
    // (text): a valid constant.
    EngineId::from_text(32_473, "vigie")
        .unwrap_or_else(|_| EngineId::from_ipv4(32_473, Ipv4Addr::LOCALHOST))
}

/// The standard trap port (RFC 3417 §3.2 names 162 for notification receivers).
pub const TRAP_PORT: u16 = 162;
/// The most OIDs whose MIB names the receiver remembers: room for the varbinds of a storm
/// from many interfaces (three per linkDown), in a table of about 200 KB.
const NAME_CACHE: usize = 1_024;
/// The default queue between the sockets and the store, in notifications.
pub const DEFAULT_QUEUE: usize = 8_192;
/// The most notifications prepared (authorised, translated, named) together.
pub const MAX_BATCH: usize = 512;
/// The most notifications stored in one transaction: several prepared batches when the
/// store is behind.
pub const MAX_COMMIT: usize = 4 * MAX_BATCH;
/// Prepared batches waiting for the journal's writer, at most; beyond it the preparing
/// stage waits, and the listener's queue absorbs (and counts) the rest.
const PREPARED_BATCHES: usize = 16;
/// Journal records written and not yet stored, at most: beyond it the journal's writer
/// waits for the indexer. About 160 MB of journal, and half a minute of indexing.
pub const MAX_BACKLOG: u64 = 1_000_000;
/// A journal record's size, about, to size a batch's buffer.
const RECORD_SIZE_HINT: usize = 160;
/// The pause before storing again after the store failed.
const STORE_RETRY: Duration = Duration::from_secs(1);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_names_are_the_names_resolve_names_gives_and_the_cache_is_bounded() {
        let mibs = MibSet::builtin();
        let mut cache = NameCache::default();
        for round in 0..2 {
            for if_index in [1, 2, 1] {
                let notification = Notification::from_v2(
                    Timestamp(1),
                    "192.0.2.7:50000".parse().unwrap(),
                    Version::V2c,
                    NotificationKind::Trap,
                    "comm1",
                    &link_down(if_index),
                )
                .unwrap();
                let mut cached = Notification::clone(&notification);
                cache.resolve(&mibs, &mut cached);
                let mut resolved = Notification::clone(&notification);
                resolved.resolve_names(&mibs);
                assert_eq!(cached, resolved, "round {round}, ifIndex {if_index}");
                assert_eq!(cached.trap_name.as_deref(), Some("IF-MIB::linkDown"));
            }
        }
        let capacity = cache.names.capacity();
        assert!(capacity >= NAME_CACHE);
        let enterprise: Oid = "1.3.6.1.4.1.99999.1.2".parse().unwrap();
        let named = Some("SNMPv2-SMI::enterprises.99999.1.2".to_owned());
        assert_eq!(cache.name(&mibs, &enterprise), named);
        assert_eq!(cache.name(&mibs, &enterprise), named, "from the cache");
        for arc in 0..u32::try_from(NAME_CACHE).unwrap() * 2 {
            let oid: Oid = format!("1.3.6.1.2.1.2.2.1.1.{arc}").parse().unwrap();
            assert_eq!(
                cache.name(&mibs, &oid),
                Some(format!("IF-MIB::ifIndex.{arc}"))
            );
            assert!(cache.names.len() <= NAME_CACHE);
            assert_eq!(cache.names.capacity(), capacity, "the table never grows");
        }
    }

    #[test]
    fn a_device_is_named_by_address_and_port_then_by_address() {
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let names = DeviceNames::new([
            (ip, 1161, "agent-a".to_owned()),
            (ip, 1162, "agent-b".to_owned()),
            ("192.0.2.2".parse().unwrap(), 161, "router".to_owned()),
        ]);
        assert_eq!(names.name(SocketAddr::new(ip, 1162)), Some("agent-b"));
        assert_eq!(names.name(SocketAddr::new(ip, 1161)), Some("agent-a"));
        // An ephemeral source port: the first device by name at that address.
        assert_eq!(names.name(SocketAddr::new(ip, 40_000)), Some("agent-a"));
        let router = "192.0.2.2:50000".parse().unwrap();
        assert_eq!(names.name(router), Some("router"));
        assert_eq!(names.name("192.0.2.3:161".parse().unwrap()), None);
    }

    #[test]
    fn a_full_queue_raises_an_alarm_while_it_drops_and_clears_after_a_quiet_period() {
        let start = Instant::now();
        let at = |s: u64| start + Duration::from_secs(s);
        let quiet = Duration::from_secs(10);
        let mut watch = QueueWatch::new(at(0), 5, quiet);
        assert_eq!(watch.observe(at(1), 5), None);
        let raise = watch.observe(at(2), 9).unwrap();
        let AlarmEvent::Raise(raise) = raise else {
            panic!("a raise: {raise:?}");
        };
        assert_eq!(raise.key.as_str(), "system/queue-full/trap intake");
        assert!(
            raise.text.contains("trap intake queue is full"),
            "{}",
            raise.text
        );
        // Drops going on repeat the raise; a quiet second does nothing yet.
        assert!(matches!(
            watch.observe(at(3), 20),
            Some(AlarmEvent::Raise(_))
        ));
        assert_eq!(watch.observe(at(4), 20), None);
        assert_eq!(watch.observe(at(12), 20), None);
        let clear = watch.observe(at(13), 20).unwrap();
        assert!(
            matches!(&clear, AlarmEvent::Clear { key, .. } if key.as_str() == "system/queue-full/trap intake"),
            "{clear:?}"
        );
        // Cleared once; the next drop raises it again.
        assert_eq!(watch.observe(at(30), 20), None);
        assert!(matches!(
            watch.observe(at(31), 21),
            Some(AlarmEvent::Raise(_))
        ));
    }

    #[test]
    fn a_new_watch_clears_an_alarm_left_open_by_an_earlier_run() {
        let start = Instant::now();
        let mut watch = QueueWatch::new(start, 0, Duration::from_secs(10));
        assert_eq!(watch.observe(start + Duration::from_secs(5), 0), None);
        assert!(matches!(
            watch.observe(start + Duration::from_secs(10), 0),
            Some(AlarmEvent::Clear { .. })
        ));
        assert_eq!(watch.observe(start + Duration::from_secs(20), 0), None);
    }

    #[test]
    fn the_default_listens_on_162_with_public() {
        let config = ReceiverConfig::default();
        assert_eq!(config.listen.len(), 2);
        assert!(config.listen.iter().all(|a| a.port() == 162));
        assert_eq!(config.communities[0].community, "public");
        assert_eq!(config.engine_id.to_string(), "0x80007ed9047669676965");
        assert!(!format!("{:?}", config.communities).contains("public"));
    }

    #[test]
    fn bind_errors_say_how_to_fix_them() {
        let denied = ReceiverError::Bind {
            address: "0.0.0.0:162".parse().unwrap(),
            source: io::Error::from(io::ErrorKind::PermissionDenied),
        };
        assert!(denied.is_permission_denied());
        let reason = denied.status_reason();
        assert!(reason.contains("CAP_NET_BIND_SERVICE"), "{reason}");
        assert!(reason.contains("--traps 127.0.0.1:10162"), "{reason}");
        let taken = ReceiverError::Bind {
            address: "0.0.0.0:162".parse().unwrap(),
            source: io::Error::from(io::ErrorKind::AddrInUse),
        };
        assert!(taken.fix().unwrap().contains("snmptrapd"));
        assert!(ReceiverError::NoAddress.fix().is_none());
    }

    #[test]
    fn users_split_into_inform_and_trap_users() {
        let credentials = Credentials::new(
            vigie_snmp::usm::AuthProtocol::Sha1,
            vigie_snmp::usm::KeyInput::Password(b"password1"),
        )
        .unwrap();
        let own = default_engine_id();
        let other: EngineId = "0x8000000001020304".parse().unwrap();
        let config = ReceiverConfig {
            users: vec![
                ReceiverUser {
                    name: "any".into(),
                    engine_id: None,
                    credentials: credentials.clone(),
                },
                ReceiverUser {
                    name: "pinned".into(),
                    engine_id: Some(other),
                    credentials: credentials.clone(),
                },
                ReceiverUser {
                    name: "mine".into(),
                    engine_id: Some(own.clone()),
                    credentials,
                },
            ],
            ..ReceiverConfig::default()
        };
        let (informs, traps) = users(&config, &own);
        let names: Vec<&[u8]> = informs.iter().map(|(name, _)| name.as_ref()).collect();
        assert_eq!(names, [b"any".as_slice(), b"mine"]);
        assert_eq!(traps.len(), 3);
    }

    fn link_down(if_index: i32) -> Vec<VarBind> {
        let oid = |s: &str| s.parse::<Oid>().unwrap();
        vec![
            VarBind {
                name: oid("1.3.6.1.6.3.1.1.4.1.0"),
                value: vigie_snmp::Value::ObjectIdentifier(oid("1.3.6.1.6.3.1.1.5.3")),
            },
            VarBind {
                name: oid(&format!("1.3.6.1.2.1.2.2.1.1.{if_index}")),
                value: vigie_snmp::Value::Integer(if_index),
            },
        ]
    }

    /// A journal in `dir` holding linkDown traps, one batch per list of ifIndexes.
    fn journal_of(dir: &std::path::Path, batches: &[&[i32]]) {
        let (journal, _) = Journal::open(&dir.join("journal"), true, 0).unwrap();
        for (at, if_indexes) in (10..).step_by(10).zip(batches) {
            let mut records = Vec::new();
            for &if_index in *if_indexes {
                encode_record(
                    &mut records,
                    Timestamp(at),
                    "192.0.2.7:50000".parse().unwrap(),
                    Version::V2c,
                    NotificationKind::Trap,
                    b"comm1",
                    &link_down(if_index),
                );
            }
            journal.append(&records, if_indexes.len() as u64).unwrap();
        }
    }

    /// A receiver's parts storing into `store`, its journal in `dir`.
    fn parts(dir: &std::path::Path, store: &Store, desk: Arc<AlarmDesk>) -> ReceiverParts {
        let metrics = Arc::new(Metrics::default());
        let intake = Intake::new(
            store.clone(),
            desk,
            Arc::clone(&metrics),
            Arc::new(crate::event::TrapAlarms::standard()),
        );
        ReceiverParts {
            intake,
            metrics,
            store: store.clone(),
            mibs: Arc::new(MibSet::builtin()),
            journal: dir.join("journal"),
        }
    }

    /// An indexer of the journal in `dir` into `store`.
    fn indexer(
        dir: &std::path::Path,
        store: &Store,
        desk: Arc<AlarmDesk>,
        journal: Arc<Journal>,
        reader: JournalReader,
    ) -> Indexer {
        Indexer::new(parts(dir, store, desk), journal, reader)
    }

    /// Indexes the journal in `dir` from `store`'s mark to its end, as a receiver does at
    /// start and when it stops.
    async fn index(dir: &std::path::Path, store: &Store, desk: Arc<AlarmDesk>) -> Arc<Journal> {
        let mark = store.journal_mark().await.unwrap();
        let (journal, reader) = Journal::open(&dir.join("journal"), true, mark).unwrap();
        let journal = Arc::new(journal);
        let (_done, done) = watch::channel(true);
        indexer(dir, store, desk, Arc::clone(&journal), reader)
            .run(done)
            .await;
        journal
    }

    /// Set in the child process of [`a_kill_9_loses_no_journaled_notification`]: the
    /// directory of its journal and database.
    const CHILD_DIR: &str = "VIGIE_RECEIVER_KILL_CHILD";

    /// Kills (SIGKILL) a process that journals linkDown traps at full speed while its
    /// indexer stores them, at whatever point it is, then indexes what it left as a restart
    /// does: every record the child had synced (its informs would have been acknowledged)
    /// is an event, each exactly once, each with its alarm decision. The process is this
    /// test binary again, running this test with [`CHILD_DIR`] set; it prints the sequence
    /// number of each synced batch's last record.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_kill_9_loses_no_journaled_notification() {
        if let Some(dir) = std::env::var_os(CHILD_DIR) {
            let dir = PathBuf::from(dir);
            let store = Store::open(&dir.join("vigie.db"), Durability::Full)
                .await
                .unwrap();
            let desk = Arc::new(AlarmDesk::load(store.clone()).await.unwrap());
            let (journal, reader) = Journal::open(&dir.join("journal"), true, 0).unwrap();
            let journal = Arc::new(journal);
            let (_done, done) = watch::channel(false);
            tokio::spawn(indexer(&dir, &store, desk, Arc::clone(&journal), reader).run(done));
            // Until killed; a child left behind stops by itself.
            let started = Instant::now();
            let mut n = 0;
            while started.elapsed() < Duration::from_secs(60) {
                let mut records = Vec::new();
                for i in 0..50 {
                    encode_record(
                        &mut records,
                        Timestamp(1),
                        "192.0.2.7:50000".parse().unwrap(),
                        Version::V2c,
                        NotificationKind::Inform,
                        b"comm1",
                        &link_down((n + i) % 8 + 1),
                    );
                }
                let writer = Arc::clone(&journal);
                let last = tokio::task::spawn_blocking(move || writer.append(&records, 50))
                    .await
                    .unwrap()
                    .unwrap();
                let mut out = io::stdout().lock();
                io::Write::write_all(&mut out, format!("{last}\n").as_bytes()).unwrap();
                io::Write::flush(&mut out).unwrap();
                n += 50;
            }
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let mut child = crate::testing::child_process(
            "receiver::tests::a_kill_9_loses_no_journaled_notification",
            CHILD_DIR,
            dir.path(),
        )
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (child, synced) = tokio::task::spawn_blocking(move || {
            let mut synced = 0;
            for line in io::BufRead::lines(io::BufReader::new(stdout)) {
                if let Ok(last) = line.unwrap().trim().parse::<u64>() {
                    synced = last;
                }
                if synced >= 20_000 {
                    break;
                }
            }
            child.kill().unwrap();
            child.wait().unwrap();
            (child, synced)
        })
        .await
        .unwrap();
        drop(child);
        assert!(synced >= 20_000, "the child synced {synced} records");
        let store = Store::open(&dir.path().join("vigie.db"), Durability::Full)
            .await
            .unwrap();
        let stored_before = store.event_count().await.unwrap();
        let desk = Arc::new(AlarmDesk::load(store.clone()).await.unwrap());
        let journal = index(dir.path(), &store, desk).await;
        let events = store.event_count().await.unwrap();
        let journaled = *journal.durable().borrow();
        assert!(events >= synced, "{events} events, {synced} records synced");
        assert_eq!(events, journaled, "every journaled record stored once");
        assert_eq!(store.journal_mark().await.unwrap(), journaled);
        assert!(
            stored_before < events,
            "the restart stored what the kill left"
        );
        let alarms = store
            .alarms(&crate::store::AlarmFilter::default())
            .await
            .unwrap();
        assert_eq!(alarms.iter().map(|a| a.count).sum::<u64>(), events);
    }

    #[tokio::test]
    async fn a_receiver_that_cannot_bind_still_stores_what_its_journal_holds() {
        let dir = tempfile::tempdir().unwrap();
        journal_of(dir.path(), &[&[1, 2], &[3]]);
        let store = Store::open(&dir.path().join("vigie.db"), Durability::Full)
            .await
            .unwrap();
        let desk = Arc::new(AlarmDesk::load(store.clone()).await.unwrap());
        let taken = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let config = ReceiverConfig {
            listen: vec![taken.local_addr().unwrap()],
            ..ReceiverConfig::default()
        };
        let error = Receiver::bind(config, parts(dir.path(), &store, desk))
            .await
            .unwrap_err();
        assert!(matches!(error, ReceiverError::Bind { .. }), "{error}");
        for _ in 0..100 {
            if store.journal_mark().await.unwrap() == 3 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(store.journal_mark().await.unwrap(), 3);
        assert_eq!(store.event_count().await.unwrap(), 3);
    }

    #[tokio::test]
    async fn journaled_notifications_are_stored_in_order_with_their_alarms_and_mark() {
        let dir = tempfile::tempdir().unwrap();
        journal_of(dir.path(), &[&[1, 2], &[1], &[3, 1]]);
        let store = Store::open(&dir.path().join("vigie.db"), Durability::Full)
            .await
            .unwrap();
        let desk = Arc::new(AlarmDesk::load(store.clone()).await.unwrap());
        let mut published = desk.subscribe();
        let journal = index(dir.path(), &store, desk).await;
        assert_eq!(store.event_count().await.unwrap(), 5);
        assert_eq!(store.journal_mark().await.unwrap(), 5);
        assert_eq!(journal.backlog(), 0);
        let mut seen = Vec::new();
        while let Ok(decision) = published.try_recv() {
            let alarm = decision.decision.alarm().unwrap();
            seen.push((decision.decision.action().unwrap(), alarm.id.0, alarm.count));
        }
        assert_eq!(
            seen,
            [
                ("raised", 1, 1),
                ("raised", 2, 1),
                ("repeated", 1, 2),
                ("raised", 3, 1),
                ("repeated", 1, 3),
            ]
        );
        let events = store
            .events(&crate::store::EventFilter::default())
            .await
            .unwrap()
            .items;
        assert!(
            events
                .iter()
                .all(|e| e.notification.trap_name.as_deref() == Some("IF-MIB::linkDown")),
            "named on indexing: {events:?}"
        );
        assert!(
            events
                .iter()
                .all(|e| e.notification.security_name == "comm1")
        );
    }

    #[tokio::test]
    async fn indexing_resumes_after_the_mark_and_stores_nothing_twice() {
        let dir = tempfile::tempdir().unwrap();
        journal_of(dir.path(), &[&[1, 2]]);
        let store = Store::open(&dir.path().join("vigie.db"), Durability::Full)
            .await
            .unwrap();
        let desk = Arc::new(AlarmDesk::load(store.clone()).await.unwrap());
        index(dir.path(), &store, Arc::clone(&desk)).await;
        assert_eq!(store.event_count().await.unwrap(), 2);
        // More records, as a crash leaves them: journaled, not yet stored.
        let (journal, _) = Journal::open(&dir.path().join("journal"), true, 2).unwrap();
        let mut records = Vec::new();
        encode_record(
            &mut records,
            Timestamp(50),
            "192.0.2.7:50000".parse().unwrap(),
            Version::V2c,
            NotificationKind::Trap,
            b"comm1",
            &link_down(7),
        );
        assert_eq!(journal.append(&records, 1).unwrap(), 3);
        drop(journal);
        index(dir.path(), &store, desk).await;
        assert_eq!(store.event_count().await.unwrap(), 3);
        assert_eq!(store.journal_mark().await.unwrap(), 3);
    }
}
