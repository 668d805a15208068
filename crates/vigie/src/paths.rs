//! Where vigie keeps its state: the data directory and the files in it, resolved the same
//! way by every command (`vigie serve`, `vigie smtp`, `vigie log`).
//!
//! The default data directory follows the conventions of the platform: `$VIGIE_DATA_DIR`
//! when set; `/var/lib/vigie` for root (the FHS place for a service's state, where the
//! systemd unit's `StateDirectory=vigie` puts it); otherwise the XDG Base Directory
//! `$XDG_DATA_HOME/vigie`, falling back to `~/.local/share/vigie`.

use std::path::{Path, PathBuf};

use vigie_manager::store::{Location, PostgresUrl};

/// The data directory to use: `explicit` (`--data-dir`) if given, else the default.
pub(crate) fn data_dir(explicit: Option<&Path>) -> PathBuf {
    match explicit {
        Some(dir) => dir.to_path_buf(),
        None => default_data_dir(),
    }
}

/// The default data directory, from the environment and the effective user.
pub(crate) fn default_data_dir() -> PathBuf {
    resolve(
        std::env::var_os("VIGIE_DATA_DIR").map(PathBuf::from),
        nix::unistd::geteuid().is_root(),
        std::env::var_os("XDG_DATA_HOME").map(PathBuf::from),
        std::env::var_os("HOME").map(PathBuf::from),
    )
}

/// The `SQLite` database: the manager's store, the outbox and the troubleshooting log.
pub(crate) fn database(data_dir: &Path) -> PathBuf {
    data_dir.join(DATABASE_FILE)
}

/// The database `vigie serve` and the tools open: `[storage] url` (PostgreSQL) when the
/// configuration sets one, else the SQLite file in the data directory.
pub(crate) fn database_location(data_dir: &Path, url: Option<&PostgresUrl>) -> Location {
    match url {
        Some(url) => Location::Postgres(Box::new(url.clone())),
        None => Location::Sqlite(database(data_dir)),
    }
}

/// The trust store: one PEM file per trusted certificate.
pub(crate) fn trust_store(data_dir: &Path) -> PathBuf {
    data_dir.join(TRUST_STORE_DIR)
}

/// The rule itself, with its inputs as arguments so that it can be tested.
fn resolve(
    vigie_data_dir: Option<PathBuf>,
    root: bool,
    xdg_data_home: Option<PathBuf>,
    home: Option<PathBuf>,
) -> PathBuf {
    if let Some(dir) = vigie_data_dir.filter(|d| !d.as_os_str().is_empty()) {
        return dir;
    }
    if root {
        return PathBuf::from(SYSTEM_DATA_DIR);
    }
    // The XDG specification ignores a relative $XDG_DATA_HOME.
    if let Some(xdg) = xdg_data_home.filter(|d| d.is_absolute()) {
        return xdg.join("vigie");
    }
    match home.filter(|h| !h.as_os_str().is_empty()) {
        Some(home) => home.join(".local/share/vigie"),
        // No home at all (a bare container): the working directory is the least surprising.
        None => PathBuf::from("vigie-data"),
    }
}

const SYSTEM_DATA_DIR: &str = "/var/lib/vigie";
const DATABASE_FILE: &str = "vigie.db";
const TRUST_STORE_DIR: &str = "trust";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_wins_then_root_then_xdg_then_home() {
        let p = |s: &str| Some(PathBuf::from(s));
        assert_eq!(
            resolve(p("/srv/vigie"), true, p("/x"), p("/h")),
            Path::new("/srv/vigie")
        );
        assert_eq!(
            resolve(None, true, p("/x"), p("/h")),
            Path::new("/var/lib/vigie")
        );
        assert_eq!(
            resolve(p(""), false, p("/x"), p("/h")),
            Path::new("/x/vigie")
        );
        assert_eq!(
            resolve(None, false, p("relative"), p("/home/ops")),
            Path::new("/home/ops/.local/share/vigie")
        );
        assert_eq!(resolve(None, false, None, None), Path::new("vigie-data"));
    }

    #[test]
    fn files_live_in_the_data_directory() {
        let dir = data_dir(Some(Path::new("/d")));
        assert_eq!(database(&dir), Path::new("/d/vigie.db"));
        assert_eq!(trust_store(&dir), Path::new("/d/trust"));
    }
}
