//! OIDs as Net-SNMP prints them, instance indexes broken down:
//! `IF-MIB::ifDescr.3`, `SNMP-VIEW-BASED-ACM-MIB::vacmGroupName.3."public"`,
//! `RFC1213-MIB::ipAdEntAddr.127.0.0.1`, `SNMP-TARGET-MIB::snmpTargetAddrTDomain.'foo'`,
//! and with `-OX` `IP-MIB::ipAddressIfIndex[ipv4]["127.0.0.1"]`; with `-Os`, `-Of`,
//! `-Ou`, `-On` and `-Ob` as the prefix and breakdown change.
//!
//! This follows Net-SNMP 5.9's `_get_realloc_symbol` closely, quirks included (an index
//! that does not decode stops the breakdown and the remaining arcs print as numbers; with
//! `-OX` its opening bracket stays).

mod parse;

pub(crate) use self::parse::has_index_syntax;
#[cfg(test)]
mod tests;

use vigie_snmp::Oid;

use crate::format::{format_octets_with_hint, uptime};
use crate::index::{IndexEncoding, RowIndex};
use crate::tree::{BaseType, MibSet, Node, NodeKind, Syntax};

/// How the name part of an OID is printed (Net-SNMP's `-OS`, `-Os`, `-Of`, `-Ou`, `-On`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OidFormat {
    /// `-OS`, the default: `IF-MIB::ifDescr.3`.
    #[default]
    Module,
    /// `-Os`: `ifDescr.3`.
    Suffix,
    /// `-Of`: `.iso.org.dod.internet.mgmt.mib-2.interfaces.ifTable.ifEntry.ifDescr.3`.
    Full,
    /// `-Ou`: UCD style, the full name without the `.iso.org.dod.internet.mgmt.mib-2.`,
    /// `….experimental.` or `….private.` prefix: `interfaces.ifTable.ifEntry.ifDescr.3`.
    Ucd,
    /// `-On`: `.1.3.6.1.2.1.2.2.1.2.3`.
    Numeric,
}

/// The `-O` flags that change how OIDs are printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct OidOptions {
    /// Which name form.
    pub format: OidFormat,
    /// `-Ob`: print instance indexes as numbers, not broken down.
    pub numeric_index: bool,
    /// `-OX`: print each index in brackets, strings with their DISPLAY-HINT.
    pub extended_index: bool,
}

impl OidOptions {
    /// Net-SNMP's defaults (`-OS`, indexes broken down, not extended).
    pub fn new() -> Self {
        Self::default()
    }
}

impl MibSet {
    /// Prints `oid` as Net-SNMP does with `options`.
    pub fn format_oid(&self, oid: &Oid, options: &OidOptions) -> String {
        self.format_arcs(oid.arcs(), options)
    }

    /// Prints arcs (which may be fewer than an SNMP OID's two) as Net-SNMP does.
    pub fn format_arcs(&self, arcs: &[u32], options: &OidOptions) -> String {
        if options.format == OidFormat::Numeric {
            return numeric(arcs);
        }
        let Some(instance) = self.describe(arcs) else {
            return numeric(arcs);
        };
        let node = instance.node;
        let depth = arcs.len() - instance.index.len();
        let mut out = match options.format {
            OidFormat::Suffix => node.name().unwrap_or_default().to_owned(),
            OidFormat::Full => self.full_path(arcs.get(..depth).unwrap_or_default()),
            OidFormat::Ucd => {
                // Net-SNMP prints the full name, index included, then strips the prefix.
                let full_options = OidOptions {
                    format: OidFormat::Full,
                    ..*options
                };
                let full = self.format_arcs(arcs, &full_options);
                return UCD_PREFIXES
                    .iter()
                    .find_map(|p| full.strip_prefix(p).and_then(|r| r.strip_prefix('.')))
                    .map_or_else(|| full.clone(), str::to_owned);
            }
            OidFormat::Module | OidFormat::Numeric => node.qualified_name(),
        };
        if instance.index.is_empty() {
            return out;
        }
        out.push('.');
        let row = if options.numeric_index {
            None
        } else {
            self.enclosing_row(node)
        };
        let mut rest: &[u32] = &instance.index;
        if let Some(row) = row {
            rest = self.print_index(&mut out, &row, rest, options);
        }
        finish(&mut out, rest);
        out
    }

    /// `.iso.org.dod…` for the named path of `arcs`, unnamed arcs as numbers.
    fn full_path(&self, arcs: &[u32]) -> String {
        let mut out = String::new();
        let mut node = Some(self.root());
        for &arc in arcs {
            out.push('.');
            let child = node.and_then(|n| n.child(arc));
            match child.and_then(|c| c.name()) {
                Some(name) => out.push_str(name),
                None => out.push_str(&arc.to_string()),
            }
            node = child;
        }
        out
    }

    /// The row whose INDEX applies below `node`: `node` itself or its nearest ancestor that
    /// is a row with an INDEX (or AUGMENTS).
    fn enclosing_row(&self, node: Node<'_>) -> Option<RowIndex> {
        let mut current = Some(node);
        while let Some(n) = current {
            if n.kind() == NodeKind::Row {
                return self.row_index(n.id()).ok();
            }
            current = n.parent();
        }
        None
    }

    /// Appends the broken-down index values to `out`; returns the arcs left undecoded.
    fn print_index<'a>(
        &self,
        out: &mut String,
        row: &RowIndex,
        mut arcs: &'a [u32],
        options: &OidOptions,
    ) -> &'a [u32] {
        let mut previous: Option<(Option<&Syntax>, u32)> = None;
        for field in &row.fields {
            if arcs.is_empty() {
                break;
            }
            let syntax = field
                .node
                .and_then(|n| self.node(n))
                .and_then(|n| n.object())
                .and_then(|o| o.syntax.as_ref());
            let Some(syntax) = syntax else {
                break;
            };
            if options.extended_index {
                if out.ends_with('.') {
                    out.pop();
                }
                out.push('[');
            }
            let Some(encoding) = field.encoding else {
                break;
            };
            let Some((text, used)) = self.index_text(syntax, encoding, arcs, previous, options)
            else {
                break;
            };
            out.push_str(&text);
            out.push(if options.extended_index { ']' } else { '.' });
            previous = arcs.first().map(|&first| (Some(syntax), first));
            arcs = arcs.get(used..).unwrap_or_default();
        }
        arcs
    }

    /// One index value as text, and the arcs it took; `None` where Net-SNMP stops.
    fn index_text(
        &self,
        syntax: &Syntax,
        encoding: IndexEncoding,
        arcs: &[u32],
        previous: Option<(Option<&Syntax>, u32)>,
        options: &OidOptions,
    ) -> Option<(String, usize)> {
        let extended = options.extended_index;
        match encoding {
            IndexEncoding::Integer => {
                let &value = arcs.first()?;
                let text = match syntax.base {
                    // Net-SNMP prints no index of these types.
                    BaseType::Counter32 => return None,
                    BaseType::TimeTicks if extended => uptime(value, false),
                    BaseType::TimeTicks => value.to_string(),
                    _ => syntax
                        .enums
                        .iter()
                        // Net-SNMP compares as a C int.
                        .find(|e| e.value == i64::from(i32::from_ne_bytes(value.to_ne_bytes())))
                        .map_or_else(|| value.to_string(), |e| e.name.clone()),
                };
                Some((text, 1))
            }
            IndexEncoding::IpAddress => {
                let a = arcs.get(..4)?;
                Some((join_arcs(a), 4))
            }
            IndexEncoding::NetworkAddress => {
                let (&kind, rest) = arcs.split_first()?;
                let a = rest.get(..4).filter(|_| kind == 1)?;
                Some((format!("{kind}.{}", join_arcs(a)), 5))
            }
            IndexEncoding::FixedString(_) | IndexEncoding::String { .. } => {
                if syntax.base != BaseType::OctetString {
                    return None;
                }
                self.string_index_text(syntax, encoding, arcs, previous, extended)
            }
            IndexEncoding::ObjectIdentifier { implied } => {
                let used = if implied {
                    arcs.len()
                } else {
                    usize::try_from(*arcs.first()?).ok()?.checked_add(1)?
                };
                let all = arcs.get(..used)?;
                let text = if extended {
                    let inner = if implied { all } else { all.get(1..)? };
                    self.format_arcs(inner, options)
                } else {
                    join_arcs(all)
                };
                Some((text, used))
            }
        }
    }

    fn string_index_text(
        &self,
        syntax: &Syntax,
        encoding: IndexEncoding,
        arcs: &[u32],
        previous: Option<(Option<&Syntax>, u32)>,
        extended: bool,
    ) -> Option<(String, usize)> {
        let (contents, used, quote) = match encoding {
            IndexEncoding::String { implied: true } => (arcs, arcs.len(), '\''),
            IndexEncoding::FixedString(size) => (arcs.get(..size)?, size, '\''),
            _ => {
                let length = usize::try_from(*arcs.first()?).ok()?;
                (arcs.get(1..=length)?, length + 1, '"')
            }
        };
        // Net-SNMP 5.9 refuses an index whose octets are not octets.
        let octets: Vec<u8> = contents
            .iter()
            .map(|&a| u8::try_from(a).ok())
            .collect::<Option<_>>()?;
        if extended {
            if let Some(hint) = &syntax.hint {
                let text = format_octets_with_hint(&octets, hint)?;
                return Some((format!("STRING: {text}"), used));
            }
        }
        if quote == '"' {
            if octets.is_empty() {
                return Some(("\"\"".to_owned(), used));
            }
            let after_type = previous
                .filter(|(s, _)| {
                    s.and_then(|s| s.textual_convention.as_deref()) == Some("InetAddressType")
                })
                .map(|(_, kind)| kind);
            let is_inet = syntax.textual_convention.as_deref() == Some("InetAddress");
            if let (true, Some(kind)) = (is_inet, after_type) {
                if let Some(text) = inet_address(kind, &octets) {
                    return Some((format!("\"{text}\""), used));
                }
            }
        }
        Some((quoted(&octets, quote), used))
    }
}

/// Net-SNMP's `dump_realloc_oid_to_string`: the octets between quotes, each that is not
/// printable as a dot, nothing escaped; nothing at all for no octets.
fn quoted(octets: &[u8], quote: char) -> String {
    if octets.is_empty() {
        return String::new();
    }
    let mut text = String::with_capacity(octets.len() + 2);
    text.push(quote);
    for &b in octets {
        text.push(if (0x20..0x7f).contains(&b) {
            char::from(b)
        } else {
            '.'
        });
    }
    text.push(quote);
    text
}

/// Net-SNMP's `dump_realloc_oid_to_inetaddress` (RFC 4001 address types): IPv4 dotted,
/// IPv6 as sixteen hex octets joined by colons, zones after `%`; `None` for other types
/// and sizes, which print as plain strings.
fn inet_address(kind: u32, octets: &[u8]) -> Option<String> {
    let v4 = |o: &[u8]| o.iter().map(u8::to_string).collect::<Vec<_>>().join(".");
    let v6 = |o: &[u8]| {
        o.iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":")
    };
    let zone = |o: &[u8]| {
        o.iter()
            .fold(0u32, |z, &b| z.wrapping_shl(8) | u32::from(b))
    };
    match (kind, octets.len()) {
        (1, 4) => Some(v4(octets)),
        (2, 16) => Some(v6(octets)),
        (3, 8) => Some(format!(
            "{}%{}",
            v4(octets.get(..4)?),
            zone(octets.get(4..)?)
        )),
        (4, 20) => Some(format!(
            "{}%{}",
            v6(octets.get(..16)?),
            zone(octets.get(16..)?)
        )),
        _ => None,
    }
}

/// Net-SNMP's `_oid_finish_printing`: the remaining arcs as `.n`, no trailing dot.
fn finish(out: &mut String, rest: &[u32]) {
    if !out.ends_with('.') {
        out.push('.');
    }
    for arc in rest {
        out.push_str(&arc.to_string());
        out.push('.');
    }
    out.pop();
}

fn numeric(arcs: &[u32]) -> String {
    let mut out = String::new();
    for arc in arcs {
        out.push('.');
        out.push_str(&arc.to_string());
    }
    out
}

fn join_arcs(arcs: &[u32]) -> String {
    arcs.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// The prefixes `-Ou` removes (Net-SNMP's `mib_prefixes`).
const UCD_PREFIXES: &[&str] = &[
    ".iso.org.dod.internet.mgmt.mib-2",
    ".iso.org.dod.internet.experimental",
    ".iso.org.dod.internet.private",
    ".iso.org.dod.internet.snmpParties",
    ".iso.org.dod.internet.snmpSecrets",
];
