//! The registry: MIB handlers sorted by root, regions registered at run time (AgentX
//! subagents) over them, and lexicographic GET/GETNEXT across both.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use bytes::Bytes;
use vigie_snmp::{ErrorStatus, Oid, Value, VarBind};

use crate::mib::{Mib, RequestCtx, SetError};

/// Non-overlapping [`Mib`] handlers, sorted by root, and optionally a table of
/// [`DynamicRegions`] registered while the agent runs.
///
/// [`get_next`](Self::get_next) asks the handler whose subtree holds (or follows) the OID,
/// then each following handler in turn, so a walk crosses from one subtree to the next in
/// lexicographic order (RFC 3416 §4.2.2). When dynamic regions are present, every OID belongs
/// to the most specific registered subtree that holds it, the lower priority value winning
/// between equal subtrees (RFC 2741 §7.1.5.1); the built-in handlers count as registrations
/// of priority [`STATIC_PRIORITY`].
#[derive(Default)]
pub struct Registry {
    handlers: Vec<Box<dyn Mib>>,
    /// The handlers of the non-default contexts (a context forwarded by a proxy), sorted by
    /// context name.
    contexts: Vec<ContextHandlers>,
    dynamic: Option<Arc<DynamicRegions>>,
    /// The layout of the last dynamic version seen, rebuilt when it changes.
    layout: Mutex<Option<Arc<Layout>>>,
    /// The layouts of the non-default contexts that have dynamic regions, all of the same
    /// dynamic version (older ones are dropped when one is rebuilt).
    context_layouts: Mutex<Vec<(Bytes, Arc<Layout>)>>,
}

/// A handler and the context it is registered in (empty for the default one).
pub type ContextHandler = (Vec<u8>, Box<dyn Mib>);

/// The built-in handlers of one non-default context.
struct ContextHandlers {
    name: Bytes,
    handlers: Vec<Box<dyn Mib>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `handler` to the default context; fails when its root is inside, or contains, a
    /// registered root.
    pub fn register(&mut self, handler: Box<dyn Mib>) -> Result<(), RegistryError> {
        insert_sorted(&mut self.handlers, handler)?;
        self.static_changed();
        Ok(())
    }

    /// Adds `handler` to the context named `context` (the default one when empty): requests
    /// in that context see only the handlers and dynamic regions registered in it.
    pub fn register_in(
        &mut self,
        context: &[u8],
        handler: Box<dyn Mib>,
    ) -> Result<(), RegistryError> {
        self.insert_in(context, handler)?;
        self.static_changed();
        Ok(())
    }

    fn insert_in(&mut self, context: &[u8], handler: Box<dyn Mib>) -> Result<(), RegistryError> {
        if context.is_empty() {
            return insert_sorted(&mut self.handlers, handler);
        }
        match self
            .contexts
            .binary_search_by(|other| other.name.as_ref().cmp(context))
        {
            Ok(at) => {
                let handlers = &mut self
                    .contexts
                    .get_mut(at)
                    .ok_or(RegistryError::Full)?
                    .handlers;
                insert_sorted(handlers, handler)
            }
            Err(at) => {
                self.contexts.insert(
                    at,
                    ContextHandlers {
                        name: Bytes::copy_from_slice(context),
                        handlers: vec![handler],
                    },
                );
                Ok(())
            }
        }
    }

    /// Replaces the handlers registered at `removed` (context, root) by `added`, all or
    /// nothing: on an overlap nothing changes. Returns the handlers taken out, for the caller
    /// to drop (a `pass_persist` child is stopped then) or to put back.
    pub fn replace(
        &mut self,
        removed: &[(Vec<u8>, Oid)],
        added: Vec<ContextHandler>,
    ) -> Result<Vec<ContextHandler>, RegistryError> {
        let mut taken = Vec::with_capacity(removed.len());
        for (context, root) in removed {
            if let Some(handler) = self.take(context, root) {
                taken.push((context.clone(), handler));
            }
        }
        let mut inserted: Vec<(Vec<u8>, Oid)> = Vec::with_capacity(added.len());
        let mut failure = None;
        for (context, handler) in added {
            let root = handler.root().clone();
            match self.insert_in(&context, handler) {
                Ok(()) => inserted.push((context, root)),
                Err(error) => {
                    failure = Some(error);
                    break;
                }
            }
        }
        if let Some(error) = failure {
            for (context, root) in &inserted {
                drop(self.take(context, root));
            }
            for (context, handler) in taken {
                // They fitted before: they fit again.
                let _ = self.insert_in(&context, handler);
            }
            self.static_changed();
            return Err(error);
        }
        self.static_changed();
        Ok(taken)
    }

    /// Takes the handler of `root` out of `context`.
    fn take(&mut self, context: &[u8], root: &Oid) -> Option<Box<dyn Mib>> {
        let handlers = if context.is_empty() {
            &mut self.handlers
        } else {
            let at = self
                .contexts
                .binary_search_by(|other| other.name.as_ref().cmp(context))
                .ok()?;
            &mut self.contexts.get_mut(at)?.handlers
        };
        let at = handlers.iter().position(|handler| handler.root() == root)?;
        let handler = handlers.remove(at);
        self.contexts.retain(|other| !other.handlers.is_empty());
        Some(handler)
    }

    /// Consults `regions` from now on: the regions subagents register there overlay the
    /// handlers (RFC 2741 §7.1.5.1), without this registry being borrowed mutably again.
    pub fn attach(&mut self, regions: Arc<DynamicRegions>) {
        self.dynamic = Some(regions);
        self.static_changed();
    }

    /// The registered roots of the default context, in order.
    pub fn roots(&self) -> impl Iterator<Item = &Oid> {
        self.handlers.iter().map(|handler| handler.root())
    }

    /// The non-default contexts that have built-in handlers, in order.
    pub fn static_contexts(&self) -> impl Iterator<Item = &[u8]> {
        self.contexts.iter().map(|context| context.name.as_ref())
    }

    /// Whether anything is registered in `context`: the default context always, another one
    /// when a handler or a dynamic region is registered in it.
    pub fn serves(&self, context: &[u8]) -> bool {
        context.is_empty()
            || self
                .contexts
                .binary_search_by(|other| other.name.as_ref().cmp(context))
                .is_ok()
            || self
                .dynamic
                .as_ref()
                .is_some_and(|dynamic| dynamic.has_context(context))
    }

    /// The registry as requests in `context` see it (the default context when empty); an
    /// unknown context sees nothing.
    pub fn scope<'a>(&'a self, context: &'a [u8]) -> Scope<'a> {
        if context.is_empty() {
            return self.default_scope();
        }
        let handlers = self
            .contexts
            .binary_search_by(|other| other.name.as_ref().cmp(context))
            .ok()
            .and_then(|at| self.contexts.get(at))
            .map_or(&[][..], |found| found.handlers.as_slice());
        Scope {
            registry: self,
            context,
            handlers,
        }
    }

    fn default_scope(&self) -> Scope<'_> {
        Scope {
            registry: self,
            context: &[],
            handlers: &self.handlers,
        }
    }

    /// The built-in handler of the default context whose subtree holds `oid` (dynamic
    /// regions not considered).
    pub fn handler(&self, oid: &Oid) -> Option<&dyn Mib> {
        self.default_scope().handler(oid)
    }

    /// Who serves `oid` for a SET in the default context.
    pub fn target(&self, oid: &Oid) -> Option<Target<'_>> {
        self.default_scope().target(oid)
    }

    /// GET of one instance in the default context (see [`Scope::get`]).
    pub fn get(&self, ctx: &RequestCtx, oid: &Oid) -> Value {
        self.default_scope().get(ctx, oid)
    }

    /// [`Scope::try_get`] in the default context.
    pub fn try_get(&self, ctx: &RequestCtx, oid: &Oid) -> Result<Value, ErrorStatus> {
        self.default_scope().try_get(ctx, oid)
    }

    /// [`Scope::get_next`] in the default context.
    pub fn get_next(&self, ctx: &RequestCtx, oid: &Oid) -> Option<VarBind> {
        self.default_scope().get_next(ctx, oid)
    }

    /// The layout of the default context's handlers and dynamic regions, `None` when it has
    /// no dynamic regions (the built-in handlers alone are served directly).
    fn current_layout(&self) -> Option<Arc<Layout>> {
        let dynamic = self.dynamic.as_ref()?;
        let snapshot = dynamic.snapshot();
        if snapshot.default_regions == 0 {
            return None;
        }
        let mut cached = self.layout.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(layout) = cached
            .as_ref()
            .filter(|layout| layout.version == snapshot.version)
        {
            return Some(Arc::clone(layout));
        }
        let layout = Arc::new(Layout::build(
            self.handlers.iter().map(|handler| handler.root()),
            &snapshot,
            &[],
        ));
        *cached = Some(Arc::clone(&layout));
        Some(layout)
    }

    /// [`current_layout`](Self::current_layout) for a non-default context.
    fn context_layout(&self, context: &[u8], handlers: &[Box<dyn Mib>]) -> Option<Arc<Layout>> {
        let dynamic = self.dynamic.as_ref()?;
        let snapshot = dynamic.snapshot();
        let mut cached = self
            .context_layouts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some((_, layout)) = cached
            .iter()
            .find(|(name, layout)| name == context && layout.version == snapshot.version)
        {
            return Some(Arc::clone(layout));
        }
        if !snapshot
            .regions
            .iter()
            .any(|region| region.context == context)
        {
            return None;
        }
        let layout = Arc::new(Layout::build(
            handlers.iter().map(|handler| handler.root()),
            &snapshot,
            context,
        ));
        cached.retain(|(_, other)| other.version == snapshot.version);
        cached.push((Bytes::copy_from_slice(context), Arc::clone(&layout)));
        Some(layout)
    }

    fn static_changed(&mut self) {
        *self
            .layout
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner) = None;
        self.context_layouts
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
        if let Some(dynamic) = &self.dynamic {
            let roots = self
                .handlers
                .iter()
                .map(|handler| handler.root().clone())
                .collect();
            dynamic.set_static_roots(roots);
        }
    }
}

/// Adds `handler` to `handlers`, kept sorted by root; fails when its root is inside, or
/// contains, a root there.
fn insert_sorted(
    handlers: &mut Vec<Box<dyn Mib>>,
    handler: Box<dyn Mib>,
) -> Result<(), RegistryError> {
    let root = handler.root();
    if let Some(other) = handlers
        .iter()
        .find(|other| other.root().starts_with(root) || root.starts_with(other.root()))
    {
        return Err(RegistryError::Overlap {
            root: Box::new(root.clone()),
            registered: Box::new(other.root().clone()),
        });
    }
    let at = handlers.partition_point(|other| other.root() < handler.root());
    handlers.insert(at, handler);
    Ok(())
}

/// The registry as the requests of one context see it: that context's built-in handlers
/// and dynamic regions (RFC 3411 §3.3.1: a context is a collection of management
/// information). The default context's scope is the registry's own handlers.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    registry: &'a Registry,
    /// Empty for the default context.
    context: &'a [u8],
    handlers: &'a [Box<dyn Mib>],
}

impl fmt::Debug for Scope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope")
            .field("context", &String::from_utf8_lossy(self.context))
            .finish_non_exhaustive()
    }
}

impl<'a> Scope<'a> {
    /// The context's name, empty for the default context.
    pub fn context(&self) -> &'a [u8] {
        self.context
    }

    /// The built-in handler whose subtree holds `oid` (dynamic regions not considered).
    pub fn handler(&self, oid: &Oid) -> Option<&'a dyn Mib> {
        self.static_index(oid)
            .and_then(|at| self.handlers.get(at))
            .map(AsRef::as_ref)
    }

    /// Who serves `oid` for a SET: a built-in handler or a dynamic region.
    pub fn target(&self, oid: &Oid) -> Option<Target<'a>> {
        let Some(layout) = self.layout() else {
            return self.handler(oid).map(Target::Static);
        };
        let segment = layout.segments.get(layout.holding(oid)?)?;
        Some(match &segment.owner {
            Owner::Static(at) => Target::Static(self.handlers.get(*at)?.as_ref()),
            Owner::Dynamic(region) => Target::Dynamic(Arc::clone(&region.handler)),
        })
    }

    /// GET of one instance: its value, or `NoSuchObject`/`NoSuchInstance` (RFC 3416 §4.2.1).
    pub fn get(&self, ctx: &RequestCtx, oid: &Oid) -> Value {
        self.try_get(ctx, oid).unwrap_or(Value::NoSuchObject)
    }

    /// [`get`](Self::get), or the error-status of a handler whose answer failed as a whole
    /// ([`Mib::try_get`]).
    pub fn try_get(&self, ctx: &RequestCtx, oid: &Oid) -> Result<Value, ErrorStatus> {
        let Some(layout) = self.layout() else {
            return match self.handler(oid) {
                Some(handler) => handler.try_get(ctx, oid),
                None => Ok(Value::NoSuchObject),
            };
        };
        let Some(segment) = layout.holding(oid).and_then(|at| layout.segments.get(at)) else {
            return Ok(Value::NoSuchObject);
        };
        match &segment.owner {
            Owner::Static(at) => self
                .handlers
                .get(*at)
                .map_or(Ok(Value::NoSuchObject), |handler| handler.try_get(ctx, oid)),
            Owner::Dynamic(region) => region.handler.try_get(ctx, oid),
        }
    }

    /// GETNEXT: the first instance after `oid` in the whole context, `None` at the end of
    /// the MIB view (RFC 3416 §4.2.2).
    pub fn get_next(&self, ctx: &RequestCtx, oid: &Oid) -> Option<VarBind> {
        match self.layout() {
            Some(layout) => self.get_next_in_layout(ctx, &layout, oid),
            None => self.get_next_static(ctx, oid),
        }
    }

    /// Whether dynamic regions are registered in this context (then
    /// [`next_run`](Self::next_run) may give several instances at once).
    pub fn has_dynamic(&self) -> bool {
        self.layout().is_some()
    }

    /// Up to `max` instances after `oid`, in order, when the next one is in a dynamic region
    /// that serves several at once (an AgentX GetBulk), all inside that region's segment;
    /// empty otherwise (the caller goes on with [`get_next`](Self::get_next)).
    pub fn next_run(&self, ctx: &RequestCtx, oid: &Oid, max: u32) -> Vec<VarBind> {
        let Some(layout) = self.layout() else {
            return Vec::new();
        };
        let first = layout
            .segments
            .partition_point(|segment| segment.end.as_ref().is_some_and(|end| end <= oid));
        let Some(segment) = layout.segments.get(first) else {
            return Vec::new();
        };
        let Owner::Dynamic(region) = &segment.owner else {
            return Vec::new();
        };
        let (start, include) = if segment.start > *oid {
            (segment.start.clone(), true)
        } else {
            (oid.clone(), false)
        };
        let range = SearchRange {
            start,
            include,
            end: segment.end.clone(),
        };
        let max = u16::try_from(max.min(MAX_BULK_REPETITIONS)).unwrap_or(u16::MAX);
        let mut previous = oid;
        let mut run = region.handler.bulk_in(ctx, &range, max);
        // Only the strictly increasing prefix inside the segment is kept: a subagent that
        // answers out of order or outside its region cannot make a walk go back or loop.
        let kept = run
            .iter()
            .take_while(|varbind| {
                let inside = varbind.name > *previous
                    && varbind.name >= segment.start
                    && segment.end.as_ref().is_none_or(|end| varbind.name < *end);
                previous = &varbind.name;
                inside
            })
            .count();
        run.truncate(kept);
        run
    }

    fn layout(&self) -> Option<Arc<Layout>> {
        if self.context.is_empty() {
            self.registry.current_layout()
        } else {
            self.registry.context_layout(self.context, self.handlers)
        }
    }

    fn get_next_static(&self, ctx: &RequestCtx, oid: &Oid) -> Option<VarBind> {
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

    /// GETNEXT across the segments of `layout`: each segment's owner is asked for the first
    /// instance inside the segment only, so that a region hidden by a more specific one is
    /// never answered from.
    fn get_next_in_layout(&self, ctx: &RequestCtx, layout: &Layout, oid: &Oid) -> Option<VarBind> {
        let first = layout
            .segments
            .partition_point(|segment| segment.end.as_ref().is_some_and(|end| end <= oid));
        layout.segments.get(first..)?.iter().find_map(|segment| {
            // Inside the segment, strictly after `oid`; from a later segment's start on,
            // its start included.
            let (start, include) = if segment.start > *oid {
                (&segment.start, true)
            } else {
                (oid, false)
            };
            let found = match &segment.owner {
                Owner::Static(at) => {
                    let handler = self.handlers.get(*at)?;
                    self.static_next(ctx, handler.as_ref(), oid, start, include)
                }
                Owner::Dynamic(region) => region.handler.next_in(
                    ctx,
                    &SearchRange {
                        start: start.clone(),
                        include,
                        end: segment.end.clone(),
                    },
                ),
            };
            found.filter(|varbind| {
                (varbind.name > *start || (include && varbind.name == *start))
                    && segment.end.as_ref().is_none_or(|end| varbind.name < *end)
            })
        })
    }

    /// The first instance of a built-in `handler` at or after `start` (`include`) or after it.
    fn static_next(
        &self,
        ctx: &RequestCtx,
        handler: &dyn Mib,
        oid: &Oid,
        start: &Oid,
        include: bool,
    ) -> Option<VarBind> {
        if !include || start == handler.root() {
            // The handler's own subtree from its beginning: its GETNEXT from `oid` does.
            return handler.get_next(ctx, oid);
        }
        match handler.get(ctx, start) {
            Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView => {
                handler.get_next(ctx, start)
            }
            value => Some(VarBind {
                name: start.clone(),
                value,
            }),
        }
    }

    fn static_index(&self, oid: &Oid) -> Option<usize> {
        // The last root not after `oid` is the only one that can be its prefix.
        let at = self
            .handlers
            .partition_point(|handler| handler.root() <= oid)
            .checked_sub(1)?;
        let handler = self.handlers.get(at)?;
        oid.starts_with(handler.root()).then_some(at)
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.roots()).finish()
    }
}

/// Who answers a SET for one varbind.
pub enum Target<'a> {
    /// A built-in handler.
    Static(&'a dyn Mib),
    /// A dynamic region.
    Dynamic(Arc<dyn DynamicMib>),
}

impl fmt::Debug for Target<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Static(handler) => f.debug_tuple("Static").field(handler.root()).finish(),
            Self::Dynamic(_) => f.write_str("Dynamic"),
        }
    }
}

/// A GETNEXT search range: from `start` (included or not) up to `end`, excluded
/// (RFC 2741 §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRange {
    /// Where the search starts.
    pub start: Oid,
    /// Whether `start` itself may be the answer.
    pub include: bool,
    /// The first OID not to answer, `None` for the end of the MIB.
    pub end: Option<Oid>,
}

/// A region's handler registered at run time: an AgentX session's forwarder.
///
/// Its methods block until the subagent answers or a timeout passes, so they run on the
/// responder's blocking threads, never on a runtime worker.
pub trait DynamicMib: Send + Sync {
    /// The value of `oid`, or `NoSuchObject`/`NoSuchInstance` (also when the subagent does
    /// not answer).
    fn get(&self, ctx: &RequestCtx, oid: &Oid) -> Value;

    /// As [`Mib::try_get`]: `Err` when the subagent did not answer.
    fn try_get(&self, ctx: &RequestCtx, oid: &Oid) -> Result<Value, ErrorStatus> {
        Ok(self.get(ctx, oid))
    }

    /// The first instance inside `range`, `None` when there is none or the subagent did not
    /// answer (the walk goes on with the next region, as Net-SNMP does).
    fn next_in(&self, ctx: &RequestCtx, range: &SearchRange) -> Option<VarBind>;

    /// Up to `max` instances from the start of `range` on, in order (an AgentX GetBulk);
    /// empty when the region does not serve several at once, and the caller asks
    /// [`next_in`](Self::next_in) instead.
    fn bulk_in(&self, ctx: &RequestCtx, range: &SearchRange, max: u16) -> Vec<VarBind> {
        let _ = (ctx, range, max);
        Vec::new()
    }

    /// Which SET transaction this region's varbinds join: the varbinds of one request whose
    /// regions give the same key (one AgentX session's) are tested together, in one
    /// request (RFC 2741 §7.2.1).
    fn transaction_key(&self) -> u64;

    /// The first SET phase (RFC 3416 §4.2.5) for all the varbinds of the request that fall
    /// in regions of this [`transaction_key`](Self::transaction_key), at once; `Err` names
    /// the position in `varbinds` of the varbind refused.
    fn test_set(&self, ctx: &RequestCtx, varbinds: &[VarBind]) -> Result<(), (usize, SetError)>;

    /// The second phase: what [`test_set`](Self::test_set) accepted is done.
    fn commit_set(&self, ctx: &RequestCtx) -> Result<(), SetError>;

    /// Puts back what [`commit_set`](Self::commit_set) did, when another part of the SET
    /// failed.
    fn undo_set(&self, ctx: &RequestCtx) -> Result<(), SetError>;

    /// The SET request is over: what the earlier phases left open is cleaned up.
    fn end_set(&self, ctx: &RequestCtx);
}

/// One subtree registered at run time (RFC 2741 §6.2.3): ranges are registered as one
/// region per value of their varying sub-identifier.
#[derive(Clone)]
pub struct DynamicRegion {
    /// The subtree.
    pub subtree: Oid,
    /// Lower values win between equal subtrees (RFC 2741 §7.1.5.1).
    pub priority: u8,
    /// The context, empty for the default one.
    pub context: Bytes,
    /// Who registered it, to remove all of a session's regions at once.
    pub owner: u64,
    /// Who answers for it.
    pub handler: Arc<dyn DynamicMib>,
}

impl fmt::Debug for DynamicRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamicRegion")
            .field("subtree", &self.subtree)
            .field("priority", &self.priority)
            .field("context", &self.context)
            .field("owner", &self.owner)
            .finish_non_exhaustive()
    }
}

/// The regions registered at run time, shared between the AgentX master (which adds and
/// removes them) and the [`Registry`] (which consults them), behind their own lock so that
/// registering never waits for the agent's requests.
#[derive(Debug, Default)]
pub struct DynamicRegions {
    inner: RwLock<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    snapshot: Arc<Snapshot>,
    static_roots: Vec<Oid>,
}

/// The dynamic regions at one version.
#[derive(Debug, Default)]
struct Snapshot {
    version: u64,
    regions: Vec<DynamicRegion>,
    /// How many of them are in the default context: with none, the default context is
    /// served from the built-in handlers directly.
    default_regions: usize,
}

impl Snapshot {
    fn new(version: u64, regions: Vec<DynamicRegion>) -> Self {
        let default_regions = regions
            .iter()
            .filter(|region| region.context.is_empty())
            .count();
        Self {
            version,
            regions,
            default_regions,
        }
    }
}

impl DynamicRegions {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `regions` all or none: refused when one of them has the subtree and priority of
    /// a region already registered in its context, or of a built-in handler at
    /// [`STATIC_PRIORITY`] (duplicateRegistration, RFC 2741 §7.1.5.1).
    pub fn register(&self, regions: Vec<DynamicRegion>) -> Result<(), RegistryError> {
        let mut inner = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        if inner.snapshot.regions.len() + regions.len() > MAX_DYNAMIC_REGIONS {
            return Err(RegistryError::Full);
        }
        for (i, region) in regions.iter().enumerate() {
            let duplicate = inner
                .snapshot
                .regions
                .iter()
                .chain(regions.get(..i).unwrap_or_default())
                .any(|other| {
                    other.subtree == region.subtree
                        && other.priority == region.priority
                        && other.context == region.context
                })
                || (region.priority == STATIC_PRIORITY
                    && region.context.is_empty()
                    && inner.static_roots.contains(&region.subtree));
            if duplicate {
                return Err(RegistryError::Duplicate {
                    root: Box::new(region.subtree.clone()),
                });
            }
        }
        let mut next: Vec<DynamicRegion> = inner.snapshot.regions.clone();
        next.extend(regions);
        inner.snapshot = Arc::new(Snapshot::new(inner.snapshot.version + 1, next));
        Ok(())
    }

    /// Removes the regions of `owner` that `matches` selects; returns how many.
    pub fn unregister(&self, owner: u64, matches: impl Fn(&DynamicRegion) -> bool) -> usize {
        let mut inner = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        let before = inner.snapshot.regions.len();
        let next: Vec<DynamicRegion> = inner
            .snapshot
            .regions
            .iter()
            .filter(|region| !(region.owner == owner && matches(region)))
            .cloned()
            .collect();
        let removed = before - next.len();
        if removed > 0 {
            inner.snapshot = Arc::new(Snapshot::new(inner.snapshot.version + 1, next));
        }
        removed
    }

    /// Removes every region of `owner` (its session closed or was lost).
    pub fn remove_owner(&self, owner: u64) -> usize {
        self.unregister(owner, |_| true)
    }

    /// The registered subtrees, with priority and owner, in registration order.
    pub fn list(&self) -> Vec<(Oid, u8, u64)> {
        self.snapshot()
            .regions
            .iter()
            .map(|region| (region.subtree.clone(), region.priority, region.owner))
            .collect()
    }

    /// Whether a region is registered in `context`.
    pub fn has_context(&self, context: &[u8]) -> bool {
        self.snapshot()
            .regions
            .iter()
            .any(|region| region.context == context)
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        let inner = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(&inner.snapshot)
    }

    fn set_static_roots(&self, roots: Vec<Oid>) {
        let mut inner = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        inner.static_roots = roots;
        // The layout depends on the built-in roots too: a new version rebuilds it.
        inner.snapshot = Arc::new(Snapshot::new(
            inner.snapshot.version + 1,
            inner.snapshot.regions.clone(),
        ));
    }
}

/// The most regions registered at run time, all sessions together: the layout is rebuilt
/// at each change, in time quadratic in their number.
pub const MAX_DYNAMIC_REGIONS: usize = 16_384;

/// The most repetitions asked of a dynamic region in one request.
const MAX_BULK_REPETITIONS: u32 = 64;

/// The priority the built-in handlers are registered with: Net-SNMP's
/// `DEFAULT_MIB_PRIORITY`, which is also the AgentX default.
pub const STATIC_PRIORITY: u8 = 127;

/// The OID space cut into segments, each served by one owner (RFC 2741 §7.1.5.1).
struct Layout {
    version: u64,
    /// Sorted, disjoint, `[start, end)`.
    segments: Vec<Segment>,
}

struct Segment {
    start: Oid,
    /// Excluded; `None` for the end of the OID space.
    end: Option<Oid>,
    owner: Owner,
}

#[derive(Clone)]
enum Owner {
    Static(usize),
    Dynamic(DynamicRegion),
}

impl Owner {
    fn same(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Static(a), Self::Static(b)) => a == b,
            (Self::Dynamic(a), Self::Dynamic(b)) => {
                a.subtree == b.subtree && a.priority == b.priority && a.owner == b.owner
            }
            _ => false,
        }
    }
}

impl Layout {
    /// The layout of one context: its built-in handlers' roots and its dynamic regions.
    fn build<'a>(
        static_roots: impl Iterator<Item = &'a Oid>,
        snapshot: &Snapshot,
        context: &[u8],
    ) -> Self {
        // Every candidate: its subtree's extent, specificity and priority.
        let mut candidates: Vec<(Oid, Option<Oid>, usize, u8, Owner)> = static_roots
            .enumerate()
            .map(|(at, root)| {
                (
                    root.clone(),
                    successor(root),
                    root.len(),
                    STATIC_PRIORITY,
                    Owner::Static(at),
                )
            })
            .collect();
        for region in snapshot
            .regions
            .iter()
            .filter(|region| region.context == context)
        {
            candidates.push((
                region.subtree.clone(),
                successor(&region.subtree),
                region.subtree.len(),
                region.priority,
                Owner::Dynamic(region.clone()),
            ));
        }
        let mut points: Vec<Oid> = candidates
            .iter()
            .flat_map(|(start, end, ..)| std::iter::once(start.clone()).chain(end.clone()))
            .collect();
        points.sort();
        points.dedup();
        let mut segments: Vec<Segment> = Vec::new();
        for (i, point) in points.iter().enumerate() {
            let end = points.get(i + 1).cloned();
            let best = candidates
                .iter()
                .filter(|(start, stop, ..)| {
                    start <= point && stop.as_ref().is_none_or(|stop| point < stop)
                })
                .min_by(|a, b| b.2.cmp(&a.2).then(a.3.cmp(&b.3)));
            let Some((.., owner)) = best else {
                continue;
            };
            match segments.last_mut() {
                Some(last) if last.owner.same(owner) && last.end.as_ref() == Some(point) => {
                    last.end = end;
                }
                _ => segments.push(Segment {
                    start: point.clone(),
                    end,
                    owner: owner.clone(),
                }),
            }
        }
        Self {
            version: snapshot.version,
            segments,
        }
    }

    /// The segment holding `oid`.
    fn holding(&self, oid: &Oid) -> Option<usize> {
        let at = self
            .segments
            .partition_point(|segment| segment.start <= *oid)
            .checked_sub(1)?;
        let segment = self.segments.get(at)?;
        segment
            .end
            .as_ref()
            .is_none_or(|end| oid < end)
            .then_some(at)
    }
}

/// The first OID after every OID under `subtree`: its last arc incremented, carried into the
/// previous ones past the largest valid arc; `None` when no OID follows.
fn successor(subtree: &Oid) -> Option<Oid> {
    let mut arcs = subtree.arcs().to_vec();
    while let Some(last) = arcs.pop() {
        let Some(next) = last.checked_add(1) else {
            continue;
        };
        let mut candidate = arcs.clone();
        candidate.push(next);
        if candidate.len() < 2 {
            candidate.push(0);
        }
        if let Ok(oid) = Oid::new(&candidate) {
            return Some(oid);
        }
    }
    None
}

/// Why a handler or region cannot be registered.
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
    /// A region with the same subtree, priority and context is registered already
    /// (duplicateRegistration, RFC 2741 §7.1.5.1).
    #[error("the subtree {root} is registered already at this priority")]
    Duplicate {
        /// The subtree.
        root: Box<Oid>,
    },
    /// [`MAX_DYNAMIC_REGIONS`] are registered already.
    #[error("too many registered regions")]
    Full,
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::time::Instant;

    use vigie_snmp::Version;

    use super::*;
    use crate::mib::{Scalar, ScalarGroup};

    fn oid(text: &str) -> Oid {
        text.parse()
            .unwrap_or_else(|_| panic!("bad test OID {text}"))
    }

    fn ctx() -> RequestCtx {
        RequestCtx {
            now: Instant::now(),
            version: Version::V2c,
            from: SocketAddr::from(([127, 0, 0, 1], 1)),
        }
    }

    /// A dynamic region serving fixed instances, and remembering the ranges it was asked.
    struct Fixed {
        instances: Vec<VarBind>,
        asked: Mutex<Vec<SearchRange>>,
    }

    impl Fixed {
        fn new(names: &[&str]) -> Arc<Self> {
            Arc::new(Self {
                instances: names
                    .iter()
                    .map(|name| VarBind {
                        name: oid(name),
                        value: Value::Integer(1),
                    })
                    .collect(),
                asked: Mutex::new(Vec::new()),
            })
        }
    }

    impl DynamicMib for Fixed {
        fn get(&self, _ctx: &RequestCtx, oid: &Oid) -> Value {
            self.instances
                .iter()
                .find(|varbind| varbind.name == *oid)
                .map_or(Value::NoSuchObject, |varbind| varbind.value.clone())
        }

        fn next_in(&self, _ctx: &RequestCtx, range: &SearchRange) -> Option<VarBind> {
            self.asked
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(range.clone());
            // Deliberately ignores the range's end: the registry must clip it.
            self.instances
                .iter()
                .find(|varbind| {
                    varbind.name > range.start || (range.include && varbind.name == range.start)
                })
                .cloned()
        }

        fn transaction_key(&self) -> u64 {
            0
        }

        fn test_set(&self, _: &RequestCtx, _: &[VarBind]) -> Result<(), (usize, SetError)> {
            Ok(())
        }

        fn commit_set(&self, _ctx: &RequestCtx) -> Result<(), SetError> {
            Ok(())
        }

        fn undo_set(&self, _ctx: &RequestCtx) -> Result<(), SetError> {
            Ok(())
        }

        fn end_set(&self, _ctx: &RequestCtx) {}
    }

    fn region(subtree: &str, priority: u8, owner: u64, handler: Arc<Fixed>) -> DynamicRegion {
        DynamicRegion {
            subtree: oid(subtree),
            priority,
            context: Bytes::new(),
            owner,
            handler,
        }
    }

    fn scalars(root: &str, arcs: &[u32]) -> Box<dyn Mib> {
        Box::new(ScalarGroup::new(
            oid(root),
            arcs.iter()
                .map(|arc| Scalar::new(*arc, |_| Value::Integer(7)))
                .collect(),
        ))
    }

    fn walk(registry: &Registry) -> Vec<String> {
        let ctx = ctx();
        let mut at = oid("1.3");
        let mut names = Vec::new();
        while let Some(varbind) = registry.get_next(&ctx, &at) {
            assert!(varbind.name > at, "the walk goes backwards at {at}");
            names.push(varbind.name.to_string());
            at = varbind.name;
        }
        names
    }

    #[test]
    fn a_more_specific_region_wins_inside_a_built_in_group() {
        let mut registry = Registry::new();
        registry
            .register(scalars("1.3.6.1.2.1.7", &[1, 2, 3, 4]))
            .expect("registered");
        let regions = Arc::new(DynamicRegions::new());
        registry.attach(Arc::clone(&regions));
        let sub = Fixed::new(&[
            "1.3.6.1.2.1.7.2.0",
            "1.3.6.1.2.1.7.2.5",
            "1.3.6.1.2.1.7.3.0",
        ]);
        regions
            .register(vec![region("1.3.6.1.2.1.7.2", 127, 1, Arc::clone(&sub))])
            .expect("registered");
        assert_eq!(
            walk(&registry),
            [
                "1.3.6.1.2.1.7.1.0",
                "1.3.6.1.2.1.7.2.0",
                "1.3.6.1.2.1.7.2.5",
                "1.3.6.1.2.1.7.3.0",
                "1.3.6.1.2.1.7.4.0",
            ]
        );
        // The subagent's own 7.3.0 was clipped: 7.3.0 above is the built-in one.
        assert_eq!(
            registry.get(&ctx(), &oid("1.3.6.1.2.1.7.2.5")),
            Value::Integer(1)
        );
        assert_eq!(
            registry.get(&ctx(), &oid("1.3.6.1.2.1.7.3.0")),
            Value::Integer(7)
        );
        // Every range asked of the subagent ended at the end of its region.
        let asked = sub.asked.lock().unwrap_or_else(PoisonError::into_inner);
        assert!(
            asked
                .iter()
                .all(|range| range.end == Some(oid("1.3.6.1.2.1.7.3")))
        );
        drop(asked);
        assert_eq!(regions.remove_owner(1), 1);
        assert_eq!(walk(&registry).len(), 4);
    }

    #[test]
    fn lower_priority_wins_and_duplicates_are_refused() {
        let mut registry = Registry::new();
        registry
            .register(scalars("1.3.6.1.2.1.7", &[1]))
            .expect("registered");
        let regions = Arc::new(DynamicRegions::new());
        registry.attach(Arc::clone(&regions));
        let high = Fixed::new(&["1.3.6.1.4.1.8072.1.0"]);
        let low = Fixed::new(&["1.3.6.1.4.1.8072.2.0"]);
        regions
            .register(vec![region("1.3.6.1.4.1.8072", 127, 1, high)])
            .expect("registered");
        regions
            .register(vec![region("1.3.6.1.4.1.8072", 100, 2, Arc::clone(&low))])
            .expect("registered");
        assert_eq!(
            regions.register(vec![region("1.3.6.1.4.1.8072", 100, 3, Arc::clone(&low))]),
            Err(RegistryError::Duplicate {
                root: Box::new(oid("1.3.6.1.4.1.8072"))
            })
        );
        assert!(
            regions
                .register(vec![region("1.3.6.1.2.1.7", 127, 3, Arc::clone(&low))])
                .is_err()
        );
        assert_eq!(
            walk(&registry),
            ["1.3.6.1.2.1.7.1.0", "1.3.6.1.4.1.8072.2.0"]
        );
        regions.remove_owner(2);
        assert_eq!(
            walk(&registry),
            ["1.3.6.1.2.1.7.1.0", "1.3.6.1.4.1.8072.1.0"]
        );
    }

    #[test]
    fn a_region_covering_built_in_groups_hides_them() {
        let mut registry = Registry::new();
        registry
            .register(scalars("1.3.6.1.2.1.7", &[1]))
            .expect("registered");
        registry
            .register(scalars("1.3.6.1.2.1.9", &[1]))
            .expect("registered");
        let regions = Arc::new(DynamicRegions::new());
        registry.attach(Arc::clone(&regions));
        regions
            .register(vec![region(
                "1.3.6.1.2.1",
                127,
                1,
                Fixed::new(&["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.8.1.0"]),
            )])
            .expect("registered");
        assert_eq!(
            walk(&registry),
            [
                "1.3.6.1.2.1.1.1.0",
                "1.3.6.1.2.1.7.1.0",
                "1.3.6.1.2.1.8.1.0",
                "1.3.6.1.2.1.9.1.0",
            ]
        );
        assert!(matches!(
            registry.target(&oid("1.3.6.1.2.1.8.1.0")),
            Some(Target::Dynamic(_))
        ));
        assert!(matches!(
            registry.target(&oid("1.3.6.1.2.1.7.1.0")),
            Some(Target::Static(_))
        ));
    }

    #[test]
    fn the_dynamic_table_is_bounded() {
        let regions = DynamicRegions::new();
        let handler = Fixed::new(&[]);
        let many: Vec<DynamicRegion> = (0..=u32::try_from(MAX_DYNAMIC_REGIONS).unwrap_or(0))
            .map(|arc| DynamicRegion {
                subtree: Oid::new(&[1, 3, 6, 1, 4, 1, 99, arc]).unwrap_or_else(|_| oid("1.3")),
                priority: 127,
                context: Bytes::new(),
                owner: 1,
                handler: handler.clone(),
            })
            .collect();
        assert_eq!(regions.register(many), Err(RegistryError::Full));
        assert!(regions.list().is_empty());
    }

    #[test]
    fn contexts_see_only_their_own_handlers_and_regions() {
        let mut registry = Registry::new();
        registry
            .register(scalars("1.3.6.1.2.1.7", &[1]))
            .expect("registered");
        registry
            .register_in(b"far", scalars("1.3.6.1.2.1.7", &[2]))
            .expect("the same root in another context");
        assert!(matches!(
            registry.register_in(b"far", scalars("1.3.6.1.2.1.7.5", &[1])),
            Err(RegistryError::Overlap { .. })
        ));
        let regions = Arc::new(DynamicRegions::new());
        registry.attach(Arc::clone(&regions));
        let mut in_context = region(
            "1.3.6.1.4.1.8072",
            127,
            1,
            Fixed::new(&["1.3.6.1.4.1.8072.1.0"]),
        );
        in_context.context = Bytes::from_static(b"sub");
        regions.register(vec![in_context]).expect("registered");

        let ctx = ctx();
        let scoped = |context: &'static [u8]| {
            let scope = registry.scope(context);
            let mut at = oid("1.3");
            let mut names = Vec::new();
            while let Some(varbind) = scope.get_next(&ctx, &at) {
                names.push(varbind.name.to_string());
                at = varbind.name;
            }
            names
        };
        assert_eq!(scoped(b""), ["1.3.6.1.2.1.7.1.0"]);
        assert_eq!(walk(&registry), ["1.3.6.1.2.1.7.1.0"]);
        assert_eq!(scoped(b"far"), ["1.3.6.1.2.1.7.2.0"]);
        assert_eq!(scoped(b"sub"), ["1.3.6.1.4.1.8072.1.0"]);
        assert!(scoped(b"none").is_empty());
        assert!(registry.serves(b"") && registry.serves(b"far") && registry.serves(b"sub"));
        assert!(!registry.serves(b"none"));
        assert!(matches!(
            registry.scope(b"sub").target(&oid("1.3.6.1.4.1.8072.1.0")),
            Some(Target::Dynamic(_))
        ));
        assert!(registry.target(&oid("1.3.6.1.4.1.8072.1.0")).is_none());
        assert_eq!(
            registry.scope(b"far").get(&ctx, &oid("1.3.6.1.2.1.7.2.0")),
            Value::Integer(7)
        );
        assert_eq!(regions.remove_owner(1), 1);
        assert!(!registry.serves(b"sub"));
        assert!(scoped(b"sub").is_empty());
    }

    #[test]
    fn replacing_handlers_is_all_or_nothing() {
        let mut registry = Registry::new();
        registry
            .register(scalars("1.3.6.1.2.1.7", &[1]))
            .expect("registered");
        registry
            .register(scalars("1.3.6.1.4.1.1", &[1]))
            .expect("registered");
        let old = vec![(Vec::new(), oid("1.3.6.1.4.1.1"))];
        // The new set overlaps a built-in group: refused, the old handler kept.
        let refused = registry.replace(
            &old,
            vec![
                (Vec::new(), scalars("1.3.6.1.4.1.2", &[1])),
                (Vec::new(), scalars("1.3.6.1.2.1.7.5", &[1])),
            ],
        );
        assert!(matches!(refused, Err(RegistryError::Overlap { .. })));
        assert_eq!(walk(&registry), ["1.3.6.1.2.1.7.1.0", "1.3.6.1.4.1.1.1.0"]);
        let taken = registry
            .replace(
                &old,
                vec![
                    (Vec::new(), scalars("1.3.6.1.4.1.2", &[1])),
                    (b"far".to_vec(), scalars("1.3", &[1])),
                ],
            )
            .expect("replaced");
        assert_eq!(taken.len(), 1);
        assert_eq!(walk(&registry), ["1.3.6.1.2.1.7.1.0", "1.3.6.1.4.1.2.1.0"]);
        assert!(registry.serves(b"far"));
        registry
            .replace(&[(b"far".to_vec(), oid("1.3"))], Vec::new())
            .expect("removed");
        assert!(!registry.serves(b"far"));
    }

    /// A region that answers a bulk request with whatever it was given, in that order.
    struct Bulky(Vec<VarBind>);

    impl DynamicMib for Bulky {
        fn get(&self, _ctx: &RequestCtx, _oid: &Oid) -> Value {
            Value::NoSuchObject
        }

        fn next_in(&self, _ctx: &RequestCtx, _range: &SearchRange) -> Option<VarBind> {
            None
        }

        fn bulk_in(&self, _: &RequestCtx, _: &SearchRange, max: u16) -> Vec<VarBind> {
            self.0.iter().take(usize::from(max)).cloned().collect()
        }

        fn transaction_key(&self) -> u64 {
            0
        }

        fn test_set(&self, _: &RequestCtx, _: &[VarBind]) -> Result<(), (usize, SetError)> {
            Ok(())
        }

        fn commit_set(&self, _ctx: &RequestCtx) -> Result<(), SetError> {
            Ok(())
        }

        fn undo_set(&self, _ctx: &RequestCtx) -> Result<(), SetError> {
            Ok(())
        }

        fn end_set(&self, _ctx: &RequestCtx) {}
    }

    #[test]
    fn a_bulk_run_keeps_the_increasing_prefix_inside_the_region() {
        let mut registry = Registry::new();
        registry
            .register(scalars("1.3.6.1.4.1.8072.5", &[1]))
            .expect("registered");
        let regions = Arc::new(DynamicRegions::new());
        registry.attach(Arc::clone(&regions));
        let varbind = |name: &str| VarBind {
            name: oid(name),
            value: Value::Integer(1),
        };
        let answers = vec![
            varbind("1.3.6.1.4.1.8072.1.0"),
            varbind("1.3.6.1.4.1.8072.2.0"),
            // Inside the built-in group, which is more specific: the run ends here.
            varbind("1.3.6.1.4.1.8072.5.1.0"),
            varbind("1.3.6.1.4.1.8072.6.0"),
        ];
        let mut bulky = region("1.3.6.1.4.1.8072", 127, 1, Fixed::new(&[]));
        bulky.handler = Arc::new(Bulky(answers.clone()));
        regions.register(vec![bulky]).expect("registered");
        let scope = registry.scope(b"");
        assert!(scope.has_dynamic());
        let run = scope.next_run(&ctx(), &oid("1.3.6.1.4.1.8072"), 10);
        assert_eq!(run, answers.get(..2).unwrap_or_default());
        assert_eq!(scope.next_run(&ctx(), &oid("1.3.6.1.4.1.8072"), 1).len(), 1);
        // Out of order: nothing is kept after the step back.
        regions.remove_owner(1);
        let mut backwards = region("1.3.6.1.4.1.8072", 127, 2, Fixed::new(&[]));
        backwards.handler = Arc::new(Bulky(vec![
            varbind("1.3.6.1.4.1.8072.2.0"),
            varbind("1.3.6.1.4.1.8072.1.0"),
        ]));
        regions.register(vec![backwards]).expect("registered");
        let run = scope.next_run(&ctx(), &oid("1.3.6.1.4.1.8072.1.0"), 10);
        assert_eq!(run, [varbind("1.3.6.1.4.1.8072.2.0")]);
        // Before a built-in group, no run: the caller goes on with GETNEXT.
        assert!(
            scope
                .next_run(&ctx(), &oid("1.3.6.1.4.1.8072.5"), 10)
                .is_empty()
        );
    }

    #[test]
    fn successors_carry() {
        assert_eq!(successor(&oid("1.3.6.1")), Some(oid("1.3.6.2")));
        assert_eq!(successor(&oid("1.3.4294967295")), Some(oid("1.4")));
    }
}
