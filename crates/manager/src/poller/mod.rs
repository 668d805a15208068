//! The poller: discovery and scheduled polling of the inventory's devices.
//!
//! A functional core and a shell, like the rest of the manager:
//! - [`schedule`] (pure): when each device is due, spread over its interval;
//! - [`rate`] (pure): counters to rates across Counter32 wraps and agent restarts;
//! - [`threshold`] (pure): threshold rules on polled values, raising and clearing alarms;
//! - `walk` (shell): GETBULK (GETNEXT in v1) of several table columns at once;
//! - `run` (shell): the [`Poller`] task, with bounded concurrency, per-device timeouts and
//!   retries, discovery, reachability alarms, and the exposition of polled values.
//!
//! Alarms go through the [`AlarmDesk`](crate::desk::AlarmDesk); health is reported as the
//! component `poller` of the [`StatusRegistry`](crate::status::StatusRegistry).

mod exposition;
pub mod rate;
mod run;
pub mod schedule;
pub mod threshold;
mod walk;

use std::time::Duration;

use vigie_snmp::Oid;

pub use run::{InterfaceLive, LiveInterfaces, PollError, PollOutcome, Poller, PollerStats};
pub use threshold::{Condition, Guard, Measure, ThresholdRule};

/// How the poller works. `Default` gives vigie's documented defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct PollerConfig {
    /// The poll interval for devices configured without one (60 s, the habit of NMSs); each
    /// device is then polled at its own `poll_interval_s`.
    pub interval: Duration,
    /// How many devices are polled at the same time (64).
    pub concurrency: usize,
    /// How long to wait for each response (1 s, Net-SNMP's `-t`).
    pub timeout: Duration,
    /// How many times a request is resent before the device counts as not answering (2).
    pub retries: u32,
    /// GETBULK max-repetitions per column (10).
    pub max_repetitions: u32,
    /// The objects read at every poll (sysUpTime and the IF-MIB counters and statuses).
    pub objects: Vec<PolledObject>,
    /// Threshold rules on the polled objects (an interface up administratively but not
    /// operationally raises a major alarm).
    pub thresholds: Vec<ThresholdRule>,
    /// How often the system group and interface names are read again (1 h).
    pub rediscover: Duration,
}

impl Default for PollerConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(60),
            concurrency: 64,
            timeout: Duration::from_secs(1),
            retries: 2,
            max_repetitions: 10,
            objects: PolledObject::defaults(),
            thresholds: vec![ThresholdRule::interface_down()],
            rediscover: Duration::from_secs(3_600),
        }
    }
}

/// An object read at every poll: a scalar (its instance `.0` is read) or a table column
/// (every row is read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolledObject {
    /// Its name, used by threshold rules and, turned into snake case, in metric names.
    pub name: String,
    /// The object's OID (without the `.0` of a scalar's instance).
    pub oid: Oid,
    /// Scalar or column.
    pub kind: ObjectKind,
}

/// Whether an object is a scalar or a table column (RFC 2578 §7.1.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// A single instance, `.0`.
    Scalar,
    /// A column: one instance per row.
    Column,
}

impl PolledObject {
    /// The standard object with this name (SNMPv2-MIB system group, IF-MIB ifTable and
    /// ifXTable, HOST-RESOURCES-MIB hrProcessorLoad), if vigie knows it.
    pub fn standard(name: &str) -> Option<Self> {
        let &(_, arcs, kind) = STANDARD.iter().find(|(known, _, _)| *known == name)?;
        Some(Self {
            name: name.to_owned(),
            // The table holds valid OIDs, checked by a test.
            oid: Oid::new(arcs).ok()?,
            kind,
        })
    }

    /// The default polled objects: sysUpTime, and the IF-MIB statuses and counters.
    pub fn defaults() -> Vec<Self> {
        DEFAULT_OBJECTS
            .iter()
            .filter_map(|name| Self::standard(name))
            .collect()
    }
}

/// Objects vigie knows by name: (name, OID, kind).
const STANDARD: &[(&str, &[u32], ObjectKind)] = &[
    ("sysDescr", &[1, 3, 6, 1, 2, 1, 1, 1], ObjectKind::Scalar),
    ("sysObjectID", &[1, 3, 6, 1, 2, 1, 1, 2], ObjectKind::Scalar),
    ("sysUpTime", &[1, 3, 6, 1, 2, 1, 1, 3], ObjectKind::Scalar),
    ("sysName", &[1, 3, 6, 1, 2, 1, 1, 5], ObjectKind::Scalar),
    (
        "ifDescr",
        &[1, 3, 6, 1, 2, 1, 2, 2, 1, 2],
        ObjectKind::Column,
    ),
    (
        "ifType",
        &[1, 3, 6, 1, 2, 1, 2, 2, 1, 3],
        ObjectKind::Column,
    ),
    ("ifMtu", &[1, 3, 6, 1, 2, 1, 2, 2, 1, 4], ObjectKind::Column),
    (
        "ifSpeed",
        &[1, 3, 6, 1, 2, 1, 2, 2, 1, 5],
        ObjectKind::Column,
    ),
    (
        "ifAdminStatus",
        &[1, 3, 6, 1, 2, 1, 2, 2, 1, 7],
        ObjectKind::Column,
    ),
    (
        "ifOperStatus",
        &[1, 3, 6, 1, 2, 1, 2, 2, 1, 8],
        ObjectKind::Column,
    ),
    (
        "ifInOctets",
        &[1, 3, 6, 1, 2, 1, 2, 2, 1, 10],
        ObjectKind::Column,
    ),
    (
        "ifInUcastPkts",
        &[1, 3, 6, 1, 2, 1, 2, 2, 1, 11],
        ObjectKind::Column,
    ),
    (
        "ifInDiscards",
        &[1, 3, 6, 1, 2, 1, 2, 2, 1, 13],
        ObjectKind::Column,
    ),
    (
        "ifInErrors",
        &[1, 3, 6, 1, 2, 1, 2, 2, 1, 14],
        ObjectKind::Column,
    ),
    (
        "ifOutOctets",
        &[1, 3, 6, 1, 2, 1, 2, 2, 1, 16],
        ObjectKind::Column,
    ),
    (
        "ifOutUcastPkts",
        &[1, 3, 6, 1, 2, 1, 2, 2, 1, 17],
        ObjectKind::Column,
    ),
    (
        "ifOutDiscards",
        &[1, 3, 6, 1, 2, 1, 2, 2, 1, 19],
        ObjectKind::Column,
    ),
    (
        "ifOutErrors",
        &[1, 3, 6, 1, 2, 1, 2, 2, 1, 20],
        ObjectKind::Column,
    ),
    (
        "ifName",
        &[1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1],
        ObjectKind::Column,
    ),
    (
        "ifHCInOctets",
        &[1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6],
        ObjectKind::Column,
    ),
    (
        "ifHCOutOctets",
        &[1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 10],
        ObjectKind::Column,
    ),
    (
        "ifHighSpeed",
        &[1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 15],
        ObjectKind::Column,
    ),
    (
        "ifAlias",
        &[1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 18],
        ObjectKind::Column,
    ),
    (
        "hrProcessorLoad",
        &[1, 3, 6, 1, 2, 1, 25, 3, 3, 1, 2],
        ObjectKind::Column,
    ),
];

const DEFAULT_OBJECTS: &[&str] = &[
    "sysUpTime",
    "ifAdminStatus",
    "ifOperStatus",
    "ifInOctets",
    "ifOutOctets",
    "ifInErrors",
    "ifOutErrors",
    "ifInDiscards",
    "ifOutDiscards",
    "ifHCInOctets",
    "ifHCOutOctets",
];

/// The IF-MIB tables whose rows are indexed by `ifIndex` (RFC 2863 §6).
const IF_TABLES: [&[u32]; 2] = [
    &[1, 3, 6, 1, 2, 1, 2, 2, 1],
    &[1, 3, 6, 1, 2, 1, 31, 1, 1, 1],
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_standard_object_has_a_valid_oid_and_the_defaults_are_known() {
        for (name, _, _) in STANDARD {
            assert!(PolledObject::standard(name).is_some(), "{name}");
        }
        assert_eq!(PolledObject::defaults().len(), DEFAULT_OBJECTS.len());
        assert_eq!(PolledObject::standard("nope"), None);
        let config = PollerConfig::default();
        assert_eq!(
            (
                config.interval,
                config.concurrency,
                config.timeout,
                config.retries
            ),
            (Duration::from_secs(60), 64, Duration::from_secs(1), 2)
        );
    }
}
