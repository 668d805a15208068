//! Conceptual tables (RFC 2578 §7.1.12): rows listed on demand by a [`TableSource`], served
//! from a short-lived snapshot so that a walk sees one consistent table.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Bound;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use vigie_snmp::{Oid, Value, VarBind};

use crate::mib::{Mib, RequestCtx, SetError};

/// Where a [`Table`] gets its rows, and how it writes them.
///
/// `rows` is called when the table's snapshot is older than its time-to-live (and after every
/// successful SET), never more often: it may read `/proc`, `/sys` or anything slow-ish.
pub trait TableSource: Send + Sync {
    /// Every row, in any order; a row lists only the columns it has a value for (leave out
    /// not-accessible index columns, and columns absent from a sparse row).
    fn rows(&self, now: Instant) -> Vec<Row>;

    /// Checks that `column` of the row at `index` can be set to `value` (RFC 3416 §4.2.5,
    /// first phase). `current` is the cell's value in the snapshot, `None` when the row or
    /// the cell does not exist. Default: `notWritable` (or `noCreation` for a missing row).
    fn test_set(
        &self,
        index: &[u32],
        column: u32,
        value: &Value,
        current: Option<&Value>,
    ) -> Result<(), SetError> {
        let _ = (index, column, value);
        Err(match current {
            Some(_) => SetError::NotWritable,
            None => SetError::NoCreation,
        })
    }

    /// Sets `column` of the row at `index` to `value`. Called for a value `test_set`
    /// accepted, and to undo: then with the previous value, or with `NoSuchInstance` to
    /// remove a cell (or row) the SET created.
    fn commit_set(&self, index: &[u32], column: u32, value: &Value) -> Result<(), SetError> {
        let _ = (index, column, value);
        Err(SetError::CommitFailed)
    }
}

/// A table served from a [`TableSource`].
///
/// Its root is the table's OID (`ifTable`); instances are `root.1.column.index` (the entry is
/// always arc 1, RFC 2578 §7.10). GETNEXT goes down each column in index order, then to the
/// next column, as RFC 3416 §4.2.2 orders them.
pub struct Table<S> {
    root: Oid,
    entry: Oid,
    source: S,
    ttl: Duration,
    cache: Mutex<Option<Arc<Snapshot>>>,
}

impl<S: TableSource> Table<S> {
    /// A table at `root` whose rows `source` lists, cached for [`DEFAULT_TTL`].
    pub fn new(root: Oid, source: S) -> Self {
        // `root` has at most 128 arcs; if it has exactly 128 no instance fits under it and
        // the table is simply empty, so falling back to `root` itself is harmless.
        let entry = root.child(1).unwrap_or_else(|_| root.clone());
        Self {
            root,
            entry,
            source,
            ttl: DEFAULT_TTL,
            cache: Mutex::new(None),
        }
    }

    /// Sets how long a snapshot of the rows is served before `rows` is called again.
    #[must_use]
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// The source.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// Forgets the snapshot, so the next request lists the rows again.
    pub fn invalidate(&self) {
        *self.cache.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    fn snapshot(&self, now: Instant) -> Arc<Snapshot> {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(snapshot) = cache.as_ref() {
            if now.saturating_duration_since(snapshot.taken) < self.ttl && now >= snapshot.taken {
                return Arc::clone(snapshot);
            }
        }
        let snapshot = Arc::new(Snapshot::new(now, self.source.rows(now)));
        *cache = Some(Arc::clone(&snapshot));
        snapshot
    }

    /// `(column, index)` when `oid` is `entry.column.index` with a non-empty index.
    fn cell<'a>(&self, oid: &'a Oid) -> Option<(u32, &'a [u32])> {
        let (&column, index) = oid.suffix(&self.entry)?.split_first()?;
        (!index.is_empty()).then_some((column, index))
    }
}

impl<S: TableSource> Mib for Table<S> {
    fn root(&self) -> &Oid {
        &self.root
    }

    fn get(&self, ctx: &RequestCtx, oid: &Oid) -> Value {
        let snapshot = self.snapshot(ctx.now);
        let Some(suffix) = oid.suffix(&self.entry) else {
            return Value::NoSuchObject;
        };
        let Some((column, index)) = suffix.split_first() else {
            return Value::NoSuchObject;
        };
        let Some(cells) = snapshot.columns.get(column) else {
            return Value::NoSuchObject;
        };
        cells.get(index).cloned().unwrap_or(Value::NoSuchInstance)
    }

    fn get_next(&self, ctx: &RequestCtx, oid: &Oid) -> Option<VarBind> {
        if *oid >= self.root && !oid.starts_with(&self.root) {
            return None;
        }
        let snapshot = self.snapshot(ctx.now);
        // Where to start: after (column, index) when `oid` is inside the entry, otherwise
        // at the first cell.
        let (first_column, after) = match oid.suffix(&self.entry) {
            Some([column, index @ ..]) => (*column, Some(index)),
            _ if *oid > self.entry => return None,
            _ => (0, None),
        };
        for (&column, cells) in snapshot.columns.range(first_column..) {
            let mut range = match after {
                Some(index) if column == first_column => {
                    cells.range::<[u32], _>((Bound::Excluded(index), Bound::Unbounded))
                }
                _ => cells.range::<[u32], _>(..),
            };
            let Some((index, value)) = range.next() else {
                continue;
            };
            // Built in place: an instance OID of up to 16 arcs needs no allocation.
            let Ok(name) = self.entry.descendant(column, index) else {
                continue;
            };
            return Some(VarBind {
                name,
                value: value.clone(),
            });
        }
        None
    }

    fn test_set(&self, ctx: &RequestCtx, varbind: &VarBind) -> Result<(), SetError> {
        let Some((column, index)) = self.cell(&varbind.name) else {
            return Err(SetError::NotWritable);
        };
        let snapshot = self.snapshot(ctx.now);
        let current = snapshot
            .columns
            .get(&column)
            .and_then(|cells| cells.get(index));
        self.source.test_set(index, column, &varbind.value, current)
    }

    fn commit_set(&self, ctx: &RequestCtx, varbind: &VarBind) -> Result<Value, SetError> {
        let Some((column, index)) = self.cell(&varbind.name) else {
            return Err(SetError::CommitFailed);
        };
        let previous = self.get(ctx, &varbind.name);
        let previous = if previous.is_exception() {
            Value::NoSuchInstance
        } else {
            previous
        };
        self.source.commit_set(index, column, &varbind.value)?;
        self.invalidate();
        Ok(previous)
    }

    fn undo_set(&self, ctx: &RequestCtx, name: &Oid, previous: &Value) -> Result<(), SetError> {
        let _ = ctx;
        let Some((column, index)) = self.cell(name) else {
            return Err(SetError::UndoFailed);
        };
        let result = self.source.commit_set(index, column, previous);
        self.invalidate();
        result.map_err(|_| SetError::UndoFailed)
    }
}

impl<S> fmt::Debug for Table<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Table")
            .field("root", &self.root)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// One row of a table: its index arcs (see [`crate::mib::index`]) and its cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    index: Vec<u32>,
    cells: Vec<(u32, Value)>,
}

impl Row {
    /// A row with no cell yet.
    pub fn new(index: Vec<u32>) -> Self {
        Self {
            index,
            cells: Vec::new(),
        }
    }

    /// This row with `value` in `column`.
    #[must_use]
    pub fn cell(mut self, column: u32, value: Value) -> Self {
        self.push(column, value);
        self
    }

    /// Adds `value` in `column`.
    pub fn push(&mut self, column: u32, value: Value) {
        self.cells.push((column, value));
    }

    /// The index arcs.
    pub fn index(&self) -> &[u32] {
        &self.index
    }
}

/// The rows, column-major: the order GETNEXT walks them in.
#[derive(Debug)]
struct Snapshot {
    taken: Instant,
    columns: BTreeMap<u32, BTreeMap<Vec<u32>, Value>>,
}

impl Snapshot {
    fn new(taken: Instant, rows: Vec<Row>) -> Self {
        let mut columns: BTreeMap<u32, BTreeMap<Vec<u32>, Value>> = BTreeMap::new();
        for row in rows {
            // An empty index would make `entry.column` an instance, which RFC 2578 forbids.
            if row.index.is_empty() {
                continue;
            }
            for (column, value) in row.cells {
                if value.is_exception() {
                    continue;
                }
                columns
                    .entry(column)
                    .or_default()
                    .insert(row.index.clone(), value);
            }
        }
        Self { taken, columns }
    }
}

/// How long a table serves the same snapshot: long enough for a walk of a few hundred rows,
/// short enough that counters look live.
pub const DEFAULT_TTL: Duration = Duration::from_secs(2);

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, SocketAddr};
    use std::sync::atomic::{AtomicUsize, Ordering};

    use vigie_snmp::Version;

    use super::*;

    struct Source {
        calls: AtomicUsize,
        alias: Mutex<BTreeMap<u32, Value>>,
    }

    impl TableSource for Source {
        fn rows(&self, _now: Instant) -> Vec<Row> {
            self.calls.fetch_add(1, Ordering::Relaxed);
            let alias = self.alias.lock().unwrap();
            [1, 2, 10]
                .into_iter()
                .map(|i| {
                    let mut row = Row::new(vec![i])
                        .cell(1, Value::Integer(i32::try_from(i).unwrap()))
                        .cell(2, Value::OctetString(format!("eth{i}").into()));
                    if let Some(value) = alias.get(&i) {
                        row.push(18, value.clone());
                    }
                    row
                })
                .collect()
        }

        fn test_set(
            &self,
            _index: &[u32],
            column: u32,
            value: &Value,
            current: Option<&Value>,
        ) -> Result<(), SetError> {
            match (column, value, current) {
                (18, Value::OctetString(_), _) => Ok(()),
                (18, _, _) => Err(SetError::WrongType),
                (_, _, None) => Err(SetError::NoCreation),
                _ => Err(SetError::NotWritable),
            }
        }

        fn commit_set(&self, index: &[u32], _column: u32, value: &Value) -> Result<(), SetError> {
            let mut alias = self.alias.lock().unwrap();
            let [i] = *index else {
                return Err(SetError::CommitFailed);
            };
            if *value == Value::NoSuchInstance {
                alias.remove(&i);
            } else {
                alias.insert(i, value.clone());
            }
            Ok(())
        }
    }

    fn table() -> Table<Source> {
        let mut alias = BTreeMap::new();
        alias.insert(2, Value::OctetString("uplink".into()));
        Table::new(
            oid("1.3.6.1.2.1.2.2"),
            Source {
                calls: AtomicUsize::new(0),
                alias: Mutex::new(alias),
            },
        )
    }

    fn oid(text: &str) -> Oid {
        text.parse().unwrap()
    }

    fn ctx(now: Instant) -> RequestCtx {
        RequestCtx {
            now,
            version: Version::V2c,
            from: SocketAddr::from((Ipv4Addr::LOCALHOST, 1)),
        }
    }

    fn walk(table: &Table<Source>, ctx: &RequestCtx, from: &str) -> Vec<String> {
        let mut at = oid(from);
        let mut seen = Vec::new();
        while let Some(varbind) = table.get_next(ctx, &at) {
            assert!(varbind.name > at);
            seen.push(varbind.name.to_string());
            at = varbind.name;
        }
        seen
    }

    #[test]
    fn walks_columns_then_rows_in_index_order() {
        let table = table();
        let ctx = ctx(Instant::now());
        let all = walk(&table, &ctx, "1.3");
        assert_eq!(
            all,
            [
                "1.3.6.1.2.1.2.2.1.1.1",
                "1.3.6.1.2.1.2.2.1.1.2",
                "1.3.6.1.2.1.2.2.1.1.10",
                "1.3.6.1.2.1.2.2.1.2.1",
                "1.3.6.1.2.1.2.2.1.2.2",
                "1.3.6.1.2.1.2.2.1.2.10",
                "1.3.6.1.2.1.2.2.1.18.2",
            ]
        );
        assert_eq!(walk(&table, &ctx, "1.3.6.1.2.1.2.2.1.1.3").len(), 5);
        assert_eq!(walk(&table, &ctx, "1.3.6.1.2.1.2.2.1.3").len(), 1);
        assert!(walk(&table, &ctx, "1.3.6.1.2.1.2.3").is_empty());
        // One walk, one listing of the rows.
        assert_eq!(table.source().calls.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn gets_cells_with_the_right_exception() {
        let table = table();
        let ctx = ctx(Instant::now());
        assert_eq!(
            table.get(&ctx, &oid("1.3.6.1.2.1.2.2.1.2.10")),
            Value::OctetString("eth10".into())
        );
        assert_eq!(
            table.get(&ctx, &oid("1.3.6.1.2.1.2.2.1.2.3")),
            Value::NoSuchInstance
        );
        assert_eq!(
            table.get(&ctx, &oid("1.3.6.1.2.1.2.2.1.18.1")),
            Value::NoSuchInstance
        );
        assert_eq!(
            table.get(&ctx, &oid("1.3.6.1.2.1.2.2.1.7.1")),
            Value::NoSuchObject
        );
        assert_eq!(
            table.get(&ctx, &oid("1.3.6.1.2.1.2.2")),
            Value::NoSuchObject
        );
    }

    #[test]
    fn the_snapshot_expires() {
        let table = table();
        let start = Instant::now();
        table.get(&ctx(start), &oid("1.3.6.1.2.1.2.2.1.1.1"));
        table.get(
            &ctx(start + Duration::from_secs(1)),
            &oid("1.3.6.1.2.1.2.2.1.1.1"),
        );
        assert_eq!(table.source().calls.load(Ordering::Relaxed), 1);
        table.get(&ctx(start + DEFAULT_TTL), &oid("1.3.6.1.2.1.2.2.1.1.1"));
        assert_eq!(table.source().calls.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn sets_commit_and_undo_through_the_source() {
        let table = table();
        let ctx = ctx(Instant::now());
        let set = |name: &str, value: Value| VarBind {
            name: oid(name),
            value,
        };
        let alias = set("1.3.6.1.2.1.2.2.1.18.1", Value::OctetString("wan".into()));
        assert_eq!(table.test_set(&ctx, &alias), Ok(()));
        assert_eq!(
            table.test_set(&ctx, &set("1.3.6.1.2.1.2.2.1.18.1", Value::Integer(1))),
            Err(SetError::WrongType)
        );
        assert_eq!(
            table.test_set(&ctx, &set("1.3.6.1.2.1.2.2.1.2.1", Value::Integer(1))),
            Err(SetError::NotWritable)
        );
        assert_eq!(
            table.test_set(&ctx, &set("1.3.6.1.2.1.2.2.1.2.7", Value::Integer(1))),
            Err(SetError::NoCreation)
        );
        let previous = table.commit_set(&ctx, &alias).unwrap();
        assert_eq!(previous, Value::NoSuchInstance);
        assert_eq!(table.get(&ctx, &alias.name), alias.value);
        table.undo_set(&ctx, &alias.name, &previous).unwrap();
        assert_eq!(table.get(&ctx, &alias.name), Value::NoSuchInstance);
    }
}
