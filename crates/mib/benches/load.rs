//! Start-up costs of the MIB compiler (issue 6, item 7): the built-in modules
//! ([`MibSet::builtin`]), Net-SNMP's standard set loaded whole (`-m ALL -M
//! ../shared/mibs/netsnmp`), and every module of the shared corpus, each compiled to a
//! [`MibSet`]. `scripts/bench-mibs.sh` runs this next to `snmptranslate -Tp -m ALL` on the
//! same directory.
//!
//! `cargo bench -p vigie-mib --bench load`; `VIGIE_MIBS=DIR` points at another copy of the
//! shared MIB directory.
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use vigie_mib::{Loader, MibSet};

fn load(c: &mut Criterion) {
    let root = mibs_root();
    let netsnmp = root.join("netsnmp");
    let corpus = directories(&root);

    c.bench_function("builtin", |b| b.iter(|| black_box(MibSet::builtin().len())));

    if netsnmp.is_dir() {
        c.bench_function("netsnmp_all", |b| {
            b.iter(|| black_box(load_all(std::slice::from_ref(&netsnmp))));
        });
    } else {
        eprintln!("skipped netsnmp_all: {} is missing", netsnmp.display());
    }
    if corpus.is_empty() {
        eprintln!(
            "skipped corpus_all: no MIB directory under {}",
            root.display()
        );
        return;
    }
    let mut group = c.benchmark_group("corpus");
    group.sample_size(20);
    group.bench_function("corpus_all", |b| b.iter(|| black_box(load_all(&corpus))));
    group.finish();
}

/// Loads every module of `dirs` as `-m ALL` does and returns the size of the tree.
fn load_all(dirs: &[PathBuf]) -> usize {
    let mut loader = Loader::new();
    for dir in dirs {
        loader.add_search_path(dir);
    }
    if let Err(error) = loader.load_all() {
        eprintln!("cannot load: {error}");
        return 0;
    }
    loader.build().len()
}

/// `$VIGIE_MIBS`, else the shared MIB directory next to the checkout.
fn mibs_root() -> PathBuf {
    std::env::var_os("VIGIE_MIBS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/mibs"),
        PathBuf::from,
    )
}

/// `root` and every directory under it that holds files, sorted.
fn directories(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut has_files = false;
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                has_files = true;
            }
        }
        if has_files {
            found.push(dir);
        }
    }
    found.sort();
    found
}

criterion_group!(benches, load);
criterion_main!(benches);
