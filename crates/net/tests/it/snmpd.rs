//! Against a real Net-SNMP `snmpd` on loopback.

use bytes::Bytes;
use vigie_net::{Client, WalkEnd, WalkOptions};
use vigie_snmp::{ErrorStatus, Oid, Value, VarBind, Version};

use crate::support::{Snmpd, oid};

const SYSTEM: &str = "1.3.6.1.2.1.1";
const SYS_DESCR: &str = "1.3.6.1.2.1.1.1.0";
const SYS_NAME: &str = "1.3.6.1.2.1.1.5.0";
const SYS_LOCATION: &str = "1.3.6.1.2.1.1.6.0";

#[tokio::test]
async fn get_and_get_next_v1_and_v2c() {
    let Some(snmpd) = Snmpd::start(false).await else {
        return;
    };
    for version in [Version::V1, Version::V2c] {
        let client = Client::new(snmpd.session(version, "public")).await.unwrap();
        let pdu = client.get(&[oid(SYS_LOCATION)]).await.unwrap();
        assert_eq!(pdu.error_status, ErrorStatus::NoError);
        assert_eq!(
            pdu.varbinds,
            [VarBind {
                name: oid(SYS_LOCATION),
                value: Value::OctetString(Bytes::from_static(b"vigie-test-lab")),
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
    let Some(snmpd) = Snmpd::start(false).await else {
        return;
    };
    let v1 = Client::new(snmpd.session(Version::V1, "public"))
        .await
        .unwrap();
    let pdu = v1.get(&[oid("1.3.6.1.2.1.1.99.0")]).await.unwrap();
    assert_eq!(pdu.error_status, ErrorStatus::NoSuchName);
    assert_eq!(pdu.error_index, 1);

    let v2c = Client::new(snmpd.session(Version::V2c, "public"))
        .await
        .unwrap();
    let pdu = v2c.get(&[oid("1.3.6.1.2.1.1.99.0")]).await.unwrap();
    assert_eq!(pdu.error_status, ErrorStatus::NoError);
    assert_eq!(pdu.varbinds[0].value, Value::NoSuchObject);
}

#[tokio::test]
async fn get_bulk_v2c() {
    let Some(snmpd) = Snmpd::start(false).await else {
        return;
    };
    let client = Client::new(snmpd.session(Version::V2c, "public"))
        .await
        .unwrap();
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

    let v1 = Client::new(snmpd.session(Version::V1, "public"))
        .await
        .unwrap();
    assert!(matches!(
        v1.get_bulk(0, 3, &[oid(SYSTEM)]).await,
        Err(vigie_net::RequestError::NotInV1 { .. })
    ));
}

#[tokio::test]
async fn set_v1_and_v2c() {
    let Some(snmpd) = Snmpd::start(false).await else {
        return;
    };
    for (version, name) in [
        (Version::V1, &b"vigie-v1"[..]),
        (Version::V2c, &b"vigie-v2c"[..]),
    ] {
        let writer = Client::new(snmpd.session(version, "private"))
            .await
            .unwrap();
        let value = Value::OctetString(Bytes::copy_from_slice(name));
        let pdu = writer
            .set(vec![VarBind {
                name: oid(SYS_NAME),
                value: value.clone(),
            }])
            .await
            .unwrap();
        assert_eq!(pdu.error_status, ErrorStatus::NoError);
        let reader = Client::new(snmpd.session(version, "public")).await.unwrap();
        let read = reader.get(&[oid(SYS_NAME)]).await.unwrap();
        assert_eq!(read.varbinds[0].value, value);
    }

    // sysLocation is set in snmpd.conf, so it is read-only.
    let writer = Client::new(snmpd.session(Version::V2c, "private"))
        .await
        .unwrap();
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
    let Some(snmpd) = Snmpd::start(false).await else {
        return;
    };
    let cases = [
        (Version::V1, None, "1", "snmpwalk"),
        (Version::V2c, None, "2c", "snmpwalk"),
        (Version::V2c, Some(5), "2c", "snmpbulkwalk"),
        (Version::V2c, Some(1), "2c", "snmpbulkwalk"),
        // A v1 session walks with GETNEXT even when asked for GETBULK.
        (Version::V1, Some(5), "1", "snmpwalk"),
    ];
    for (version, max_repetitions, net_snmp_version, tool) in cases {
        let client = Client::new(snmpd.session(version, "public")).await.unwrap();
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

        let Some(output) = snmpd.net_snmp(tool, net_snmp_version, &[SYSTEM]) else {
            eprintln!("{tool} not available; compared with nothing");
            continue;
        };
        let expected: Vec<Oid> = output
            .lines()
            .filter_map(|line| line.split_whitespace().next())
            .map(oid)
            .collect();
        assert_eq!(names, expected, "{version:?} {max_repetitions:?} vs {tool}");
    }
}

#[tokio::test]
async fn concurrent_requests_share_one_client() {
    let Some(snmpd) = Snmpd::start(false).await else {
        return;
    };
    let client = Client::new(snmpd.session(Version::V2c, "public"))
        .await
        .unwrap();
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
    let Some(snmpd) = Snmpd::start(true).await else {
        return;
    };
    let client = Client::new(snmpd.session(Version::V2c, "public"))
        .await
        .unwrap();
    assert!(client.local_addr().is_ipv6());
    let pdu = client.get(&[oid(SYS_LOCATION)]).await.unwrap();
    assert_eq!(
        pdu.varbinds[0].value,
        Value::OctetString(Bytes::from_static(b"vigie-test-lab"))
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
