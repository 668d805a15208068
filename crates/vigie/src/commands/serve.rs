//! `vigie serve`: the supervision station. With no option it runs on the embedded defaults:
//! data in `$VIGIE_DATA_DIR` (else `/var/lib/vigie` as root, else
//! `$XDG_DATA_HOME/vigie` or `~/.local/share/vigie`), HTTP on 127.0.0.1:8080, traps on UDP
//! 162, the built-in agent on 127.0.0.1:16100. `docs/configuration.md` describes the file.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use crate::config::Config;
use crate::exit::Exit;
use crate::serve::logging::{self, LogFormat};
use crate::serve::{self, Options, Overrides};

/// `vigie serve` options.
#[derive(Debug, Clone, Args)]
pub(crate) struct ServeArgs {
    /// TOML configuration file (see docs/configuration.md).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data directory: the database, the agent's state, the trust store.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// HTTP API address, e.g. 127.0.0.1:8080.
    #[arg(long, value_name = "ADDR")]
    http: Option<SocketAddr>,
    /// Trap receiver address, e.g. 0.0.0.0:162.
    #[arg(long, value_name = "ADDR")]
    traps: Option<SocketAddr>,
    /// Built-in agent address, e.g. 127.0.0.1:16100.
    #[arg(long, value_name = "ADDR")]
    agent: Option<SocketAddr>,
    /// Log lines as text (default) or JSON.
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Validate the configuration and exit (0 when valid).
    #[arg(long)]
    check_config: bool,
}

/// Runs the station until SIGTERM or SIGINT; exit status 0 after a clean shutdown.
pub(crate) fn run(args: &ServeArgs) -> Exit {
    let mut config = match &args.config {
        Some(path) => match Config::load(path) {
            Ok(config) => config,
            Err(error) => {
                eprintln!("vigie serve: {error}");
                return Exit::Failure;
            }
        },
        None => Config::default(),
    };
    if args.check_config {
        match &args.config {
            Some(path) => eprintln!("vigie serve: {}: configuration valid", path.display()),
            None => eprintln!("vigie serve: no --config: the embedded defaults are valid"),
        }
        return Exit::Success;
    }
    let overrides = Overrides {
        data_dir: args.data_dir.clone(),
        http: args.http,
        traps: args.traps,
        agent: args.agent,
    };
    overrides.apply(&mut config);
    logging::init(args.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("vigie serve: cannot start the async runtime: {error}");
            return Exit::Failure;
        }
    };
    let options = Options {
        path: args.config.clone(),
        overrides,
        config,
    };
    match runtime.block_on(serve::run(options)) {
        Ok(()) => Exit::Success,
        Err(error) => {
            eprintln!("vigie serve: {error:#}");
            Exit::Failure
        }
    }
}
