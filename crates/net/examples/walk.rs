//! `cargo run -p vigie-net --example walk -- AGENT COMMUNITY ROOT`: an SNMPv2c GETBULK walk
//! of the subtree under ROOT, printed one varbind a line.
#![allow(clippy::print_stdout)] // an example's output is its point

use std::process::ExitCode;

use vigie_net::{Client, Session, WalkOptions, resolve_target};
use vigie_snmp::{Oid, Version};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [agent, community, root] = args.as_slice() else {
        eprintln!("usage: walk AGENT COMMUNITY ROOT");
        return ExitCode::FAILURE;
    };
    let root: Oid = match root.parse() {
        Ok(root) => root,
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
    let options = WalkOptions {
        max_repetitions: Some(10),
        check_increasing: true,
    };
    let mut walk = client.walk(root, options);
    while let Some(item) = walk.next().await {
        match item {
            Ok(varbind) => println!("{} = {:?}", varbind.name, varbind.value),
            Err(error) => {
                eprintln!("{error}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
