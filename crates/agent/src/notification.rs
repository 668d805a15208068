//! The notifications the agent originates (RFC 3418 §2 `snmpTraps`, RFC 2863 §6), built as
//! SNMPv2 varbinds and, for v1 targets, translated as RFC 3584 §3.2 says.

use std::net::Ipv4Addr;

use vigie_snmp::translate::{self, AgentAddr, TranslateError};
use vigie_snmp::{Oid, TrapV1Pdu, Value, VarBind};

use crate::host::interfaces::{LinkChange, LinkEvent};

/// A notification to send to every target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notification {
    /// coldStart: the agent started.
    ColdStart,
    /// warmStart: the configuration was reloaded.
    WarmStart,
    /// linkDown or linkUp, with the interface's ifIndex, ifAdminStatus and ifOperStatus.
    Link(LinkEvent),
    /// authenticationFailure: a request with a bad community (when snmpEnableAuthenTraps
    /// is enabled(1)).
    AuthenticationFailure,
}

impl Notification {
    /// The RFC's name: `coldStart`, `linkDown`…, for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Self::ColdStart => "coldStart",
            Self::WarmStart => "warmStart",
            Self::Link(event) => match event.change {
                LinkChange::Down => "linkDown",
                LinkChange::Up => "linkUp",
            },
            Self::AuthenticationFailure => "authenticationFailure",
        }
    }

    /// snmpTrapOID's value (`snmpTraps.N`, 1.3.6.1.6.3.1.1.5.N).
    pub fn trap_oid(&self) -> Oid {
        let arc = match self {
            Self::ColdStart => 1,
            Self::WarmStart => 2,
            Self::Link(event) => match event.change {
                LinkChange::Down => 3,
                LinkChange::Up => 4,
            },
            Self::AuthenticationFailure => 5,
        };
        oid(&[1, 3, 6, 1, 6, 3, 1, 1, 5, arc])
    }

    /// The SNMPv2-Trap or InformRequest varbinds (RFC 3416 §4.2.6): sysUpTime.0,
    /// snmpTrapOID.0, the notification's objects, and snmpTrapEnterprise.0 = `enterprise`
    /// (the agent's sysObjectID, which a v1 translation uses as enterprise, as snmpd does).
    pub fn varbinds(&self, up_time: u32, enterprise: &Oid) -> Vec<VarBind> {
        let mut varbinds = vec![
            VarBind {
                name: oid(SYS_UP_TIME_0),
                value: Value::TimeTicks(up_time),
            },
            VarBind {
                name: oid(SNMP_TRAP_OID_0),
                value: Value::ObjectIdentifier(self.trap_oid()),
            },
        ];
        if let Self::Link(event) = self {
            // RFC 2863 §6: linkDown/linkUp OBJECTS { ifIndex, ifAdminStatus, ifOperStatus }.
            let instance = |column| oid(&[1, 3, 6, 1, 2, 1, 2, 2, 1, column, event.if_index]);
            let if_index = i32::try_from(event.if_index).unwrap_or(i32::MAX);
            varbinds.extend([
                VarBind {
                    name: instance(1),
                    value: Value::Integer(if_index),
                },
                VarBind {
                    name: instance(7),
                    value: Value::Integer(event.admin_status.code()),
                },
                VarBind {
                    name: instance(8),
                    value: Value::Integer(event.oper_status.code()),
                },
            ]);
        }
        varbinds.push(VarBind {
            name: oid(SNMP_TRAP_ENTERPRISE_0),
            value: Value::ObjectIdentifier(enterprise.clone()),
        });
        varbinds
    }

    /// The v1 Trap-PDU (RFC 3584 §3.2) sent from `agent_addr`.
    pub fn trap_v1(
        &self,
        up_time: u32,
        enterprise: &Oid,
        agent_addr: Ipv4Addr,
    ) -> Result<TrapV1Pdu, TranslateError> {
        let mut trap = translate::trap_v2_to_v1(
            &self.varbinds(up_time, enterprise),
            AgentAddr::Originator(agent_addr),
        )?;
        // snmpTrapEnterprise.0 became the enterprise field; it is not an object of the trap.
        trap.varbinds
            .retain(|varbind| varbind.name.arcs() != SNMP_TRAP_ENTERPRISE_0);
        Ok(trap)
    }
}

fn oid(arcs: &[u32]) -> Oid {
    // Callers pass this module's constants, or ifTable instances of at most 11 arcs.
    Oid::new(arcs).expect("constant OIDs are valid")
}

const SYS_UP_TIME_0: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 3, 0];
const SNMP_TRAP_OID_0: &[u32] = &[1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0];
const SNMP_TRAP_ENTERPRISE_0: &[u32] = &[1, 3, 6, 1, 6, 3, 1, 1, 4, 3, 0];

#[cfg(test)]
mod tests {
    use vigie_snmp::GenericTrap;

    use super::*;
    use crate::host::interfaces::{AdminStatus, OperStatus};

    #[test]
    fn builds_v2_varbinds_and_translates_to_v1() {
        let enterprise = oid(&[1, 3, 6, 1, 4, 1, 32_473, 1]);
        let link = Notification::Link(LinkEvent {
            change: LinkChange::Down,
            if_index: 2,
            admin_status: AdminStatus::Up,
            oper_status: OperStatus::Down,
        });
        let varbinds = link.varbinds(42, &enterprise);
        let names: Vec<String> = varbinds.iter().map(|v| v.name.to_string()).collect();
        assert_eq!(
            names,
            [
                "1.3.6.1.2.1.1.3.0",
                "1.3.6.1.6.3.1.1.4.1.0",
                "1.3.6.1.2.1.2.2.1.1.2",
                "1.3.6.1.2.1.2.2.1.7.2",
                "1.3.6.1.2.1.2.2.1.8.2",
                "1.3.6.1.6.3.1.1.4.3.0"
            ]
        );
        assert_eq!(
            varbinds[1].value,
            Value::ObjectIdentifier(oid(&[1, 3, 6, 1, 6, 3, 1, 1, 5, 3]))
        );
        let trap = link.trap_v1(42, &enterprise, Ipv4Addr::LOCALHOST).unwrap();
        assert_eq!(trap.generic_trap, GenericTrap::LinkDown);
        assert_eq!(trap.enterprise, enterprise);
        assert_eq!(
            (trap.time_stamp, trap.agent_addr),
            (42, Ipv4Addr::LOCALHOST)
        );
        assert_eq!(trap.varbinds.len(), 3);
        let cold = Notification::ColdStart
            .trap_v1(0, &enterprise, Ipv4Addr::LOCALHOST)
            .unwrap();
        assert_eq!(
            (cold.generic_trap, cold.varbinds.len()),
            (GenericTrap::ColdStart, 0)
        );
        assert_eq!(
            Notification::AuthenticationFailure.name(),
            "authenticationFailure"
        );
    }
}
