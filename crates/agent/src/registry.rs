//! The registry: MIB handlers sorted by root, and lexicographic GET/GETNEXT across them.

use std::fmt;

use vigie_snmp::{Oid, Value, VarBind};

use crate::mib::{Mib, RequestCtx};

/// Non-overlapping [`Mib`] handlers, sorted by root.
///
/// [`get_next`](Self::get_next) asks the handler whose subtree holds (or follows) the OID,
/// then each following handler in turn, so a walk crosses from one subtree to the next in
/// lexicographic order (RFC 3416 §4.2.2).
#[derive(Default)]
pub struct Registry {
    handlers: Vec<Box<dyn Mib>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `handler`; fails when its root is inside, or contains, a registered root.
    pub fn register(&mut self, handler: Box<dyn Mib>) -> Result<(), RegistryError> {
        let root = handler.root();
        if let Some(other) = self
            .handlers
            .iter()
            .find(|other| other.root().starts_with(root) || root.starts_with(other.root()))
        {
            return Err(RegistryError::Overlap {
                root: Box::new(root.clone()),
                registered: Box::new(other.root().clone()),
            });
        }
        let at = self
            .handlers
            .partition_point(|other| other.root() < handler.root());
        self.handlers.insert(at, handler);
        Ok(())
    }

    /// The registered roots, in order.
    pub fn roots(&self) -> impl Iterator<Item = &Oid> {
        self.handlers.iter().map(|handler| handler.root())
    }

    /// The handler whose subtree holds `oid`.
    pub fn handler(&self, oid: &Oid) -> Option<&dyn Mib> {
        // The last root not after `oid` is the only one that can be its prefix.
        let at = self
            .handlers
            .partition_point(|handler| handler.root() <= oid);
        let handler = self.handlers.get(at.checked_sub(1)?)?;
        oid.starts_with(handler.root()).then_some(handler.as_ref())
    }

    /// GET of one instance: its value, or `NoSuchObject`/`NoSuchInstance` (RFC 3416 §4.2.1).
    pub fn get(&self, ctx: &RequestCtx, oid: &Oid) -> Value {
        match self.handler(oid) {
            Some(handler) => handler.get(ctx, oid),
            None => Value::NoSuchObject,
        }
    }

    /// GETNEXT: the first instance after `oid` in the whole registry, `None` at the end of
    /// the MIB view (RFC 3416 §4.2.2).
    pub fn get_next(&self, ctx: &RequestCtx, oid: &Oid) -> Option<VarBind> {
        // Start at the handler that holds `oid`, or else the first one after it.
        let at = self
            .handlers
            .partition_point(|handler| handler.root() <= oid);
        let start = match at.checked_sub(1) {
            Some(previous)
                if self
                    .handlers
                    .get(previous)
                    .is_some_and(|handler| oid.starts_with(handler.root())) =>
            {
                previous
            }
            _ => at,
        };
        // A handler that answers outside its subtree, or not after `oid`, would send a walk
        // backwards or round in circles: its answer is ignored.
        self.handlers.get(start..)?.iter().find_map(|handler| {
            handler
                .get_next(ctx, oid)
                .filter(|varbind| varbind.name > *oid && varbind.name.starts_with(handler.root()))
        })
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.roots()).finish()
    }
}

/// Why a handler cannot be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// Two handlers would serve the same OIDs.
    #[error("the subtree {root} overlaps the registered subtree {registered}")]
    Overlap {
        /// The root being registered.
        root: Box<Oid>,
        /// The root already registered.
        registered: Box<Oid>,
    },
}
