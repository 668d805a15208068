//! Against a real Net-SNMP `snmpd` on loopback.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use vigie_interop::{Peer, Snmpd, require, run_netsnmp};
use vigie_net::{Client, Session, WalkEnd, WalkOptions};
use vigie_snmp::{ErrorStatus, Oid, Value, VarBind, Version};

use crate::support::oid;

const SYSTEM: &str = "1.3.6.1.2.1.1";
const SYS_DESCR: &str = "1.3.6.1.2.1.1.1.0";
const SYS_NAME: &str = "1.3.6.1.2.1.1.5.0";
const SYS_LOCATION: &str = "1.3.6.1.2.1.1.6.0";
/// `sysLocation.0` as configured; `sysName.0` stays writable.
const LOCATION: &str = "vigie-test-lab";

/// An `snmpd` with its own system group but `sysLocation` fixed to [`LOCATION`]; `None`
/// (the test returns) when `snmpd` is not installed.
fn start_snmpd() -> Option<Snmpd> {
    Snmpd::start_netsnmp_system(&format!("sysLocation {LOCATION}"))
}

/// A session to `address` with `community`, patient enough for a loaded machine.
fn session(address: SocketAddr, version: Version, community: &'static str) -> Session {
    let mut session = Session::new(address, version, community);
    session.timeout = Duration::from_millis(500);
    session.retries = 2;
    session
}

/// A client of `snmpd` over IPv4.
async fn connect(snmpd: &Snmpd, version: Version, community: &'static str) -> Client {
    Client::new(session(snmpd.address(), version, community))
        .await
        .expect("a client socket")
}

/// The OIDs a Net-SNMP walk `tool` prints for `root` (`-On -Oq`), in order.
fn net_snmp_walk(snmpd: &Snmpd, tool: Peer, version: &str, root: &str) -> Vec<Oid> {
    let target = snmpd.target();
    let args = [
        "-On", "-Oq", "-v", version, "-c", "public", "-t", "1", "-r", "2", &target, root,
    ];
    let out = run_netsnmp(tool, &args);
    assert!(out.success(), "{out}");
    out.stdout
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(oid)
        .collect()
}

#[tokio::test]
async fn get_and_get_next_v1_and_v2c() {
    let Some(snmpd) = start_snmpd() else {
        return;
    };
    for version in [Version::V1, Version::V2c] {
        let client = connect(&snmpd, version, "public").await;
        let pdu = client.get(&[oid(SYS_LOCATION)]).await.unwrap();
        assert_eq!(pdu.error_status, ErrorStatus::NoError);
        assert_eq!(
            pdu.varbinds,
            [VarBind {
                name: oid(SYS_LOCATION),
                value: Value::OctetString(Bytes::from_static(LOCATION.as_bytes())),
            }]
        );

        let pdu = client.get_next(&[oid(SYSTEM)]).await.unwrap();
        assert_eq!(pdu.varbinds.len(), 1);
        assert_eq!(pdu.varbinds[0].name, oid(SYS_DESCR));
        assert!(matches!(pdu.varbinds[0].value, Value::OctetString(_)));
        assert_eq!(client.stats().responses, 2);
    }
}

#[tokio::test]
async fn errors_are_data_in_the_pdu() {
    let Some(snmpd) = start_snmpd() else {
        return;
    };
    let v1 = connect(&snmpd, Version::V1, "public").await;
    let pdu = v1.get(&[oid("1.3.6.1.2.1.1.99.0")]).await.unwrap();
    assert_eq!(pdu.error_status, ErrorStatus::NoSuchName);
    assert_eq!(pdu.error_index, 1);

    let v2c = connect(&snmpd, Version::V2c, "public").await;
    let pdu = v2c.get(&[oid("1.3.6.1.2.1.1.99.0")]).await.unwrap();
    assert_eq!(pdu.error_status, ErrorStatus::NoError);
    assert_eq!(pdu.varbinds[0].value, Value::NoSuchObject);
}

#[tokio::test]
async fn get_bulk_v2c() {
    let Some(snmpd) = start_snmpd() else {
        return;
    };
    let client = connect(&snmpd, Version::V2c, "public").await;
    let pdu = client
        .get_bulk(1, 3, &[oid(SYSTEM), oid(SYSTEM)])
        .await
        .unwrap();
    let names: Vec<String> = pdu.varbinds.iter().map(|vb| vb.name.to_string()).collect();
    assert_eq!(
        names,
        [
            SYS_DESCR,
            SYS_DESCR,
            "1.3.6.1.2.1.1.2.0",
            "1.3.6.1.2.1.1.3.0"
        ]
    );

    let v1 = connect(&snmpd, Version::V1, "public").await;
    assert!(matches!(
        v1.get_bulk(0, 3, &[oid(SYSTEM)]).await,
        Err(vigie_net::RequestError::NotInV1 { .. })
    ));
}

#[tokio::test]
async fn set_v1_and_v2c() {
    let Some(snmpd) = start_snmpd() else {
        return;
    };
    for (version, name) in [
        (Version::V1, &b"vigie-v1"[..]),
        (Version::V2c, &b"vigie-v2c"[..]),
    ] {
        let writer = connect(&snmpd, version, "private").await;
        let value = Value::OctetString(Bytes::copy_from_slice(name));
        let pdu = writer
            .set(vec![VarBind {
                name: oid(SYS_NAME),
                value: value.clone(),
            }])
            .await
            .unwrap();
        assert_eq!(pdu.error_status, ErrorStatus::NoError);
        let reader = connect(&snmpd, version, "public").await;
        let read = reader.get(&[oid(SYS_NAME)]).await.unwrap();
        assert_eq!(read.varbinds[0].value, value);
    }

    // sysLocation is set in snmpd.conf, so it is read-only.
    let writer = connect(&snmpd, Version::V2c, "private").await;
    let pdu = writer
        .set(vec![VarBind {
            name: oid(SYS_LOCATION),
            value: Value::OctetString(Bytes::from_static(b"elsewhere")),
        }])
        .await
        .unwrap();
    assert_eq!(pdu.error_status, ErrorStatus::NotWritable);
}

#[tokio::test]
async fn walks_match_net_snmp() {
    let Some(snmpd) = start_snmpd() else {
        return;
    };
    let cases = [
        (Version::V1, None, "1", Peer::Snmpwalk),
        (Version::V2c, None, "2c", Peer::Snmpwalk),
        (Version::V2c, Some(5), "2c", Peer::Snmpbulkwalk),
        (Version::V2c, Some(1), "2c", Peer::Snmpbulkwalk),
        // A v1 session walks with GETNEXT even when asked for GETBULK.
        (Version::V1, Some(5), "1", Peer::Snmpwalk),
    ];
    for (version, max_repetitions, net_snmp_version, tool) in cases {
        let client = connect(&snmpd, version, "public").await;
        let options = WalkOptions {
            max_repetitions,
            check_increasing: true,
        };
        let mut walk = client.walk(oid(SYSTEM), options);
        let mut names: Vec<Oid> = Vec::new();
        while let Some(varbind) = walk.next().await {
            names.push(varbind.unwrap().name);
        }
        assert!(
            matches!(walk.end(), Some(WalkEnd::LeftSubtree(_))),
            "{:?}",
            walk.end()
        );
        assert!(
            names.len() > 10,
            "{version:?}: only {} varbinds",
            names.len()
        );
        assert!(names.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(names.iter().all(|name| name.starts_with(&oid(SYSTEM))));

        if !require(&[tool]) {
            continue;
        }
        let expected = net_snmp_walk(&snmpd, tool, net_snmp_version, SYSTEM);
        assert_eq!(
            names,
            expected,
            "{version:?} {max_repetitions:?} vs {}",
            tool.program()
        );
    }
}

#[tokio::test]
async fn concurrent_requests_share_one_client() {
    let Some(snmpd) = start_snmpd() else {
        return;
    };
    let client = connect(&snmpd, Version::V2c, "public").await;
    let names = [
        SYS_DESCR,
        "1.3.6.1.2.1.1.2.0",
        "1.3.6.1.2.1.1.3.0",
        SYS_LOCATION,
    ];
    let [a, b, c, d] = names.map(|name| [oid(name)]);
    let (a, b, c, d) = tokio::join!(
        client.get(&a),
        client.get(&b),
        client.get(&c),
        client.get(&d)
    );
    for (name, pdu) in names.iter().zip([a, b, c, d]) {
        assert_eq!(pdu.unwrap().varbinds[0].name, oid(name));
    }
}

#[tokio::test]
async fn ipv6_loopback() {
    let Some(snmpd) = start_snmpd() else {
        return;
    };
    let Some(address) = snmpd.address6() else {
        eprintln!("skipped: no IPv6 loopback (::1) on this machine");
        return;
    };
    let client = Client::new(session(address, Version::V2c, "public"))
        .await
        .unwrap();
    assert!(client.local_addr().is_ipv6());
    let pdu = client.get(&[oid(SYS_LOCATION)]).await.unwrap();
    assert_eq!(
        pdu.varbinds[0].value,
        Value::OctetString(Bytes::from_static(LOCATION.as_bytes()))
    );
    let mut walk = client.walk(
        oid(SYSTEM),
        WalkOptions {
            max_repetitions: Some(10),
            check_increasing: true,
        },
    );
    let mut count = 0;
    while let Some(varbind) = walk.next().await {
        varbind.unwrap();
        count += 1;
    }
    assert!(count > 10);
}
