//! `vigie admin set-password [--user admin]`: sets the password of an admin account of the
//! web UI (stored as an Argon2id hash). The password is read from the terminal without echo
//! (asked twice), or as one line from standard input when that is not a terminal, so that
//! it never appears in `ps` or the shell's history.

use std::io::{self, BufRead as _, IsTerminal as _, Write as _};
use std::os::fd::AsFd as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use nix::sys::termios::{self, LocalFlags, SetArg};
use vigie_manager::store::{Durability, Store};

use crate::config::Config;
use crate::exit::Exit;
use crate::paths;

/// `vigie admin` options.
#[derive(Debug, Clone, Args)]
pub(crate) struct AdminArgs {
    #[command(subcommand)]
    command: AdminCommand,
    #[command(flatten)]
    place: DataPlace,
}

#[derive(Debug, Clone, Subcommand)]
enum AdminCommand {
    /// Set an admin account's password (read from the terminal, or one line of stdin).
    SetPassword {
        /// The account.
        #[arg(long, default_value = "admin")]
        user: String,
    },
}

/// Where the database is: `--data-dir`, else the configuration's `[server] data_dir`, else
/// the default data directory.
#[derive(Debug, Clone, Args)]
pub(crate) struct DataPlace {
    /// Data directory (as for `vigie serve`).
    #[arg(long, value_name = "DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// Configuration file whose `[server] data_dir` and `[storage] url` to use.
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
}

impl DataPlace {
    /// Opens the store `vigie serve` uses (creating it on a first run).
    pub(crate) async fn open(&self) -> anyhow::Result<Store> {
        let (from_config, url) = match &self.config {
            Some(path) => {
                let config = Config::load(path)?;
                (config.server.data_dir, config.storage.url)
            }
            None => (None, None),
        };
        let dir = paths::data_dir(self.data_dir.as_deref().or(from_config.as_deref()));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
        let database = paths::database_location(&dir, url.as_ref());
        Store::open_location(&database, Durability::Full)
            .await
            .with_context(|| format!("cannot open the database {database}"))
    }
}

/// Runs `vigie admin`.
pub(crate) fn run(args: &AdminArgs) -> Exit {
    let AdminCommand::SetPassword { user } = &args.command;
    let password = match read_password() {
        Ok(password) => password,
        Err(error) => {
            eprintln!("vigie admin: {error:#}");
            return Exit::Failure;
        }
    };
    super::block_on(async {
        match set_password(&args.place, user, &password).await {
            Ok(()) => {
                eprintln!("vigie admin: the password of {user:?} is set");
                Exit::Success
            }
            Err(error) => {
                eprintln!("vigie admin: {error:#}");
                Exit::Failure
            }
        }
    })
}

async fn set_password(place: &DataPlace, user: &str, password: &str) -> anyhow::Result<()> {
    let store = place.open().await?;
    let now = vigie_manager::time::Timestamp::from_system_time(std::time::SystemTime::now());
    store
        .set_admin_password(user, password, now)
        .await
        .context("storing the password")?;
    store.close().await;
    Ok(())
}

/// The new password: twice from the terminal without echo, or one line of stdin.
fn read_password() -> anyhow::Result<String> {
    let stdin = io::stdin();
    let password = if stdin.is_terminal() {
        let first = prompt("New password: ")?;
        let second = prompt("Again: ")?;
        if first != second {
            anyhow::bail!("the two passwords differ; nothing was changed");
        }
        first
    } else {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .context("reading the password from stdin")?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    check(&password)?;
    Ok(password)
}

/// Reads one line from the terminal with echo off, restoring the terminal afterwards.
fn prompt(text: &str) -> anyhow::Result<String> {
    let mut stderr = io::stderr();
    write!(stderr, "{text}")?;
    stderr.flush()?;
    let stdin = io::stdin();
    let saved = termios::tcgetattr(stdin.as_fd()).context("reading the terminal settings")?;
    let mut silent = saved.clone();
    silent.local_flags.remove(LocalFlags::ECHO);
    silent.local_flags.insert(LocalFlags::ECHONL);
    termios::tcsetattr(stdin.as_fd(), SetArg::TCSANOW, &silent)
        .context("turning the terminal echo off")?;
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    // Echo comes back whatever the read did.
    let restored = termios::tcsetattr(stdin.as_fd(), SetArg::TCSANOW, &saved);
    read.context("reading the password")?;
    restored.context("restoring the terminal")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// At least 12 characters: the password guards the whole supervision (NIST SP 800-63B
/// asks for 8 at least; an administrator's account deserves more).
fn check(password: &str) -> anyhow::Result<()> {
    if password.chars().count() < MIN_LENGTH {
        anyhow::bail!("the password needs at least {MIN_LENGTH} characters");
    }
    Ok(())
}

const MIN_LENGTH: usize = 12;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_passwords_are_refused() {
        assert!(check("short").is_err());
        assert!(check("a-long-enough-password").is_ok());
    }

    #[tokio::test]
    async fn sets_a_password_that_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let place = DataPlace {
            data_dir: Some(dir.path().to_owned()),
            config: None,
        };
        set_password(&place, "admin", "correct horse battery")
            .await
            .unwrap();
        let store = Store::open(&paths::database(dir.path()), Durability::Full)
            .await
            .unwrap();
        assert!(
            store
                .verify_admin_password("admin", "correct horse battery")
                .await
                .unwrap()
        );
        assert!(!store.verify_admin_password("admin", "wrong").await.unwrap());
    }
}
