//! `vigie agent --config FILE` (`crates/vigie/src/commands/agent.rs`): arbitrary text read as
//! the agent's TOML file, communities, USM users (keys derived from the passwords), views,
//! system values and notification targets. Nothing may panic; a refused file's error names
//! the file.
//!
//! The command lives in the binary crate, which has no library target: its module is compiled
//! here from the source files with `#[path]` on an inline `commands` module, so that its own
//! submodules resolve as in the binary; `crate::exit` and `crate::config::permissions` are
//! compiled the same way and `super::block_on` is given below.
#![no_main]

use std::io::Write;
use std::sync::OnceLock;

use clap::Parser;
use libfuzzer_sys::fuzz_target;

// The tools' statuses are not used here.
#[allow(dead_code)]
#[path = "../../crates/vigie/src/exit.rs"]
mod exit;

// `agent.rs` warns about readable secrets through the binary's `config::permissions`.
#[path = "../../crates/vigie/src/config"]
mod config {
    pub(crate) mod permissions;
}

// The binary uses more of these modules than this target does.
#[allow(dead_code)]
#[path = "../../crates/vigie/src/commands"]
mod commands {
    pub(crate) mod agent;

    /// `commands::block_on` of the binary, which `agent::run` calls.
    pub(crate) fn block_on(body: impl Future<Output = crate::exit::Exit>) -> crate::exit::Exit {
        match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime.block_on(body),
            Err(_) => crate::exit::Exit::Failure,
        }
    }
}

/// `vigie agent`'s command line, as the binary's `clap` parser reads it.
#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    agent: commands::agent::AgentArgs,
}

fuzz_target!(|data: &[u8]| {
    static FILE: OnceLock<tempfile::NamedTempFile> = OnceLock::new();
    let file = FILE.get_or_init(|| tempfile::NamedTempFile::new().expect("a temporary file"));
    let mut handle = file.reopen().expect("the temporary file reopens");
    handle.set_len(0).expect("the temporary file truncates");
    handle
        .write_all(data)
        .expect("the temporary file is written");
    let path = file
        .path()
        .to_str()
        .expect("a UTF-8 temporary path")
        .to_owned();
    let cli = Cli::parse_from(["agent", "--config", &path, "--listen", "udp:127.0.0.1:0"]);
    if let Err(error) = commands::agent::Settings::load(&cli.agent) {
        assert!(error.starts_with(&path), "{error}");
    }
});
