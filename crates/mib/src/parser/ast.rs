//! The syntax tree of a MIB module, as written (RFC 2578, RFC 2579, RFC 2580, RFC 1155,
//! RFC 1212, RFC 1215). Names are not resolved here; `resolve` does that.
//!
//! Free text (DESCRIPTION, REFERENCE, ORGANIZATION, CONTACT-INFO) is parsed and dropped: the
//! compiler keeps facts, not prose.

use crate::diagnostic::{Diagnostic, Pos};

/// One module: `NAME DEFINITIONS ::= BEGIN … END`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    /// The module name.
    pub name: String,
    /// Where the name is.
    pub pos: Pos,
    /// SMIv1 or SMIv2, inferred from the imports and the MODULE-IDENTITY.
    pub version: SmiVersion,
    /// The IMPORTS clause, one entry per `FROM`.
    pub imports: Vec<Import>,
    /// The assignments, in source order.
    pub definitions: Vec<Definition>,
    /// What the lexer and parser found wrong in this module.
    pub diagnostics: Vec<Diagnostic>,
}

/// The SMI language version of a module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SmiVersion {
    /// RFC 1155 / RFC 1212 / RFC 1215.
    V1,
    /// RFC 2578 / RFC 2579 / RFC 2580.
    V2,
}

/// `sym1, sym2 FROM MODULE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The module imported from.
    pub module: String,
    /// Where the module name is.
    pub pos: Pos,
    /// The imported symbols.
    pub symbols: Vec<Ident>,
}

/// A name and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    /// The name.
    pub name: String,
    /// Its position.
    pub pos: Pos,
}

/// One assignment: a name and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    /// The defined name.
    pub name: String,
    /// Where the name is.
    pub pos: Pos,
    /// What is defined.
    pub body: Body,
    /// The DESCRIPTION text as written between the quotes (line breaks and indentation
    /// kept, as `snmptranslate -Td` prints it), when the definition has one.
    pub description: Option<String>,
}

/// What an assignment defines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// `name OBJECT IDENTIFIER ::= { … }`.
    OidValue(OidValue),
    /// MODULE-IDENTITY (RFC 2578 §5).
    ModuleIdentity(ModuleIdentity),
    /// OBJECT-IDENTITY (RFC 2578 §6).
    ObjectIdentity(ObjectIdentity),
    /// OBJECT-TYPE (RFC 2578 §7, RFC 1212).
    ObjectType(Box<ObjectType>),
    /// NOTIFICATION-TYPE (RFC 2578 §8).
    Notification(Notification),
    /// TRAP-TYPE (RFC 1215).
    Trap(Trap),
    /// OBJECT-GROUP or NOTIFICATION-GROUP (RFC 2580 §3, §4).
    Group(Group),
    /// MODULE-COMPLIANCE (RFC 2580 §5), kept for its OID only.
    Compliance(OidValue),
    /// AGENT-CAPABILITIES (RFC 2580 §6), kept for its OID only.
    Capabilities(OidValue),
    /// `Name ::= TEXTUAL-CONVENTION …` (RFC 2579 §3).
    TextualConvention(TextualConvention),
    /// `Name ::= Type`: a type assignment, such as a table entry's SEQUENCE.
    Type(Syntax),
    /// `NAME MACRO ::= BEGIN … END`, skipped.
    Macro,
    /// A value assignment of another type (`maxFoo INTEGER ::= 10`), skipped.
    OtherValue,
}

/// An OBJECT IDENTIFIER value: `{ parent 1 }`, `{ iso org(3) dod(6) 1 }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidValue {
    /// The components, in order.
    pub components: Vec<OidComponent>,
    /// Where the value starts (the `{`).
    pub pos: Pos,
}

/// One component of an OBJECT IDENTIFIER value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OidComponent {
    /// A name that must resolve to a node: `mib-2`.
    Name(Ident),
    /// A bare arc: `31`.
    Number(u32),
    /// A name with its arc, defining the name on the way: `org(3)`.
    NamedNumber(Ident, u32),
}

/// MODULE-IDENTITY clauses the compiler checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleIdentity {
    /// LAST-UPDATED, with its position.
    pub last_updated: Option<(String, Pos)>,
    /// REVISION dates, in source order.
    pub revisions: Vec<(String, Pos)>,
    /// The module's OID.
    pub oid: OidValue,
}

/// OBJECT-IDENTITY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectIdentity {
    /// STATUS.
    pub status: Option<(Status, Pos)>,
    /// The OID.
    pub oid: OidValue,
}

/// OBJECT-TYPE, SMIv1 or SMIv2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectType {
    /// SYNTAX (absent only in broken modules, which get a diagnostic).
    pub syntax: Option<Syntax>,
    /// UNITS.
    pub units: Option<String>,
    /// MAX-ACCESS or ACCESS.
    pub access: Option<AccessClause>,
    /// STATUS.
    pub status: Option<(Status, Pos)>,
    /// INDEX, in order.
    pub index: Vec<IndexItem>,
    /// AUGMENTS.
    pub augments: Option<Ident>,
    /// DEFVAL.
    pub defval: Option<(DefVal, Pos)>,
    /// The OID.
    pub oid: OidValue,
}

/// MAX-ACCESS (SMIv2) or ACCESS (SMIv1), with which keyword was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccessClause {
    /// The access value.
    pub access: Access,
    /// True for SMIv1's `ACCESS`, false for `MAX-ACCESS`.
    pub smiv1_keyword: bool,
    /// Where the keyword is.
    pub pos: Pos,
}

/// MAX-ACCESS values (RFC 2578 §7.3) and SMIv1's `write-only` (RFC 1212).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// `not-accessible`.
    NotAccessible,
    /// `accessible-for-notify`.
    AccessibleForNotify,
    /// `read-only`.
    ReadOnly,
    /// `read-write`.
    ReadWrite,
    /// `read-create`.
    ReadCreate,
    /// `write-only` (SMIv1 only).
    WriteOnly,
}

impl Access {
    /// Parses the keyword as written in a module.
    pub fn from_keyword(word: &str) -> Option<Self> {
        Some(match word {
            "not-accessible" => Self::NotAccessible,
            "accessible-for-notify" => Self::AccessibleForNotify,
            "read-only" => Self::ReadOnly,
            "read-write" => Self::ReadWrite,
            "read-create" => Self::ReadCreate,
            "write-only" => Self::WriteOnly,
            _ => return None,
        })
    }

    /// The keyword, as Net-SNMP prints it.
    pub fn keyword(self) -> &'static str {
        match self {
            Self::NotAccessible => "not-accessible",
            Self::AccessibleForNotify => "accessible-for-notify",
            Self::ReadOnly => "read-only",
            Self::ReadWrite => "read-write",
            Self::ReadCreate => "read-create",
            Self::WriteOnly => "write-only",
        }
    }
}

/// STATUS values of SMIv2 (RFC 2578 §7.4) and SMIv1 (RFC 1212).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `current`.
    Current,
    /// `deprecated`.
    Deprecated,
    /// `obsolete`.
    Obsolete,
    /// `mandatory` (SMIv1).
    Mandatory,
    /// `optional` (SMIv1).
    Optional,
}

impl Status {
    /// Parses the keyword as written in a module.
    pub fn from_keyword(word: &str) -> Option<Self> {
        Some(match word {
            "current" => Self::Current,
            "deprecated" => Self::Deprecated,
            "obsolete" => Self::Obsolete,
            "mandatory" => Self::Mandatory,
            "optional" => Self::Optional,
            _ => return None,
        })
    }

    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Self::Current => "current",
            Self::Deprecated => "deprecated",
            Self::Obsolete => "obsolete",
            Self::Mandatory => "mandatory",
            Self::Optional => "optional",
        }
    }
}

/// One INDEX element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexItem {
    /// The index object (or, in broken modules, a type name such as `INTEGER`).
    pub name: Ident,
    /// `IMPLIED` (RFC 2578 §7.7): the last variable-length index carries no length.
    pub implied: bool,
}

/// A DEFVAL value (RFC 2578 §7.9), as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefVal {
    /// A number.
    Integer(i128),
    /// A quoted string.
    String(String),
    /// `'…'H` digits.
    Hex(String),
    /// `'…'B` digits.
    Binary(String),
    /// A name: an enumeration label or an OID value's name.
    Name(String),
    /// `{ a, b }`: the set bits of a BITS value (possibly empty).
    Bits(Vec<String>),
    /// Anything else (an OID written as `{ 1 3 6 }`, say), kept unparsed.
    Other,
}

/// NOTIFICATION-TYPE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// OBJECTS.
    pub objects: Vec<Ident>,
    /// STATUS.
    pub status: Option<(Status, Pos)>,
    /// The OID.
    pub oid: OidValue,
}

/// TRAP-TYPE (RFC 1215).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trap {
    /// ENTERPRISE.
    pub enterprise: Ident,
    /// VARIABLES.
    pub variables: Vec<Ident>,
    /// The specific-trap number.
    pub number: u32,
}

/// OBJECT-GROUP or NOTIFICATION-GROUP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Which macro.
    pub kind: GroupKind,
    /// OBJECTS or NOTIFICATIONS.
    pub members: Vec<Ident>,
    /// STATUS.
    pub status: Option<(Status, Pos)>,
    /// The OID.
    pub oid: OidValue,
}

/// The two group macros of RFC 2580.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupKind {
    /// OBJECT-GROUP.
    Objects,
    /// NOTIFICATION-GROUP.
    Notifications,
}

/// TEXTUAL-CONVENTION (RFC 2579 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextualConvention {
    /// DISPLAY-HINT.
    pub hint: Option<String>,
    /// STATUS.
    pub status: Option<(Status, Pos)>,
    /// SYNTAX.
    pub syntax: Syntax,
}

/// A type, as written after SYNTAX or `::=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Syntax {
    /// What type.
    pub kind: SyntaxKind,
    /// Where it starts.
    pub pos: Pos,
}

/// The shapes a type can take in SMI modules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxKind {
    /// `INTEGER`, with enumerations or a range.
    Integer {
        /// `{ up(1), down(2) }`.
        enums: Vec<NamedNumber>,
        /// `(0..100)`.
        constraint: Option<Constraint>,
    },
    /// `OCTET STRING`, with a size.
    OctetString(Option<Constraint>),
    /// `OBJECT IDENTIFIER`.
    ObjectIdentifier,
    /// `BITS { a(0), b(1) }`.
    Bits(Vec<NamedNumber>),
    /// A named type (`Integer32`, `DisplayString`), maybe refined.
    Named {
        /// The name as written.
        name: Ident,
        /// A refined enumeration (`RowStatus { active(1) }`).
        enums: Vec<NamedNumber>,
        /// A refined range or size.
        constraint: Option<Constraint>,
    },
    /// `SEQUENCE OF Entry`.
    SequenceOf(Ident),
    /// `SEQUENCE { col Type, … }`.
    Sequence(Vec<(Ident, Syntax)>),
    /// `CHOICE { alt Type, … }` (the SMI modules' `ObjectSyntax`).
    Choice(Vec<(Ident, Syntax)>),
    /// `[APPLICATION n] IMPLICIT Type` (the SMI modules' application types).
    Tagged {
        /// The tag number.
        number: u32,
        /// The tagged type.
        inner: Box<Syntax>,
    },
    /// `NULL`.
    Null,
}

/// `name(value)` in an enumeration or a BITS list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedNumber {
    /// The label.
    pub name: String,
    /// The value (or bit position).
    pub value: i64,
}

/// A subtype constraint (RFC 2578 §9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Constraint {
    /// `(0..100 | 200)`.
    Range(Vec<Range>),
    /// `(SIZE (0..255))`.
    Size(Vec<Range>),
}

/// One range of a constraint; a single value has `low == high`.
///
/// `MIN` is stored as `i128::MIN` and `MAX` as `i128::MAX`: the bounds of the type itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Range {
    /// Lower bound.
    pub low: i128,
    /// Upper bound.
    pub high: i128,
}
