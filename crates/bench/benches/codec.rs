//! Codec benchmarks: vigie against the other Rust SNMP codecs, on the same inputs.
//!
//! Groups `decode/<message>` and `encode/<message>`, one function per library. Before timing,
//! each setup checks that the library decodes every varbind of the message (a decoder that
//! fails fast must not look fast) and that its encoding is the reference encoding. A library
//! without the operation is skipped with an "n/a" line on stderr, and listed so in
//! docs/benchmarks.md. Run: `cargo bench -p vigie-bench --bench codec`.
// criterion_group!/criterion_main! generate undocumented public items.
#![allow(missing_docs)]

use std::hint::black_box;

use bytes::Bytes;
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use vigie_bench::codecs::async_snmp::AsyncSnmp;
use vigie_bench::codecs::csnmp::Csnmp;
use vigie_bench::codecs::rasn_snmp::RasnSnmp;
use vigie_bench::codecs::snmp_parser::SnmpParser;
use vigie_bench::codecs::snmp2::Snmp2;
use vigie_bench::codecs::vigie::Vigie;
use vigie_bench::codecs::vigie_view::VigieView;
use vigie_bench::codecs::{Codec, Failure, Operation};
use vigie_bench::fixture::{Content, Kind};

fn codec(c: &mut Criterion) {
    for kind in Kind::ALL {
        let content = kind.content();
        let datagram = Bytes::from(content.to_ber());

        let mut group = c.benchmark_group(format!("decode/{}", kind.name()));
        group.throughput(Throughput::Bytes(datagram.len() as u64));
        bench_decode::<Vigie>(&mut group, kind, &content, &datagram);
        bench_decode::<VigieView>(&mut group, kind, &content, &datagram);
        bench_decode::<RasnSnmp>(&mut group, kind, &content, &datagram);
        bench_decode::<SnmpParser>(&mut group, kind, &content, &datagram);
        bench_decode::<Snmp2>(&mut group, kind, &content, &datagram);
        bench_decode::<AsyncSnmp>(&mut group, kind, &content, &datagram);
        bench_decode::<Csnmp>(&mut group, kind, &content, &datagram);
        group.finish();

        let mut group = c.benchmark_group(format!("encode/{}", kind.name()));
        group.throughput(Throughput::Bytes(datagram.len() as u64));
        bench_encode::<Vigie>(&mut group, kind, &content, &datagram);
        bench_encode::<RasnSnmp>(&mut group, kind, &content, &datagram);
        bench_encode::<SnmpParser>(&mut group, kind, &content, &datagram);
        bench_encode::<Snmp2>(&mut group, kind, &content, &datagram);
        bench_encode::<AsyncSnmp>(&mut group, kind, &content, &datagram);
        bench_encode::<Csnmp>(&mut group, kind, &content, &datagram);
        group.finish();
    }
}

fn bench_decode<C: Codec>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    kind: Kind,
    content: &Content,
    datagram: &Bytes,
) {
    match C::decode(kind, datagram) {
        Ok(count) => assert_eq!(
            count,
            content.varbinds().len(),
            "{} decoded {count} varbinds of {}",
            C::NAME,
            content.varbinds().len()
        ),
        Err(failure) => return not_applicable(Operation::Decode, kind, &failure),
    }
    group.bench_function(C::NAME, |b| b.iter(|| C::decode(kind, black_box(datagram))));
}

fn bench_encode<C: Codec>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    kind: Kind,
    content: &Content,
    reference: &Bytes,
) {
    let message = match C::build(content) {
        Ok(message) => message,
        Err(failure) => return not_applicable(Operation::Encode, kind, &failure),
    };
    match C::encode(&message) {
        Ok(encoded) => assert_eq!(
            encoded.as_ref(),
            reference.as_ref(),
            "{} does not encode the reference bytes",
            C::NAME
        ),
        Err(failure) => return not_applicable(Operation::Encode, kind, &failure),
    }
    group.bench_function(C::NAME, |b| b.iter(|| C::encode(black_box(&message))));
}

/// A library that cannot do the operation is reported, not timed; a library that fails on a
/// valid message is a finding and stops the run.
fn not_applicable(operation: Operation, kind: Kind, failure: &Failure) {
    assert!(
        matches!(failure, Failure::Unsupported { .. }),
        "{operation}/{}: {failure}",
        kind.name()
    );
    eprintln!("{operation}/{}: n/a: {failure}", kind.name());
}

criterion_group!(benches, codec);
criterion_main!(benches);
