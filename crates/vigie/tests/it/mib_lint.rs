//! `vigie mib lint FILE…`: diagnostics as `FILE:LINE:COL: severity[kind]: message`, a summary
//! line, and exit 0 (no error), 1 (errors) or 2 (usage or read error).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A file of the shared MIB corpus, or `None` (with a message) when the corpus is absent.
fn corpus_file(relative: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!("skipped: {} is absent", path.display());
        None
    }
}

fn lint(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .arg("mib")
        .arg("lint")
        .args(args)
        .output();
    match output {
        Ok(output) => output,
        Err(error) => panic!("cannot run vigie: {error}"),
    }
}

fn text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[test]
fn mib_lint_reports_unimported_types_as_warnings() {
    let Some(path) = corpus_file("../../../shared/mibs/corpus/problems/PROBLEM-IMPORTS-MIB.mib")
    else {
        return;
    };
    let file = text(&path);
    let output = lint(&[&file]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.first().copied(),
        Some(
            format!(
                "{file}:40:17: warning[implicit-import]: `Counter64` is used without being \
                 imported (found in the SMI)"
            )
            .as_str()
        ),
        "{stdout}"
    );
    for (line, name) in [
        (48, "Gauge32"),
        (56, "Unsigned32"),
        (64, "TimeTicks"),
        (73, "DisplayString"),
        (82, "TruthValue"),
    ] {
        let prefix = format!("{file}:{line}:17: warning[implicit-import]: `{name}`");
        assert!(
            lines.iter().any(|l| l.starts_with(&prefix)),
            "no `{prefix}` in\n{stdout}"
        );
    }
    assert_eq!(
        lines.last().copied(),
        Some("0 errors, 6 warnings in 1 modules")
    );
    assert_eq!(output.status.code(), Some(0), "warnings only exit 0");
}

#[test]
fn mib_lint_exits_1_on_errors_sorted_by_line() {
    let Some(path) =
        corpus_file("../../../shared/mibs/corpus/problems/PROBLEM-DIAGNOSTICS-MIB.mib")
    else {
        return;
    };
    let file = text(&path);
    let output = lint(&[&file]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let expected = [
        format!(
            "{file}:29:17: error[unknown-type]: type `NonExistentType` is not defined, \
             imported or built in"
        ),
        format!(
            "{file}:56:31: error[unknown-object]: INDEX names `nonExistentIndex`, which is \
             not defined or imported"
        ),
        format!(
            "{file}:80:31: error[unknown-object]: OBJECTS names `totallyBogusObject`, which \
             is not defined or imported"
        ),
        "3 errors, 0 warnings in 1 modules".to_owned(),
    ];
    assert_eq!(stdout.lines().collect::<Vec<_>>(), expected);
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn mib_lint_clean_module_exits_0() {
    let Some(path) = corpus_file("../../../shared/mibs/netsnmp/IF-MIB.txt") else {
        return;
    };
    let output = lint(&[&text(&path)]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout, "0 errors, 0 warnings in 1 modules\n");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn mib_lint_missing_file_exits_2() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let missing = text(&dir.path().join("NO-SUCH-MIB.txt"));
    let output = lint(&[&missing]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!("vigie mib lint: cannot read {missing}: ")),
        "{stderr}"
    );
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn mib_lint_without_files_is_a_usage_error() {
    let output = lint(&[]);
    assert_eq!(output.status.code(), Some(2));
}
