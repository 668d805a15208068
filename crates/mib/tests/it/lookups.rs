//! Names to OIDs and back, and object facts, on Net-SNMP's standard set.

use vigie_mib::{Access, BaseType, LookupError, NodeKind, Status};
use vigie_snmp::Oid;

use crate::netsnmp;

fn oid(s: &str) -> Oid {
    s.parse().expect("test OIDs are valid")
}

#[test]
fn names_resolve_in_every_form_net_snmp_accepts() {
    let Some(mib) = netsnmp("names_resolve_in_every_form_net_snmp_accepts") else {
        return;
    };
    let cases = [
        ("sysDescr", "1.3.6.1.2.1.1.1"),
        ("sysDescr.0", "1.3.6.1.2.1.1.1.0"),
        ("SNMPv2-MIB::sysDescr", "1.3.6.1.2.1.1.1"),
        ("SNMPv2-MIB::sysDescr.0", "1.3.6.1.2.1.1.1.0"),
        ("IF-MIB::ifDescr.3", "1.3.6.1.2.1.2.2.1.2.3"),
        ("iso.org.dod.internet.mgmt", "1.3.6.1.2"),
        (".iso.org.dod.internet.mgmt.mib-2.system", "1.3.6.1.2.1.1"),
        ("iso.3.6.1.private.enterprises", "1.3.6.1.4.1"),
        (".1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.1.0"),
        ("1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.1.0"),
        ("enterprises.8072", "1.3.6.1.4.1.8072"),
        ("RFC1213-MIB::ifDescr", "1.3.6.1.2.1.2.2.1.2"),
        ("ifMIB.ifMIBObjects", "1.3.6.1.2.1.31.1"),
        (" IF-MIB::ifIndex.7 ", "1.3.6.1.2.1.2.2.1.1.7"),
    ];
    for (name, expected) in cases {
        assert_eq!(mib.resolve(name), Ok(oid(expected)), "{name}");
    }
    assert_eq!(mib.resolve_arcs("iso"), Ok(vec![1]));
    assert!(matches!(mib.resolve("iso"), Err(LookupError::Oid(_))));
    assert_eq!(mib.resolve(""), Err(LookupError::Empty));
    assert_eq!(
        mib.resolve("NO-SUCH-MIB::x"),
        Err(LookupError::UnknownModule("NO-SUCH-MIB".into()))
    );
    assert_eq!(
        mib.resolve("noSuchObject.0"),
        Err(LookupError::UnknownName("noSuchObject".into()))
    );
    assert_eq!(
        mib.resolve("IF-MIB::sysDescr"),
        Err(LookupError::UnknownName("sysDescr".into()))
    );
    assert_eq!(
        mib.resolve("sysDescr.x"),
        Err(LookupError::InvalidArc("x".into()))
    );
    assert_eq!(
        mib.resolve("sysDescr..0"),
        Err(LookupError::InvalidArc(String::new()))
    );
    assert_eq!(
        mib.resolve("sysDescr.4294967296"),
        Err(LookupError::InvalidArc("4294967296".into()))
    );
}

#[test]
fn oids_render_as_module_name_and_index() {
    let Some(mib) = netsnmp("oids_render_as_module_name_and_index") else {
        return;
    };
    let cases = [
        ("1.3.6.1.2.1.1.1.0", "SNMPv2-MIB::sysDescr.0"),
        ("1.3.6.1.2.1.2.2.1.7.3", "IF-MIB::ifAdminStatus.3"),
        ("1.3.6.1.2.1.31.1.1.1.6.2", "IF-MIB::ifHCInOctets.2"),
        ("1.3.6.1.4.1", "SNMPv2-SMI::enterprises"),
        ("1.3.6.1.4.1.99999.1", "SNMPv2-SMI::enterprises.99999.1"),
        ("1.3", "SNMPv2-SMI::org"),
        ("0.0", "SNMPv2-SMI::zeroDotZero"),
        ("1.3.6.1.6.3.1.1.5.1", "SNMPv2-MIB::coldStart"),
        ("2.999", "joint-iso-ccitt.999"),
    ];
    for (numeric, expected) in cases {
        assert_eq!(mib.name_of(&oid(numeric)), expected, "{numeric}");
    }
    let instance = mib.describe(&[1, 3, 6, 1, 2, 1, 2, 2, 1, 2, 3]).unwrap();
    assert_eq!(instance.node.name(), Some("ifDescr"));
    assert_eq!(instance.node.module(), Some("IF-MIB"));
    assert_eq!(instance.index, [3]);
    let root = mib.root();
    assert_eq!(
        root.children().map(|c| c.arc()).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert_eq!(root.child(1).and_then(|n| n.name()), Some("iso"));
}

#[test]
fn object_facts_follow_the_type_chain() {
    let Some(mib) = netsnmp("object_facts_follow_the_type_chain") else {
        return;
    };
    let node = |name: &str| mib.find(name).unwrap_or_else(|| panic!("{name}"));
    let object = |name: &str| {
        node(name)
            .object()
            .unwrap_or_else(|| panic!("{name} facts"))
    };

    let descr = object("IF-MIB::ifDescr");
    let syntax = descr.syntax.as_ref().unwrap();
    assert_eq!(syntax.base, BaseType::OctetString);
    assert_eq!(syntax.textual_convention.as_deref(), Some("DisplayString"));
    assert_eq!(syntax.hint.as_deref(), Some("255a"));
    assert_eq!(syntax.sizes, [vigie_mib::Range { low: 0, high: 255 }]);
    assert_eq!(descr.access, Some(Access::ReadOnly));
    assert_eq!(descr.status, Some(Status::Current));
    assert_eq!(node("ifDescr").kind(), NodeKind::Column);
    assert_eq!(node("ifTable").kind(), NodeKind::Table);
    assert_eq!(node("ifEntry").kind(), NodeKind::Row);
    assert_eq!(node("sysDescr").kind(), NodeKind::Scalar);
    assert_eq!(node("coldStart").kind(), NodeKind::Notification);
    assert_eq!(node("ifMIB").kind(), NodeKind::ModuleIdentity);

    let status = object("ifOperStatus").syntax.as_ref().unwrap();
    assert_eq!(status.base, BaseType::Integer);
    assert_eq!(status.enum_label(2), Some("down"));
    assert_eq!(status.enum_label(7), Some("lowerLayerDown"));

    let entry = object("ifEntry");
    let index: Vec<&str> = entry.index.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(index, ["ifIndex"]);
    assert_eq!(entry.index[0].node, Some(node("ifIndex").id()));
    let index = object("ifIndex").syntax.as_ref().unwrap();
    assert_eq!(index.textual_convention.as_deref(), Some("InterfaceIndex"));
    assert_eq!(index.base, BaseType::Integer32);
    assert_eq!(index.hint.as_deref(), Some("d"));

    assert_eq!(object("ifXEntry").augments, Some(node("ifEntry").id()));
    assert_eq!(
        object("ifHCInOctets").syntax.as_ref().map(|s| s.base),
        Some(BaseType::Counter64)
    );
    assert_eq!(
        object("sysUpTime").syntax.as_ref().map(|s| s.base),
        Some(BaseType::TimeTicks)
    );
    assert_eq!(
        object("hrStorageAllocationUnits").units.as_deref(),
        Some("Bytes")
    );
    let vacm = object("vacmViewTreeFamilyEntry");
    assert!(vacm.index.iter().all(|i| !i.implied));
    let implied = object("SNMP-TARGET-MIB::snmpTargetAddrEntry");
    assert!(implied.index.last().unwrap().implied);
    let test = object("mteTriggerTest").syntax.as_ref().unwrap();
    assert_eq!(test.base, BaseType::Bits);
    let bits: Vec<&str> = test.bits.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(bits, ["existence", "boolean", "threshold"]);
    assert_eq!(
        object("mteTriggerTest").defval,
        Some(vigie_mib::DefVal::Bits(vec!["boolean".into()]))
    );
    let counter = object("RFC1213-MIB::ifInOctets");
    assert_eq!(
        counter.syntax.as_ref().map(|s| s.base),
        Some(BaseType::Counter32)
    );
}
