//! Which MIB modules the tools load, decided as Net-SNMP decides it (snmpcmd(1) `-m`, `-M`;
//! the `MIBS` and `MIBDIRS` variables; `mibs` and `mibdirs` in `snmp.conf`), with vigie's
//! built-in modules as the compiled-in default list.
//!
//! - Nothing set: the built-in modules ([`vigie_mib::BUILTIN_MODULES`]), taken from the binary.
//! - `-m`, `MIBS` or `mibs` with a list replaces the default list, `+LIST` adds after it,
//!   `-LIST` before it, `ALL` loads every module of the directories; an empty list (`MIBS=`,
//!   `-m ''`) loads no module at all, and OIDs print as numbers (`iso.3.6.1…`).
//! - `-M`, `MIBDIRS`, `mibdirs` set the directories the same way, after the default
//!   `$HOME/.snmp/mibs:/usr/share/snmp/mibs:/usr/share/snmp/mibs/iana:/usr/share/snmp/mibs/ietf`.
//! - `snmp.conf` is read from each directory of `SNMPCONFPATH` (default
//!   `/etc/snmp:/usr/share/snmp:/usr/lib/x86_64-linux-gnu/snmp:$HOME/.snmp`), `snmp.conf`
//!   then `snmp.local.conf`; the last `mibs` line and the last `mibdirs` line win, and they
//!   count only when neither the environment nor the command line sets the same thing.
//!
//! One departure: with `SNMPCONFPATH` unset, an empty `mibs` line in a system-wide file
//! (Debian's `/etc/snmp/snmp.conf` says `mibs :`) is not honoured. Debian writes it because
//! its package ships no MIB files; vigie carries its modules in the binary, so the reason
//! does not hold. The line is honoured in `$HOME/.snmp/snmp.conf` and in any file of an
//! explicit `SNMPCONFPATH`.
//!
//! The library (`vigie-mib`) reads no environment and no file of configuration: this module
//! does, and hands the values to [`vigie_mib::mib_dirs`] and [`vigie_mib::mib_modules`].

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use vigie_mib::{DEFAULT_MODULES, Loader, MibSet, ModuleSelection, mib_dirs, mib_modules};

/// The settings that decide what is loaded, read from the environment and `snmp.conf`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Settings {
    /// `$HOME`.
    pub(crate) home: Option<String>,
    /// The last `mibs` line of the configuration files.
    pub(crate) config_mibs: Option<String>,
    /// The last `mibdirs` line of the configuration files.
    pub(crate) config_mibdirs: Option<String>,
    /// `MIBS`.
    pub(crate) env_mibs: Option<String>,
    /// `MIBDIRS`.
    pub(crate) env_mibdirs: Option<String>,
}

impl Settings {
    /// Reads the environment and the configuration files.
    pub(crate) fn from_environment() -> Self {
        let var = |name: &str| std::env::var(name).ok();
        let home = var("HOME");
        let confpath = var("SNMPCONFPATH");
        let (config_mibs, config_mibdirs) = read_config(home.as_deref(), confpath.as_deref());
        Self {
            home,
            config_mibs,
            config_mibdirs,
            env_mibs: var("MIBS"),
            env_mibdirs: var("MIBDIRS"),
        }
    }
}

/// What loading gave: the modules (`None`: no module at all) and the messages to print.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    /// The tree, or `None` when the module list is empty.
    pub(crate) mib: Option<MibSet>,
    /// Net-SNMP's messages for modules not found.
    pub(crate) errors: Vec<String>,
}

/// Loads the modules `settings` and the command line's `-m` (`modules`) and `-M` (`dirs`)
/// select.
pub(crate) fn load(settings: &Settings, modules: Option<&str>, dirs: Option<&str>) -> Loaded {
    let selection = mib_modules(
        settings.config_mibs.as_deref(),
        settings.env_mibs.as_deref(),
        modules,
    );
    let dirs_given =
        dirs.is_some() || settings.env_mibdirs.is_some() || settings.config_mibdirs.is_some();
    let search = mib_dirs(
        settings.home.as_deref(),
        settings.config_mibdirs.as_deref(),
        settings.env_mibdirs.as_deref(),
        dirs,
    );
    let base_kept = default_list_kept(settings, modules);
    let list = match selection {
        ModuleSelection::Modules(list) if list.is_empty() => return Loaded::default(),
        ModuleSelection::Modules(list) => Some(list),
        ModuleSelection::All => None,
    };
    let is_default = list.as_deref().is_some_and(|l| {
        l.len() == DEFAULT_MODULES.len() && l.iter().zip(DEFAULT_MODULES).all(|(a, b)| a == b)
    });
    if is_default && !dirs_given {
        // The default list and directories: the built-ins, without reading a file.
        return Loaded {
            mib: Some(MibSet::builtin()),
            errors: Vec::new(),
        };
    }
    let mut loader = Loader::new();
    loader.add_builtin_modules();
    if !DESCRIPTIONS.load(Ordering::Relaxed) {
        loader.skip_descriptions();
    }
    // Net-SNMP takes a module from the last directory holding it; the loader from the first.
    for dir in search.iter().rev().filter(|d| d.is_dir()) {
        loader.add_search_path(dir);
    }
    let mut errors = Vec::new();
    match list {
        None => {
            // A directory that cannot be listed was filtered out above; nothing else fails.
            let _ = loader.load_all();
        }
        Some(list) => {
            for module in &list {
                if loader.load_module(module).is_err()
                    && !(base_kept && DEFAULT_MODULES.contains(&module.as_str()))
                {
                    errors.push(format!(
                        "Cannot find module ({module}): At line 1 in (none)"
                    ));
                }
            }
        }
    }
    if base_kept {
        loader.load_builtin();
    }
    if !errors.is_empty() {
        errors.insert(0, format!("MIB search path: {}", join_paths(&search)));
    }
    let mib = loader.build();
    // The tools load their modules once and keep them until the process exits; freeing the
    // parsed sources, one allocation at a time, is work the exit does for nothing (as
    // Net-SNMP's tools leave their tree to the exit).
    std::mem::forget(loader);
    Loaded {
        mib: Some(mib),
        errors,
    }
}

/// Whether the compiled-in list is still part of the selection: every level that applies adds
/// to it (`+…`, `-…`) rather than replacing it.
fn default_list_kept(settings: &Settings, modules: Option<&str>) -> bool {
    let env = settings.env_mibs.as_deref();
    let config = settings
        .config_mibs
        .as_deref()
        .filter(|_| env.is_none() && modules.is_none());
    [config, env, modules]
        .into_iter()
        .flatten()
        .all(|spec| spec.starts_with('+') || spec.starts_with('-'))
}

fn join_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(":")
}

/// The `mibs` and `mibdirs` values of the configuration files, the last of each.
fn read_config(home: Option<&str>, confpath: Option<&str>) -> (Option<String>, Option<String>) {
    let explicit = confpath.is_some();
    let dirs: Vec<String> = match confpath {
        Some(path) => path
            .split(':')
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect(),
        None => {
            let mut dirs: Vec<String> = SYSTEM_CONF_DIRS.iter().map(|&d| d.to_owned()).collect();
            if let Some(home) = home {
                dirs.push(format!("{}/.snmp", home.trim_end_matches('/')));
            }
            dirs
        }
    };
    let mut mibs = None;
    let mut mibdirs = None;
    for dir in &dirs {
        let system = !explicit && SYSTEM_CONF_DIRS.contains(&dir.as_str());
        for file in ["snmp.conf", "snmp.local.conf"] {
            let Ok(text) = std::fs::read_to_string(Path::new(dir).join(file)) else {
                continue;
            };
            let (m, d) = parse_config(&text);
            if let Some(m) = m.filter(|m| !(system && is_empty_list(m))) {
                mibs = Some(m);
            }
            if let Some(d) = d {
                mibdirs = Some(d);
            }
        }
    }
    (mibs, mibdirs)
}

/// The last `mibs` and `mibdirs` values of one file (`# comments`, blank lines skipped).
fn parse_config(text: &str) -> (Option<String>, Option<String>) {
    let mut mibs = None;
    let mut mibdirs = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let (token, value) = line
            .split_once(char::is_whitespace)
            .map_or((line, ""), |(t, v)| (t, v.trim()));
        match token {
            "mibs" => mibs = Some(value.to_owned()),
            "mibdirs" => mibdirs = Some(value.to_owned()),
            _ => {}
        }
    }
    (mibs, mibdirs)
}

/// A module list naming no module (`mibs :`, `mibs ""`).
fn is_empty_list(value: &str) -> bool {
    value
        .split(':')
        .all(|m| m.trim().is_empty() || m.trim() == "\"\"")
}

/// The directories of Net-SNMP's default `SNMPCONFPATH` before `$HOME/.snmp` (Debian's build).
const SYSTEM_CONF_DIRS: &[&str] = &[
    "/etc/snmp",
    "/usr/share/snmp",
    "/usr/lib/x86_64-linux-gnu/snmp",
];

/// The modules of this process: a tool runs once, and its OID parsing and output reach the
/// tree from many places, so it is kept here once loaded.
static CURRENT: OnceLock<Option<MibSet>> = OnceLock::new();

/// Whether [`init`] keeps the DESCRIPTION texts of the modules it reads from files.
static DESCRIPTIONS: AtomicBool = AtomicBool::new(false);

/// Makes [`init`] keep DESCRIPTION texts, which only `vigie translate -Td` prints; without
/// it they are dropped while parsing, as Net-SNMP drops them unless asked to save them.
pub(crate) fn keep_descriptions() {
    DESCRIPTIONS.store(true, Ordering::Relaxed);
}

/// Loads the modules for this process from the environment, `snmp.conf`, `-m` and `-M`, and
/// prints Net-SNMP's messages for modules not found. Later calls keep the first tree.
pub(crate) fn init(modules: Option<&str>, dirs: Option<&str>) {
    CURRENT.get_or_init(|| {
        let loaded = load(&Settings::from_environment(), modules, dirs);
        for error in &loaded.errors {
            eprintln!("{error}");
        }
        loaded.mib
    });
}

/// The modules loaded by [`init`]; `None` before it or when no module is loaded.
pub(crate) fn current() -> Option<&'static MibSet> {
    CURRENT.get().and_then(Option::as_ref)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            home: Some("/nonexistent-home".to_owned()),
            ..Settings::default()
        }
    }

    #[test]
    fn default_is_the_builtin_modules() {
        let loaded = load(&settings(), None, None);
        let mib = loaded.mib.expect("the built-ins");
        assert!(loaded.errors.is_empty());
        assert_eq!(
            mib.resolve("IF-MIB::ifDescr.3").map(|o| o.arcs().to_vec()),
            Ok(vec![1, 3, 6, 1, 2, 1, 2, 2, 1, 2, 3])
        );
    }

    #[test]
    fn empty_lists_load_nothing() {
        assert!(load(&settings(), Some(""), None).mib.is_none());
        let env = Settings {
            env_mibs: Some(String::new()),
            ..settings()
        };
        assert!(load(&env, None, None).mib.is_none());
        // The command line overrides the environment.
        assert!(load(&env, Some("+IF-MIB"), None).mib.is_some());
        let config = Settings {
            config_mibs: Some(":".to_owned()),
            ..settings()
        };
        assert!(load(&config, None, None).mib.is_none());
    }

    #[test]
    fn missing_modules_are_reported_as_net_snmp_does() {
        let loaded = load(&settings(), Some("NO-SUCH-MIB"), Some("/nonexistent-dir"));
        assert_eq!(
            loaded.errors,
            vec![
                "MIB search path: /nonexistent-dir".to_owned(),
                "Cannot find module (NO-SUCH-MIB): At line 1 in (none)".to_owned()
            ]
        );
        // A missing module of Net-SNMP's default list is silent while that list is kept.
        let added = load(&settings(), Some("+UCD-DEMO-MIB"), Some("/nonexistent-dir"));
        assert!(added.errors.is_empty());
        assert!(added.mib.is_some_and(|m| m.find("sysDescr").is_some()));
    }

    #[test]
    fn config_lines() {
        let text = "# mibs ALL\nmibs :\n  mibdirs  /a:/b \nmibs +IF-MIB\n";
        assert_eq!(
            parse_config(text),
            (Some("+IF-MIB".to_owned()), Some("/a:/b".to_owned()))
        );
        assert!(is_empty_list(":"));
        assert!(is_empty_list(""));
        assert!(!is_empty_list("IF-MIB"));
    }

    #[test]
    fn debian_empty_mibs_is_not_honoured_from_system_files_only() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let conf = dir.path().join("snmp.conf");
        std::fs::write(&conf, "mibs :\n").expect("written");
        let path = dir.path().display().to_string();
        // An explicit SNMPCONFPATH is honoured, empty list included.
        assert_eq!(read_config(None, Some(&path)).0, Some(":".to_owned()));
        assert_eq!(read_config(None, Some("")), (None, None));
    }
}
