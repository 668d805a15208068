//! The live-host groups (IF-MIB, HOST-RESOURCES-MIB) of `vigie agent` against `snmpd` on
//! the same host: walks complete in increasing order, and the tables have the same shape
//! (interfaces, columns, types, and the values that do not move).

use std::collections::BTreeMap;
use std::collections::BTreeSet;

use tempfile::TempDir;
use vigie_interop::Peer;
use vigie_interop::Snmpd;
use vigie_interop::require;

use super::VigieAgent;
use super::snmp;
use super::walked_oids;

/// One walked varbind: its OID arcs, the type word Net-SNMP prints, and the value text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cell {
    oid: Vec<u32>,
    kind: String,
    value: String,
}

/// Walks `subtree` of `target` with `tool` (v2c) and checks that it ended cleanly and in
/// strictly increasing order.
fn walk(tool: Peer, target: &str, subtree: &str, who: &str) -> Vec<Cell> {
    let out = snmp(tool, &["-v2c", "-c", "public", "-On", target, subtree]);
    assert!(out.success(), "{who}: {out}");
    assert_eq!(out.stderr, "", "{who}: {out}");
    let oids = walked_oids(&out);
    for pair in oids.windows(2) {
        assert!(pair[0] < pair[1], "{who}: not increasing: {pair:?}\n{out}");
    }
    out.stdout.lines().filter_map(parse_line).collect()
}

/// `.1.3.6…N = TYPE: value` (or `= ""` for an empty string) into a [`Cell`]; the type of
/// an OCTET STRING is "STRING" whether Net-SNMP shows it as text or hex.
fn parse_line(line: &str) -> Option<Cell> {
    let (oid, rest) = line.split_once(" = ")?;
    let oid = oid
        .trim_start_matches('.')
        .split('.')
        .map(|arc| arc.parse().ok())
        .collect::<Option<Vec<u32>>>()?;
    let (kind, value) = match rest.split_once(": ") {
        Some((kind, value)) => (kind, value),
        None => ("STRING", rest),
    };
    let kind = if kind == "Hex-STRING" { "STRING" } else { kind };
    Some(Cell {
        oid,
        kind: kind.to_owned(),
        value: value.trim().trim_matches('"').to_owned(),
    })
}

/// The cells under `entry` (a table's entry OID) as `column → index → cell`.
fn table(cells: &[Cell], entry: &[u32]) -> BTreeMap<u32, BTreeMap<Vec<u32>, Cell>> {
    let mut columns: BTreeMap<u32, BTreeMap<Vec<u32>, Cell>> = BTreeMap::new();
    for cell in cells {
        let Some(rest) = cell.oid.strip_prefix(entry) else {
            continue;
        };
        let Some((&column, index)) = rest.split_first() else {
            continue;
        };
        columns
            .entry(column)
            .or_default()
            .insert(index.to_vec(), cell.clone());
    }
    columns
}

/// The type of each column (every cell of a column has the same type).
fn column_types(
    columns: &BTreeMap<u32, BTreeMap<Vec<u32>, Cell>>,
    who: &str,
) -> BTreeMap<u32, String> {
    columns
        .iter()
        .map(|(&column, cells)| {
            let kinds: BTreeSet<&str> = cells.values().map(|cell| cell.kind.as_str()).collect();
            assert_eq!(
                kinds.len(),
                1,
                "{who}: column {column} mixes types {kinds:?}"
            );
            (
                column,
                kinds.into_iter().next().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// `column → index → value` of one column, keyed by the value of `key_column`.
fn by_key(
    columns: &BTreeMap<u32, BTreeMap<Vec<u32>, Cell>>,
    key_column: u32,
    column: u32,
) -> BTreeMap<String, String> {
    let keys = &columns[&key_column];
    columns[&column]
        .iter()
        .filter_map(|(index, cell)| Some((keys.get(index)?.value.clone(), cell.value.clone())))
        .collect()
}

fn start_both() -> Option<(TempDir, VigieAgent, Snmpd)> {
    if !require(&[
        Peer::Snmpwalk,
        Peer::Snmpbulkwalk,
        Peer::Snmpget,
        Peer::Snmpd,
    ]) {
        return None;
    }
    let snmpd = Snmpd::start("")?;
    let state = TempDir::new().expect("a temporary directory");
    let agent = VigieAgent::start(&state.path().join("state"));
    Some((state, agent, snmpd))
}

#[test]
fn if_table_has_snmpd_shape() {
    let Some((_state, agent, snmpd)) = start_both() else {
        return;
    };
    let entry = [1, 3, 6, 1, 2, 1, 2, 2, 1];
    for tool in [Peer::Snmpwalk, Peer::Snmpbulkwalk] {
        let ours = walk(tool, &agent.target(), ".1.3.6.1.2.1.2", "vigie");
        let theirs = walk(tool, &snmpd.target(), ".1.3.6.1.2.1.2", "snmpd");
        // ifNumber first, of the same type and value.
        assert_eq!(ours.first(), theirs.first());
        let (ours, theirs) = (table(&ours, &entry), table(&theirs, &entry));
        assert_eq!(column_types(&ours, "vigie"), column_types(&theirs, "snmpd"));
        // The same interfaces, by ifDescr, with the same type, MTU and address.
        let names = |columns: &BTreeMap<u32, BTreeMap<Vec<u32>, Cell>>| -> BTreeSet<String> {
            columns[&2]
                .values()
                .map(|cell| cell.value.clone())
                .collect()
        };
        assert_eq!(names(&ours), names(&theirs));
        for column in [1, 3, 4, 6] {
            assert_eq!(
                by_key(&ours, 2, column),
                by_key(&theirs, 2, column),
                "ifTable column {column}"
            );
        }
    }
}

#[test]
fn if_x_table_has_snmpd_shape() {
    let Some((_state, agent, snmpd)) = start_both() else {
        return;
    };
    let entry = [1, 3, 6, 1, 2, 1, 31, 1, 1, 1];
    for tool in [Peer::Snmpwalk, Peer::Snmpbulkwalk] {
        let ours = table(
            &walk(tool, &agent.target(), ".1.3.6.1.2.1.31.1.1", "vigie"),
            &entry,
        );
        let theirs = table(
            &walk(tool, &snmpd.target(), ".1.3.6.1.2.1.31.1.1", "snmpd"),
            &entry,
        );
        assert_eq!(column_types(&ours, "vigie"), column_types(&theirs, "snmpd"));
        let names = |columns: &BTreeMap<u32, BTreeMap<Vec<u32>, Cell>>| -> BTreeSet<String> {
            columns[&1]
                .values()
                .map(|cell| cell.value.clone())
                .collect()
        };
        assert_eq!(names(&ours), names(&theirs));
        // ifConnectorPresent and ifHighSpeed do not move.
        for column in [15, 17] {
            assert_eq!(
                by_key(&ours, 1, column),
                by_key(&theirs, 1, column),
                "ifXTable column {column}"
            );
        }
    }
    // SNMPv1 has no Counter64: the v1 walk skips the HC columns and still completes.
    let out = snmp(
        Peer::Snmpwalk,
        &[
            "-v1",
            "-c",
            "public",
            "-On",
            &agent.target(),
            ".1.3.6.1.2.1.31.1.1",
        ],
    );
    assert!(out.success(), "{out}");
    assert!(!out.stdout.contains("Counter64"), "{out}");
    assert!(out.stdout.contains(".1.3.6.1.2.1.31.1.1.1.18."), "{out}");
}

#[test]
fn host_resources_have_snmpd_shape() {
    let Some((_state, agent, snmpd)) = start_both() else {
        return;
    };
    for tool in [Peer::Snmpwalk, Peer::Snmpbulkwalk] {
        let ours = walk(tool, &agent.target(), ".1.3.6.1.2.1.25", "vigie");
        let theirs = walk(tool, &snmpd.target(), ".1.3.6.1.2.1.25", "snmpd");

        // hrSystem and hrMemorySize: the same scalars with the same types.
        let scalars = |cells: &[Cell]| -> BTreeMap<Vec<u32>, String> {
            cells
                .iter()
                .filter(|cell| {
                    cell.oid.starts_with(&[1, 3, 6, 1, 2, 1, 25, 1])
                        || cell.oid == [1, 3, 6, 1, 2, 1, 25, 2, 2, 0]
                })
                .map(|cell| (cell.oid.clone(), cell.kind.clone()))
                .collect()
        };
        assert_eq!(scalars(&ours), scalars(&theirs));

        // hrStorageTable: the same rows (memory kinds, then file systems) and columns.
        let storage = [1, 3, 6, 1, 2, 1, 25, 2, 3, 1];
        let (our_storage, their_storage) = (table(&ours, &storage), table(&theirs, &storage));
        assert_eq!(
            column_types(&our_storage, "vigie"),
            column_types(&their_storage, "snmpd")
        );
        for column in [2, 3, 4] {
            assert_eq!(
                our_storage[&column], their_storage[&column],
                "hrStorageTable column {column}"
            );
        }

        // hrDeviceTable: vigie's rows are snmpd's processor and network rows (snmpd also
        // guesses a co-processor, which vigie does not).
        let devices = [1, 3, 6, 1, 2, 1, 25, 3, 2, 1];
        let (our_devices, their_devices) = (table(&ours, &devices), table(&theirs, &devices));
        assert_eq!(
            column_types(&our_devices, "vigie"),
            column_types(&their_devices, "snmpd")
        );
        let rows =
            |columns: &BTreeMap<u32, BTreeMap<Vec<u32>, Cell>>| -> BTreeMap<Vec<u32>, String> {
                columns[&2]
                    .iter()
                    .filter(|(_, cell)| {
                        cell.value.ends_with(".25.3.1.3") || cell.value.ends_with(".25.3.1.4")
                    })
                    .map(|(index, cell)| (index.clone(), cell.value.clone()))
                    .collect()
            };
        assert_eq!(rows(&our_devices), rows(&their_devices));

        // hrProcessorTable (snmpd serves hrProcessorLoad only after a minute of samples),
        // hrNetworkTable and hrFSTable: the same rows, columns and types.
        for entry in [
            [1, 3, 6, 1, 2, 1, 25, 3, 3, 1],
            [1, 3, 6, 1, 2, 1, 25, 3, 4, 1],
            [1, 3, 6, 1, 2, 1, 25, 3, 8, 1],
        ] {
            let (our_table, their_table) = (table(&ours, &entry), table(&theirs, &entry));
            let our_types = column_types(&our_table, "vigie");
            let their_types = column_types(&their_table, "snmpd");
            for (column, kind) in &their_types {
                assert_eq!(
                    our_types.get(column),
                    Some(kind),
                    "{entry:?} column {column}"
                );
            }
            let first = |t: &BTreeMap<u32, BTreeMap<Vec<u32>, Cell>>| -> Vec<Vec<u32>> {
                t.values()
                    .next()
                    .map(|cells| cells.keys().cloned().collect())
                    .unwrap_or_default()
            };
            assert_eq!(first(&our_table), first(&their_table), "{entry:?} rows");
        }
    }
}

#[test]
fn if_alias_is_set_kept_across_a_restart_and_checked_as_snmpd_does() {
    let Some((state, agent, snmpd)) = start_both() else {
        return;
    };
    let dir = state.path().join("state");
    let set = |target: &str, oid: &str, kind: &str, value: &str| {
        snmp(
            Peer::Snmpset,
            &["-v2c", "-c", "private", "-On", target, oid, kind, value],
        )
    };
    let out = set(&agent.target(), IF_ALIAS_1, "s", "loopback of the lab");
    assert!(out.success(), "{out}");
    drop(agent);
    let agent = VigieAgent::start(&dir);
    assert_eq!(
        super::counter(&agent, IF_ALIAS_1),
        "\"loopback of the lab\""
    );
    // A wrong type, a too long value, a read-only column and a row that does not exist are
    // refused with snmpd's error statuses.
    let reason = |out: &vigie_interop::Outcome| -> String {
        out.stderr
            .lines()
            .find(|line| line.starts_with("Reason:"))
            .unwrap_or_default()
            .to_owned()
    };
    let too_long = "x".repeat(65);
    for (oid, kind, value) in [
        (IF_ALIAS_1, "i", "5"),
        (IF_ALIAS_1, "s", too_long.as_str()),
        (".1.3.6.1.2.1.2.2.1.2.1", "s", "eth9"),
        (".1.3.6.1.2.1.31.1.1.1.18.999", "s", "nowhere"),
    ] {
        let ours = set(&agent.target(), oid, kind, value);
        let theirs = set(&snmpd.target(), oid, kind, value);
        assert!(!ours.success() && !theirs.success(), "{ours}\n{theirs}");
        assert_eq!(reason(&ours), reason(&theirs), "{ours}\n{theirs}");
        assert!(!reason(&ours).is_empty(), "{ours}");
    }
}

/// `ifAlias` of `lo`, which is `ifIndex` 1 on Linux.
const IF_ALIAS_1: &str = ".1.3.6.1.2.1.31.1.1.1.18.1";
