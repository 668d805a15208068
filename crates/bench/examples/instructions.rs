//! Runs one codec operation a given number of times, for counting instructions.
//!
//! `scripts/bench-instructions.sh` runs this under `valgrind --tool=callgrind` twice, with N
//! and with 0 iterations, and reports the difference divided by N: the instructions of one
//! operation, which unlike wall time do not depend on what else the machine is doing.
//!
//! Usage: `instructions <codec> <decode|encode> <getbulk_response_50|trap_v1> <iterations>`.
//! Exits 2 on bad arguments and 3 when the codec cannot do the operation (n/a).

use std::hint::black_box;
use std::process::ExitCode;

use bytes::Bytes;
use vigie_bench::codecs::async_snmp::AsyncSnmp;
use vigie_bench::codecs::csnmp::Csnmp;
use vigie_bench::codecs::rasn_snmp::RasnSnmp;
use vigie_bench::codecs::snmp_parser::SnmpParser;
use vigie_bench::codecs::snmp2::Snmp2;
use vigie_bench::codecs::vigie::Vigie;
use vigie_bench::codecs::vigie_view::VigieView;
use vigie_bench::codecs::{Codec, Failure, Operation};
use vigie_bench::fixture::Kind;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [codec, operation, message, iterations] = args.as_slice() else {
        eprintln!("usage: instructions <codec> <decode|encode> <message> <iterations>");
        return ExitCode::from(2);
    };
    let operation = match operation.as_str() {
        "decode" => Operation::Decode,
        "encode" => Operation::Encode,
        other => return bad_argument("operation", other),
    };
    let Some(kind) = Kind::ALL.into_iter().find(|kind| kind.name() == message) else {
        return bad_argument("message", message);
    };
    let Ok(iterations) = iterations.parse::<u32>() else {
        return bad_argument("iterations", iterations);
    };
    let result = match codec.as_str() {
        Vigie::NAME => run::<Vigie>(operation, kind, iterations),
        VigieView::NAME => run::<VigieView>(operation, kind, iterations),
        RasnSnmp::NAME => run::<RasnSnmp>(operation, kind, iterations),
        SnmpParser::NAME => run::<SnmpParser>(operation, kind, iterations),
        Snmp2::NAME => run::<Snmp2>(operation, kind, iterations),
        AsyncSnmp::NAME => run::<AsyncSnmp>(operation, kind, iterations),
        Csnmp::NAME => run::<Csnmp>(operation, kind, iterations),
        other => return bad_argument("codec", other),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure @ Failure::Unsupported { .. }) => {
            eprintln!("n/a: {failure}");
            ExitCode::from(3)
        }
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the inputs (untimed, and counted in both runs alike), checks the operation works,
/// then runs it `iterations` times.
fn run<C: Codec>(operation: Operation, kind: Kind, iterations: u32) -> Result<(), Failure> {
    let content = kind.content();
    let datagram = Bytes::from(content.to_ber());
    match operation {
        Operation::Decode => {
            C::decode(kind, &datagram)?;
            for _ in 0..iterations {
                black_box(C::decode(kind, black_box(&datagram))?);
            }
        }
        Operation::Encode => {
            let message = C::build(&content)?;
            C::encode(&message)?;
            for _ in 0..iterations {
                black_box(C::encode(black_box(&message))?);
            }
        }
    }
    Ok(())
}

fn bad_argument(what: &str, value: &str) -> ExitCode {
    eprintln!("unknown {what}: {value}");
    ExitCode::from(2)
}
