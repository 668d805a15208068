//! `vigie table`: Net-SNMP's `snmptable`, a conceptual table printed as rows and columns.
//!
//! As `snmptable` 5.9 does: the columns are the accessible columns of the table's entry in
//! the loaded modules, the rows are walked with GETBULK (GETNEXT with `-CB` or on v1), each
//! row keyed by its printed index and placed where it first appears, cells printed as
//! `-Oq` values (`?` for a missing one), columns right-aligned to their widest cell.
//! `-Cf SEP` separates cells with `SEP` instead, `-Ch` prints only the headers, `-CH` no
//! headers, `-Ci` the index column, `-Cb` brief headers (the common prefix removed), `-Cl`
//! left-aligns, `-Cw WIDTH` splits the table in parts, `-Cc WIDTH` fixes the column width,
//! `-Cr N` sets max-repetitions (default 10).

use std::io::Write as _;

use vigie_mib::{Access, MibSet, NodeKind};
use vigie_net::WalkOptions;
use vigie_snmp::{Value, Version};

use crate::commands;
use crate::exit::Exit;
use crate::getopt::Ordering;
use crate::output::OutputOptions;
use crate::report::Report;
use crate::snmpcmd::{self, AppFlagError, Tool};

/// The tool's description.
pub(crate) const TOOL: Tool = Tool {
    name: "snmptable",
    command: "table",
    operands: "AGENT TABLE-OID",
    ordering: Ordering::Permute,
    app_help: "  -C APPOPTS\t\tSet various application specific behaviours:\n\t\t\t  b:       brief field names\n\t\t\t  B:       do not use GETBULK requests\n\t\t\t  c<NUM>:  print table in columns of <NUM> chars width\n\t\t\t  f<STR>:  print table delimitied with <STR>\n\t\t\t  h:       print only the column headers\n\t\t\t  H:       print no column headers\n\t\t\t  i:       print index values\n\t\t\t  l:       left justify output\n\t\t\t  r<NUM>:  for GETBULK: set max-repeaters to <NUM>\n\t\t\t  w<NUM>:  print table in parts of <NUM> chars width\n",
    default_port: 161,
};

/// The `-C` flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Layout {
    /// `-Cb`.
    pub(crate) brief: bool,
    /// `-CB`.
    pub(crate) no_bulk: bool,
    /// `-Cc NUM`.
    pub(crate) column_width: usize,
    /// `-Cf SEP`.
    pub(crate) separator: Option<String>,
    /// `-Ch`.
    pub(crate) headers_only: bool,
    /// `-CH`.
    pub(crate) no_headers: bool,
    /// `-Ci`.
    pub(crate) show_index: bool,
    /// `-Cl`.
    pub(crate) left: bool,
    /// `-Cr NUM`.
    pub(crate) repetitions: Option<u32>,
    /// `-Cw NUM`.
    pub(crate) max_width: usize,
}

/// Runs `vigie table ARGS`.
pub(crate) fn run(args: &[String]) -> Exit {
    let mut layout = Layout::default();
    let mut app = |letters: &str, next: &mut dyn FnMut() -> Option<String>| {
        for (at, letter) in letters.char_indices() {
            let rest = letters.get(at + letter.len_utf8()..).unwrap_or_default();
            let mut value = || {
                if rest.is_empty() {
                    next().ok_or(AppFlagError::Usage)
                } else {
                    Ok(rest.to_owned())
                }
            };
            let number = |text: String| {
                text.trim()
                    .parse::<usize>()
                    .map_err(|_| AppFlagError::Usage)
            };
            match letter {
                'b' => layout.brief = true,
                'B' => layout.no_bulk = true,
                'h' => layout.headers_only = true,
                'H' => layout.no_headers = true,
                'i' => layout.show_index = true,
                'l' => layout.left = true,
                'f' => {
                    layout.separator = Some(value()?);
                    return Ok(());
                }
                'c' => {
                    layout.column_width = number(value()?)?;
                    return Ok(());
                }
                'w' => {
                    layout.max_width = number(value()?)?;
                    return Ok(());
                }
                'r' => {
                    let n = number(value()?)?;
                    layout.repetitions = Some(u32::try_from(n).map_err(|_| AppFlagError::Usage)?);
                    return Ok(());
                }
                other => return Err(AppFlagError::Unknown(other)),
            }
        }
        Ok(())
    };
    let mut invocation = match snmpcmd::parse(&TOOL, args, &mut app) {
        Ok(invocation) => invocation,
        Err(exit) => return exit,
    };
    // snmptable prints cells as -Oq values.
    invocation.output.quick = true;
    if invocation.rest().len() != 1 {
        eprintln!("Must have exactly one table name");
        return snmpcmd::usage(&TOOL);
    }
    let parsed = match commands::parse_oids(invocation.rest()) {
        Ok(parsed) => parsed,
        Err(exit) => return exit,
    };
    let Some(root) = parsed.into_iter().next() else {
        return Exit::Failure;
    };
    let mib = crate::mibs::current();
    let Some(columns) =
        mib.and_then(|mib| Columns::of(mib, &root, &invocation.output, layout.brief))
    else {
        let name = match mib {
            Some(mib) => mib.format_arcs(&root, &invocation.output.oid_options()),
            None => crate::output::oid_text(&root, invocation.output.oid_format),
        };
        eprintln!("Was that a table? {name}");
        return Exit::Failure;
    };
    let Some(mib) = mib else {
        return Exit::Failure;
    };
    let mut report = Report::new(invocation.output.clone());
    let exit = commands::block_on(async {
        let client = match snmpcmd::open(&TOOL, &invocation, &mut report).await {
            Ok(client) => client,
            Err(exit) => return exit,
        };
        let mut rows = Rows::default();
        if !layout.headers_only {
            let Ok(entry) = vigie_snmp::Oid::new(&columns.entry) else {
                return Exit::Failure;
            };
            let bulk = !layout.no_bulk && client.session().version != Version::V1;
            let options = WalkOptions {
                max_repetitions: bulk.then_some(layout.repetitions.unwrap_or(10)),
                check_increasing: true,
            };
            let mut walk = client.walk(entry, options);
            while let Some(item) = walk.next().await {
                match item {
                    Ok(varbind) => {
                        rows.add(
                            mib,
                            &columns,
                            &invocation.output,
                            &varbind.name,
                            &varbind.value,
                        );
                    }
                    Err(vigie_net::WalkError::Request(error)) => {
                        commands::request_failed(
                            &TOOL,
                            invocation.agent(),
                            &error,
                            false,
                            &mut report,
                        );
                        return Exit::Failure;
                    }
                    Err(_) => break,
                }
            }
        }
        let text = render(&columns, &rows, &layout);
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
        Exit::Success
    });
    report.finish();
    exit
}

/// The columns of a table, from the MIB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Columns {
    /// How the table's name prints (`HOST-RESOURCES-MIB::hrStorageTable`).
    pub(crate) table_name: String,
    /// The entry's OID.
    pub(crate) entry: Vec<u32>,
    /// Each column's arc under the entry and its header.
    pub(crate) columns: Vec<(u32, String)>,
}

impl Columns {
    /// The accessible columns of the table at `root`, named as `snmptable` names them.
    pub(crate) fn of(
        mib: &MibSet,
        root: &[u32],
        output: &OutputOptions,
        brief: bool,
    ) -> Option<Self> {
        let instance = mib.describe(root).filter(|i| i.index.is_empty())?;
        let table = instance.node;
        let entry = table
            .children()
            .next()
            .filter(|_| table.kind() == NodeKind::Table)?;
        let entry_arcs = entry.arcs();
        let options = output.oid_options();
        let mut columns = Vec::new();
        for column in entry.children() {
            let access = column.object().and_then(|o| o.access);
            if access == Some(Access::NotAccessible) {
                continue;
            }
            let mut arcs = entry_arcs.clone();
            arcs.push(column.arc());
            let printed = mib.format_arcs(&arcs, &options);
            let label = printed
                .rsplit_once('.')
                .or_else(|| printed.rsplit_once(':'))
                .map_or(printed.as_str(), |(_, l)| l)
                .to_owned();
            if label.starts_with(|c: char| c.is_ascii_digit()) {
                break;
            }
            columns.push((column.arc(), label));
        }
        if columns.is_empty() {
            return None;
        }
        if brief {
            strip_common_prefix(&mut columns);
        }
        Some(Self {
            table_name: mib.format_arcs(root, &options),
            entry: entry_arcs,
            columns,
        })
    }
}

/// `-Cb`: snmptable's common prefix of consecutive headers, as its C loop counts it.
fn strip_common_prefix(columns: &mut [(u32, String)]) {
    if columns.len() < 2 {
        return;
    }
    let mut common = columns.first().map_or(0, |c| c.1.len());
    for pair in columns.windows(2) {
        let (Some(a), Some(b)) = (pair.first(), pair.get(1)) else {
            continue;
        };
        let (a, b) = (a.1.as_bytes(), b.1.as_bytes());
        // `while (*f1 && *f1++ == *f2++);`: a mismatch still advances, the end of f1 does not.
        let mut advanced: usize = 0;
        for (i, &ca) in a.iter().enumerate() {
            advanced += 1;
            if b.get(i) != Some(&ca) {
                break;
            }
        }
        let len = advanced.saturating_sub(1);
        common = common.min(len);
    }
    for column in columns.iter_mut() {
        column.1 = column.1.get(common..).unwrap_or_default().to_owned();
    }
}

/// The rows read so far, in order of first appearance.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Rows {
    /// Each row's index text and cells.
    pub(crate) rows: Vec<(String, Vec<Option<String>>)>,
}

impl Rows {
    /// Places one varbind of the walk in its row and column.
    pub(crate) fn add(
        &mut self,
        mib: &MibSet,
        columns: &Columns,
        output: &OutputOptions,
        name: &vigie_snmp::Oid,
        value: &Value,
    ) {
        let arcs = name.arcs();
        let Some(&arc) = arcs.get(columns.entry.len()) else {
            return;
        };
        let Some(position) = columns.columns.iter().position(|(a, _)| *a == arc) else {
            return;
        };
        let printed = mib.format_oid(name, &output.oid_options());
        let Some(index) = index_text(&printed, &columns.table_name, output) else {
            return;
        };
        let cell = mib_cell(mib, output, arcs, value);
        let row = match self.rows.iter().position(|(i, _)| *i == index) {
            Some(row) => row,
            None => {
                self.rows.push((index, vec![None; columns.columns.len()]));
                self.rows.len() - 1
            }
        };
        if let Some(slot) = self
            .rows
            .get_mut(row)
            .and_then(|(_, cells)| cells.get_mut(position))
        {
            *slot = Some(cell);
        }
    }
}

fn mib_cell(mib: &MibSet, output: &OutputOptions, arcs: &[u32], value: &Value) -> String {
    output.mib_value(mib, arcs, value).replace('\n', " ")
}

/// The index part of a printed instance name, as snmptable cuts it.
fn index_text(printed: &str, table_name: &str, output: &OutputOptions) -> Option<String> {
    use crate::output::OidFormat;
    if output.mib_only.extended_index {
        return printed
            .find('[')
            .and_then(|at| printed.get(at..))
            .map(str::to_owned);
    }
    let start = match output.oid_format {
        OidFormat::Module => printed.find(':').map(|at| at + 1)?,
        OidFormat::Suffix => 0,
        OidFormat::Full | OidFormat::Numeric | OidFormat::Ucd => {
            let after = table_name.len() + 1;
            after + printed.get(after..)?.find('.')? + 1
        }
    };
    let rest = printed.get(start..)?;
    let dot = rest.find('.')?;
    rest.get(dot + 1..).map(str::to_owned)
}

/// The table as snmptable's `print_table` prints it, and its `No entries` line.
pub(crate) fn render(columns: &Columns, rows: &Rows, layout: &Layout) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let fields = columns.columns.len();
    let mut widths: Vec<usize> = columns.columns.iter().map(|(_, l)| l.len()).collect();
    // snmptable starts from the width of "index ".
    let mut index_width = "index ".len();
    for (index, cells) in &rows.rows {
        index_width = index_width.max(index.len());
        for (width, cell) in widths.iter_mut().zip(cells) {
            *width = (*width).max(cell.as_ref().map_or(0, String::len));
        }
    }
    let left = layout.left;
    let pad = |text: &str, width: usize| {
        if left {
            format!("{text:<width$}")
        } else {
            format!("{text:>width$}")
        }
    };
    let cell = |field: usize, text: &str| -> String {
        if layout.column_width != 0 {
            let w = layout.column_width;
            // Net-SNMP 5.9 prints `%W.(W-1)s`.
            let cut: String = text.chars().take(w.saturating_sub(1)).collect();
            pad(&cut, w)
        } else if let Some(separator) = &layout.separator {
            if field == 0 && !layout.show_index {
                text.to_owned()
            } else {
                format!("{separator}{text}")
            }
        } else {
            pad(text, widths.get(field).copied().unwrap_or(0) + 1)
        }
    };
    let index_cell = |text: &str| -> String {
        if layout.column_width != 0 {
            format!("\nindex: {text}\n")
        } else if layout.separator.is_none() {
            pad(text, index_width)
        } else {
            text.to_owned()
        }
    };
    let print = !rows.rows.is_empty() || layout.headers_only;
    if print {
        if !layout.no_headers && !layout.headers_only {
            let _ = write!(out, "SNMP table: {}\n\n", columns.table_name);
        }
        let mut last_field = 0;
        let mut part = 0;
        while last_field != fields {
            part += 1;
            if part != 1 && !layout.no_headers {
                let _ = write!(out, "\nSNMP table {}, part {part}\n\n", columns.table_name);
            }
            let first_field = last_field;
            let mut width = 0;
            if layout.show_index && !layout.no_headers && layout.column_width == 0 {
                width = index_width;
                out.push_str(&index_cell("index"));
            }
            let mut field = first_field;
            while field < fields {
                if layout.max_width != 0 {
                    if layout.column_width != 0 {
                        if !layout.no_headers {
                            width += layout.column_width;
                            if field != first_field && width > layout.max_width {
                                out.push('\n');
                                width = layout.column_width;
                            }
                        }
                    } else {
                        width += widths.get(field).copied().unwrap_or(0) + 1;
                        if field != first_field && width > layout.max_width {
                            break;
                        }
                    }
                }
                if !layout.no_headers {
                    let label = columns.columns.get(field).map_or("", |(_, l)| l.as_str());
                    out.push_str(&cell(field, label));
                }
                field += 1;
            }
            last_field = field;
            if !layout.no_headers {
                out.push('\n');
            }
            for (index, cells) in &rows.rows {
                let mut width = 0;
                if layout.show_index {
                    out.push_str(&index_cell(index));
                }
                for f in first_field..last_field {
                    if layout.column_width != 0 && layout.max_width != 0 {
                        width += layout.column_width;
                        if f != first_field && width > layout.max_width {
                            out.push('\n');
                            width = layout.column_width;
                        }
                    }
                    let text = cells.get(f).and_then(Option::as_deref).unwrap_or("?");
                    out.push_str(&cell(f, text));
                }
                out.push('\n');
            }
        }
    }
    if rows.rows.is_empty() {
        let _ = writeln!(out, "{}: No entries", columns.table_name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn storage() -> (MibSet, Columns) {
        let mib = MibSet::builtin();
        let root = mib
            .resolve_arcs("HOST-RESOURCES-MIB::hrStorageTable")
            .expect("known");
        let columns = Columns::of(&mib, &root, &OutputOptions::default(), false).expect("a table");
        (mib, columns)
    }

    #[test]
    fn columns_come_from_the_entry() {
        let (_, columns) = storage();
        assert_eq!(columns.table_name, "HOST-RESOURCES-MIB::hrStorageTable");
        let labels: Vec<&str> = columns.columns.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels.first(), Some(&"hrStorageIndex"));
        assert_eq!(labels.len(), 7);
        let mut brief = columns.columns.clone();
        strip_common_prefix(&mut brief);
        assert_eq!(brief.first().map(|c| c.1.as_str()), Some("Index"));
        assert_eq!(
            brief.get(6).map(|c| c.1.as_str()),
            Some("AllocationFailures")
        );
    }

    #[test]
    fn rows_render_as_snmptable() {
        let (mib, columns) = storage();
        let output = OutputOptions {
            quick: true,
            ..OutputOptions::default()
        };
        let mut rows = Rows::default();
        let name = mib.resolve("hrStorageDescr.3").expect("known");
        rows.add(
            &mib,
            &columns,
            &output,
            &name,
            &Value::OctetString("Virtual".into()),
        );
        let name = mib.resolve("hrStorageIndex.3").expect("known");
        rows.add(&mib, &columns, &output, &name, &Value::Integer(3));
        let text = render(&columns, &rows, &Layout::default());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines.first(),
            Some(&"SNMP table: HOST-RESOURCES-MIB::hrStorageTable")
        );
        assert_eq!(lines.get(1), Some(&""));
        assert!(
            lines
                .get(2)
                .is_some_and(|l| l.starts_with(" hrStorageIndex hrStorageType"))
        );
        assert!(
            lines
                .get(3)
                .is_some_and(|l| l.starts_with("              3             ?        Virtual"))
        );
        let csv = Layout {
            separator: Some(",".to_owned()),
            show_index: true,
            ..Layout::default()
        };
        let text = render(&columns, &rows, &csv);
        assert!(text.contains("\n3,3,?,Virtual,?,?,?,?\n"), "{text}");
        let empty = render(&columns, &Rows::default(), &Layout::default());
        assert_eq!(empty, "HOST-RESOURCES-MIB::hrStorageTable: No entries\n");
    }
}
