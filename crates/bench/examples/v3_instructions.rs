//! Runs one SNMPv3 operation of `benches/v3.rs` a given number of times, for counting
//! instructions with callgrind, as `examples/instructions.rs` does for the codec bench.
//!
//! Usage: `v3_instructions <vigie|async-snmp> <encode|decode> <getbulk_response_50|trap_v1>
//! <sha256_aes128|sha1_aes128|sha1_des|md5_des> <iterations>`. Exits 2 on bad arguments and
//! 3 when the library cannot do the operation (n/a).

use std::hint::black_box;
use std::process::ExitCode;

use vigie_bench::fixture::Kind;
use vigie_bench::v3::{self, Suite};
use vigie_bench::v3_async_snmp;
use vigie_snmp::usm::SaltCounter;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [library, operation, message, suite, iterations] = args.as_slice() else {
        eprintln!(
            "usage: v3_instructions <library> <encode|decode> <message> <suite> <iterations>"
        );
        return ExitCode::from(2);
    };
    let Some(kind) = Kind::ALL.into_iter().find(|kind| kind.name() == message) else {
        return bad_argument("message", message);
    };
    let Some(suite) = Suite::ALL
        .into_iter()
        .find(|candidate| candidate.name() == suite)
    else {
        return bad_argument("suite", suite);
    };
    let Ok(iterations) = iterations.parse::<u32>() else {
        return bad_argument("iterations", iterations);
    };
    let encode = match operation.as_str() {
        "encode" => true,
        "decode" => false,
        other => return bad_argument("operation", other),
    };
    match library.as_str() {
        "vigie" => {
            let Ok(fixture) = v3::Fixture::new(kind, suite) else {
                return ExitCode::from(3);
            };
            let mut salts = SaltCounter::new(1, 0);
            for _ in 0..iterations {
                if encode {
                    drop(black_box(black_box(&fixture).encode(&mut salts)));
                } else {
                    drop(black_box(fixture.decode(black_box(fixture.datagram()))));
                }
            }
        }
        "async-snmp" => {
            let Ok(fixture) = v3_async_snmp::Fixture::new(kind, suite) else {
                return ExitCode::from(3);
            };
            for _ in 0..iterations {
                if encode {
                    drop(black_box(black_box(&fixture).encode()));
                } else {
                    drop(black_box(fixture.decode(black_box(fixture.datagram()))));
                }
            }
        }
        other => return bad_argument("library", other),
    }
    ExitCode::SUCCESS
}

fn bad_argument(what: &str, value: &str) -> ExitCode {
    eprintln!("v3_instructions: unknown {what} {value:?}");
    ExitCode::from(2)
}
