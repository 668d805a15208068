//! Every file of the corpus loads; Net-SNMP's standard set loads without errors.

use std::path::Path;

use vigie_mib::parser::ast::Body;
use vigie_mib::{DiagnosticKind, Loader, Severity};

use crate::{corpus_dirs, files_under, netsnmp, shared_mibs};

/// Kinds that mean the parser could not read part of a file.
const SYNTAX_KINDS: &[DiagnosticKind] = &[
    DiagnosticKind::UnexpectedCharacter,
    DiagnosticKind::UnterminatedString,
    DiagnosticKind::InvalidQuotedString,
    DiagnosticKind::UnexpectedToken,
    DiagnosticKind::NestingTooDeep,
    DiagnosticKind::NumberOutOfRange,
    DiagnosticKind::MissingEnd,
    DiagnosticKind::NoModule,
];

#[test]
fn netsnmp_standard_set_loads_without_errors() {
    let Some(mib) = netsnmp("netsnmp_standard_set_loads_without_errors") else {
        return;
    };
    let errors: Vec<String> = mib
        .diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(ToString::to_string)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let dir = shared_mibs("netsnmp").unwrap().join("netsnmp");
    for file in files_under(&dir) {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            mib.module_path(&stem),
            Some(file.as_path()),
            "module {stem} loaded from its file"
        );
    }
    assert!(mib.module_names().count() >= 78);
    assert!(mib.len() > 3000, "{} nodes", mib.len());
}

#[test]
fn every_file_of_netsnmp_and_the_corpus_loads_on_its_own() {
    let Some(root) = shared_mibs("every_file_of_netsnmp_and_the_corpus_loads_on_its_own") else {
        return;
    };
    let mut search = corpus_dirs(&root);
    search.push(root.join("netsnmp"));
    let mut files = files_under(&root.join("netsnmp"));
    files.extend(files_under(&root.join("corpus")));
    let mut checked = 0;
    for file in files {
        if !looks_like_a_mib(&file) {
            continue;
        }
        checked += 1;
        let mut loader = Loader::new();
        // The file's own directory first, as a tool given `-M dir` and this file would.
        loader.add_search_path(file.parent().unwrap());
        for dir in &search {
            loader.add_search_path(dir);
        }
        let names = loader
            .load_file(&file)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(!names.is_empty());
        let mib = loader.build();
        for name in &names {
            let syntax_errors: Vec<String> = mib
                .diagnostics()
                .iter()
                .filter(|d| d.module == *name && SYNTAX_KINDS.contains(&d.kind))
                .map(ToString::to_string)
                .collect();
            assert!(
                syntax_errors.is_empty(),
                "{}: {syntax_errors:#?}",
                file.display()
            );
        }
        assert_every_definition_resolves_or_is_explained(&file, &mib, &names);
    }
    assert!(checked > 200, "only {checked} MIB files found");
}

/// A definition that did not get a node is acceptable only in a module with an error.
fn assert_every_definition_resolves_or_is_explained(
    file: &Path,
    mib: &vigie_mib::MibSet,
    names: &[String],
) {
    let text = std::fs::read(file).expect("the file loaded a moment ago");
    let parsed = vigie_mib::parser::parse(&vigie_mib::lexer::decode(&text));
    for module in parsed.modules.iter().filter(|m| names.contains(&m.name)) {
        let has_error = mib
            .diagnostics()
            .iter()
            .any(|d| d.module == module.name && d.severity == Severity::Error);
        let unresolved: Vec<&str> = module
            .definitions
            .iter()
            .filter(|d| {
                !matches!(
                    d.body,
                    Body::Type(_) | Body::TextualConvention(_) | Body::Macro | Body::OtherValue
                )
            })
            .filter(|d| mib.find(&format!("{}::{}", module.name, d.name)).is_none())
            .map(|d| d.name.as_str())
            .collect();
        assert!(
            unresolved.is_empty() || has_error,
            "{}: {unresolved:?} unresolved without an error",
            file.display()
        );
    }
}

/// A file holding `DEFINITIONS` is a MIB file; licences and notes are not.
fn looks_like_a_mib(file: &Path) -> bool {
    std::fs::read(file)
        .map(|bytes| bytes.windows(11).any(|w| w == b"DEFINITIONS"))
        .unwrap_or(false)
}
