//! The generator of `generated.rs`: compiles the built-in modules from
//! `../shared/mibs/netsnmp` with vigie's own compiler and writes their facts as Rust.
//!
//! Run `cargo test -p vigie-mib --lib -- --ignored regen` to rewrite the file; the test
//! `generated_file_is_up_to_date` fails when it is stale.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::lexer::{TokenKind, decode, tokenize};
use crate::loader::Loader;
use crate::parser::ast::DefVal;
use crate::tree::{MibSet, Origin, Syntax};

use super::{BUILTIN_MODULES, ORIGIN_ASN1, ORIGIN_ROOTS};

/// The directory the built-in modules are compiled from.
pub(super) fn source_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/mibs/netsnmp")
}

/// The path of the generated file.
pub(super) fn generated_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/builtin/generated.rs")
}

/// The text of `generated.rs` for the modules in `dir`.
pub(super) fn generate(dir: &std::path::Path) -> String {
    let mut loader = Loader::new();
    loader.add_search_path(dir);
    for name in BUILTIN_MODULES {
        loader
            .load_module(name)
            .unwrap_or_else(|e| panic!("built-in module {name}: {e}"));
    }
    let mib = loader.build();
    let mut out = String::new();
    out.push_str(HEADER);
    write_sources(&mut out, &mib);
    write_tables(&mut out, &mib);
    out
}

/// Each module's text without comments and free text (DESCRIPTION, REFERENCE,
/// ORGANIZATION, CONTACT-INFO become `""`), for loaders that combine the built-ins with
/// modules from files.
fn write_sources(out: &mut String, mib: &MibSet) {
    out.push_str("/// Each built-in module's definitions, free text removed, in load order.\n");
    out.push_str("pub(super) const SOURCES: &[(&str, &str)] = &[\n");
    for module in &mib.modules {
        let path = mib
            .module_path(&module.name)
            .unwrap_or_else(|| panic!("{} came from a file", module.name));
        let bytes = std::fs::read(path).expect("built-in module files are readable");
        let text = strip(&decode(&bytes));
        assert!(
            !text.contains("\"#"),
            "{} holds a raw-string terminator",
            module.name
        );
        let _ = writeln!(
            out,
            "    (\n        {:?},\n        r#\"{text}\"#,\n    ),",
            module.name
        );
    }
    out.push_str("];\n\n");
}

/// The tokens of `text` separated by single spaces, one definition per line, comments
/// dropped and free text emptied.
pub(super) fn strip(text: &str) -> String {
    let (tokens, _) = tokenize(text);
    let mut out = String::new();
    let mut previous = TokenKind::Eof;
    let mut previous_text = "";
    let mut line = 0;
    for token in &tokens {
        let piece = match token.kind {
            TokenKind::Eof => break,
            TokenKind::String
                if previous == TokenKind::Identifier && FREE_TEXT.contains(&previous_text) =>
            {
                "\"\"".to_owned()
            }
            TokenKind::String => format!("\"{}\"", token.text),
            TokenKind::HexString => format!("'{}'H", token.text),
            TokenKind::BinaryString => format!("'{}'B", token.text),
            _ => token.text.to_owned(),
        };
        if !out.is_empty() {
            // The source's line breaks, without its indentation, keep the text readable.
            out.push(if token.pos.line == line { ' ' } else { '\n' });
        }
        out.push_str(&piece);
        previous = token.kind;
        previous_text = token.text;
        line = token.pos.line;
    }
    out.push('\n');
    out
}

fn write_tables(out: &mut String, mib: &MibSet) {
    out.push_str("/// (name, SMI version, symbols as (name, node)), in load order.\n");
    out.push_str("pub(super) const MODULES: &[ModuleRow] = &[\n");
    for module in &mib.modules {
        let mut symbols: Vec<(&String, &crate::tree::NodeId)> = module.symbols.iter().collect();
        symbols.sort();
        let list: Vec<String> = symbols
            .iter()
            .map(|(n, id)| format!("({n:?}, {})", id.index()))
            .collect();
        let _ = writeln!(
            out,
            "    ({:?}, SmiVersion::{:?}, &[{}]),",
            module.name,
            module.version,
            list.join(", ")
        );
    }
    out.push_str("];\n\n");

    out.push_str(
        "/// (arc, parent, children, labels as (name, origin, kind, object)), by node id.\n",
    );
    out.push_str("pub(super) const NODES: &[NodeRow] = &[\n");
    for node in &mib.nodes {
        let children: Vec<String> = node
            .children
            .iter()
            .map(|c| c.index().to_string())
            .collect();
        let labels: Vec<String> = node
            .labels
            .iter()
            .map(|l| {
                let origin = match l.origin {
                    Origin::Asn1 => ORIGIN_ASN1,
                    Origin::Builtin(_) => ORIGIN_ROOTS,
                    Origin::Module(m) => u16::try_from(m).expect("fewer than 65,534 modules"),
                };
                format!(
                    "({:?}, {origin}, NodeKind::{:?}, {})",
                    l.name,
                    l.kind,
                    option(l.object.map(|o| o.to_string()))
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "    ({}, {}, &[{}], &[{}]),",
            node.arc,
            node.parent.index(),
            children.join(", "),
            labels.join(", ")
        );
    }
    out.push_str("];\n\n");

    let mut syntaxes: Vec<&Syntax> = Vec::new();
    let mut syntax_of = Vec::new();
    for object in &mib.objects {
        syntax_of.push(object.syntax.as_ref().map(|s| {
            syntaxes.iter().position(|x| *x == s).unwrap_or_else(|| {
                syntaxes.push(s);
                syntaxes.len() - 1
            })
        }));
    }
    out.push_str("/// Resolved syntaxes, shared by the objects.\n");
    out.push_str("pub(super) const SYNTAXES: &[SyntaxRow] = &[\n");
    for s in &syntaxes {
        let named = |list: &[crate::parser::ast::NamedNumber]| {
            list.iter()
                .map(|n| format!("({:?}, {})", n.name, n.value))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let ranges = |list: &[crate::parser::ast::Range]| {
            list.iter()
                .map(|r| format!("({}, {})", bound(r.low), bound(r.high)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            out,
            "    (BaseType::{:?}, {}, {}, {}, &[{}], &[{}], &[{}], &[{}], {}),",
            s.base,
            option(s.type_name.as_ref().map(|t| format!("{t:?}"))),
            option(s.textual_convention.as_ref().map(|t| format!("{t:?}"))),
            option(s.hint.as_ref().map(|t| format!("{t:?}"))),
            named(&s.enums),
            named(&s.bits),
            ranges(&s.ranges),
            ranges(&s.sizes),
            option(s.entry.as_ref().map(|t| format!("{t:?}"))),
        );
    }
    out.push_str("];\n\n");

    out.push_str(
        "/// (syntax, access, status, units, index as (name, node, implied), augments, defval).\n",
    );
    out.push_str("pub(super) const OBJECTS: &[ObjectRow] = &[\n");
    for (object, syntax) in mib.objects.iter().zip(&syntax_of) {
        let index: Vec<String> = object
            .index
            .iter()
            .map(|p| {
                format!(
                    "({:?}, {}, {})",
                    p.name,
                    option(p.node.map(|n| n.index().to_string())),
                    p.implied
                )
            })
            .collect();
        let defval = match &object.defval {
            None => "None".to_owned(),
            Some(DefVal::Integer(v)) => format!("Some(D::Integer({v}))"),
            Some(DefVal::String(v)) => format!("Some(D::String({v:?}))"),
            Some(DefVal::Hex(v)) => format!("Some(D::Hex({v:?}))"),
            Some(DefVal::Binary(v)) => format!("Some(D::Binary({v:?}))"),
            Some(DefVal::Name(v)) => format!("Some(D::Name({v:?}))"),
            Some(DefVal::Bits(v)) => format!("Some(D::Bits(&{v:?}))"),
            Some(DefVal::Other) => "Some(D::Other)".to_owned(),
        };
        let _ = writeln!(
            out,
            "    ({}, {}, {}, {}, &[{}], {}, {}),",
            option(syntax.map(|s| s.to_string())),
            option(object.access.map(|a| format!("Access::{a:?}"))),
            option(object.status.map(|s| format!("Status::{s:?}"))),
            option(object.units.as_ref().map(|u| format!("{u:?}"))),
            index.join(", "),
            option(object.augments.map(|n| n.index().to_string())),
            defval,
        );
    }
    out.push_str("];\n\n");

    out.push_str("/// Every label, to its nodes in definition order.\n");
    out.push_str("pub(super) const BY_NAME: &[(&str, &[u32])] = &[\n");
    let mut names: Vec<(&String, &Vec<crate::tree::NodeId>)> = mib.by_name.iter().collect();
    names.sort();
    for (name, nodes) in names {
        let ids: Vec<String> = nodes.iter().map(|n| n.index().to_string()).collect();
        let _ = writeln!(out, "    ({name:?}, &[{}]),", ids.join(", "));
    }
    out.push_str("];\n");
}

fn option(value: Option<String>) -> String {
    value.map_or_else(|| "None".to_owned(), |v| format!("Some({v})"))
}

/// A range bound; `MIN` and `MAX` are the extremes of `i128`.
fn bound(value: i128) -> String {
    match value {
        i128::MIN => "i128::MIN".to_owned(),
        i128::MAX => "i128::MAX".to_owned(),
        v => v.to_string(),
    }
}

/// Clauses whose quoted text is prose, not facts.
const FREE_TEXT: &[&str] = &["DESCRIPTION", "REFERENCE", "ORGANIZATION", "CONTACT-INFO"];

const HEADER: &str = "\
// @generated by vigie-mib's generator from ../shared/mibs/netsnmp. DO NOT EDIT.
// Regenerate with: cargo test -p vigie-mib --lib -- --ignored regen
//
// The facts of vigie's built-in MIB modules (names, OIDs, syntaxes, hints, enumerations,
// indexes, units, access), no description text.

#![allow(clippy::all, clippy::pedantic, clippy::unreadable_literal)]

use crate::parser::ast::{Access, SmiVersion, Status};
use crate::tree::{BaseType, NodeKind};

use super::{D, ModuleRow, NodeRow, ObjectRow, SyntaxRow};

";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_file_is_up_to_date() {
        let dir = source_dir();
        if !dir.is_dir() {
            eprintln!("skipping: {} is absent", dir.display());
            return;
        }
        let current = std::fs::read_to_string(generated_path()).expect("generated.rs exists");
        assert!(
            current == generate(&dir),
            "src/builtin/generated.rs is stale: run cargo test -p vigie-mib --lib -- --ignored regen"
        );
    }

    #[test]
    #[ignore = "rewrites src/builtin/generated.rs"]
    fn regen() {
        std::fs::write(generated_path(), generate(&source_dir()))
            .expect("generated.rs is writable");
    }

    /// Everything a set knows, node ids replaced by arcs, as text.
    fn fingerprint(mib: &MibSet) -> String {
        let arcs = |id: crate::tree::NodeId| mib.node(id).map(|n| n.arcs());
        let mut out = String::new();
        let mut stack = vec![mib.root()];
        while let Some(node) = stack.pop() {
            let _ = write!(out, "{:?} {:?}", node.arcs(), node.kind());
            for (module, name) in node.definitions() {
                let _ = write!(out, " {module:?}::{name}");
            }
            if let Some(o) = node.object() {
                let index: Vec<_> = o
                    .index
                    .iter()
                    .map(|p| (p.name.clone(), p.node.and_then(arcs), p.implied))
                    .collect();
                let _ = write!(
                    out,
                    " {:?} {:?} {:?} {:?} {index:?} {:?} {:?}",
                    o.syntax,
                    o.access,
                    o.status,
                    o.units,
                    o.augments.and_then(arcs),
                    o.defval
                );
            }
            out.push('\n');
            let mut children: Vec<_> = node.children().collect();
            children.reverse();
            stack.extend(children);
        }
        for module in &mib.modules {
            let mut symbols: Vec<_> = module
                .symbols
                .iter()
                .map(|(name, &id)| (name.clone(), arcs(id)))
                .collect();
            symbols.sort();
            let _ = writeln!(out, "{} {:?} {symbols:?}", module.name, module.version);
        }
        let mut names: Vec<_> = mib
            .by_name
            .iter()
            .map(|(name, ids)| {
                (
                    name.clone(),
                    ids.iter().map(|&i| arcs(i)).collect::<Vec<_>>(),
                )
            })
            .collect();
        names.sort();
        let _ = writeln!(out, "{names:?}");
        out
    }

    fn from_files() -> Option<MibSet> {
        let dir = source_dir();
        if !dir.is_dir() {
            eprintln!("skipping: {} is absent", dir.display());
            return None;
        }
        let mut loader = Loader::new();
        loader.add_search_path(dir);
        for name in BUILTIN_MODULES {
            loader.load_module(name).expect("built-in modules load");
        }
        Some(loader.build())
    }

    #[test]
    fn builtin_set_equals_the_modules_compiled_from_files() {
        let Some(files) = from_files() else {
            return;
        };
        let builtin = MibSet::builtin();
        assert!(builtin.len() > 900, "{} nodes", builtin.len());
        assert_eq!(fingerprint(&builtin), fingerprint(&files));
        assert!(builtin.diagnostics().is_empty());
    }

    #[test]
    fn builtin_sources_compile_to_the_builtin_set() {
        let mut loader = Loader::new();
        loader.load_builtin();
        let mib = loader.build();
        assert!(mib.diagnostics().is_empty(), "{:#?}", mib.diagnostics());
        assert_eq!(fingerprint(&mib), fingerprint(&MibSet::builtin()));
    }

    #[test]
    fn builtin_modules_combine_with_modules_from_a_directory() {
        let Some(_) = from_files() else {
            return;
        };
        // A directory holding only EtherLike-MIB, which imports IF-MIB and SNMPv2-*.
        let dir = std::env::temp_dir().join(format!("vigie-mib-builtin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        std::fs::copy(
            source_dir().join("EtherLike-MIB.txt"),
            dir.join("EtherLike-MIB.txt"),
        )
        .expect("EtherLike-MIB copied");
        let mut loader = Loader::new();
        loader.add_builtin_modules().add_search_path(&dir);
        loader.load_builtin();
        let loaded = loader.load_module("EtherLike-MIB");
        let mib = loader.build();
        let _ = std::fs::remove_dir_all(&dir);
        loaded.expect("EtherLike-MIB loads on top of the built-ins");
        assert!(
            mib.diagnostics()
                .iter()
                .all(|d| d.severity == crate::Severity::Warning)
        );
        let oid = mib
            .resolve("EtherLike-MIB::dot3StatsDuplexStatus.2")
            .expect("resolves");
        assert_eq!(mib.name_of(&oid), "EtherLike-MIB::dot3StatsDuplexStatus.2");
        // Its INDEX object comes from the built-in IF-MIB... through dot3StatsIndex.
        let row = mib
            .row_index(mib.find("dot3StatsDuplexStatus").expect("known").id())
            .expect("dot3StatsEntry has an INDEX");
        assert_eq!(row.fields[0].name, "dot3StatsIndex");
        assert_eq!(
            mib.resolve("IF-MIB::ifDescr.1")
                .map(|o| mib.name_of(&o))
                .as_deref(),
            Ok("IF-MIB::ifDescr.1")
        );
        // Without the built-ins, the directory alone cannot resolve EtherLike-MIB's imports.
        let mut alone = Loader::new();
        alone.add_search_path(source_dir().join("does-not-exist"));
        assert!(alone.load_module("IF-MIB").is_err());
    }

    #[test]
    fn stripping_keeps_tokens_and_drops_prose() {
        let text = "M DEFINITIONS ::= BEGIN -- a comment\nx OBJECT-TYPE SYNTAX INTEGER\n\
                    UNITS \"s\" DESCRIPTION \"long \"\"prose\"\"\" DEFVAL { 'ff'H } ::= { y 1 }\nEND\n";
        assert_eq!(
            strip(text),
            "M DEFINITIONS ::= BEGIN\nx OBJECT-TYPE SYNTAX INTEGER\nUNITS \"s\" DESCRIPTION \"\" \
             DEFVAL { 'ff'H } ::= { y 1 }\nEND\n"
        );
    }
}
