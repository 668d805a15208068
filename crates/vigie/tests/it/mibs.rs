//! The tools' MIB selection as the binary reads it from the environment and `snmp.conf`:
//! vigie's built-in modules by default, `MIBS=` and `-m ''` for none, `-m`/`-M` on top,
//! `mibs` lines from `SNMPCONFPATH`. No peer is needed: `vigie translate` shows the tree.

use std::path::Path;
use std::process::Command;

/// Runs `vigie translate ARGS` with `env` set (and `MIBS`, `MIBDIRS` removed unless set),
/// `SNMPCONFPATH` pointing at `conf` and `HOME` at an empty directory.
fn translate(conf: &Path, env: &[(&str, &str)], args: &[&str]) -> (String, String, Option<i32>) {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_vigie"));
    command
        .arg("translate")
        .args(args)
        .env_remove("MIBS")
        .env_remove("MIBDIRS")
        .env("SNMPCONFPATH", conf)
        .env("HOME", home.path());
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run vigie: {e}"));
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code(),
    )
}

#[test]
fn builtin_modules_by_default_none_when_asked() {
    let conf = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
    let conf = conf.path();
    let oid = ".1.3.6.1.2.1.2.2.1.8.3";
    assert_eq!(
        translate(conf, &[], &[oid]),
        (
            "IF-MIB::ifOperStatus.3\n".to_owned(),
            String::new(),
            Some(0)
        )
    );
    assert_eq!(
        translate(conf, &[("MIBS", "")], &[oid]).0,
        "iso.3.6.1.2.1.2.2.1.8.3\n"
    );
    assert_eq!(
        translate(conf, &[], &["-m", "", oid]).0,
        "iso.3.6.1.2.1.2.2.1.8.3\n"
    );
    // The command line wins over the environment.
    assert_eq!(
        translate(conf, &[("MIBS", "")], &["-m", "+IF-MIB", oid]).0,
        "IF-MIB::ifOperStatus.3\n"
    );
    assert_eq!(
        translate(conf, &[], &["-IR", "-On", "sysDescr.0", "ifDescr.3"]).0,
        ".1.3.6.1.2.1.1.1.0\n\n.1.3.6.1.2.1.2.2.1.2.3\n"
    );
}

#[test]
fn snmp_conf_mibs_lines_count_unless_overridden() {
    let conf = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
    std::fs::write(conf.path().join("snmp.conf"), "mibs :\n")
        .unwrap_or_else(|e| panic!("cannot write snmp.conf: {e}"));
    let oid = ".1.3.6.1.2.1.1.5.0";
    // An explicit SNMPCONFPATH's `mibs :` is honoured: no module.
    assert_eq!(
        translate(conf.path(), &[], &[oid]).0,
        "iso.3.6.1.2.1.1.5.0\n"
    );
    // MIBS and -m come before snmp.conf.
    assert_eq!(
        translate(conf.path(), &[("MIBS", "+SNMPv2-MIB")], &[oid]).0,
        "SNMPv2-MIB::sysName.0\n"
    );
}

#[test]
fn unknown_names_and_modules() {
    let conf = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
    let (stdout, stderr, status) = translate(conf.path(), &[], &["SNMPv2-MIB::sysName.0", "foo"]);
    assert_eq!(stdout, "SNMPv2-MIB::sysName.0\n\n");
    assert_eq!(
        stderr,
        "foo: Unknown Object Identifier (Sub-id not found: (top) -> foo)\n"
    );
    assert_eq!(status, Some(2));
    let (_, stderr, status) = translate(
        conf.path(),
        &[],
        &["-M", "/nonexistent", "-m", "NO-SUCH-MIB", "iso.3"],
    );
    assert_eq!(
        stderr,
        "MIB search path: /nonexistent\nCannot find module (NO-SUCH-MIB): At line 1 in (none)\n"
    );
    assert_eq!(status, Some(0));
}

/// The three roots and OIDs under no root, as `snmptranslate` prints them in each format and
/// report, with Net-SNMP's standard modules and with no module (where `-Tp` and `-Td` still
/// see the roots, and nothing else).
#[test]
fn root_arcs_as_snmptranslate_names_them() {
    let Some(snmptranslate) = snmptranslate() else {
        return;
    };
    let mibs = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/mibs/netsnmp");
    if !Path::new(mibs).is_dir() {
        eprintln!("skipping: {mibs} is absent");
        return;
    }
    let conf = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
    let with_mibs: &[&str] = &["-M", mibs, "-m", "ALL"];
    let without: &[&str] = &["-m", ""];
    let operands = [
        "0",
        "1",
        "2",
        ".2",
        "ccitt",
        "joint-iso-ccitt",
        ".2.5",
        "joint-iso-ccitt.5",
        ".0.0",
        "1.3",
        "3",
        ".3.1",
        ".1.99",
    ];
    let mut compared = 0;
    for modules in [with_mibs, without] {
        for report in [
            &[][..],
            &["-On"],
            &["-Of"],
            &["-Os"],
            &["-Ou"],
            &["-Td"],
            &["-Tp"],
        ] {
            for operand in operands {
                // The whole tree under `1` with every module is compared elsewhere.
                if report == ["-Tp"]
                    && modules == with_mibs
                    && ["1", "1.3", ".1.99"].contains(&operand)
                {
                    continue;
                }
                let mut args = modules.to_vec();
                args.extend_from_slice(report);
                args.push(operand);
                let theirs = run_tool(&snmptranslate, conf.path(), &args);
                let ours = translate(conf.path(), &[], &args);
                assert_eq!(ours, theirs, "vigie translate {}", args.join(" "));
                compared += 1;
            }
        }
    }
    assert!(compared > 150);
    let mut args = with_mibs.to_vec();
    args.push("2");
    assert_eq!(translate(conf.path(), &[], &args).0, "joint-iso-ccitt\n");
    assert_eq!(
        translate(conf.path(), &[], &["-m", "", "-Tp", "3"]),
        (
            String::new(),
            "Unable to find a matching object identifier for \"3\"\n".to_owned(),
            Some(1)
        )
    );
}

/// `snmptranslate`'s path, or `None` (a skip, or a failure under `VIGIE_REQUIRE_PEERS=1`).
fn snmptranslate() -> Option<std::path::PathBuf> {
    let found = ["/usr/bin/snmptranslate", "/usr/local/bin/snmptranslate"]
        .into_iter()
        .map(std::path::PathBuf::from)
        .find(|path| path.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("VIGIE_REQUIRE_PEERS").is_none(),
            "snmptranslate is missing: apt-get install snmp"
        );
        eprintln!("skipping: snmptranslate is missing (apt-get install snmp)");
    }
    found
}

/// Runs a Net-SNMP tool as [`translate`] runs vigie: no `MIBS`, `SNMPCONFPATH` at `conf`.
fn run_tool(program: &Path, conf: &Path, args: &[&str]) -> (String, String, Option<i32>) {
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
    let output = Command::new(program)
        .args(args)
        .env_remove("MIBS")
        .env_remove("MIBDIRS")
        .env("SNMPCONFPATH", conf)
        .env("HOME", home.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code(),
    )
}
