//! Object names as the tools read them (`MibSet::resolve_arcs`: `IF-MIB::ifDescr.3`,
//! `sysDescr.0`, `vacmGroupName.3."public"`, `.1.3.6.1`), against the built-in modules, then
//! their index fields decoded as the tools' range check decodes them. Nothing may panic, and a
//! name that resolves prints back, as numbers, to the same arcs.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vigie_mib::{MibSet, NodeKind, OidFormat, OidOptions};

fuzz_target!(|data: &[u8]| {
    static BUILTIN: OnceLock<MibSet> = OnceLock::new();
    let mib = BUILTIN.get_or_init(MibSet::builtin);
    let text = String::from_utf8_lossy(data);
    let _ = mib.find(&text);
    let Ok(arcs) = mib.resolve_arcs(&text) else {
        return;
    };
    if let Some(instance) = mib.describe(&arcs)
        && instance.node.kind() == NodeKind::Column
        && let Ok(row) = mib.row_index(instance.node.id())
    {
        let mut rest: &[u32] = &instance.index;
        for position in 0..row.fields.len() {
            let Ok((_, used)) = row.decode_field(position, rest) else {
                break;
            };
            rest = rest.get(used..).unwrap_or_default();
        }
    }
    // Numbers print back exactly.
    let numeric = OidOptions {
        format: OidFormat::Numeric,
        ..OidOptions::new()
    };
    let name = mib.format_arcs(&arcs, &numeric);
    assert_eq!(
        mib.resolve_arcs(&name).ok(),
        Some(arcs.clone()),
        "{text:?} printed {name:?}"
    );
    // Names are printed as Net-SNMP prints them, which is not always readable back: a string
    // index shows unprintable octets as dots and its quote character unescaped
    // (`dump_realloc_oid_to_string`). Reading the name must still not panic.
    let name = mib.format_arcs(&arcs, &OidOptions::new());
    let _ = mib.resolve_arcs(&name);
});
