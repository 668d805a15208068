//! Diagnostics: what the compiler found wrong or doubtful in a module, and where.
//!
//! The compiler never stops at the first problem. It records a [`Diagnostic`] (module, line,
//! column, severity, kind and a message) and goes on, the way Net-SNMP and libsmi do, so one
//! bad definition does not lose the rest of a module.

use core::fmt;

/// One problem found in a module, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The module the problem is in (empty when it lies before any module header).
    pub module: String,
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1, counted in characters.
    pub column: u32,
    /// Whether meaning was lost (error) or only doubtful (warning).
    pub severity: Severity,
    /// What kind of problem this is, for tools and tests.
    pub kind: DiagnosticKind,
    /// A human-readable sentence naming the symbols involved.
    pub message: String,
}

impl Diagnostic {
    /// Builds a diagnostic of `kind` with the severity the kind carries.
    pub(crate) fn new(kind: DiagnosticKind, pos: Pos, message: impl Into<String>) -> Self {
        Self {
            module: String::new(),
            line: pos.line,
            column: pos.column,
            severity: kind.severity(),
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    /// `IF-MIB:12:5: error[unknown-type]: …`, the form `vigie mib lint` prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}[{}]: {}",
            self.module,
            self.line,
            self.column,
            self.severity,
            self.kind.code(),
            self.message
        )
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Something is doubtful or non-standard but the meaning is kept.
    Warning,
    /// Meaning was lost: a definition, a reference or a module could not be used.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Warning => "warning",
            Self::Error => "error",
        })
    }
}

/// The kinds of problems the compiler reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// A character that starts no token.
    UnexpectedCharacter,
    /// A quoted string still open at the end of the file.
    UnterminatedString,
    /// A `'…'` string without an `H` or `B` suffix, or with digits its base does not have.
    InvalidQuotedString,
    /// A hexadecimal string with an odd number of digits (its last octet is ambiguous).
    OddHexString,
    /// A token the grammar does not allow at this place.
    UnexpectedToken,
    /// Types or values nested deeper than the compiler accepts.
    NestingTooDeep,
    /// A number too large for where it is used.
    NumberOutOfRange,
    /// A file with no module definition in it.
    NoModule,
    /// A module whose `END` is missing.
    MissingEnd,
    /// A name whose first letter has the wrong case (values start lower case, types upper case).
    NameCase,
    /// A name with an underscore, a trailing hyphen or two hyphens in a row.
    NameCharacters,
    /// A definition comes before the MODULE-IDENTITY (RFC 2578 §3).
    ModuleIdentityNotFirst,
    /// REVISION clauses not in reverse chronological order (RFC 2578 §5.5).
    RevisionOrder,
    /// LAST-UPDATED names a date that no REVISION clause has.
    LastUpdatedWithoutRevision,
    /// A name defined twice in one module; the first definition is kept.
    DuplicateDefinition,
    /// A module found twice on the search paths; the first one is kept.
    DuplicateModule,
    /// An IMPORTS clause names a module that is on no search path.
    ModuleNotFound,
    /// An IMPORTS clause names a module by a known alias (`SNMPv2-SMI-v1`).
    ModuleAlias,
    /// An imported symbol that the named module neither defines nor imports.
    UnknownImport,
    /// An imported symbol that the named module only imports from elsewhere.
    ImportForwarded,
    /// A well-known symbol used without being imported.
    ImplicitImport,
    /// A local definition with the same name as an import; the local one wins.
    ImportShadowed,
    /// A SYNTAX names a type that is not defined, imported or built in.
    UnknownType,
    /// An OID value whose first component cannot be resolved.
    UnknownParent,
    /// INDEX, AUGMENTS, OBJECTS, VARIABLES, ENTERPRISE or a group names an unknown object.
    UnknownObject,
    /// Definitions that depend on each other in a cycle.
    CyclicDefinition,
    /// An SMIv1 construct (ACCESS, `mandatory`, TRAP-TYPE, `Counter`) in an SMIv2 module.
    Smiv1InSmiv2,
    /// A scalar with MAX-ACCESS read-create (RFC 2578 §7.3: only for columns).
    ScalarReadCreate,
    /// MAX-ACCESS write-only, which SMIv2 no longer has (RFC 2578 §7.3).
    WriteOnly,
    /// A type name instead of an object in an INDEX clause (`INDEX { INTEGER }`).
    IndexBareType,
    /// A not-accessible object in a notification's OBJECTS or an OBJECT-GROUP.
    NotAccessibleReference,
    /// A DEFVAL that does not match the object's syntax.
    DefvalMismatch,
}

impl DiagnosticKind {
    /// The severity this kind always has.
    pub fn severity(self) -> Severity {
        match self {
            Self::UnexpectedCharacter
            | Self::UnterminatedString
            | Self::InvalidQuotedString
            | Self::UnexpectedToken
            | Self::NestingTooDeep
            | Self::NumberOutOfRange
            | Self::NoModule
            | Self::MissingEnd
            | Self::ModuleNotFound
            | Self::UnknownImport
            | Self::UnknownType
            | Self::UnknownParent
            | Self::UnknownObject
            | Self::CyclicDefinition => Severity::Error,
            Self::OddHexString
            | Self::NameCase
            | Self::NameCharacters
            | Self::ModuleIdentityNotFirst
            | Self::RevisionOrder
            | Self::LastUpdatedWithoutRevision
            | Self::DuplicateDefinition
            | Self::DuplicateModule
            | Self::ModuleAlias
            | Self::ImportForwarded
            | Self::ImplicitImport
            | Self::ImportShadowed
            | Self::Smiv1InSmiv2
            | Self::ScalarReadCreate
            | Self::WriteOnly
            | Self::IndexBareType
            | Self::NotAccessibleReference
            | Self::DefvalMismatch => Severity::Warning,
        }
    }

    /// A short stable code, printed in brackets by the linter.
    pub fn code(self) -> &'static str {
        match self {
            Self::UnexpectedCharacter => "unexpected-character",
            Self::UnterminatedString => "unterminated-string",
            Self::InvalidQuotedString => "invalid-quoted-string",
            Self::OddHexString => "odd-hex-string",
            Self::UnexpectedToken => "unexpected-token",
            Self::NestingTooDeep => "nesting-too-deep",
            Self::NumberOutOfRange => "number-out-of-range",
            Self::NoModule => "no-module",
            Self::MissingEnd => "missing-end",
            Self::NameCase => "name-case",
            Self::NameCharacters => "name-characters",
            Self::ModuleIdentityNotFirst => "module-identity-not-first",
            Self::RevisionOrder => "revision-order",
            Self::LastUpdatedWithoutRevision => "last-updated-without-revision",
            Self::DuplicateDefinition => "duplicate-definition",
            Self::DuplicateModule => "duplicate-module",
            Self::ModuleNotFound => "module-not-found",
            Self::ModuleAlias => "module-alias",
            Self::UnknownImport => "unknown-import",
            Self::ImportForwarded => "import-forwarded",
            Self::ImplicitImport => "implicit-import",
            Self::ImportShadowed => "import-shadowed",
            Self::UnknownType => "unknown-type",
            Self::UnknownParent => "unknown-parent",
            Self::UnknownObject => "unknown-object",
            Self::CyclicDefinition => "cyclic-definition",
            Self::Smiv1InSmiv2 => "smiv1-in-smiv2",
            Self::ScalarReadCreate => "scalar-read-create",
            Self::WriteOnly => "write-only",
            Self::IndexBareType => "index-bare-type",
            Self::NotAccessibleReference => "not-accessible-reference",
            Self::DefvalMismatch => "defval-mismatch",
        }
    }
}

impl fmt::Display for DiagnosticKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A position in a source file: line and column, both from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1, in characters.
    pub column: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_module_position_severity_and_code() {
        let mut d = Diagnostic::new(
            DiagnosticKind::UnknownType,
            Pos {
                line: 29,
                column: 17,
            },
            "type `NonExistentType` is not defined",
        );
        d.module = "PROBLEM-DIAGNOSTICS-MIB".to_owned();
        assert_eq!(
            d.to_string(),
            "PROBLEM-DIAGNOSTICS-MIB:29:17: error[unknown-type]: type `NonExistentType` is not defined"
        );
    }

    #[test]
    fn severity_follows_kind() {
        assert_eq!(DiagnosticKind::ImplicitImport.severity(), Severity::Warning);
        assert_eq!(DiagnosticKind::ModuleNotFound.severity(), Severity::Error);
        assert!(Severity::Error > Severity::Warning);
    }
}
