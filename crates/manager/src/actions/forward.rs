//! Forwarding a notification as an SNMPv2c trap or inform (RFC 3416 §4.2.6, §4.2.7).

use std::time::Duration;

use bytes::Bytes;
use vigie_net::{Client, Session, resolve_target};
use vigie_snmp::{AnyPdu, ErrorStatus, Oid, Pdu, PduKind, RequestId, Value, VarBind, Version};

use super::RenderContext;
use super::spec::TrapForwardAction;

/// The varbinds forwarded for the batch's first alarm: `sysUpTime.0`, `snmpTrapOID.0` (the
/// original notification's, or vigie's alarm notification for alarms without one), then
/// the original varbinds with their values as formatted text.
pub(super) fn varbinds(context: &RenderContext) -> Vec<VarBind> {
    let first = &context.first;
    let trap_oid = first
        .notification
        .as_ref()
        .and_then(|n| n.oid.parse::<Oid>().ok())
        .unwrap_or_else(|| oid(VIGIE_ALARM_NOTIFICATION));
    let mut varbinds = vec![
        VarBind {
            name: oid(SYS_UP_TIME_0),
            value: Value::TimeTicks(0),
        },
        VarBind {
            name: oid(SNMP_TRAP_OID_0),
            value: Value::ObjectIdentifier(trap_oid),
        },
    ];
    for varbind in &first.varbinds {
        if let Ok(name) = varbind.oid.parse::<Oid>() {
            varbinds.push(VarBind {
                name,
                value: Value::OctetString(Bytes::from(varbind.value.clone().into_bytes())),
            });
        }
    }
    if first.notification.is_none() {
        varbinds.push(VarBind {
            name: oid(VIGIE_ALARM_TEXT),
            value: Value::OctetString(Bytes::from(format!(
                "{} {} on {}: {}",
                first.severity, first.alarm.kind, first.device, first.alarm.text
            ))),
        });
    }
    varbinds
}

/// Sends `varbinds` as a trap, or an inform whose acknowledgement is awaited; returns a
/// description of the outcome, or why it failed (never the community).
pub(super) async fn send(
    action: &TrapForwardAction,
    varbinds: Vec<VarBind>,
) -> Result<String, String> {
    let target = resolve_target(&action.target, 162)
        .await
        .map_err(|e| format!("trap receiver {}: {e}", action.target))?;
    let session = Session::new(
        target,
        Version::V2c,
        Bytes::from(action.community.expose().as_bytes().to_vec()),
    );
    let client = Client::new(session)
        .await
        .map_err(|e| format!("cannot open a UDP socket: {e}"))?;
    if action.inform {
        let answer = tokio::time::timeout(INFORM_TIMEOUT, client.inform(varbinds))
            .await
            .map_err(|_| format!("no acknowledgement from {target}"))?
            .map_err(|e| format!("inform to {target}: {e}"))?;
        return Ok(format!(
            "inform acknowledged by {target} ({:?})",
            answer.error_status
        ));
    }
    let pdu = AnyPdu::Pdu(Pdu {
        kind: PduKind::SnmpV2Trap,
        request_id: RequestId(0),
        error_status: ErrorStatus::NoError,
        error_index: 0,
        varbinds,
    });
    client
        .send_trap(pdu)
        .await
        .map_err(|e| format!("trap to {target}: {e}"))?;
    Ok(format!("trap sent to {target}"))
}

fn oid(arcs: &[u32]) -> Oid {
    // The constants below are valid OIDs (2 to 128 arcs, first arc ≤ 2).
    Oid::new(arcs).expect("a valid constant OID")
}

const SYS_UP_TIME_0: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 3, 0];
const SNMP_TRAP_OID_0: &[u32] = &[1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0];
/// vigie's alarm notification, under the documentation enterprise number of RFC 5612.
const VIGIE_ALARM_NOTIFICATION: &[u32] = &[1, 3, 6, 1, 4, 1, 32473, 2, 0, 1];
/// vigie's alarm text object.
const VIGIE_ALARM_TEXT: &[u32] = &[1, 3, 6, 1, 4, 1, 32473, 2, 1, 1, 0];
const INFORM_TIMEOUT: Duration = Duration::from_secs(10);
