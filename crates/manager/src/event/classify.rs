//! From a notification to alarm events: standard traps, clearing pairs, everything else.

use vigie_snmp::Oid;

use crate::alarm::{AlarmEvent, AlarmKey, Raise, Severity, Source};
use crate::event::Notification;

/// A trap that raises an alarm and the trap that clears it, e.g. linkDown and linkUp.
///
/// Both traps' alarm keys are `name/device/` followed by the values of the `key_varbinds`
/// (each matched as a prefix, e.g. `ifIndex` matches `ifIndex.3`), so linkUp with ifIndex 3
/// clears linkDown with ifIndex 3 of the same device, and no other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearingPair {
    /// The alarm's name, the start of its key, e.g. `linkDown`.
    pub name: String,
    /// The trap OID that raises the alarm.
    pub raise: Oid,
    /// The trap OID that clears it.
    pub clear: Oid,
    /// The varbinds whose values tell one instance of the fault from another.
    pub key_varbinds: Vec<Oid>,
    /// The severity of the raised alarm.
    pub severity: Severity,
}

/// A trap that raises an alarm nothing clears automatically, e.g. coldStart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrapClass {
    /// The alarm's name, the start of its key.
    pub name: String,
    /// The trap OID.
    pub oid: Oid,
    /// The severity of the raised alarm.
    pub severity: Severity,
}

/// How notifications become alarm events: clearing pairs, classes of one-shot traps, and the
/// severity of any other notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrapAlarms {
    /// Raise/clear pairs, looked up first.
    pub pairs: Vec<ClearingPair>,
    /// One-shot traps with a known name and severity.
    pub classes: Vec<TrapClass>,
    /// The severity of a notification found in neither list.
    pub default_severity: Severity,
}

impl TrapAlarms {
    /// The standard traps of SNMPv2-MIB and IF-MIB (RFC 3418 §2, RFC 2863 §6): linkDown
    /// (major) cleared by linkUp of the same ifIndex; coldStart and warmStart (warning);
    /// authenticationFailure and egpNeighborLoss (minor); anything else `Info`.
    pub fn standard() -> Self {
        // `snmpTraps` has 9 arcs: a tenth is always valid.
        let trap = |n: u32| snmp_traps().child(n).expect("snmpTraps.n is a valid OID");
        let class = |name: &str, n, severity| TrapClass {
            name: name.to_owned(),
            oid: trap(n),
            severity,
        };
        Self {
            pairs: vec![ClearingPair {
                name: "linkDown".to_owned(),
                raise: trap(3),
                clear: trap(4),
                key_varbinds: vec![oid_of(&IF_INDEX)],
                severity: Severity::Major,
            }],
            classes: vec![
                class("coldStart", 1, Severity::Warning),
                class("warmStart", 2, Severity::Warning),
                class("authenticationFailure", 5, Severity::Minor),
                class("egpNeighborLoss", 6, Severity::Minor),
            ],
            default_severity: Severity::Info,
        }
    }
}

impl Default for TrapAlarms {
    fn default() -> Self {
        Self::standard()
    }
}

/// The alarm events a notification from `device` gives under `table`: a raise or a clear
/// for a clearing pair, a raise for a known class, an `Info` (by default) raise for the rest.
///
/// Pure: the caller resolves `device` (inventory name or address) and applies the events.
pub fn alarm_events_from(
    notification: &Notification,
    device: &str,
    table: &TrapAlarms,
) -> Vec<AlarmEvent> {
    let trap_oid = &notification.trap_oid;
    if let Some(pair) = table.pairs.iter().find(|pair| pair.raise == *trap_oid) {
        let instance = instance(notification, &pair.key_varbinds);
        return vec![AlarmEvent::Raise(Raise {
            key: AlarmKey::new(format!("{}/{device}{instance}", pair.name)),
            device: device.to_owned(),
            source: Source::Trap,
            severity: pair.severity,
            text: format!("{}{}", pair.name, describe(&instance)),
        })];
    }
    if let Some(pair) = table.pairs.iter().find(|pair| pair.clear == *trap_oid) {
        let instance = instance(notification, &pair.key_varbinds);
        return vec![AlarmEvent::Clear {
            key: AlarmKey::new(format!("{}/{device}{instance}", pair.name)),
            reason: format!("clearing notification {trap_oid}"),
        }];
    }
    let (name, severity) = table
        .classes
        .iter()
        .find(|class| class.oid == *trap_oid)
        .map_or_else(
            || (trap_oid.to_string(), table.default_severity),
            |class| (class.name.clone(), class.severity),
        );
    vec![AlarmEvent::Raise(Raise {
        key: AlarmKey::new(format!("{name}/{device}")),
        device: device.to_owned(),
        source: Source::Trap,
        severity,
        text: format!("notification {name}"),
    })]
}

/// `/ifIndex-arc=value` for each key varbind present, e.g. `/1.3.6.1.2.1.2.2.1.1=3`.
fn instance(notification: &Notification, key_varbinds: &[Oid]) -> String {
    key_varbinds
        .iter()
        .filter_map(|prefix| {
            let varbind = notification.varbind_under(prefix)?;
            Some(format!("/{prefix}={}", varbind.value))
        })
        .collect()
}

/// ` on 1.3.6.1.2.1.2.2.1.1=3` for a key instance, nothing without one.
fn describe(instance: &str) -> String {
    if instance.is_empty() {
        return String::new();
    }
    format!(
        " on {}",
        instance.trim_start_matches('/').replace('/', ", ")
    )
}

fn snmp_traps() -> Oid {
    oid_of(&vigie_snmp::translate::SNMP_TRAPS)
}

fn oid_of(arcs: &[u32]) -> Oid {
    // Only called with the constants below and vigie-snmp's, which are valid OIDs.
    Oid::new(arcs).expect("constant OIDs are valid")
}

/// `ifIndex` (RFC 2863, IF-MIB).
const IF_INDEX: [u32; 10] = [1, 3, 6, 1, 2, 1, 2, 2, 1, 1];

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use vigie_snmp::{Value, VarBind, Version};

    use super::*;
    use crate::alarm::{AlarmBook, AlarmState, Decision};
    use crate::event::NotificationKind;
    use crate::time::Timestamp;

    fn notification(trap: u32, if_index: Option<i32>) -> Notification {
        let oid = |s: &str| s.parse::<Oid>().unwrap();
        let mut varbinds = vec![
            VarBind {
                name: oid("1.3.6.1.2.1.1.3.0"),
                value: Value::TimeTicks(1),
            },
            VarBind {
                name: oid("1.3.6.1.6.3.1.1.4.1.0"),
                value: Value::ObjectIdentifier(snmp_traps().child(trap).unwrap()),
            },
        ];
        if let Some(index) = if_index {
            varbinds.push(VarBind {
                name: oid(&format!("1.3.6.1.2.1.2.2.1.1.{index}")),
                value: Value::Integer(index),
            });
        }
        let source: SocketAddr = "192.0.2.1:1".parse().unwrap();
        Notification::from_v2(
            Timestamp(0),
            source,
            Version::V2c,
            NotificationKind::Trap,
            "n",
            &varbinds,
        )
        .unwrap()
    }

    fn apply(book: &mut AlarmBook, n: &Notification, device: &str) -> Vec<Decision> {
        alarm_events_from(n, device, &TrapAlarms::standard())
            .into_iter()
            .map(|event| book.apply(Timestamp(0), event))
            .collect()
    }

    #[test]
    fn link_up_clears_link_down_of_the_same_if_index_only() {
        let mut book = AlarmBook::new();
        let raised = apply(&mut book, &notification(3, Some(3)), "r1");
        let [Decision::Raised(alarm)] = raised.as_slice() else {
            panic!("linkDown raises: {raised:?}");
        };
        assert_eq!(alarm.severity, Severity::Major);
        assert_eq!(alarm.text, "linkDown on 1.3.6.1.2.1.2.2.1.1=3");
        apply(&mut book, &notification(3, Some(4)), "r1");
        apply(&mut book, &notification(3, Some(3)), "r2");
        assert_eq!(book.len(), 3);
        // linkUp ifIndex 3 on r1: only that alarm goes.
        let cleared = apply(&mut book, &notification(4, Some(3)), "r1");
        let [Decision::Cleared(gone)] = cleared.as_slice() else {
            panic!("linkUp clears: {cleared:?}");
        };
        assert_eq!(gone.id, alarm.id);
        assert_eq!(gone.state, AlarmState::Cleared);
        assert_eq!(book.len(), 2);
        // A second linkUp finds nothing to clear.
        assert!(matches!(
            apply(&mut book, &notification(4, Some(3)), "r1").as_slice(),
            [Decision::Unchanged(_)]
        ));
    }

    #[test]
    fn standard_classes_and_the_default() {
        let mut book = AlarmBook::new();
        for (trap, severity, text) in [
            (1, Severity::Warning, "notification coldStart"),
            (2, Severity::Warning, "notification warmStart"),
            (5, Severity::Minor, "notification authenticationFailure"),
        ] {
            let decisions = apply(&mut book, &notification(trap, None), "r1");
            let [Decision::Raised(alarm)] = decisions.as_slice() else {
                panic!("trap {trap} raises");
            };
            assert_eq!((alarm.severity, alarm.text.as_str()), (severity, text));
        }
        let mut other = notification(1, None);
        other.trap_oid = "1.3.6.1.4.1.8072.2.3.0.1".parse().unwrap();
        let decisions = apply(&mut book, &other, "r1");
        let [Decision::Raised(alarm)] = decisions.as_slice() else {
            panic!("other traps raise Info");
        };
        assert_eq!(alarm.severity, Severity::Info);
        assert_eq!(alarm.key.as_str(), "1.3.6.1.4.1.8072.2.3.0.1/r1");
        // A second coldStart repeats.
        assert!(matches!(
            apply(&mut book, &notification(1, None), "r1").as_slice(),
            [Decision::Repeated(_)]
        ));
    }

    proptest::proptest! {
        /// Whatever the order of linkDown and linkUp traps, each (device, ifIndex) has at
        /// most one open alarm, and none after its last trap was a linkUp.
        #[test]
        fn link_traps_keep_one_alarm_per_interface(
            traps in proptest::collection::vec((3_u32..=4, 1_i32..=3, 0_usize..2), 0..40)
        ) {
            let mut book = AlarmBook::new();
            let mut last = std::collections::HashMap::new();
            for (trap, if_index, device) in traps {
                let device = ["r1", "r2"][device];
                apply(&mut book, &notification(trap, Some(if_index)), device);
                last.insert((device, if_index), trap);
            }
            for ((device, if_index), trap) in last {
                let key = AlarmKey::new(format!(
                    "linkDown/{device}/1.3.6.1.2.1.2.2.1.1={if_index}"
                ));
                proptest::prop_assert_eq!(book.by_key(&key).is_some(), trap == 3);
            }
            let mut keys: Vec<_> = book.open().map(|a| a.key.clone()).collect();
            let open = keys.len();
            keys.sort();
            keys.dedup();
            proptest::prop_assert_eq!(keys.len(), open);
        }
    }
}
