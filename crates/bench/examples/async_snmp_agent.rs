//! An SNMP agent built on async-snmp's `Agent`, the third peer of `scripts/bench-agent.sh`.
//!
//! It serves the objects that `crates/agent/examples/agent_load.rs` asks for: the `system`
//! group scalars (RFC 3418) and the `interfaces` group of IF-MIB (RFC 2863: `ifNumber` and an
//! `ifTable` of the 22 columns `vigie agent` serves, one row per interface in `/sys/class/net`,
//! the same rows as vigie's on this host). The values are read once at start and never again,
//! except `sysUpTime`: comparable data for a load benchmark, not a live host reader.
//!
//! Community `public` (SNMPv1/v2c) and the SNMPv3 user `bench` (authPriv, HMAC-SHA-256 of RFC
//! 7860 and AES-128 of RFC 3826, passwords `bench-auth-password` and `bench-priv-password`),
//! read access to everything. The engine's boots counter is not persisted: each start is an
//! installation, which a benchmark peer may be and a real agent may not (RFC 3414 2.2).
//!
//! Usage: `async_snmp_agent 127.0.0.1:PORT`. Prints `listening on ADDR` once bound, runs until
//! killed. Exits 2 on bad arguments, 1 when the agent cannot start.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use async_snmp::agent::Agent;
use async_snmp::handler::{
    BoxFuture, GetNextResult, GetResult, HandlerResult, MibHandler, RequestContext,
};
use async_snmp::v3::AuthoritativeEngine;
use async_snmp::{AuthProtocol, Oid, PrivProtocol, Value, VarBind};
use bytes::Bytes;

/// `mib-2` (RFC 1213): the subtree the handler is registered for.
const MIB_2: [u32; 6] = [1, 3, 6, 1, 2, 1];
/// `sysUpTime.0`, the one object computed at each request.
const SYS_UP_TIME: [u32; 9] = [1, 3, 6, 1, 2, 1, 1, 3, 0];
/// `ifEntry`: its instances are `ifEntry.column.ifIndex`.
const IF_ENTRY: [u32; 9] = [1, 3, 6, 1, 2, 1, 2, 2, 1];
/// A locally administered engine ID (RFC 3411 `SnmpEngineID`, format 4: text).
const ENGINE_ID: &[u8] = b"\x80\x00\x1f\x88\x04async-snmp-bench";
/// The harness's SNMPv3 user and its passwords (`scripts/bench-agent.sh`).
const V3_USER: &str = "bench";
const V3_AUTH_PASSWORD: &str = "bench-auth-password";
const V3_PRIV_PASSWORD: &str = "bench-priv-password";

/// The objects this agent serves, sorted by OID, and the start time for `sysUpTime`.
struct Objects {
    sorted: Vec<(Oid, Value)>,
    start: Instant,
}

impl Objects {
    /// The object at `index` of `sorted`, with `sysUpTime` computed now.
    fn value_at(&self, index: usize) -> Option<VarBind> {
        let (oid, value) = self.sorted.get(index)?;
        let value = if oid.as_ref() == SYS_UP_TIME {
            Value::TimeTicks(hundredths_since(self.start))
        } else {
            value.clone()
        };
        Some(VarBind::new(oid.clone(), value))
    }
}

impl MibHandler for Objects {
    fn get<'a>(
        &'a self,
        _ctx: &'a RequestContext,
        oid: &'a Oid,
    ) -> BoxFuture<'a, HandlerResult<GetResult>> {
        Box::pin(async move {
            let found = self
                .sorted
                .binary_search_by(|(candidate, _)| candidate.cmp(oid));
            Ok(match found.ok().and_then(|index| self.value_at(index)) {
                Some(varbind) => GetResult::Value(varbind.value),
                // An instance of a served object type (same OID but the last arc) is missing;
                // anything else is an object type this agent does not implement (RFC 3416 4.2.1).
                None if self
                    .sorted
                    .iter()
                    .any(|(served, _)| same_object(served, oid)) =>
                {
                    GetResult::NoSuchInstance
                }
                None => GetResult::NoSuchObject,
            })
        })
    }

    fn get_next<'a>(
        &'a self,
        _ctx: &'a RequestContext,
        oid: &'a Oid,
    ) -> BoxFuture<'a, HandlerResult<GetNextResult>> {
        Box::pin(async move {
            let next = self
                .sorted
                .partition_point(|(candidate, _)| candidate <= oid);
            Ok(self
                .value_at(next)
                .map_or(GetNextResult::EndOfMibView, GetNextResult::Value))
        })
    }
}

/// Whether `a` and `b` name instances of the same object type: equal but for the last arc.
fn same_object(a: &Oid, b: &Oid) -> bool {
    let (a, b) = (a.as_ref(), b.as_ref());
    a.len() == b.len()
        && a.split_last().map(|(_, head)| head) == b.split_last().map(|(_, head)| head)
}

/// Hundredths of a second since `start`, wrapping as `TimeTicks` do (RFC 2578 7.1.8).
fn hundredths_since(start: Instant) -> u32 {
    wrap32(u64::try_from(start.elapsed().as_millis() / 10).unwrap_or(u64::MAX))
}

/// `value` modulo 2^32, as a `Counter32` wraps (RFC 2578 7.1.6).
fn wrap32(value: u64) -> u32 {
    u32::try_from(value % (1 << 32)).unwrap_or(0)
}

/// One line of a `/proc` or `/sys` file, trimmed; empty when unreadable.
fn read_line(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// A decimal `/sys` value; 0 when unreadable.
fn read_number(path: impl AsRef<Path>) -> u64 {
    read_line(path).parse().unwrap_or(0)
}

/// An OID from a prefix and further arcs.
fn oid(prefix: &[u32], arcs: &[u32]) -> Oid {
    Oid::from([prefix, arcs].concat())
}

/// An `OCTET STRING` value.
fn octets(text: impl Into<Vec<u8>>) -> Value {
    Value::OctetString(Bytes::from(text.into()))
}

/// The `system` group (RFC 3418), as a Linux host running Net-SNMP describes itself.
fn system_group(objects: &mut Vec<(Oid, Value)>) {
    let hostname = read_line("/proc/sys/kernel/hostname");
    let descr = format!(
        "{} {} {} {}",
        read_line("/proc/sys/kernel/ostype"),
        hostname,
        read_line("/proc/sys/kernel/osrelease"),
        read_line("/proc/sys/kernel/version"),
    );
    let system = [1, 3, 6, 1, 2, 1, 1];
    objects.extend([
        (oid(&system, &[1, 0]), octets(descr)),
        // Net-SNMP's linux sysObjectID (NET-SNMP-TC netSnmpAgentOIDs.10).
        (
            oid(&system, &[2, 0]),
            Value::ObjectIdentifier(Oid::from([1, 3, 6, 1, 4, 1, 8072, 3, 2, 10])),
        ),
        (oid(&system, &[3, 0]), Value::TimeTicks(0)),
        (oid(&system, &[4, 0]), octets("bench@example.invalid")),
        (oid(&system, &[5, 0]), octets(hostname)),
        (oid(&system, &[6, 0]), octets("bench")),
        (oid(&system, &[7, 0]), Value::Integer(72)),
    ]);
}

/// One interface of `/sys/class/net`, read once.
struct Interface {
    index: i32,
    name: String,
    path: std::path::PathBuf,
}

/// `ifNumber` and the 22 columns of `ifTable` (RFC 2863) for every interface of the host.
fn interfaces_group(objects: &mut Vec<(Oid, Value)>) {
    let mut interfaces: Vec<Interface> = std::fs::read_dir("/sys/class/net")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let path = entry.path();
            let index = i32::try_from(read_number(path.join("ifindex"))).ok()?;
            let name = entry.file_name().to_string_lossy().into_owned();
            (index > 0).then_some(Interface { index, name, path })
        })
        .collect();
    interfaces.sort_by_key(|interface| interface.index);
    let count = i32::try_from(interfaces.len()).unwrap_or(i32::MAX);
    objects.push((
        Oid::from([1, 3, 6, 1, 2, 1, 2, 1, 0]),
        Value::Integer(count),
    ));
    for interface in &interfaces {
        let index = u32::try_from(interface.index).unwrap_or(0);
        for (value, column) in if_row(interface).into_iter().zip(1..) {
            objects.push((oid(&IF_ENTRY, &[column, index]), value));
        }
    }
}

/// The 22 `ifEntry` columns of one interface, in column order.
fn if_row(interface: &Interface) -> Vec<Value> {
    let path = &interface.path;
    let stat =
        |name: &str| Value::Counter32(wrap32(read_number(path.join("statistics").join(name))));
    // ARPHRD_LOOPBACK (772) is softwareLoopback(24), ARPHRD_ETHER (1) ethernetCsmacd(6).
    let if_type = match read_number(path.join("type")) {
        772 => 24,
        1 => 6,
        _ => 1,
    };
    let mtu = i32::try_from(read_number(path.join("mtu"))).unwrap_or(0);
    // /sys gives Mb/s, or an error for virtual links; ifSpeed saturates (RFC 2863 ifHighSpeed).
    let speed = u32::try_from(read_number(path.join("speed")).saturating_mul(1_000_000))
        .unwrap_or(u32::MAX);
    let address: Vec<u8> = read_line(path.join("address"))
        .split(':')
        .filter_map(|byte| u8::from_str_radix(byte, 16).ok())
        .collect();
    let flags = u64::from_str_radix(read_line(path.join("flags")).trim_start_matches("0x"), 16)
        .unwrap_or(0);
    let admin = if flags & 1 == 1 { 1 } else { 2 };
    let oper = match read_line(path.join("operstate")).as_str() {
        "up" => 1,
        "down" => 2,
        "testing" => 3,
        "dormant" => 5,
        "notpresent" => 6,
        "lowerlayerdown" => 7,
        // The loopback reports "unknown" while it carries traffic.
        _ if admin == 1 => 1,
        _ => 4,
    };
    vec![
        Value::Integer(interface.index),
        octets(interface.name.as_bytes()),
        Value::Integer(if_type),
        Value::Integer(mtu),
        Value::Gauge32(speed),
        Value::OctetString(Bytes::from(address)),
        Value::Integer(admin),
        Value::Integer(oper),
        Value::TimeTicks(0),
        stat("rx_bytes"),
        stat("rx_packets"),
        stat("multicast"),
        stat("rx_dropped"),
        stat("rx_errors"),
        Value::Counter32(0),
        stat("tx_bytes"),
        stat("tx_packets"),
        Value::Counter32(0),
        stat("tx_dropped"),
        stat("tx_errors"),
        Value::Gauge32(0),
        // zeroDotZero: ifSpecific is deprecated (RFC 2863 6).
        Value::ObjectIdentifier(Oid::from([0, 0])),
    ]
}

/// The served objects, read once.
fn objects() -> Objects {
    let mut sorted = Vec::new();
    system_group(&mut sorted);
    interfaces_group(&mut sorted);
    sorted.sort_by(|(a, _), (b, _)| a.cmp(b));
    Objects {
        sorted,
        start: Instant::now(),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [listen] = args.as_slice() else {
        eprintln!("usage: async_snmp_agent 127.0.0.1:PORT");
        return ExitCode::from(2);
    };
    match run(listen).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("async_snmp_agent: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the agent on `listen` and serves until the process is killed.
async fn run(listen: &str) -> Result<(), Box<dyn std::error::Error>> {
    // Not persisted: see the module documentation.
    let engine = AuthoritativeEngine::install(ENGINE_ID.to_vec(), |_| {
        Ok::<(), std::convert::Infallible>(())
    })?;
    let agent = Agent::builder()
        .bind(listen)
        .authoritative_engine(engine)
        .community(b"public")
        .usm_user(V3_USER, |user| {
            user.auth_priv(
                AuthProtocol::Sha256,
                V3_AUTH_PASSWORD,
                PrivProtocol::Aes128,
                V3_PRIV_PASSWORD,
            )
        })?
        .handler(Oid::from(MIB_2), Arc::new(objects()))
        .allow_all_access()
        .build()
        .await?;
    eprintln!("listening on {}", agent.local_addr());
    agent.run().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_object_compares_all_but_the_last_arc() {
        let a = Oid::from([1, 3, 6, 1, 2, 1, 1, 5, 0]);
        assert!(same_object(&a, &Oid::from([1, 3, 6, 1, 2, 1, 1, 5, 7])));
        assert!(!same_object(&a, &Oid::from([1, 3, 6, 1, 2, 1, 1, 6, 0])));
        assert!(!same_object(&a, &Oid::from([1, 3, 6, 1, 2, 1, 1, 5])));
    }

    #[test]
    fn counters_wrap_at_two_to_the_thirty_second() {
        assert_eq!(wrap32(u64::from(u32::MAX) + 2), 1);
        assert_eq!(wrap32(7), 7);
    }

    #[test]
    fn the_objects_are_sorted_and_cover_the_harness_requests() {
        let objects = objects();
        assert!(objects.sorted.windows(2).all(|pair| pair[0].0 < pair[1].0));
        for arcs in [
            &[1, 3, 6, 1, 2, 1, 1, 1, 0][..],
            &[1, 3, 6, 1, 2, 1, 2, 1, 0],
        ] {
            let oid = Oid::from(arcs);
            assert!(
                objects.sorted.iter().any(|(served, _)| *served == oid),
                "{oid}"
            );
        }
    }
}
