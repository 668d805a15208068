//! Access control and v1 ↔ v2 translation, checked against Net-SNMP.
//!
//! The configuration below is written twice: as snmpd.conf lines, and as the calls that
//! build the same VACM and community tables with vigie's API. The pure tests check the
//! decisions they give; the peer tests start Net-SNMP's `snmpd` with the same lines and
//! compare its VACM tables and its answers with ours, and send v1 traps to `snmptrapd` to
//! compare its SNMPv2 form with [`translate::trap_v1_to_v2`]'s. A missing peer skips its
//! test with the Debian package to install, and fails when `VIGIE_REQUIRE_PEERS=1`.

// A test binary: an unwrap that fails is a test that fails, helpers included.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::Duration;

use bytes::Bytes;
use vigie_snmp::community::{CommunityMiss, CommunityTable, SourceNetwork};
use vigie_snmp::translate;
use vigie_snmp::vacm::{
    AccessError, FamilyType, Permission, Shorthand, Vacm, ViewFamily, ViewScope, ViewType,
};
use vigie_snmp::{GenericTrap, Oid, SecurityLevel, SecurityModel, TrapV1Pdu, Value, VarBind};

const SNMPD_CONF: &str = "\
rocommunity public 127.0.0.1 .1.3.6.1.2.1.1
rwcommunity admin 127.0.0.1
rocommunity sysonly 127.0.0.1 -V systemonly
rouser alice
rouser bob priv .1.3.6.1.2.1.1
rwuser carol noauth -V systemonly ctx*
view systemonly included .1.3.6.1.2.1.1
view systemonly excluded .1.3.6.1.2.1.1.9
view ifRow1 included .1.3.6.1.2.1.2.2.1.0.1 0xff:a0
rocommunity rowone 127.0.0.1 -V ifRow1
rocommunity pub2 10.0.0.0/8 -V systemonly
";

/// The same configuration as `SNMPD_CONF`, through vigie's API.
fn configure() -> (Vacm, CommunityTable) {
    let mut vacm = Vacm::new();
    let mut table = CommunityTable::new();
    let mut short = Shorthand::new();
    let localhost = Some(SourceNetwork::host(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    let subtree = |s: &str| ViewScope::Subtree(s.parse().unwrap());
    let named = |s: &str| ViewScope::Named(s.into());
    let (ro, rw) = (Permission::ReadOnly, Permission::ReadWrite);
    let (v, t) = (&mut vacm, &mut table);
    short
        .community(
            v,
            t,
            ro,
            "public",
            localhost,
            subtree(".1.3.6.1.2.1.1"),
            None,
        )
        .unwrap();
    short
        .community(v, t, rw, "admin", localhost, ViewScope::All, None)
        .unwrap();
    short
        .community(v, t, ro, "sysonly", localhost, named("systemonly"), None)
        .unwrap();
    let (usm, auth) = (SecurityModel::Usm, SecurityLevel::AuthNoPriv);
    short
        .user(v, ro, usm, "alice", auth, ViewScope::All, None)
        .unwrap();
    let system = subtree(".1.3.6.1.2.1.1");
    short
        .user(v, ro, usm, "bob", SecurityLevel::AuthPriv, system, None)
        .unwrap();
    let noauth = SecurityLevel::NoAuthNoPriv;
    short
        .user(
            v,
            rw,
            usm,
            "carol",
            noauth,
            named("systemonly"),
            Some(b"ctx*"),
        )
        .unwrap();
    view(v, "systemonly", FamilyType::Included, ".1.3.6.1.2.1.1", "");
    view(
        v,
        "systemonly",
        FamilyType::Excluded,
        ".1.3.6.1.2.1.1.9",
        "",
    );
    view(
        v,
        "ifRow1",
        FamilyType::Included,
        ".1.3.6.1.2.1.2.2.1.0.1",
        "0xff:a0",
    );
    short
        .community(v, t, ro, "rowone", localhost, named("ifRow1"), None)
        .unwrap();
    let lan = Some("10.0.0.0/8".parse().unwrap());
    short
        .community(v, t, ro, "pub2", lan, named("systemonly"), None)
        .unwrap();
    (vacm, table)
}

/// `view NAME TYPE OID [MASK]`.
fn view(vacm: &mut Vacm, name: &str, kind: FamilyType, subtree: &str, mask: &str) {
    let mask = if mask.is_empty() {
        vigie_snmp::vacm::ViewMask::EXACT
    } else {
        mask.parse().unwrap()
    };
    let family = ViewFamily::new(subtree.parse().unwrap(), mask, kind);
    vacm.add_view(name, family).unwrap();
}

/// Who asks.
#[derive(Debug, Clone, Copy)]
enum Principal {
    /// A v2c community from a source address.
    Community(&'static str, Ipv4Addr),
    /// A USM user at a level, in a context.
    User(&'static str, SecurityLevel, &'static str),
}

/// What comes of a request, in the terms both agents can be compared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// The value is returned (or set).
    Allowed,
    /// GET: noSuchObject; the object is outside the view.
    NotInView,
    /// authorizationError or noAccess.
    Denied,
    /// No response: unknown community, refused source, unknown context.
    Silent,
}

fn decide(
    vacm: &Vacm,
    table: &CommunityTable,
    who: Principal,
    view_type: ViewType,
    oid: &str,
) -> Result<(), Decision> {
    let oid: Oid = oid.parse().unwrap();
    let (model, name, level, context) = match who {
        Principal::Community(community, source) => {
            let entry = table
                .lookup(community.as_bytes(), IpAddr::V4(source))
                .map_err(Decision::Community)?;
            let name = entry.security_name().as_bytes().to_vec();
            let context = entry.context_name().as_bytes().to_vec();
            (
                SecurityModel::V2c,
                name,
                SecurityLevel::NoAuthNoPriv,
                context,
            )
        }
        Principal::User(user, level, context) => (
            SecurityModel::Usm,
            user.as_bytes().to_vec(),
            level,
            context.as_bytes().to_vec(),
        ),
    };
    vacm.is_access_allowed(model, &name, level, view_type, &context, &oid)
        .map_err(Decision::Access)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Community(CommunityMiss),
    Access(AccessError),
}

fn outcome(decision: Result<(), Decision>, view_type: ViewType) -> Outcome {
    match decision {
        Ok(()) => Outcome::Allowed,
        Err(Decision::Access(AccessError::NotInView)) if view_type == ViewType::Read => {
            Outcome::NotInView
        }
        Err(Decision::Access(AccessError::NoSuchContext) | Decision::Community(_)) => {
            Outcome::Silent
        }
        Err(Decision::Access(_)) => Outcome::Denied,
    }
}

const SYS_DESCR: &str = "1.3.6.1.2.1.1.1.0";
const SYS_CONTACT: &str = "1.3.6.1.2.1.1.4.0";
const SYS_OR_ID_1: &str = "1.3.6.1.2.1.1.9.1.2.1";
const IF_NUMBER: &str = "1.3.6.1.2.1.2.1.0";
const IF_INDEX_1: &str = "1.3.6.1.2.1.2.2.1.1.1";
const IF_DESCR_1: &str = "1.3.6.1.2.1.2.2.1.2.1";
const IF_DESCR_2: &str = "1.3.6.1.2.1.2.2.1.2.2";

const LOCALHOST: Ipv4Addr = Ipv4Addr::LOCALHOST;
const LAN_HOST: Ipv4Addr = Ipv4Addr::new(10, 1, 2, 3);

/// (who, view type, OID, what RFC 3415 decides), reachable from 127.0.0.1 when the source is
/// `LOCALHOST` and the user's context is "" or unknown to snmpd.
fn cases() -> Vec<(Principal, ViewType, &'static str, Result<(), Decision>)> {
    use AccessError::*;
    use Principal::{Community as C, User as U};
    use SecurityLevel::*;
    use ViewType::{Read, Write};
    let ok = Ok(());
    let access = |e| Err(Decision::Access(e));
    let miss = |m| Err(Decision::Community(m));
    vec![
        (C("public", LOCALHOST), Read, SYS_DESCR, ok),
        (C("public", LOCALHOST), Read, SYS_OR_ID_1, ok),
        (C("public", LOCALHOST), Read, IF_NUMBER, access(NotInView)),
        (
            C("public", LOCALHOST),
            Write,
            SYS_CONTACT,
            access(NoSuchView),
        ),
        (
            C("public", LAN_HOST),
            Read,
            SYS_DESCR,
            miss(CommunityMiss::SourceNotAllowed),
        ),
        (
            C("nosuch", LOCALHOST),
            Read,
            SYS_DESCR,
            miss(CommunityMiss::UnknownCommunity),
        ),
        (C("admin", LOCALHOST), Read, IF_NUMBER, ok),
        (C("admin", LOCALHOST), Write, SYS_CONTACT, ok),
        (C("sysonly", LOCALHOST), Read, SYS_DESCR, ok),
        (
            C("sysonly", LOCALHOST),
            Read,
            SYS_OR_ID_1,
            access(NotInView),
        ),
        (C("sysonly", LOCALHOST), Read, IF_NUMBER, access(NotInView)),
        (C("rowone", LOCALHOST), Read, IF_DESCR_1, ok),
        (C("rowone", LOCALHOST), Read, IF_INDEX_1, ok),
        (C("rowone", LOCALHOST), Read, IF_DESCR_2, access(NotInView)),
        (C("pub2", LAN_HOST), Read, SYS_DESCR, ok),
        (C("pub2", LAN_HOST), Read, SYS_OR_ID_1, access(NotInView)),
        (
            C("pub2", LOCALHOST),
            Read,
            SYS_DESCR,
            miss(CommunityMiss::SourceNotAllowed),
        ),
        (U("alice", AuthNoPriv, ""), Read, IF_NUMBER, ok),
        (U("alice", AuthPriv, ""), Read, SYS_DESCR, ok),
        (
            U("alice", NoAuthNoPriv, ""),
            Read,
            SYS_DESCR,
            access(NoAccessEntry),
        ),
        (
            U("alice", AuthNoPriv, ""),
            Write,
            SYS_CONTACT,
            access(NoSuchView),
        ),
        (
            U("alice", AuthNoPriv, "ctxA"),
            Read,
            SYS_DESCR,
            access(NoSuchContext),
        ),
        (
            U("bob", AuthNoPriv, ""),
            Read,
            SYS_DESCR,
            access(NoAccessEntry),
        ),
        (U("bob", AuthPriv, ""), Read, SYS_DESCR, ok),
        (U("bob", AuthPriv, ""), Read, IF_NUMBER, access(NotInView)),
        (
            U("carol", NoAuthNoPriv, ""),
            Read,
            SYS_DESCR,
            access(NoAccessEntry),
        ),
        (
            U("carol", NoAuthNoPriv, "ctxA"),
            Read,
            SYS_DESCR,
            access(NoSuchContext),
        ),
    ]
}

#[test]
fn net_snmp_configuration_decides_as_rfc_3415_says() {
    let (vacm, table) = configure();
    for (who, view_type, oid, expected) in cases() {
        let decision = decide(&vacm, &table, who, view_type, oid);
        assert_eq!(decision, expected, "{who:?} {view_type:?} {oid}");
    }
}

#[test]
fn users_in_a_known_context_match_by_prefix() {
    let (mut vacm, table) = configure();
    vacm.add_context("ctxA").unwrap();
    let carol = Principal::User("carol", SecurityLevel::NoAuthNoPriv, "ctxA");
    assert_eq!(
        decide(&vacm, &table, carol, ViewType::Read, SYS_DESCR),
        Ok(())
    );
    assert_eq!(
        decide(&vacm, &table, carol, ViewType::Write, SYS_CONTACT),
        Ok(())
    );
    assert_eq!(
        decide(&vacm, &table, carol, ViewType::Read, SYS_OR_ID_1),
        Err(Decision::Access(AccessError::NotInView))
    );
    // rouser without a context matches every context.
    let alice = Principal::User("alice", SecurityLevel::AuthNoPriv, "ctxA");
    assert_eq!(
        decide(&vacm, &table, alice, ViewType::Read, SYS_DESCR),
        Ok(())
    );
}

#[test]
fn snmpd_builds_the_same_tables_and_decides_the_same() {
    let (Some(snmpd), Some(snmpget), Some(snmpset), Some(snmpwalk)) = (
        peer("snmpd", "snmpd"),
        peer("snmpget", "snmp"),
        peer("snmpset", "snmp"),
        peer("snmpwalk", "snmp"),
    ) else {
        return;
    };
    let dir = scratch_dir("snmpd");
    let conf = dir.join("snmpd.conf");
    let users = "createUser alice SHA alicepassword\n\
                 createUser bob SHA bobpassword AES bobpassword\n\
                 createUser carol\n";
    fs::write(&conf, format!("{SNMPD_CONF}{users}")).unwrap();
    let port = free_port();
    let log = fs::File::create(dir.join("snmpd.log")).unwrap();
    let child = Command::new(snmpd)
        .args(["-f", "-Lo", "-C", "-c"])
        .arg(&conf)
        .arg(format!(
            "--persistent-directory={}",
            dir.join("persist").display()
        ))
        .arg("-p")
        .arg(dir.join("snmpd.pid"))
        .arg(format!("udp:127.0.0.1:{port}"))
        .env("MIBS", "")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _daemon = Daemon { child, dir };
    let target = format!("127.0.0.1:{port}");
    wait_until("snmpd answers", || {
        let out = run(
            &snmpget,
            &args(&["-v2c", "-c", "admin"], &target, &[SYS_DESCR]),
        );
        out.contains(" = ")
    });

    let walk = run(
        &snmpwalk,
        &args(&["-v2c", "-c", "admin"], &target, &["1.3.6.1.6.3.16.1"]),
    );
    let theirs = VacmRows::parse(&walk);
    let (vacm, table) = configure();
    let ours = VacmRows::from_vacm(&vacm);
    assert_eq!(ours.groups, theirs.groups, "vacmSecurityToGroupTable");
    assert_eq!(ours.access, theirs.access, "vacmAccessTable");
    let mut their_views = theirs.views;
    // snmpd always defines `_none_`, which no directive here uses.
    their_views.retain(|(name, _), _| name != "_none_");
    assert_eq!(ours.views, their_views, "vacmViewTreeFamilyTable");

    for (who, view_type, oid, _) in cases() {
        let ours = outcome(decide(&vacm, &table, who, view_type, oid), view_type);
        let theirs = match who {
            Principal::Community(_, source) if source != LOCALHOST => continue,
            Principal::Community(community, _) => {
                let auth = ["-v2c", "-c", community];
                ask(&snmpget, &snmpset, &target, &auth, view_type, oid)
            }
            Principal::User(user, level, context) => {
                let mut auth = vec!["-v3", "-u", user, "-n", context];
                auth.extend(match (user, level) {
                    (_, SecurityLevel::NoAuthNoPriv) => vec!["-l", "noAuthNoPriv"],
                    ("alice", SecurityLevel::AuthNoPriv) => {
                        vec!["-l", "authNoPriv", "-a", "SHA", "-A", "alicepassword"]
                    }
                    ("alice", SecurityLevel::AuthPriv) => continue,
                    ("bob", SecurityLevel::AuthNoPriv) => {
                        vec!["-l", "authNoPriv", "-a", "SHA", "-A", "bobpassword"]
                    }
                    (_, level) => {
                        assert_eq!(level, SecurityLevel::AuthPriv);
                        let keys = ["-a", "SHA", "-A", "bobpassword", "-x", "AES"];
                        let mut args = vec!["-l", "authPriv"];
                        args.extend(keys);
                        args.extend(["-X", "bobpassword"]);
                        args
                    }
                });
                ask(&snmpget, &snmpset, &target, &auth, view_type, oid)
            }
        };
        assert_eq!(ours, theirs, "{who:?} {view_type:?} {oid}");
    }
}

/// Runs one GET or SET and classifies snmpd's answer.
fn ask(
    snmpget: &Path,
    snmpset: &Path,
    target: &str,
    auth: &[&str],
    view_type: ViewType,
    oid: &str,
) -> Outcome {
    let text = match view_type {
        ViewType::Write => run(
            snmpset,
            &args(auth, target, &[oid, "s", "vigie@example.invalid"]),
        ),
        _ => run(snmpget, &args(auth, target, &[oid])),
    };
    if text.contains("No Such Object") || text.contains("No Such Instance") {
        Outcome::NotInView
    } else if text.contains("authorizationError") || text.contains("noAccess") {
        Outcome::Denied
    } else if text.contains("Timeout") {
        Outcome::Silent
    } else if text.contains(" = ") {
        Outcome::Allowed
    } else {
        panic!("unexpected answer from snmpd: {text}")
    }
}

/// The three VACM tables as (index → columns) maps of strings, the way snmpd shows them.
#[derive(Debug, Default)]
struct VacmRows {
    /// (model, securityName) → groupName.
    groups: BTreeMap<(u8, String), String>,
    /// (group, prefix, model, level) → (match, read, write, notify).
    access: BTreeMap<(String, String, u8, u8), [String; 4]>,
    /// (view, subtree) → (mask, type).
    views: BTreeMap<(String, String), [String; 2]>,
}

impl VacmRows {
    fn from_vacm(vacm: &Vacm) -> Self {
        let mut rows = Self::default();
        for (model, name, group) in vacm.groups() {
            rows.groups
                .insert((model.code(), name.to_string()), group.to_string());
        }
        for entry in vacm.access_entries() {
            let view = |t| {
                entry
                    .view(t)
                    .map_or_else(|| "none".to_owned(), ToString::to_string)
            };
            rows.access.insert(
                (
                    entry.group().to_string(),
                    entry.context_prefix().to_string(),
                    entry.model().code(),
                    entry.level().code(),
                ),
                [
                    (entry.context_match() as u8).to_string(),
                    view(ViewType::Read),
                    view(ViewType::Write),
                    view(ViewType::Notify),
                ],
            );
        }
        for (name, view) in vacm.views() {
            for family in view.families() {
                rows.views.insert(
                    (name.to_string(), family.subtree().to_string()),
                    [family.mask().to_string(), (family.kind() as u8).to_string()],
                );
            }
        }
        rows
    }

    /// Parses `snmpwalk -On` of vacmMIBObjects (1.3.6.1.6.3.16.1).
    fn parse(walk: &str) -> Self {
        let mut rows = Self::default();
        let mut access: BTreeMap<(String, String, u8, u8), [String; 4]> = BTreeMap::new();
        let mut views: BTreeMap<(String, String), [String; 2]> = BTreeMap::new();
        for line in walk.lines() {
            let Some((name, value)) = line.split_once(" = ") else {
                continue;
            };
            let arcs: Vec<u32> = name
                .trim_start_matches('.')
                .split('.')
                .map(|a| a.parse().unwrap())
                .collect();
            let value = value
                .split_once(": ")
                .map_or(value, |(_, v)| v)
                .trim()
                .trim_matches('"')
                .to_owned();
            let Some(rest) = arcs.strip_prefix(&[1, 3, 6, 1, 6, 3, 16, 1][..]) else {
                continue;
            };
            match rest {
                [2, 1, 3, model, index @ ..] => {
                    let (security_name, _) = string_index(index);
                    let model = u8::try_from(*model).unwrap();
                    rows.groups.insert((model, security_name), value);
                }
                [4, 1, column @ 4..=7, index @ ..] => {
                    let (group, index) = string_index(index);
                    let (prefix, index) = string_index(index);
                    let [model, level] = index else {
                        panic!("access index {index:?}")
                    };
                    let key = (group, prefix, to_u8(*model), to_u8(*level));
                    let slot = usize::try_from(column - 4).unwrap();
                    access.entry(key).or_default()[slot] = value;
                }
                [5, 2, 1, column @ 3..=4, index @ ..] => {
                    let (view, index) = string_index(index);
                    let [_, subtree @ ..] = index else {
                        panic!("view index {index:?}")
                    };
                    let subtree: String = subtree.iter().map(|a| format!(".{a}")).collect();
                    let value = if *column == 3 {
                        // Hex-STRING: "FF A0" → ff:a0, as ViewMask displays masks.
                        value.split_whitespace().collect::<Vec<_>>().join(":")
                    } else {
                        value
                    };
                    let slot = usize::try_from(column - 3).unwrap();
                    views.entry((view, subtree)).or_default()[slot] = value.to_lowercase();
                }
                _ => {}
            }
        }
        rows.access = access;
        rows.views = views;
        rows
    }
}

/// A length-prefixed string index: its text and the arcs after it.
fn string_index(arcs: &[u32]) -> (String, &[u32]) {
    let [len, rest @ ..] = arcs else {
        panic!("empty index")
    };
    let (text, rest) = rest.split_at(usize::try_from(*len).unwrap());
    let text = text.iter().map(|&b| char::from(to_u8(b))).collect();
    (text, rest)
}

fn to_u8(arc: u32) -> u8 {
    u8::try_from(arc).unwrap()
}

#[test]
fn snmptrapd_translates_v1_traps_as_we_do() {
    let (Some(snmptrapd), Some(snmptrap)) =
        (peer("snmptrapd", "snmptrapd"), peer("snmptrap", "snmp"))
    else {
        return;
    };
    let dir = scratch_dir("snmptrapd");
    let out = dir.join("traps.txt");
    let handler = dir.join("handler.sh");
    fs::write(
        &handler,
        format!(
            "#!/bin/sh\ncat >> '{0}'\necho '{SEPARATOR}' >> '{0}'\n",
            out.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&handler, fs::Permissions::from_mode(0o755)).unwrap();
    let conf = dir.join("snmptrapd.conf");
    fs::write(
        &conf,
        format!(
            "disableAuthorization yes\ntraphandle default {}\n",
            handler.display()
        ),
    )
    .unwrap();
    let port = free_port();
    let log = fs::File::create(dir.join("snmptrapd.log")).unwrap();
    let child = Command::new(snmptrapd)
        .args(["-f", "-Lo", "-C", "-n", "-Ont", "-c"])
        .arg(&conf)
        .arg(format!("udp:127.0.0.1:{port}"))
        .env("MIBS", "")
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let daemon = Daemon { child, dir };
    let log = daemon.dir.join("snmptrapd.log");
    wait_until("snmptrapd starts", || {
        fs::read_to_string(&log).is_ok_and(|text| text.contains("NET-SNMP version"))
    });

    let enterprise = ".1.3.6.1.4.1.8072.9999";
    let varbinds: [(&str, &str, &str, Value); 7] = [
        ("1.3.6.1.2.1.2.2.1.1.2", "i", "2", Value::Integer(2)),
        ("1.3.6.1.2.1.1.5.0", "s", "hello", text("hello")),
        (
            "1.3.6.1.2.1.1.2.0",
            "o",
            ".1.3.6.1.4.1.8072",
            oid_value("1.3.6.1.4.1.8072"),
        ),
        (
            "1.3.6.1.4.1.8072.1.1",
            "a",
            "10.0.0.1",
            Value::IpAddress([10, 0, 0, 1].into()),
        ),
        ("1.3.6.1.2.1.2.2.1.10.2", "c", "5", Value::Counter32(5)),
        ("1.3.6.1.2.1.2.2.1.5.2", "u", "7", Value::Gauge32(7)),
        ("1.3.6.1.2.1.2.2.1.9.2", "t", "99", Value::TimeTicks(99)),
    ];
    let mut sent = Vec::new();
    for generic in GenericTrap::ALL {
        let specific = if generic == GenericTrap::EnterpriseSpecific {
            42
        } else {
            0
        };
        // A trap of each kind, with one or all of the varbinds.
        let count = if generic == GenericTrap::EnterpriseSpecific {
            varbinds.len()
        } else {
            1
        };
        let chosen = &varbinds[..count];
        let mut command = vec![
            "-v1".to_owned(),
            "-c".to_owned(),
            "public".to_owned(),
            format!("127.0.0.1:{port}"),
            enterprise.to_owned(),
            "192.0.2.7".to_owned(),
            generic.code().to_string(),
            specific.to_string(),
            "1234".to_owned(),
        ];
        for (name, kind, value, _) in chosen {
            command.extend([(*name).to_owned(), (*kind).to_owned(), (*value).to_owned()]);
        }
        let status = Command::new(&snmptrap)
            .args(&command)
            .env("MIBS", "")
            .status()
            .unwrap();
        assert!(status.success(), "snmptrap {command:?}");
        sent.push(TrapV1Pdu {
            enterprise: enterprise.parse().unwrap(),
            agent_addr: Ipv4Addr::new(192, 0, 2, 7),
            generic_trap: generic,
            specific_trap: specific,
            time_stamp: 1234,
            varbinds: chosen
                .iter()
                .map(|(name, _, _, value)| VarBind {
                    name: name.parse().unwrap(),
                    value: value.clone(),
                })
                .collect(),
        });
        // One at a time: the handler appends in arrival order.
        let expected = sent.len();
        wait_until("snmptrapd runs its handler", || {
            received(&out).len() >= expected
        });
    }

    let received = received(&out);
    assert_eq!(received.len(), sent.len());
    for (trap, theirs) in sent.iter().zip(received) {
        let ours: Vec<String> = translate::trap_v1_to_v2(trap, Some(b"public"))
            .unwrap()
            .iter()
            .map(quick_print)
            .collect();
        assert_eq!(ours, theirs, "{:?}", trap.generic_trap);
    }
}

/// The traps the handler saw, each as its varbind lines (after the two address lines).
fn received(out: &Path) -> Vec<Vec<String>> {
    let text = fs::read_to_string(out).unwrap_or_default();
    let mut blocks: Vec<&str> = text.split(SEPARATOR).collect();
    // Whatever follows the last separator is a trap still being written.
    blocks.pop();
    blocks
        .iter()
        .map(|block| {
            block
                .lines()
                .filter(|line| !line.is_empty())
                .skip(2)
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

/// A varbind as snmptrapd hands it to a trap handler with `-Ont`: `.OID value`.
fn quick_print(varbind: &VarBind) -> String {
    let value = match &varbind.value {
        Value::Integer(n) => n.to_string(),
        Value::OctetString(bytes) => format!("\"{}\"", String::from_utf8_lossy(bytes)),
        Value::ObjectIdentifier(oid) => format!(".{oid}"),
        Value::IpAddress(address) => address.to_string(),
        Value::Counter32(n) | Value::Gauge32(n) | Value::TimeTicks(n) => n.to_string(),
        Value::Counter64(n) => n.to_string(),
        other => panic!("no quick-print form for {other:?}"),
    };
    format!(".{} {value}", varbind.name)
}

fn text(s: &'static str) -> Value {
    Value::OctetString(Bytes::from_static(s.as_bytes()))
}

fn oid_value(s: &str) -> Value {
    Value::ObjectIdentifier(s.parse().unwrap())
}

const SEPARATOR: &str = "----vigie----";

/// A daemon started by a test, stopped (by its PID) and its directory removed on drop.
struct Daemon {
    child: Child,
    dir: PathBuf,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// The program's path, or `None` after saying which package to install. With
/// `VIGIE_REQUIRE_PEERS=1` a missing program fails the test instead.
fn peer(program: &str, package: &str) -> Option<PathBuf> {
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path_var)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")])
        .map(|dir| dir.join(program))
        .find(|path| path.is_file());
    if found.is_none() {
        let message = format!("{program} not found: install the Debian package `{package}`");
        assert!(
            std::env::var("VIGIE_REQUIRE_PEERS").as_deref() != Ok("1"),
            "{message} (VIGIE_REQUIRE_PEERS=1)"
        );
        let _ = writeln!(std::io::stderr(), "skipped: {message}");
    }
    found
}

/// A Net-SNMP command line: `OPTIONS TARGET OIDS…`, with one retry of one second.
fn args(options: &[&str], target: &str, oids: &[&str]) -> Vec<String> {
    ["-On", "-r", "1", "-t", "1"]
        .iter()
        .chain(options)
        .chain([&target])
        .chain(oids)
        .map(|s| (*s).to_owned())
        .collect()
}

/// Runs a Net-SNMP tool and returns stdout and stderr together.
fn run(program: &Path, args: &[String]) -> String {
    let Output { stdout, stderr, .. } = Command::new(program)
        .args(args)
        .env("MIBS", "")
        .env("SNMPCONFPATH", "/nonexistent")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr)
    )
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..100 {
        if done() {
            return;
        }
        thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting until {what}");
}

/// A UDP port free on 127.0.0.1 right now.
fn free_port() -> u16 {
    // Tests own sockets; the disallowed-methods rule is for the sans-IO library.
    #[allow(clippy::disallowed_methods)]
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.local_addr().unwrap().port()
}

fn scratch_dir(tag: &str) -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("vigie-access-{tag}-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}
