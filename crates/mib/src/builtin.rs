//! What the compiler knows without reading a file: the well-known OID roots, the SMI base
//! types, the macro names, and the module aliases vendors import from.

use crate::tree::BaseType;

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
