//! Resolution: from parsed modules to the [`MibSet`]: scopes and IMPORTS across modules, the
//! OID tree, type chains, object facts, and the semantic checks.
//!
//! Every phase is driven by explicit work lists or bounded recursion, so hostile modules
//! (cycles, chains a million long) produce diagnostics, never a stack overflow.

mod checks;
mod oids;
mod scope;
#[cfg(test)]
mod tests;
mod types;

use crate::fxhash::{FxHashMap, FxHashSet};

use crate::builtin;
use crate::diagnostic::{Diagnostic, DiagnosticKind, Pos};
use crate::loader::Source;
use crate::parser::ast::{Body, Definition, SmiVersion};
use crate::tree::{Label, MibSet, ModuleData, NodeData, NodeId, NodeKind, Origin};

use self::oids::OidState;
use self::scope::Scope;
use self::types::TypeState;

/// Resolves `sources` (in load order: where modules define the same name at the same
/// node, the first one's name is the node's primary name) into a tree.
/// A tree of the three ASN.1 roots alone: Net-SNMP's tree when no module is loaded.
pub(crate) fn asn1_roots() -> MibSet {
    let mut mib = MibSet {
        nodes: vec![NodeData {
            arc: 0,
            parent: NodeId::ROOT,
            children: Vec::new(),
            labels: Vec::new(),
        }],
        modules: Vec::new(),
        objects: Vec::new(),
        by_name: FxHashMap::default(),
        diagnostics: Vec::new(),
    };
    for &(name, arcs) in builtin::ROOTS {
        if let ([arc], true) = (arcs, builtin::ASN1_ROOTS.contains(&name)) {
            let node = insert_child(&mut mib, NodeId::ROOT, *arc);
            push_label(&mut mib, node, name, Origin::Asn1, NodeKind::Builtin);
        }
    }
    mib
}

pub(crate) fn build(sources: &[&Source]) -> MibSet {
    let mut builder = Builder::new(sources);
    builder.check_imports();
    builder.resolve_oids();
    builder.resolve_objects();
    builder.check_definitions();
    builder.finish()
}

struct Builder<'s> {
    sources: &'s [&'s Source],
    mib: MibSet,
    scopes: Vec<Scope<'s>>,
    module_by_name: FxHashMap<&'s str, usize>,
    oid_state: Vec<Vec<OidState>>,
    type_state: Vec<Vec<TypeState>>,
    /// Object index of each OBJECT-TYPE definition, by (module, definition).
    object_of: FxHashMap<(usize, usize), usize>,
    /// (module, name) pairs already reported as used without import.
    reported: FxHashSet<(usize, String)>,
    diagnostics: Vec<(usize, Diagnostic)>,
}

impl<'s> Builder<'s> {
    fn new(sources: &'s [&'s Source]) -> Self {
        let mut mib = MibSet {
            nodes: vec![NodeData {
                arc: 0,
                parent: NodeId::ROOT,
                children: Vec::new(),
                labels: Vec::new(),
            }],
            modules: Vec::new(),
            objects: Vec::new(),
            by_name: FxHashMap::default(),
            diagnostics: Vec::new(),
        };
        // Room for a node and a name per definition with an OID, the most the modules can
        // add: grown by doubling, the node table and the name index would be copied over
        // and over, and each copy left behind.
        let defined = sources
            .iter()
            .flat_map(|s| &s.module.definitions)
            .filter(|d| {
                !matches!(
                    d.body,
                    Body::Type(_) | Body::TextualConvention(_) | Body::Macro | Body::OtherValue
                )
            })
            .count()
            + builtin::ROOTS.len();
        mib.nodes.reserve(defined);
        mib.by_name.reserve(defined);
        for &(name, arcs) in builtin::ROOTS {
            let mut node = NodeId::ROOT;
            for &arc in arcs {
                node = insert_child(&mut mib, node, arc);
            }
            let origin = if builtin::ASN1_ROOTS.contains(&name) {
                Origin::Asn1
            } else {
                Origin::Builtin(builtin::ROOTS_MODULE)
            };
            push_label(&mut mib, node, name, origin, NodeKind::Builtin);
        }
        let mut module_by_name = FxHashMap::default();
        let mut builder_diagnostics = Vec::new();
        let mut scopes = Vec::new();
        for (m, source) in sources.iter().enumerate() {
            module_by_name
                .entry(source.module.name.as_str())
                .or_insert(m);
            mib.modules.push(ModuleData {
                name: source.module.name.clone(),
                version: source.module.version,
                path: source.path.clone(),
                symbols: FxHashMap::default(),
            });
            let (scope, duplicates) = Scope::new(&source.module);
            for (definition, first) in duplicates {
                builder_diagnostics.push((
                    m,
                    diagnostic(
                        &source.module.name,
                        DiagnosticKind::DuplicateDefinition,
                        definition.pos,
                        format!(
                            "`{}` is already defined at line {}; the first definition is kept",
                            definition.name, first.line
                        ),
                    ),
                ));
            }
            scopes.push(scope);
        }
        Self {
            sources,
            mib,
            scopes,
            module_by_name,
            oid_state: sources
                .iter()
                .map(|s| vec![OidState::Unvisited; s.module.definitions.len()])
                .collect(),
            type_state: sources
                .iter()
                .map(|s| vec![TypeState::Unvisited; s.module.definitions.len()])
                .collect(),
            object_of: FxHashMap::default(),
            reported: FxHashSet::default(),
            diagnostics: builder_diagnostics,
        }
    }

    fn finish(mut self) -> MibSet {
        self.diagnostics
            .sort_by_key(|(m, d)| (*m, d.line, d.column));
        self.mib.diagnostics = self.diagnostics.into_iter().map(|(_, d)| d).collect();
        self.mib
    }

    fn definition(&self, m: usize, d: usize) -> Option<&'s Definition> {
        self.sources
            .get(m)
            .and_then(|s| s.module.definitions.get(d))
    }

    fn module_name(&self, m: usize) -> &'s str {
        self.sources.get(m).map_or("", |s| s.module.name.as_str())
    }

    fn version(&self, m: usize) -> SmiVersion {
        self.sources
            .get(m)
            .map_or(SmiVersion::V2, |s| s.module.version)
    }

    fn report(&mut self, m: usize, kind: DiagnosticKind, pos: Pos, message: String) {
        let d = diagnostic(self.module_name(m), kind, pos, message);
        self.diagnostics.push((m, d));
    }

    /// Reports once per module a symbol used without being imported.
    fn report_implicit(&mut self, m: usize, name: &str, pos: Pos, from: &str) {
        if builtin::is_smi_module(self.module_name(m))
            || !self.reported.insert((m, name.to_owned()))
        {
            return;
        }
        self.report(
            m,
            DiagnosticKind::ImplicitImport,
            pos,
            format!("`{name}` is used without being imported (found in {from})"),
        );
    }

    /// Adds the label of definition `d` of module `m` to `node`.
    fn attach(&mut self, node: NodeId, m: usize, d: usize) {
        let Some(definition) = self.definition(m, d) else {
            return;
        };
        let kind = match &definition.body {
            Body::ModuleIdentity(_) => NodeKind::ModuleIdentity,
            Body::ObjectIdentity(_) => NodeKind::ObjectIdentity,
            Body::ObjectType(_) => NodeKind::Scalar,
            Body::Notification(_) => NodeKind::Notification,
            Body::Trap(_) => NodeKind::Trap,
            Body::Group(g) => match g.kind {
                crate::parser::ast::GroupKind::Objects => NodeKind::ObjectGroup,
                crate::parser::ast::GroupKind::Notifications => NodeKind::NotificationGroup,
            },
            Body::Compliance(_) => NodeKind::Compliance,
            Body::Capabilities(_) => NodeKind::Capabilities,
            _ => NodeKind::OidValue,
        };
        push_label(
            &mut self.mib,
            node,
            &definition.name,
            Origin::Module(m),
            kind,
        );
        let members = match &definition.body {
            Body::Notification(n) => n.objects.iter().map(|o| o.name.clone()).collect(),
            Body::Trap(t) => t.variables.iter().map(|v| v.name.clone()).collect(),
            _ => Vec::new(),
        };
        if let Some(label) = self.mib.nodes.get_mut(node.index()).and_then(|data| {
            data.labels
                .iter_mut()
                .find(|l| l.name == definition.name && l.origin == Origin::Module(m))
        }) {
            label.description.clone_from(&definition.description);
            label.members = members;
        }
        if let Some(module) = self.mib.modules.get_mut(m) {
            module
                .symbols
                .entry(definition.name.clone())
                .or_insert(node);
        }
    }
}

/// The child of `parent` at `arc`, created if missing (children stay sorted by arc).
fn insert_child(mib: &mut MibSet, parent: NodeId, arc: u32) -> NodeId {
    let position = {
        let children = &mib.data(parent).children;
        children.binary_search_by_key(&arc, |&c| mib.data(c).arc)
    };
    match position {
        Ok(i) => mib
            .data(parent)
            .children
            .get(i)
            .copied()
            .unwrap_or(NodeId::ROOT),
        Err(i) => {
            let id = NodeId::from_index(mib.nodes.len());
            mib.nodes.push(NodeData {
                arc,
                parent,
                children: Vec::new(),
                labels: Vec::new(),
            });
            if let Some(data) = mib.nodes.get_mut(parent.index()) {
                data.children.insert(i, id);
            }
            id
        }
    }
}

/// Adds a label to `node`: a module's definition replaces a built-in label of the same
/// name; otherwise labels keep load order, the first being the primary name.
fn push_label(mib: &mut MibSet, node: NodeId, name: &str, origin: Origin, kind: NodeKind) {
    let Some(data) = mib.nodes.get_mut(node.index()) else {
        return;
    };
    let label = Label {
        name: name.to_owned(),
        origin,
        kind,
        object: None,
        description: None,
        members: Vec::new(),
    };
    let builtin = data
        .labels
        .iter()
        .position(|l| l.name == name && !matches!(l.origin, Origin::Module(_)));
    if let Some(i) = builtin {
        if matches!(origin, Origin::Module(_)) {
            if let Some(slot) = data.labels.get_mut(i) {
                *slot = label;
            }
        }
        return;
    }
    if data
        .labels
        .iter()
        .any(|l| l.name == name && l.origin == origin)
    {
        return;
    }
    // The first module loaded names the node, as in Net-SNMP, whose tree keeps the first
    // definition's module for a name several modules define. Nearly every node has one
    // label: room for exactly one, where a first push would make room for four.
    if data.labels.is_empty() {
        data.labels.reserve_exact(1);
    }
    data.labels.push(label);
    let nodes = mib.by_name.entry(name.to_owned()).or_default();
    if !nodes.contains(&node) {
        nodes.push(node);
    }
}

fn diagnostic(module: &str, kind: DiagnosticKind, pos: Pos, message: String) -> Diagnostic {
    let mut d = Diagnostic::new(kind, pos, message);
    d.module = module.to_owned();
    d
}
