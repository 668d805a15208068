//! Start-up times of the MIB compiler: `MibSet::builtin()`, and loading every module of a
//! directory (`-m ALL`), each the median of several runs.
//!
//! `cargo run --release -p vigie-mib --example load_timing -- ../shared/mibs/netsnmp`
#![allow(
    clippy::print_stdout,
    reason = "a measuring program prints its figures"
)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use vigie_mib::{Loader, MibSet};

fn main() {
    let dir = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("../shared/mibs/netsnmp"), PathBuf::from);

    let builtin = median(200, || {
        let mib = MibSet::builtin();
        std::hint::black_box(mib.len());
    });
    println!(
        "MibSet::builtin(): {builtin:?} ({} nodes, {} modules)",
        MibSet::builtin().len(),
        MibSet::builtin().module_names().count()
    );

    let mut nodes = 0;
    let all = median(15, || {
        let mut loader = Loader::new();
        loader.add_search_path(&dir);
        if let Err(e) = loader.load_all() {
            println!("cannot load {}: {e}", dir.display());
            std::process::exit(1);
        }
        nodes = loader.build().len();
    });
    println!("load_all {}: {all:?} ({nodes} nodes)", dir.display());

    let combined = median(15, || {
        let mut loader = Loader::new();
        loader.add_builtin_modules();
        loader.load_builtin();
        std::hint::black_box(loader.build().len());
    });
    println!("Loader::load_builtin() from the built-in texts: {combined:?}");
}

/// The median duration of `runs` calls of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times.get(runs / 2).copied().unwrap_or_default()
}
