//! Names to OIDs and back, in the forms Net-SNMP's tools accept and print:
//! `sysDescr`, `sysDescr.0`, `SNMPv2-MIB::sysDescr.0`, `IF-MIB::ifDescr.3`,
//! `iso.org.dod.internet.mgmt`, `.iso.org.dod`, `.1.3.6.1.2.1.1.1.0`.

use vigie_snmp::Oid;

use crate::error::LookupError;
use crate::tree::{MibSet, Node};

/// A node and the arcs after it: `ifDescr` and `[3]` for `IF-MIB::ifDescr.3`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance<'a> {
    /// The deepest named node on the OID's path.
    pub node: Node<'a>,
    /// The arcs below that node (an instance index, or unknown arcs).
    pub index: Vec<u32>,
}

impl MibSet {
    /// The node named `name` (`ifDescr` or `IF-MIB::ifDescr`), without index.
    ///
    /// Without a module, the first loaded module defining the name wins, as in Net-SNMP's
    /// random access lookup (`-IR`).
    pub fn find(&self, name: &str) -> Option<Node<'_>> {
        match name.split_once("::") {
            Some((module, name)) => self.find_in(Some(module), name),
            None => self.find_in(None, name),
        }
    }

    /// Resolves a name or numeric OID with its index to an OID.
    pub fn resolve(&self, input: &str) -> Result<Oid, LookupError> {
        Ok(Oid::new(&self.resolve_arcs(input)?)?)
    }

    /// Resolves a name or numeric OID to its arcs; unlike [`MibSet::resolve`] this accepts
    /// one-arc names such as `iso`.
    pub fn resolve_arcs(&self, input: &str) -> Result<Vec<u32>, LookupError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(LookupError::Empty);
        }
        // A module name holds no dot, quote or bracket; `::` inside an index is text.
        let split = input
            .split_once("::")
            .filter(|(module, _)| !module.contains(['.', '"', '\'', '[']));
        let (module, path) = match split {
            Some((module, path)) => {
                if self.module_index(module).is_none() {
                    return Err(LookupError::UnknownModule(module.to_owned()));
                }
                (Some(module), path)
            }
            None => (None, input),
        };
        if crate::instance::has_index_syntax(path) {
            return self.resolve_indexed(module, path);
        }
        match self.resolve_plain(module, path) {
            // An enumeration label in an index (`ipAddressIfIndex.ipv4.4.127.0.0.1`).
            Err(LookupError::InvalidArc(arc)) => self
                .resolve_indexed(module, path)
                .map_err(|_| LookupError::InvalidArc(arc)),
            other => other,
        }
    }

    /// Names and numbers separated by dots, without index syntax.
    pub(crate) fn resolve_plain(
        &self,
        module: Option<&str>,
        path: &str,
    ) -> Result<Vec<u32>, LookupError> {
        if let Some(absolute) = path.strip_prefix('.') {
            return self.walk(self.root(), Vec::new(), absolute.split('.'));
        }
        let (first, rest) = path
            .split_once('.')
            .map_or((path, None), |(f, r)| (f, Some(r)));
        let labels = rest.map(|r| r.split('.'));
        if is_number(first) && module.is_none() {
            return self.walk(self.root(), Vec::new(), path.split('.'));
        }
        let node = self
            .find_in(module, first)
            .ok_or_else(|| LookupError::UnknownName(first.to_owned()))?;
        let arcs = node.arcs();
        match labels {
            Some(labels) => self.walk(node, arcs, labels),
            None => Ok(arcs),
        }
    }

    /// The deepest named node on the path of `arcs`, and the arcs below it; `None` when not
    /// even the first arc is known.
    pub fn describe(&self, arcs: &[u32]) -> Option<Instance<'_>> {
        let mut node = self.root();
        let mut named: Option<(Node<'_>, usize)> = None;
        for (depth, &arc) in arcs.iter().enumerate() {
            let Some(child) = node.child(arc) else {
                break;
            };
            node = child;
            if node.name().is_some() {
                named = Some((node, depth + 1));
            }
        }
        let (node, depth) = named?;
        Some(Instance {
            node,
            index: arcs.get(depth..).unwrap_or_default().to_vec(),
        })
    }

    /// Net-SNMP's default rendering of an OID: `IF-MIB::ifDescr.3`,
    /// `SNMP-VIEW-BASED-ACM-MIB::vacmGroupName.3."public"`, or the dotted numbers with a
    /// leading dot when no node is known. [`MibSet::format_oid`] takes the `-O` options.
    pub fn name_of(&self, oid: &Oid) -> String {
        self.format_oid(oid, &crate::instance::OidOptions::new())
    }

    fn find_in(&self, module: Option<&str>, name: &str) -> Option<Node<'_>> {
        let (id, module) = match module {
            Some(module) => {
                let index = self.module_index(module)?;
                (*self.modules.get(index)?.symbols.get(name)?, Some(index))
            }
            None => (*self.by_name.get(name)?.first()?, None),
        };
        Some(self.labelled(id, module, name))
    }

    /// Appends `labels` below `node`: names of children while they are known, then numbers.
    fn walk<'l>(
        &self,
        node: Node<'_>,
        mut arcs: Vec<u32>,
        labels: impl Iterator<Item = &'l str>,
    ) -> Result<Vec<u32>, LookupError> {
        let mut current = Some(node);
        for label in labels {
            if is_number(label) {
                let arc = label
                    .parse::<u32>()
                    .map_err(|_| LookupError::InvalidArc(label.to_owned()))?;
                arcs.push(arc);
                current = current.and_then(|n| n.child(arc));
                continue;
            }
            let child = current.and_then(|n| {
                n.children()
                    .find(|c| c.definitions().any(|(_, name)| name == label))
            });
            let Some(child) = child else {
                return Err(LookupError::InvalidArc(label.to_owned()));
            };
            arcs.push(child.arc());
            current = Some(child);
        }
        Ok(arcs)
    }
}

fn is_number(label: &str) -> bool {
    !label.is_empty() && label.bytes().all(|b| b.is_ascii_digit())
}
