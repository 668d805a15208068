//! Names in scope: a module's own definitions, its imports (followed through modules that
//! re-import them), the built-in names, and, for vendor modules that forget to import, the
//! fallback modules and finally any loaded module (with a warning), as Net-SNMP does.

use crate::fxhash::FxHashMap;

use crate::builtin;
use crate::diagnostic::{DiagnosticKind, Pos};
use crate::parser::ast::{Body, Definition, Module, SmiVersion};
use crate::tree::{BaseType, NodeId};

use super::Builder;

/// One module's names.
pub(super) struct Scope<'s> {
    /// Defined names to their definition index (the first definition wins).
    defs: FxHashMap<&'s str, usize>,
    /// Imported names to the module they come from (aliases already mapped).
    imports: FxHashMap<&'s str, &'s str>,
}

impl<'s> Scope<'s> {
    /// The scope of `module`, and its duplicate definitions with the first one's position.
    pub(super) fn new(module: &'s Module) -> (Self, Vec<(&'s Definition, Pos)>) {
        let mut defs: FxHashMap<&str, usize> = FxHashMap::default();
        let mut duplicates = Vec::new();
        for (d, definition) in module.definitions.iter().enumerate() {
            if matches!(definition.body, Body::OtherValue) {
                continue;
            }
            match defs.get(definition.name.as_str()) {
                Some(&first) => {
                    let pos = module
                        .definitions
                        .get(first)
                        .map(|f| f.pos)
                        .unwrap_or_default();
                    duplicates.push((definition, pos));
                }
                None => {
                    defs.insert(&definition.name, d);
                }
            }
        }
        let mut imports = FxHashMap::default();
        for import in &module.imports {
            let from = builtin::module_alias(&import.module).unwrap_or(&import.module);
            for symbol in &import.symbols {
                imports.entry(symbol.name.as_str()).or_insert(from);
            }
        }
        (Self { defs, imports }, duplicates)
    }
}

/// What a value name resolves to.
pub(super) enum ValueTarget {
    /// A built-in node.
    Node(NodeId),
    /// A definition, by (module, definition index).
    Definition(usize, usize),
    /// Nothing.
    Unknown,
}

/// What a type name resolves to.
pub(super) enum TypeTarget {
    /// An SMI base type.
    Base(BaseType),
    /// A type assignment or TEXTUAL-CONVENTION, by (module, definition index).
    Definition(usize, usize),
    /// Nothing.
    Unknown,
}

impl<'s> Builder<'s> {
    /// Resolves a value name used in module `m` (an OID parent, an INDEX object …).
    pub(super) fn value_target(&mut self, m: usize, name: &str, pos: Pos) -> ValueTarget {
        if let Some((m2, d2)) = self
            .lookup(m, name, 0)
            .filter(|&(m2, d2)| self.has_oid(m2, d2))
        {
            return ValueTarget::Definition(m2, d2);
        }
        if let Some(node) = self.builtin_node(name) {
            let imported = self
                .scopes
                .get(m)
                .is_some_and(|s| s.imports.contains_key(name));
            if !imported && !builtin::ASN1_ROOTS.contains(&name) {
                self.report_implicit(m, name, pos, builtin::ROOTS_MODULE);
            }
            return ValueTarget::Node(node);
        }
        match self.fallback(name, |b| b.has_oid_body()) {
            Some((m2, d2)) => {
                let from = self.module_name(m2);
                self.report_implicit(m, name, pos, from);
                ValueTarget::Definition(m2, d2)
            }
            None => ValueTarget::Unknown,
        }
    }

    /// Resolves a type name used in module `m`.
    pub(super) fn type_target(&mut self, m: usize, name: &str, pos: Pos) -> TypeTarget {
        let base = builtin::base_type(name);
        let smiv1_in_smiv2 = base.is_some()
            && builtin::is_smiv1_type(name)
            && self.version(m) == SmiVersion::V2
            && !builtin::is_smi_module(self.module_name(m));
        if smiv1_in_smiv2 && self.reported.insert((m, name.to_owned())) {
            self.report(
                m,
                DiagnosticKind::Smiv1InSmiv2,
                pos,
                format!("SMIv1 type `{name}` in an SMIv2 module"),
            );
        }
        let found = self
            .lookup(m, name, 0)
            .filter(|&(m2, d2)| self.is_type(m2, d2));
        if let Some((m2, d2)) = found {
            return match base {
                Some(base) if builtin::is_smi_module(self.module_name(m2)) => {
                    TypeTarget::Base(base)
                }
                _ => TypeTarget::Definition(m2, d2),
            };
        }
        if let Some(base) = base {
            let imported = self
                .scopes
                .get(m)
                .is_some_and(|s| s.imports.contains_key(name));
            if !imported {
                self.report_implicit(m, name, pos, "the SMI");
            }
            return TypeTarget::Base(base);
        }
        match self.fallback(name, |b| {
            matches!(b, Body::Type(_) | Body::TextualConvention(_))
        }) {
            Some((m2, d2)) => {
                let from = self.module_name(m2);
                self.report_implicit(m, name, pos, from);
                TypeTarget::Definition(m2, d2)
            }
            None => TypeTarget::Unknown,
        }
    }

    /// The definition `name` denotes in module `m`: its own, or the one its import names.
    pub(super) fn lookup(&self, m: usize, name: &str, hops: u32) -> Option<(usize, usize)> {
        let scope = self.scopes.get(m)?;
        if let Some(&d) = scope.defs.get(name) {
            return Some((m, d));
        }
        // Re-exports chain through modules; the bound stops import cycles.
        if hops >= MAX_IMPORT_HOPS {
            return None;
        }
        let from = scope.imports.get(name)?;
        let &m2 = self.module_by_name.get(from)?;
        self.lookup(m2, name, hops + 1)
    }

    /// Checks every IMPORTS clause: modules found, symbols defined there, aliases, forwarding,
    /// and local definitions shadowing imports.
    pub(super) fn check_imports(&mut self) {
        let sources = self.sources;
        for (m, source) in sources.iter().enumerate() {
            let module = &source.module;
            for import in &module.imports {
                let alias = builtin::module_alias(&import.module);
                if let Some(target) = alias {
                    self.report(
                        m,
                        DiagnosticKind::ModuleAlias,
                        import.pos,
                        format!("module {} is read as its alias {target}", import.module),
                    );
                }
                let from = alias.unwrap_or(&import.module);
                let needed: Vec<_> = import
                    .symbols
                    .iter()
                    .filter(|s| !builtin::is_macro(&s.name))
                    .collect();
                let Some(&m2) = self.module_by_name.get(from) else {
                    let all_builtin = needed.iter().all(|s| {
                        builtin::base_type(&s.name).is_some()
                            || self.builtin_node(&s.name).is_some()
                    });
                    if !all_builtin {
                        self.report(
                            m,
                            DiagnosticKind::ModuleNotFound,
                            import.pos,
                            format!("module {from} is not on the search paths"),
                        );
                    }
                    continue;
                };
                for symbol in needed {
                    let name = symbol.name.as_str();
                    let direct = self
                        .scopes
                        .get(m2)
                        .is_some_and(|s| s.defs.contains_key(name));
                    if direct {
                        continue;
                    }
                    if let Some((m3, _)) = self.lookup(m2, name, 1) {
                        let origin = self.module_name(m3);
                        self.report(
                            m,
                            DiagnosticKind::ImportForwarded,
                            symbol.pos,
                            format!(
                                "`{name}` is not defined in {from}, which imports it from {origin}"
                            ),
                        );
                    } else if builtin::base_type(name).is_none()
                        && self.builtin_node(name).is_none()
                    {
                        self.report(
                            m,
                            DiagnosticKind::UnknownImport,
                            symbol.pos,
                            format!("`{name}` is not defined in {from}"),
                        );
                    }
                }
            }
            for definition in &module.definitions {
                let shadowed = self
                    .scopes
                    .get(m)
                    .and_then(|s| s.imports.get(definition.name.as_str()));
                if let Some(from) = shadowed {
                    let message = format!(
                        "`{}` is imported from {from} and defined here; the local definition wins",
                        definition.name
                    );
                    self.report(m, DiagnosticKind::ImportShadowed, definition.pos, message);
                }
            }
        }
    }

    fn builtin_node(&self, name: &str) -> Option<NodeId> {
        let (_, arcs) = builtin::ROOTS.iter().find(|&&(n, _)| n == name)?;
        let mut node = self.mib.root();
        for &arc in *arcs {
            node = node.child(arc)?;
        }
        Some(node.id())
    }

    /// A definition of `name` in the fallback modules, then in any loaded module.
    fn fallback(&self, name: &str, wanted: impl Fn(&Body) -> bool) -> Option<(usize, usize)> {
        let preferred = builtin::FALLBACK_MODULES
            .iter()
            .filter_map(|m| self.module_by_name.get(m).copied());
        let rest = 0..self.sources.len();
        preferred.chain(rest).find_map(|m| {
            let &d = self.scopes.get(m)?.defs.get(name)?;
            let definition = self.definition(m, d)?;
            wanted(&definition.body).then_some((m, d))
        })
    }

    pub(super) fn has_oid(&self, m: usize, d: usize) -> bool {
        self.definition(m, d)
            .is_some_and(|def| def.body.has_oid_body())
    }

    fn is_type(&self, m: usize, d: usize) -> bool {
        self.definition(m, d)
            .is_some_and(|def| matches!(def.body, Body::Type(_) | Body::TextualConvention(_)))
    }
}

impl Body {
    /// True for the definitions that give a name to an OID.
    pub(crate) fn has_oid_body(&self) -> bool {
        !matches!(
            self,
            Self::Type(_) | Self::TextualConvention(_) | Self::Macro | Self::OtherValue
        )
    }
}

/// How many modules an import may be forwarded through.
const MAX_IMPORT_HOPS: u32 = 16;
