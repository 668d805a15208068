//! SNMP-VIEW-BASED-ACM-MIB's tables (RFC 3415 §4), read-only: vacmContextTable,
//! vacmSecurityToGroupTable, vacmAccessTable, vacmViewSpinLock and vacmViewTreeFamilyTable,
//! from the access rules the agent enforces.

use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};
use std::time::Instant;

use bytes::Bytes;
use vigie_snmp::vacm::{Vacm, ViewType};
use vigie_snmp::{Oid, Value};

use crate::mib::{Composite, Row, Scalar, ScalarGroup, Table, TableSource, index};

/// The access rules, shared by the agent's configuration reload and these tables.
pub type SharedVacm = Arc<RwLock<Vacm>>;

/// The vacmMIBObjects subtree at 1.3.6.1.6.3.16.1.
pub fn vacm_group(vacm: &SharedVacm) -> Composite {
    let views = Composite::new(
        oid(VACM_MIB_VIEWS),
        vec![
            Box::new(ScalarGroup::new(
                oid(VACM_MIB_VIEWS),
                vec![Scalar::constant(1, Value::Integer(0))],
            )),
            Box::new(Table::new(
                oid(VIEW_TREE_FAMILY_TABLE),
                Families(Arc::clone(vacm)),
            )),
        ],
    );
    Composite::new(
        oid(VACM_MIB_OBJECTS),
        vec![
            Box::new(Table::new(oid(CONTEXT_TABLE), Contexts(Arc::clone(vacm)))),
            Box::new(Table::new(
                oid(SECURITY_TO_GROUP_TABLE),
                Groups(Arc::clone(vacm)),
            )),
            Box::new(Table::new(oid(ACCESS_TABLE), Access(Arc::clone(vacm)))),
            Box::new(views),
        ],
    )
}

/// vacmContextTable: vacmContextName (1), which is also the index.
struct Contexts(SharedVacm);

impl TableSource for Contexts {
    fn rows(&self, _now: Instant) -> Vec<Row> {
        read(&self.0)
            .contexts()
            .map(|name| Row::new(index::octets(name.as_bytes())).cell(1, octets(name.as_bytes())))
            .collect()
    }
}

/// vacmSecurityToGroupTable, indexed by (vacmSecurityModel, vacmSecurityName).
struct Groups(SharedVacm);

impl TableSource for Groups {
    fn rows(&self, _now: Instant) -> Vec<Row> {
        read(&self.0)
            .groups()
            .map(|(model, name, group)| {
                let mut arcs = vec![u32::from(model.code())];
                arcs.extend(index::octets(name.as_bytes()));
                Row::new(arcs)
                    .cell(3, octets(group.as_bytes()))
                    .cell(4, Value::Integer(PERMANENT))
                    .cell(5, Value::Integer(ACTIVE))
            })
            .collect()
    }
}

/// vacmAccessTable, indexed by (vacmGroupName, vacmAccessContextPrefix,
/// vacmAccessSecurityModel, vacmAccessSecurityLevel).
struct Access(SharedVacm);

impl TableSource for Access {
    fn rows(&self, _now: Instant) -> Vec<Row> {
        read(&self.0)
            .access_entries()
            .map(|entry| {
                let mut arcs = index::octets(entry.group().as_bytes());
                arcs.extend(index::octets(entry.context_prefix().as_bytes()));
                arcs.push(u32::from(entry.model().code()));
                arcs.push(u32::from(entry.level().code()));
                let view = |view_type| {
                    octets(
                        entry
                            .view(view_type)
                            .map_or(&b""[..], |name| name.as_bytes()),
                    )
                };
                Row::new(arcs)
                    .cell(4, Value::Integer(entry.context_match() as i32))
                    .cell(5, view(ViewType::Read))
                    .cell(6, view(ViewType::Write))
                    .cell(7, view(ViewType::Notify))
                    .cell(8, Value::Integer(PERMANENT))
                    .cell(9, Value::Integer(ACTIVE))
            })
            .collect()
    }
}

/// vacmViewTreeFamilyTable, indexed by (vacmViewTreeFamilyViewName,
/// vacmViewTreeFamilySubtree).
struct Families(SharedVacm);

impl TableSource for Families {
    fn rows(&self, _now: Instant) -> Vec<Row> {
        let vacm = read(&self.0);
        let mut rows = Vec::new();
        for (name, view) in vacm.views() {
            for family in view.families() {
                let subtree = family.subtree().arcs();
                let mut arcs = index::octets(name.as_bytes());
                // An OBJECT IDENTIFIER index: its length, then its arcs (RFC 2578 §7.7).
                arcs.push(u32::try_from(subtree.len()).unwrap_or(u32::MAX));
                arcs.extend_from_slice(subtree);
                rows.push(
                    Row::new(arcs)
                        .cell(3, octets(family.mask().octets()))
                        .cell(4, Value::Integer(family.kind() as i32))
                        .cell(5, Value::Integer(PERMANENT))
                        .cell(6, Value::Integer(ACTIVE)),
                );
            }
        }
        rows
    }
}

fn read(vacm: &SharedVacm) -> RwLockReadGuard<'_, Vacm> {
    vacm.read().unwrap_or_else(PoisonError::into_inner)
}

fn octets(bytes: &[u8]) -> Value {
    Value::OctetString(Bytes::copy_from_slice(bytes))
}

fn oid(arcs: &[u32]) -> Oid {
    // Only this module's constants come here, and they are valid OIDs.
    Oid::new(arcs).expect("constant OIDs are valid")
}

const VACM_MIB_OBJECTS: &[u32] = &[1, 3, 6, 1, 6, 3, 16, 1];
const CONTEXT_TABLE: &[u32] = &[1, 3, 6, 1, 6, 3, 16, 1, 1];
const SECURITY_TO_GROUP_TABLE: &[u32] = &[1, 3, 6, 1, 6, 3, 16, 1, 2];
const ACCESS_TABLE: &[u32] = &[1, 3, 6, 1, 6, 3, 16, 1, 4];
const VACM_MIB_VIEWS: &[u32] = &[1, 3, 6, 1, 6, 3, 16, 1, 5];
const VIEW_TREE_FAMILY_TABLE: &[u32] = &[1, 3, 6, 1, 6, 3, 16, 1, 5, 2];
/// `StorageType` permanent(4): from the configuration file, not created over SNMP.
const PERMANENT: i32 = 4;
/// `RowStatus` active(1).
const ACTIVE: i32 = 1;

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, SocketAddr};

    use vigie_snmp::Version;
    use vigie_snmp::community::CommunityTable;
    use vigie_snmp::vacm::{Permission, Shorthand, ViewScope};

    use super::*;
    use crate::mib::{Mib, RequestCtx};

    #[test]
    fn the_tables_show_what_rocommunity_created() {
        let mut vacm = Vacm::new();
        let mut communities = CommunityTable::new();
        Shorthand::new()
            .community(
                &mut vacm,
                &mut communities,
                Permission::ReadOnly,
                "public",
                None,
                ViewScope::All,
                None,
            )
            .unwrap();
        let group = vacm_group(&Arc::new(RwLock::new(vacm)));
        let ctx = RequestCtx {
            now: Instant::now(),
            version: Version::V2c,
            from: SocketAddr::from((Ipv4Addr::LOCALHOST, 1)),
        };
        let mut at: Oid = "1.3.6.1.6.3.16".parse().unwrap();
        let mut seen = Vec::new();
        while let Some(varbind) = group.get_next(&ctx, &at) {
            assert!(varbind.name > at);
            seen.push(varbind.name.to_string());
            at = varbind.name;
        }
        // The default context "" (index: length 0).
        assert_eq!(seen[0], "1.3.6.1.6.3.16.1.1.1.1.0");
        // comm1 in grpcomm1, for v1 (1) and v2c (2).
        assert!(seen.contains(&"1.3.6.1.6.3.16.1.2.1.3.1.5.99.111.109.109.49".to_owned()));
        assert!(seen.contains(&"1.3.6.1.6.3.16.1.2.1.3.2.5.99.111.109.109.49".to_owned()));
        assert!(seen.contains(&"1.3.6.1.6.3.16.1.5.1.0".to_owned()));
        assert!(
            seen.iter()
                .any(|name| name.starts_with("1.3.6.1.6.3.16.1.4.1.5."))
        );
        assert!(
            seen.iter()
                .any(|name| name.starts_with("1.3.6.1.6.3.16.1.5.2.1.4."))
        );
    }
}
