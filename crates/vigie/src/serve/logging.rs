//! Log output: text lines for people (the default) or JSON lines for collectors, on stderr,
//! filtered as `RUST_LOG` says (`info` when unset).

use std::io::IsTerminal as _;
use std::str::FromStr;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The shape of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogFormat {
    /// `2026-11-23T20:36:54Z  INFO vigie: message key=value`.
    Text,
    /// One JSON object per line.
    Json,
}

/// Installs the global subscriber; a second call (tests) keeps the first.
pub(crate) fn init(format: LogFormat) {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|text| Targets::from_str(&text).ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    let registry = tracing_subscriber::registry().with(filter);
    let installed = match format {
        LogFormat::Text => registry
            .with(
                fmt::layer()
                    .with_ansi(std::io::stderr().is_terminal())
                    .with_writer(std::io::stderr),
            )
            .try_init(),
        LogFormat::Json => registry
            .with(fmt::layer().json().with_writer(std::io::stderr))
            .try_init(),
    };
    // Already installed: the first subscriber stays, which is what a second call wants.
    drop(installed);
}
