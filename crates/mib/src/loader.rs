//! Finding and reading modules: search paths, file names as vendors ship them, IMPORTS
//! followed to the modules they name.
//!
//! A module `IF-MIB` is looked for as `IF-MIB`, `IF-MIB.txt`, `IF-MIB.mib`, `IF-MIB.my` (and
//! upper-case extensions) in each search directory in order; failing that, every file of the
//! search directories is parsed once and its module names indexed, which finds modules
//! whose file name differs from the module name. The loader reads files; the rest of the
//! crate never touches the file system.

use crate::fxhash::{FxHashMap, FxHashSet};
use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::builtin;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::error::Error;
use crate::lexer::decode;
use crate::parser::ast::{Body, Module, OidComponent, Syntax, SyntaxKind};
use crate::parser::parse_with;
use crate::tree::MibSet;

/// Collects modules from search paths, files and memory, then builds a [`MibSet`].
#[derive(Debug, Default)]
pub struct Loader {
    search_paths: Vec<PathBuf>,
    /// Parsed modules not loaded yet, by name.
    available: FxHashMap<String, Source>,
    /// Loaded modules, in the order they were found.
    loaded: Vec<Source>,
    /// The modules asked for, in order: with their imports first, this is the load order
    /// that decides which module names a node several define (see [`Loader::build`]).
    requested: Vec<String>,
    loaded_names: FxHashSet<String>,
    missing: FxHashSet<String>,
    parsed_files: FxHashSet<PathBuf>,
    scanned: bool,
    /// Whether the built-in modules stand in for modules no file on the search paths is
    /// named after.
    builtin: bool,
    /// Whether DESCRIPTION texts are dropped while parsing ([`Loader::skip_descriptions`]).
    skip_descriptions: bool,
    /// The bytes of the file being parsed, kept from one file to the next.
    read_buffer: Vec<u8>,
    diagnostics: Vec<Diagnostic>,
}

impl Loader {
    /// An empty loader with no search path.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a directory to search, after those already added (like `-M`).
    pub fn add_search_path(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.search_paths.push(dir.into());
        self.scanned = false;
        self
    }

    /// Makes the built-in modules ([`crate::BUILTIN_MODULES`] and their imports) available
    /// without files: a module asked for or imported is taken from the built-ins when no
    /// file on the search paths is named after it, before every file is parsed to look for
    /// it. Net-SNMP's `-M DIR -m MODULE` on top of vigie's built-ins is
    /// `add_builtin_modules`, `add_search_path(DIR)`, `load_builtin`, `load_module(MODULE)`.
    pub fn add_builtin_modules(&mut self) -> &mut Self {
        self.builtin = true;
        self
    }

    /// Drops every DESCRIPTION text while parsing the modules read from now on, as Net-SNMP
    /// does unless asked to save them: the text is most of what a MIB file holds, and only
    /// [`MibSet::description_report`] prints it. Names, OIDs and facts are unchanged.
    pub fn skip_descriptions(&mut self) -> &mut Self {
        self.skip_descriptions = true;
        self
    }

    /// Loads every built-in module, as [`crate::MibSet::builtin`] holds them (calls
    /// [`Loader::add_builtin_modules`] first). A file on the search paths named like a
    /// built-in module is read instead of it.
    pub fn load_builtin(&mut self) {
        self.add_builtin_modules();
        for name in builtin::source_names() {
            self.request(name);
            self.ensure(name);
        }
        self.load_dependencies();
    }

    /// Loads the module `name` and, transitively, the modules it imports from.
    pub fn load_module(&mut self, name: &str) -> Result<(), Error> {
        self.request(name);
        if self.loaded_names.contains(name) {
            return Ok(());
        }
        if !self.ensure(name) {
            return Err(Error::ModuleNotFound(name.to_owned()));
        }
        self.load_dependencies();
        Ok(())
    }

    /// Loads every module of a file (and their imports); returns their names.
    pub fn load_file(&mut self, path: impl AsRef<Path>) -> Result<Vec<String>, Error> {
        let path = path.as_ref();
        let bytes = fs::read(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        self.parsed_files.insert(path.to_owned());
        let names = self.add_text(&decode(&bytes), Some(path), true);
        if names.is_empty() {
            return Err(Error::NoModule(path.to_owned()));
        }
        for name in &names {
            self.request(name);
            self.ensure(name);
        }
        self.load_dependencies();
        Ok(names)
    }

    /// Loads the modules in `text` (and their imports from the search paths); returns their
    /// names.
    pub fn load_source(&mut self, text: &str) -> Vec<String> {
        let names = self.add_text(text, None, true);
        for name in &names {
            self.request(name);
            self.ensure(name);
        }
        self.load_dependencies();
        names
    }

    /// Loads every module found in the search directories (like `-m ALL`). Files holding no
    /// module are skipped, unreadable files too; a search directory that cannot be listed is
    /// an error.
    pub fn load_all(&mut self) -> Result<(), Error> {
        for dir in &self.search_paths {
            fs::read_dir(dir).map_err(|source| Error::Io {
                path: dir.clone(),
                source,
            })?;
        }
        self.scan();
        let mut names: Vec<String> = self.available.keys().cloned().collect();
        // Net-SNMP's `-m ALL` reads modules in reverse name order (its module list is
        // built by prepending), each after its imports.
        names.sort_unstable_by(|a, b| b.cmp(a));
        for name in names {
            self.request(&name);
            self.ensure(&name);
        }
        self.load_dependencies();
        Ok(())
    }

    /// The names of the modules loaded so far, in load order.
    pub fn loaded(&self) -> impl Iterator<Item = &str> {
        self.loaded.iter().map(|s| s.module.name.as_str())
    }

    /// Resolves everything loaded into a [`MibSet`]. The loader can go on loading and build
    /// again.
    ///
    /// Modules are resolved in Net-SNMP's load order: each module asked for (by
    /// [`Loader::load_module`], [`Loader::load_file`], [`Loader::load_source`], or all of
    /// them, in reverse name order, by [`Loader::load_all`]) after the modules it imports.
    /// Where several modules give the same name to a node, the first in that order is the
    /// node's primary name (`RFC1213-MIB::ipAdEntAddr` rather than `IP-MIB::ipAdEntAddr`
    /// after `-m ALL`), as Net-SNMP prints it.
    pub fn build(&self) -> MibSet {
        let order = self.load_order();
        let sources: Vec<&Source> = order.iter().filter_map(|&i| self.loaded.get(i)).collect();
        let mut mib = crate::resolve::build(&sources);
        let mut diagnostics = self.diagnostics.clone();
        diagnostics.append(&mut mib.diagnostics);
        mib.diagnostics = diagnostics;
        mib
    }

    fn request(&mut self, name: &str) {
        if !self.requested.iter().any(|r| r == name) {
            self.requested.push(name.to_owned());
        }
    }

    /// Indexes into `loaded`: each requested module after its imports (depth first, imports
    /// in the order written), then any module not reached that way.
    fn load_order(&self) -> Vec<usize> {
        let index: FxHashMap<&str, usize> = self
            .loaded
            .iter()
            .enumerate()
            .map(|(i, s)| (s.module.name.as_str(), i))
            .collect();
        let mut placed = vec![false; self.loaded.len()];
        let mut order = Vec::with_capacity(self.loaded.len());
        for name in &self.requested {
            let Some(&root) = index.get(name.as_str()) else {
                continue;
            };
            // An explicit stack: import chains in hostile input may be long.
            let mut stack: Vec<(usize, Vec<String>)> = Vec::new();
            if let Some(slot) = placed.get_mut(root) {
                if *slot {
                    continue;
                }
                *slot = true;
            }
            stack.push((root, self.imports_of(root)));
            while let Some((module, pending)) = stack.last_mut() {
                let module = *module;
                let Some(next) = pending.pop() else {
                    order.push(module);
                    stack.pop();
                    continue;
                };
                let Some(&i) = index.get(next.as_str()) else {
                    continue;
                };
                if placed.get(i).copied().unwrap_or(true) {
                    continue;
                }
                if let Some(slot) = placed.get_mut(i) {
                    *slot = true;
                }
                stack.push((i, self.imports_of(i)));
            }
        }
        order.extend((0..self.loaded.len()).filter(|&i| !placed.get(i).copied().unwrap_or(true)));
        order
    }

    /// The modules a loaded module imports from, last first (they are popped).
    fn imports_of(&self, i: usize) -> Vec<String> {
        let mut wanted = self
            .loaded
            .get(i)
            .map(|s| wanted_modules(&s.module))
            .unwrap_or_default();
        wanted.reverse();
        wanted
    }

    /// Moves module `name` into the loaded list, finding and parsing its file if needed.
    fn ensure(&mut self, name: &str) -> bool {
        if self.loaded_names.contains(name) {
            return true;
        }
        if self.missing.contains(name) {
            return false;
        }
        if !self.available.contains_key(name) {
            self.find_by_file_name(name);
        }
        if !self.available.contains_key(name) && self.builtin {
            if let Some(text) = builtin::source(name) {
                self.add_text(text, None, false);
            }
        }
        if !self.available.contains_key(name) {
            self.scan();
        }
        let Some(source) = self.available.remove(name) else {
            self.missing.insert(name.to_owned());
            return false;
        };
        self.loaded_names.insert(name.to_owned());
        self.diagnostics
            .extend(source.module.diagnostics.iter().cloned());
        self.loaded.push(source);
        true
    }

    /// Follows the imports of every loaded module until nothing new is found.
    fn load_dependencies(&mut self) {
        let mut next = 0;
        while let Some(source) = self.loaded.get(next) {
            let wanted = wanted_modules(&source.module);
            for name in wanted {
                self.ensure(&name);
            }
            next += 1;
        }
    }

    fn find_by_file_name(&mut self, name: &str) {
        let dirs = self.search_paths.clone();
        for dir in dirs {
            for suffix in SUFFIXES {
                let path = dir.join(format!("{name}{suffix}"));
                if !self.parsed_files.contains(&path) && path.is_file() {
                    self.parse_file(&path);
                    if self.available.contains_key(name) {
                        return;
                    }
                }
            }
        }
    }

    /// Parses every file of the search paths not parsed yet, once.
    fn scan(&mut self) {
        if self.scanned {
            return;
        }
        self.scanned = true;
        let dirs = self.search_paths.clone();
        for dir in dirs {
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            let mut files: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            for path in files {
                if !self.parsed_files.contains(&path) {
                    self.parse_file(&path);
                }
            }
        }
    }

    fn parse_file(&mut self, path: &Path) {
        self.parsed_files.insert(path.to_owned());
        // One buffer for every file a scan reads: a fresh one per file would be allocated,
        // touched and freed as many times as there are files.
        let mut bytes = std::mem::take(&mut self.read_buffer);
        bytes.clear();
        let read = fs::File::open(path).and_then(|mut file| file.read_to_end(&mut bytes));
        if read.is_ok() {
            self.add_text(&decode(&bytes), Some(path), false);
        }
        self.read_buffer = bytes;
    }

    /// Parses `text` and makes its modules available; returns their names.
    fn add_text(&mut self, text: &str, path: Option<&Path>, explicit: bool) -> Vec<String> {
        let parsed = parse_with(text, !self.skip_descriptions);
        if explicit || !parsed.modules.is_empty() {
            self.diagnostics.extend(parsed.diagnostics);
        }
        let mut names = Vec::new();
        for module in parsed.modules {
            let name = module.name.clone();
            if self.available.contains_key(&name) || self.loaded_names.contains(&name) {
                let mut d = Diagnostic::new(
                    DiagnosticKind::DuplicateModule,
                    module.pos,
                    format!(
                        "module {name} is defined again{}; the first definition is kept",
                        path.map(|p| format!(" in {}", p.display()))
                            .unwrap_or_default()
                    ),
                );
                d.module.clone_from(&name);
                self.diagnostics.push(d);
                continue;
            }
            self.missing.remove(&name);
            names.push(name.clone());
            self.available.insert(
                name,
                Source {
                    module,
                    path: path.map(Path::to_owned),
                },
            );
        }
        names
    }
}

/// A parsed module and the file it came from.
#[derive(Debug)]
pub(crate) struct Source {
    pub(crate) module: Module,
    pub(crate) path: Option<PathBuf>,
}

/// The modules `module` needs: those it imports symbols from (macros and built-in names
/// need none), and the fallback modules when it uses names it does not import.
fn wanted_modules(module: &Module) -> Vec<String> {
    let mut wanted = Vec::new();
    for import in &module.imports {
        let needed = import
            .symbols
            .iter()
            .any(|s| !builtin::is_macro(&s.name) && !is_builtin_name(&s.name));
        if needed {
            let name = builtin::module_alias(&import.module).unwrap_or(&import.module);
            wanted.push(name.to_owned());
        }
    }
    if uses_unimported_names(module) {
        wanted.extend(builtin::FALLBACK_MODULES.iter().map(|&m| m.to_owned()));
    }
    wanted
}

fn is_builtin_name(name: &str) -> bool {
    builtin::base_type(name).is_some() || builtin::ROOTS.iter().any(|&(n, _)| n == name)
}

/// True when a type or OID parent is neither defined, imported nor built in.
fn uses_unimported_names(module: &Module) -> bool {
    let mut known: FxHashSet<&str> = module.definitions.iter().map(|d| d.name.as_str()).collect();
    for import in &module.imports {
        known.extend(import.symbols.iter().map(|s| s.name.as_str()));
    }
    let unknown = |name: &str| !known.contains(name) && !is_builtin_name(name);
    module.definitions.iter().any(|d| {
        let syntax = match &d.body {
            Body::Type(s) => Some(s),
            Body::TextualConvention(tc) => Some(&tc.syntax),
            Body::ObjectType(o) => o.syntax.as_ref(),
            _ => None,
        };
        let parent = match &d.body {
            Body::OidValue(v) | Body::Compliance(v) | Body::Capabilities(v) => Some(v),
            Body::ModuleIdentity(m) => Some(&m.oid),
            Body::ObjectIdentity(o) => Some(&o.oid),
            Body::ObjectType(o) => Some(&o.oid),
            Body::Notification(n) => Some(&n.oid),
            Body::Group(g) => Some(&g.oid),
            _ => None,
        };
        let parent_unknown = parent
            .and_then(|v| v.components.first())
            .is_some_and(|c| matches!(c, OidComponent::Name(n) if unknown(&n.name)));
        parent_unknown || syntax.is_some_and(|s| syntax_uses_unknown(s, &unknown, 0))
    })
}

fn syntax_uses_unknown(syntax: &Syntax, unknown: &impl Fn(&str) -> bool, depth: u32) -> bool {
    if depth > crate::parser::MAX_DEPTH {
        return false;
    }
    match &syntax.kind {
        SyntaxKind::Named { name, .. } => unknown(&name.name),
        SyntaxKind::Sequence(fields) | SyntaxKind::Choice(fields) => fields
            .iter()
            .any(|(_, s)| syntax_uses_unknown(s, unknown, depth + 1)),
        SyntaxKind::Tagged { inner, .. } => syntax_uses_unknown(inner, unknown, depth + 1),
        _ => false,
    }
}

/// File name endings tried after the module name, in order.
const SUFFIXES: &[&str] = &["", ".txt", ".mib", ".my", ".MIB", ".TXT", ".smi"];
