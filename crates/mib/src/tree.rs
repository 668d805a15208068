//! The resolved MIB: the OID tree with its names, and the facts of each object.
//!
//! A [`MibSet`] is immutable once built by [`crate::Loader::build`]; it is cheap to share
//! between threads. [`Node`] is a borrowed handle on one node of its tree.

use crate::fxhash::FxHashMap;
use std::path::PathBuf;

use vigie_snmp::{Oid, OidError};

use crate::diagnostic::Diagnostic;
use crate::parser::ast::{Access, DefVal, NamedNumber, Range, SmiVersion, Status};

/// A set of resolved MIB modules: the OID tree, names both ways, and object facts.
#[derive(Debug, Clone)]
pub struct MibSet {
    pub(crate) nodes: Vec<NodeData>,
    pub(crate) modules: Vec<ModuleData>,
    pub(crate) objects: Vec<ObjectType>,
    /// Every label, to the nodes carrying it, in load order.
    pub(crate) by_name: FxHashMap<String, Vec<NodeId>>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl MibSet {
    /// The diagnostics of every loaded module, in load order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The names of the loaded modules, in load order.
    pub fn module_names(&self) -> impl Iterator<Item = &str> {
        self.modules.iter().map(|m| m.name.as_str())
    }

    /// The file a module was read from, when it came from a file.
    pub fn module_path(&self, module: &str) -> Option<&std::path::Path> {
        self.module_index(module)
            .and_then(|i| self.modules.get(i))
            .and_then(|m| m.path.as_deref())
    }

    /// The SMI version of a loaded module.
    pub fn module_version(&self, module: &str) -> Option<SmiVersion> {
        self.module_index(module)
            .and_then(|i| self.modules.get(i))
            .map(|m| m.version)
    }

    /// The node of `id` (ids come from [`Node::id`], [`ObjectType::index`] and the like).
    pub fn node(&self, id: NodeId) -> Option<Node<'_>> {
        self.nodes.get(id.index()).map(|_| Node {
            mib: self,
            id,
            label: 0,
        })
    }

    /// The node `id` read through its label `name` from `module` (`None`: any module).
    pub(crate) fn labelled(&self, id: NodeId, module: Option<usize>, name: &str) -> Node<'_> {
        let label = self
            .data(id)
            .labels
            .iter()
            .position(|l| l.name == name && module.is_none_or(|m| l.origin == Origin::Module(m)))
            .unwrap_or(0);
        Node {
            mib: self,
            id,
            label,
        }
    }

    /// A tree holding only `ccitt(0)`, `iso(1)` and `joint-iso-ccitt(2)`: what Net-SNMP's
    /// tools see with no module loaded (`-m ''`), where `snmptranslate -Tp 1` draws `iso`
    /// alone and `-Td 1.3` describes `iso.3`.
    pub fn asn1_roots() -> Self {
        crate::resolve::asn1_roots()
    }

    /// The root of the tree, above `ccitt(0)`, `iso(1)` and `joint-iso-ccitt(2)`.
    pub fn root(&self) -> Node<'_> {
        Node {
            mib: self,
            id: NodeId::ROOT,
            label: 0,
        }
    }

    /// Number of nodes in the tree, the root included.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Always false: the tree holds at least the root and the well-known nodes.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub(crate) fn module_index(&self, name: &str) -> Option<usize> {
        self.modules.iter().position(|m| m.name == name)
    }

    pub(crate) fn data(&self, id: NodeId) -> &NodeData {
        // Ids are only made by this crate, for nodes of this set; index 0 always exists.
        self.nodes
            .get(id.index())
            .or_else(|| self.nodes.first())
            .expect("a MibSet always has its root node")
    }
}

/// Opaque identifier of a node in one [`MibSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(u32);

impl NodeId {
    pub(crate) const ROOT: Self = Self(0);

    pub(crate) fn from_index(index: usize) -> Self {
        // The tree is bounded by the input size; 4 billion nodes would take terabytes.
        Self(u32::try_from(index).unwrap_or(u32::MAX))
    }

    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// A node of the tree, borrowed from its [`MibSet`].
///
/// A node defined by several modules (`IF-MIB::ifDescr` and `RFC1213-MIB::ifDescr`) has one
/// label per definition; the handle reads one of them: the one asked for by
/// [`MibSet::find`] with a module, otherwise the primary one: the first in load order, as
/// Net-SNMP names a node after the first module that defined it.
#[derive(Clone, Copy)]
pub struct Node<'a> {
    mib: &'a MibSet,
    id: NodeId,
    label: usize,
}

impl<'a> Node<'a> {
    /// This node's id.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// Its name (`ifDescr`), or `None` for an arc no module names.
    pub fn name(&self) -> Option<&'a str> {
        self.label().map(|l| l.name.as_str())
    }

    /// The module defining it (`IF-MIB`); `None` for `iso`, `ccitt` and unnamed arcs.
    pub fn module(&self) -> Option<&'a str> {
        self.label().and_then(|l| self.origin_name(l.origin))
    }

    /// `MODULE::name`, just `name` for the ASN.1 roots, or the arc for an unnamed node.
    pub fn qualified_name(&self) -> String {
        match (self.module(), self.name()) {
            (Some(module), Some(name)) => format!("{module}::{name}"),
            (None, Some(name)) => name.to_owned(),
            _ => self.arc().to_string(),
        }
    }

    /// Every (module, name) pair defining this node, the primary one first.
    pub fn definitions(&self) -> impl Iterator<Item = (Option<&'a str>, &'a str)> + 'a {
        let mib = self.mib;
        let node = *self;
        mib.data(self.id)
            .labels
            .iter()
            .map(move |l| (node.origin_name(l.origin), l.name.as_str()))
    }

    /// Its last arc.
    pub fn arc(&self) -> u32 {
        self.mib.data(self.id).arc
    }

    /// Its arcs from the root.
    pub fn arcs(&self) -> Vec<u32> {
        let mut arcs = Vec::new();
        let mut id = self.id;
        while id != NodeId::ROOT {
            let data = self.mib.data(id);
            arcs.push(data.arc);
            id = data.parent;
        }
        arcs.reverse();
        arcs
    }

    /// Its OID; fails for the one-arc roots (`iso`), which an SNMP OID cannot be.
    pub fn oid(&self) -> Result<Oid, OidError> {
        Oid::new(&self.arcs())
    }

    /// Its parent, `None` for the root.
    pub fn parent(&self) -> Option<Self> {
        (self.id != NodeId::ROOT).then(|| Self {
            mib: self.mib,
            id: self.mib.data(self.id).parent,
            label: 0,
        })
    }

    /// Its children, in arc order.
    pub fn children(&self) -> impl Iterator<Item = Node<'a>> + 'a {
        let mib = self.mib;
        mib.data(self.id)
            .children
            .iter()
            .map(move |&id| Node { mib, id, label: 0 })
    }

    /// The child at `arc`.
    pub fn child(&self, arc: u32) -> Option<Self> {
        let children = &self.mib.data(self.id).children;
        children
            .binary_search_by_key(&arc, |&c| self.mib.data(c).arc)
            .ok()
            .and_then(|i| children.get(i))
            .map(|&id| Self {
                mib: self.mib,
                id,
                label: 0,
            })
    }

    /// What its definition is.
    pub fn kind(&self) -> NodeKind {
        self.label().map_or(NodeKind::Implicit, |l| l.kind)
    }

    /// The OBJECT-TYPE facts, for scalars, tables, rows and columns.
    pub fn object(&self) -> Option<&'a ObjectType> {
        self.label()
            .and_then(|l| l.object)
            .and_then(|i| self.mib.objects.get(i))
    }

    /// The DESCRIPTION text as written between the quotes, when the defining module was
    /// read from a file (the built-in modules carry no description text).
    pub fn description(&self) -> Option<&'a str> {
        self.label().and_then(|l| l.description.as_deref())
    }

    /// The OBJECTS of a NOTIFICATION-TYPE or the VARIABLES of a TRAP-TYPE, as written.
    pub fn notification_objects(&self) -> &'a [String] {
        self.label().map_or(&[], |l| l.members.as_slice())
    }

    fn label(&self) -> Option<&'a Label> {
        let labels = &self.mib.data(self.id).labels;
        labels.get(self.label).or_else(|| labels.first())
    }

    fn origin_name(&self, origin: Origin) -> Option<&'a str> {
        match origin {
            Origin::Asn1 => None,
            Origin::Builtin(module) => Some(module),
            Origin::Module(i) => self.mib.modules.get(i).map(|m| m.name.as_str()),
        }
    }
}

impl core::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Node({} = {:?})", self.qualified_name(), self.arcs())
    }
}

impl PartialEq for Node<'_> {
    /// Same set, same node, same label.
    fn eq(&self, other: &Self) -> bool {
        core::ptr::eq(self.mib, other.mib) && self.id == other.id && self.label == other.label
    }
}

impl Eq for Node<'_> {}

/// What a node is, from the macro that defined it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NodeKind {
    /// An arc created on the way to a definition, which nothing names.
    Implicit,
    /// A well-known node built into the compiler.
    Builtin,
    /// `OBJECT IDENTIFIER ::=`, or a name given inside an OID value (`org(3)`).
    OidValue,
    /// MODULE-IDENTITY.
    ModuleIdentity,
    /// OBJECT-IDENTITY.
    ObjectIdentity,
    /// An OBJECT-TYPE outside any table.
    Scalar,
    /// An OBJECT-TYPE with `SEQUENCE OF` syntax.
    Table,
    /// The entry (row) of a table.
    Row,
    /// A column of a table's entry.
    Column,
    /// NOTIFICATION-TYPE.
    Notification,
    /// TRAP-TYPE, placed at `enterprise.0.number` (RFC 3584 §3.2).
    Trap,
    /// OBJECT-GROUP.
    ObjectGroup,
    /// NOTIFICATION-GROUP.
    NotificationGroup,
    /// MODULE-COMPLIANCE.
    Compliance,
    /// AGENT-CAPABILITIES.
    Capabilities,
}

/// The facts of an OBJECT-TYPE (RFC 2578 §7), types resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectType {
    /// SYNTAX, resolved through its type chain; `None` when the type is unknown.
    pub syntax: Option<Syntax>,
    /// MAX-ACCESS or ACCESS.
    pub access: Option<Access>,
    /// STATUS.
    pub status: Option<Status>,
    /// UNITS.
    pub units: Option<String>,
    /// INDEX, in order.
    pub index: Vec<IndexPart>,
    /// AUGMENTS: the row this row extends, which gives its index.
    pub augments: Option<NodeId>,
    /// DEFVAL, as written.
    pub defval: Option<DefVal>,
}

/// One INDEX element.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IndexPart {
    /// The name as written.
    pub name: String,
    /// The index object, when it resolves.
    pub node: Option<NodeId>,
    /// IMPLIED (RFC 2578 §7.7).
    pub implied: bool,
}

/// A resolved SYNTAX: the base type and what the type chain adds (RFC 2578 §7.1, RFC 2579).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Syntax {
    /// The SMI base type at the end of the chain.
    pub base: BaseType,
    /// The type named in the SYNTAX clause (`InterfaceIndex`, `Integer32`), if any.
    pub type_name: Option<String>,
    /// The nearest textual convention or defined type in the chain (`DisplayString`).
    pub textual_convention: Option<String>,
    /// The nearest DISPLAY-HINT in the chain (RFC 2579 §3.1).
    pub hint: Option<String>,
    /// Enumeration labels of an INTEGER.
    pub enums: Vec<NamedNumber>,
    /// Bit labels of BITS.
    pub bits: Vec<NamedNumber>,
    /// Value ranges, innermost refinement wins.
    pub ranges: Vec<Range>,
    /// SIZE ranges, innermost refinement wins.
    pub sizes: Vec<Range>,
    /// The entry type of a `SEQUENCE OF`.
    pub entry: Option<String>,
}

impl Syntax {
    pub(crate) fn base(base: BaseType) -> Self {
        Self {
            base,
            type_name: None,
            textual_convention: None,
            hint: None,
            enums: Vec::new(),
            bits: Vec::new(),
            ranges: Vec::new(),
            sizes: Vec::new(),
            entry: None,
        }
    }

    /// The label of an enumeration value (`up` for 1 in `ifOperStatus`).
    pub fn enum_label(&self, value: i64) -> Option<&str> {
        self.enums
            .iter()
            .find(|e| e.value == value)
            .map(|e| e.name.as_str())
    }
}

/// SMI base types (RFC 2578 §7.1; RFC 1155 §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BaseType {
    /// `INTEGER`, with or without enumerations.
    Integer,
    /// `Integer32`.
    Integer32,
    /// `Unsigned32`.
    Unsigned32,
    /// `Counter32` (SMIv1 `Counter`).
    Counter32,
    /// `Gauge32` (SMIv1 `Gauge`).
    Gauge32,
    /// `Counter64`.
    Counter64,
    /// `TimeTicks`.
    TimeTicks,
    /// `IpAddress` (SMIv1 `NetworkAddress` too).
    IpAddress,
    /// `Opaque`.
    Opaque,
    /// `OCTET STRING`.
    OctetString,
    /// `OBJECT IDENTIFIER`.
    ObjectIdentifier,
    /// `BITS`.
    Bits,
    /// `SEQUENCE OF`: a table.
    SequenceOf,
    /// `SEQUENCE`: a table entry.
    Sequence,
    /// `NULL` and `CHOICE`, which only the SMI modules themselves use.
    Other,
}

#[derive(Debug, Clone)]
pub(crate) struct ModuleData {
    pub(crate) name: String,
    pub(crate) version: SmiVersion,
    pub(crate) path: Option<PathBuf>,
    /// Names defined in this module with an OID, to their nodes.
    pub(crate) symbols: FxHashMap<String, NodeId>,
}

#[derive(Debug, Clone)]
pub(crate) struct NodeData {
    pub(crate) arc: u32,
    pub(crate) parent: NodeId,
    /// Sorted by arc.
    pub(crate) children: Vec<NodeId>,
    /// The primary label first.
    pub(crate) labels: Vec<Label>,
}

#[derive(Debug, Clone)]
pub(crate) struct Label {
    pub(crate) name: String,
    pub(crate) origin: Origin,
    pub(crate) kind: NodeKind,
    pub(crate) object: Option<usize>,
    /// The DESCRIPTION as written, for modules read from files.
    pub(crate) description: Option<String>,
    /// OBJECTS of a NOTIFICATION-TYPE, VARIABLES of a TRAP-TYPE.
    pub(crate) members: Vec<String>,
}

/// Where a label comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    Asn1,
    Builtin(&'static str),
    Module(usize),
}
