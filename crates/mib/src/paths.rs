//! Which directories to search and which modules to load, as Net-SNMP decides them from its
//! defaults, `snmp.conf` (`mibdirs`, `mibs`), the environment (`MIBDIRS`, `MIBS`) and the
//! command line (`-M`, `-m`). Pure: the caller reads the environment and passes the
//! values in.
//!
//! Each level replaces the one before, or with a leading `+` adds after it, or with a
//! leading `-` adds before it (snmpcmd(1) `-M`, `-m`). The `snmp.conf` value counts only
//! when neither the environment nor the command line gives one: Net-SNMP's tools pass
//! `-M`/`-m` through the environment, which the configuration directives defer to.
//! Checked against Net-SNMP 5.9.3's `-Dinit_mib` output on Debian, whose `snmp.conf`
//! says `mibs :`.

use std::path::PathBuf;

/// Net-SNMP's MIB directory list, in its order: for a module in two directories, Net-SNMP
/// uses the later one, so add them to a [`crate::Loader`] in reverse
/// (`for dir in dirs.iter().rev()`) to get the same module.
///
/// The default is `$HOME/.snmp/mibs:/usr/share/snmp/mibs:/usr/share/snmp/mibs/iana:`
/// `/usr/share/snmp/mibs/ietf` (without the first when `home` is `None`); then `config`
/// (`mibdirs` in `snmp.conf`), `env` (`MIBDIRS`) and `option` (`-M`) apply in turn. An
/// empty value means no directory at all.
pub fn mib_dirs(
    home: Option<&str>,
    config: Option<&str>,
    env: Option<&str>,
    option: Option<&str>,
) -> Vec<PathBuf> {
    let mut dirs: Vec<String> = Vec::new();
    if let Some(home) = home {
        dirs.push(format!("{}/.snmp/mibs", home.trim_end_matches('/')));
    }
    dirs.extend(DEFAULT_MIB_DIRS.iter().map(|&d| d.to_owned()));
    for spec in levels(config, env, option) {
        dirs = apply(dirs, spec);
    }
    dirs.into_iter().map(PathBuf::from).collect()
}

/// The modules to load: Net-SNMP's compiled-in list ([`DEFAULT_MODULES`]), then `config`
/// (`mibs` in `snmp.conf`), `env` (`MIBS`) and `option` (`-m`) in turn. `ALL` anywhere in
/// the result means every module of the search directories.
pub fn mib_modules(
    config: Option<&str>,
    env: Option<&str>,
    option: Option<&str>,
) -> ModuleSelection {
    let mut modules: Vec<String> = DEFAULT_MODULES.iter().map(|&m| m.to_owned()).collect();
    for spec in levels(config, env, option) {
        modules = apply(modules, spec);
    }
    if modules.iter().any(|m| m == "ALL") {
        return ModuleSelection::All;
    }
    let mut unique: Vec<String> = Vec::with_capacity(modules.len());
    for module in modules {
        if !unique.contains(&module) {
            unique.push(module);
        }
    }
    ModuleSelection::Modules(unique)
}

/// What [`mib_modules`] selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleSelection {
    /// `ALL`: every module found in the search directories.
    All,
    /// These modules, in order (without duplicates).
    Modules(Vec<String>),
}

/// The levels that apply, in order.
fn levels<'a>(
    config: Option<&'a str>,
    env: Option<&'a str>,
    option: Option<&'a str>,
) -> impl Iterator<Item = &'a str> {
    let config = config.filter(|_| env.is_none() && option.is_none());
    [config, env, option].into_iter().flatten()
}

/// One level of configuration over the list so far: `+a:b` after it, `-a:b` before it,
/// `a:b` instead of it.
fn apply(current: Vec<String>, spec: &str) -> Vec<String> {
    let split = |s: &str| -> Vec<String> {
        s.split(':')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    };
    if let Some(after) = spec.strip_prefix('+') {
        let mut list = current;
        list.extend(split(after));
        list
    } else if let Some(before) = spec.strip_prefix('-') {
        let mut list = split(before);
        list.extend(current);
        list
    } else {
        split(spec)
    }
}

/// Net-SNMP's compiled-in directories after `$HOME/.snmp/mibs` (Debian's build).
const DEFAULT_MIB_DIRS: &[&str] = &[
    "/usr/share/snmp/mibs",
    "/usr/share/snmp/mibs/iana",
    "/usr/share/snmp/mibs/ietf",
];

/// Net-SNMP 5.9's compiled-in module list (`net-snmp-config --default-mibs`).
pub const DEFAULT_MODULES: &[&str] = &[
    "SNMPv2-MIB",
    "IF-MIB",
    "IP-MIB",
    "TCP-MIB",
    "UDP-MIB",
    "HOST-RESOURCES-MIB",
    "NOTIFICATION-LOG-MIB",
    "DISMAN-EVENT-MIB",
    "DISMAN-SCHEDULE-MIB",
    "HOST-RESOURCES-TYPES",
    "MTA-MIB",
    "NETWORK-SERVICES-MIB",
    "UCD-DISKIO-MIB",
    "UCD-DLMOD-MIB",
    "LM-SENSORS-MIB",
    "UCD-SNMP-MIB",
    "UCD-DEMO-MIB",
    "SNMP-TARGET-MIB",
    "NET-SNMP-AGENT-MIB",
    "SNMP-FRAMEWORK-MIB",
    "SNMP-MPD-MIB",
    "SNMP-USER-BASED-SM-MIB",
    "SNMP-VIEW-BASED-ACM-MIB",
    "SNMP-COMMUNITY-MIB",
    "IPV6-ICMP-MIB",
    "IPV6-MIB",
    "IPV6-TCP-MIB",
    "IPV6-UDP-MIB",
    "IP-FORWARD-MIB",
    "NET-SNMP-PASS-MIB",
    "NET-SNMP-EXTEND-MIB",
    "SNMP-NOTIFICATION-MIB",
    "SNMPv2-TM",
    "NET-SNMP-VACM-MIB",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs(list: &[&str]) -> Vec<PathBuf> {
        list.iter().map(PathBuf::from).collect()
    }

    const DEFAULTS: [&str; 4] = [
        "/root/.snmp/mibs",
        "/usr/share/snmp/mibs",
        "/usr/share/snmp/mibs/iana",
        "/usr/share/snmp/mibs/ietf",
    ];

    #[test]
    fn directories_follow_net_snmp() {
        // Each expectation is what `snmptranslate -Dinit_mib` prints on Net-SNMP 5.9.3.
        assert_eq!(mib_dirs(Some("/root"), None, None, None), dirs(&DEFAULTS));
        let mut after = DEFAULTS.to_vec();
        after.push("/tmp/a");
        assert_eq!(
            mib_dirs(Some("/root"), None, Some("+/tmp/a"), None),
            dirs(&after)
        );
        let mut before = vec!["/tmp/a"];
        before.extend(DEFAULTS);
        assert_eq!(
            mib_dirs(Some("/root"), None, Some("-/tmp/a"), None),
            dirs(&before)
        );
        let mut both = vec!["/tmp/b"];
        both.extend(DEFAULTS);
        both.push("/tmp/a");
        assert_eq!(
            mib_dirs(Some("/root/"), None, Some("+/tmp/a"), Some("-/tmp/b")),
            dirs(&both)
        );
        assert_eq!(
            mib_dirs(Some("/root"), Some("/etc/mibs"), Some("/x:/y"), None),
            dirs(&["/x", "/y"])
        );
        assert_eq!(
            mib_dirs(Some("/root"), Some("/etc/mibs"), None, None),
            dirs(&["/etc/mibs"])
        );
        assert_eq!(mib_dirs(None, None, None, Some("/only")), dirs(&["/only"]));
        assert!(mib_dirs(Some("/root"), None, Some(""), None).is_empty());
        assert_eq!(mib_dirs(None, None, None, None), dirs(&DEFAULTS[1..]));
    }

    #[test]
    fn modules_follow_net_snmp() {
        let default = mib_modules(None, None, None);
        assert_eq!(
            default,
            ModuleSelection::Modules(DEFAULT_MODULES.iter().map(|&m| m.to_owned()).collect())
        );
        let ModuleSelection::Modules(after) = mib_modules(None, Some("+FOO"), None) else {
            panic!("a list");
        };
        assert_eq!(after.last().map(String::as_str), Some("FOO"));
        assert_eq!(after.len(), DEFAULT_MODULES.len() + 1);
        let ModuleSelection::Modules(before) = mib_modules(None, None, Some("-FOO:BAR")) else {
            panic!("a list");
        };
        assert_eq!(
            before.get(..3).map(<[String]>::to_vec),
            Some(vec![
                "FOO".to_owned(),
                "BAR".to_owned(),
                "SNMPv2-MIB".to_owned()
            ])
        );
        assert_eq!(
            mib_modules(None, None, Some("IF-MIB:IF-MIB:IP-MIB")),
            ModuleSelection::Modules(vec!["IF-MIB".into(), "IP-MIB".into()])
        );
        assert_eq!(mib_modules(None, None, Some("ALL")), ModuleSelection::All);
        assert_eq!(mib_modules(None, None, Some("+ALL")), ModuleSelection::All);
        // Debian's snmp.conf says `mibs :`: no module, until the command line adds some.
        assert_eq!(
            mib_modules(Some(":"), None, None),
            ModuleSelection::Modules(Vec::new())
        );
        // `-m +IF-MIB` adds to the compiled-in list, not to `mibs :` (observed on Debian).
        let ModuleSelection::Modules(added) = mib_modules(Some(":"), None, Some("+IF-MIB")) else {
            panic!("a list");
        };
        assert_eq!(added.len(), DEFAULT_MODULES.len());
        assert_eq!(added.first().map(String::as_str), Some("SNMPv2-MIB"));
    }
}
