//! `vigie translate`: Net-SNMP's `snmptranslate`, names to OIDs and back.
//!
//! Each operand is read as `snmptranslate` reads it: without `-IR`, a name must start from
//! the top of the tree (`iso.org.dod…`, `.1.3.6…`) or name its module
//! (`SNMPv2-MIB::sysDescr.0`); with `-IR`, a bare name is looked up in every module
//! (`sysDescr.0`). The OID is printed in the `-O` format (`-OS` by default, `-On` numeric,
//! `-Of` full, `-Os` the last name, `-Ou` UCD style); a blank line separates results, and the
//! first operand that does not resolve ends the run with status 2.

use std::io::Write as _;

use vigie_mib::MibSet;

use crate::exit::Exit;
use crate::getopt::{self, Item, Ordering};
use crate::output::{OutputOptions, root_name};
use crate::values::{self, OidTextError};

/// Runs `vigie translate ARGS`.
pub(crate) fn run(args: &[String]) -> Exit {
    let items = match getopt::scan(args, Ordering::Permute, option_takes_argument) {
        Ok(items) => items,
        Err(error) => {
            eprintln!("snmptranslate: {error}");
            return usage();
        }
    };
    let mut output = OutputOptions::default();
    let mut random_access = false;
    let mut modules = None;
    let mut dirs = None;
    let mut operands = Vec::new();
    let mut report = Report::None;
    let mut items = items.into_iter().peekable();
    while let Some(item) = items.next() {
        match item {
            Item::Operand(text) => operands.push(text),
            Item::Long(_) | Item::Short('h', _) => return usage(),
            Item::Short('V', _) => {
                eprintln!("vigie version: {}", env!("CARGO_PKG_VERSION"));
                return Exit::Success;
            }
            Item::Short('m', value) => modules = value,
            Item::Short('M', value) => dirs = value,
            Item::Short('I', value) => {
                for letter in value.unwrap_or_default().chars() {
                    if letter == 'R' {
                        random_access = true;
                    }
                }
            }
            Item::Short('O', value) => {
                let mut next = || match items.next_if(|i| matches!(i, Item::Operand(_))) {
                    Some(Item::Operand(text)) => Some(text),
                    _ => None,
                };
                if let Err(error) = output.apply(&value.unwrap_or_default(), &mut next) {
                    eprintln!("{error}");
                    return usage();
                }
            }
            Item::Short('T', value) => {
                for letter in value.unwrap_or_default().chars() {
                    match letter {
                        'd' => report = Report::Description,
                        'p' => report = Report::Tree,
                        'o' | 'l' | 's' => {}
                        _ => {
                            eprintln!("vigie translate: -T{letter} is not supported yet");
                            return Exit::Failure;
                        }
                    }
                }
            }
            Item::Short(..) => {}
        }
    }
    if operands.is_empty() && report != Report::Tree {
        return usage();
    }
    if report == Report::Description {
        crate::mibs::keep_descriptions();
    }
    crate::mibs::init(modules.as_deref(), dirs.as_deref());
    // With no module loaded, `-Tp` and `-Td` still see the three roots, as snmptranslate's
    // tree always holds them.
    let roots;
    let mib = match crate::mibs::current() {
        Some(mib) => Some(mib),
        None if report != Report::None => {
            roots = MibSet::asn1_roots();
            Some(&roots)
        }
        None => None,
    };
    if report == Report::Tree {
        return tree(mib, &operands, random_access);
    }
    let mut stdout = String::new();
    for (at, text) in operands.iter().enumerate() {
        if at > 0 {
            stdout.push('\n');
        }
        let translated = resolve(mib, text, random_access).map(|arcs| {
            let mut line = format(mib, &arcs, &output);
            if let (Report::Description, Some(mib)) = (report, mib) {
                match mib.description_report(&arcs) {
                    Some(description) => {
                        line.push('\n');
                        line.push_str(description.trim_end_matches('\n'));
                    }
                    // Under no root (`3`, `4.1`) snmptranslate finds no node to describe.
                    None if arcs.first().is_some_and(|&arc| root_name(arc).is_none()) => {
                        line.push_str("\n [TRUNCATED]");
                    }
                    None => {}
                }
            }
            line
        });
        match translated {
            Ok(line) => {
                stdout.push_str(&line);
                stdout.push('\n');
            }
            Err(message) => {
                write_stdout(&stdout);
                eprintln!("{message}");
                // snmptranslate exits 2 when an OID does not resolve.
                return Exit::ErrorInPacket;
            }
        }
    }
    write_stdout(&stdout);
    Exit::Success
}

/// `-Tp`: the tree under each operand, or the whole tree without one.
fn tree(mib: Option<&MibSet>, operands: &[String], random_access: bool) -> Exit {
    let Some(mib) = mib else {
        return Exit::Success;
    };
    if operands.is_empty() {
        write_stdout(&mib.tree_report(&[]).unwrap_or_default());
        return Exit::Success;
    }
    for (at, text) in operands.iter().enumerate() {
        if at > 0 {
            // A blank line between subtrees, as between translations.
            write_stdout("\n");
        }
        match resolve(Some(mib), text, random_access) {
            Ok(arcs) => match mib.tree_report(&arcs) {
                Some(tree) => write_stdout(&tree),
                None => {
                    eprintln!("Unable to find a matching object identifier for \"{text}\"");
                    return Exit::Failure;
                }
            },
            Err(message) => {
                eprintln!("{message}");
                return Exit::ErrorInPacket;
            }
        }
    }
    Exit::Success
}

fn write_stdout(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// The reports of `-T` this command prints besides the translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Report {
    /// Only the translation.
    None,
    /// `-Td`: the full description of the object after its OID.
    Description,
    /// `-Tp`: the tree drawing.
    Tree,
}

/// The arcs of one operand, read as `snmptranslate` reads it; `Err` is the message.
fn resolve(mib: Option<&MibSet>, text: &str, random_access: bool) -> Result<Vec<u32>, String> {
    Ok(match mib {
        Some(mib) => {
            if !random_access && !from_top(text) {
                let first = text.split('.').next().unwrap_or_default();
                let error = OidTextError::SubIdNotFound {
                    name: first.to_owned(),
                };
                return Err(format!("{text}: {error}"));
            }
            match values::parse_named_oid(mib, text) {
                Ok(arcs) => arcs,
                // Net-SNMP's `get_node` says no more than this.
                Err(_) if random_access => {
                    return Err(format!("Unknown object identifier: {text}"));
                }
                Err(error) => return Err(format!("{text}: {error}")),
            }
        }
        None => match values::parse_numeric_oid(text) {
            Ok(arcs) => arcs,
            Err(_) if random_access => return Err(format!("Unknown object identifier: {text}")),
            Err(error) => return Err(format!("{text}: {error}")),
        },
    })
}

/// The arcs in the `-O` format.
fn format(mib: Option<&MibSet>, arcs: &[u32], output: &OutputOptions) -> String {
    match mib {
        Some(mib) => mib.format_arcs(arcs, &output.oid_options()),
        None => crate::output::oid_text(arcs, output.oid_format),
    }
}

/// Whether `read_objid` (no random access) can start reading `text`: a module prefix, a
/// leading dot, a number or a top-level name first.
fn from_top(text: &str) -> bool {
    if text.starts_with('.') {
        return true;
    }
    if let Some((module, _)) = text.split_once("::") {
        if !module.contains(['.', '"', '\'', '[']) {
            return true;
        }
    }
    let first = text.split('.').next().unwrap_or_default();
    first.bytes().all(|b| b.is_ascii_digit())
        || [0, 1, 2]
            .into_iter()
            .filter_map(root_name)
            .any(|name| name == first)
}

fn usage() -> Exit {
    eprint!("{USAGE}");
    Exit::Failure
}

/// snmptranslate's option letters.
fn option_takes_argument(letter: char) -> Option<bool> {
    match letter {
        'h' | 'V' => Some(false),
        'm' | 'M' | 'O' | 'I' | 'T' | 'P' | 'D' | 'L' | 'w' => Some(true),
        _ => None,
    }
}

const USAGE: &str = "\
USAGE: vigie translate [OPTIONS] OID [OID]...

  (Net-SNMP's snmptranslate with the same options and output)

OPTIONS:
  -h\t\t\tdisplay this help message
  -V\t\t\tdisplay package version number
  -m MIB[:...]\t\tload given list of MIBs (ALL loads everything; '' none;
\t\t\t  the default list is vigie's built-in modules, see vigie get -h)
  -M DIR[:...]\t\tlook in given list of directories for MIBs
  -T TRANSOPTS\t\tSet various options controlling report produced:
\t\t\t  d:  print full details of the given OID
\t\t\t  p:  print tree format symbol table
\t\t\t  o, l, s:  accepted (the other reports are not supported yet)
  -O OUTOPTS\t\tToggle various defaults controlling output display:
\t\t\t  b:  do not break OID indexes down
\t\t\t  f:  print full OIDs on output
\t\t\t  n:  print OIDs numerically
\t\t\t  s:  print only last symbolic element of OID
\t\t\t  S:  print MIB module-id plus last element
\t\t\t  u:  print OIDs using UCD-style prefix suppression
\t\t\t  X:  extended index format
  -I INOPTS\t\tToggle various defaults controlling input parsing:
\t\t\t  R:  do random access to OID labels
";

#[cfg(test)]
mod tests {
    use super::*;

    /// One operand, translated as `snmptranslate` prints it; `Err` is the message.
    fn translate(
        mib: Option<&MibSet>,
        text: &str,
        random_access: bool,
        output: &OutputOptions,
    ) -> Result<String, String> {
        resolve(mib, text, random_access).map(|arcs| format(mib, &arcs, output))
    }

    fn options(letters: &str) -> OutputOptions {
        let mut options = OutputOptions::default();
        assert!(options.apply(letters, || None).is_ok());
        options
    }

    #[test]
    fn names_and_numbers_both_ways() {
        let mib = MibSet::builtin();
        let mib = Some(&mib);
        let default = options("S");
        assert_eq!(
            translate(mib, ".1.3.6.1.2.1.1.1.0", false, &default),
            Ok("SNMPv2-MIB::sysDescr.0".to_owned())
        );
        assert_eq!(
            translate(mib, "sysDescr.0", true, &options("n")),
            Ok(".1.3.6.1.2.1.1.1.0".to_owned())
        );
        assert_eq!(
            translate(mib, "iso.org.dod.internet.mgmt", false, &default),
            Ok("SNMPv2-SMI::mgmt".to_owned())
        );
        assert_eq!(
            translate(mib, "ifDescr.3", true, &options("u")),
            Ok("interfaces.ifTable.ifEntry.ifDescr.3".to_owned())
        );
    }

    #[test]
    fn bare_names_need_random_access() {
        let mib = MibSet::builtin();
        assert_eq!(
            translate(Some(&mib), "sysDescr.0", false, &options("S")),
            Err(
                "sysDescr.0: Unknown Object Identifier (Sub-id not found: (top) -> sysDescr)"
                    .to_owned()
            )
        );
        assert_eq!(
            translate(None, "sysDescr", true, &options("S")),
            Err("Unknown object identifier: sysDescr".to_owned())
        );
        assert_eq!(
            translate(None, ".1.3.6.1", false, &options("S")),
            Ok("iso.3.6.1".to_owned())
        );
    }
}
