//! `vigie mib lint FILE…`: compiles MIB files and prints what the compiler found wrong or
//! doubtful in them, one `FILE:LINE:COL: severity[kind]: message` line each, so editors can
//! jump to the place.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use vigie_mib::{Diagnostic, Error, Loader, Severity};

use crate::exit::Exit;

/// `vigie mib …`.
#[derive(Debug, Args)]
pub(crate) struct MibArgs {
    #[command(subcommand)]
    command: MibCommand,
}

#[derive(Debug, Subcommand)]
enum MibCommand {
    /// Check MIB files and print their diagnostics (exit 0: no error, 1: errors, 2: usage or
    /// read error).
    Lint(LintArgs),
}

/// `vigie mib lint` arguments.
#[derive(Debug, Args)]
struct LintArgs {
    /// The MIB files to check.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// A directory to look in for imported modules, after the built-in modules (repeatable).
    #[arg(short = 'M', value_name = "DIR")]
    dirs: Vec<PathBuf>,
}

/// One diagnostic, placed in the file it was found in.
#[derive(Debug)]
struct Finding {
    file_index: usize,
    diagnostic: Diagnostic,
}

/// Runs `vigie mib …`.
pub(crate) fn run(args: &MibArgs) -> Exit {
    match &args.command {
        MibCommand::Lint(lint) => run_lint(lint),
    }
}

fn run_lint(args: &LintArgs) -> Exit {
    let mut findings = Vec::new();
    let mut modules = 0_usize;
    for (file_index, file) in args.files.iter().enumerate() {
        // One loader per file: a file's diagnostics must not depend on the other files given.
        let mut loader = Loader::new();
        loader.add_builtin_modules();
        for dir in &args.dirs {
            loader.add_search_path(dir);
        }
        let names = match loader.load_file(file) {
            Ok(names) => names,
            Err(error) => {
                print_load_error(file, &error);
                return Exit::Unusable;
            }
        };
        modules += names.len();
        let mib = loader.build();
        findings.extend(
            mib.diagnostics()
                .iter()
                .filter(|d| names.contains(&d.module))
                .map(|d| Finding {
                    file_index,
                    diagnostic: d.clone(),
                }),
        );
    }
    let (report, errors) = render(&args.files, findings, modules);
    // A closed stdout (`| head`) is no reason to fail the lint.
    let _ = std::io::stdout().lock().write_all(report.as_bytes());
    if errors > 0 {
        Exit::Failure
    } else {
        Exit::Success
    }
}

/// The report: one line per finding, sorted by file then position, then the summary line;
/// returns it with the number of errors.
fn render(files: &[PathBuf], mut findings: Vec<Finding>, modules: usize) -> (String, usize) {
    findings.sort_by_key(|f| (f.file_index, f.diagnostic.line, f.diagnostic.column));
    let mut report = String::new();
    let mut errors = 0_usize;
    let mut warnings = 0_usize;
    for finding in &findings {
        let d = &finding.diagnostic;
        match d.severity {
            Severity::Error => errors += 1,
            Severity::Warning => warnings += 1,
        }
        let file = files
            .get(finding.file_index)
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let _ = writeln!(
            report,
            "{file}:{}:{}: {}[{}]: {}",
            d.line,
            d.column,
            d.severity,
            d.kind.code(),
            d.message
        );
    }
    // The summary keeps one fixed form, plurals included, so scripts can parse it.
    let _ = writeln!(
        report,
        "{errors} errors, {warnings} warnings in {modules} modules"
    );
    (report, errors)
}

fn print_load_error(file: &std::path::Path, error: &Error) {
    match error {
        Error::Io { source, .. } => {
            eprintln!("vigie mib lint: cannot read {}: {source}", file.display());
        }
        other => eprintln!("vigie mib lint: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(file_index: usize, line: u32, severity: Severity) -> Finding {
        Finding {
            file_index,
            diagnostic: Diagnostic {
                module: "M".to_owned(),
                line,
                column: 3,
                severity,
                kind: vigie_mib::DiagnosticKind::UnexpectedCharacter,
                message: "bad".to_owned(),
            },
        }
    }

    #[test]
    fn render_sorts_by_file_then_line_and_counts() {
        let files = [PathBuf::from("a.mib"), PathBuf::from("b.mib")];
        let findings = vec![
            finding(1, 2, Severity::Error),
            finding(0, 9, Severity::Warning),
            finding(0, 4, Severity::Error),
        ];
        let (report, errors) = render(&files, findings, 2);
        let code = vigie_mib::DiagnosticKind::UnexpectedCharacter.code();
        assert_eq!(
            report,
            format!(
                "a.mib:4:3: error[{code}]: bad\na.mib:9:3: warning[{code}]: bad\n\
                 b.mib:2:3: error[{code}]: bad\n2 errors, 1 warnings in 2 modules\n"
            )
        );
        assert_eq!(errors, 2);
    }
}
