//! `vigie serve`'s configuration loader (`crates/vigie/src/config/`): arbitrary text read as
//! `vigie.toml` through both stages, TOML with spans then validation. Nothing may panic; a
//! refused file's error names the file and a line of it; an accepted configuration compared
//! with itself needs no restart.
//!
//! The loader lives in the binary crate, which has no library target: the module is compiled
//! here from its source file with `#[path]`, as it is in the binary (it uses only `std`,
//! `serde`, `toml`, `thiserror`, `vigie-snmp` and `vigie-manager`, never `crate::`).
#![no_main]

use libfuzzer_sys::fuzz_target;

// The binary uses more of the module than this target does.
#[allow(dead_code)]
#[path = "../../crates/vigie/src/config/mod.rs"]
mod config;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match config::Config::parse("fuzz.toml", text) {
        Ok(config) => assert!(config.restart_needed(&config).is_empty()),
        Err(error) => {
            let message = error.to_string();
            let line = message
                .strip_prefix("fuzz.toml:")
                .and_then(|rest| rest.split_once(':'))
                .and_then(|(line, _)| line.parse::<usize>().ok())
                .expect("an error starts with FILE:LINE:");
            assert!(
                line >= 1 && line <= text.lines().count().max(1) + 1,
                "{message}"
            );
        }
    }
});
