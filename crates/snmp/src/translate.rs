//! Translation between SNMPv1 and SNMPv2 (RFC 3584 §3 and §4).
//!
//! - Notifications: a v1 Trap-PDU becomes the varbinds of an SNMPv2-Trap ([`trap_v1_to_v2`],
//!   RFC 3584 §3.1), and SNMPv2 notification varbinds become a v1 Trap-PDU
//!   ([`trap_v2_to_v1`], §3.2), unless they carry a Counter64.
//! - Requests: an agent processes a v1 request with the v2 rules, then turns the result into
//!   what a v1 manager may receive ([`response_to_v1`], §4.2.1; [`error_status_to_v1`],
//!   §4.4). Counter64 objects do not exist for v1 (§4.2.2.1): a GET of one fails with
//!   `noSuchName`, and a GETNEXT or GETBULK walk steps over them, which the agent does by
//!   continuing past any value for which [`is_v1_value`] is false.
//!
//! ```
//! use std::net::Ipv4Addr;
//! use vigie_snmp::{GenericTrap, TrapV1Pdu, Value, translate};
//!
//! // snmptrap -v1 -c public HOST .1.3.6.1.4.1.8072.9999 192.0.2.7 3 0 1234
//! let trap = TrapV1Pdu {
//!     enterprise: "1.3.6.1.4.1.8072.9999".parse()?,
//!     agent_addr: Ipv4Addr::new(192, 0, 2, 7),
//!     generic_trap: GenericTrap::LinkUp,
//!     specific_trap: 0,
//!     time_stamp: 1234,
//!     varbinds: vec![],
//! };
//! let varbinds = translate::trap_v1_to_v2(&trap, Some(b"public"))?;
//! assert_eq!(varbinds[0].value, Value::TimeTicks(1234));
//! assert_eq!(varbinds[1].value, Value::ObjectIdentifier("1.3.6.1.6.3.1.1.5.4".parse()?));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::net::Ipv4Addr;

use bytes::Bytes;

use crate::oid::Oid;
use crate::pdu::{ErrorStatus, GenericTrap, Pdu, TrapV1Pdu, VarBind};
use crate::value::Value;

/// The snmpTrapOID of a v1 trap (RFC 3584 §3.1 steps 1 and 2): `snmpTraps.(generic+1)` for
/// a generic trap, `enterprise.0.specific` for an enterprise-specific one.
///
/// Fails with `NegativeSpecificTrap` for an enterprise-specific trap whose specific code is
/// negative (an OID arc cannot be), and `InvalidTrapOid` when the enterprise is already 127
/// arcs long.
pub fn trap_oid(trap: &TrapV1Pdu) -> Result<Oid, TranslateError> {
    if trap.generic_trap != GenericTrap::EnterpriseSpecific {
        // Net-SNMP computes the arc the same way for values outside 0–6, wrapping in C.
        let n = u32::from_ne_bytes(trap.generic_trap.code().wrapping_add(1).to_ne_bytes());
        return constant(&SNMP_TRAPS)
            .child(n)
            .map_err(|_| TranslateError::InvalidTrapOid);
    }
    let specific = u32::try_from(trap.specific_trap)
        .map_err(|_| TranslateError::NegativeSpecificTrap(trap.specific_trap))?;
    trap.enterprise
        .extended(&[0, specific])
        .map_err(|_| TranslateError::InvalidTrapOid)
}

/// The varbinds of the SNMPv2-Trap-PDU a v1 Trap-PDU translates to (RFC 3584 §3.1):
/// `sysUpTime.0` (the time-stamp), `snmpTrapOID.0` (see [`trap_oid`]), the trap's own varbinds,
/// then `snmpTrapAddress.0` (agent-addr), `snmpTrapCommunity.0` (when `community` is given)
/// and `snmpTrapEnterprise.0` (enterprise), each only if the trap's varbinds do not already
/// have it. This is the list snmptrapd passes to its trap handlers.
pub fn trap_v1_to_v2(
    trap: &TrapV1Pdu,
    community: Option<&[u8]>,
) -> Result<Vec<VarBind>, TranslateError> {
    let trap_oid = trap_oid(trap)?;
    let mut varbinds = Vec::with_capacity(trap.varbinds.len() + 5);
    varbinds.push(VarBind {
        name: constant(&SYS_UP_TIME_0),
        value: Value::TimeTicks(trap.time_stamp),
    });
    varbinds.push(VarBind {
        name: constant(&SNMP_TRAP_OID_0),
        value: Value::ObjectIdentifier(trap_oid),
    });
    varbinds.extend_from_slice(&trap.varbinds);
    let extras = [
        Some((&SNMP_TRAP_ADDRESS_0[..], Value::IpAddress(trap.agent_addr))),
        community.map(|community| {
            (
                &SNMP_TRAP_COMMUNITY_0[..],
                Value::OctetString(Bytes::copy_from_slice(community)),
            )
        }),
        Some((
            &SNMP_TRAP_ENTERPRISE_0[..],
            Value::ObjectIdentifier(trap.enterprise.clone()),
        )),
    ];
    for (name, value) in extras.into_iter().flatten() {
        if !trap
            .varbinds
            .iter()
            .any(|varbind| varbind.name.arcs() == name)
        {
            varbinds.push(VarBind {
                name: constant(name),
                value,
            });
        }
    }
    Ok(varbinds)
}

/// The v1 Trap-PDU for the varbinds of an SNMPv2-Trap or InformRequest (RFC 3584 §3.2).
///
/// The varbinds start with `sysUpTime.0` and `snmpTrapOID.0` (RFC 3416 §4.2.6); the v1
/// varbinds are the rest. A standard trap (`snmpTraps.1` to `.6`) becomes generic-trap 0 to 5
/// with the enterprise of `snmpTrapEnterprise.0`, or `snmpTraps` without it; any other
/// becomes enterpriseSpecific(6) with the last arc as specific-trap and, as enterprise, the
/// trap OID without its last arc, or without its last two when the next-to-last is 0.
///
/// Fails with `Counter64` when a varbind has a Counter64 value: such a notification cannot
/// be sent as v1 at all (§3.2 step 6; §4.1.3, §4.2.3). Also fails when the first two
/// varbinds are not what RFC 3416 requires, or the trap OID gives no valid enterprise or a
/// specific code over 2^31-1.
pub fn trap_v2_to_v1(
    varbinds: &[VarBind],
    agent_addr: AgentAddr,
) -> Result<TrapV1Pdu, TranslateError> {
    let [up_time, trap_oid, rest @ ..] = varbinds else {
        return Err(match varbinds.first() {
            Some(first) if first.name.arcs() == SYS_UP_TIME_0 => TranslateError::MissingTrapOid,
            _ => TranslateError::MissingSysUpTime,
        });
    };
    let (Value::TimeTicks(time_stamp), true) =
        (&up_time.value, up_time.name.arcs() == SYS_UP_TIME_0)
    else {
        return Err(TranslateError::MissingSysUpTime);
    };
    let time_stamp = *time_stamp;
    let (Value::ObjectIdentifier(trap_oid), true) =
        (&trap_oid.value, trap_oid.name.arcs() == SNMP_TRAP_OID_0)
    else {
        return Err(TranslateError::MissingTrapOid);
    };
    if let Some(at) = rest
        .iter()
        .position(|varbind| matches!(varbind.value, Value::Counter64(_)))
    {
        return Err(TranslateError::Counter64 { index: at + 2 });
    }
    let (enterprise, generic_trap, specific_trap) = match standard_trap(trap_oid) {
        Some(generic) => {
            let enterprise = find(rest, &SNMP_TRAP_ENTERPRISE_0)
                .and_then(|value| match value {
                    Value::ObjectIdentifier(oid) => Some(oid.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| constant(&SNMP_TRAPS));
            (enterprise, generic, 0)
        }
        None => {
            let arcs = trap_oid.arcs();
            let [.., next_to_last, last] = *arcs else {
                return Err(TranslateError::InvalidTrapOid);
            };
            let specific =
                i32::try_from(last).map_err(|_| TranslateError::SpecificTrapOutOfRange(last))?;
            let keep = if next_to_last == 0 { 2 } else { 1 };
            let prefix = arcs.get(..arcs.len() - keep).unwrap_or_default();
            let enterprise = Oid::new(prefix).map_err(|_| TranslateError::InvalidTrapOid)?;
            (enterprise, GenericTrap::EnterpriseSpecific, specific)
        }
    };
    let agent_addr = match agent_addr {
        AgentAddr::Originator(address) => address,
        AgentAddr::Proxy => match find(rest, &SNMP_TRAP_ADDRESS_0) {
            Some(Value::IpAddress(address)) => *address,
            _ => Ipv4Addr::UNSPECIFIED,
        },
    };
    Ok(TrapV1Pdu {
        enterprise,
        agent_addr,
        generic_trap,
        specific_trap,
        time_stamp,
        varbinds: rest.to_vec(),
    })
}

/// Where a translated v1 trap's agent-addr comes from (RFC 3584 §3.2 step 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgentAddr {
    /// A notification originator sending over IP: its own address (`0.0.0.0` over other
    /// transports).
    Originator(Ipv4Addr),
    /// A proxy forwarder: the value of `snmpTrapAddress.0` if the varbinds have it, else
    /// `0.0.0.0`.
    Proxy,
}

/// The v1 error-status for a v2 one (RFC 3584 §4.4). v1's own statuses are unchanged.
///
/// | v2 | v1 |
/// |---|---|
/// | wrongValue, wrongEncoding, wrongType, wrongLength, inconsistentValue | badValue |
/// | noAccess, notWritable, noCreation, inconsistentName, authorizationError | noSuchName |
/// | resourceUnavailable, commitFailed, undoFailed | genErr |
///
/// v1's readOnly is never produced: the table sends notWritable to noSuchName.
pub fn error_status_to_v1(status: ErrorStatus) -> ErrorStatus {
    use ErrorStatus::*;
    match status {
        NoError | TooBig | NoSuchName | BadValue | ReadOnly | GenErr => status,
        WrongValue | WrongEncoding | WrongType | WrongLength | InconsistentValue => BadValue,
        NoAccess | NotWritable | NoCreation | InconsistentName | AuthorizationError => NoSuchName,
        ResourceUnavailable | CommitFailed | UndoFailed => GenErr,
    }
}

/// True when a v1 response may carry this value: false for Counter64 (RFC 3584 §4.2.2.1)
/// and the three v2 exceptions, which v1 expresses as `noSuchName`.
///
/// The predicate a v1 GETNEXT uses to step over objects: the agent keeps walking from an
/// object whose value fails it, and the walk that ends in `endOfMibView` answers
/// `noSuchName`.
pub fn is_v1_value(value: &Value) -> bool {
    !matches!(value, Value::Counter64(_)) && !value.is_exception()
}

/// Turns a response computed with the v2 rules into the response to a v1 request
/// (RFC 3584 §4.2.1): an error-status is mapped by [`error_status_to_v1`]; otherwise the
/// first varbind whose value is not a v1 value (an exception, or a Counter64 a GET asked
/// for) makes the response `noSuchName` at that varbind. An error response carries the
/// request's varbinds, as RFC 1157 §4.1.2 requires.
pub fn response_to_v1(request_varbinds: &[VarBind], mut response: Pdu) -> Pdu {
    if response.error_status != ErrorStatus::NoError {
        response.error_status = error_status_to_v1(response.error_status);
        response.varbinds = request_varbinds.to_vec();
        return response;
    }
    let Some(at) = response
        .varbinds
        .iter()
        .position(|varbind| !is_v1_value(&varbind.value))
    else {
        return response;
    };
    response.error_status = ErrorStatus::NoSuchName;
    response.error_index = u32::try_from(at + 1).unwrap_or(u32::MAX);
    response.varbinds = request_varbinds.to_vec();
    response
}

/// Why a notification could not be translated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum TranslateError {
    /// A v2 varbind at this position (from 0) is a Counter64: the notification cannot be
    /// sent as v1 (RFC 3584 §3.2).
    #[error("varbind {index} is a Counter64, which SNMPv1 cannot carry")]
    Counter64 {
        /// Position of the varbind in the v2 list.
        index: usize,
    },
    /// The first v2 varbind is not `sysUpTime.0` with a TimeTicks value.
    #[error("the first varbind of a notification must be sysUpTime.0")]
    MissingSysUpTime,
    /// The second v2 varbind is not `snmpTrapOID.0` with an OID value.
    #[error("the second varbind of a notification must be snmpTrapOID.0")]
    MissingTrapOid,
    /// The trap OID leaves no valid enterprise once its last arcs are removed, or the
    /// enterprise is too long to append two arcs to.
    #[error("the trap OID does not translate to a valid enterprise")]
    InvalidTrapOid,
    /// The last arc of the trap OID does not fit specific-trap's INTEGER.
    #[error("trap OID arc {0} is too large for a v1 specific-trap")]
    SpecificTrapOutOfRange(u32),
    /// A v1 enterprise-specific trap with a negative specific-trap, which no OID arc can
    /// represent.
    #[error("specific-trap {0} is negative and has no SNMPv2 trap OID")]
    NegativeSpecificTrap(i32),
}

/// `sysUpTime.0` (RFC 3418).
pub const SYS_UP_TIME_0: [u32; 9] = [1, 3, 6, 1, 2, 1, 1, 3, 0];
/// `snmpTrapOID.0` (RFC 3418).
pub const SNMP_TRAP_OID_0: [u32; 11] = [1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0];
/// `snmpTrapEnterprise.0` (RFC 3418).
pub const SNMP_TRAP_ENTERPRISE_0: [u32; 11] = [1, 3, 6, 1, 6, 3, 1, 1, 4, 3, 0];
/// `snmpTraps` (RFC 3418): the generic traps are its children 1 to 6.
pub const SNMP_TRAPS: [u32; 9] = [1, 3, 6, 1, 6, 3, 1, 1, 5];
/// `snmpTrapAddress.0` (RFC 3584 §5.1, SNMP-COMMUNITY-MIB).
pub const SNMP_TRAP_ADDRESS_0: [u32; 10] = [1, 3, 6, 1, 6, 3, 18, 1, 3, 0];
/// `snmpTrapCommunity.0` (RFC 3584 §5.1, SNMP-COMMUNITY-MIB).
pub const SNMP_TRAP_COMMUNITY_0: [u32; 10] = [1, 3, 6, 1, 6, 3, 18, 1, 4, 0];

/// The generic trap of a standard trap OID, `snmpTraps.1` to `snmpTraps.6`.
fn standard_trap(trap_oid: &Oid) -> Option<GenericTrap> {
    let [n] = *trap_oid.arcs().strip_prefix(&SNMP_TRAPS[..])? else {
        return None;
    };
    let generic = GenericTrap::from_i32(i32::try_from(n).ok()?.checked_sub(1)?)?;
    (generic != GenericTrap::EnterpriseSpecific).then_some(generic)
}

/// The value of the first varbind named `name`.
fn find<'a>(varbinds: &'a [VarBind], name: &[u32]) -> Option<&'a Value> {
    varbinds
        .iter()
        .find(|varbind| varbind.name.arcs() == name)
        .map(|varbind| &varbind.value)
}

/// One of this module's constant OIDs.
fn constant(arcs: &[u32]) -> Oid {
    // Every caller passes one of the constants above, which start 1.3 and have ≤ 11 arcs.
    Oid::new(arcs).expect("constant OIDs are valid")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdu::{PduKind, RequestId};

    fn oid(s: &str) -> Oid {
        s.parse().unwrap()
    }

    fn v1_trap(generic: GenericTrap, specific: i32, varbinds: Vec<VarBind>) -> TrapV1Pdu {
        TrapV1Pdu {
            enterprise: oid("1.3.6.1.4.1.8072.9999"),
            agent_addr: Ipv4Addr::new(192, 0, 2, 7),
            generic_trap: generic,
            specific_trap: specific,
            time_stamp: 1234,
            varbinds,
        }
    }

    fn names(varbinds: &[VarBind]) -> Vec<String> {
        varbinds.iter().map(|v| v.name.to_string()).collect()
    }

    #[test]
    fn generic_traps_map_to_snmp_traps() {
        for generic in GenericTrap::ALL {
            let trap = v1_trap(generic, 0, vec![]);
            let expected = match generic {
                GenericTrap::EnterpriseSpecific => "1.3.6.1.4.1.8072.9999.0.0".to_owned(),
                _ => format!("1.3.6.1.6.3.1.1.5.{}", generic.code() + 1),
            };
            assert_eq!(trap_oid(&trap).unwrap().to_string(), expected);
        }
        // Outside 0–6, as Net-SNMP's snmptrapd translates them.
        let trap = v1_trap(GenericTrap::Other(9), 0, vec![]);
        assert_eq!(trap_oid(&trap).unwrap().to_string(), "1.3.6.1.6.3.1.1.5.10");
    }

    #[test]
    fn enterprise_specific_traps_append_zero_and_the_code() {
        let trap = v1_trap(GenericTrap::EnterpriseSpecific, 42, vec![]);
        assert_eq!(trap_oid(&trap), Ok(oid("1.3.6.1.4.1.8072.9999.0.42")));
        // The specific code is ignored for a generic trap (RFC 3584 §3.1 step 2).
        let trap = v1_trap(GenericTrap::ColdStart, 42, vec![]);
        assert_eq!(trap_oid(&trap), Ok(oid("1.3.6.1.6.3.1.1.5.1")));
        let trap = v1_trap(GenericTrap::EnterpriseSpecific, -5, vec![]);
        assert_eq!(
            trap_oid(&trap),
            Err(TranslateError::NegativeSpecificTrap(-5))
        );
        let mut trap = v1_trap(GenericTrap::EnterpriseSpecific, 1, vec![]);
        trap.enterprise = Oid::new(&[1; 127]).unwrap();
        assert_eq!(trap_oid(&trap), Err(TranslateError::InvalidTrapOid));
    }

    #[test]
    fn v1_to_v2_wraps_the_varbinds() {
        let if_index = VarBind {
            name: oid("1.3.6.1.2.1.2.2.1.1.2"),
            value: Value::Integer(2),
        };
        let trap = v1_trap(GenericTrap::LinkUp, 0, vec![if_index.clone()]);
        let varbinds = trap_v1_to_v2(&trap, Some(b"public")).unwrap();
        assert_eq!(
            names(&varbinds),
            [
                "1.3.6.1.2.1.1.3.0",
                "1.3.6.1.6.3.1.1.4.1.0",
                "1.3.6.1.2.1.2.2.1.1.2",
                "1.3.6.1.6.3.18.1.3.0",
                "1.3.6.1.6.3.18.1.4.0",
                "1.3.6.1.6.3.1.1.4.3.0",
            ]
        );
        assert_eq!(varbinds[0].value, Value::TimeTicks(1234));
        assert_eq!(
            varbinds[1].value,
            Value::ObjectIdentifier(oid("1.3.6.1.6.3.1.1.5.4"))
        );
        assert_eq!(varbinds[2], if_index);
        assert_eq!(
            varbinds[3].value,
            Value::IpAddress(Ipv4Addr::new(192, 0, 2, 7))
        );
        assert_eq!(
            varbinds[4].value,
            Value::OctetString(Bytes::from_static(b"public"))
        );
        assert_eq!(
            varbinds[5].value,
            Value::ObjectIdentifier(oid("1.3.6.1.4.1.8072.9999"))
        );
        let without_community = trap_v1_to_v2(&trap, None).unwrap();
        assert_eq!(without_community.len(), 5);
        assert!(
            without_community
                .iter()
                .all(|v| v.name.arcs() != SNMP_TRAP_COMMUNITY_0)
        );
    }

    #[test]
    fn v1_to_v2_does_not_repeat_what_the_trap_has() {
        let address = VarBind {
            name: oid("1.3.6.1.6.3.18.1.3.0"),
            value: Value::IpAddress(Ipv4Addr::new(10, 1, 1, 1)),
        };
        let trap = v1_trap(GenericTrap::EnterpriseSpecific, 7, vec![address.clone()]);
        let varbinds = trap_v1_to_v2(&trap, Some(b"public")).unwrap();
        assert_eq!(
            names(&varbinds),
            [
                "1.3.6.1.2.1.1.3.0",
                "1.3.6.1.6.3.1.1.4.1.0",
                "1.3.6.1.6.3.18.1.3.0",
                "1.3.6.1.6.3.18.1.4.0",
                "1.3.6.1.6.3.1.1.4.3.0",
            ]
        );
        assert_eq!(varbinds[2], address);
    }

    fn v2(trap_oid: &str, rest: Vec<VarBind>) -> Vec<VarBind> {
        let mut varbinds = vec![
            VarBind {
                name: constant(&SYS_UP_TIME_0),
                value: Value::TimeTicks(500),
            },
            VarBind {
                name: constant(&SNMP_TRAP_OID_0),
                value: Value::ObjectIdentifier(oid(trap_oid)),
            },
        ];
        varbinds.extend(rest);
        varbinds
    }

    #[test]
    fn v2_standard_traps_become_generic_traps() {
        let originator = AgentAddr::Originator(Ipv4Addr::new(192, 0, 2, 1));
        let trap = trap_v2_to_v1(&v2("1.3.6.1.6.3.1.1.5.3", vec![]), originator).unwrap();
        assert_eq!(trap.generic_trap, GenericTrap::LinkDown);
        assert_eq!(trap.specific_trap, 0);
        assert_eq!(trap.enterprise, constant(&SNMP_TRAPS));
        assert_eq!(trap.agent_addr, Ipv4Addr::new(192, 0, 2, 1));
        assert_eq!(trap.time_stamp, 500);
        assert!(trap.varbinds.is_empty());

        let enterprise = VarBind {
            name: constant(&SNMP_TRAP_ENTERPRISE_0),
            value: Value::ObjectIdentifier(oid("1.3.6.1.4.1.99")),
        };
        let trap = trap_v2_to_v1(
            &v2("1.3.6.1.6.3.1.1.5.1", vec![enterprise.clone()]),
            originator,
        )
        .unwrap();
        assert_eq!(trap.generic_trap, GenericTrap::ColdStart);
        assert_eq!(trap.enterprise, oid("1.3.6.1.4.1.99"));
        assert_eq!(trap.varbinds, [enterprise]);
        // snmpTraps.7 and snmpTraps.0 are not standard traps.
        let trap = trap_v2_to_v1(&v2("1.3.6.1.6.3.1.1.5.7", vec![]), originator).unwrap();
        assert_eq!(trap.generic_trap, GenericTrap::EnterpriseSpecific);
        assert_eq!(trap.specific_trap, 7);
        assert_eq!(trap.enterprise, oid("1.3.6.1.6.3.1.1.5"));
    }

    #[test]
    fn v2_enterprise_traps_drop_the_zero_arc() {
        let proxy = AgentAddr::Proxy;
        let trap = trap_v2_to_v1(&v2("1.3.6.1.4.1.8072.9999.0.42", vec![]), proxy).unwrap();
        assert_eq!(trap.generic_trap, GenericTrap::EnterpriseSpecific);
        assert_eq!(trap.specific_trap, 42);
        assert_eq!(trap.enterprise, oid("1.3.6.1.4.1.8072.9999"));
        assert_eq!(trap.agent_addr, Ipv4Addr::UNSPECIFIED);
        // Next-to-last arc not 0: only the last arc goes.
        let address = VarBind {
            name: constant(&SNMP_TRAP_ADDRESS_0),
            value: Value::IpAddress(Ipv4Addr::new(10, 0, 0, 9)),
        };
        let trap = trap_v2_to_v1(&v2("1.3.6.1.4.1.8072.2.3.1", vec![address]), proxy).unwrap();
        assert_eq!(trap.specific_trap, 1);
        assert_eq!(trap.enterprise, oid("1.3.6.1.4.1.8072.2.3"));
        assert_eq!(trap.agent_addr, Ipv4Addr::new(10, 0, 0, 9));
    }

    #[test]
    fn round_trips_through_v2() {
        let varbind = VarBind {
            name: oid("1.3.6.1.2.1.1.5.0"),
            value: Value::OctetString(Bytes::from_static(b"hello")),
        };
        for generic in GenericTrap::ALL {
            let trap = v1_trap(
                generic,
                if generic == GenericTrap::EnterpriseSpecific {
                    42
                } else {
                    0
                },
                vec![varbind.clone()],
            );
            let v2 = trap_v1_to_v2(&trap, None).unwrap();
            let back = trap_v2_to_v1(&v2, AgentAddr::Proxy).unwrap();
            assert_eq!(back.enterprise, trap.enterprise, "{generic:?}");
            assert_eq!(back.agent_addr, trap.agent_addr);
            assert_eq!(back.generic_trap, trap.generic_trap);
            assert_eq!(back.specific_trap, trap.specific_trap);
            assert_eq!(back.time_stamp, trap.time_stamp);
            assert_eq!(back.varbinds[0], varbind);
        }
    }

    #[test]
    fn v2_to_v1_refuses_counter64_and_malformed_lists() {
        let counter = VarBind {
            name: oid("1.3.6.1.2.1.31.1.1.1.6.1"),
            value: Value::Counter64(1 << 40),
        };
        let proxy = AgentAddr::Proxy;
        assert_eq!(
            trap_v2_to_v1(&v2("1.3.6.1.6.3.1.1.5.3", vec![counter]), proxy),
            Err(TranslateError::Counter64 { index: 2 })
        );
        assert_eq!(
            trap_v2_to_v1(&[], proxy),
            Err(TranslateError::MissingSysUpTime)
        );
        let only_up_time = &v2("1.3.6.1.6.3.1.1.5.3", vec![])[..1];
        assert_eq!(
            trap_v2_to_v1(only_up_time, proxy),
            Err(TranslateError::MissingTrapOid)
        );
        let mut swapped = v2("1.3.6.1.6.3.1.1.5.3", vec![]);
        swapped.swap(0, 1);
        assert_eq!(
            trap_v2_to_v1(&swapped, proxy),
            Err(TranslateError::MissingSysUpTime)
        );
        let mut wrong_type = v2("1.3.6.1.6.3.1.1.5.3", vec![]);
        wrong_type[1].value = Value::Integer(3);
        assert_eq!(
            trap_v2_to_v1(&wrong_type, proxy),
            Err(TranslateError::MissingTrapOid)
        );
        assert_eq!(
            trap_v2_to_v1(&v2("1.0.5", vec![]), proxy),
            Err(TranslateError::InvalidTrapOid)
        );
        assert_eq!(
            trap_v2_to_v1(&v2("1.3.6.1.4.1.9.0.2147483648", vec![]), proxy),
            Err(TranslateError::SpecificTrapOutOfRange(2_147_483_648))
        );
    }

    #[test]
    fn maps_every_v2_error_status() {
        use ErrorStatus::*;
        let expected = [
            (NoError, NoError),
            (TooBig, TooBig),
            (NoSuchName, NoSuchName),
            (BadValue, BadValue),
            (ReadOnly, ReadOnly),
            (GenErr, GenErr),
            (NoAccess, NoSuchName),
            (WrongType, BadValue),
            (WrongLength, BadValue),
            (WrongEncoding, BadValue),
            (WrongValue, BadValue),
            (NoCreation, NoSuchName),
            (InconsistentValue, BadValue),
            (ResourceUnavailable, GenErr),
            (CommitFailed, GenErr),
            (UndoFailed, GenErr),
            (AuthorizationError, NoSuchName),
            (NotWritable, NoSuchName),
            (InconsistentName, NoSuchName),
        ];
        assert_eq!(expected.len(), ErrorStatus::ALL.len());
        for (v2, v1) in expected {
            assert_eq!(error_status_to_v1(v2), v1, "{v2:?}");
        }
    }

    fn response(varbinds: Vec<VarBind>) -> Pdu {
        Pdu {
            kind: PduKind::Response,
            request_id: RequestId(9),
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds,
        }
    }

    #[test]
    fn v1_responses_hide_exceptions_and_counter64() {
        let request = vec![
            VarBind::null(oid("1.3.6.1.2.1.1.5.0")),
            VarBind::null(oid("1.3.6.1.2.1.31.1.1.1.6.1")),
        ];
        let name = VarBind {
            name: oid("1.3.6.1.2.1.1.5.0"),
            value: Value::OctetString(Bytes::from_static(b"vm")),
        };
        let ok = response(vec![
            name.clone(),
            VarBind {
                name: oid("1.3.6.1.2.1.31.1.1.1.5.1"),
                value: Value::Counter32(3),
            },
        ]);
        assert_eq!(response_to_v1(&request, ok.clone()), ok);
        for bad in [
            Value::Counter64(5),
            Value::NoSuchObject,
            Value::NoSuchInstance,
            Value::EndOfMibView,
        ] {
            assert!(!is_v1_value(&bad));
            let answer = response(vec![
                name.clone(),
                VarBind {
                    name: oid("1.3.6.1.2.1.31.1.1.1.6.1"),
                    value: bad,
                },
            ]);
            let v1 = response_to_v1(&request, answer);
            assert_eq!(v1.error_status, ErrorStatus::NoSuchName);
            assert_eq!(v1.error_index, 2);
            assert_eq!(v1.varbinds, request);
            assert_eq!(v1.request_id, RequestId(9));
        }
        let mut refused = response(request.clone());
        refused.error_status = ErrorStatus::NotWritable;
        refused.error_index = 1;
        let v1 = response_to_v1(&request, refused);
        assert_eq!(v1.error_status, ErrorStatus::NoSuchName);
        assert_eq!(v1.error_index, 1);
        assert!(is_v1_value(&Value::Counter32(0)));
    }
}
