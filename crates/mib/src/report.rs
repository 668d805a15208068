//! The reports of `snmptranslate`, byte for byte as Net-SNMP 5.9 prints them: `-Td`, an
//! object's full description ([`MibSet::description_report`]), and `-Tp`, the tree drawing
//! ([`MibSet::tree_report`]).

use std::fmt::Write as _;

use crate::parser::ast::{Access, DefVal, Range};
use crate::tree::{BaseType, MibSet, Node, NodeKind, ObjectType};

impl MibSet {
    /// What `snmptranslate -Td` prints after the OID line for `arcs`: the deepest node on the
    /// path, its macro, the modules defining it, its clauses (SYNTAX with ranges and
    /// enumerations, DISPLAY-HINT, UNITS, MAX-ACCESS, STATUS, AUGMENTS or INDEX, OBJECTS,
    /// DESCRIPTION, DEFVAL), then `::= { … }` with every arc of `arcs`, named where the tree
    /// names it. `None` when no arc of `arcs` is in the tree.
    pub fn description_report(&self, arcs: &[u32]) -> Option<String> {
        let node = self.deepest(arcs)?;
        let mut out = String::new();
        let name = node
            .name()
            .map_or_else(|| node.arc().to_string(), str::to_owned);
        let _ = writeln!(out, "{name} {}", macro_name(node.kind()));
        Self::modules_line(&node, &mut out);
        if let Some(object) = node.object() {
            object_clauses(object, &mut out, self);
        }
        let members = node.notification_objects();
        if !members.is_empty() {
            let keyword = if node.kind() == NodeKind::Trap {
                "VARIABLES"
            } else {
                "OBJECTS"
            };
            let _ = writeln!(out, "  {keyword}\t{{ {} }}", members.join(", "));
        }
        if let Some(description) = node.description() {
            let _ = writeln!(out, "  DESCRIPTION\t\"{}\"", truncated(description));
        }
        if let Some(defval) = node.object().and_then(|o| o.defval.as_ref()) {
            let _ = writeln!(out, "  DEFVAL\t{{ {} }}", defval_text(defval));
        }
        out.push_str("::= {");
        let mut at = Some(self.root());
        let (last, path) = arcs.split_last()?;
        for &arc in path {
            let child = at.and_then(|n| n.child(arc));
            match child.and_then(|c| c.name()) {
                Some(name) => {
                    let _ = write!(out, " {name}({arc})");
                }
                None => {
                    let _ = write!(out, " {arc}");
                }
            }
            at = child;
        }
        let _ = writeln!(out, " {last} }}");
        Some(out)
    }

    /// The deepest node of the tree on the path `arcs`.
    fn deepest(&self, arcs: &[u32]) -> Option<Node<'_>> {
        let mut node = self.root();
        let mut found = None;
        for &arc in arcs {
            let Some(child) = node.child(arc) else {
                break;
            };
            node = child;
            found = Some(child);
        }
        found
    }

    /// `  -- FROM\tA, B`: every module defining the node, the primary first, each once.
    fn modules_line(node: &Node<'_>, out: &mut String) {
        let mut modules: Vec<&str> = Vec::new();
        let primary = node.name();
        // Another name at the same OID is another node for Net-SNMP, with its own list.
        for (module, _) in node
            .definitions()
            .filter(|(_, name)| Some(*name) == primary)
        {
            // Net-SNMP lists consecutive duplicates once; an ASN.1 root has module id -1.
            let module = module.unwrap_or("#-1");
            if modules.last() != Some(&module) {
                modules.push(module);
            }
        }
        if modules.is_empty() {
            modules.push("#-1");
        }
        let _ = writeln!(out, "  -- FROM\t{}", modules.join(", "));
    }
}

/// The clauses of an OBJECT-TYPE, in Net-SNMP's order.
fn object_clauses(object: &ObjectType, out: &mut String, mib: &MibSet) {
    if let Some(syntax) = &object.syntax {
        let direct_tc = syntax
            .textual_convention
            .as_deref()
            .filter(|tc| syntax.type_name.as_deref() == Some(*tc));
        let table = matches!(syntax.base, BaseType::SequenceOf | BaseType::Sequence);
        if let (Some(tc), false) = (direct_tc, table) {
            let _ = writeln!(out, "  -- TEXTUAL CONVENTION {tc}");
        }
        if let Some(keyword) = syntax_keyword(syntax.base, syntax.type_name.as_deref()) {
            let _ = write!(out, "  SYNTAX\t{keyword}");
            let ranges = if syntax.sizes.is_empty() {
                &syntax.ranges
            } else {
                &syntax.sizes
            };
            if !ranges.is_empty() {
                let list: Vec<String> = ranges.iter().map(range_text).collect();
                let _ = write!(out, " ({}) ", list.join(" | "));
            }
            let labels = if syntax.base == BaseType::Bits {
                &syntax.bits
            } else {
                &syntax.enums
            };
            if !labels.is_empty() {
                let list: Vec<String> = labels
                    .iter()
                    .map(|e| format!("{}({})", e.name, e.value))
                    .collect();
                let _ = write!(out, " {{{}}} ", list.join(", "));
            }
            out.push('\n');
        }
        if let Some(hint) = &syntax.hint {
            let _ = writeln!(out, "  DISPLAY-HINT\t\"{hint}\"");
        }
    }
    if let Some(units) = &object.units {
        let _ = writeln!(out, "  UNITS\t\t\"{units}\"");
    }
    if let Some(access) = object.access {
        let _ = writeln!(out, "  MAX-ACCESS\t{}", access_keyword(access));
    }
    if let Some(status) = object.status {
        let _ = writeln!(out, "  STATUS\t{}", status.keyword());
    }
    if let Some(augments) = object
        .augments
        .and_then(|id| mib.node(id))
        .and_then(|n| n.name())
    {
        let _ = writeln!(out, "  AUGMENTS\t{{ {augments} }}");
    }
    if !object.index.is_empty() {
        let parts: Vec<String> = object
            .index
            .iter()
            .map(|p| {
                if p.implied {
                    format!("IMPLIED {}", p.name)
                } else {
                    p.name.clone()
                }
            })
            .collect();
        let _ = writeln!(out, "  INDEX\t\t{{ {} }}", parts.join(", "));
    }
}

/// The macro of a node, as `fprint_description` names it; a plain OID value is printed as
/// an OBJECT-TYPE, and a NOTIFICATION-GROUP by its internal type number.
fn macro_name(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::ObjectIdentity => "OBJECT-IDENTITY",
        NodeKind::ModuleIdentity => "MODULE-IDENTITY",
        NodeKind::Notification => "NOTIFICATION-TYPE",
        NodeKind::Trap => "TRAP-TYPE",
        NodeKind::ObjectGroup => "OBJECT-GROUP",
        NodeKind::NotificationGroup => "type_23",
        NodeKind::Compliance => "MODULE-COMPLIANCE",
        NodeKind::Capabilities => "AGENT-CAPABILITIES",
        _ => "OBJECT-TYPE",
    }
}

/// The SYNTAX keyword of a base type; `None` for tables and rows, which print none.
fn syntax_keyword(base: BaseType, type_name: Option<&str>) -> Option<&'static str> {
    Some(match base {
        BaseType::Integer => "INTEGER",
        BaseType::Integer32 => "Integer32",
        BaseType::Unsigned32 if type_name == Some("UInteger32") => "UInteger32",
        BaseType::Unsigned32 => "Unsigned32",
        BaseType::Counter32 => "Counter32",
        BaseType::Gauge32 => "Gauge32",
        BaseType::Counter64 => "Counter64",
        BaseType::TimeTicks => "TimeTicks",
        BaseType::IpAddress if type_name == Some("NetworkAddress") => "NetworkAddress",
        BaseType::IpAddress => "IpAddress",
        BaseType::Opaque => "Opaque",
        BaseType::OctetString => "OCTET STRING",
        BaseType::ObjectIdentifier => "OBJECT IDENTIFIER",
        BaseType::Bits => "BITS",
        BaseType::SequenceOf | BaseType::Sequence | BaseType::Other => return None,
    })
}

fn access_keyword(access: Access) -> &'static str {
    access.keyword()
}

/// The first [`MAX_QUOTED`] bytes of a text: what Net-SNMP's parser keeps of a quoted
/// string (`MAXQUOTESTR`, its terminating NUL included).
fn truncated(text: &str) -> &str {
    if text.len() <= MAX_QUOTED {
        return text;
    }
    let mut end = MAX_QUOTED;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or(text)
}

/// A range as Net-SNMP prints it: one value, or `low..high`.
fn range_text(range: &Range) -> String {
    if range.low == range.high {
        range.low.to_string()
    } else {
        format!("{}..{}", range.low, range.high)
    }
}

/// A DEFVAL as `fprint_description` shows it: the value's tokens, quotes escaped.
fn defval_text(defval: &DefVal) -> String {
    match defval {
        DefVal::Integer(n) => n.to_string(),
        DefVal::String(text) => format!("\\\"{text}\\\""),
        DefVal::Hex(digits) => {
            u64::from_str_radix(if digits.is_empty() { "0" } else { digits }, 16)
                .map_or_else(|_| format!("'{digits}'H"), |n| n.to_string())
        }
        DefVal::Binary(digits) => {
            u64::from_str_radix(if digits.is_empty() { "0" } else { digits }, 2)
                .map_or_else(|_| format!("'{digits}'B"), |n| n.to_string())
        }
        DefVal::Name(name) => name.clone(),
        DefVal::Bits(bits) if bits.is_empty() => "{ }".to_owned(),
        DefVal::Bits(bits) => format!("{{ {} }}", bits.join(" , ")),
        DefVal::Other => String::new(),
    }
}

/// The longest quoted text Net-SNMP keeps, in bytes.
const MAX_QUOTED: usize = 4095;

impl MibSet {
    /// What `snmptranslate -Tp` prints: the tree under `arcs` (the deepest node on that
    /// path), or under `iso` when `arcs` is empty, one line per node (`+--name(arc)`, or
    /// `+-- ACCESS TYPE name(arc)` for an object with a value) with its index, textual
    /// convention, enumerations and ranges below it. `None` when no arc is in the tree.
    pub fn tree_report(&self, arcs: &[u32]) -> Option<String> {
        let node = if arcs.is_empty() {
            self.root().child(1)?
        } else {
            self.deepest(arcs)?
        };
        // About 120 bytes a node (Net-SNMP's standard set draws 2,900 nodes in 350 kB).
        let mut drawing = Drawing {
            out: String::with_capacity(subtree_size(&node).saturating_mul(128)),
            indent: String::from(" "),
            simple: true,
        };
        drawing.leaves(&node, 0);
        Some(drawing.out)
    }
}

/// The number of nodes under `node`, itself included.
fn subtree_size(node: &Node<'_>) -> usize {
    let mut count = 0;
    let mut stack = vec![*node];
    while let Some(node) = stack.pop() {
        count += 1;
        stack.extend(node.children());
    }
    count
}

/// The state of Net-SNMP's `print_mib_leaves`: the indentation drawn so far and whether the
/// node drawn last was a leaf (which decides the `|` spacer lines).
struct Drawing {
    out: String,
    indent: String,
    simple: bool,
}

impl Drawing {
    fn leaves(&mut self, node: &Node<'_>, depth: usize) {
        let Some(at) = self.indent.len().checked_sub(1) else {
            return;
        };
        let last = self.indent.get(at..).unwrap_or(" ").to_owned();
        let name = node
            .name()
            .map_or_else(|| node.arc().to_string(), str::to_owned);
        let leaf = leaf_syntax(node);
        self.indent.replace_range(at.., "+");
        match leaf {
            None => {
                let _ = writeln!(self.out, "{}--{name}({})", self.indent, node.arc());
                let index = node
                    .object()
                    .map(|o| o.index.as_slice())
                    .unwrap_or_default();
                if !index.is_empty() {
                    self.indent.replace_range(at.., &last);
                    let names: Vec<&str> = index.iter().map(|p| p.name.as_str()).collect();
                    let _ = writeln!(self.out, "{}  |  Index: {}", self.indent, names.join(", "));
                }
            }
            Some((object, syntax)) => {
                let access = object.access.map_or("    ", tree_access);
                let _ = writeln!(
                    self.out,
                    "{}-- {access} {} {name}({})",
                    self.indent,
                    tree_type(syntax),
                    node.arc()
                );
                self.indent.replace_range(at.., &last);
                let direct_tc = syntax
                    .textual_convention
                    .as_deref()
                    .filter(|tc| syntax.type_name.as_deref() == Some(*tc));
                if let Some(tc) = direct_tc {
                    let _ = writeln!(self.out, "{}        Textual Convention: {tc}", self.indent);
                }
                let labels = if syntax.base == BaseType::Bits {
                    &syntax.bits
                } else {
                    &syntax.enums
                };
                if !labels.is_empty() {
                    let list: Vec<String> = labels
                        .iter()
                        .map(|e| format!("{}({})", e.name, e.value))
                        .collect();
                    let _ = writeln!(
                        self.out,
                        "{}        Values: {}",
                        self.indent,
                        list.join(", ")
                    );
                }
                let sized = matches!(syntax.base, BaseType::OctetString | BaseType::Opaque);
                let ranges = if syntax.sizes.is_empty() {
                    &syntax.ranges
                } else {
                    &syntax.sizes
                };
                if !ranges.is_empty() {
                    let list: Vec<String> = ranges.iter().map(range_text).collect();
                    let what = if sized { "Size" } else { "Range" };
                    let _ = writeln!(
                        self.out,
                        "{}        {what}: {}",
                        self.indent,
                        list.join(" | ")
                    );
                }
            }
        }
        self.indent.replace_range(at.., &last);
        self.indent.push_str("  |");
        // Net-SNMP's TYPE_OTHER: plain OID values, tables and rows.
        self.simple = !is_other(node);
        let children: Vec<Node<'_>> = node.children().collect();
        if depth < MAX_DEPTH {
            let count = children.len();
            for (i, child) in children.iter().enumerate() {
                if !self.simple || is_other(child) {
                    let _ = writeln!(self.out, "{}", self.indent);
                }
                if i + 1 == count {
                    self.indent.replace_range(at + 3..at + 4, " ");
                }
                self.leaves(child, depth + 1);
            }
            if count > 0 {
                self.simple = false;
            }
        }
        self.indent.truncate(at + 1);
    }
}

/// The object facts of a node Net-SNMP draws as a leaf: an OBJECT-TYPE with a value type.
fn leaf_syntax<'a>(node: &Node<'a>) -> Option<(&'a ObjectType, &'a crate::tree::Syntax)> {
    let object = node.object()?;
    let syntax = object.syntax.as_ref()?;
    syntax_keyword(syntax.base, None).map(|_| (object, syntax))
}

/// Whether Net-SNMP gives the node `TYPE_OTHER`: neither a leaf nor another macro.
fn is_other(node: &Node<'_>) -> bool {
    leaf_syntax(node).is_none()
        && matches!(
            node.kind(),
            NodeKind::Implicit
                | NodeKind::Builtin
                | NodeKind::OidValue
                | NodeKind::Table
                | NodeKind::Row
                | NodeKind::Scalar
                | NodeKind::Column
        )
}

fn tree_access(access: Access) -> &'static str {
    match access {
        Access::NotAccessible => "----",
        Access::ReadOnly => "-R--",
        Access::WriteOnly => "--W-",
        Access::ReadWrite => "-RW-",
        Access::AccessibleForNotify => "---N",
        Access::ReadCreate => "CR--",
    }
}

/// The nine-column type of a leaf in the drawing.
fn tree_type(syntax: &crate::tree::Syntax) -> &'static str {
    let name = syntax.type_name.as_deref();
    match syntax.base {
        BaseType::ObjectIdentifier => "ObjID    ",
        BaseType::OctetString => "String   ",
        BaseType::Integer if syntax.enums.is_empty() => "INTEGER  ",
        BaseType::Integer => "EnumVal  ",
        BaseType::IpAddress if name == Some("NetworkAddress") => "NetAddr  ",
        BaseType::IpAddress => "IpAddr   ",
        BaseType::Counter32 => "Counter  ",
        BaseType::Gauge32 => "Gauge    ",
        BaseType::TimeTicks => "TimeTicks",
        BaseType::Opaque => "Opaque   ",
        BaseType::Counter64 => "Counter64",
        BaseType::Bits => "BitString",
        BaseType::Unsigned32 if name == Some("UInteger32") => "UInteger ",
        BaseType::Unsigned32 => "Unsigned ",
        BaseType::Integer32 => "Integer32",
        BaseType::SequenceOf | BaseType::Sequence | BaseType::Other => "         ",
    }
}

/// How deep the drawing goes: far below any real MIB, bounding the recursion on a hostile one.
const MAX_DEPTH: usize = 512;

#[cfg(test)]
mod tests {
    use crate::Loader;

    const MODULE: &str = r#"TEST-MIB DEFINITIONS ::= BEGIN
IMPORTS MODULE-IDENTITY, OBJECT-TYPE, NOTIFICATION-TYPE, Integer32, enterprises
    FROM SNMPv2-SMI
    DisplayString FROM SNMPv2-TC;
testMIB MODULE-IDENTITY
    LAST-UPDATED "202611230000Z" ORGANIZATION "o" CONTACT-INFO "c"
    DESCRIPTION "The test module."
    ::= { enterprises 32473 }
testTable OBJECT-TYPE
    SYNTAX SEQUENCE OF TestEntry MAX-ACCESS not-accessible STATUS current
    DESCRIPTION "A table." ::= { testMIB 1 }
testEntry OBJECT-TYPE
    SYNTAX TestEntry MAX-ACCESS not-accessible STATUS current
    DESCRIPTION "A row." INDEX { testIndex } ::= { testTable 1 }
TestEntry ::= SEQUENCE { testIndex Integer32, testName DisplayString, testState INTEGER }
testIndex OBJECT-TYPE
    SYNTAX Integer32 (1..100) MAX-ACCESS not-accessible STATUS current
    DESCRIPTION "The index." ::= { testEntry 1 }
testName OBJECT-TYPE
    SYNTAX DisplayString (SIZE (0..32)) MAX-ACCESS read-create STATUS current
    DESCRIPTION "A name,
        on two lines." DEFVAL { "" } ::= { testEntry 2 }
testState OBJECT-TYPE
    SYNTAX INTEGER { up(1), down(2) } UNITS "state" MAX-ACCESS read-only STATUS current
    DESCRIPTION "A state." DEFVAL { up } ::= { testEntry 3 }
testEvent NOTIFICATION-TYPE
    OBJECTS { testName, testState } STATUS current
    DESCRIPTION "Something happened." ::= { testMIB 2 }
END
"#;

    fn mib() -> crate::MibSet {
        let mut loader = Loader::new();
        loader.add_builtin_modules();
        loader.load_source(MODULE);
        loader.build()
    }

    #[test]
    fn description_report_has_every_clause_in_net_snmp_order() {
        let mib = mib();
        let arcs = mib.resolve_arcs("TEST-MIB::testName.5").unwrap();
        assert_eq!(
            mib.description_report(&arcs).unwrap(),
            "testName OBJECT-TYPE\n  -- FROM\tTEST-MIB\n  -- TEXTUAL CONVENTION DisplayString\n  SYNTAX\tOCTET STRING (0..32) \n  DISPLAY-HINT\t\"255a\"\n  MAX-ACCESS\tread-create\n  STATUS\tcurrent\n  DESCRIPTION\t\"A name,\n        on two lines.\"\n  DEFVAL\t{ \\\"\\\" }\n::= { iso(1) org(3) dod(6) internet(1) private(4) enterprises(1) testMIB(32473) testTable(1) testEntry(1) testName(2) 5 }\n"
        );
        let arcs = mib.resolve_arcs("TEST-MIB::testState").unwrap();
        let report = mib.description_report(&arcs).unwrap();
        assert!(report.contains("  SYNTAX\tINTEGER {up(1), down(2)} \n  UNITS\t\t\"state\"\n"));
        assert!(report.contains("  DEFVAL\t{ up }\n"));
        let arcs = mib.resolve_arcs("TEST-MIB::testEvent").unwrap();
        let report = mib.description_report(&arcs).unwrap();
        assert!(report.starts_with("testEvent NOTIFICATION-TYPE\n"));
        assert!(report.contains("  OBJECTS\t{ testName, testState }\n"));
        let arcs = mib.resolve_arcs("TEST-MIB::testEntry").unwrap();
        assert!(
            mib.description_report(&arcs)
                .unwrap()
                .contains("  INDEX\t\t{ testIndex }\n")
        );
    }

    #[test]
    fn tree_report_draws_leaves_and_branches() {
        let mib = mib();
        let arcs = mib.resolve_arcs("TEST-MIB::testMIB").unwrap();
        assert_eq!(
            mib.tree_report(&arcs).unwrap(),
            "+--testMIB(32473)
   |
   +--testTable(1)
   |  |
   |  +--testEntry(1)
   |     |  Index: testIndex
   |     |
   |     +-- ---- Integer32 testIndex(1)
   |     |        Range: 1..100
   |     +-- CR-- String    testName(2)
   |     |        Textual Convention: DisplayString
   |     |        Size: 0..32
   |     +-- -R-- EnumVal   testState(3)
   |              Values: up(1), down(2)
   |
   +--testEvent(2)
"
        );
        assert_eq!(mib.tree_report(&[9, 9]), None);
    }
}
