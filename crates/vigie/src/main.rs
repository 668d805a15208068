//! The `vigie` binary: one subcommand per tool.
//!
//! `get`, `getnext`, `bulkget`, `walk`, `bulkwalk`, `set`, `trap` and `inform` replace
//! Net-SNMP's `snmpget` … `snmpinform`: same options (parsed as Net-SNMP parses them, not by
//! clap), same output with no MIB loaded, same error texts and exit statuses. `serve` runs
//! the supervision station, `agent` the SNMP agent; `admin` and `token` manage access.
#![allow(missing_docs)]

mod commands;
mod config;
mod dump;
mod exit;
mod getopt;
mod json;
mod mibs;
mod output;
mod paths;
mod report;
mod serve;
mod snmpcmd;
mod values;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::exit::Exit;

/// vigie: SNMP tools, agent and network supervision in one binary.
#[derive(Debug, Parser)]
#[command(name = "vigie", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// GET, as snmpget (vigie get -h for the options).
    Get(ToolArgs),
    /// GETNEXT, as snmpgetnext.
    Getnext(ToolArgs),
    /// GETBULK, as snmpbulkget.
    Bulkget(ToolArgs),
    /// Walk a subtree with GETNEXT, as snmpwalk.
    Walk(ToolArgs),
    /// Walk a subtree with GETBULK, as snmpbulkwalk.
    Bulkwalk(ToolArgs),
    /// SET, as snmpset.
    Set(ToolArgs),
    /// Send a v1 or v2c trap, as snmptrap.
    Trap(ToolArgs),
    /// Send a v2c inform and wait for its acknowledgement, as snmpinform.
    Inform(ToolArgs),
    /// Translate names to OIDs and back, as snmptranslate.
    Translate(ToolArgs),
    /// Print a table, as snmptable.
    Table(ToolArgs),
    /// Run the SNMP agent, as snmpd.
    Agent(commands::agent::AgentArgs),
    /// MIB tools: `vigie mib lint FILE…` checks MIB files.
    Mib(commands::mib::MibArgs),
    /// SMTP relay tools: `vigie smtp certs` captures and trusts a relay's certificate chain,
    /// `vigie smtp test` sends one real message.
    Smtp(commands::smtp::SmtpArgs),
    /// Logs: `vigie log actions` prints the troubleshooting log of response management.
    Log(commands::log::LogArgs),
    /// Run the supervision station: trap receiver, poller, alarms, HTTP API.
    Serve(commands::serve::ServeArgs),
    /// Administration: `vigie admin set-password` sets the web UI's admin password.
    Admin(commands::admin::AdminArgs),
    /// API tokens: `vigie token create NAME`, `list`, `revoke NAME`.
    Token(commands::token::TokenArgs),
}

/// A tool's arguments, handed as they are to its Net-SNMP-compatible parser.
#[derive(Debug, Args)]
#[command(disable_help_flag = true, disable_version_flag = true)]
struct ToolArgs {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    args: Vec<OsString>,
}

impl ToolArgs {
    /// The arguments as text; Net-SNMP reads bytes, and so does `s` through lossless UTF-8
    /// where it can.
    fn strings(&self) -> Vec<String> {
        self.args
            .iter()
            .map(|arg| arg.to_string_lossy().into_owned())
            .collect()
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let exit: Exit = match &cli.command {
        Command::Get(args) => commands::get::run(&args.strings()),
        Command::Getnext(args) => commands::getnext::run(&args.strings()),
        Command::Bulkget(args) => commands::bulkget::run(&args.strings()),
        Command::Walk(args) => commands::walk::run(&args.strings()),
        Command::Bulkwalk(args) => commands::bulkwalk::run(&args.strings()),
        Command::Set(args) => commands::set::run(&args.strings()),
        Command::Trap(args) => commands::trap::run(&args.strings()),
        Command::Inform(args) => commands::inform::run(&args.strings()),
        Command::Translate(args) => commands::translate::run(&args.strings()),
        Command::Table(args) => commands::table::run(&args.strings()),
        Command::Agent(args) => commands::agent::run(args),
        Command::Mib(args) => commands::mib::run(args),
        Command::Smtp(args) => commands::smtp::run(args),
        Command::Log(args) => commands::log::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Admin(args) => commands::admin::run(args),
        Command::Token(args) => commands::token::run(args),
    };
    exit.into()
}
