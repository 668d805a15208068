//! `extend NAME PROG ARGS` (snmpd.conf(5)) and the NET-SNMP-EXTEND-MIB tables it fills.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use vigie_snmp::{Oid, Value, VarBind};

use super::process::run;
use super::{Log, Program};
use crate::mib::{Mib, RequestCtx};

/// `nsExtendObjects` (NET-SNMP-EXTEND-MIB), `1.3.6.1.4.1.8072.1.3.2`: the subtree served.
pub const NS_EXTEND_OBJECTS: [u32; 10] = [1, 3, 6, 1, 4, 1, 8072, 1, 3, 2];

/// The most output kept of one run (snmpd keeps what fits its buffer).
const OUTPUT_LIMIT: usize = 64 * 1024;

/// One `extend` line.
#[derive(Debug, Clone)]
pub struct ExtendCommand {
    /// The row's name (its index is the name's length and bytes).
    pub name: String,
    /// The program and its arguments.
    pub program: Program,
    /// `nsExtendArgs` as shown: the arguments as configured.
    pub args: String,
    /// How long a result is reused (`nsExtendCacheTime`; snmpd's default is 5 s).
    pub cache_time: Duration,
    /// How long a run may take before it is killed.
    pub timeout: Duration,
}

/// The last result of one command.
#[derive(Debug, Clone)]
struct Outcome {
    /// The output, its last newline removed.
    output: String,
    /// The exit code; -1 when a signal or the timeout ended the run.
    result: i32,
    at: Instant,
}

/// NET-SNMP-EXTEND-MIB's `nsExtendNumEntries`, `nsExtendConfigTable` (read-only),
/// `nsExtendOutput1Table` and `nsExtendOutput2Table` for the configured commands, each run
/// when one of its outputs is asked for and its result older than its cache time.
///
/// Rows are indexed by the name as snmpd indexes them (an IMPLIED-less `DisplayString`: its
/// length, then its bytes), so `nsExtendOutputFull."name"` names the same instance as with
/// snmpd. A run that outlives its timeout is killed and logged; its result is -1 and its
/// output empty.
pub struct Extend {
    root: Oid,
    rows: Vec<Row>,
    log: Log,
}

struct Row {
    command: ExtendCommand,
    index: Vec<u32>,
    last: Mutex<Option<Outcome>>,
}

/// `nsExtendConfigEntry` columns served, in order.
const CONFIG_COLUMNS: [u32; 8] = [2, 3, 4, 5, 6, 7, 20, 21];
/// `nsExtendOutput1Entry` columns, in order.
const OUTPUT_COLUMNS: [u32; 4] = [1, 2, 3, 4];

impl Extend {
    /// The tables for `commands` (names must be distinct; the later of two equal names is
    /// dropped).
    pub fn new(commands: Vec<ExtendCommand>, log: Log) -> Self {
        let mut rows: Vec<Row> = Vec::with_capacity(commands.len());
        for command in commands {
            let bytes = command.name.as_bytes();
            let mut index = Vec::with_capacity(bytes.len() + 1);
            index.push(u32::try_from(bytes.len()).unwrap_or(u32::MAX));
            index.extend(bytes.iter().map(|b| u32::from(*b)));
            if rows.iter().any(|row| row.index == index) {
                continue;
            }
            rows.push(Row {
                command,
                index,
                last: Mutex::new(None),
            });
        }
        rows.sort_by(|a, b| a.index.cmp(&b.index));
        // A constant of ten arcs, each a u32: a valid OID.
        let root = Oid::new(&NS_EXTEND_OBJECTS).expect("nsExtendObjects is a valid OID");
        Self { root, rows, log }
    }

    /// The row's result, run again when older than its cache time.
    fn outcome(&self, row: &Row, now: Instant) -> Outcome {
        let mut last = row.last.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(outcome) = last.as_ref() {
            if now.saturating_duration_since(outcome.at) < row.command.cache_time {
                return outcome.clone();
            }
        }
        let outcome = match run(&row.command.program, row.command.timeout, OUTPUT_LIMIT) {
            Ok(done) => {
                let mut output = String::from_utf8_lossy(&done.stdout).into_owned();
                // snmpd drops the last newline only: blank lines before it are lines.
                if output.ends_with('\n') {
                    output.pop();
                }
                Outcome {
                    output,
                    result: done.code.unwrap_or(-1),
                    at: now,
                }
            }
            Err(error) => {
                (self.log)(&format!("extend {}: {error}", row.command.name));
                Outcome {
                    output: String::new(),
                    result: -1,
                    at: now,
                }
            }
        };
        *last = Some(outcome.clone());
        outcome
    }

    /// `root.suffix` as an OID.
    fn at(&self, suffix: &[u32]) -> Option<Oid> {
        self.root.extended(suffix).ok()
    }

    /// The value of a configuration column (`nsExtendConfigEntry`).
    fn config_value(row: &Row, column: u32) -> Option<Value> {
        let text = |s: &str| Value::OctetString(Bytes::copy_from_slice(s.as_bytes()));
        Some(match column {
            2 => text(
                &row.command
                    .program
                    .argv()
                    .first()
                    .map(|arg| arg.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ),
            3 => text(&row.command.args),
            // nsExtendInput: none.
            4 => text(""),
            5 => {
                Value::Integer(i32::try_from(row.command.cache_time.as_secs()).unwrap_or(i32::MAX))
            }
            // nsExtendExecType exec(1), nsExtendRunType run-on-read(1).
            6 | 7 => Value::Integer(1),
            // nsExtendStorage permanent(4), nsExtendStatus active(1).
            20 => Value::Integer(4),
            21 => Value::Integer(1),
            _ => return None,
        })
    }

    /// The value of an `nsExtendOutput1Entry` column.
    fn output_value(outcome: &Outcome, column: u32) -> Option<Value> {
        let text = |s: &str| Value::OctetString(Bytes::copy_from_slice(s.as_bytes()));
        Some(match column {
            1 => text(outcome.output.split('\n').next().unwrap_or("")),
            2 => text(&outcome.output),
            3 => Value::Integer(i32::try_from(line_count(&outcome.output)).unwrap_or(i32::MAX)),
            4 => Value::Integer(outcome.result),
            _ => return None,
        })
    }

    /// Every instance of the scalar and the two fixed-column tables, in order, with how to
    /// get its value.
    fn fixed_instances(&self) -> Vec<(Oid, Cell<'_>)> {
        let mut cells = Vec::new();
        if let Some(oid) = self.at(&[1, 0]) {
            cells.push((oid, Cell::Count));
        }
        for column in CONFIG_COLUMNS {
            for row in &self.rows {
                if let Some(oid) = self.at(&[[2, 1, column].as_slice(), &row.index].concat()) {
                    cells.push((oid, Cell::Config(row, column)));
                }
            }
        }
        for column in OUTPUT_COLUMNS {
            for row in &self.rows {
                if let Some(oid) = self.at(&[[3, 1, column].as_slice(), &row.index].concat()) {
                    cells.push((oid, Cell::Output(row, column)));
                }
            }
        }
        cells
    }

    fn cell_value(&self, cell: &Cell<'_>, now: Instant) -> Option<Value> {
        match cell {
            Cell::Count => Some(Value::Integer(
                i32::try_from(self.rows.len()).unwrap_or(i32::MAX),
            )),
            Cell::Config(row, column) => Self::config_value(row, *column),
            Cell::Output(row, column) => Self::output_value(&self.outcome(row, now), *column),
        }
    }

    /// The row whose index is `index`.
    fn row(&self, index: &[u32]) -> Option<&Row> {
        self.rows.iter().find(|row| row.index == index)
    }
}

/// How to get one instance's value.
enum Cell<'a> {
    Count,
    Config(&'a Row, u32),
    Output(&'a Row, u32),
}

/// The number of lines of an output whose last newline was removed, counted as snmpd
/// counts them: one more than the newlines left, so an empty output is one empty line.
fn line_count(output: &str) -> usize {
    output.split('\n').count()
}

impl Mib for Extend {
    fn root(&self) -> &Oid {
        &self.root
    }

    fn get(&self, ctx: &RequestCtx, oid: &Oid) -> Value {
        let Some(suffix) = oid.suffix(&self.root) else {
            return Value::NoSuchObject;
        };
        match suffix {
            [1] | [1, ..] => {
                if suffix == [1, 0] {
                    Value::Integer(i32::try_from(self.rows.len()).unwrap_or(i32::MAX))
                } else if suffix.len() == 1 {
                    Value::NoSuchObject
                } else {
                    Value::NoSuchInstance
                }
            }
            [2, 1, column, index @ ..] if CONFIG_COLUMNS.contains(column) => self
                .row(index)
                .and_then(|row| Self::config_value(row, *column))
                .unwrap_or(Value::NoSuchInstance),
            [3, 1, column, index @ ..] if OUTPUT_COLUMNS.contains(column) => self
                .row(index)
                .and_then(|row| Self::output_value(&self.outcome(row, ctx.now), *column))
                .unwrap_or(Value::NoSuchInstance),
            [4, 1, 2, rest @ ..] if !rest.is_empty() => {
                let (index, line) = rest.split_at(rest.len() - 1);
                let Some(row) = self.row(index) else {
                    return Value::NoSuchInstance;
                };
                let outcome = self.outcome(row, ctx.now);
                line.first()
                    .and_then(|n| usize::try_from(*n).ok())
                    .and_then(|n| n.checked_sub(1))
                    .and_then(|n| outcome.output.split('\n').nth(n))
                    .map_or(Value::NoSuchInstance, |text| {
                        Value::OctetString(Bytes::copy_from_slice(text.as_bytes()))
                    })
            }
            _ => Value::NoSuchObject,
        }
    }

    fn get_next(&self, ctx: &RequestCtx, oid: &Oid) -> Option<VarBind> {
        let fixed = self.fixed_instances();
        for (name, cell) in &fixed {
            if name > oid {
                if let Some(value) = self.cell_value(cell, ctx.now) {
                    return Some(VarBind {
                        name: name.clone(),
                        value,
                    });
                }
            }
        }
        // nsExtendOutput2Table: each row's lines.
        for row in &self.rows {
            let prefix = self.at(&[[4, 1, 2].as_slice(), &row.index].concat())?;
            // Rows wholly before `oid` need not run.
            if prefix < *oid && !oid.starts_with(&prefix) {
                continue;
            }
            let outcome = self.outcome(row, ctx.now);
            let count = line_count(&outcome.output);
            for (n, text) in outcome.output.split('\n').take(count).enumerate() {
                let number = u32::try_from(n + 1).ok()?;
                let name = prefix.child(number).ok()?;
                if name > *oid {
                    return Some(VarBind {
                        name,
                        value: Value::OctetString(Bytes::copy_from_slice(text.as_bytes())),
                    });
                }
            }
        }
        None
    }
}

impl std::fmt::Debug for Extend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extend")
            .field("root", &self.root)
            .field(
                "names",
                &self
                    .rows
                    .iter()
                    .map(|row| &row.command.name)
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use vigie_snmp::Version;

    use super::*;
    use crate::extend::silent;

    fn command(name: &str, script: &str) -> ExtendCommand {
        ExtendCommand {
            name: name.to_owned(),
            program: Program::new(vec!["/bin/sh".into(), "-c".into(), script.into()]).unwrap(),
            args: format!("-c {script}"),
            cache_time: Duration::from_secs(5),
            timeout: Duration::from_secs(5),
        }
    }

    fn ctx(now: Instant) -> RequestCtx {
        RequestCtx {
            now,
            version: Version::V2c,
            from: SocketAddr::from(([127, 0, 0, 1], 1)),
        }
    }

    fn oid(text: &str) -> Oid {
        text.parse().unwrap()
    }

    fn walk(extend: &Extend, now: Instant) -> Vec<VarBind> {
        let mut out = Vec::new();
        let mut at = oid("1.3.6.1.4.1.8072.1.3");
        while let Some(varbind) = extend.get_next(&ctx(now), &at) {
            at = varbind.name.clone();
            out.push(varbind);
        }
        out
    }

    #[test]
    fn serves_the_tables_indexed_by_name() {
        let extend = Extend::new(
            vec![
                command("hello", "echo hello world"),
                command("two", "printf 'a\\nb\\n'; exit 3"),
            ],
            silent(),
        );
        let now = Instant::now();
        let walked = walk(&extend, now);
        let names: Vec<String> = walked.iter().map(|v| v.name.to_string()).collect();
        assert_eq!(names[0], "1.3.6.1.4.1.8072.1.3.2.1.0");
        // "two" (3 bytes) sorts before "hello" (5 bytes), as in snmpd.
        assert_eq!(names[1], "1.3.6.1.4.1.8072.1.3.2.2.1.2.3.116.119.111");
        assert_eq!(walked.len(), 1 + 8 * 2 + 4 * 2 + 3);
        let full = extend.get(
            &ctx(now),
            &oid("1.3.6.1.4.1.8072.1.3.2.3.1.2.3.116.119.111"),
        );
        assert_eq!(full, Value::OctetString(Bytes::from_static(b"a\nb")));
        let result = extend.get(
            &ctx(now),
            &oid("1.3.6.1.4.1.8072.1.3.2.3.1.4.3.116.119.111"),
        );
        assert_eq!(result, Value::Integer(3));
        let line = extend.get(
            &ctx(now),
            &oid("1.3.6.1.4.1.8072.1.3.2.4.1.2.3.116.119.111.2"),
        );
        assert_eq!(line, Value::OctetString(Bytes::from_static(b"b")));
        let past = extend.get(
            &ctx(now),
            &oid("1.3.6.1.4.1.8072.1.3.2.4.1.2.3.116.119.111.3"),
        );
        assert_eq!(past, Value::NoSuchInstance);
    }

    #[test]
    fn caches_results_for_cache_time() {
        let dir = tempfile::tempdir().unwrap();
        let counter = dir.path().join("runs");
        let script = format!("echo x >> {0}; wc -l < {0}", counter.display());
        let extend = Extend::new(vec![command("n", &script)], silent());
        let now = Instant::now();
        let full = oid("1.3.6.1.4.1.8072.1.3.2.3.1.2.1.110");
        assert_eq!(
            extend.get(&ctx(now), &full),
            Value::OctetString(Bytes::from_static(b"1"))
        );
        assert_eq!(
            extend.get(&ctx(now + Duration::from_secs(4)), &full),
            Value::OctetString(Bytes::from_static(b"1"))
        );
        assert_eq!(
            extend.get(&ctx(now + Duration::from_secs(6)), &full),
            Value::OctetString(Bytes::from_static(b"2"))
        );
    }

    #[test]
    fn a_command_past_its_timeout_gives_minus_one() {
        let mut slow = command("slow", "sleep 30");
        slow.timeout = Duration::from_millis(200);
        let extend = Extend::new(vec![slow], silent());
        let result = extend.get(
            &ctx(Instant::now()),
            &oid("1.3.6.1.4.1.8072.1.3.2.3.1.4.4.115.108.111.119"),
        );
        assert_eq!(result, Value::Integer(-1));
    }
}
