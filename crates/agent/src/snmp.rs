//! The SNMP entity's own objects: SNMPv2-MIB's snmp group (RFC 3418 §2) and
//! SNMP-FRAMEWORK-MIB's snmpEngine group (RFC 3411 §5), with the engine ID and boots kept in
//! the state directory (RFC 3414 §2.2).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use bytes::Bytes;
use vigie_snmp::engine::{MpdStat, SnmpCounter, SnmpCounters, UsmStat};
use vigie_snmp::{Oid, Value};

use crate::mib::{Scalar, ScalarGroup, SetError};
use crate::state::{State, StateError};

/// The snmp group at 1.3.6.1.2.1.11: the engine's counters, and snmpEnableAuthenTraps
/// (writable, enabled(1) or disabled(2)), kept in `authen_traps`, which the notification
/// originator reads.
pub fn snmp_group(counters: Arc<SnmpCounters>, authen_traps: Arc<AtomicBool>) -> ScalarGroup {
    let mut scalars: Vec<Scalar> = SnmpCounter::ALL
        .iter()
        .map(|&counter| {
            let counters = Arc::clone(&counters);
            Scalar::new(u32::from(counter.arc()), move |_| {
                Value::Counter32(counters.get(counter))
            })
        })
        .collect();
    let read = Arc::clone(&authen_traps);
    scalars.push(
        Scalar::new(30, move |_| {
            Value::Integer(if read.load(Ordering::Relaxed) { 1 } else { 2 })
        })
        .writable(
            |value| match value {
                Value::Integer(1 | 2) => Ok(()),
                Value::Integer(_) => Err(SetError::WrongValue),
                _ => Err(SetError::WrongType),
            },
            move |value| match value {
                Value::Integer(n) => {
                    authen_traps.store(*n == 1, Ordering::Relaxed);
                    Ok(())
                }
                _ => Err(SetError::WrongType),
            },
        ),
    );
    ScalarGroup::new(oid(SNMP), scalars)
}

/// SNMP-MPD-MIB's snmpMPDStats at 1.3.6.1.6.3.11.2.1 (RFC 3412 §5).
pub fn mpd_stats_group(counters: Arc<SnmpCounters>) -> ScalarGroup {
    let scalars = MpdStat::ALL
        .iter()
        .map(|&stat| {
            let counters = Arc::clone(&counters);
            Scalar::new(u32::from(stat.arc()), move |_| {
                Value::Counter32(counters.mpd(stat))
            })
        })
        .collect();
    ScalarGroup::new(oid(MPD_STATS), scalars)
}

/// SNMP-USER-BASED-SM-MIB's usmStats at 1.3.6.1.6.3.15.1.1 (RFC 3414 §5): the USM's
/// refusals, counted by the responder engine.
pub fn usm_stats_group(counters: Arc<SnmpCounters>) -> ScalarGroup {
    let scalars = UsmStat::ALL
        .iter()
        .map(|&stat| {
            let counters = Arc::clone(&counters);
            Scalar::new(u32::from(stat.arc()), move |_| {
                Value::Counter32(counters.usm(stat))
            })
        })
        .collect();
    ScalarGroup::new(oid(USM_STATS), scalars)
}

/// The snmpEngine group at 1.3.6.1.6.3.10.2.1: snmpEngineID, snmpEngineBoots,
/// snmpEngineTime (seconds since `start`) and snmpEngineMaxMessageSize.
pub fn engine_group(
    identity: &EngineIdentity,
    start: Instant,
    max_message_size: usize,
) -> ScalarGroup {
    let boots = i32::try_from(identity.boots).unwrap_or(i32::MAX);
    let max = i32::try_from(max_message_size).unwrap_or(i32::MAX);
    ScalarGroup::new(
        oid(SNMP_ENGINE),
        vec![
            Scalar::constant(1, Value::OctetString(identity.id.clone())),
            Scalar::constant(2, Value::Integer(boots)),
            Scalar::new(3, move |ctx| {
                let seconds = ctx.now.saturating_duration_since(start).as_secs();
                Value::Integer(i32::try_from(seconds).unwrap_or(i32::MAX))
            }),
            Scalar::constant(4, Value::Integer(max)),
        ],
    )
}

/// The engine's identity: snmpEngineID and snmpEngineBoots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineIdentity {
    /// snmpEngineID (RFC 3411 §5 `SnmpEngineID`).
    pub id: Bytes,
    /// snmpEngineBoots, this start included.
    pub boots: u32,
}

impl EngineIdentity {
    /// Loads the engine ID from `state`, or creates one from `random` (RFC 3411 format:
    /// enterprise with the high bit set, format 5 "octets", then the random octets), and
    /// counts this start in snmpEngineBoots, saved before the agent answers anything
    /// (RFC 3414 §2.2.2: boots never goes back).
    pub fn load(state: &State, random: [u8; 8]) -> Result<Self, StateError> {
        Self::load_exact(state, random, None)
    }

    /// [`load`](Self::load), with the engine ID set by the configuration when `exact` is
    /// given (Net-SNMP's `exactEngineID`): it replaces the kept one, which is saved, and
    /// snmpEngineBoots goes on counting.
    pub fn load_exact(
        state: &State,
        random: [u8; 8],
        exact: Option<&[u8]>,
    ) -> Result<Self, StateError> {
        if let Some(exact) = exact.filter(|exact| state.get(ENGINE_ID).as_deref() != Some(*exact)) {
            state.set(ENGINE_ID, exact)?;
        }
        let id = match state.get(ENGINE_ID) {
            Some(id) if (5..=32).contains(&id.len()) => Bytes::from(id),
            _ => {
                let mut id = (0x8000_0000 | ENTERPRISE).to_be_bytes().to_vec();
                id.push(FORMAT_OCTETS);
                id.extend_from_slice(&random);
                state.set(ENGINE_ID, &id)?;
                Bytes::from(id)
            }
        };
        let previous = state
            .get(ENGINE_BOOTS)
            .and_then(|bytes| <[u8; 4]>::try_from(bytes.as_slice()).ok())
            .map_or(0, u32::from_be_bytes);
        // RFC 3414 §2.2.2: at 2147483647 the engine ID must be changed; stay there.
        let boots = previous.saturating_add(1).min(MAX_BOOTS);
        state.set(ENGINE_BOOTS, &boots.to_be_bytes())?;
        Ok(Self { id, boots })
    }
}

fn oid(arcs: &[u32]) -> Oid {
    // Only this module's constants come here, and they are valid OIDs.
    Oid::new(arcs).expect("constant OIDs are valid")
}

const SNMP: &[u32] = &[1, 3, 6, 1, 2, 1, 11];
const SNMP_ENGINE: &[u32] = &[1, 3, 6, 1, 6, 3, 10, 2, 1];
const MPD_STATS: &[u32] = &[1, 3, 6, 1, 6, 3, 11, 2, 1];
const USM_STATS: &[u32] = &[1, 3, 6, 1, 6, 3, 15, 1, 1];
/// IANA's enterprise number for documentation (RFC 5612): vigie has none of its own.
const ENTERPRISE: u32 = 32_473;
const FORMAT_OCTETS: u8 = 0x05;
const MAX_BOOTS: u32 = 2_147_483_647;
const ENGINE_ID: &str = "engineID";
const ENGINE_BOOTS: &str = "engineBoots";

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
    fn the_engine_id_is_kept_and_boots_counts_starts() {
        let dir = tempfile::tempdir().unwrap();
        let first = EngineIdentity::load(&State::open(dir.path()).unwrap(), [7; 8]).unwrap();
        assert_eq!(first.id[..5], [0x80, 0x00, 0x7e, 0xd9, 0x05]);
        assert_eq!(first.boots, 1);
        let second = EngineIdentity::load(&State::open(dir.path()).unwrap(), [9; 8]).unwrap();
        assert_eq!((second.id.clone(), second.boots), (first.id, 2));
        let start = Instant::now();
        let group = engine_group(&second, start, 1_500);
        let get = |text: &str| {
            group.get(
                &ctx(start + Duration::from_secs(61)),
                &text.parse().unwrap(),
            )
        };
        assert_eq!(get("1.3.6.1.6.3.10.2.1.2.0"), Value::Integer(2));
        assert_eq!(get("1.3.6.1.6.3.10.2.1.3.0"), Value::Integer(61));
        assert_eq!(get("1.3.6.1.6.3.10.2.1.4.0"), Value::Integer(1_500));
    }

    #[test]
    fn an_exact_engine_id_replaces_the_kept_one_and_boots_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let first = EngineIdentity::load(&State::open(dir.path()).unwrap(), [7; 8]).unwrap();
        let exact = [0x80, 0x00, 0x1f, 0x88, 0x04, b'r', b'1'];
        let state = State::open(dir.path()).unwrap();
        let second = EngineIdentity::load_exact(&state, [9; 8], Some(&exact)).unwrap();
        assert_eq!(
            (&second.id[..], second.boots),
            (&exact[..], first.boots + 1)
        );
        // Kept: the next start without the option keeps it too.
        let third = EngineIdentity::load(&State::open(dir.path()).unwrap(), [5; 8]).unwrap();
        assert_eq!((&third.id[..], third.boots), (&exact[..], first.boots + 2));
    }

    #[test]
    fn serves_the_counters_and_the_authentication_trap_switch() {
        let counters = Arc::new(SnmpCounters::default());
        counters.add(SnmpCounter::InBadCommunityNames, 3);
        let switch_state = Arc::new(AtomicBool::new(false));
        let group = snmp_group(Arc::clone(&counters), Arc::clone(&switch_state));
        let now = ctx(Instant::now());
        assert_eq!(
            group.get(&now, &"1.3.6.1.2.1.11.4.0".parse().unwrap()),
            Value::Counter32(3)
        );
        assert_eq!(
            group.get(&now, &"1.3.6.1.2.1.11.7.0".parse().unwrap()),
            Value::NoSuchObject
        );
        let switch: Oid = "1.3.6.1.2.1.11.30.0".parse().unwrap();
        assert_eq!(group.get(&now, &switch), Value::Integer(2));
        let set = |value| VarBind {
            name: switch.clone(),
            value,
        };
        assert_eq!(
            group.test_set(&now, &set(Value::Integer(3))),
            Err(SetError::WrongValue)
        );
        group.commit_set(&now, &set(Value::Integer(1))).unwrap();
        assert_eq!(group.get(&now, &switch), Value::Integer(1));
        assert!(switch_state.load(Ordering::Relaxed));
        let usm = usm_stats_group(counters);
        let next = usm
            .get_next(&now, &"1.3.6.1.6.3.15".parse().unwrap())
            .unwrap();
        assert_eq!(next.name.to_string(), "1.3.6.1.6.3.15.1.1.1.0");
        assert_eq!(next.value, Value::Counter32(0));
    }
}
