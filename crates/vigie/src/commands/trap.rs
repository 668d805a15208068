//! `vigie trap`: Net-SNMP's `snmptrap` (and, with `-Ci` or as `vigie inform`, `snmpinform`).
//!
//! v1: `AGENT ENTERPRISE AGENT-ADDR GENERIC SPECIFIC UPTIME [OID TYPE VALUE]...`;
//! v2c: `AGENT UPTIME TRAP-OID [OID TYPE VALUE]...`. An empty enterprise is Net-SNMP's
//! default `.1.3.6.1.4.1.3.1.1`, an empty agent address is this host's first non-loopback IPv4
//! address, and an empty uptime is the host's uptime, as `snmptrap` does.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use vigie_net::Client;
use vigie_snmp::{
    AnyPdu, GenericTrap, Oid, Pdu, PduKind, RequestId, TrapV1Pdu, Value, VarBind, Version,
};

use crate::commands;
use crate::commands::set::{Assignment, ParsedVarBinds};
use crate::exit::Exit;
use crate::getopt::Ordering;
use crate::report::Report;
use crate::snmpcmd::{self, AppFlagError, Invocation, Tool};
use crate::values;

/// The tool's description.
pub(crate) const TOOL: Tool = Tool {
    name: "snmptrap",
    command: "trap",
    operands: "AGENT TRAP-PARAMETERS",
    ordering: Ordering::RequireOrder,
    app_help: NOTIFICATION_HELP,
    default_port: 162,
};

/// The `-C` and parameter help shared with `inform`.
pub(crate) const NOTIFICATION_HELP: &str = concat!(
    "  -C APPOPTS\t\tSet various application specific behaviour:\n",
    "\t\t\t  i:  send an INFORM instead of a TRAP\n\n",
    "  -v 1 TRAP-PARAMETERS:\n",
    "\t enterprise-oid agent trap-type specific-type uptime [OID TYPE VALUE]...\n",
    "  or\n",
    "  -v 2 TRAP-PARAMETERS:\n",
    "\t uptime trapoid [OID TYPE VALUE] ...\n",
);

/// Runs `vigie trap ARGS`.
pub(crate) fn run(args: &[String]) -> Exit {
    run_notification(&TOOL, args, false)
}

/// Sends a trap, or an inform when `inform` (toggled by `-Ci`).
pub(crate) fn run_notification(tool: &Tool, args: &[String], mut inform: bool) -> Exit {
    let mut app = |letters: &str, _: &mut dyn FnMut() -> Option<String>| {
        for letter in letters.chars() {
            match letter {
                'i' => inform = true,
                other => return Err(AppFlagError::Unknown(other)),
            }
        }
        Ok(())
    };
    let invocation = match snmpcmd::parse(tool, args, &mut app) {
        Ok(invocation) => invocation,
        Err(exit) => return exit,
    };
    let mut report = Report::new(invocation.output.clone());
    let exit = commands::block_on(send(tool, &invocation, inform, &mut report));
    report.finish();
    exit
}

async fn send(tool: &Tool, invocation: &Invocation, inform: bool, report: &mut Report) -> Exit {
    let client = match open(tool, invocation, inform, report).await {
        Ok(client) => client,
        Err(exit) => return exit,
    };
    let v1 = invocation.version == Some(Version::V1);
    if v1 && inform {
        report.fatal("request", "Cannot send INFORM as SNMPv1 PDU");
        return Exit::Failure;
    }
    let pdu = if v1 {
        v1_trap(tool, invocation.rest(), report).await
    } else {
        v2_varbinds(tool, invocation.rest(), report)
    };
    let pdu = match pdu {
        Ok(pdu) => pdu,
        Err(exit) => return exit,
    };
    if inform {
        let varbinds = match pdu {
            AnyPdu::Pdu(pdu) => pdu.varbinds,
            AnyPdu::Bulk(_) | AnyPdu::TrapV1(_) => return Exit::Failure,
        };
        return match client.inform(varbinds).await {
            Ok(_) => Exit::Success,
            Err(vigie_net::RequestError::Timeout { .. }) => {
                report.fatal("timeout", "snmpinform: Timeout");
                Exit::Failure
            }
            Err(error) => {
                report.fatal("request", &format!("snmpinform: {error}"));
                Exit::Failure
            }
        };
    }
    match client.send_trap(pdu).await {
        Ok(()) => Exit::Success,
        Err(error) => {
            report.fatal("request", &format!("{}: {error}", tool.name));
            Exit::Failure
        }
    }
}

/// Opens the session; snmptrap reports an unknown host with an empty message. In `SNMPv3` a
/// trap's sender is the authoritative engine, an inform's receiver is (RFC 3412 §7.1 step 9).
async fn open(
    tool: &Tool,
    invocation: &Invocation,
    inform: bool,
    report: &mut Report,
) -> Result<Client, Exit> {
    let resolvable = match invocation.version {
        Some(Version::V1 | Version::V2c) => true,
        Some(Version::V3) | None => invocation.security_name.is_some(),
    };
    if resolvable
        && vigie_net::resolve_target(invocation.agent(), tool.default_port)
            .await
            .is_err()
    {
        // Net-SNMP 5.9.3 prints "snmptrap: " and nothing else here, snmpinform included.
        report.fatal("unknownHost", "snmptrap: ");
        return Err(Exit::Failure);
    }
    let role = if inform {
        snmpcmd::Role::Requester
    } else {
        snmpcmd::Role::TrapSender
    };
    snmpcmd::open_as(tool, invocation, report, role).await
}

/// The v1 Trap-PDU from `ENTERPRISE AGENT-ADDR GENERIC SPECIFIC UPTIME [OID TYPE VALUE]...`.
async fn v1_trap(tool: &Tool, operands: &[String], report: &mut Report) -> Result<AnyPdu, Exit> {
    let mut operands = operands.iter();
    let enterprise = operands
        .next()
        .ok_or_else(|| snmpcmd::usage_error(tool, "No enterprise oid"))?;
    let enterprise = if enterprise.is_empty() {
        default_enterprise()
    } else {
        let arcs = values::parse_oid_arcs(enterprise).map_err(|error| {
            commands::print_oid_error(enterprise, &error);
            snmpcmd::usage(tool)
        })?;
        commands::build_oids(tool, &[arcs])?
            .pop()
            .ok_or(Exit::Failure)?
    };
    let agent = operands
        .next()
        .ok_or_else(|| snmpcmd::usage_error(tool, "Missing agent parameter"))?;
    let agent_addr = if agent.is_empty() {
        local_ipv4()
    } else {
        match resolve_ipv4(agent).await {
            Some(address) => address,
            None => {
                report.fatal("unknownHost", &format!("unknown host: {agent}"));
                return Err(Exit::Failure);
            }
        }
    };
    let generic = operands
        .next()
        .ok_or_else(|| snmpcmd::usage_error(tool, "Missing generic-trap parameter"))?;
    let generic = atoi(generic);
    // snmptrap passes atoi()'s int as it is, whatever its value.
    let generic_trap = GenericTrap::from_code(low_32_signed(generic));
    let specific = operands
        .next()
        .ok_or_else(|| snmpcmd::usage_error(tool, "Missing specific-trap parameter"))?;
    let uptime = operands
        .next()
        .ok_or_else(|| snmpcmd::usage_error(tool, "Missing uptime parameter"))?;
    let time_stamp = if uptime.is_empty() {
        host_uptime()
    } else {
        low_32(atoi(uptime))
    };
    let varbinds = trailing_varbinds(tool, operands.as_slice(), report)?;
    Ok(AnyPdu::TrapV1(TrapV1Pdu {
        enterprise,
        agent_addr,
        generic_trap,
        specific_trap: i32::try_from(atoi(specific)).unwrap_or_default(),
        time_stamp,
        varbinds,
    }))
}

/// The SNMPv2-Trap varbinds from `UPTIME TRAP-OID [OID TYPE VALUE]...`: sysUpTime.0 and
/// snmpTrapOID.0 first (RFC 3416 §4.2.6).
fn v2_varbinds(tool: &Tool, operands: &[String], report: &mut Report) -> Result<AnyPdu, Exit> {
    let mut operands = operands.iter();
    let uptime = operands
        .next()
        .ok_or_else(|| snmpcmd::usage_error(tool, "Missing up-time parameter"))?;
    let mut varbinds = Vec::with_capacity(operands.len() / 3 + 2);
    let ticks = if uptime.is_empty() {
        Some(host_uptime())
    } else {
        // snmptrap drops sysUpTime.0 silently when the value is not a number.
        values::parse_value('t', uptime)
            .ok()
            .and_then(|parsed| match parsed.value {
                Value::TimeTicks(ticks) => Some(ticks),
                _ => None,
            })
    };
    if let Some(ticks) = ticks {
        varbinds.push(VarBind {
            name: oid_constant(&SYS_UP_TIME_0),
            value: Value::TimeTicks(ticks),
        });
    }
    let trap_oid = operands
        .next()
        .ok_or_else(|| snmpcmd::usage_error(tool, "Missing trap-oid parameter"))?;
    let trap_oid = match values::parse_value('o', trap_oid) {
        Ok(parsed) => parsed.value,
        Err(error) => {
            eprintln!("{trap_oid}: {error}");
            return Err(Exit::Failure);
        }
    };
    varbinds.push(VarBind {
        name: oid_constant(&SNMP_TRAP_OID_0),
        value: trap_oid,
    });
    varbinds.extend(trailing_varbinds(tool, operands.as_slice(), report)?);
    Ok(AnyPdu::Pdu(Pdu {
        kind: PduKind::SnmpV2Trap,
        request_id: RequestId(0),
        error_status: vigie_snmp::ErrorStatus::NoError,
        error_index: 0,
        varbinds,
    }))
}

/// The `OID TYPE VALUE` triples after the trap parameters; snmptrap stops at the first bad one.
fn trailing_varbinds(
    tool: &Tool,
    operands: &[String],
    report: &mut Report,
) -> Result<Vec<VarBind>, Exit> {
    let mut assignments = Vec::with_capacity(operands.len() / 3);
    for chunk in operands.chunks(3) {
        let [oid, kind, value] = chunk else {
            let oid = chunk.first().map_or("", String::as_str);
            eprintln!("{oid}: Missing type/value for variable");
            return Err(Exit::Failure);
        };
        let assignment = Assignment {
            oid: oid.clone(),
            kind: kind.chars().next().unwrap_or('\0'),
            value: value.clone(),
        };
        // snmptrap checks each triple as it goes and stops at the first failure.
        let Some(parsed) = parse_one(&assignment, report) else {
            return Err(Exit::Failure);
        };
        assignments.push(parsed);
    }
    let mut varbinds = Vec::with_capacity(assignments.len());
    for parsed in assignments {
        varbinds.extend(parsed.build(tool)?);
    }
    Ok(varbinds)
}

fn parse_one(assignment: &Assignment, report: &mut Report) -> Option<ParsedVarBinds> {
    commands::set::varbinds(std::slice::from_ref(assignment), report)
}

/// Net-SNMP's default enterprise for v1 traps: `.1.3.6.1.4.1.3.1.1`.
fn default_enterprise() -> Oid {
    oid_constant(&DEFAULT_ENTERPRISE)
}

fn oid_constant(arcs: &[u32]) -> Oid {
    // The constants below start 1.3 and have fewer than 128 arcs, which `Oid::new` accepts.
    Oid::new(arcs).expect("OID constants are valid")
}

/// The host's uptime in hundredths of a second (Net-SNMP's `get_uptime`).
pub(crate) fn host_uptime() -> u32 {
    let Ok(text) = std::fs::read_to_string("/proc/uptime") else {
        return 0;
    };
    let seconds: f64 = text
        .split_whitespace()
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.0);
    let ticks = (seconds * 100.0).floor();
    if ticks.is_finite() && ticks >= 0.0 && ticks < f64::from(u32::MAX) {
        // In range and non-negative, checked just above.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "range checked above"
        )]
        let ticks = ticks as u32;
        ticks
    } else {
        0
    }
}

/// The first IPv4 address of an interface that is up and not loopback (Net-SNMP's
/// `get_myaddr`), or 0.0.0.0.
fn local_ipv4() -> Ipv4Addr {
    use nix::net::if_::InterfaceFlags;
    let Ok(addresses) = nix::ifaddrs::getifaddrs() else {
        return Ipv4Addr::UNSPECIFIED;
    };
    for interface in addresses {
        if !interface.flags.contains(InterfaceFlags::IFF_UP)
            || interface.flags.contains(InterfaceFlags::IFF_LOOPBACK)
        {
            continue;
        }
        if let Some(address) = interface.address.as_ref().and_then(|a| a.as_sockaddr_in()) {
            return address.ip();
        }
    }
    Ipv4Addr::UNSPECIFIED
}

async fn resolve_ipv4(host: &str) -> Option<Ipv4Addr> {
    if let Ok(address) = host.parse::<Ipv4Addr>() {
        return Some(address);
    }
    let addresses = tokio::net::lookup_host((host, 0)).await.ok()?;
    addresses
        .filter_map(|address: SocketAddr| match address.ip() {
            IpAddr::V4(ip) => Some(ip),
            IpAddr::V6(_) => None,
        })
        .next()
}

/// C `atoi`/`atol`: leading white space, a sign, the digits that follow; 0 when none.
fn atoi(text: &str) -> i64 {
    let trimmed = text.trim_start();
    let (negative, body) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let magnitude = body
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0i64, |acc, b| {
            acc.saturating_mul(10).saturating_add(i64::from(b - b'0'))
        });
    if negative { -magnitude } else { magnitude }
}

/// The low 32 bits, as C's conversion of a long to an unsigned int keeps them.
/// The low 32 bits of `n` as C's `int` conversion keeps them.
fn low_32_signed(n: i64) -> i32 {
    i32::from_ne_bytes(low_32(n).to_ne_bytes())
}

fn low_32(n: i64) -> u32 {
    u32::try_from(n.rem_euclid(1 << 32)).unwrap_or_default()
}

/// sysUpTime.0 (RFC 3418).
const SYS_UP_TIME_0: [u32; 9] = [1, 3, 6, 1, 2, 1, 1, 3, 0];
/// snmpTrapOID.0 (RFC 3418).
const SNMP_TRAP_OID_0: [u32; 11] = [1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0];
/// Net-SNMP's default v1 enterprise.
const DEFAULT_ENTERPRISE: [u32; 9] = [1, 3, 6, 1, 4, 1, 3, 1, 1];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoi_reads_a_leading_number() {
        assert_eq!(atoi("17"), 17);
        assert_eq!(atoi(" -2x"), -2);
        assert_eq!(atoi("x"), 0);
        assert_eq!(atoi(""), 0);
    }

    #[test]
    fn constants_are_valid_oids() {
        assert_eq!(default_enterprise().to_string(), "1.3.6.1.4.1.3.1.1");
        assert_eq!(
            oid_constant(&SNMP_TRAP_OID_0).to_string(),
            "1.3.6.1.6.3.1.1.4.1.0"
        );
        assert_eq!(low_32(-5), 4_294_967_291);
    }
}
