//! The OID tree: every definition with an OID value gets its node, forward references and
//! references across modules included (RFC 2578 §3.5). TRAP-TYPEs go to
//! `enterprise.0.number` (RFC 3584 §3.2).

use std::borrow::Cow;

use crate::diagnostic::{DiagnosticKind, Pos};
use crate::parser::ast::{Body, Ident, OidComponent};
use crate::tree::NodeId;

use super::scope::ValueTarget;
use super::{Builder, insert_child, push_label};

/// Where the resolution of one definition's OID stands.
#[derive(Debug, Clone, Copy)]
pub(super) enum OidState {
    Unvisited,
    InProgress,
    Done(NodeId),
    Failed,
}

impl<'s> Builder<'s> {
    pub(super) fn resolve_oids(&mut self) {
        for m in 0..self.sources.len() {
            let count = self.oid_state.get(m).map_or(0, Vec::len);
            for d in 0..count {
                if self.has_oid(m, d) {
                    self.oid_of(m, d);
                }
            }
        }
    }

    /// The node of definition `d` of module `m`, resolving what it depends on first.
    ///
    /// Depth-first with an explicit stack: a chain of definitions each naming the next as
    /// parent may be as long as the input, and must not grow the call stack.
    pub(super) fn oid_of(&mut self, m: usize, d: usize) -> Option<NodeId> {
        let mut stack = vec![(m, d)];
        while let Some(&(m, d)) = stack.last() {
            match self.state(m, d) {
                OidState::Done(_) | OidState::Failed => {
                    stack.pop();
                    continue;
                }
                OidState::Unvisited | OidState::InProgress => {}
            }
            let Some((components, pos)) = self.components(m, d) else {
                self.set_state(m, d, OidState::Failed);
                stack.pop();
                continue;
            };
            let Some((first, rest)) = components.split_first() else {
                self.set_state(m, d, OidState::Failed);
                stack.pop();
                continue;
            };
            let base = match first {
                OidComponent::Number(arc) => insert_child(&mut self.mib, NodeId::ROOT, *arc),
                OidComponent::NamedNumber(name, arc) => {
                    let node = insert_child(&mut self.mib, NodeId::ROOT, *arc);
                    self.name_arc(node, name, m);
                    node
                }
                OidComponent::Name(name) => match self.parent_of(m, d, name) {
                    Step::Node(node) => node,
                    Step::Wait(next) => {
                        self.set_state(m, d, OidState::InProgress);
                        stack.push(next);
                        continue;
                    }
                    Step::Fail => {
                        self.set_state(m, d, OidState::Failed);
                        stack.pop();
                        continue;
                    }
                },
            };
            let node = self.descend(m, base, rest, pos);
            match node {
                Some(node) => {
                    self.set_state(m, d, OidState::Done(node));
                    self.attach(node, m, d);
                }
                None => self.set_state(m, d, OidState::Failed),
            }
            stack.pop();
        }
        match self.state(m, d) {
            OidState::Done(node) => Some(node),
            _ => None,
        }
    }

    /// The node a definition's first OID component names, or the definition to resolve first.
    fn parent_of(&mut self, m: usize, d: usize, name: &Ident) -> Step {
        match self.value_target(m, &name.name, name.pos) {
            ValueTarget::Node(node) => Step::Node(node),
            ValueTarget::Definition(m2, d2) => match self.state(m2, d2) {
                OidState::Done(node) => Step::Node(node),
                // Its own failure was reported where it happened.
                OidState::Failed => Step::Fail,
                OidState::Unvisited if (m2, d2) != (m, d) => Step::Wait((m2, d2)),
                OidState::Unvisited | OidState::InProgress => {
                    let defined = self.definition(m, d).map_or("", |def| def.name.as_str());
                    self.report(
                        m,
                        DiagnosticKind::CyclicDefinition,
                        name.pos,
                        format!(
                            "the OID of `{defined}` depends on itself through `{}`",
                            name.name
                        ),
                    );
                    Step::Fail
                }
            },
            ValueTarget::Unknown => {
                let defined = self.definition(m, d).map_or("", |def| def.name.as_str());
                self.report(
                    m,
                    DiagnosticKind::UnknownParent,
                    name.pos,
                    format!(
                        "`{}`, parent of `{defined}`, is not defined or imported",
                        name.name
                    ),
                );
                Step::Fail
            }
        }
    }

    /// Walks the arcs after the first component, creating nodes.
    fn descend(
        &mut self,
        m: usize,
        mut node: NodeId,
        rest: &[OidComponent],
        pos: Pos,
    ) -> Option<NodeId> {
        for component in rest {
            node = match component {
                OidComponent::Number(arc) => insert_child(&mut self.mib, node, *arc),
                OidComponent::NamedNumber(name, arc) => {
                    let child = insert_child(&mut self.mib, node, *arc);
                    self.name_arc(child, name, m);
                    child
                }
                OidComponent::Name(name) => {
                    // `{ iso org dod 1 }`: only a name already known as a child fits here.
                    let child = self.mib.node(node).and_then(|n| {
                        n.children()
                            .find(|c| c.name() == Some(name.name.as_str()))
                            .map(|c| c.id())
                    });
                    let Some(child) = child else {
                        self.report(
                            m,
                            DiagnosticKind::UnknownParent,
                            pos,
                            format!("`{}` is not a child of the OID before it", name.name),
                        );
                        return None;
                    };
                    child
                }
            };
        }
        Some(node)
    }

    /// `org(3)` inside an OID value names the arc, unless it has another name already; the
    /// same name adds the module to those defining it (Net-SNMP's `-- FROM` list).
    fn name_arc(&mut self, node: NodeId, name: &Ident, m: usize) {
        let named_otherwise = self
            .mib
            .node(node)
            .is_some_and(|n| n.name().is_some_and(|existing| existing != name.name));
        if !named_otherwise {
            push_label(
                &mut self.mib,
                node,
                &name.name,
                crate::tree::Origin::Module(m),
                crate::tree::NodeKind::OidValue,
            );
        }
    }

    /// The OID value of a definition; a TRAP-TYPE's is `{ enterprise 0 number }`.
    fn components(&self, m: usize, d: usize) -> Option<(Cow<'s, [OidComponent]>, Pos)> {
        let definition = self.definition(m, d)?;
        let value = match &definition.body {
            Body::OidValue(v) | Body::Compliance(v) | Body::Capabilities(v) => v,
            Body::ModuleIdentity(i) => &i.oid,
            Body::ObjectIdentity(i) => &i.oid,
            Body::ObjectType(o) => &o.oid,
            Body::Notification(n) => &n.oid,
            Body::Group(g) => &g.oid,
            Body::Trap(trap) => {
                let components = vec![
                    OidComponent::Name(trap.enterprise.clone()),
                    OidComponent::Number(0),
                    OidComponent::Number(trap.number),
                ];
                return Some((Cow::Owned(components), definition.pos));
            }
            Body::Type(_) | Body::TextualConvention(_) | Body::Macro | Body::OtherValue => {
                return None;
            }
        };
        Some((Cow::Borrowed(value.components.as_slice()), value.pos))
    }

    pub(super) fn state(&self, m: usize, d: usize) -> OidState {
        self.oid_state
            .get(m)
            .and_then(|v| v.get(d))
            .copied()
            .unwrap_or(OidState::Failed)
    }

    fn set_state(&mut self, m: usize, d: usize, state: OidState) {
        if let Some(slot) = self.oid_state.get_mut(m).and_then(|v| v.get_mut(d)) {
            *slot = state;
        }
    }
}

enum Step {
    Node(NodeId),
    Wait((usize, usize)),
    Fail,
}
