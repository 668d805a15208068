//! Detection of the Net-SNMP programs the interop tests run.

use std::env;
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A Net-SNMP program used as a peer, with the Debian package that ships it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Peer {
    /// The agent (`snmpd`, package `snmpd`).
    Snmpd,
    /// The notification receiver (`snmptrapd`, package `snmptrapd`).
    Snmptrapd,
    /// `snmpget` (package `snmp`).
    Snmpget,
    /// `snmpgetnext` (package `snmp`).
    Snmpgetnext,
    /// `snmpbulkget` (package `snmp`).
    Snmpbulkget,
    /// `snmpwalk` (package `snmp`).
    Snmpwalk,
    /// `snmpbulkwalk` (package `snmp`).
    Snmpbulkwalk,
    /// `snmpset` (package `snmp`).
    Snmpset,
    /// `snmptrap` (package `snmp`).
    Snmptrap,
    /// `snmpinform` (package `snmp`).
    Snmpinform,
}

impl Peer {
    /// The program's file name.
    pub fn program(self) -> &'static str {
        match self {
            Self::Snmpd => "snmpd",
            Self::Snmptrapd => "snmptrapd",
            Self::Snmpget => "snmpget",
            Self::Snmpgetnext => "snmpgetnext",
            Self::Snmpbulkget => "snmpbulkget",
            Self::Snmpwalk => "snmpwalk",
            Self::Snmpbulkwalk => "snmpbulkwalk",
            Self::Snmpset => "snmpset",
            Self::Snmptrap => "snmptrap",
            Self::Snmpinform => "snmpinform",
        }
    }

    /// The Debian package that installs the program.
    pub fn package(self) -> &'static str {
        match self {
            Self::Snmpd => "snmpd",
            Self::Snmptrapd => "snmptrapd",
            _ => "snmp",
        }
    }

    /// The `vigie` subcommand that does the same job, for the command-line tools.
    pub fn vigie_subcommand(self) -> Option<&'static str> {
        Some(match self {
            Self::Snmpd | Self::Snmptrapd => return None,
            Self::Snmpget => "get",
            Self::Snmpgetnext => "getnext",
            Self::Snmpbulkget => "bulkget",
            Self::Snmpwalk => "walk",
            Self::Snmpbulkwalk => "bulkwalk",
            Self::Snmpset => "set",
            Self::Snmptrap => "trap",
            Self::Snmpinform => "inform",
        })
    }

    /// The program's path: the first match on `PATH`, then in `/usr/sbin` and `/usr/bin`
    /// (daemons live in `/usr/sbin`, which a non-root `PATH` often omits).
    pub fn path(self) -> Option<PathBuf> {
        find_program(self.program(), env::var_os("PATH"))
    }

    /// The line printed when the program is missing.
    pub fn missing_message(self) -> String {
        format!(
            "skipped: {} not found — install the Debian package {}",
            self.program(),
            self.package()
        )
    }
}

/// Checks that every peer is installed.
///
/// Returns `true` when all are found. Otherwise prints `skipped: <tool> not found — install
/// the Debian package <package>` for the first missing one and returns `false`, so that the
/// test returns early.
///
/// # Panics
///
/// When a peer is missing and `VIGIE_REQUIRE_PEERS=1`, with the same text: CI must never
/// pass by skipping.
pub fn require(peers: &[Peer]) -> bool {
    check(peers, Peer::path, peers_required())
}

/// [`require`] with the lookup and the policy as arguments.
fn check(peers: &[Peer], find: impl Fn(Peer) -> Option<PathBuf>, required: bool) -> bool {
    let Some(missing) = peers.iter().copied().find(|peer| find(*peer).is_none()) else {
        return true;
    };
    let message = missing.missing_message();
    assert!(!required, "{message} (VIGIE_REQUIRE_PEERS=1)");
    // Straight to the process's stderr: libtest captures `eprintln!` of passing tests, and
    // a skip must be visible in a plain `cargo test` run.
    let _ = writeln!(io::stderr(), "{message}");
    false
}

/// Whether `VIGIE_REQUIRE_PEERS=1` is set.
fn peers_required() -> bool {
    env::var_os("VIGIE_REQUIRE_PEERS").is_some_and(|value| value == "1")
}

/// Searches `name` in the directories of `path_var`, then in the system directories.
fn find_program(name: &str, path_var: Option<OsString>) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = path_var
        .map(|value| env::split_paths(&value).collect())
        .unwrap_or_default();
    dirs.extend(SYSTEM_DIRS.iter().map(PathBuf::from));
    dirs.into_iter()
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

/// Whether `path` is a regular file with an execute bit.
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;

    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// Where Debian installs the Net-SNMP programs, searched after `PATH`.
const SYSTEM_DIRS: &[&str] = &["/usr/sbin", "/usr/bin", "/sbin", "/bin"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packages_match_debian() {
        assert_eq!(Peer::Snmpd.package(), "snmpd");
        assert_eq!(Peer::Snmptrapd.package(), "snmptrapd");
        assert_eq!(Peer::Snmpbulkwalk.package(), "snmp");
        assert_eq!(Peer::Snmpinform.package(), "snmp");
    }

    #[test]
    fn missing_message_names_tool_and_package() {
        assert_eq!(
            Peer::Snmptrapd.missing_message(),
            "skipped: snmptrapd not found — install the Debian package snmptrapd"
        );
        assert_eq!(
            Peer::Snmpwalk.missing_message(),
            "skipped: snmpwalk not found — install the Debian package snmp"
        );
    }

    #[test]
    fn subcommands_mirror_tools() {
        assert_eq!(Peer::Snmpgetnext.vigie_subcommand(), Some("getnext"));
        assert_eq!(Peer::Snmpbulkget.vigie_subcommand(), Some("bulkget"));
        assert_eq!(Peer::Snmpd.vigie_subcommand(), None);
    }

    #[test]
    fn finds_program_on_path_and_rejects_non_executables() {
        use std::os::unix::fs::PermissionsExt;

        let dir = tempfile::tempdir().unwrap();
        let tool = dir.path().join("vigie-test-tool");
        std::fs::write(&tool, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o644)).unwrap();
        let path_var = Some(dir.path().as_os_str().to_owned());
        assert_eq!(find_program("vigie-test-tool", path_var.clone()), None);

        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(find_program("vigie-test-tool", path_var), Some(tool));
    }

    #[test]
    fn check_passes_when_every_peer_is_found() {
        let found = |peer: Peer| Some(PathBuf::from("/usr/bin").join(peer.program()));
        assert!(check(&[Peer::Snmpd, Peer::Snmpget], found, true));
    }

    #[test]
    fn check_skips_when_a_peer_is_missing() {
        let only_snmpget = |peer: Peer| (peer == Peer::Snmpget).then(|| PathBuf::from("/x"));
        assert!(!check(
            &[Peer::Snmpget, Peer::Snmptrapd],
            only_snmpget,
            false
        ));
    }

    #[test]
    #[should_panic(expected = "skipped: snmpd not found — install the Debian package snmpd")]
    fn check_fails_when_peers_are_required() {
        check(&[Peer::Snmpd], |_| None, true);
    }

    #[test]
    fn falls_back_to_system_dirs() {
        // `sh` is in /bin on every Debian system, even with an empty PATH.
        let found = find_program("sh", None).unwrap();
        assert!(found.ends_with("sh"));
        assert_eq!(find_program("vigie-no-such-program", None), None);
    }
}
