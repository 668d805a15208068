//! SNMPv2-MIB's system group (RFC 3418 §2): the scalars and `sysORTable`.

use std::fs;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use bytes::Bytes;
use vigie_snmp::{Oid, Value};

use crate::mib::{
    Composite, Row, Scalar, ScalarGroup, SetError, Table, TableSource, check_display_string,
};
use crate::state::State;

/// What the system group serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemConfig {
    /// sysDescr; `None`: the kernel's name, host, release, version and machine, as snmpd
    /// builds it from uname(2).
    pub descr: Option<String>,
    /// sysObjectID.
    pub object_id: Oid,
    /// sysContact: fixed when configured (then notWritable, as in snmpd), otherwise
    /// writable and kept in the state directory.
    pub contact: Option<String>,
    /// sysName, likewise; unset and never written, it is the host name.
    pub name: Option<String>,
    /// sysLocation, likewise.
    pub location: Option<String>,
    /// sysServices (RFC 3418: 72 is application + end-to-end, snmpd's default).
    pub services: i32,
    /// The sysORTable rows: capability OID and description.
    pub capabilities: Vec<(Oid, String)>,
}

impl Default for SystemConfig {
    fn default() -> Self {
        Self {
            descr: None,
            object_id: placeholder_object_id(),
            contact: None,
            name: None,
            location: None,
            services: 72,
            capabilities: default_capabilities(),
        }
    }
}

/// The system group at 1.3.6.1.2.1.1. `start` is the agent's start, the zero of sysUpTime.
pub fn system_group(config: &SystemConfig, start: Instant, state: Arc<State>) -> Composite {
    system_group_with(config, start, state, AgentCapabilities::default())
}

/// [`system_group`] whose `sysORTable` also shows the rows of `added` (AgentX subagents'
/// AddAgentCaps), after the configured ones.
pub fn system_group_with(
    config: &SystemConfig,
    start: Instant,
    state: Arc<State>,
    added: AgentCapabilities,
) -> Composite {
    let root = oid(SYSTEM);
    let descr = config.descr.clone().unwrap_or_else(uname_description);
    let hostname = read_proc("/proc/sys/kernel/hostname").unwrap_or_default();
    let scalars = vec![
        Scalar::constant(1, octets(&descr)),
        Scalar::constant(2, Value::ObjectIdentifier(config.object_id.clone())),
        Scalar::new(3, move |ctx| Value::TimeTicks(ticks_since(start, ctx.now))),
        persisted(4, "sysContact", config.contact.as_deref(), "", &state),
        persisted(5, "sysName", config.name.as_deref(), &hostname, &state),
        persisted(6, "sysLocation", config.location.as_deref(), "", &state),
        Scalar::constant(7, Value::Integer(config.services)),
        // sysORLastChange: the start, or the last row added or removed since.
        Scalar::new(8, {
            let added = added.clone();
            move |_| Value::TimeTicks(added.last_change().map_or(0, |at| ticks_since(start, at)))
        }),
    ];
    let or_table = Table::new(
        oid(SYS_OR_TABLE),
        Capabilities {
            configured: config.capabilities.clone(),
            added,
            start,
        },
    );
    Composite::new(
        root.clone(),
        vec![
            Box::new(ScalarGroup::new(root, scalars)),
            Box::new(or_table),
        ],
    )
}

/// sysObjectID when none is configured: under IANA's enterprise number reserved for
/// documentation (32473, RFC 5612), as vigie has no enterprise number of its own. A
/// placeholder, said plainly, rather than borrowing Net-SNMP's 8072.
pub fn placeholder_object_id() -> Oid {
    oid(&[1, 3, 6, 1, 4, 1, 32_473, 1])
}

/// A writable DisplayString scalar kept in the state under `key`; fixed when `configured`.
fn persisted(
    arc: u32,
    key: &'static str,
    configured: Option<&str>,
    default: &str,
    state: &Arc<State>,
) -> Scalar {
    if let Some(value) = configured {
        return Scalar::constant(arc, octets(value));
    }
    let initial = state
        .get(key)
        .unwrap_or_else(|| default.as_bytes().to_vec());
    let current = Arc::new(Mutex::new(Bytes::from(initial)));
    let read = Arc::clone(&current);
    let state = Arc::clone(state);
    Scalar::new(arc, move |_| {
        Value::OctetString(read.lock().unwrap_or_else(PoisonError::into_inner).clone())
    })
    .writable(
        |value| check_display_string(value, 255),
        move |value| {
            let Value::OctetString(bytes) = value else {
                return Err(SetError::WrongType);
            };
            state
                .set(key, bytes)
                .map_err(|_| SetError::ResourceUnavailable)?;
            *current.lock().unwrap_or_else(PoisonError::into_inner) = bytes.clone();
            Ok(())
        },
    )
}

/// sysORTable's source: sysORID (2), sysORDescr (3), sysORUpTime (4), indexed by sysORIndex:
/// the configured rows from 1, then the added ones, each keeping its index while it lasts.
struct Capabilities {
    configured: Vec<(Oid, String)>,
    added: AgentCapabilities,
    start: Instant,
}

impl TableSource for Capabilities {
    fn rows(&self, _now: Instant) -> Vec<Row> {
        let configured = u32::try_from(self.configured.len()).unwrap_or(u32::MAX);
        let mut rows: Vec<Row> = (1..)
            .zip(&self.configured)
            .map(|(index, (id, descr))| {
                Row::new(vec![index])
                    .cell(2, Value::ObjectIdentifier(id.clone()))
                    .cell(3, octets(descr))
                    .cell(4, Value::TimeTicks(0))
            })
            .collect();
        let added = self
            .added
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        rows.extend(added.rows.iter().map(|row| {
            Row::new(vec![configured.saturating_add(row.index)])
                .cell(2, Value::ObjectIdentifier(row.id.clone()))
                .cell(3, Value::OctetString(row.descr.clone()))
                .cell(4, Value::TimeTicks(ticks_since(self.start, row.added)))
        }));
        rows
    }
}

/// `sysORTable` rows added while the agent runs: AgentX subagents' agent capabilities
/// (RFC 2741 §6.2.10), each kept until its session removes it or closes. Clones share the
/// rows.
#[derive(Debug, Clone, Default)]
pub struct AgentCapabilities {
    inner: Arc<Mutex<AddedRows>>,
}

#[derive(Debug, Default)]
struct AddedRows {
    rows: Vec<AddedRow>,
    /// The index the next row takes (after the configured rows), never reused.
    next_index: u32,
    last_change: Option<Instant>,
}

#[derive(Debug)]
struct AddedRow {
    index: u32,
    owner: u32,
    id: Oid,
    descr: Bytes,
    added: Instant,
}

impl AgentCapabilities {
    /// Adds the row `id`, `descr` for `owner` (a session) at `now`; `false` when
    /// [`MAX_ADDED_CAPABILITIES`] rows are there already or the indexes ran out.
    pub fn add(&self, owner: u32, id: Oid, descr: Bytes, now: Instant) -> bool {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.rows.len() >= MAX_ADDED_CAPABILITIES {
            return false;
        }
        let Some(index) = inner.next_index.checked_add(1) else {
            return false;
        };
        inner.next_index = index;
        inner.rows.push(AddedRow {
            index,
            owner,
            id,
            descr,
            added: now,
        });
        inner.last_change = Some(now);
        true
    }

    /// Removes `owner`'s row `id`; whether there was one.
    pub fn remove(&self, owner: u32, id: &Oid, now: Instant) -> bool {
        self.retain(now, |row| !(row.owner == owner && row.id == *id))
    }

    /// Removes every row of `owner` (its session closed).
    pub fn remove_owner(&self, owner: u32, now: Instant) {
        self.retain(now, |row| row.owner != owner);
    }

    /// The rows as (owner, sysORID, sysORDescr), in index order.
    pub fn list(&self) -> Vec<(u32, Oid, Bytes)> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner
            .rows
            .iter()
            .map(|row| (row.owner, row.id.clone(), row.descr.clone()))
            .collect()
    }

    fn retain(&self, now: Instant, keep: impl Fn(&AddedRow) -> bool) -> bool {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let before = inner.rows.len();
        inner.rows.retain(|row| keep(row));
        let removed = inner.rows.len() < before;
        if removed {
            inner.last_change = Some(now);
        }
        removed
    }

    fn last_change(&self) -> Option<Instant> {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .last_change
    }
}

/// The most rows subagents may add to `sysORTable`, all sessions together.
pub const MAX_ADDED_CAPABILITIES: usize = 1_024;

fn default_capabilities() -> Vec<(Oid, String)> {
    vec![
        (
            oid(&[1, 3, 6, 1, 6, 3, 1]),
            "The MIB module for SNMPv2 entities".to_owned(),
        ),
        (
            oid(&[1, 3, 6, 1, 6, 3, 10, 3, 1, 1]),
            "The SNMP Management Architecture MIB.".to_owned(),
        ),
    ]
}

/// `Linux host 6.1.0-13-amd64 #1 SMP PREEMPT_DYNAMIC Debian … x86_64`, snmpd's format.
fn uname_description() -> String {
    let field = |name| read_proc(&format!("/proc/sys/kernel/{name}")).unwrap_or_default();
    format!(
        "{} {} {} {} {}",
        field("ostype"),
        field("hostname"),
        field("osrelease"),
        field("version"),
        std::env::consts::ARCH
    )
}

fn read_proc(path: &str) -> Option<String> {
    fs::read_to_string(path)
        .ok()
        .map(|text| text.trim_end().to_owned())
}

/// Hundredths of a second from `start` to `now`, wrapping as TimeTicks does.
pub fn ticks_since(start: Instant, now: Instant) -> u32 {
    let ticks = now.saturating_duration_since(start).as_millis() / 10;
    // TimeTicks wraps after 497 days (RFC 2578 §7.1.8).
    u32::try_from(ticks % (u128::from(u32::MAX) + 1)).unwrap_or(0)
}

fn octets(text: &str) -> Value {
    Value::OctetString(Bytes::copy_from_slice(text.as_bytes()))
}

fn oid(arcs: &[u32]) -> Oid {
    // Every caller passes one of this module's constants, which are valid OIDs.
    Oid::new(arcs).expect("constant OIDs are valid")
}

const SYSTEM: &[u32] = &[1, 3, 6, 1, 2, 1, 1];
const SYS_OR_TABLE: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 9];

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, SocketAddr};
    use std::time::Duration;

    use vigie_snmp::{VarBind, Version};

    use super::*;
    use crate::mib::{Mib, RequestCtx};

    fn ctx(now: Instant) -> RequestCtx {
        RequestCtx {
            now,
            version: Version::V2c,
            from: SocketAddr::from((Ipv4Addr::LOCALHOST, 1)),
        }
    }

    #[test]
    fn serves_the_system_group_and_persists_writes() {
        let dir = tempfile::tempdir().unwrap();
        let start = Instant::now();
        let config = SystemConfig {
            location: Some("rack 4".into()),
            ..SystemConfig::default()
        };
        let group = system_group(&config, start, Arc::new(State::open(dir.path()).unwrap()));
        let now = start + Duration::from_millis(12_345);
        let get = |text: &str| group.get(&ctx(now), &text.parse().unwrap());
        assert_eq!(get("1.3.6.1.2.1.1.3.0"), Value::TimeTicks(1_234));
        assert_eq!(get("1.3.6.1.2.1.1.6.0"), octets("rack 4"));
        assert_eq!(
            get("1.3.6.1.2.1.1.9.1.2.1"),
            Value::ObjectIdentifier("1.3.6.1.6.3.1".parse().unwrap())
        );
        assert!(matches!(get("1.3.6.1.2.1.1.1.0"), Value::OctetString(_)));
        let contact = VarBind {
            name: "1.3.6.1.2.1.1.4.0".parse().unwrap(),
            value: octets("noc"),
        };
        assert_eq!(group.test_set(&ctx(now), &contact), Ok(()));
        group.commit_set(&ctx(now), &contact).unwrap();
        let location = VarBind {
            name: "1.3.6.1.2.1.1.6.0".parse().unwrap(),
            value: octets("x"),
        };
        assert_eq!(
            group.test_set(&ctx(now), &location),
            Err(SetError::NotWritable)
        );
        // A new agent on the same state directory serves the written value.
        let group = system_group(&config, start, Arc::new(State::open(dir.path()).unwrap()));
        assert_eq!(group.get(&ctx(now), &contact.name), octets("noc"));
        // The walk goes from the scalars into sysORTable.
        let after_services = group
            .get_next(&ctx(now), &"1.3.6.1.2.1.1.8.0".parse().unwrap())
            .unwrap();
        assert_eq!(after_services.name.to_string(), "1.3.6.1.2.1.1.9.1.2.1");
    }

    #[test]
    fn added_capabilities_show_in_sys_or_table_until_removed() {
        let dir = tempfile::tempdir().unwrap();
        let start = Instant::now();
        let added = AgentCapabilities::default();
        let group = system_group_with(
            &SystemConfig::default(),
            start,
            Arc::new(State::open(dir.path()).unwrap()),
            added.clone(),
        );
        let later = start + Duration::from_secs(3);
        let id: Oid = "1.3.6.1.4.1.8072.9999.1".parse().unwrap();
        assert!(added.add(7, id.clone(), Bytes::from_static(b"sub caps"), later));
        // Two configured rows, then the added one as sysORIndex 3.
        let now = start + Duration::from_secs(10);
        let get = |text: &str| group.get(&ctx(now), &text.parse().unwrap());
        assert_eq!(
            get("1.3.6.1.2.1.1.9.1.2.3"),
            Value::ObjectIdentifier(id.clone())
        );
        assert_eq!(
            get("1.3.6.1.2.1.1.9.1.3.3"),
            Value::OctetString(Bytes::from_static(b"sub caps"))
        );
        assert_eq!(get("1.3.6.1.2.1.1.9.1.4.3"), Value::TimeTicks(300));
        assert_eq!(get("1.3.6.1.2.1.1.8.0"), Value::TimeTicks(300));
        assert!(!added.remove(8, &id, later));
        added.remove_owner(7, start + Duration::from_secs(5));
        assert!(added.list().is_empty());
        assert_eq!(get("1.3.6.1.2.1.1.8.0"), Value::TimeTicks(500));
    }
}
