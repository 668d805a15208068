use std::net::Ipv4Addr;
use std::net::SocketAddr;
use std::path::PathBuf;

use vigie_snmp::VarBind;
use vigie_snmp::Version;

use super::*;
use crate::mib::RequestCtx;

fn ctx(now: Instant) -> RequestCtx {
    RequestCtx {
        now,
        version: Version::V2c,
        from: SocketAddr::from((Ipv4Addr::LOCALHOST, 1)),
    }
}

fn fixture_paths() -> HostPaths {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/host");
    HostPaths::new(root.join("proc"), root.join("sys"), root.join("utmp"))
}

fn resources(paths: HostPaths, now: Instant) -> Arc<HostResources> {
    let interfaces = Interfaces::new(paths.clone(), now, Arc::new(crate::State::in_memory()));
    HostResources::new(paths, interfaces)
}

fn walk(handlers: &[Box<dyn Mib>], ctx: &RequestCtx) -> Vec<VarBind> {
    let mut seen = Vec::new();
    for handler in handlers {
        let mut at = handler.root().clone();
        while let Some(varbind) = handler.get_next(ctx, &at) {
            assert!(varbind.name > at, "{} after {}", varbind.name, at);
            assert!(varbind.name.starts_with(handler.root()));
            at = varbind.name.clone();
            seen.push(varbind);
        }
    }
    seen
}

fn value(handlers: &[Box<dyn Mib>], ctx: &RequestCtx, name: &str) -> Value {
    let name: Oid = name.parse().unwrap();
    let handler = handlers
        .iter()
        .find(|h| name.starts_with(h.root()))
        .unwrap();
    handler.get(ctx, &name)
}

#[test]
fn handler_roots_are_sorted_and_disjoint() {
    let now = Instant::now();
    let handlers = resources(fixture_paths(), now).handlers();
    let roots: Vec<String> = handlers.iter().map(|h| h.root().to_string()).collect();
    assert_eq!(
        roots,
        [
            "1.3.6.1.2.1.25.1",
            "1.3.6.1.2.1.25.2",
            "1.3.6.1.2.1.25.3.2",
            "1.3.6.1.2.1.25.3.3",
            "1.3.6.1.2.1.25.3.4",
            "1.3.6.1.2.1.25.3.8"
        ]
    );
}

#[test]
fn system_group_from_fixtures() {
    let now = Instant::now();
    let handlers = resources(fixture_paths(), now).handlers();
    let ctx = ctx(now);
    let get = |name: &str| value(&handlers, &ctx, name);
    assert_eq!(get("1.3.6.1.2.1.25.1.1.0"), Value::TimeTicks(286_779));
    let Value::OctetString(date) = get("1.3.6.1.2.1.25.1.2.0") else {
        panic!("hrSystemDate is not an OCTET STRING");
    };
    assert_eq!(date.len(), 11);
    assert_eq!(date[8], b'+');
    assert_eq!(get("1.3.6.1.2.1.25.1.3.0"), Value::Integer(393_216));
    let Value::OctetString(parameters) = get("1.3.6.1.2.1.25.1.4.0") else {
        panic!("hrSystemInitialLoadParameters is not an OCTET STRING");
    };
    assert!(parameters.starts_with(b"BOOT_IMAGE="));
    assert_eq!(get("1.3.6.1.2.1.25.1.5.0"), Value::Gauge32(0));
    assert_eq!(get("1.3.6.1.2.1.25.1.6.0"), Value::Gauge32(0));
    assert_eq!(get("1.3.6.1.2.1.25.1.7.0"), Value::Integer(32_768));
    assert_eq!(get("1.3.6.1.2.1.25.1.8.0"), Value::NoSuchObject);
    assert_eq!(get("1.3.6.1.2.1.25.1.1.1"), Value::NoSuchInstance);
}

#[test]
fn storage_memory_rows_from_fixtures() {
    let now = Instant::now();
    let handlers = resources(fixture_paths(), now).handlers();
    let ctx = ctx(now);
    let get = |name: &str| value(&handlers, &ctx, name);
    assert_eq!(get("1.3.6.1.2.1.25.2.2.0"), Value::Integer(24_684_084));
    assert_eq!(
        get("1.3.6.1.2.1.25.2.3.1.2.1"),
        Value::ObjectIdentifier("1.3.6.1.2.1.25.2.1.2".parse().unwrap())
    );
    assert_eq!(
        get("1.3.6.1.2.1.25.2.3.1.3.10"),
        Value::OctetString("Swap space".into())
    );
    assert_eq!(get("1.3.6.1.2.1.25.2.3.1.4.1"), Value::Integer(1024));
    assert_eq!(get("1.3.6.1.2.1.25.2.3.1.5.1"), Value::Integer(24_684_084));
    assert_eq!(get("1.3.6.1.2.1.25.2.3.1.7.1"), Value::NoSuchObject);
    // The fixture's mount points do not exist here under those paths, except `/`: it is
    // served with the real `statvfs`, at the index snmpd gives it.
    assert_eq!(
        get("1.3.6.1.2.1.25.2.3.1.3.36"),
        Value::OctetString("/".into())
    );
    assert_eq!(
        get("1.3.6.1.2.1.25.2.3.1.2.36"),
        Value::ObjectIdentifier("1.3.6.1.2.1.25.2.1.4".parse().unwrap())
    );
}

#[test]
fn devices_processors_and_networks_from_fixtures() {
    let now = Instant::now();
    let handlers = resources(fixture_paths(), now).handlers();
    let ctx = ctx(now);
    let names: Vec<String> = walk(&handlers, &ctx)
        .iter()
        .map(|vb| vb.name.to_string())
        .filter(|name| name.starts_with("1.3.6.1.2.1.25.3."))
        .collect();
    let expected_indexes = [
        "1.3.6.1.2.1.25.3.2.1.1.196608",
        "1.3.6.1.2.1.25.3.2.1.1.196609",
        "1.3.6.1.2.1.25.3.2.1.1.262145",
        "1.3.6.1.2.1.25.3.2.1.1.262146",
        "1.3.6.1.2.1.25.3.2.1.1.262147",
        "1.3.6.1.2.1.25.3.2.1.1.262148",
    ];
    assert_eq!(names[..6], expected_indexes);
    // hrDeviceTable: 5 columns of 6 rows + hrDeviceErrors of 4 network rows;
    // hrProcessorTable: 2 columns of 2 rows; hrNetworkTable: 4 rows; hrFSTable: 9 columns of
    // the 4 file systems.
    assert_eq!(names.len(), 5 * 6 + 4 + 2 * 2 + 4 + 9 * 4);
    let get = |name: &str| value(&handlers, &ctx, name);
    assert_eq!(
        get("1.3.6.1.2.1.25.3.2.1.3.196608"),
        Value::OctetString("AuthenticAMD: AMD EPYC".into())
    );
    assert_eq!(
        get("1.3.6.1.2.1.25.3.2.1.3.262148"),
        Value::OctetString("network interface eth0".into())
    );
    assert_eq!(get("1.3.6.1.2.1.25.3.2.1.5.262145"), Value::Integer(2));
    assert_eq!(get("1.3.6.1.2.1.25.3.2.1.5.262146"), Value::Integer(5));
    assert_eq!(get("1.3.6.1.2.1.25.3.2.1.6.196608"), Value::NoSuchInstance);
    assert_eq!(get("1.3.6.1.2.1.25.3.4.1.1.262148"), Value::Integer(4));
    // One sample of the fixture's /proc/stat: the load since boot, 122985 busy of 284980.
    assert_eq!(get("1.3.6.1.2.1.25.3.3.1.2.196608"), Value::Integer(43));
    assert_eq!(
        get("1.3.6.1.2.1.25.3.3.1.1.196609"),
        Value::ObjectIdentifier("0.0".parse().unwrap())
    );
}

#[test]
fn processor_load_uses_the_sample_window() {
    let dir = tempfile::tempdir().unwrap();
    let write_stat = |busy: u64, idle: u64| {
        std::fs::write(dir.path().join("stat"), format!("cpu0 {busy} 0 0 {idle}\n")).unwrap();
    };
    write_stat(10, 90);
    let start = Instant::now();
    let paths = HostPaths::new(dir.path(), dir.path(), dir.path().join("utmp"));
    let resources = resources(paths, start);
    resources.sample_processors(start);
    write_stat(60, 140);
    // Within the sample interval nothing is read again.
    resources.sample_processors(start + Duration::from_secs(1));
    assert_eq!(
        resources.processor_loads(start + Duration::from_secs(2)),
        [10]
    );
    assert_eq!(
        resources.processor_loads(start + LOAD_SAMPLE_INTERVAL),
        [50]
    );
}

#[test]
fn an_unreadable_host_still_answers() {
    let now = Instant::now();
    let missing = HostPaths::new("/nonexistent", "/nonexistent", "/nonexistent");
    let handlers = resources(missing, now).handlers();
    let names: Vec<String> = walk(&handlers, &ctx(now))
        .iter()
        .map(|vb| vb.name.to_string())
        .collect();
    // hrSystemUptime is absent; memory rows are zero; no device.
    assert_eq!(
        names.first().map(String::as_str),
        Some("1.3.6.1.2.1.25.1.2.0")
    );
    assert!(names.contains(&"1.3.6.1.2.1.25.2.3.1.5.1".to_owned()));
    assert!(!names.iter().any(|n| n.starts_with("1.3.6.1.2.1.25.3.")));
}

#[test]
fn file_systems_from_fixtures() {
    let now = Instant::now();
    let handlers = resources(fixture_paths(), now).handlers();
    let ctx = ctx(now);
    let get = |name: &str| value(&handlers, &ctx, name);
    // As snmpd: indexes 4, 6, 7, 8; `/` is ext (hrFSLinuxExt2), read-write, bootable.
    assert_eq!(
        get("1.3.6.1.2.1.25.3.8.1.2.6"),
        Value::OctetString("/".into())
    );
    assert_eq!(
        get("1.3.6.1.2.1.25.3.8.1.4.6"),
        Value::ObjectIdentifier("1.3.6.1.2.1.25.3.9.23".parse().unwrap())
    );
    assert_eq!(
        get("1.3.6.1.2.1.25.3.8.1.4.4"),
        Value::ObjectIdentifier("1.3.6.1.2.1.25.3.9.1".parse().unwrap())
    );
    assert_eq!(get("1.3.6.1.2.1.25.3.8.1.5.6"), Value::Integer(1));
    assert_eq!(get("1.3.6.1.2.1.25.3.8.1.5.7"), Value::Integer(2));
    assert_eq!(get("1.3.6.1.2.1.25.3.8.1.6.6"), Value::Integer(1));
    assert_eq!(get("1.3.6.1.2.1.25.3.8.1.6.8"), Value::Integer(2));
    assert_eq!(get("1.3.6.1.2.1.25.3.8.1.7.8"), Value::Integer(38));
    assert_eq!(
        get("1.3.6.1.2.1.25.3.8.1.9.4"),
        Value::OctetString(Bytes::from_static(&[0, 0, 1, 1, 0, 0, 0, 0]))
    );
    assert_eq!(get("1.3.6.1.2.1.25.3.8.1.2.5"), Value::NoSuchInstance);
}
