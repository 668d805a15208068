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
//! It does not do network I/O, and it does not yet decode instance indexes into values,
//! format values with DISPLAY-HINTs, or carry built-in modules; those come next.
#![cfg_attr(not(test), warn(clippy::indexing_slicing))]

mod builtin;
mod diagnostic;
mod error;
pub mod lexer;
mod loader;
mod lookup;
pub mod parser;
mod resolve;
mod tree;

pub use diagnostic::{Diagnostic, DiagnosticKind, Pos, Severity};
pub use error::{Error, LookupError};
pub use loader::Loader;
pub use lookup::Instance;
pub use parser::ast::{Access, DefVal, NamedNumber, Range, SmiVersion, Status};
pub use tree::{BaseType, IndexPart, MibSet, Node, NodeId, NodeKind, ObjectType, Syntax};
