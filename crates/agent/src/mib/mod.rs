//! The MIB handler trait and the helpers that implement it for scalar groups and tables.
//!
//! A [`Mib`] owns one subtree of the OID tree (its [`root`](Mib::root)); the agent's
//! [`Registry`](crate::Registry) holds non-overlapping handlers sorted by root and walks from
//! one to the next in lexicographic order, so a handler only answers for its own subtree.
//!
//! Most groups need not implement [`Mib`] by hand:
//! - [`ScalarGroup`] serves a sorted list of scalars `root.arc.0` from closures;
//! - [`Table`] serves a conceptual table (RFC 2578 §7.1.12) from a [`TableSource`] that lists
//!   rows on demand, with a short cache so that a walk sees one consistent snapshot.

pub mod host_resources;
pub mod index;
pub mod interfaces;
mod scalar;
mod table;

use std::net::SocketAddr;
use std::time::Instant;

use vigie_snmp::{ErrorStatus, Oid, Value, VarBind, Version};

pub use scalar::{Scalar, ScalarGroup, check_display_string};
pub use table::{DEFAULT_TTL, Row, Table, TableSource};

/// A MIB subtree served by the agent.
///
/// The contract, which the [`Registry`](crate::Registry) relies on:
/// - [`root`](Self::root) is constant for the handler's lifetime, and no other registered
///   handler's root is inside it or contains it;
/// - [`get`](Self::get) is called only with OIDs inside `root` (or equal to it), and returns
///   the instance's value, or `NoSuchObject` when the OID names no object type this handler
///   implements, or `NoSuchInstance` when the object type exists but not this instance
///   (RFC 3416 §4.2.1). It never returns `EndOfMibView`;
/// - [`get_next`](Self::get_next) returns the first instance whose OID is strictly greater
///   than `oid` and inside `root`, with its value (never an exception), or `None` when this
///   subtree holds nothing after `oid`. `oid` may be anywhere, also before `root`;
/// - SET runs in the phases of RFC 3416 §4.2.5, each varbind of one request being inside this
///   handler's root: [`test_set`](Self::test_set) for every varbind of the request (no side
///   effect), then, only if all of them passed, [`commit_set`](Self::commit_set) for each
///   varbind in order, which returns the previous value; if one commit fails, the registry
///   calls [`undo_set`](Self::undo_set) with that previous value for every varbind already
///   committed, in reverse order. A created row's previous value is `NoSuchInstance`, and its
///   undo removes it. The defaults answer `notWritable`, as Net-SNMP does for read-only
///   and unknown objects alike.
///
/// Handlers are shared by the agent's tasks, hence `Send + Sync` and `&self` everywhere: keep
/// mutable state behind a `Mutex` or atomics.
pub trait Mib: Send + Sync {
    /// The subtree this handler owns.
    fn root(&self) -> &Oid;

    /// The value of the instance `oid`, or `NoSuchObject`/`NoSuchInstance`.
    fn get(&self, ctx: &RequestCtx, oid: &Oid) -> Value;

    /// The first instance strictly after `oid` inside [`root`](Self::root).
    fn get_next(&self, ctx: &RequestCtx, oid: &Oid) -> Option<VarBind>;

    /// [`get`](Self::get) for handlers whose answer can fail as a whole, such as a proxied
    /// agent that does not answer: `Err` is the error-status of the whole Response
    /// (RFC 3416 §4.2.1: genErr, with the failed varbind's index), as Net-SNMP answers a
    /// proxy or AgentX timeout. The default never fails.
    fn try_get(&self, ctx: &RequestCtx, oid: &Oid) -> Result<Value, ErrorStatus> {
        Ok(self.get(ctx, oid))
    }

    /// Checks that `varbind` could be set, without changing anything (RFC 3416 §4.2.5 first
    /// phase).
    fn test_set(&self, ctx: &RequestCtx, varbind: &VarBind) -> Result<(), SetError> {
        // Net-SNMP answers notWritable for read-only objects and for objects it does not
        // implement alike; RFC 3416 §4.2.5 steps 2–3 allow both noCreation and notWritable.
        let _ = (ctx, varbind);
        Err(SetError::NotWritable)
    }

    /// Sets `varbind` (second phase) and returns the value it replaces, `NoSuchInstance` when
    /// it created the instance.
    fn commit_set(&self, ctx: &RequestCtx, varbind: &VarBind) -> Result<Value, SetError> {
        let _ = (ctx, varbind);
        Err(SetError::CommitFailed)
    }

    /// Puts back `previous`, the value [`commit_set`](Self::commit_set) returned for `name`.
    fn undo_set(&self, ctx: &RequestCtx, name: &Oid, previous: &Value) -> Result<(), SetError> {
        let _ = (ctx, name, previous);
        Err(SetError::UndoFailed)
    }
}

/// What a handler knows of the request it serves.
#[derive(Debug, Clone)]
pub struct RequestCtx {
    /// When the request is processed: caches and uptimes compare against it.
    pub now: Instant,
    /// The message's version; v1 requests never see Counter64 values (RFC 3584 §4.2.2.1).
    pub version: Version,
    /// The manager's address.
    pub from: SocketAddr,
}

/// Why a varbind cannot be set, with the error-status each reason is answered with
/// (RFC 3416 §4.2.5). The v1 statuses derive from these
/// (`vigie_snmp::translate::error_status_to_v1`, RFC 3584 §4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum SetError {
    /// noAccess(6): the variable is not accessible for writing in the request's view.
    #[error("noAccess")]
    NoAccess,
    /// wrongType(7): the value's type is not the object's.
    #[error("wrongType")]
    WrongType,
    /// wrongLength(8): the value's length is out of the object's range.
    #[error("wrongLength")]
    WrongLength,
    /// wrongEncoding(9): the value is not well encoded for the object's type.
    #[error("wrongEncoding")]
    WrongEncoding,
    /// wrongValue(10): the value cannot be assigned under any circumstance.
    #[error("wrongValue")]
    WrongValue,
    /// noCreation(11): the instance does not exist and cannot be created.
    #[error("noCreation")]
    NoCreation,
    /// inconsistentValue(12): the value cannot be assigned now (it could be at another time).
    #[error("inconsistentValue")]
    InconsistentValue,
    /// resourceUnavailable(13): a resource needed for the assignment is missing.
    #[error("resourceUnavailable")]
    ResourceUnavailable,
    /// commitFailed(14): the assignment failed and every other one was undone.
    #[error("commitFailed")]
    CommitFailed,
    /// undoFailed(15): an assignment failed and some could not be undone.
    #[error("undoFailed")]
    UndoFailed,
    /// notWritable(17): the object exists but cannot be written.
    #[error("notWritable")]
    NotWritable,
    /// inconsistentName(18): the instance cannot be created now, though it could be later.
    #[error("inconsistentName")]
    InconsistentName,
    /// genErr(5): the handler failed for a reason of its own (an AgentX subagent's answer,
    /// or its silence, RFC 2741 §7.2.4).
    #[error("genErr")]
    GenErr,
}

impl SetError {
    /// The SNMPv2 error-status (RFC 3416 §4.2.5).
    pub fn status(self) -> ErrorStatus {
        match self {
            Self::NoAccess => ErrorStatus::NoAccess,
            Self::WrongType => ErrorStatus::WrongType,
            Self::WrongLength => ErrorStatus::WrongLength,
            Self::WrongEncoding => ErrorStatus::WrongEncoding,
            Self::WrongValue => ErrorStatus::WrongValue,
            Self::NoCreation => ErrorStatus::NoCreation,
            Self::InconsistentValue => ErrorStatus::InconsistentValue,
            Self::ResourceUnavailable => ErrorStatus::ResourceUnavailable,
            Self::CommitFailed => ErrorStatus::CommitFailed,
            Self::UndoFailed => ErrorStatus::UndoFailed,
            Self::NotWritable => ErrorStatus::NotWritable,
            Self::InconsistentName => ErrorStatus::InconsistentName,
            Self::GenErr => ErrorStatus::GenErr,
        }
    }
}

/// Several handlers under one root, served as one: the system group's scalars and its
/// `sysORTable`, say, which a [`Registry`](crate::Registry) could not hold side by side
/// because one root contains the other.
///
/// GET goes to the part with the longest root that holds the OID; GETNEXT asks every part
/// and keeps the smallest answer. SET goes where GET would.
pub struct Composite {
    root: Oid,
    parts: Vec<Box<dyn Mib>>,
}

impl Composite {
    /// `parts` under `root`; each part's root is inside `root`.
    pub fn new(root: Oid, parts: Vec<Box<dyn Mib>>) -> Self {
        Self { root, parts }
    }

    fn part(&self, oid: &Oid) -> Option<&dyn Mib> {
        self.parts
            .iter()
            .filter(|part| oid.starts_with(part.root()))
            .max_by_key(|part| part.root().len())
            .map(AsRef::as_ref)
    }
}

impl Mib for Composite {
    fn root(&self) -> &Oid {
        &self.root
    }

    fn get(&self, ctx: &RequestCtx, oid: &Oid) -> Value {
        self.part(oid)
            .map_or(Value::NoSuchObject, |part| part.get(ctx, oid))
    }

    fn get_next(&self, ctx: &RequestCtx, oid: &Oid) -> Option<VarBind> {
        self.parts
            .iter()
            // A part whose whole subtree comes before `oid` (its root is smaller and not an
            // ancestor of `oid`) has nothing after it: it is not asked.
            .filter(|part| *oid < *part.root() || oid.starts_with(part.root()))
            .filter_map(|part| part.get_next(ctx, oid))
            .min_by(|a, b| a.name.cmp(&b.name))
    }

    fn test_set(&self, ctx: &RequestCtx, varbind: &VarBind) -> Result<(), SetError> {
        self.part(&varbind.name)
            .ok_or(SetError::NotWritable)?
            .test_set(ctx, varbind)
    }

    fn commit_set(&self, ctx: &RequestCtx, varbind: &VarBind) -> Result<Value, SetError> {
        self.part(&varbind.name)
            .ok_or(SetError::CommitFailed)?
            .commit_set(ctx, varbind)
    }

    fn undo_set(&self, ctx: &RequestCtx, name: &Oid, previous: &Value) -> Result<(), SetError> {
        self.part(name)
            .ok_or(SetError::UndoFailed)?
            .undo_set(ctx, name, previous)
    }
}

impl std::fmt::Debug for Composite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Composite")
            .field("root", &self.root)
            .field(
                "parts",
                &self
                    .parts
                    .iter()
                    .map(|part| part.root())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, SocketAddr};

    use super::*;

    fn oid(text: &str) -> Oid {
        text.parse().unwrap()
    }

    /// The system group's shape: scalars under the root, and a part nested inside it.
    fn system() -> Composite {
        let scalars = ScalarGroup::new(
            oid("1.3.6.1.2.1.1"),
            vec![
                Scalar::constant(1, Value::Integer(1)),
                Scalar::constant(4, Value::Integer(4)),
                Scalar::constant(10, Value::Integer(10)),
            ],
        );
        let nested = ScalarGroup::new(
            oid("1.3.6.1.2.1.1.9"),
            vec![Scalar::constant(1, Value::Integer(9))],
        );
        Composite::new(
            oid("1.3.6.1.2.1.1"),
            vec![Box::new(scalars), Box::new(nested)],
        )
    }

    #[test]
    fn walks_every_part_in_order() {
        let system = system();
        let ctx = RequestCtx {
            now: Instant::now(),
            version: Version::V2c,
            from: SocketAddr::from((Ipv4Addr::LOCALHOST, 1)),
        };
        let mut at = oid("1.3.6.1");
        let mut seen = Vec::new();
        while let Some(varbind) = system.get_next(&ctx, &at) {
            seen.push(varbind.name.to_string());
            at = varbind.name;
        }
        assert_eq!(
            seen,
            [
                "1.3.6.1.2.1.1.1.0",
                "1.3.6.1.2.1.1.4.0",
                "1.3.6.1.2.1.1.9.1.0",
                "1.3.6.1.2.1.1.10.0"
            ]
        );
        // From inside the nested part, and from past it.
        assert_eq!(
            system
                .get_next(&ctx, &oid("1.3.6.1.2.1.1.9.0"))
                .map(|varbind| varbind.name),
            Some(oid("1.3.6.1.2.1.1.9.1.0"))
        );
        assert_eq!(
            system
                .get_next(&ctx, &oid("1.3.6.1.2.1.1.9.2"))
                .map(|varbind| varbind.name),
            Some(oid("1.3.6.1.2.1.1.10.0"))
        );
        assert_eq!(
            system.get(&ctx, &oid("1.3.6.1.2.1.1.9.1.0")),
            Value::Integer(9)
        );
    }
}
