//! Reading the Linux host for the live MIB groups (IF-MIB, HOST-RESOURCES-MIB).
//!
//! Each sub-module pairs pure parsers over the text of a `/proc` or `/sys` file, which the
//! unit tests drive with captured fixtures and hand-written edge cases, with thin readers
//! that open the real files under the roots of a [`HostPaths`]. A missing or unreadable file
//! yields an empty or zero value, never an error: an agent keeps answering for the rest of
//! the host when one source is unavailable, as `snmpd` does.

pub mod interfaces;
pub mod processors;
pub mod storage;
pub mod system;

use std::fs;
use std::path::Path;
use std::path::PathBuf;

/// Where the host's kernel interfaces are mounted: `/proc`, `/sys` and the utmp file.
///
/// [`HostPaths::live`] is the real host; tests point the roots at a fixture tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPaths {
    proc_root: PathBuf,
    sys_root: PathBuf,
    utmp: PathBuf,
}

impl HostPaths {
    /// The running host: `/proc`, `/sys`, `/var/run/utmp`.
    pub fn live() -> Self {
        Self::new("/proc", "/sys", "/var/run/utmp")
    }

    /// A host whose procfs, sysfs and utmp file are at the given paths.
    pub fn new(
        proc_root: impl Into<PathBuf>,
        sys_root: impl Into<PathBuf>,
        utmp: impl Into<PathBuf>,
    ) -> Self {
        Self {
            proc_root: proc_root.into(),
            sys_root: sys_root.into(),
            utmp: utmp.into(),
        }
    }

    /// The procfs root (`/proc` on the live host).
    pub fn proc_root(&self) -> &Path {
        &self.proc_root
    }

    /// The sysfs root (`/sys` on the live host).
    pub fn sys_root(&self) -> &Path {
        &self.sys_root
    }

    /// The utmp file (`/var/run/utmp` on the live host).
    pub fn utmp(&self) -> &Path {
        &self.utmp
    }

    /// The text of `relative` under the procfs root, `None` when it cannot be read.
    pub(crate) fn proc_text(&self, relative: &str) -> Option<String> {
        read_text(&self.proc_root.join(relative))
    }
}

impl Default for HostPaths {
    fn default() -> Self {
        Self::live()
    }
}

/// The text of a file, `None` when it is missing, unreadable or not UTF-8 (sysfs answers
/// `EINVAL` for attributes a driver does not implement, such as `speed` on `lo`).
fn read_text(path: &Path) -> Option<String> {
    fs::read_to_string(path).ok()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::interfaces::parse_net_dev;
    use super::processors::parse_cpuinfo;
    use super::processors::parse_stat;
    use super::storage::MemInfo;
    use super::storage::parse_mounts;
    use super::system::count_users;
    use super::system::parse_uptime;

    /// Lines that look like the real files, with numbers of any size and stray separators.
    fn procfs_like() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                "[a-z0-9:. /|\\\\-]{0,40}",
                "(cpu[0-9]{0,3}|eth[0-9]|[A-Za-z]{1,12}):?( [0-9]{1,25}){0,18}( kB)?",
                "[a-z/]{1,10} [/a-z\\\\0-9]{1,12} [a-z0-9]{1,8} [a-z,=0-9]{0,20} 0 0",
            ],
            0..20,
        )
        .prop_map(|lines| lines.join("\n"))
    }

    proptest! {
        #[test]
        fn parsers_never_panic(text in procfs_like(), raw in ".{0,200}") {
            for input in [&text, &raw] {
                let _ = parse_net_dev(input);
                let _ = MemInfo::parse(input);
                let _ = parse_mounts(input);
                let _ = parse_stat(input);
                let _ = parse_cpuinfo(input);
                let _ = parse_uptime(input);
            }
        }

        #[test]
        fn utmp_counting_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2_000)) {
            prop_assert!(count_users(&bytes) as usize <= bytes.len() / 384);
        }
    }
}
