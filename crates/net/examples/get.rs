//! `cargo run -p vigie-net --example get -- AGENT COMMUNITY OID…`: an SNMPv2c GET, printed
//! one varbind a line.
#![allow(clippy::print_stdout)] // an example's output is its point

use std::process::ExitCode;

use vigie_net::{Client, Session, resolve_target};
use vigie_snmp::{Oid, Version};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [agent, community, oids @ ..] = args.as_slice() else {
        eprintln!("usage: get AGENT COMMUNITY OID…");
        return ExitCode::FAILURE;
    };
    let oids: Result<Vec<Oid>, _> = oids.iter().map(|oid| oid.parse::<Oid>()).collect();
    let oids = match oids {
        Ok(oids) if !oids.is_empty() => oids,
        Ok(_) => {
            eprintln!("usage: get AGENT COMMUNITY OID…");
            return ExitCode::FAILURE;
        }
        Err(error) => {
            eprintln!("invalid OID: {error}");
            return ExitCode::FAILURE;
        }
    };
    let target = match resolve_target(agent, 161).await {
        Ok(target) => target,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let session = Session::new(target, Version::V2c, community.clone().into_bytes());
    let client = match Client::new(session).await {
        Ok(client) => client,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    match client.get(&oids).await {
        Ok(pdu) => {
            for varbind in &pdu.varbinds {
                println!("{} = {:?}", varbind.name, varbind.value);
            }
            if pdu.error_status.code() != 0 {
                eprintln!(
                    "error in packet: {} (index {})",
                    pdu.error_status.name(),
                    pdu.error_index
                );
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
