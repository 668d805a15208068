//! Forwarding a notification as an SNMPv2c or SNMPv3 trap or inform (RFC 3416 §4.2.6,
//! §4.2.7; RFC 3414 for the USM).
//!
//! A forward goes through vigie-notify's durable outbox like an e-mail: the varbinds are
//! stored as JSON text ([`body`]) before any attempt, and the [`ForwardChannel`] (which holds
//! the community or the USM keys, never stored with the payload) sends them at each attempt.
//! A forward is therefore retried and survives a restart, and every attempt is one line of
//! the troubleshooting log.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use vigie_net::{Client, RequestError, Session, resolve_target};
use vigie_notify::{Accepted, BoxFuture, CustomChannel, CustomFailure};
use vigie_snmp::engine::UsmUser;
use vigie_snmp::usm::{AuthProtocol, Credentials, EngineId, EngineTime, KeyInput, PrivProtocol};
use vigie_snmp::{
    AnyPdu, ErrorStatus, Oid, Pdu, PduKind, RequestId, SecurityLevel, Value, VarBind, Version,
};

use super::RenderContext;
use super::spec::{ForwardUsm, TrapForwardAction};

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

/// The outbox text of a forward of `context`: its varbinds as JSON.
pub(super) fn body(context: &RenderContext) -> String {
    encode(&varbinds(context))
}

/// The stored form of the varbinds a forward carries.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredForward {
    varbinds: Vec<StoredVarBind>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredVarBind {
    oid: String,
    value: StoredValue,
}

/// The value types [`varbinds`] produces.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StoredValue {
    TimeTicks(u32),
    Oid(String),
    Text(String),
}

fn encode(varbinds: &[VarBind]) -> String {
    let stored = StoredForward {
        varbinds: varbinds
            .iter()
            .filter_map(|v| {
                let value = match &v.value {
                    Value::TimeTicks(t) => StoredValue::TimeTicks(*t),
                    Value::ObjectIdentifier(o) => StoredValue::Oid(o.to_string()),
                    Value::OctetString(s) => {
                        StoredValue::Text(String::from_utf8_lossy(s).into_owned())
                    }
                    _ => return None,
                };
                Some(StoredVarBind {
                    oid: v.name.to_string(),
                    value,
                })
            })
            .collect(),
    };
    // A struct of strings and integers always serialises.
    serde_json::to_string(&stored).unwrap_or_default()
}

fn decode(body: &str) -> Result<Vec<VarBind>, String> {
    let stored: StoredForward = serde_json::from_str(body).map_err(|e| e.to_string())?;
    stored
        .varbinds
        .into_iter()
        .map(|v| {
            let name = v
                .oid
                .parse::<Oid>()
                .map_err(|e| format!("{}: {e}", v.oid))?;
            let value = match v.value {
                StoredValue::TimeTicks(t) => Value::TimeTicks(t),
                StoredValue::Oid(o) => {
                    Value::ObjectIdentifier(o.parse::<Oid>().map_err(|e| format!("{o}: {e}"))?)
                }
                StoredValue::Text(t) => Value::OctetString(Bytes::from(t.into_bytes())),
            };
            Ok(VarBind { name, value })
        })
        .collect()
}

/// Why a forward's SNMPv3 settings cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ForwardError {
    /// The authentication protocol is not one of Net-SNMP's names.
    #[error("auth_protocol {0:?} is not MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512")]
    AuthProtocol(String),
    /// The privacy protocol is not one of Net-SNMP's names.
    #[error("priv_protocol {0:?} is not DES, 3DES, AES, AES-192 or AES-256")]
    PrivProtocol(String),
    /// A protocol is set without its password, or privacy without authentication.
    #[error("{0}")]
    Incomplete(&'static str),
    /// The key cannot be made from the password (RFC 3414 §2.6 asks for 8 characters).
    #[error("the {0} password cannot make a key: at least 8 characters are needed")]
    Key(&'static str),
    /// The engine ID is not 5 to 32 octets in hex.
    #[error("engine_id {0:?} is not 5 to 32 octets in hex (e.g. 0x80007e5904766967696531)")]
    EngineId(String),
    /// The user name is empty.
    #[error("the USM user name must not be empty")]
    NoUser,
}

impl ForwardUsm {
    /// The USM user of a forward: its keys derived once from the passwords (RFC 3414 §2.6).
    /// For a trap this engine is the authoritative one (RFC 3412 §7.1 step 9b): its engine
    /// ID is `engine_id`, or one derived from the host name; for an inform the receiver's is
    /// discovered.
    pub fn user(&self, inform: bool) -> Result<UsmUser, ForwardError> {
        if self.user.trim().is_empty() {
            return Err(ForwardError::NoUser);
        }
        let auth = match &self.auth_protocol {
            Some(name) => Some(
                name.parse::<AuthProtocol>()
                    .map_err(|_| ForwardError::AuthProtocol(name.clone()))?,
            ),
            None => None,
        };
        let privacy = match &self.priv_protocol {
            Some(name) => Some(
                name.parse::<PrivProtocol>()
                    .map_err(|_| ForwardError::PrivProtocol(name.clone()))?,
            ),
            None => None,
        };
        let (level, credentials) = match (auth, privacy) {
            (None, None) => (SecurityLevel::NoAuthNoPriv, None),
            (None, Some(_)) => {
                return Err(ForwardError::Incomplete(
                    "priv_protocol needs auth_protocol: USM privacy requires authentication",
                ));
            }
            (Some(auth), privacy) => {
                if self.auth_password.is_empty() {
                    return Err(ForwardError::Incomplete(
                        "auth_protocol needs auth_password",
                    ));
                }
                let credentials = Credentials::new(
                    auth,
                    KeyInput::Password(self.auth_password.expose().as_bytes()),
                )
                .map_err(|_| ForwardError::Key("authentication"))?;
                match privacy {
                    None => (SecurityLevel::AuthNoPriv, Some(credentials)),
                    Some(privacy) => {
                        if self.priv_password.is_empty() {
                            return Err(ForwardError::Incomplete(
                                "priv_protocol needs priv_password",
                            ));
                        }
                        let credentials = credentials
                            .with_privacy(
                                privacy,
                                KeyInput::Password(self.priv_password.expose().as_bytes()),
                            )
                            .map_err(|_| ForwardError::Key("privacy"))?;
                        (SecurityLevel::AuthPriv, Some(credentials))
                    }
                }
            }
        };
        let mut user = UsmUser::new(
            Bytes::from(self.user.clone().into_bytes()),
            level,
            credentials,
        )
        .map_err(|_| ForwardError::Incomplete("the security level needs its keys"))?;
        if !inform {
            user.engine_id = Some(self.engine_id()?);
        }
        Ok(user)
    }

    /// The engine ID this sender uses for traps: the configured one, or the host name in
    /// RFC 3411's text format under vigie's enterprise number, stable across restarts so
    /// that a receiver's `createUser -e` keeps matching.
    pub fn engine_id(&self) -> Result<EngineId, ForwardError> {
        match &self.engine_id {
            Some(text) => text
                .parse::<EngineId>()
                .map_err(|_| ForwardError::EngineId(text.clone())),
            None => {
                let host = super::hostname();
                let bytes = host.as_bytes();
                let cut = bytes.len().min(27);
                EngineId::with_format(VIGIE_ENTERPRISE, 4, &bytes[..cut])
                    .map_err(|_| ForwardError::EngineId(host.clone()))
            }
        }
    }
}

/// The outbox channel of one trap-forward action: where to send, and with what secret.
#[derive(Debug)]
pub struct ForwardChannel {
    action: TrapForwardAction,
    /// The SNMPv3 user, keys derived; `Err` when the settings cannot be used, so that each
    /// attempt fails with the reason instead of the channel vanishing.
    usm: Option<Result<UsmUser, ForwardError>>,
}

impl ForwardChannel {
    /// The channel of `action` (the keys of an SNMPv3 user are derived here, once).
    pub fn new(action: &TrapForwardAction) -> Self {
        Self {
            action: action.clone(),
            usm: action.usm.as_ref().map(|usm| usm.user(action.inform)),
        }
    }

    /// Sends `varbinds`; returns the acknowledgement, or the classified failure (never the
    /// community nor a key).
    pub async fn send(&self, varbinds: Vec<VarBind>) -> Result<Accepted, CustomFailure> {
        let action = &self.action;
        let target = resolve_target(&action.target, 162).await.map_err(|e| {
            failure(
                "dns_failure",
                format!(
                    "the trap receiver {} cannot be resolved: {e}",
                    action.target
                ),
                "Check the receiver's host name and the DNS resolver of this host.",
                "connect",
                true,
            )
        })?;
        let session = match &self.usm {
            None => Session::new(
                target,
                Version::V2c,
                Bytes::from(action.community.expose().as_bytes().to_vec()),
            ),
            Some(Ok(user)) => {
                let mut user = user.clone();
                if !action.inform {
                    user.engine_time = Some(engine_time(SystemTime::now()));
                }
                Session::v3(target, user)
            }
            Some(Err(error)) => {
                return Err(failure(
                    "bad_usm_settings",
                    format!("the SNMPv3 settings of the forward are unusable: {error}"),
                    "Correct the action's USM user, protocols and passwords.",
                    "configuration",
                    false,
                ));
            }
        };
        let client = Client::new(session).await.map_err(|e| {
            failure(
                "socket_error",
                format!("cannot open a UDP socket: {e}"),
                "Check the host's network configuration.",
                "connect",
                true,
            )
        })?;
        if action.inform {
            let answer = tokio::time::timeout(INFORM_TIMEOUT, client.inform(varbinds))
                .await
                .map_err(|_| no_acknowledgement(&target.to_string()))?
                .map_err(|e| inform_failure(&target.to_string(), &e))?;
            return Ok(Accepted {
                code: None,
                detail: format!(
                    "inform acknowledged by {target} ({:?})",
                    answer.error_status
                ),
            });
        }
        let pdu = AnyPdu::Pdu(Pdu {
            kind: PduKind::SnmpV2Trap,
            request_id: RequestId(0),
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds,
        });
        client.send_trap(pdu).await.map_err(|e| {
            failure(
                "send_failed",
                format!("the trap to {target} could not be sent: {e}"),
                "Check the route to the receiver.",
                "send",
                true,
            )
        })?;
        Ok(Accepted {
            code: None,
            detail: format!("trap sent to {target}"),
        })
    }
}

impl CustomChannel for ForwardChannel {
    fn target(&self) -> String {
        self.action.target.clone()
    }

    fn deliver<'a>(&'a self, body: &'a str) -> BoxFuture<'a, Result<Accepted, CustomFailure>> {
        Box::pin(async move {
            let varbinds = decode(body).map_err(|why| {
                failure(
                    "unreadable_forward",
                    format!("the stored forward cannot be read: {why}"),
                    "The outbox row was altered; nothing can be sent from it.",
                    "decode",
                    false,
                )
            })?;
            self.send(varbinds).await
        })
    }
}

fn failure(
    kind: &'static str,
    message: String,
    fix: &str,
    stage: &str,
    transient: bool,
) -> CustomFailure {
    CustomFailure {
        kind,
        message,
        fix: fix.to_owned(),
        stage: Some(stage.to_owned()),
        transient,
    }
}

fn no_acknowledgement(target: &str) -> CustomFailure {
    failure(
        "no_acknowledgement",
        format!("no acknowledgement from {target}"),
        "Check that the receiver runs, listens on that port and accepts this community or user.",
        "inform",
        true,
    )
}

/// RFC 3414 §3.2 reports are configuration faults; the rest may pass on a retry.
fn inform_failure(target: &str, error: &RequestError) -> CustomFailure {
    match error {
        RequestError::Timeout { .. } => no_acknowledgement(target),
        RequestError::UnknownUser
        | RequestError::WrongDigest
        | RequestError::DecryptionError { .. }
        | RequestError::UnknownEngineId
        | RequestError::UnsupportedSecurityLevel => failure(
            "usm_rejected",
            format!("the receiver {target} refused the inform: {error}"),
            "Make the action's USM user, protocols and passwords match the receiver's.",
            "inform",
            false,
        ),
        _ => failure(
            "inform_failed",
            format!("the inform to {target} failed: {error}"),
            "Check the receiver.",
            "inform",
            true,
        ),
    }
}

/// This sender's boots and time for a v3 trap (RFC 3414 §2.2.1): boots 1 and the seconds
/// since 2020-01-01 UTC, so that the time a receiver sees only grows, across restarts and
/// reboots, for sixty years.
fn engine_time(now: SystemTime) -> EngineTime {
    let seconds = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        .saturating_sub(EPOCH_2020);
    EngineTime::new(1, u32::try_from(seconds.min(MAX_ENGINE_TIME)).unwrap_or(0))
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
/// The enterprise number of vigie's engine IDs (RFC 5612's documentation number).
const VIGIE_ENTERPRISE: u32 = 32473;
const INFORM_TIMEOUT: Duration = Duration::from_secs(10);
/// 2020-01-01T00:00:00Z in Unix seconds.
const EPOCH_2020: u64 = 1_577_836_800;
/// The largest snmpEngineTime (RFC 3414 §2.2.1).
const MAX_ENGINE_TIME: u64 = 2_147_483_647;

#[cfg(test)]
mod tests {
    use super::*;
    use vigie_notify::Secret;

    #[test]
    fn stored_varbinds_round_trip() {
        let varbinds = vec![
            VarBind {
                name: oid(SYS_UP_TIME_0),
                value: Value::TimeTicks(7),
            },
            VarBind {
                name: oid(SNMP_TRAP_OID_0),
                value: Value::ObjectIdentifier(oid(VIGIE_ALARM_NOTIFICATION)),
            },
            VarBind {
                name: oid(VIGIE_ALARM_TEXT),
                value: Value::OctetString(Bytes::from_static("lien coupé".as_bytes())),
            },
        ];
        let body = encode(&varbinds);
        assert_eq!(decode(&body).unwrap(), varbinds);
        assert!(decode(r#"{"varbinds":[{"oid":"x","value":{"text":"a"}}]}"#).is_err());
        assert!(decode("not json").is_err());
    }

    #[test]
    fn usm_settings_are_checked_and_secrets_never_shown() {
        let mut usm = ForwardUsm {
            user: "noc".into(),
            auth_protocol: Some("SHA-256".into()),
            auth_password: Secret::new("authpass123"),
            priv_protocol: Some("AES".into()),
            priv_password: Secret::new("privpass123"),
            engine_id: Some("0x80007e5904766967696531".into()),
        };
        let user = usm.user(false).unwrap();
        assert_eq!(user.level, SecurityLevel::AuthPriv);
        assert_eq!(user.engine_id, Some(usm.engine_id().unwrap()));
        assert_eq!(usm.user(true).unwrap().engine_id, None);
        let shown = format!("{:?} {}", usm, serde_json::to_string(&usm).unwrap());
        assert!(!shown.contains("authpass123") && !shown.contains("privpass123"));
        usm.priv_password = Secret::new("short");
        assert_eq!(usm.user(false).err(), Some(ForwardError::Key("privacy")));
        usm.priv_protocol = Some("ROT13".into());
        assert!(matches!(
            usm.user(false),
            Err(ForwardError::PrivProtocol(_))
        ));
        usm.auth_protocol = None;
        usm.priv_protocol = Some("AES".into());
        assert!(matches!(usm.user(false), Err(ForwardError::Incomplete(_))));
        usm.engine_id = Some("zz".into());
        usm.priv_protocol = None;
        assert!(matches!(usm.user(false), Err(ForwardError::EngineId(_))));
        usm.engine_id = None;
        assert_eq!(usm.user(false).unwrap().level, SecurityLevel::NoAuthNoPriv);
    }

    #[test]
    fn engine_time_grows_from_2020() {
        let at = UNIX_EPOCH + Duration::from_secs(EPOCH_2020 + 86_400);
        assert_eq!(engine_time(at), EngineTime::new(1, 86_400));
        assert_eq!(engine_time(UNIX_EPOCH), EngineTime::new(1, 0));
    }
}
