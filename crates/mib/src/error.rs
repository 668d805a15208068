//! Errors of the MIB compiler's API.
//!
//! Problems inside modules are not errors: they are [`crate::Diagnostic`]s, and loading goes
//! on. These errors are for what the caller asked and could not get.

use std::path::PathBuf;

use vigie_snmp::OidError;

/// Loading failed for a module or file the caller named.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No file on the search paths holds this module.
    #[error("MIB module {0} is not on the search paths")]
    ModuleNotFound(String),
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file holds no `NAME DEFINITIONS ::= BEGIN` module.
    #[error("{} holds no MIB module", .0.display())]
    NoModule(PathBuf),
}

/// A name or OID given to a lookup could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// The input was empty.
    #[error("empty object name")]
    Empty,
    /// `MODULE::` names a module that is not loaded.
    #[error("module {0} is not loaded")]
    UnknownModule(String),
    /// A name no loaded module defines (or, after `MODULE::`, that module does not define).
    #[error("unknown object name {0}")]
    UnknownName(String),
    /// A sub-identifier that is neither a number below 2^32 nor a known child name.
    #[error("invalid sub-identifier {0}")]
    InvalidArc(String),
    /// The arcs do not make an SNMP OID (fewer than two, more than 128).
    #[error(transparent)]
    Oid(#[from] OidError),
    /// An index value written after the object's name does not fit the row's INDEX.
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
}
