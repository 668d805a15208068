//! `resolve_target`: Net-SNMP's agent address syntax, with name resolution.

use std::net::SocketAddr;

use vigie_net::{AddressFamily, TargetError, resolve_target};

async fn resolved(spec: &str) -> SocketAddr {
    resolve_target(spec, 161)
        .await
        .unwrap_or_else(|error| panic!("{spec}: {error}"))
}

#[tokio::test]
async fn literal_addresses() {
    assert_eq!(
        resolved("127.0.0.1").await,
        "127.0.0.1:161".parse().unwrap()
    );
    assert_eq!(
        resolved("127.0.0.1:1161").await,
        "127.0.0.1:1161".parse().unwrap()
    );
    assert_eq!(
        resolved("udp:10.1.2.3:99").await,
        "10.1.2.3:99".parse().unwrap()
    );
    assert_eq!(resolved("::1").await, "[::1]:161".parse().unwrap());
    assert_eq!(resolved("[::1]:1161").await, "[::1]:1161".parse().unwrap());
    assert_eq!(
        resolved("udp6:[::1]:1161").await,
        "[::1]:1161".parse().unwrap()
    );
    assert_eq!(resolved("udp6:::1").await, "[::1]:161".parse().unwrap());
    assert_eq!(resolved("2000").await, "127.0.0.1:2000".parse().unwrap());
}

#[tokio::test]
async fn names_resolve_ipv4_first() {
    assert_eq!(
        resolved("localhost").await,
        "127.0.0.1:161".parse().unwrap()
    );
    assert_eq!(
        resolved("localhost:1161").await,
        "127.0.0.1:1161".parse().unwrap()
    );
    assert_eq!(
        resolved("udp:localhost:7").await,
        "127.0.0.1:7".parse().unwrap()
    );
}

#[tokio::test]
async fn the_default_port_applies() {
    let address = resolve_target("127.0.0.1", 162).await.unwrap();
    assert_eq!(address.port(), 162);
}

#[tokio::test]
async fn errors_are_typed() {
    assert!(matches!(
        resolve_target("tcp:localhost:161", 161).await,
        Err(TargetError::UnknownTransport { transport }) if transport == "tcp"
    ));
    assert!(matches!(
        resolve_target("localhost:99999", 161).await,
        Err(TargetError::BadPort { port }) if port == "99999"
    ));
    assert!(matches!(
        resolve_target("udp6:127.0.0.1", 161).await,
        Err(TargetError::NoAddress {
            family: AddressFamily::Ipv6,
            ..
        })
    ));
    // `.invalid` never resolves (RFC 6761 §6.4).
    let error = resolve_target("no-such-host.invalid:161", 161)
        .await
        .unwrap_err();
    let TargetError::Unresolvable { host, .. } = &error else {
        panic!("expected Unresolvable, got {error:?}");
    };
    assert_eq!(host, "no-such-host.invalid");
    assert!(error.to_string().contains("no-such-host.invalid"));
}
