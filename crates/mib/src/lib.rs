//! vigie-mib: the MIB compiler.
//!
//! It reads SMIv1 and SMIv2 modules as vendors ship them (RFC 1155/1212/1215, RFC
//! 2578/2579/2580), resolves their IMPORTS over search paths, builds the OID tree, and
//! answers the questions the tools and the manager ask: which OID is `IF-MIB::ifDescr.3`,
//! which object and index is `.1.3.6.1.2.1.2.2.1.2.3`, and what an object's syntax,
//! DISPLAY-HINT, enumerations, ranges, access, status, units and INDEX are.
//!
//! It is tolerant where Net-SNMP and libsmi are (missing imports of well-known names,
//! SMIv1/SMIv2 mixes, underscores and trailing hyphens in names, forward references) and
//! reports every problem as a [`Diagnostic`] with module, line, column and severity, going on
//! after errors so one bad definition does not lose a module.
//!
//! ```no_run
//! let mut loader = vigie_mib::Loader::new();
//! loader.add_search_path("/usr/share/snmp/mibs");
//! loader.load_module("IF-MIB")?;
//! let mib = loader.build();
//! let oid = mib.resolve("IF-MIB::ifDescr.3")?;
//! assert_eq!(mib.name_of(&oid), "IF-MIB::ifDescr.3");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Layers, each usable alone: [`lexer`] (tokens with positions), [`parser`] (modules into
//! a syntax tree), [`Loader`] (files and search paths, the only part touching the file
//! system) and [`MibSet`] (the resolved tree and its lookups).
//!
//! On top of the tree: instance indexes decoded and encoded ([`RowIndex`], RFC 2578 §7.7),
//! OIDs printed and read in Net-SNMP's forms with their indexes broken down
//! ([`MibSet::format_oid`], [`MibSet::resolve`]), values formatted as `snmpwalk` prints
//! them (enumerations, BITS, DISPLAY-HINTs, UNITS: [`MibSet::format_value`],
//! [`format_value`]), the built-in modules compiled into the binary
//! ([`MibSet::builtin`], [`Loader::add_builtin_modules`]), and Net-SNMP's search path
//! and module list rules ([`mib_dirs`], [`mib_modules`]).
//!
//! It does no network I/O and reads no environment variable.
#![cfg_attr(not(test), warn(clippy::indexing_slicing))]

mod builtin;
mod diagnostic;
mod error;
mod format;
mod fxhash;
mod index;
mod instance;
pub mod lexer;
mod loader;
mod lookup;
pub mod parser;
mod paths;
mod report;
mod resolve;
mod tree;

pub use builtin::BUILTIN_MODULES;
pub use diagnostic::{Diagnostic, DiagnosticKind, Pos, Severity};
pub use error::{Error, LookupError};
pub use format::{
    ValueOptions, format_integer_with_hint, format_octets_with_hint, format_value,
    parse_octets_with_hint,
};
pub use index::{IndexEncoding, IndexError, IndexField, IndexValue, RowIndex};
pub use instance::{OidFormat, OidOptions};
pub use loader::Loader;
pub use lookup::Instance;
pub use parser::ast::{Access, DefVal, NamedNumber, Range, SmiVersion, Status};
pub use paths::{DEFAULT_MODULES, ModuleSelection, mib_dirs, mib_modules};
pub use tree::{BaseType, IndexPart, MibSet, Node, NodeId, NodeKind, ObjectType, Syntax};
