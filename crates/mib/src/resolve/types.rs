//! Types and objects: SYNTAX resolved through chains of textual conventions to a base type
//! (RFC 2579 §3: the nearest DISPLAY-HINT, enumerations and ranges win), then the facts of
//! every OBJECT-TYPE and its place in a table.

use crate::diagnostic::DiagnosticKind;
use crate::parser::ast::{Body, Constraint, IndexItem, Syntax as SyntaxAst, SyntaxKind};
use crate::tree::{BaseType, IndexPart, NodeId, NodeKind, ObjectType, Origin, Syntax};

use super::Builder;
use super::scope::{TypeTarget, ValueTarget};

/// Where the resolution of one type definition stands.
#[derive(Debug, Clone)]
pub(super) enum TypeState {
    Unvisited,
    InProgress,
    Done(Option<Box<Syntax>>),
}

impl<'s> Builder<'s> {
    /// Resolves every OBJECT-TYPE's facts, then every unused type (to report its errors),
    /// then classifies tables, rows and columns.
    pub(super) fn resolve_objects(&mut self) {
        let sources = self.sources;
        // Room for every object at once: grown by doubling, the table would leave as much
        // again behind in freed copies.
        let objects = sources
            .iter()
            .flat_map(|s| &s.module.definitions)
            .filter(|d| matches!(d.body, Body::ObjectType(_)))
            .count();
        self.mib.objects.reserve_exact(objects);
        for (m, source) in sources.iter().enumerate() {
            for (d, definition) in source.module.definitions.iter().enumerate() {
                match &definition.body {
                    Body::ObjectType(object) => {
                        let super::oids::OidState::Done(node) = self.state(m, d) else {
                            continue;
                        };
                        let syntax = object.syntax.as_ref().and_then(|s| self.syntax(m, s, 0));
                        let index = object.index.iter().map(|i| self.index_part(m, i)).collect();
                        let augments = object
                            .augments
                            .as_ref()
                            .and_then(|a| self.object_reference(m, &a.name, a.pos, "AUGMENTS"));
                        let facts = ObjectType {
                            syntax,
                            access: object.access.map(|a| a.access),
                            status: object.status.map(|s| s.0),
                            units: object.units.clone(),
                            index,
                            augments,
                            defval: object.defval.as_ref().map(|d| d.0.clone()),
                        };
                        let id = self.mib.objects.len();
                        self.mib.objects.push(facts);
                        self.object_of.insert((m, d), id);
                        self.set_label_object(node, m, &definition.name, id);
                    }
                    Body::Type(_) | Body::TextualConvention(_) => {
                        self.type_definition(m, d, 0);
                    }
                    _ => {}
                }
            }
        }
        self.classify();
    }

    /// A SYNTAX clause in module `m`.
    pub(super) fn syntax(&mut self, m: usize, ast: &'s SyntaxAst, depth: u32) -> Option<Syntax> {
        if depth > MAX_CHAIN {
            self.report(
                m,
                DiagnosticKind::NestingTooDeep,
                ast.pos,
                format!("type chain longer than {MAX_CHAIN}"),
            );
            return None;
        }
        let syntax = match &ast.kind {
            SyntaxKind::Integer { enums, constraint } => {
                let mut s = Syntax::base(BaseType::Integer);
                s.enums.clone_from(enums);
                refine(&mut s, constraint.as_ref());
                s
            }
            SyntaxKind::OctetString(constraint) => {
                let mut s = Syntax::base(BaseType::OctetString);
                refine(&mut s, constraint.as_ref());
                s
            }
            SyntaxKind::ObjectIdentifier => Syntax::base(BaseType::ObjectIdentifier),
            SyntaxKind::Bits(bits) => {
                let mut s = Syntax::base(BaseType::Bits);
                s.bits.clone_from(bits);
                s
            }
            SyntaxKind::SequenceOf(entry) => {
                let mut s = Syntax::base(BaseType::SequenceOf);
                s.entry = Some(entry.name.clone());
                s
            }
            SyntaxKind::Sequence(_) => Syntax::base(BaseType::Sequence),
            SyntaxKind::Choice(_) | SyntaxKind::Null => Syntax::base(BaseType::Other),
            SyntaxKind::Tagged { number, inner } => {
                let mut s = self.syntax(m, inner, depth + 1)?;
                s.base = application_type(*number).unwrap_or(s.base);
                s
            }
            SyntaxKind::Named {
                name,
                enums,
                constraint,
            } => {
                let mut s = match self.type_target(m, &name.name, name.pos) {
                    TypeTarget::Base(base) => Syntax::base(base),
                    TypeTarget::Definition(m2, d2) => {
                        let mut s = self.type_definition(m2, d2, depth + 1)?;
                        // A table entry's SEQUENCE is a type, not a textual convention.
                        if s.base != BaseType::Sequence {
                            s.textual_convention = Some(name.name.clone());
                        }
                        s
                    }
                    TypeTarget::Unknown => {
                        self.report(
                            m,
                            DiagnosticKind::UnknownType,
                            name.pos,
                            format!("type `{}` is not defined, imported or built in", name.name),
                        );
                        return None;
                    }
                };
                s.type_name = Some(name.name.clone());
                if !enums.is_empty() {
                    if s.base == BaseType::Bits {
                        s.bits.clone_from(enums);
                    } else {
                        s.enums.clone_from(enums);
                    }
                }
                refine(&mut s, constraint.as_ref());
                s
            }
        };
        Some(syntax)
    }

    /// The resolved syntax of a type assignment or TEXTUAL-CONVENTION, memoized.
    fn type_definition(&mut self, m: usize, d: usize, depth: u32) -> Option<Syntax> {
        let state = self.type_state.get(m).and_then(|v| v.get(d)).cloned();
        match state {
            Some(TypeState::Done(syntax)) => return syntax.map(|s| *s),
            Some(TypeState::InProgress) => {
                if let Some(definition) = self.definition(m, d) {
                    let message =
                        format!("type `{}` is defined in terms of itself", definition.name);
                    self.report(m, DiagnosticKind::CyclicDefinition, definition.pos, message);
                }
                self.set_type_state(m, d, TypeState::Done(None));
                return None;
            }
            Some(TypeState::Unvisited) => {}
            None => return None,
        }
        let definition = self.definition(m, d)?;
        let (ast, hint) = match &definition.body {
            Body::TextualConvention(tc) => (&tc.syntax, tc.hint.as_ref()),
            Body::Type(syntax) => (syntax, None),
            _ => return None,
        };
        self.set_type_state(m, d, TypeState::InProgress);
        let mut syntax = self.syntax(m, ast, depth + 1);
        if let (Some(s), Some(hint)) = (syntax.as_mut(), hint) {
            s.hint = Some(hint.clone());
        }
        // A cycle may have settled this definition while it was in progress.
        if let Some(TypeState::Done(None)) = self.type_state.get(m).and_then(|v| v.get(d)) {
            return None;
        }
        self.set_type_state(m, d, TypeState::Done(syntax.clone().map(Box::new)));
        syntax
    }

    fn set_type_state(&mut self, m: usize, d: usize, state: TypeState) {
        if let Some(slot) = self.type_state.get_mut(m).and_then(|v| v.get_mut(d)) {
            *slot = state;
        }
    }

    fn index_part(&mut self, m: usize, item: &'s IndexItem) -> IndexPart {
        let name = item.name.name.as_str();
        let bare = matches!(name, "INTEGER" | "OCTET STRING" | "OBJECT IDENTIFIER")
            || crate::builtin::base_type(name).is_some();
        let node = if bare {
            self.report(
                m,
                DiagnosticKind::IndexBareType,
                item.name.pos,
                format!("INDEX names the type `{name}` instead of an object"),
            );
            None
        } else {
            self.object_reference(m, name, item.name.pos, "INDEX")
        };
        IndexPart {
            name: name.to_owned(),
            node,
            implied: item.implied,
        }
    }

    /// The node a reference to an object resolves to; an error names `clause` when unknown.
    pub(super) fn object_reference(
        &mut self,
        m: usize,
        name: &'s str,
        pos: crate::diagnostic::Pos,
        clause: &str,
    ) -> Option<NodeId> {
        match self.value_target(m, name, pos) {
            ValueTarget::Node(node) => Some(node),
            ValueTarget::Definition(m2, d2) => match self.state(m2, d2) {
                super::oids::OidState::Done(node) => Some(node),
                // The definition itself failed and was reported.
                _ => None,
            },
            ValueTarget::Unknown => {
                self.report(
                    m,
                    DiagnosticKind::UnknownObject,
                    pos,
                    format!("{clause} names `{name}`, which is not defined or imported"),
                );
                None
            }
        }
    }

    fn set_label_object(&mut self, node: NodeId, m: usize, name: &str, object: usize) {
        let Some(data) = self.mib.nodes.get_mut(node.index()) else {
            return;
        };
        let label = data
            .labels
            .iter_mut()
            .find(|l| l.origin == Origin::Module(m) && l.name == name);
        if let Some(label) = label {
            label.object = Some(object);
        }
    }

    /// Tables have `SEQUENCE OF` syntax, rows sit under tables, columns under rows.
    fn classify(&mut self) {
        for i in 0..self.mib.nodes.len() {
            let id = NodeId::from_index(i);
            let parent = self.mib.data(id).parent;
            // Parents are created before their children, so the parent is classified already.
            let parent_kind = self.mib.data(parent).labels.first().map(|l| l.kind);
            let objects = &self.mib.objects;
            let Some(data) = self.mib.nodes.get_mut(i) else {
                continue;
            };
            for label in &mut data.labels {
                let Some(object) = label.object.and_then(|o| objects.get(o)) else {
                    continue;
                };
                let base = object.syntax.as_ref().map(|s| s.base);
                label.kind = if base == Some(BaseType::SequenceOf) {
                    NodeKind::Table
                } else if parent_kind == Some(NodeKind::Table) || base == Some(BaseType::Sequence) {
                    NodeKind::Row
                } else if parent_kind == Some(NodeKind::Row) {
                    NodeKind::Column
                } else {
                    NodeKind::Scalar
                };
            }
        }
    }
}

/// A refined range or size replaces the inherited one (RFC 2578 §9).
fn refine(syntax: &mut Syntax, constraint: Option<&Constraint>) {
    match constraint {
        Some(Constraint::Range(ranges)) => syntax.ranges.clone_from(ranges),
        Some(Constraint::Size(sizes)) => syntax.sizes.clone_from(sizes),
        None => {}
    }
}

/// The application types by tag (RFC 2578 §7.1.6–§7.1.10; RFC 1442 for tag 7).
fn application_type(tag: u32) -> Option<BaseType> {
    Some(match tag {
        0 => BaseType::IpAddress,
        1 => BaseType::Counter32,
        2 => BaseType::Gauge32,
        3 => BaseType::TimeTicks,
        4 => BaseType::Opaque,
        6 => BaseType::Counter64,
        7 => BaseType::Unsigned32,
        _ => return None,
    })
}

/// How long a chain of named types may be before it is refused.
const MAX_CHAIN: u32 = 64;
