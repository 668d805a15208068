//! Naming an OID, as the trap receiver names every varbind of every notification it stores
//! (`MODULE::name.index`): a walk down the tree to the deepest named node, then the text.
//! What one name costs decides whether the receiver's cache of names is worth its memory
//! (docs/benchmarks.md, "Naming OIDs").
//!
//! `cargo bench -p vigie-mib --bench lookup`
#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use vigie_mib::MibSet;
use vigie_snmp::Oid;

fn lookup(c: &mut Criterion) {
    let mibs = MibSet::builtin();
    // A linkDown's varbinds: ifIndex, ifAdminStatus and ifOperStatus of one interface.
    let link: Vec<Oid> = [
        "1.3.6.1.2.1.2.2.1.1.10001",
        "1.3.6.1.2.1.2.2.1.7.10001",
        "1.3.6.1.2.1.2.2.1.8.10001",
    ]
    .iter()
    .map(|oid| oid.parse().expect("a valid OID"))
    .collect();
    let enterprise: Oid = "1.3.6.1.4.1.32473.99.1.0".parse().expect("a valid OID");

    c.bench_function("name_link_down_varbinds", |b| {
        b.iter(|| {
            for oid in &link {
                black_box(mibs.describe(oid.arcs()).map(|_| mibs.name_of(oid)));
            }
        });
    });
    c.bench_function("name_enterprise_oid", |b| {
        b.iter(|| {
            black_box(
                mibs.describe(enterprise.arcs())
                    .map(|_| mibs.name_of(&enterprise)),
            )
        });
    });
    // The same three names from a table of names, as the receiver's cache gives them.
    let cache: HashMap<Oid, Option<String>> = link
        .iter()
        .map(|oid| (oid.clone(), Some(mibs.name_of(oid))))
        .collect();
    c.bench_function("name_link_down_varbinds_cached", |b| {
        b.iter(|| {
            for oid in &link {
                black_box(cache.get(oid).cloned());
            }
        });
    });
}

criterion_group!(benches, lookup);
criterion_main!(benches);
