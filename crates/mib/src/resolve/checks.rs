//! Semantic checks once everything is resolved: SMIv1 constructs in SMIv2 modules, access
//! values that do not fit the object (RFC 2578 §7.3), references in notifications and groups
//! (RFC 2580 §3), and DEFVALs against their syntax (RFC 2578 §7.9).

use crate::diagnostic::{DiagnosticKind, Pos};
use crate::parser::ast::{
    Access, Body, DefVal, GroupKind, Ident, ObjectType as ObjectAst, SmiVersion, Status,
};
use crate::tree::{BaseType, NodeKind, Origin};

use super::Builder;
use super::oids::OidState;

impl<'s> Builder<'s> {
    pub(super) fn check_definitions(&mut self) {
        let sources = self.sources;
        for (m, source) in sources.iter().enumerate() {
            let v2 = source.module.version == SmiVersion::V2;
            for (d, definition) in source.module.definitions.iter().enumerate() {
                match &definition.body {
                    Body::ObjectType(object) => self.check_object(m, d, object, v2),
                    Body::Notification(notification) => {
                        for member in &notification.objects {
                            self.check_member(m, member, "OBJECTS", true);
                        }
                    }
                    Body::Trap(trap) => {
                        if v2 {
                            self.report(
                                m,
                                DiagnosticKind::Smiv1InSmiv2,
                                definition.pos,
                                "TRAP-TYPE is SMIv1; SMIv2 modules use NOTIFICATION-TYPE"
                                    .to_owned(),
                            );
                        }
                        for member in &trap.variables {
                            self.check_member(m, member, "VARIABLES", false);
                        }
                    }
                    Body::Group(group) => {
                        let (clause, objects) = match group.kind {
                            GroupKind::Objects => ("OBJECTS", true),
                            GroupKind::Notifications => ("NOTIFICATIONS", false),
                        };
                        for member in &group.members {
                            self.check_member(m, member, clause, objects);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// A notification's or group's member must exist; objects must be accessible.
    fn check_member(&mut self, m: usize, member: &'s Ident, clause: &str, accessible: bool) {
        let Some(node) = self.object_reference(m, &member.name, member.pos, clause) else {
            return;
        };
        let access = self
            .mib
            .node(node)
            .and_then(|n| n.object())
            .and_then(|o| o.access);
        if accessible && access == Some(Access::NotAccessible) {
            self.report(
                m,
                DiagnosticKind::NotAccessibleReference,
                member.pos,
                format!("{clause} names `{}`, which is not-accessible", member.name),
            );
        }
    }

    fn check_object(&mut self, m: usize, d: usize, object: &'s ObjectAst, v2: bool) {
        if let Some(access) = object.access {
            if v2 && access.smiv1_keyword {
                self.report(
                    m,
                    DiagnosticKind::Smiv1InSmiv2,
                    access.pos,
                    "ACCESS is SMIv1; SMIv2 modules use MAX-ACCESS".to_owned(),
                );
            }
            if v2 && access.access == Access::WriteOnly {
                self.report(
                    m,
                    DiagnosticKind::WriteOnly,
                    access.pos,
                    "write-only is not an SMIv2 access value (RFC 2578 §7.3)".to_owned(),
                );
            }
            if access.access == Access::ReadCreate && self.kind_of(m, d) == Some(NodeKind::Scalar) {
                self.report(
                    m,
                    DiagnosticKind::ScalarReadCreate,
                    access.pos,
                    "read-create is only for table columns (RFC 2578 §7.3)".to_owned(),
                );
            }
        }
        if let Some((status, pos)) = object.status {
            if v2 && matches!(status, Status::Mandatory | Status::Optional) {
                self.report(
                    m,
                    DiagnosticKind::Smiv1InSmiv2,
                    pos,
                    format!("status `{}` is SMIv1; SMIv2 uses current", status.keyword()),
                );
            }
        }
        if let Some((defval, pos)) = &object.defval {
            self.check_defval(m, d, defval, *pos);
        }
    }

    fn check_defval(&mut self, m: usize, d: usize, defval: &DefVal, pos: Pos) {
        let Some(syntax) = self
            .object_of
            .get(&(m, d))
            .and_then(|&o| self.mib.objects.get(o))
            .and_then(|o| o.syntax.as_ref())
        else {
            return;
        };
        let problem = match (defval, syntax.base) {
            (DefVal::Name(label), BaseType::Integer) if !syntax.enums.is_empty() => {
                (!syntax.enums.iter().any(|e| e.name == *label))
                    .then(|| format!("DEFVAL `{label}` is not one of the enumeration's labels"))
            }
            (DefVal::Integer(value), BaseType::Integer) if !syntax.enums.is_empty() => Some(
                format!("DEFVAL {value} should be an enumeration label (RFC 2578 §7.9)"),
            ),
            (DefVal::Bits(labels), BaseType::Bits) => labels
                .iter()
                .find(|l| !syntax.bits.iter().any(|b| b.name == **l))
                .map(|l| format!("DEFVAL names bit `{l}`, which the BITS do not have")),
            _ => None,
        };
        if let Some(message) = problem {
            self.report(m, DiagnosticKind::DefvalMismatch, pos, message);
        }
    }

    fn kind_of(&self, m: usize, d: usize) -> Option<NodeKind> {
        let OidState::Done(node) = self.state(m, d) else {
            return None;
        };
        let name = self.definition(m, d)?.name.as_str();
        self.mib
            .data(node)
            .labels
            .iter()
            .find(|l| l.origin == Origin::Module(m) && l.name == name)
            .map(|l| l.kind)
    }
}
