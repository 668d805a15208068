//! The poller's task: devices polled when due, with bounded concurrency, and the results
//! turned into alarms, live values and metrics.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;
use tokio::sync::{Mutex, Semaphore, mpsc};
use tokio::task::JoinSet;
use vigie_net::{Client, RequestError, Session};
use vigie_snmp::engine::RemoteEngine;
use vigie_snmp::usm::EngineTime;
use vigie_snmp::{Oid, Value, Version};

use crate::alarm::{AlarmEvent, AlarmKey, Raise, Severity, Source};
use crate::desk::AlarmDesk;
use crate::poller::rate::CounterSample;
use crate::poller::schedule::{Millis, Schedule};
use crate::poller::threshold::{Observations, Thresholds};
use crate::poller::walk::{self, ReadError};
use crate::poller::{IF_TABLES, ObjectKind, PolledObject, PollerConfig};
use crate::status::StatusRegistry;
use crate::store::{Device, DeviceId, Discovery, Interface, Store, StoreError};
use crate::time::Timestamp;

/// A handle on the running poller; clones share it, and see a new configuration applied
/// by [`reconfigure`](Self::reconfigure). The task stops when the last handle is dropped or
/// [`stop`](Self::stop) is called.
#[derive(Debug, Clone)]
pub struct Poller {
    current: Arc<RwLock<Running>>,
}

/// The task polling with one configuration, and how to reach it.
#[derive(Debug, Clone)]
struct Running {
    shared: Arc<Shared>,
    commands: mpsc::UnboundedSender<Command>,
}

/// What one poll of a device gave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PollOutcome {
    /// The device.
    pub device: DeviceId,
    /// Whether it answered.
    pub reachable: bool,
    /// Why the poll failed, when it did (never a secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How long the poll took, in milliseconds.
    pub duration_ms: u64,
    /// How many values were read.
    pub values: usize,
}

/// Why a poll could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PollError {
    /// No device with this id in the inventory.
    #[error("no device {}", .0.0)]
    UnknownDevice(DeviceId),
    /// The device list could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The poller's own counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PollerStats {
    /// Polls made.
    pub polls: u64,
    /// Polls that got no answer.
    pub timeouts: u64,
    /// Polls that failed otherwise (SNMPv3 failure, an agent error, bad credentials).
    pub errors: u64,
    /// The total time spent in polls, in milliseconds.
    pub duration_ms: u64,
    /// Devices in the inventory that are polled.
    pub devices: u64,
}

/// The live values of a device's interfaces, from its last poll.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LiveInterfaces {
    /// When the last poll ended.
    pub polled_at: Timestamp,
    /// Whether the device answered it.
    pub reachable: bool,
    /// Per `ifIndex`.
    pub interfaces: BTreeMap<u32, InterfaceLive>,
}

/// One interface's polled values and rates.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InterfaceLive {
    /// Polled values by object name, e.g. `ifOperStatus`, `ifHCInOctets`.
    pub values: BTreeMap<String, serde_json::Value>,
    /// Rates per second of the counters, by object name.
    pub rates: BTreeMap<String, f64>,
}

enum Command {
    /// The device list changed: resynchronise the schedule.
    Resync,
    /// Stop polling.
    Stop,
}

#[derive(Debug)]
pub(super) struct Shared {
    pub(super) config: PollerConfig,
    store: Store,
    desk: Arc<AlarmDesk>,
    status: StatusRegistry,
    slots: RwLock<HashMap<DeviceId, Arc<Slot>>>,
    semaphore: Arc<Semaphore>,
    origin: Instant,
    /// Kept across reconfigurations, so that the exported counters only grow.
    pub(super) counters: Arc<Counters>,
    /// SNMPv3 agents' engines, kept across polls and reconfigurations.
    engines: Arc<EngineCache>,
    scalars: Vec<(usize, Oid)>,
    columns: Vec<(usize, Oid)>,
}

/// What the poller learnt of each SNMPv3 agent's authoritative engine (RFC 3414 §4): its
/// engine ID, boots and time, so that each poll is one exchange rather than a discovery
/// first. A Report of unknownEngineID or notInTimeWindow that the client engine could not
/// recover from forgets the entry: the next poll discovers again.
#[derive(Debug, Default)]
struct EngineCache {
    engines: std::sync::Mutex<HashMap<SocketAddr, (RemoteEngine, Instant)>>,
}

impl EngineCache {
    /// The engine of `target`, its clock advanced to now.
    fn get(&self, target: SocketAddr) -> Option<(vigie_snmp::usm::EngineId, EngineTime)> {
        let engines = self.engines.lock().unwrap_or_else(PoisonError::into_inner);
        let (remote, learnt) = engines.get(&target)?;
        let elapsed = u32::try_from(learnt.elapsed().as_secs()).unwrap_or(u32::MAX);
        let time = EngineTime {
            boots: remote.engine_time.boots,
            time: remote.engine_time.time.saturating_add(elapsed),
        };
        Some((remote.engine_id.clone(), time))
    }

    fn learn(&self, target: SocketAddr, engine: RemoteEngine) {
        self.engines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(target, (engine, Instant::now()));
    }

    fn forget(&self, target: SocketAddr) {
        self.engines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&target);
    }
}

#[derive(Debug, Default)]
pub(super) struct Counters {
    pub(super) polls: AtomicU64,
    pub(super) timeouts: AtomicU64,
    pub(super) errors: AtomicU64,
    pub(super) duration_ms: AtomicU64,
}

/// One device: its configuration, its polling state, its last results.
#[derive(Debug)]
pub(super) struct Slot {
    pub(super) device: Device,
    state: Mutex<DeviceState>,
    pub(super) live: RwLock<Option<Arc<Snapshot>>>,
}

#[derive(Debug)]
struct DeviceState {
    thresholds: Thresholds,
    counters: HashMap<(usize, Vec<u32>), CounterSample>,
    /// `None` until the first poll after a start.
    reachable: Option<bool>,
    failing: Option<bool>,
    discovered: Option<Millis>,
    labels: BTreeMap<u32, String>,
}

/// The results of a device's last poll.
#[derive(Debug)]
pub(super) struct Snapshot {
    pub(super) at: Timestamp,
    pub(super) reachable: bool,
    /// Whether `values` were read by this poll; after a failed poll they are the last
    /// ones read, kept for the API but not exported as current.
    pub(super) current: bool,
    /// Per polled object (by its index in the configuration): scalars at row `[]`.
    pub(super) values: BTreeMap<(usize, Vec<u32>), Value>,
    pub(super) rates: BTreeMap<(usize, Vec<u32>), f64>,
    /// `ifName` (or `ifDescr`) per `ifIndex`.
    pub(super) labels: BTreeMap<u32, String>,
}

impl Poller {
    /// Loads the inventory and starts polling it. Must be called within a tokio runtime.
    pub async fn start(
        config: PollerConfig,
        store: Store,
        desk: Arc<AlarmDesk>,
        status: StatusRegistry,
    ) -> Result<Self, StoreError> {
        let shared = Shared::new(config, store, desk, status, Arc::default(), Arc::default());
        let running = Running::start(shared).await?;
        Ok(Self {
            current: Arc::new(RwLock::new(running)),
        })
    }

    /// Applies a new configuration (a reload of `[poller]` or `[[thresholds]]`): a task with
    /// the new settings replaces the running one, which stops after the polls it has in
    /// progress; the inventory is read again, and each device's counters and threshold
    /// states start afresh. The open alarms of threshold rules that no longer exist are
    /// cleared; those of rules kept are cleared or kept by the next poll.
    pub async fn reconfigure(&self, config: PollerConfig) -> Result<(), StoreError> {
        let old = self.running();
        let kept: HashSet<String> = config.thresholds.iter().map(|r| r.name.clone()).collect();
        let removed: Vec<String> = old
            .shared
            .config
            .thresholds
            .iter()
            .filter(|rule| !kept.contains(&rule.name))
            .map(|rule| rule.name.clone())
            .collect();
        let shared = Shared::new(
            config,
            old.shared.store.clone(),
            Arc::clone(&old.shared.desk),
            old.shared.status.clone(),
            Arc::clone(&old.shared.counters),
            Arc::clone(&old.shared.engines),
        );
        let running = Running::start(shared).await?;
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = running.clone();
        let _ = old.commands.send(Command::Stop);
        if !removed.is_empty() {
            let open = old.shared.store.open_alarms().await?;
            let clears = open
                .into_iter()
                .filter(|alarm| {
                    removed.iter().any(|rule| {
                        alarm
                            .key
                            .as_str()
                            .strip_prefix("threshold/")
                            .and_then(|rest| rest.strip_prefix(rule.as_str()))
                            .is_some_and(|rest| rest.starts_with('/'))
                    })
                })
                .map(|alarm| AlarmEvent::Clear {
                    key: alarm.key,
                    reason: "its threshold rule was removed from the configuration".to_owned(),
                })
                .collect();
            running.shared.apply(clears).await;
        }
        Ok(())
    }

    fn running(&self) -> Running {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Polls `device` now (after re-reading the inventory if it is new) and returns the
    /// outcome; waits for a poll of it already in progress to end first.
    pub async fn poll_now(&self, device: DeviceId) -> Result<PollOutcome, PollError> {
        let running = self.running();
        let slot = match running.shared.slot(device) {
            Some(slot) => slot,
            None => {
                running.reload().await?;
                running
                    .shared
                    .slot(device)
                    .ok_or(PollError::UnknownDevice(device))?
            }
        };
        Ok(running.shared.poll(&slot, true).await)
    }

    /// Re-reads the inventory: new devices are scheduled, removed ones forgotten, changed
    /// ones start afresh.
    pub async fn reload(&self) -> Result<(), StoreError> {
        self.running().reload().await
    }

    /// Stops the task; polls in progress finish.
    pub fn stop(&self) {
        let _ = self.running().commands.send(Command::Stop);
    }

    /// The live values of `device`'s interfaces, once it has been polled.
    pub fn interfaces(&self, device: DeviceId) -> Option<LiveInterfaces> {
        let running = self.running();
        let shared = &running.shared;
        let slot = shared.slot(device)?;
        let snapshot = slot.live()?;
        let mut interfaces: BTreeMap<u32, InterfaceLive> = BTreeMap::new();
        for ((object, row), value) in &snapshot.values {
            let (Some(if_index), Some(object)) = (
                shared.if_index(*object, row),
                shared.config.objects.get(*object),
            ) else {
                continue;
            };
            if let Some(number) = json_number(value) {
                interfaces
                    .entry(if_index)
                    .or_default()
                    .values
                    .insert(object.name.clone(), number);
            }
        }
        for ((object, row), rate) in &snapshot.rates {
            let (Some(if_index), Some(object)) = (
                shared.if_index(*object, row),
                shared.config.objects.get(*object),
            ) else {
                continue;
            };
            interfaces
                .entry(if_index)
                .or_default()
                .rates
                .insert(object.name.clone(), *rate);
        }
        Some(LiveInterfaces {
            polled_at: snapshot.at,
            reachable: snapshot.reachable,
            interfaces,
        })
    }

    /// The poller's counters.
    pub fn stats(&self) -> PollerStats {
        self.running().shared.stats()
    }

    /// Appends the polled values and the poller's counters to a Prometheus text exposition.
    pub fn render_metrics(&self, out: &mut String) {
        super::exposition::render(&self.running().shared, out);
    }
}

impl Running {
    /// Loads the inventory into `shared` and starts its task.
    async fn start(shared: Shared) -> Result<Self, StoreError> {
        let shared = Arc::new(shared);
        shared.reload().await?;
        let (commands, receiver) = mpsc::unbounded_channel();
        tokio::spawn(Arc::clone(&shared).run(receiver));
        shared.status.set_up(COMPONENT, now());
        Ok(Self { shared, commands })
    }

    async fn reload(&self) -> Result<(), StoreError> {
        self.shared.reload().await?;
        // The task is gone only after `stop`: nothing to resynchronise then.
        let _ = self.commands.send(Command::Resync);
        Ok(())
    }
}

impl Shared {
    fn new(
        config: PollerConfig,
        store: Store,
        desk: Arc<AlarmDesk>,
        status: StatusRegistry,
        counters: Arc<Counters>,
        engines: Arc<EngineCache>,
    ) -> Self {
        let split = |kind| {
            config
                .objects
                .iter()
                .enumerate()
                .filter(|(_, object)| object.kind == kind)
                .map(|(at, object)| (at, object.oid.clone()))
                .collect()
        };
        Self {
            scalars: split(ObjectKind::Scalar),
            columns: split(ObjectKind::Column),
            semaphore: Arc::new(Semaphore::new(config.concurrency.max(1))),
            config,
            store,
            desk,
            status,
            slots: RwLock::new(HashMap::new()),
            origin: Instant::now(),
            counters,
            engines,
        }
    }

    async fn run(self: Arc<Self>, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut schedule = Schedule::new();
        let mut polls: JoinSet<DeviceId> = JoinSet::new();
        self.resync(&mut schedule);
        loop {
            let now = self.now();
            while let Some(id) = schedule.pop_due(now) {
                let Some(slot) = self.slot(id) else {
                    schedule.remove(id);
                    continue;
                };
                let shared = Arc::clone(&self);
                polls.spawn(async move {
                    shared.poll(&slot, false).await;
                    id
                });
            }
            let wake = schedule
                .next_due()
                .map(|due| self.origin + Duration::from_millis(due.0));
            tokio::select! {
                command = commands.recv() => match command {
                    Some(Command::Resync) => self.resync(&mut schedule),
                    Some(Command::Stop) | None => break,
                },
                Some(done) = polls.join_next(), if !polls.is_empty() => {
                    // A poll task cannot panic but on a bug; its device is then left out.
                    if let Ok(id) = done {
                        schedule.completed(id, self.now(), rand::random());
                    }
                }
                () = sleep_until(wake), if wake.is_some() => {}
            }
        }
        polls.shutdown().await;
    }

    /// Adds the enabled devices to `schedule` and removes the others.
    fn resync(&self, schedule: &mut Schedule) {
        let now = self.now();
        let slots = self.slots.read().unwrap_or_else(PoisonError::into_inner);
        let gone: Vec<DeviceId> = schedule
            .devices()
            .filter(|id| !slots.get(id).is_some_and(|slot| slot.device.enabled))
            .collect();
        for id in gone {
            schedule.remove(id);
        }
        for (id, slot) in slots.iter() {
            if slot.device.enabled {
                schedule.insert(*id, slot.device.poll_interval(), now, rand::random());
            }
        }
    }

    async fn reload(&self) -> Result<(), StoreError> {
        let devices = match self.store.devices().await {
            Ok(devices) => devices,
            Err(error) => {
                self.status.set_down(
                    COMPONENT,
                    "cannot read the device list from the store",
                    now(),
                );
                return Err(error);
            }
        };
        let gone = self.replace_slots(devices);
        self.status.set_up(COMPONENT, now());
        self.apply(gone).await;
        Ok(())
    }

    /// Installs the slots of `devices`, keeping the state of those polled as before;
    /// returns the clears of the alarms of devices that left the inventory.
    fn replace_slots(&self, devices: Vec<Device>) -> Vec<AlarmEvent> {
        let names: HashSet<String> = devices.iter().map(|d| d.name.clone()).collect();
        let mut slots = self.slots.write().unwrap_or_else(PoisonError::into_inner);
        let mut kept = HashMap::with_capacity(devices.len());
        let mut dropped = Vec::new();
        for device in devices {
            let slot = match slots.remove(&device.id) {
                Some(slot) if same_polling(&slot.device, &device) => slot,
                old => {
                    dropped.extend(old);
                    Arc::new(Slot {
                        state: Mutex::new(DeviceState {
                            thresholds: Thresholds::new(self.config.thresholds.clone()),
                            counters: HashMap::new(),
                            reachable: None,
                            failing: None,
                            discovered: None,
                            labels: BTreeMap::new(),
                        }),
                        live: RwLock::new(None),
                        device,
                    })
                }
            };
            kept.insert(slot.device.id, slot);
        }
        dropped.extend(slots.drain().map(|(_, slot)| slot));
        // Devices gone from the inventory (deleted or renamed) leave no alarm of theirs open.
        *slots = kept;
        dropped
            .iter()
            .filter(|slot| !names.contains(&slot.device.name))
            .flat_map(|slot| {
                [reachability_key(&slot.device), failure_key(&slot.device)].map(|key| {
                    AlarmEvent::Clear {
                        key,
                        reason: "the device left the inventory".to_owned(),
                    }
                })
            })
            .collect()
    }

    fn slot(&self, id: DeviceId) -> Option<Arc<Slot>> {
        self.slots
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            .cloned()
    }

    pub(super) fn slots(&self) -> Vec<Arc<Slot>> {
        let mut slots: Vec<Arc<Slot>> = self
            .slots
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect();
        slots.sort_by(|a, b| a.device.name.cmp(&b.device.name));
        slots
    }

    pub(super) fn stats(&self) -> PollerStats {
        let devices = self
            .slots
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .filter(|slot| slot.device.enabled)
            .count();
        PollerStats {
            polls: self.counters.polls.load(Ordering::Relaxed),
            timeouts: self.counters.timeouts.load(Ordering::Relaxed),
            errors: self.counters.errors.load(Ordering::Relaxed),
            duration_ms: self.counters.duration_ms.load(Ordering::Relaxed),
            devices: u64::try_from(devices).unwrap_or(u64::MAX),
        }
    }

    /// The `ifIndex` of a row of `object`, when `object` is an IF-MIB column.
    pub(super) fn if_index(&self, object: usize, row: &[u32]) -> Option<u32> {
        let object = self.config.objects.get(object)?;
        let in_if_table = IF_TABLES
            .iter()
            .any(|table| object.oid.arcs().starts_with(table));
        match row {
            [if_index] if in_if_table => Some(*if_index),
            _ => None,
        }
    }

    fn now(&self) -> Millis {
        Millis(u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX))
    }

    /// Polls one device (discovering it first when due or `discover`), applies the alarms
    /// and publishes the snapshot.
    async fn poll(&self, slot: &Slot, discover: bool) -> PollOutcome {
        let _permit = Arc::clone(&self.semaphore).acquire_owned().await;
        let mut state = slot.state.lock().await;
        let started = Instant::now();
        let device = &slot.device;
        let result = self.read(device).await;
        let at = self.now();
        let duration = started.elapsed();
        self.counters.polls.fetch_add(1, Ordering::Relaxed);
        self.counters.duration_ms.fetch_add(
            u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        let mut outcome = PollOutcome {
            device: device.id,
            reachable: false,
            error: None,
            duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
            values: 0,
        };
        let mut events = Vec::new();
        let read = match result {
            Ok(read) => read,
            Err(failure) => {
                let timed_out = matches!(
                    failure,
                    Failure::Read(ReadError::Request(RequestError::Timeout { .. }))
                );
                let text = failure.to_string();
                if timed_out {
                    self.counters.timeouts.fetch_add(1, Ordering::Relaxed);
                    if state.reachable != Some(false) {
                        events.push(self.unreachable(device));
                    }
                    state.reachable = Some(false);
                } else {
                    self.counters.errors.fetch_add(1, Ordering::Relaxed);
                    // It answered (or could not even be asked): reachability is unknown,
                    // the failure is its own alarm.
                    outcome.reachable = !matches!(failure, Failure::Session(_));
                    if state.failing != Some(true) {
                        events.push(AlarmEvent::Raise(Raise {
                            key: failure_key(device),
                            device: device.name.clone(),
                            source: Source::Poll,
                            severity: Severity::Major,
                            text: format!("polling {} fails: {text}", device.target()),
                        }));
                    }
                    state.failing = Some(true);
                }
                outcome.error = Some(text);
                self.apply(events).await;
                let previous = slot.live();
                slot.publish(Snapshot {
                    at: now(),
                    reachable: outcome.reachable,
                    current: false,
                    values: previous
                        .as_ref()
                        .map(|s| s.values.clone())
                        .unwrap_or_default(),
                    rates: BTreeMap::new(),
                    labels: state.labels.clone(),
                });
                return outcome;
            }
        };
        outcome.reachable = true;
        if state.reachable != Some(true) {
            events.push(AlarmEvent::Clear {
                key: reachability_key(device),
                reason: "the device answers again".to_owned(),
            });
        }
        if state.failing != Some(false) {
            events.push(AlarmEvent::Clear {
                key: failure_key(device),
                reason: "polling works again".to_owned(),
            });
        }
        state.reachable = Some(true);
        state.failing = Some(false);
        let rediscover = state
            .discovered
            .is_none_or(|last| at.since(last) >= self.config.rediscover);
        if discover || rediscover {
            if let Some(labels) = self.discover(device).await {
                state.labels = labels;
                state.discovered = Some(at);
            }
        }
        let snapshot = self.snapshot(&mut state, &read, at);
        outcome.values = snapshot.values.len();
        let observations = self.observations(&snapshot);
        events.extend(state.thresholds.evaluate(&device.name, &observations));
        drop(state);
        self.apply(events).await;
        slot.publish(snapshot);
        outcome
    }

    async fn read(&self, device: &Device) -> Result<walk::Read, Failure> {
        let scalars: Vec<Oid> = self.scalars.iter().map(|(_, oid)| oid.clone()).collect();
        let columns: Vec<Oid> = self.columns.iter().map(|(_, oid)| oid.clone()).collect();
        self.read_objects(device, &scalars, &columns).await
    }

    /// Reads `scalars` and `columns` from `device`, over SNMPv3 with the engine learnt at an
    /// earlier poll when there is one. A Report saying that engine is gone (another engine
    /// ID: the agent was replaced or reconfigured) or out of its time window beyond the one
    /// resynchronisation the client makes, sends the request once more after a discovery.
    async fn read_objects(
        &self,
        device: &Device,
        scalars: &[Oid],
        columns: &[Oid],
    ) -> Result<walk::Read, Failure> {
        let target = device.target();
        let cached = self.engines.get(target);
        let retry = cached.is_some();
        let client = self.client(device, cached).await?;
        let mut result = walk::read(&client, scalars, columns, self.config.max_repetitions).await;
        if matches!(&result, Err(error) if stale_engine(error)) {
            self.engines.forget(target);
            if retry {
                tracing::debug!(device = %device.name, "SNMPv3 engine changed: discovering it again");
                let client = self.client(device, None).await?;
                result = walk::read(&client, scalars, columns, self.config.max_repetitions).await;
                self.remember_engine(&client);
            }
        } else {
            self.remember_engine(&client);
        }
        Ok(result?)
    }

    /// A client for `device`; for SNMPv3, told the agent's engine when known, so that it
    /// makes no discovery.
    async fn client(
        &self,
        device: &Device,
        engine: Option<(vigie_snmp::usm::EngineId, EngineTime)>,
    ) -> Result<Client, Failure> {
        let mut session: Session = device
            .credentials
            .session(device.target(), self.config.timeout, self.config.retries)
            .map_err(|error| Failure::Session(error.to_string()))?;
        if let (Some(usm), Some((engine_id, time))) = (session.usm.as_mut(), engine) {
            if session.version == Version::V3 {
                usm.engine_id = Some(engine_id);
                usm.engine_time = Some(time);
            }
        }
        Client::new(session)
            .await
            .map_err(|error| Failure::Session(error.to_string()))
    }

    fn remember_engine(&self, client: &Client) {
        if let Some(engine) = client.remote_engine() {
            self.engines.learn(client.session().target, engine);
        }
    }

    /// Reads the system group and the interface names and stores them; returns the
    /// interface labels, `None` when discovery failed (it is retried at the next poll).
    async fn discover(&self, device: &Device) -> Option<BTreeMap<u32, String>> {
        let oid = |name: &str| PolledObject::standard(name).map(|object| object.oid);
        let scalars: Vec<Oid> = DISCOVERY_SCALARS.iter().filter_map(|n| oid(n)).collect();
        let columns: Vec<Oid> = DISCOVERY_COLUMNS.iter().filter_map(|n| oid(n)).collect();
        let read = self
            .read_objects(device, &scalars, &columns)
            .await
            .map_err(|error| {
                tracing::info!(device = %device.name, %error, "discovery failed");
            })
            .ok()?;
        let text = |value: Option<&Option<Value>>| match value {
            Some(Some(Value::OctetString(bytes))) => {
                Some(String::from_utf8_lossy(bytes).into_owned())
            }
            Some(Some(Value::ObjectIdentifier(oid))) => Some(oid.to_string()),
            _ => None,
        };
        let integer = |value: Option<&Option<Value>>| match value {
            Some(Some(value)) => integer(value),
            _ => None,
        };
        let mut discovery = Discovery {
            sys_descr: text(read.scalars.first()),
            sys_object_id: text(read.scalars.get(1)),
            sys_name: text(read.scalars.get(2)),
            interfaces: Vec::new(),
        };
        let mut labels = BTreeMap::new();
        for (row, values) in &read.rows {
            let [if_index] = row.as_slice() else {
                continue;
            };
            // Columns in DISCOVERY_COLUMNS order.
            let high_speed = integer(values.get(7)).and_then(|mbps| u64::try_from(mbps).ok());
            let speed = integer(values.get(2)).and_then(|bps| u64::try_from(bps).ok());
            let interface = Interface {
                if_index: *if_index,
                if_descr: text(values.first()),
                if_type: integer(values.get(1)).and_then(|t| i32::try_from(t).ok()),
                speed_bps: match (high_speed, speed) {
                    // ifSpeed saturates at 2³²−1; ifHighSpeed counts Mbit/s (RFC 2863 §6).
                    (Some(mbps), _) if mbps > 0 => Some(mbps.saturating_mul(1_000_000)),
                    (_, speed) => speed,
                },
                admin_status: integer(values.get(3)).and_then(|s| i32::try_from(s).ok()),
                oper_status: integer(values.get(4)).and_then(|s| i32::try_from(s).ok()),
                if_name: text(values.get(5)),
                if_alias: text(values.get(6)),
            };
            if let Some(label) = interface
                .if_name
                .clone()
                .or_else(|| interface.if_descr.clone())
            {
                labels.insert(*if_index, label);
            }
            discovery.interfaces.push(interface);
        }
        if let Err(error) = self
            .store
            .record_discovery(device.id, &discovery, now())
            .await
        {
            tracing::warn!(device = %device.name, %error, "cannot store a discovery");
        }
        Some(labels)
    }

    fn snapshot(&self, state: &mut DeviceState, read: &walk::Read, at: Millis) -> Snapshot {
        let mut values = BTreeMap::new();
        for ((object, _), value) in self.scalars.iter().zip(&read.scalars) {
            if let Some(value) = value {
                values.insert((*object, Vec::new()), value.clone());
            }
        }
        for (row, columns) in &read.rows {
            for ((object, _), value) in self.columns.iter().zip(columns) {
                if let Some(value) = value {
                    values.insert((*object, row.clone()), value.clone());
                }
            }
        }
        let uptime = values
            .iter()
            .find(|((object, row), _)| {
                row.is_empty()
                    && self
                        .config
                        .objects
                        .get(*object)
                        .is_some_and(|o| o.name == "sysUpTime")
            })
            .and_then(|(_, value)| match value {
                Value::TimeTicks(ticks) => Some(*ticks),
                _ => None,
            });
        let mut rates = BTreeMap::new();
        let mut counters = HashMap::new();
        for (key, value) in &values {
            let Some(sample) = CounterSample::from_value(value, at, uptime) else {
                continue;
            };
            if let Some(previous) = state.counters.get(key) {
                if let Ok(rate) = sample.rate_since(previous) {
                    rates.insert(key.clone(), rate);
                }
            }
            counters.insert(key.clone(), sample);
        }
        // Rows that vanished (an interface removed) are forgotten with their samples.
        state.counters = counters;
        Snapshot {
            at: now(),
            reachable: true,
            current: true,
            values,
            rates,
            labels: state.labels.clone(),
        }
    }

    fn observations(&self, snapshot: &Snapshot) -> Observations {
        let mut observations = Observations::new();
        for ((object, row), value) in &snapshot.values {
            let (Some(object), Some(number)) = (self.config.objects.get(*object), number(value))
            else {
                continue;
            };
            observations.value(&object.name, row, number);
        }
        for ((object, row), rate) in &snapshot.rates {
            if let Some(object) = self.config.objects.get(*object) {
                observations.rate(&object.name, row, *rate);
            }
        }
        for (if_index, label) in &snapshot.labels {
            observations.label(&[*if_index], label.clone());
        }
        observations
    }

    fn unreachable(&self, device: &Device) -> AlarmEvent {
        let attempts = self.config.retries.saturating_add(1);
        AlarmEvent::Raise(Raise {
            key: reachability_key(device),
            device: device.name.clone(),
            source: Source::Poll,
            severity: Severity::Critical,
            text: format!(
                "{} does not answer SNMP ({attempts} attempts, {:?} each)",
                device.target(),
                self.config.timeout
            ),
        })
    }

    /// Applies `events` through the desk; the component is down while they cannot be
    /// stored, and up again at the next poll whose alarms are.
    async fn apply(&self, events: Vec<AlarmEvent>) {
        for event in events {
            if let Err(error) = self.desk.apply(now(), event).await {
                tracing::error!(%error, "cannot store a poller alarm");
                self.status
                    .set_down(COMPONENT, "cannot store alarms in the database", now());
                return;
            }
        }
        self.status.set_up(COMPONENT, now());
    }
}

impl Slot {
    pub(super) fn live(&self) -> Option<Arc<Snapshot>> {
        self.live
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn publish(&self, snapshot: Snapshot) {
        *self.live.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(snapshot));
    }
}

/// Why a poll failed.
#[derive(Debug, thiserror::Error)]
enum Failure {
    /// No session could be made: credentials the USM refuses, no socket.
    #[error("{0}")]
    Session(String),
    /// The agent did not answer, or not usefully.
    #[error(transparent)]
    Read(#[from] ReadError),
}

/// Whether `error` says the SNMPv3 engine the request was sent to is not the agent's (any
/// longer), or that its clock could not be resynchronised (RFC 3414 §3.2 steps 3 and 7).
fn stale_engine(error: &ReadError) -> bool {
    matches!(
        error,
        ReadError::Request(RequestError::UnknownEngineId | RequestError::NotInTimeWindow)
    )
}

/// Whether two versions of a device are polled the same way (discovery fields aside).
fn same_polling(old: &Device, new: &Device) -> bool {
    old.name == new.name
        && old.address == new.address
        && old.port == new.port
        && old.poll_interval_s == new.poll_interval_s
        && old.enabled == new.enabled
        && old.credentials == new.credentials
}

/// The key of a device's reachability alarm.
pub(super) fn reachability_key(device: &Device) -> AlarmKey {
    AlarmKey::new(format!("reachability/{}", device.name))
}

fn failure_key(device: &Device) -> AlarmKey {
    AlarmKey::new(format!("poll-failed/{}", device.name))
}

/// A numeric value as a number: INTEGER, the counters, gauges and time ticks.
pub(super) fn number(value: &Value) -> Option<f64> {
    // f64 holds every Counter32 exactly and Counter64s to 2⁵³, enough to compare.
    #[allow(clippy::cast_precision_loss)]
    Some(match *value {
        Value::Integer(value) => f64::from(value),
        Value::Counter32(value) | Value::Gauge32(value) | Value::TimeTicks(value) => {
            f64::from(value)
        }
        Value::Counter64(value) => value as f64,
        _ => return None,
    })
}

fn integer(value: &Value) -> Option<i64> {
    Some(match *value {
        Value::Integer(value) => i64::from(value),
        Value::Counter32(value) | Value::Gauge32(value) | Value::TimeTicks(value) => {
            i64::from(value)
        }
        _ => return None,
    })
}

fn json_number(value: &Value) -> Option<serde_json::Value> {
    Some(match *value {
        Value::Counter64(value) => value.into(),
        _ => integer(value)?.into(),
    })
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
        None => std::future::pending().await,
    }
}

fn now() -> Timestamp {
    Timestamp::from_system_time(SystemTime::now())
}

/// The component name in the status registry.
const COMPONENT: &str = "poller";
/// sysDescr, sysObjectID, sysName: the order `discover` reads them in.
const DISCOVERY_SCALARS: [&str; 3] = ["sysDescr", "sysObjectID", "sysName"];
/// The interface columns discovery reads, in the order `discover` indexes them.
const DISCOVERY_COLUMNS: [&str; 8] = [
    "ifDescr",
    "ifType",
    "ifSpeed",
    "ifAdminStatus",
    "ifOperStatus",
    "ifName",
    "ifAlias",
    "ifHighSpeed",
];
