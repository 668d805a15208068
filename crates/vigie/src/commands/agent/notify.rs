//! The agent's notification originator: each notification to every configured target, as
//! a v1 trap, a v2c or v3 trap, or a v2c or v3 inform (retried until acknowledged, or given up
//! and logged).
//!
//! In version 3 the agent is the authoritative engine of its traps, so a v3 trap carries the
//! agent's own engine ID, boots and time, and its keys are localized to that engine ID (the
//! receiver configures the user with `createUser -e ENGINEID`); an inform's authoritative
//! engine is the receiver, discovered before the first inform (RFC 3412 §7.1 step 9, RFC 3414
//! §4).

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Instant;

use tokio::sync::mpsc;
use vigie_agent::notification::Notification;
use vigie_agent::system::ticks_since;
use vigie_net::{Client, Session};
use vigie_snmp::engine::UsmUser;
use vigie_snmp::translate;
use vigie_snmp::usm::{EngineId, LocalClock};
use vigie_snmp::{AnyPdu, ErrorStatus, Oid, Pdu, PduKind, RequestId, Value, VarBind, Version};

/// Where notifications go (`[[trap]]` in the configuration).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) address: SocketAddr,
    pub(crate) version: Version,
    /// The community (v1 and v2c), a secret.
    pub(crate) community: String,
    /// An inform (acknowledged by the receiver) rather than a trap; v2c and v3 only.
    pub(crate) inform: bool,
    /// Version 3: the user, its level and keys (Net-SNMP's `trapsess -v3 -u -l -a -A -x -X`).
    pub(crate) usm: Option<UsmUser>,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("address", &self.address)
            .field("version", &self.version)
            .field("community", &"***")
            .field("inform", &self.inform)
            .field("usm", &self.usm)
            .finish()
    }
}

/// The targets and the v1 agent-addr, which a reload replaces together.
#[derive(Debug, Clone)]
pub(crate) struct Destinations {
    pub(crate) targets: Vec<Target>,
    /// The v1 agent-addr.
    pub(crate) agent_addr: Ipv4Addr,
}

/// What every notification shares.
#[derive(Debug, Clone)]
pub(crate) struct Originator {
    /// Where to send, replaced by a reload.
    pub(crate) destinations: Arc<RwLock<Destinations>>,
    /// The origin of sysUpTime.
    pub(crate) start: Instant,
    /// sysObjectID: the v1 enterprise and snmpTrapEnterprise.0.
    pub(crate) enterprise: Oid,
    /// This engine's ID, the authoritative one of its v3 traps.
    pub(crate) engine_id: EngineId,
    /// This engine's boots and time, for its v3 traps.
    pub(crate) clock: LocalClock,
}

impl Originator {
    /// Sends `notification` to every target; informs are awaited on their own tasks.
    pub(crate) async fn send(&self, notification: Notification) {
        let now = Instant::now();
        let up_time = ticks_since(self.start, now);
        let name = notification.name();
        let Destinations {
            targets,
            agent_addr,
        } = self
            .destinations
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for target in &targets {
            let client = match Client::new(self.session(target, now)).await {
                Ok(client) => client,
                Err(error) => {
                    eprintln!("vigie agent: {name} to {}: {error}", target.address);
                    continue;
                }
            };
            let varbinds = notification.varbinds(up_time, &self.enterprise);
            if target.inform {
                let address = target.address;
                tokio::spawn(async move {
                    if let Err(error) = client.inform(varbinds).await {
                        eprintln!("vigie agent: {name} inform to {address}: gave up: {error}");
                    }
                });
                continue;
            }
            let pdu = match target.version {
                Version::V1 => match notification.trap_v1(up_time, &self.enterprise, agent_addr) {
                    Ok(trap) => AnyPdu::TrapV1(trap),
                    Err(error) => {
                        eprintln!("vigie agent: {name} to {}: {error}", target.address);
                        continue;
                    }
                },
                _ => AnyPdu::Pdu(Pdu {
                    kind: PduKind::SnmpV2Trap,
                    request_id: RequestId(0),
                    error_status: ErrorStatus::NoError,
                    error_index: 0,
                    varbinds,
                }),
            };
            if let Err(error) = client.send_trap(pdu).await {
                eprintln!("vigie agent: {name} to {}: {error}", target.address);
            }
        }
    }

    /// Sends a subagent's notification (RFC 2741 §7.1.10): `varbinds` start with
    /// snmpTrapOID.0; sysUpTime.0 is this agent's. v1 targets get the RFC 3584 §3.2
    /// translation.
    pub(crate) async fn send_varbinds(&self, varbinds: Vec<VarBind>) {
        let now = Instant::now();
        let mut all = Vec::with_capacity(varbinds.len() + 1);
        all.push(VarBind {
            name: Oid::new(&[1, 3, 6, 1, 2, 1, 1, 3, 0])
                .unwrap_or_else(|_| self.enterprise.clone()),
            value: Value::TimeTicks(ticks_since(self.start, now)),
        });
        all.extend(varbinds);
        let Destinations {
            targets,
            agent_addr,
        } = self
            .destinations
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for target in &targets {
            let client = match Client::new(self.session(target, now)).await {
                Ok(client) => client,
                Err(error) => {
                    eprintln!(
                        "vigie agent: subagent notification to {}: {error}",
                        target.address
                    );
                    continue;
                }
            };
            let varbinds = all.clone();
            if target.inform {
                let address = target.address;
                tokio::spawn(async move {
                    if let Err(error) = client.inform(varbinds).await {
                        eprintln!("vigie agent: subagent inform to {address}: gave up: {error}");
                    }
                });
                continue;
            }
            let pdu = match target.version {
                Version::V1 => match translate::trap_v2_to_v1(
                    &varbinds,
                    translate::AgentAddr::Originator(agent_addr),
                ) {
                    Ok(trap) => AnyPdu::TrapV1(trap),
                    Err(error) => {
                        eprintln!(
                            "vigie agent: subagent notification to {}: {error}",
                            target.address
                        );
                        continue;
                    }
                },
                _ => AnyPdu::Pdu(Pdu {
                    kind: PduKind::SnmpV2Trap,
                    request_id: RequestId(0),
                    error_status: ErrorStatus::NoError,
                    error_index: 0,
                    varbinds,
                }),
            };
            if let Err(error) = client.send_trap(pdu).await {
                eprintln!(
                    "vigie agent: subagent notification to {}: {error}",
                    target.address
                );
            }
        }
    }

    /// Sends what arrives on `notifications` until every sender is gone.
    pub(crate) async fn run(self, mut notifications: mpsc::Receiver<Notification>) {
        while let Some(notification) = notifications.recv().await {
            self.send(notification).await;
        }
    }

    /// The session to `target` at `now`: its community, or its v3 user, which for a trap
    /// speaks as this engine (RFC 3412 §7.1 step 9b) and for an inform discovers the
    /// receiver's engine.
    fn session(&self, target: &Target, now: Instant) -> Session {
        let Some(user) = target.usm.clone().filter(|_| target.version == Version::V3) else {
            return Session::new(
                target.address,
                target.version,
                target.community.clone().into_bytes(),
            );
        };
        let mut user = user;
        if !target.inform {
            user.engine_id = Some(self.engine_id.clone());
            user.engine_time = Some(self.clock.at(now));
        }
        Session::v3(target.address, user)
    }
}
