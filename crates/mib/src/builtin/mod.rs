//! What the compiler knows without reading a file: the well-known OID roots, the SMI base
//! types, the macro names, the module aliases vendors import from, and the built-in
//! modules compiled into `generated.rs` ([`MibSet::builtin`]).

#[cfg(test)]
mod generate;
// Generated text: rustfmt would make it differ from the generator's output.
#[rustfmt::skip]
mod generated;

use crate::fxhash::FxHashMap;

use crate::parser::ast::{Access, DefVal, NamedNumber, Range, SmiVersion, Status};
use crate::tree::{
    BaseType, IndexPart, Label, MibSet, ModuleData, NodeData, NodeId, NodeKind, ObjectType, Origin,
    Syntax,
};

/// The modules compiled into vigie (with the modules they import), generated from
/// Net-SNMP's standard set: what the agent serves and the tools name without `-M`.
pub const BUILTIN_MODULES: &[&str] = &[
    "SNMPv2-SMI",
    "SNMPv2-TC",
    "SNMPv2-CONF",
    "SNMPv2-MIB",
    "SNMPv2-TM",
    "IANAifType-MIB",
    "IF-MIB",
    "INET-ADDRESS-MIB",
    "IP-MIB",
    "TCP-MIB",
    "UDP-MIB",
    "HOST-RESOURCES-MIB",
    "HOST-RESOURCES-TYPES",
    "SNMP-FRAMEWORK-MIB",
    "SNMP-MPD-MIB",
    "SNMP-USER-BASED-SM-MIB",
    "SNMP-USM-AES-MIB",
    "SNMP-USM-HMAC-SHA2-MIB",
    "SNMP-VIEW-BASED-ACM-MIB",
    "SNMP-TARGET-MIB",
    "SNMP-NOTIFICATION-MIB",
    "SNMP-COMMUNITY-MIB",
    "NOTIFICATION-LOG-MIB",
];

impl MibSet {
    /// The built-in modules, resolved: no file is read. Every module named in
    /// [`BUILTIN_MODULES`] and the modules they import are loaded, with the names, OIDs,
    /// syntaxes, hints, enumerations, indexes, units and access their files give.
    pub fn builtin() -> Self {
        let modules = generated::MODULES
            .iter()
            .map(|&(name, version, symbols)| ModuleData {
                name: name.to_owned(),
                version,
                path: None,
                symbols: symbols
                    .iter()
                    .map(|&(n, id)| (n.to_owned(), node_id(id)))
                    .collect(),
            })
            .collect();
        let nodes = generated::NODES
            .iter()
            .map(|&(arc, parent, children, labels)| NodeData {
                arc,
                parent: node_id(parent),
                children: children.iter().map(|&c| node_id(c)).collect(),
                labels: labels
                    .iter()
                    .map(|&(name, origin, kind, object)| Label {
                        name: name.to_owned(),
                        origin: match origin {
                            ORIGIN_ASN1 => Origin::Asn1,
                            ORIGIN_ROOTS => Origin::Builtin(ROOTS_MODULE),
                            m => Origin::Module(usize::from(m)),
                        },
                        kind,
                        object: object.map(|o| o as usize),
                        // The built-in facts carry no free text.
                        description: None,
                        members: Vec::new(),
                    })
                    .collect(),
            })
            .collect();
        let syntaxes: Vec<Syntax> = generated::SYNTAXES.iter().map(syntax).collect();
        let objects = generated::OBJECTS
            .iter()
            .map(
                |&(syntax, access, status, units, index, augments, defval)| ObjectType {
                    syntax: syntax.and_then(|s| syntaxes.get(s as usize)).cloned(),
                    access,
                    status,
                    units: units.map(str::to_owned),
                    index: index
                        .iter()
                        .map(|&(name, node, implied)| IndexPart {
                            name: name.to_owned(),
                            node: node.map(node_id),
                            implied,
                        })
                        .collect(),
                    augments: augments.map(node_id),
                    defval: defval.map(D::to_defval),
                },
            )
            .collect();
        let by_name: FxHashMap<String, Vec<NodeId>> = generated::BY_NAME
            .iter()
            .map(|&(name, ids)| (name.to_owned(), ids.iter().map(|&i| node_id(i)).collect()))
            .collect();
        Self {
            nodes,
            modules,
            objects,
            by_name,
            diagnostics: Vec::new(),
        }
    }
}

/// The texts of the built-in modules (definitions only, free text removed), for a
/// [`crate::Loader`] that combines them with modules from files.
pub(crate) fn source(module: &str) -> Option<&'static str> {
    generated::SOURCES
        .iter()
        .find(|(name, _)| *name == module)
        .map(|&(_, text)| text)
}

/// The names of the built-in modules, imports included, in load order.
pub(crate) fn source_names() -> impl Iterator<Item = &'static str> {
    generated::SOURCES.iter().map(|&(name, _)| name)
}

fn node_id(index: u32) -> NodeId {
    NodeId::from_index(index as usize)
}

fn syntax(row: &SyntaxRow) -> Syntax {
    let &(base, type_name, tc, hint, enums, bits, ranges, sizes, entry) = row;
    let named = |list: &[(&str, i64)]| {
        list.iter()
            .map(|&(name, value)| NamedNumber {
                name: name.to_owned(),
                value,
            })
            .collect()
    };
    let ranges_of = |list: &[(i128, i128)]| {
        list.iter()
            .map(|&(low, high)| Range { low, high })
            .collect()
    };
    Syntax {
        base,
        type_name: type_name.map(str::to_owned),
        textual_convention: tc.map(str::to_owned),
        hint: hint.map(str::to_owned),
        enums: named(enums),
        bits: named(bits),
        ranges: ranges_of(ranges),
        sizes: ranges_of(sizes),
        entry: entry.map(str::to_owned),
    }
}

/// A module row of `generated.rs`: name, SMI version, symbols with their node ids.
type ModuleRow = (&'static str, SmiVersion, &'static [(&'static str, u32)]);
/// A node row: arc, parent id, children ids, labels.
type NodeRow = (u32, u32, &'static [u32], &'static [LabelRow]);
/// A label: name, origin (module index, or [`ORIGIN_ASN1`], [`ORIGIN_ROOTS`]), kind,
/// object index.
type LabelRow = (&'static str, u16, NodeKind, Option<u32>);
/// A syntax: base, type name, textual convention, hint, enums, bits, ranges, sizes, entry.
type SyntaxRow = (
    BaseType,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    &'static [(&'static str, i64)],
    &'static [(&'static str, i64)],
    &'static [(i128, i128)],
    &'static [(i128, i128)],
    Option<&'static str>,
);
/// An object: syntax index, access, status, units, index parts, augments, DEFVAL.
type ObjectRow = (
    Option<u32>,
    Option<Access>,
    Option<Status>,
    Option<&'static str>,
    &'static [(&'static str, Option<u32>, bool)],
    Option<u32>,
    Option<D>,
);

/// A DEFVAL in a constant table.
#[derive(Debug, Clone, Copy)]
#[allow(
    dead_code,
    reason = "the generator writes every kind of DEFVAL; today's built-ins use some"
)]
enum D {
    Integer(i128),
    String(&'static str),
    Hex(&'static str),
    Binary(&'static str),
    Name(&'static str),
    Bits(&'static [&'static str]),
    Other,
}

impl D {
    fn to_defval(self) -> DefVal {
        match self {
            Self::Integer(v) => DefVal::Integer(v),
            Self::String(v) => DefVal::String(v.to_owned()),
            Self::Hex(v) => DefVal::Hex(v.to_owned()),
            Self::Binary(v) => DefVal::Binary(v.to_owned()),
            Self::Name(v) => DefVal::Name(v.to_owned()),
            Self::Bits(v) => DefVal::Bits(v.iter().map(|&b| b.to_owned()).collect()),
            Self::Other => DefVal::Other,
        }
    }
}

/// The origin of the ASN.1 roots in a label row.
const ORIGIN_ASN1: u16 = u16::MAX;
/// The origin of the other well-known roots in a label row.
const ORIGIN_ROOTS: u16 = u16::MAX - 1;

/// Well-known nodes (X.208 Annex B; RFC 1155 §3.1; RFC 2578 §2), present in every tree so
/// that modules which forget to import them still resolve.
pub(crate) const ROOTS: &[(&str, &[u32])] = &[
    ("ccitt", &[0]),
    ("iso", &[1]),
    ("joint-iso-ccitt", &[2]),
    ("zeroDotZero", &[0, 0]),
    ("org", &[1, 3]),
    ("dod", &[1, 3, 6]),
    ("internet", &[1, 3, 6, 1]),
    ("directory", &[1, 3, 6, 1, 1]),
    ("mgmt", &[1, 3, 6, 1, 2]),
    ("mib-2", &[1, 3, 6, 1, 2, 1]),
    ("transmission", &[1, 3, 6, 1, 2, 1, 10]),
    ("experimental", &[1, 3, 6, 1, 3]),
    ("private", &[1, 3, 6, 1, 4]),
    ("enterprises", &[1, 3, 6, 1, 4, 1]),
    ("security", &[1, 3, 6, 1, 5]),
    ("snmpV2", &[1, 3, 6, 1, 6]),
    ("snmpDomains", &[1, 3, 6, 1, 6, 1]),
    ("snmpProxys", &[1, 3, 6, 1, 6, 2]),
    ("snmpModules", &[1, 3, 6, 1, 6, 3]),
];

/// The three ASN.1 roots, which no module imports.
pub(crate) const ASN1_ROOTS: &[&str] = &["ccitt", "iso", "joint-iso-ccitt"];

/// The module whose name the built-in roots carry when no loaded module defines them.
pub(crate) const ROOTS_MODULE: &str = "SNMPv2-SMI";

/// SMI application and base types, by the names modules use for them (RFC 2578 §7.1,
/// RFC 1155 §3.2.3, RFC 1442).
pub(crate) fn base_type(name: &str) -> Option<BaseType> {
    Some(match name {
        "Integer32" => BaseType::Integer32,
        "Unsigned32" | "UInteger32" => BaseType::Unsigned32,
        "Counter32" | "Counter" => BaseType::Counter32,
        "Gauge32" | "Gauge" => BaseType::Gauge32,
        "Counter64" => BaseType::Counter64,
        "TimeTicks" => BaseType::TimeTicks,
        "IpAddress" | "NetworkAddress" => BaseType::IpAddress,
        "Opaque" => BaseType::Opaque,
        _ => return None,
    })
}

/// SMIv1 type names that SMIv2 replaced (RFC 2576 §2.1.1).
pub(crate) fn is_smiv1_type(name: &str) -> bool {
    matches!(name, "Counter" | "Gauge" | "NetworkAddress")
}

/// Modules that define the SMI itself; their base types are the built-in ones.
pub(crate) fn is_smi_module(name: &str) -> bool {
    matches!(
        name,
        "SNMPv2-SMI" | "RFC1155-SMI" | "RFC1065-SMI" | "SNMPv2-SMI-v1"
    )
}

/// Macro names: importing them carries no definition the compiler needs (RFC 2578 §3.2).
pub(crate) fn is_macro(name: &str) -> bool {
    matches!(
        name,
        "MODULE-IDENTITY"
            | "OBJECT-IDENTITY"
            | "OBJECT-TYPE"
            | "NOTIFICATION-TYPE"
            | "TRAP-TYPE"
            | "TEXTUAL-CONVENTION"
            | "OBJECT-GROUP"
            | "NOTIFICATION-GROUP"
            | "MODULE-COMPLIANCE"
            | "AGENT-CAPABILITIES"
    )
}

/// Module names vendors import from that stand for a standard module (libsmi and Net-SNMP
/// keep the same table).
pub(crate) fn module_alias(name: &str) -> Option<&'static str> {
    Some(match name {
        "SNMPv2-SMI-v1" => "SNMPv2-SMI",
        "SNMPv2-TC-v1" => "SNMPv2-TC",
        "RFC1065-SMI" => "RFC1155-SMI",
        "RFC1066-MIB" | "RFC1156-MIB" | "RFC1158-MIB" => "RFC1213-MIB",
        "RFC-1213" => "RFC1213-MIB",
        _ => return None,
    })
}

/// Modules searched for a symbol a module uses without importing it, after its own
/// definitions and imports (Net-SNMP loads these by default).
pub(crate) const FALLBACK_MODULES: &[&str] = &["SNMPv2-TC", "SNMPv2-SMI", "SNMPv2-CONF"];
