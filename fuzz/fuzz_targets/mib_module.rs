//! Lexes, parses and resolves arbitrary bytes as MIB modules, then reads the same bytes as
//! an object name against the built-in modules and as OID arcs to print: nothing may
//! panic, overflow the stack or loop.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vigie_mib::{Loader, MibSet, OidOptions, ValueOptions};
use vigie_snmp::Value;

fuzz_target!(|data: &[u8]| {
    let text = vigie_mib::lexer::decode(data);
    let _ = vigie_mib::lexer::tokenize(&text);
    let _ = vigie_mib::parser::parse(&text);

    let mut loader = Loader::new();
    let names = loader.load_source(&text);
    let mib = loader.build();
    for name in &names {
        if let Some(node) = mib.find(name) {
            let _ = node.qualified_name();
        }
    }

    static BUILTIN: OnceLock<MibSet> = OnceLock::new();
    let builtin = BUILTIN.get_or_init(MibSet::builtin);
    let _ = builtin.resolve(&text);
    let arcs: Vec<u32> = data
        .chunks(2)
        .map(|c| c.iter().fold(0u32, |a, &b| a << 8 | u32::from(b)))
        .collect();
    let extended = OidOptions {
        extended_index: true,
        ..OidOptions::new()
    };
    for options in [OidOptions::new(), extended] {
        let name = builtin.format_arcs(&arcs, &options);
        let _ = builtin.resolve(&name);
    }
    let value = Value::OctetString(bytes::Bytes::copy_from_slice(data));
    let _ = builtin.format_value(&arcs, &value, &ValueOptions::new());
});
