//! IF-MIB (RFC 2863) from the live host: the `interfaces` group (`ifNumber`, `ifTable`) and
//! the `ifMIBObjects` this agent serves (`ifXTable`, `ifTableLastChange`), with the columns
//! and values Net-SNMP's `snmpd` serves on Linux, plus the link state watch that feeds
//! `linkDown`/`linkUp`.
//!
//! One [`Interfaces`] reads the host (at most once per [`SNAPSHOT_TTL`]) for every handler,
//! so `ifNumber`, `ifTable` and `ifXTable` agree; each table then keeps its own short
//! snapshot (the [`Table`] cache) so a walk sees one consistent table.
//!
//! `ifAlias` is writable; a value set over SNMP is kept in the agent's [`State`] under
//! `ifAlias.<interface name>` (so it survives a restart, and follows the interface if its
//! index changes) and overrides the kernel's alias. It does not change the host's alias
//! (`ip link set … alias`).
//!
//! Not served: `ifLinkUpDownTrapEnable` (column 14, which `snmpd` leaves out too),
//! `ifStackTable`, `ifRcvAddressTable`, `ifTestTable`.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::PoisonError;
use std::time::Duration;
use std::time::Instant;

use bytes::Bytes;
use vigie_snmp::Oid;
use vigie_snmp::Value;

use crate::State;
use crate::StateError;
use crate::host::HostPaths;
use crate::host::interfaces::Interface;
use crate::host::interfaces::LinkEvent;
use crate::host::interfaces::link_events;
use crate::host::interfaces::read_interfaces;
use crate::mib::Composite;
use crate::mib::Mib;
use crate::mib::Row;
use crate::mib::Scalar;
use crate::mib::ScalarGroup;
use crate::mib::SetError;
use crate::mib::Table;
use crate::mib::TableSource;
use crate::mib::check_display_string;
use crate::mib::index;

/// The host's interfaces, read on demand and shared by the IF-MIB handlers and the link
/// watch.
pub struct Interfaces {
    source: Box<dyn Fn() -> Vec<Interface> + Send + Sync>,
    started: Instant,
    aliases: Aliases,
    readings: Mutex<Readings>,
}

/// A consistent view of the interfaces at one time.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The interfaces, in `ifIndex` order.
    pub interfaces: Vec<Interface>,
    /// `ifLastChange` per `ifIndex`, in `TimeTicks` since the agent started (0 when the state
    /// has not changed since).
    pub last_change: HashMap<u32, u32>,
    /// `ifTableLastChange`: when an interface last appeared or vanished (0: not since start).
    pub table_last_change: u32,
}

impl Interfaces {
    /// The interfaces of the host at `paths`; `TimeTicks` values count from `started`, the
    /// agent's start (the origin of `sysUpTime`).
    /// `ifAlias` values set over SNMP are kept in `state`.
    pub fn new(paths: HostPaths, started: Instant, state: Arc<State>) -> Arc<Self> {
        Self::with_reader(move || read_interfaces(&paths), started, state)
    }

    /// Interfaces listed by `reader` instead of the host (tests, simulations).
    pub fn with_reader(
        reader: impl Fn() -> Vec<Interface> + Send + Sync + 'static,
        started: Instant,
        state: Arc<State>,
    ) -> Arc<Self> {
        Arc::new(Self {
            source: Box::new(reader),
            started,
            aliases: Aliases {
                values: Mutex::new(BTreeMap::new()),
                state,
            },
            readings: Mutex::new(Readings::default()),
        })
    }

    /// The `ifAlias` values set over SNMP.
    pub fn aliases(&self) -> &Aliases {
        &self.aliases
    }

    /// The interfaces at `now`: the last reading if it is younger than [`SNAPSHOT_TTL`],
    /// else a new one.
    pub fn snapshot(&self, now: Instant) -> Arc<Snapshot> {
        let mut readings = self.readings.lock().unwrap_or_else(PoisonError::into_inner);
        if let (Some(taken), Some(snapshot)) = (readings.taken, &readings.snapshot) {
            if now >= taken && now.saturating_duration_since(taken) < SNAPSHOT_TTL {
                return Arc::clone(snapshot);
            }
        }
        self.refresh(&mut readings, now)
    }

    /// Reads the interfaces now and returns the `linkDown`/`linkUp` events seen since the
    /// previous call (including changes noticed by requests in between), for the
    /// notification originator to send. Call it periodically (every few seconds).
    pub fn poll_link_events(&self, now: Instant) -> Vec<LinkEvent> {
        let mut readings = self.readings.lock().unwrap_or_else(PoisonError::into_inner);
        self.refresh(&mut readings, now);
        std::mem::take(&mut readings.pending)
    }

    /// The IF-MIB handlers to register: `interfaces` (1.3.6.1.2.1.2) and `ifMIBObjects`
    /// (1.3.6.1.2.1.31.1).
    pub fn handlers(self: &Arc<Self>) -> Vec<Box<dyn Mib>> {
        let interfaces = Arc::clone(self);
        let if_number = ScalarGroup::new(
            oid(INTERFACES),
            vec![Scalar::new(1, move |ctx| {
                let count = interfaces.snapshot(ctx.now).interfaces.len();
                Value::Integer(i32::try_from(count).unwrap_or(i32::MAX))
            })],
        );
        let if_table = Table::new(oid(IF_TABLE), IfTable(Arc::clone(self)));
        let interfaces = Arc::clone(self);
        let last_change = ScalarGroup::new(
            oid(IF_MIB_OBJECTS),
            vec![Scalar::new(5, move |ctx| {
                Value::TimeTicks(interfaces.snapshot(ctx.now).table_last_change)
            })],
        );
        let if_x_table = Table::new(oid(IF_X_TABLE), IfXTable(Arc::clone(self)));
        vec![
            Box::new(Composite::new(
                oid(INTERFACES),
                vec![Box::new(if_number), Box::new(if_table)],
            )),
            Box::new(Composite::new(
                oid(IF_MIB_OBJECTS),
                vec![Box::new(if_x_table), Box::new(last_change)],
            )),
        ]
    }

    /// Reads the host, updates the change times and queues link events.
    fn refresh(&self, readings: &mut Readings, now: Instant) -> Arc<Snapshot> {
        let interfaces = (self.source)();
        let ticks = ticks_since(self.started, now);
        let mut last_change = readings
            .snapshot
            .as_ref()
            .map(|snapshot| snapshot.last_change.clone())
            .unwrap_or_default();
        let mut table_last_change = readings
            .snapshot
            .as_ref()
            .map_or(0, |snapshot| snapshot.table_last_change);
        if let Some(previous) = &readings.snapshot {
            let events = link_events(&previous.interfaces, &interfaces);
            for interface in &interfaces {
                let before = previous
                    .interfaces
                    .iter()
                    .find(|p| p.index == interface.index);
                match before {
                    Some(before) if before.oper_status() == interface.oper_status() => {}
                    // A new interface, or a changed state: it changed now.
                    _ => {
                        last_change.insert(interface.index, ticks);
                    }
                }
            }
            let indexes = |list: &[Interface]| list.iter().map(|i| i.index).collect::<Vec<_>>();
            if indexes(&previous.interfaces) != indexes(&interfaces) {
                table_last_change = ticks;
            }
            readings.pending.extend(events);
            let excess = readings.pending.len().saturating_sub(MAX_PENDING_EVENTS);
            readings.pending.drain(..excess);
        }
        last_change.retain(|index, _| interfaces.iter().any(|i| i.index == *index));
        let snapshot = Arc::new(Snapshot {
            interfaces,
            last_change,
            table_last_change,
        });
        readings.taken = Some(now);
        readings.snapshot = Some(Arc::clone(&snapshot));
        snapshot
    }

    /// The `ifAlias` of `interface`: the value set over SNMP, else the kernel's.
    fn alias(&self, interface: &Interface) -> Bytes {
        self.aliases
            .get(&interface.name)
            .unwrap_or_else(|| Bytes::copy_from_slice(interface.alias.as_bytes()))
    }
}

impl fmt::Debug for Interfaces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Interfaces")
            .field("started", &self.started)
            .field("aliases", &self.aliases)
            .finish_non_exhaustive()
    }
}

/// `ifAlias` values set over SNMP, by interface name, kept in the agent's [`State`].
#[derive(Debug)]
pub struct Aliases {
    // What `state` holds, read once per interface name.
    values: Mutex<BTreeMap<String, Option<Bytes>>>,
    state: Arc<State>,
}

impl Aliases {
    /// The alias set for the interface `name`, if any.
    pub fn get(&self, name: &str) -> Option<Bytes> {
        let mut values = self.values.lock().unwrap_or_else(PoisonError::into_inner);
        values
            .entry(name.to_owned())
            .or_insert_with(|| self.state.get(&alias_key(name)).map(Bytes::from))
            .clone()
    }

    /// Sets the alias of the interface `name` and saves it.
    pub fn set(&self, name: &str, value: Bytes) -> Result<(), StateError> {
        self.state.set(&alias_key(name), &value)?;
        self.values
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_owned(), Some(value));
        Ok(())
    }
}

/// The `ifTable` rows.
struct IfTable(Arc<Interfaces>);

impl TableSource for IfTable {
    fn rows(&self, now: Instant) -> Vec<Row> {
        let snapshot = self.0.snapshot(now);
        snapshot
            .interfaces
            .iter()
            .map(|interface| if_row(interface, &snapshot))
            .collect()
    }
}

/// The `ifXTable` rows.
struct IfXTable(Arc<Interfaces>);

impl TableSource for IfXTable {
    fn rows(&self, now: Instant) -> Vec<Row> {
        let snapshot = self.0.snapshot(now);
        snapshot
            .interfaces
            .iter()
            .map(|interface| if_x_row(interface, self.0.alias(interface)))
            .collect()
    }

    fn test_set(
        &self,
        _index: &[u32],
        column: u32,
        value: &Value,
        current: Option<&Value>,
    ) -> Result<(), SetError> {
        match (column, current) {
            (IF_ALIAS, Some(_)) => check_display_string(value, MAX_ALIAS),
            (_, Some(_)) => Err(SetError::NotWritable),
            // A row that does not exist cannot be created (ifXTable has no RowStatus).
            (_, None) => Err(SetError::NoCreation),
        }
    }

    fn commit_set(&self, index: &[u32], column: u32, value: &Value) -> Result<(), SetError> {
        let (IF_ALIAS, &[if_index], Value::OctetString(alias)) = (column, index, value) else {
            return Err(SetError::CommitFailed);
        };
        // The test phase read a snapshot: the interface named by the index is in it.
        let Some(snapshot) = self.0.current() else {
            return Err(SetError::CommitFailed);
        };
        let Some(interface) = snapshot.interfaces.iter().find(|i| i.index == if_index) else {
            return Err(SetError::CommitFailed);
        };
        self.0
            .aliases
            .set(&interface.name, alias.clone())
            .map_err(|_| SetError::CommitFailed)
    }
}

impl Interfaces {
    /// The last reading, without reading the host again.
    fn current(&self) -> Option<Arc<Snapshot>> {
        self.readings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .snapshot
            .clone()
    }
}

/// The readings of [`Interfaces`].
#[derive(Debug, Default)]
struct Readings {
    taken: Option<Instant>,
    snapshot: Option<Arc<Snapshot>>,
    pending: Vec<LinkEvent>,
}

/// One `ifEntry`.
fn if_row(interface: &Interface, snapshot: &Snapshot) -> Row {
    let c = &interface.counters;
    Row::new(index::integer(interface.index))
        .cell(1, integer(interface.index))
        .cell(2, octets(interface.name.as_bytes()))
        .cell(3, Value::Integer(interface.if_type.0))
        .cell(4, integer(interface.mtu))
        .cell(5, Value::Gauge32(interface.if_speed()))
        .cell(6, octets(&interface.address))
        .cell(7, Value::Integer(interface.admin_status().code()))
        .cell(8, Value::Integer(interface.oper_status().code()))
        .cell(
            9,
            Value::TimeTicks(
                snapshot
                    .last_change
                    .get(&interface.index)
                    .copied()
                    .unwrap_or(0),
            ),
        )
        .cell(10, counter32(c.rx_bytes))
        .cell(11, counter32(c.rx_unicast()))
        .cell(12, counter32(c.rx_multicast))
        .cell(13, counter32(c.rx_dropped))
        .cell(14, counter32(c.rx_errors))
        .cell(15, Value::Counter32(0))
        .cell(16, counter32(c.tx_bytes))
        .cell(17, counter32(c.tx_packets))
        .cell(18, Value::Counter32(0))
        .cell(19, counter32(c.tx_dropped))
        .cell(20, counter32(c.tx_errors))
        .cell(21, Value::Gauge32(0))
        .cell(22, Value::ObjectIdentifier(oid(ZERO_DOT_ZERO)))
}

/// One `ifXEntry`.
fn if_x_row(interface: &Interface, alias: Bytes) -> Row {
    let c = &interface.counters;
    Row::new(index::integer(interface.index))
        .cell(1, octets(interface.name.as_bytes()))
        .cell(2, counter32(c.rx_multicast))
        .cell(3, Value::Counter32(0))
        .cell(4, Value::Counter32(0))
        .cell(5, Value::Counter32(0))
        .cell(6, Value::Counter64(c.rx_bytes))
        .cell(7, Value::Counter64(c.rx_unicast()))
        .cell(8, Value::Counter64(c.rx_multicast))
        .cell(9, Value::Counter64(0))
        .cell(10, Value::Counter64(c.tx_bytes))
        .cell(11, Value::Counter64(c.tx_packets))
        .cell(12, Value::Counter64(0))
        .cell(13, Value::Counter64(0))
        .cell(15, Value::Gauge32(interface.high_speed()))
        .cell(16, truth(interface.promiscuous()))
        .cell(17, truth(interface.connector_present()))
        .cell(IF_ALIAS, Value::OctetString(alias))
        .cell(19, Value::TimeTicks(0))
}

/// A 64-bit counter as `Counter32`: its value modulo 2^32, which is what a 32-bit counter
/// that wrapped would read (RFC 2578 §7.1.6).
fn counter32(value: u64) -> Value {
    Value::Counter32(u32::try_from(value & u64::from(u32::MAX)).unwrap_or(0))
}

/// The state key of an interface's `ifAlias`.
fn alias_key(name: &str) -> String {
    format!("ifAlias.{name}")
}

/// An `Integer32` from a value that is at most 2^31-1 in practice (indexes, MTUs).
fn integer(value: u32) -> Value {
    Value::Integer(i32::try_from(value).unwrap_or(i32::MAX))
}

fn octets(bytes: &[u8]) -> Value {
    Value::OctetString(Bytes::copy_from_slice(bytes))
}

/// A `TruthValue` (`SNMPv2-TC`): true(1), false(2).
fn truth(value: bool) -> Value {
    Value::Integer(if value { 1 } else { 2 })
}

/// `TimeTicks` from `started` to `now`, wrapping at 2^32.
fn ticks_since(started: Instant, now: Instant) -> u32 {
    let ticks = now.saturating_duration_since(started).as_millis() / 10;
    u32::try_from(ticks & u128::from(u32::MAX)).unwrap_or(0)
}

/// Parses one of this module's OID constants.
fn oid(text: &str) -> Oid {
    // Only called with the OID constants of this module, which are valid.
    text.parse().expect("a valid OID constant")
}

/// How long one reading of the host's interfaces serves every handler.
pub const SNAPSHOT_TTL: Duration = Duration::from_secs(2);
/// Bound on the link events kept between two [`Interfaces::poll_link_events`] calls.
const MAX_PENDING_EVENTS: usize = 256;
/// `ifAlias` is `DisplayString (SIZE(0..64))`.
const MAX_ALIAS: usize = 64;
/// `ifAlias` column of `ifXEntry`.
const IF_ALIAS: u32 = 18;
const INTERFACES: &str = "1.3.6.1.2.1.2";
const IF_TABLE: &str = "1.3.6.1.2.1.2.2";
const IF_MIB_OBJECTS: &str = "1.3.6.1.2.1.31.1";
const IF_X_TABLE: &str = "1.3.6.1.2.1.31.1.1";
const ZERO_DOT_ZERO: &str = "0.0";

#[cfg(test)]
mod tests;
