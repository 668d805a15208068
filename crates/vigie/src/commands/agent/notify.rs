//! The agent's notification originator: each notification to every configured target, as
//! a v1 trap, a v2c trap or a v2c inform (retried until acknowledged, or given up and
//! logged).

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Instant;

use tokio::sync::mpsc;
use vigie_agent::notification::Notification;
use vigie_agent::system::ticks_since;
use vigie_net::{Client, Session};
use vigie_snmp::{AnyPdu, ErrorStatus, Oid, Pdu, PduKind, RequestId, Version};

/// Where notifications go (`[[trap]]` in the configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) address: SocketAddr,
    pub(crate) version: Version,
    pub(crate) community: String,
    /// An inform (acknowledged by the receiver) rather than a trap; v2c only.
    pub(crate) inform: bool,
}

/// What every notification shares.
#[derive(Debug, Clone)]
pub(crate) struct Originator {
    pub(crate) targets: Vec<Target>,
    /// The origin of sysUpTime.
    pub(crate) start: Instant,
    /// The v1 agent-addr.
    pub(crate) agent_addr: Ipv4Addr,
    /// sysObjectID: the v1 enterprise and snmpTrapEnterprise.0.
    pub(crate) enterprise: Oid,
}

impl Originator {
    /// Sends `notification` to every target; informs are awaited on their own tasks.
    pub(crate) async fn send(&self, notification: Notification) {
        let up_time = ticks_since(self.start, Instant::now());
        let name = notification.name();
        for target in &self.targets {
            let session = Session::new(
                target.address,
                target.version,
                target.community.clone().into_bytes(),
            );
            let client = match Client::new(session).await {
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
                Version::V1 => {
                    match notification.trap_v1(up_time, &self.enterprise, self.agent_addr) {
                        Ok(trap) => AnyPdu::TrapV1(trap),
                        Err(error) => {
                            eprintln!("vigie agent: {name} to {}: {error}", target.address);
                            continue;
                        }
                    }
                }
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

    /// Sends what arrives on `notifications` until every sender is gone.
    pub(crate) async fn run(self, mut notifications: mpsc::Receiver<Notification>) {
        while let Some(notification) = notifications.recv().await {
            self.send(notification).await;
        }
    }
}
