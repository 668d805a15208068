//! SNMPv3 benchmarks: USM authPriv encode and decode of the fixture messages, next to the same
//! messages in SNMPv2c, vigie against async-snmp; and password-to-key with localization.
//!
//! Groups `v3_encode/<message>` and `v3_decode/<message>`, one function per library and
//! authentication/privacy pair (`vigie/v2c` is the community message of the codec bench, the
//! baseline); `v3_localize`, one function per library and hash (snmp2 there only, with
//! `--features snmp2-v3`: its v3 messages cannot be built or safely decoded through its
//! public API, as `vigie_bench::v3_snmp2` explains). Before timing, every datagram
//! is decoded by the same library and every varbind counted. Run:
//! `cargo bench -p vigie-bench --bench v3 [--features snmp2-v3] -- --warm-up-time 1
//! --measurement-time 3`.
// criterion_group!/criterion_main! generate undocumented public items.
#![allow(missing_docs)]

use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use vigie_bench::codecs::Codec;
use vigie_bench::codecs::vigie::Vigie;
use vigie_bench::fixture::Kind;
use vigie_bench::v3::{self, AUTH_PASSWORD, ENGINE_ID, Suite};
use vigie_bench::v3_async_snmp;
use vigie_snmp::usm::{AuthProtocol, EngineId, SaltCounter};

fn messages(c: &mut Criterion) {
    for kind in Kind::ALL {
        let content = kind.content();
        let community = Bytes::from(content.to_ber());
        let message = Vigie::build(&content).expect("the fixture builds");
        let ours: Vec<v3::Fixture> = Suite::ALL
            .into_iter()
            .map(|suite| v3::Fixture::new(kind, suite).expect("the fixture builds"))
            .collect();
        let theirs: Vec<(Suite, v3_async_snmp::Fixture)> = Suite::ALL
            .into_iter()
            .filter_map(|suite| match v3_async_snmp::Fixture::new(kind, suite) {
                Ok(fixture) => Some((suite, fixture)),
                Err(failure) => {
                    eprintln!("async-snmp/{}: n/a: {failure}", suite.name());
                    None
                }
            })
            .collect();
        for fixture in &ours {
            let decoded = fixture.decode(fixture.datagram()).expect("decodes");
            assert_eq!(decoded, content.varbinds().len().max(fixture.varbinds()));
        }
        for (_, fixture) in &theirs {
            let decoded = fixture.decode(fixture.datagram()).expect("decodes");
            assert!(decoded >= content.varbinds().len());
        }

        let mut group = c.benchmark_group(format!("v3_encode/{}", kind.name()));
        group.bench_function("vigie/v2c", |b| b.iter(|| black_box(&message).to_vec()));
        for fixture in &ours {
            let mut salts = SaltCounter::new(1, 0);
            group.bench_function(format!("vigie/{}", fixture.suite().name()), |b| {
                b.iter(|| black_box(fixture).encode(&mut salts));
            });
        }
        for (suite, fixture) in &theirs {
            group.bench_function(format!("async-snmp/{}", suite.name()), |b| {
                b.iter(|| black_box(fixture).encode());
            });
        }
        group.finish();

        let mut group = c.benchmark_group(format!("v3_decode/{}", kind.name()));
        group.bench_function("vigie/v2c", |b| {
            b.iter(|| Vigie::decode(kind, black_box(&community)));
        });
        for fixture in &ours {
            group.bench_function(format!("vigie/{}", fixture.suite().name()), |b| {
                b.iter(|| fixture.decode(black_box(fixture.datagram())));
            });
        }
        for (suite, fixture) in &theirs {
            group.bench_function(format!("async-snmp/{}", suite.name()), |b| {
                b.iter(|| fixture.decode(black_box(fixture.datagram())));
            });
        }
        group.finish();
    }
}

fn localize(c: &mut Criterion) {
    let engine_id = EngineId::new(Bytes::from_static(&ENGINE_ID)).expect("12 octets");
    let mut group = c.benchmark_group("v3_localize");
    // Each derivation hashes a megabyte: a few samples are enough.
    group.sample_size(20);
    for (name, protocol, sha256) in [
        ("md5", AuthProtocol::Md5, false),
        ("sha256", AuthProtocol::Sha256, true),
    ] {
        group.bench_function(format!("vigie/{name}"), |b| {
            b.iter(|| v3::localize(protocol, black_box(AUTH_PASSWORD), &engine_id));
        });
        group.bench_function(format!("async-snmp/{name}"), |b| {
            b.iter(|| v3_async_snmp::localize(sha256, black_box(AUTH_PASSWORD), &ENGINE_ID));
        });
        #[cfg(feature = "snmp2-v3")]
        group.bench_function(format!("snmp2/{name}"), |b| {
            b.iter(|| {
                vigie_bench::v3_snmp2::localize(sha256, black_box(AUTH_PASSWORD), &ENGINE_ID)
            });
        });
    }
    group.finish();
}

criterion_group!(benches, messages, localize);
criterion_main!(benches);
