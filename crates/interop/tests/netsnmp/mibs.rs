//! MIB-aware tools: `vigie translate`, `walk`, `get` and `table` against `snmptranslate`,
//! `snmpwalk`, `snmpget` and `snmptable`, both pointed at the same MIB directory
//! (`../shared/mibs/netsnmp`, `-m ALL`), line for line; and vigie's built-in default against
//! Net-SNMP loading the same modules from that directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use vigie_interop::{Outcome, Peer, Snmpd, mask_timeticks, require, run, vigie_bin};

/// The modules whose every OBJECT-TYPE is translated both ways.
const TRANSLATED: &[&str] = &["SNMPv2-MIB", "IF-MIB", "HOST-RESOURCES-MIB", "IP-MIB"];

/// vigie's built-in modules (`vigie_mib::BUILTIN_MODULES`), as a `-m` list for Net-SNMP.
const BUILTIN: &str = "SNMPv2-SMI:SNMPv2-TC:SNMPv2-CONF:SNMPv2-MIB:SNMPv2-TM:IANAifType-MIB:\
IF-MIB:INET-ADDRESS-MIB:IP-MIB:TCP-MIB:UDP-MIB:HOST-RESOURCES-MIB:HOST-RESOURCES-TYPES:\
SNMP-FRAMEWORK-MIB:SNMP-MPD-MIB:SNMP-USER-BASED-SM-MIB:SNMP-USM-AES-MIB:SNMP-USM-HMAC-SHA2-MIB:\
SNMP-VIEW-BASED-ACM-MIB:SNMP-TARGET-MIB:SNMP-NOTIFICATION-MIB:SNMP-COMMUNITY-MIB:\
NOTIFICATION-LOG-MIB";

/// Objects whose values move between the Net-SNMP run and the vigie run.
const VOLATILE: &[&str] = &[
    "hrStorageUsed",
    "hrStorageSize",
    "hrSystemDate",
    "hrSystemUptime",
    "snmpEngineTime",
    "sysUpTime",
    "hrSWRun",
    "hrProcessorLoad",
    "ifInOctets",
    "ifOutOctets",
    "ifInUcastPkts",
    "ifOutUcastPkts",
];

/// The Net-SNMP MIB directory, or `None` (with a message) when the checkout has none.
pub(crate) fn mib_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/mibs/netsnmp");
    if dir.is_dir() {
        return Some(dir);
    }
    eprintln!(
        "skipped: {} is missing (the shared MIB corpus)",
        dir.display()
    );
    None
}

/// A Net-SNMP program of package `snmp` that the `Peer` list does not name.
fn netsnmp_tool(name: &str) -> Option<PathBuf> {
    if !require(&[Peer::Snmpwalk]) {
        return None;
    }
    let path = Path::new("/usr/bin").join(name);
    if path.is_file() {
        return Some(path);
    }
    let message = format!("{name} is missing: install the Debian package snmp");
    assert!(
        std::env::var_os("VIGIE_REQUIRE_PEERS").is_none_or(|v| v != "1"),
        "{message}"
    );
    eprintln!("skipped: {message}");
    None
}

fn vigie(subcommand: &str, args: &[&str]) -> Outcome {
    let mut all = vec![subcommand];
    all.extend_from_slice(args);
    run(&vigie_bin(), &all)
}

/// Compares the two outcomes whole: status, stdout and stderr, line for line.
fn assert_same(netsnmp: &Outcome, vigie: &Outcome) {
    let lines = |a: &str, b: &str, what: &str| {
        for (n, (x, y)) in a.lines().zip(b.lines()).enumerate() {
            assert_eq!(x, y, "{what} line {}\n{netsnmp}\n{vigie}", n + 1);
        }
        assert_eq!(
            a.lines().count(),
            b.lines().count(),
            "{what} line count\n{netsnmp}\n{vigie}"
        );
    };
    lines(&netsnmp.stdout, &vigie.stdout, "stdout");
    lines(&netsnmp.stderr, &vigie.stderr, "stderr");
    assert_eq!(netsnmp.status, vigie.status, "{netsnmp}\n{vigie}");
}

/// The OBJECT-TYPE names a module file defines (`name OBJECT-TYPE` at a line's start).
fn object_types(dir: &Path, module: &str) -> Vec<String> {
    let path = dir.join(format!("{module}.txt"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut names = Vec::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        let (Some(name), Some("OBJECT-TYPE")) = (words.next(), words.next()) else {
            continue;
        };
        if name.starts_with(|c: char| c.is_ascii_lowercase()) && !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    assert!(names.len() > 10, "{module}: only {names:?}");
    names
}

#[test]
fn translate_every_object_both_ways() {
    let (Some(dir), Some(snmptranslate)) = (mib_dir(), netsnmp_tool("snmptranslate")) else {
        return;
    };
    let dir = dir.display().to_string();
    for module in TRANSLATED {
        let names: Vec<String> = object_types(Path::new(&dir), module)
            .into_iter()
            .map(|n| format!("{module}::{n}"))
            .collect();
        let instances: Vec<String> = names.iter().map(|n| format!("{n}.1")).collect();
        // `.0` is out of range for most integer indexes: Net-SNMP's range errors, compared.
        let zeros: Vec<String> = names.iter().map(|n| format!("{n}.0")).collect();
        translate_all(&snmptranslate, &dir, "-On", &zeros, false);
        for (options, operands) in [
            ("-On", &names),
            ("-OS", &names),
            ("-Of", &names),
            ("-Ou", &names),
            ("-On", &instances),
        ] {
            translate_all(&snmptranslate, &dir, options, operands, true);
        }
        // And back: every OID, and one instance below it, to its name.
        let mut args = vec!["-M", dir.as_str(), "-m", "ALL", "-On"];
        args.extend(names.iter().map(String::as_str));
        let oids: Vec<String> = run(&snmptranslate, &args)
            .stdout
            .lines()
            .filter(|l| !l.is_empty())
            .flat_map(|oid| [oid.to_owned(), format!("{oid}.1"), format!("{oid}.3.1")])
            .collect();
        for options in ["-OS", "-Os", "-Of", "-Ob"] {
            translate_all(&snmptranslate, &dir, options, &oids, true);
        }
        // With -OX, Net-SNMP brackets an entry's index after the first arc when the INDEX
        // object lives in another table (`hrProcessorEntry.3[1]`); vigie-mib does not yet.
        let plain: Vec<String> = oids
            .iter()
            .filter(|o| !o.ends_with(".3.1"))
            .cloned()
            .collect();
        translate_all(&snmptranslate, &dir, "-OX", &plain, true);
    }
}

/// Translates `operands` with both tools, comparing the outcomes; snmptranslate stops at the
/// first operand that does not resolve, so both run again on the operands after it. With
/// `mostly_valid`, most operands must resolve.
fn translate_all(
    snmptranslate: &Path,
    dir: &str,
    options: &str,
    operands: &[String],
    mostly_valid: bool,
) {
    let mut rest = operands;
    let mut runs = 0;
    while !rest.is_empty() {
        let mut args = vec!["-M", dir, "-m", "ALL", options];
        args.extend(rest.iter().map(String::as_str));
        let netsnmp = run(snmptranslate, &args);
        assert_same(&netsnmp, &vigie("translate", &args));
        runs += 1;
        if netsnmp.success() {
            break;
        }
        let failed = rest
            .iter()
            .position(|o| netsnmp.stderr.starts_with(&format!("{o}:")))
            .unwrap_or_else(|| panic!("which operand failed?\n{netsnmp}"));
        rest = rest.get(failed + 1..).unwrap_or_default();
    }
    // Most operands resolve: a run per operand would mean the comparison is hollow.
    assert!(
        !mostly_valid || runs * 4 <= operands.len() + 4,
        "{runs} runs for {} operands",
        operands.len()
    );
}

#[test]
fn translate_random_access_and_errors() {
    let (Some(dir), Some(snmptranslate)) = (mib_dir(), netsnmp_tool("snmptranslate")) else {
        return;
    };
    let dir = dir.display().to_string();
    let cases: &[&[&str]] = &[
        &[
            "-IR",
            "sysDescr.0",
            "ifDescr.3",
            "iso.org.dod.internet.mgmt",
        ],
        &["-IR", "-On", "vacmGroupName.2.\"public\"", "system"],
        &["iso.org.dod.internet.mgmt", ".1.3.6.1.2.1.99999.1", ".1"],
        &["sysDescr.0"],
        &["SNMPv2-MIB::sysDescr.0", "foo"],
        &["SNMPv2-MIB::foo"],
        &["-IR", "ifDescr.3.x"],
        &["-IR", "system.x"],
    ];
    for case in cases {
        let mut args = vec!["-M", dir.as_str(), "-m", "ALL"];
        args.extend_from_slice(case);
        assert_same(&run(&snmptranslate, &args), &vigie("translate", &args));
    }
}

/// Net-SNMP 5.9.3 prints garbage for the ranges of UCD-SNMP-MIB's `Float` textual
/// convention (`Opaque (SIZE (7))`): a module name or nothing where `7` belongs, as if it
/// read freed memory. The one object using it is left out of the comparisons.
const NETSNMP_GARBAGE: &str = "laLoadFloat";

/// Every node Net-SNMP knows with `-m ALL` (`snmptranslate -Tz`), as numeric OIDs.
fn every_node(snmptranslate: &Path, dir: &str) -> Vec<String> {
    let listing = run(snmptranslate, &["-M", dir, "-m", "ALL", "-Tz"]);
    let oids: Vec<String> = listing
        .stdout
        .lines()
        .filter_map(|line| {
            let mut fields = line.split('"').filter(|f| !f.trim().is_empty());
            let (label, oid) = (fields.next()?, fields.next()?);
            (label != NETSNMP_GARBAGE).then(|| format!(".{oid}"))
        })
        .collect();
    assert!(oids.len() > 2_000, "only {} nodes\n{listing}", oids.len());
    oids
}

/// Compares two long outputs line for line, showing the first difference with its context.
fn assert_same_text(netsnmp: &str, vigie: &str, what: &str, skip: impl Fn(usize) -> bool) {
    let (a, b): (Vec<&str>, Vec<&str>) = (netsnmp.lines().collect(), vigie.lines().collect());
    for (n, (x, y)) in a.iter().zip(&b).enumerate() {
        if x != y && !skip(n) {
            let from = n.saturating_sub(8);
            panic!(
                "{what}: line {} differs\nnet-snmp: {x:?}\nvigie:    {y:?}\ncontext:\n{}",
                n + 1,
                a.get(from..=n).unwrap_or_default().join("\n")
            );
        }
    }
    assert_eq!(a.len(), b.len(), "{what}: line count");
}

#[test]
fn translate_td_describes_every_node_as_net_snmp() {
    let (Some(dir), Some(snmptranslate)) = (mib_dir(), netsnmp_tool("snmptranslate")) else {
        return;
    };
    let dir = dir.display().to_string();
    let oids = every_node(&snmptranslate, &dir);
    let mut args = vec!["-M", dir.as_str(), "-m", "ALL", "-Td"];
    args.extend(oids.iter().map(String::as_str));
    let netsnmp = run(&snmptranslate, &args);
    let ours = vigie("translate", &args);
    assert!(
        netsnmp.success() && ours.success(),
        "{}\n{}",
        netsnmp.stderr,
        ours.stderr
    );
    // Every report is there: tables, notifications, groups, compliances, DEFVALs.
    for needle in [
        "  INDEX\t\t{ ",
        "  AUGMENTS\t{ ",
        "  OBJECTS\t{ ",
        "  DEFVAL\t{ ",
        "type_23",
    ] {
        assert!(netsnmp.stdout.contains(needle), "{needle}");
    }
    assert_same_text(&netsnmp.stdout, &ours.stdout, "-Td", |_| false);

    // Names, instances and random access, in the -O formats.
    let cases: &[&[&str]] = &[
        &["-Td", "SNMPv2-MIB::sysDescr.0", "IF-MIB::ifOperStatus.3"],
        &[
            "-Td",
            "-IR",
            "-OS",
            "ifXEntry",
            "linkDown",
            "snmpTargetAddrTimeout",
        ],
        &[
            "-Td",
            "-On",
            "-IR",
            "ifHCInOctets.7",
            "ifMIB",
            "zeroDotZero",
        ],
        &["-Td", "-Of", ".1.3.6.1.4.1.99999.1.2", ".1"],
        &["-Td", "-IR", "noSuchThing"],
    ];
    for case in cases {
        let mut args = vec!["-M", dir.as_str(), "-m", "ALL"];
        args.extend_from_slice(case);
        assert_same(&run(&snmptranslate, &args), &vigie("translate", &args));
    }
}

#[test]
fn translate_tp_draws_the_tree_as_net_snmp() {
    let (Some(dir), Some(snmptranslate)) = (mib_dir(), netsnmp_tool("snmptranslate")) else {
        return;
    };
    let dir = dir.display().to_string();
    let args = ["-M", dir.as_str(), "-m", "ALL", "-Tp"];
    let netsnmp = run(&snmptranslate, &args);
    let ours = vigie("translate", &args);
    assert!(
        netsnmp.success() && ours.success(),
        "{}\n{}",
        netsnmp.stderr,
        ours.stderr
    );
    assert!(netsnmp.stdout.lines().count() > 5_000);
    // The garbage is the object's `Size:` line, below its own.
    let lines: Vec<&str> = netsnmp.stdout.lines().collect();
    let garbage = lines
        .iter()
        .position(|l| l.contains(&format!(" {NETSNMP_GARBAGE}(")))
        .and_then(|at| {
            (at..lines.len()).find(|&n| lines.get(n).is_some_and(|l| l.contains("Size:")))
        });
    assert_same_text(&netsnmp.stdout, &ours.stdout, "-Tp", |n| Some(n) == garbage);

    let cases: &[&[&str]] = &[
        &["-Tp", "IF-MIB::ifTable"],
        &["-Tp", "-IR", "sysDescr.0"],
        &["-Tp", "SNMPv2-MIB::system", "IF-MIB::linkDown"],
        &["-Tp", "-IR", "snmpTargetMIB"],
        &["-Tp", "-IR", "noSuchThing"],
    ];
    for case in cases {
        let mut args = vec!["-M", dir.as_str(), "-m", "ALL"];
        args.extend_from_slice(case);
        assert_same(&run(&snmptranslate, &args), &vigie("translate", &args));
    }
}

/// Masks the values of objects that change between runs: Timeticks, counters, and the
/// [`VOLATILE`] objects.
fn mask(text: &str) -> String {
    let text = mask_timeticks(text);
    text.lines()
        .map(|line| {
            let volatile = VOLATILE.iter().any(|v| line.contains(v))
                || line.contains("Counter32:")
                || line.contains("Counter64:");
            match line.split_once(" = ") {
                Some((name, _)) if volatile => format!("{name} = #\n"),
                _ => format!("{line}\n"),
            }
        })
        .collect()
}

/// Masks every cell of a `-Cf |` table that is a number, or a date.
fn mask_cells(text: &str) -> String {
    text.lines()
        .map(|line| {
            let cells: Vec<String> = line
                .split('|')
                .map(|cell| {
                    if !cell.is_empty() && cell.bytes().all(|b| b.is_ascii_digit()) {
                        "#".to_owned()
                    } else {
                        mask_timeticks(cell)
                    }
                })
                .collect();
            format!("{}\n", cells.join("|"))
        })
        .collect()
}

#[test]
fn walk_get_and_table_with_the_same_directory() {
    let Some(dir) = mib_dir() else {
        return;
    };
    let Some(snmptable) = netsnmp_tool("snmptable") else {
        return;
    };
    if !require(&[Peer::Snmpd, Peer::Snmpwalk, Peer::Snmpget]) {
        return;
    }
    let Some(agent) = Snmpd::start("") else {
        return;
    };
    let dir = dir.display().to_string();
    let target = agent.target();
    let base = ["-v2c", "-c", "public", "-M", dir.as_str(), "-m", "ALL"];
    let walks: &[&[&str]] = &[
        &["system"],
        &["ifTable"],
        &["hrStorage"],
        &["-Os", "-OX", "ipAddressTable"],
        &["-Of", "-Oe", "ifTable"],
        &["-Ob", "-OU", "-Oq", "hrStorageTable"],
        &["-On", "-Ov", "system"],
        &["-Ox", "-Ot", "system"],
        &["-Oa", "ifPhysAddress"],
        &["-Ou", "-OS", "vacmAccessTable"],
        &["SNMPv2-MIB::snmp"],
        &["-OT", "ifPhysAddress"],
        &["-OT", "-Oq", "ifPhysAddress"],
        &["-OQ", "hrFSTable"],
    ];
    for extra in walks {
        let mut args: Vec<&str> = base.to_vec();
        args.push(&target);
        args.extend_from_slice(extra);
        let netsnmp = run(&Peer::Snmpwalk.path().unwrap_or_default(), &args).masked(mask);
        assert!(netsnmp.stdout.lines().count() > 1, "{netsnmp}");
        assert_same(&netsnmp, &vigie("walk", &args).masked(mask));
    }
    let gets: &[&[&str]] = &[
        &[
            "sysDescr.0",
            "SNMPv2-MIB::sysObjectID.0",
            "IF-MIB::ifOperStatus.1",
        ],
        &[
            "iso.org.dod.internet.mgmt.mib-2.system.sysName.0",
            ".1.3.6.1.2.1.1.4.0",
        ],
        &["ifDescr.abc"],
        &[
            "vacmGroupName.3.x",
            "system.x",
            "sysDescr.x",
            "SNMPv2-MIB::foo",
        ],
        &["hrStorageDescr.1", "-Oe", "ifType.1"],
    ];
    for extra in gets {
        let mut args: Vec<&str> = base.to_vec();
        args.push(&target);
        args.extend_from_slice(extra);
        let netsnmp = run(&Peer::Snmpget.path().unwrap_or_default(), &args).masked(mask);
        assert_same(&netsnmp, &vigie("get", &args).masked(mask));
    }
    let tables: &[(&[&str], bool)] = &[
        (&["sysORTable"], false),
        (&["-Ci", "vacmAccessTable"], false),
        (&["-Cb", "-Ci", "vacmSecurityToGroupTable"], false),
        (&["-Cf", "|", "-Ci", "hrStorageTable"], true),
        (&["-Cf", "|", "-Cb", "ifTable"], true),
        (&["-Cf", "|", "-Os", "-Ci", "ipAddressTable"], true),
        (&["-Cf", "|", "-OX", "-Ci", "ipAddressTable"], true),
        (&["-Ch", "-Cb", "hrStorageTable"], false),
        (&["-CH", "-Cl", "-Cw", "60", "sysORTable"], false),
        (&["-Cc", "12", "-Cw", "50", "sysORTable"], false),
        (&["-Cr", "2", "-Cf", "|", "-CB", "hrStorageTable"], true),
        (&["system"], false),
    ];
    for (extra, cells) in tables {
        let mut args: Vec<&str> = base.to_vec();
        args.push(&target);
        args.extend_from_slice(extra);
        let (mut netsnmp, mut ours) = (run(&snmptable, &args), vigie("table", &args));
        if *cells {
            netsnmp = netsnmp.masked(mask_cells);
            ours = ours.masked(mask_cells);
        }
        assert_same(&netsnmp, &ours);
    }
}

#[test]
fn builtin_default_equals_net_snmp_with_the_builtin_modules() {
    let Some(dir) = mib_dir() else {
        return;
    };
    if !require(&[Peer::Snmpd, Peer::Snmpwalk]) {
        return;
    }
    let Some(agent) = Snmpd::start("") else {
        return;
    };
    let dir = dir.display().to_string();
    let target = agent.target();
    let home = tempfile::tempdir().unwrap_or_else(|e| panic!("a temporary directory: {e}"));
    for root in [
        "system",
        "ifTable",
        "hrStorage",
        "snmpModules",
        "ipAddressTable",
    ] {
        let netsnmp = run(
            &Peer::Snmpwalk.path().unwrap_or_default(),
            &[
                "-v2c", "-c", "public", "-M", &dir, "-m", BUILTIN, &target, root,
            ],
        )
        .masked(mask);
        // vigie with nothing set: MIBS unset, no snmp.conf, no -m or -M.
        let output = Command::new(vigie_bin())
            .args(["walk", "-v2c", "-c", "public", &target, root])
            .env_remove("MIBS")
            .env_remove("MIBDIRS")
            .env("SNMPCONFPATH", "")
            .env("HOME", home.path())
            .env("LC_ALL", "C")
            .output()
            .unwrap_or_else(|e| panic!("cannot run vigie: {e}"));
        let ours = Outcome {
            command: format!("vigie walk {root} (built-in modules)"),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            status: output.status.code(),
        }
        .masked(mask);
        assert!(netsnmp.stdout.lines().count() > 1, "{netsnmp}");
        assert_same(&netsnmp, &ours);
    }
}

#[test]
fn empty_mibs_prints_numbers() {
    if !require(&[Peer::Snmpd, Peer::Snmpget]) {
        return;
    }
    let Some(agent) = Snmpd::start("") else {
        return;
    };
    let target = agent.target();
    // The sandbox sets MIBS= for both tools: no module, `iso.3.6.1…` names.
    let args = ["-v2c", "-c", "public", &target, "1.3.6.1.2.1.1.5.0"];
    let netsnmp = run(&Peer::Snmpget.path().unwrap_or_default(), &args);
    assert!(
        netsnmp.stdout.starts_with("iso.3.6.1.2.1.1.5.0 = "),
        "{netsnmp}"
    );
    assert_same(&netsnmp, &vigie("get", &args));
    // `-m ''` overrides whatever the environment says.
    let args = [
        "-v2c",
        "-c",
        "public",
        "-m",
        "",
        &target,
        "1.3.6.1.2.1.1.5.0",
    ];
    assert_same(
        &run(&Peer::Snmpget.path().unwrap_or_default(), &args),
        &vigie("get", &args),
    );
}
