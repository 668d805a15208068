//! Integration tests of vigie-mib against the shared MIB corpus (`../shared/mibs`) and
//! Net-SNMP's `snmptranslate`.
//!
//! When the corpus directory is absent, the tests that need it print a skip message and
//! pass; when `snmptranslate` is absent, the comparisons skip the same way unless
//! `VIGIE_REQUIRE_PEERS=1`, which turns the skip into a failure.

mod corpus;
mod instances;
mod lookups;
mod problems;
mod snmptranslate;
mod snmpwalk;

use std::path::PathBuf;

use vigie_mib::{Loader, MibSet};

/// `../shared/mibs`, or `None` (with a skip message) when it is not there.
fn shared_mibs(test: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/mibs");
    if dir.is_dir() {
        return Some(dir);
    }
    eprintln!("skipping {test}: {} is absent", dir.display());
    None
}

/// Every module of Net-SNMP's standard set, resolved.
fn netsnmp(test: &str) -> Option<MibSet> {
    let dir = shared_mibs(test)?.join("netsnmp");
    let mut loader = Loader::new();
    loader.add_search_path(dir);
    loader
        .load_all()
        .expect("the netsnmp directory is readable");
    Some(loader.build())
}

/// The directories of the corpus, each a search path.
fn corpus_dirs(root: &std::path::Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("corpus"))
        .expect("corpus directory is readable")
        .map(|e| e.expect("corpus entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Every regular file under `dir`, recursively, sorted.
fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("directory is readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}
