//! SNMP-USER-BASED-SM-MIB's usmUser group (RFC 3414 §5), read-only: `usmUserSpinLock` and
//! `usmUserTable` with each user's protocols, never a key (the `KeyChange` columns read as
//! empty strings, as RFC 3414 requires).

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Instant;

use bytes::Bytes;
use vigie_snmp::usm::Credentials;
use vigie_snmp::{Oid, Value};

use crate::mib::{Composite, Row, Scalar, ScalarGroup, Table, TableSource, index};

/// The users as configured: name and credentials. Shared with the configuration reload.
pub type Users = Arc<RwLock<Vec<(Bytes, Credentials)>>>;

/// The usmUser group at 1.3.6.1.6.3.15.1.2 for the engine `engine_id`.
pub fn user_group(engine_id: Bytes, users: Users) -> Composite {
    let root = oid(USM_USER);
    let spin_lock = ScalarGroup::new(root.clone(), vec![Scalar::constant(1, Value::Integer(0))]);
    let table = Table::new(oid(USM_USER_TABLE), UserTable { engine_id, users });
    Composite::new(root, vec![Box::new(spin_lock), Box::new(table)])
}

/// usmUserTable's rows, indexed by (usmUserEngineID, usmUserName).
struct UserTable {
    engine_id: Bytes,
    users: Users,
}

impl TableSource for UserTable {
    fn rows(&self, _now: Instant) -> Vec<Row> {
        let users = self.users.read().unwrap_or_else(PoisonError::into_inner);
        users
            .iter()
            .map(|(name, credentials)| {
                let mut arcs = index::octets(&self.engine_id);
                arcs.extend(index::octets(name));
                let privacy = credentials
                    .priv_protocol()
                    .map_or_else(|| oid(NO_PRIV), |protocol| protocol.oid());
                let empty = Value::OctetString(Bytes::new());
                Row::new(arcs)
                    .cell(3, Value::OctetString(name.clone()))
                    .cell(4, Value::ObjectIdentifier(oid(ZERO_DOT_ZERO)))
                    .cell(
                        5,
                        Value::ObjectIdentifier(credentials.auth_protocol().oid()),
                    )
                    .cell(6, empty.clone())
                    .cell(7, empty.clone())
                    .cell(8, Value::ObjectIdentifier(privacy))
                    .cell(9, empty.clone())
                    .cell(10, empty.clone())
                    .cell(11, empty)
                    // permanent(4): configured in the file, not created over SNMP.
                    .cell(12, Value::Integer(4))
                    // active(1).
                    .cell(13, Value::Integer(1))
            })
            .collect()
    }
}

fn oid(arcs: &[u32]) -> Oid {
    // Only this module's constants come here, and they are valid OIDs.
    Oid::new(arcs).expect("constant OIDs are valid")
}

const USM_USER: &[u32] = &[1, 3, 6, 1, 6, 3, 15, 1, 2];
const USM_USER_TABLE: &[u32] = &[1, 3, 6, 1, 6, 3, 15, 1, 2, 2];
const NO_PRIV: &[u32] = &[1, 3, 6, 1, 6, 3, 10, 1, 2, 1];
const ZERO_DOT_ZERO: &[u32] = &[0, 0];

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, SocketAddr};

    use vigie_snmp::Version;
    use vigie_snmp::usm::{AuthProtocol, KeyInput, PrivProtocol};

    use super::*;
    use crate::mib::{Mib, RequestCtx};

    #[test]
    fn lists_users_and_their_protocols_but_no_key() {
        let credentials =
            Credentials::new(AuthProtocol::Sha1, KeyInput::Password(b"alicepassword"))
                .unwrap()
                .with_privacy(PrivProtocol::Aes128, KeyInput::Password(b"aliceprivpass"))
                .unwrap();
        let users: Users = Arc::new(RwLock::new(vec![(Bytes::from_static(b"al"), credentials)]));
        let group = user_group(Bytes::from_static(&[0x80, 1]), users);
        let ctx = RequestCtx {
            now: Instant::now(),
            version: Version::V2c,
            from: SocketAddr::from((Ipv4Addr::LOCALHOST, 1)),
        };
        let mut at: Oid = "1.3.6.1.6.3.15.1.2".parse().unwrap();
        let mut seen = Vec::new();
        while let Some(varbind) = group.get_next(&ctx, &at) {
            seen.push((varbind.name.to_string(), varbind.value.clone()));
            at = varbind.name;
        }
        assert_eq!(
            seen[0],
            ("1.3.6.1.6.3.15.1.2.1.0".to_owned(), Value::Integer(0))
        );
        // Engine ID 80:01 and name "al" as length-prefixed strings (RFC 2578 §7.7).
        assert_eq!(seen[1].0, "1.3.6.1.6.3.15.1.2.2.1.3.2.128.1.2.97.108");
        assert_eq!(seen.len(), 12);
        let auth = &seen[3].1;
        assert_eq!(*auth, Value::ObjectIdentifier(AuthProtocol::Sha1.oid()));
        assert!(seen.iter().all(|(_, value)| match value {
            Value::OctetString(bytes) => bytes.is_empty() || bytes.as_ref() == b"al",
            _ => true,
        }));
    }
}
