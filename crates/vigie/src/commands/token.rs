//! `vigie token create NAME` (prints the token once, on stdout, for `Authorization: Bearer`),
//! `vigie token list [--json]` and `vigie token revoke NAME`. Tokens are stored as SHA-256
//! digests: a lost token cannot be shown again, only revoked and replaced.

use std::io::{self, Write as _};

use clap::{Args, Subcommand};
use vigie_manager::time::Timestamp;

use super::admin::DataPlace;
use crate::exit::Exit;

/// `vigie token` options.
#[derive(Debug, Clone, Args)]
pub(crate) struct TokenArgs {
    #[command(subcommand)]
    command: TokenCommand,
    #[command(flatten)]
    place: DataPlace,
}

#[derive(Debug, Clone, Subcommand)]
enum TokenCommand {
    /// Create an API token and print it (shown this once).
    Create {
        /// A name for people, e.g. grafana or ci.
        name: String,
    },
    /// List the tokens (names and dates; never the tokens).
    List {
        /// One JSON array on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Revoke every token with this name.
    Revoke {
        /// The name given at creation.
        name: String,
    },
}

/// Runs `vigie token`.
pub(crate) fn run(args: &TokenArgs) -> Exit {
    super::block_on(async {
        match execute(args).await {
            Ok(exit) => exit,
            Err(error) => {
                eprintln!("vigie token: {error:#}");
                Exit::Failure
            }
        }
    })
}

async fn execute(args: &TokenArgs) -> anyhow::Result<Exit> {
    let store = args.place.open().await?;
    let mut stdout = io::stdout().lock();
    let exit = match &args.command {
        TokenCommand::Create { name } => {
            if name.trim().is_empty() {
                anyhow::bail!("the token needs a name");
            }
            let token = store
                .create_token(
                    name,
                    Timestamp::from_system_time(std::time::SystemTime::now()),
                )
                .await?;
            writeln!(stdout, "{}", token.expose())?;
            eprintln!(
                "vigie token: created {name:?}; it is shown this once. Send it as \
                 `Authorization: Bearer <token>`; revoke it with `vigie token revoke {name}`."
            );
            Exit::Success
        }
        TokenCommand::List { json } => {
            let tokens = store.tokens().await?;
            if *json {
                writeln!(stdout, "{}", serde_json::to_string_pretty(&tokens)?)?;
            } else {
                writeln!(stdout, "{:<6} {:<24} CREATED", "ID", "NAME")?;
                for token in &tokens {
                    writeln!(
                        stdout,
                        "{:<6} {:<24} {}",
                        token.id.0, token.name, token.created_at
                    )?;
                }
            }
            Exit::Success
        }
        TokenCommand::Revoke { name } => {
            let revoked = store.revoke_tokens_named(name).await?;
            if revoked == 0 {
                eprintln!("vigie token: no token is named {name:?}");
                Exit::Failure
            } else {
                eprintln!("vigie token: revoked {revoked} token(s) named {name:?}");
                Exit::Success
            }
        }
    };
    store.close().await;
    Ok(exit)
}
