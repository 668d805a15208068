//! Instance names back into arcs: the quoted and bracketed index forms Net-SNMP prints.
//!
//! After the object's name, each index is read by the row's INDEX: a number or an
//! enumeration label for an integer, `"text"` for a string (length first unless the index
//! is IMPLIED or of fixed size), `'text'` for a string without length, and, as `-OX` prints
//! them, `[value]` (`[3]`, `[ipv4]`, `["public"]`, `[STRING: public]`, `[127.0.0.1]`,
//! `[SNMPv2-SMI::dod]`). An InetAddress after its InetAddressType takes the address form
//! Net-SNMP prints (`ipv4."127.0.0.1"` is four octets). Numbers where the INDEX expects
//! something else switch to raw mode: the rest is taken as written, quoted strings with
//! their length as Net-SNMP's `"` does.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::LookupError;
use crate::index::{IndexEncoding, IndexError, IndexValue, RowIndex};
use crate::tree::{MibSet, Syntax};

/// One dot-separated part of a name, quotes and brackets kept whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Component<'a> {
    /// A name or a number.
    Plain(&'a str),
    /// `"text"` or `'text'`, backslash escapes removed.
    Quoted { text: Vec<u8>, quote: u8 },
    /// `[text]`.
    Bracket(&'a str),
}

/// True when `path` needs the index-aware reader (it holds quotes or brackets).
pub(crate) fn has_index_syntax(path: &str) -> bool {
    path.contains(['"', '\'', '['])
}

impl MibSet {
    /// Resolves `path` (after any `MODULE::`; `module` is that module) holding quoted or
    /// bracketed index values.
    pub(crate) fn resolve_indexed(
        &self,
        module: Option<&str>,
        path: &str,
    ) -> Result<Vec<u32>, LookupError> {
        let (absolute, path) = match path.strip_prefix('.') {
            Some(rest) => (true, rest),
            None => (false, path),
        };
        let components = split(path)?;
        let mut rest = components.iter().peekable();
        let (mut arcs, mut node) = if absolute {
            (Vec::new(), Some(self.root()))
        } else {
            let Some(Component::Plain(first)) = rest.next() else {
                return Err(LookupError::InvalidArc(path.to_owned()));
            };
            let arcs = self.resolve_plain(module, first)?;
            let node = self
                .describe(&arcs)
                .filter(|i| i.index.is_empty())
                .map(|i| i.node);
            (arcs, node)
        };
        // Names and numbers of the tree, up to the first index value.
        while let Some(Component::Plain(text)) = rest.peek() {
            if let Ok(arc) = text.parse::<u32>() {
                arcs.push(arc);
                node = node.and_then(|n| n.child(arc));
            } else {
                let child = node.and_then(|n| {
                    n.children()
                        .find(|c| c.definitions().any(|(_, l)| l == *text))
                });
                let Some(child) = child else {
                    break;
                };
                arcs.push(child.arc());
                node = Some(child);
            }
            rest.next();
        }
        if rest.peek().is_none() {
            return Ok(arcs);
        }
        let instance = self
            .describe(&arcs)
            .ok_or_else(|| LookupError::InvalidArc(path.to_owned()))?;
        let row = match self.row_index(instance.node.id()) {
            Ok(row) => Some(row),
            // Quoted strings after an object with no INDEX are taken as written, as
            // Net-SNMP does (`sysDescr.0.""`); brackets need an INDEX.
            Err(e)
                if components
                    .iter()
                    .any(|c| matches!(c, Component::Bracket(_))) =>
            {
                return Err(e.into());
            }
            Err(_) => None,
        };
        let raw = RowIndex {
            row: instance.node.id(),
            fields: Vec::new(),
        };
        let mut reader = match &row {
            Some(row) => IndexReader::new(self, row, &instance.index),
            None => IndexReader::raw(self, &raw),
        };
        for component in rest {
            reader.read(component, &mut arcs)?;
        }
        Ok(arcs)
    }
}

/// Where the reader stands in the row's INDEX.
struct IndexReader<'m> {
    mib: &'m MibSet,
    row: &'m RowIndex,
    /// The next INDEX element, or `None` in raw mode.
    position: Option<usize>,
    /// The value of the element before, for InetAddress after InetAddressType.
    previous: Option<u32>,
    /// Sub-identifiers still to come of an element written as numbers.
    pending: usize,
}

impl<'m> IndexReader<'m> {
    /// A reader after the arcs already given as numbers.
    fn new(mib: &'m MibSet, row: &'m RowIndex, given: &[u32]) -> Self {
        let mut reader = Self {
            mib,
            row,
            position: Some(0),
            previous: None,
            pending: 0,
        };
        let mut rest = given;
        while !rest.is_empty() {
            let Some(position) = reader.position else {
                break;
            };
            match row.decode_field(position, rest) {
                Ok((value, used)) => {
                    reader.advance(&value);
                    rest = rest.get(used..).unwrap_or_default();
                }
                Err(_) => reader.position = None,
            }
        }
        reader
    }

    /// A reader in raw mode: values are taken as written.
    fn raw(mib: &'m MibSet, row: &'m RowIndex) -> Self {
        Self {
            mib,
            row,
            position: None,
            previous: None,
            pending: 0,
        }
    }

    fn advance(&mut self, value: &IndexValue) {
        self.previous = match value {
            IndexValue::Integer(v) => Some(*v),
            _ => None,
        };
        self.position = self.position.map(|p| p + 1);
    }

    /// The encoding and syntax of the next element, if the reader knows it.
    fn field(&self) -> Option<(usize, IndexEncoding, Option<&'m Syntax>)> {
        if self.pending > 0 {
            return None;
        }
        let position = self.position?;
        let field = self.row.fields.get(position)?;
        let syntax = field
            .node
            .and_then(|n| self.mib.node(n))
            .and_then(|n| n.object())
            .and_then(|o| o.syntax.as_ref());
        Some((position, field.encoding?, syntax))
    }

    fn read(&mut self, component: &Component<'_>, arcs: &mut Vec<u32>) -> Result<(), LookupError> {
        let field = self.field();
        match component {
            Component::Plain(text) => {
                if let Ok(number) = text.parse::<u32>() {
                    arcs.push(number);
                    self.number(number, field.map(|(_, encoding, _)| encoding));
                    return Ok(());
                }
                let Some((_, IndexEncoding::Integer, Some(syntax))) = field else {
                    return Err(LookupError::InvalidArc((*text).to_owned()));
                };
                let value = enum_value(syntax, text)
                    .ok_or_else(|| LookupError::InvalidArc((*text).to_owned()))?;
                self.push(IndexValue::Integer(value), arcs)
            }
            Component::Quoted { text, quote } => {
                let Some((_, encoding, syntax)) = field else {
                    // Raw mode: Net-SNMP's rule, a length before `"` strings only.
                    if *quote == b'"' {
                        arcs.push(length(text)?);
                    }
                    arcs.extend(text.iter().map(|&b| u32::from(b)));
                    return Ok(());
                };
                let octets = self.octets(syntax, text);
                if *quote == b'\'' {
                    if !matches!(
                        encoding,
                        IndexEncoding::String { .. } | IndexEncoding::FixedString(_)
                    ) {
                        return Err(LookupError::InvalidArc(
                            String::from_utf8_lossy(text).into_owned(),
                        ));
                    }
                    arcs.extend(octets.iter().map(|&b| u32::from(b)));
                    self.advance(&IndexValue::String(octets));
                    return Ok(());
                }
                self.push(IndexValue::String(octets), arcs)
            }
            Component::Bracket(text) => {
                let (_, encoding, syntax) =
                    field.ok_or_else(|| LookupError::InvalidArc(format!("[{text}]")))?;
                let value = self.bracket_value(encoding, syntax, text)?;
                self.push(value, arcs)
            }
        }
    }

    /// Follows an element written as numbers: a length then that many sub-identifiers, a
    /// fixed number of them, or (IMPLIED) all the rest, which ends the reading by INDEX.
    fn number(&mut self, number: u32, encoding: Option<IndexEncoding>) {
        if self.pending > 0 {
            self.pending -= 1;
            if self.pending == 0 {
                self.previous = None;
                self.position = self.position.map(|p| p + 1);
            }
            return;
        }
        let after_first = match encoding {
            Some(IndexEncoding::Integer) => {
                self.advance(&IndexValue::Integer(number));
                return;
            }
            Some(
                IndexEncoding::String { implied: false }
                | IndexEncoding::ObjectIdentifier { implied: false },
            ) => usize::try_from(number).unwrap_or(usize::MAX),
            Some(IndexEncoding::FixedString(size)) => size.saturating_sub(1),
            Some(IndexEncoding::IpAddress) => 3,
            Some(IndexEncoding::NetworkAddress) => 4,
            _ => {
                self.position = None;
                return;
            }
        };
        if after_first == 0 {
            self.previous = None;
            self.position = self.position.map(|p| p + 1);
        } else {
            self.pending = after_first;
        }
    }

    /// Encodes `value` as the next element.
    fn push(&mut self, value: IndexValue, arcs: &mut Vec<u32>) -> Result<(), LookupError> {
        let position = self.position.ok_or_else(|| {
            LookupError::Index(IndexError::ValueCount {
                expected: self.row.fields.len(),
                given: self.row.fields.len() + 1,
            })
        })?;
        self.row.encode_field(position, &value, arcs)?;
        self.advance(&value);
        Ok(())
    }

    /// The octets of a quoted string: an InetAddress after its type in address form.
    fn octets(&self, syntax: Option<&Syntax>, text: &[u8]) -> Vec<u8> {
        let is_inet = syntax.and_then(|s| s.textual_convention.as_deref()) == Some("InetAddress");
        let previous_is_type = self
            .position
            .and_then(|p| p.checked_sub(1))
            .and_then(|p| self.row.fields.get(p))
            .and_then(|f| f.node)
            .and_then(|n| self.mib.node(n))
            .and_then(|n| n.object())
            .and_then(|o| o.syntax.as_ref())
            .and_then(|s| s.textual_convention.as_deref())
            == Some("InetAddressType");
        if is_inet && previous_is_type {
            let parsed = std::str::from_utf8(text)
                .ok()
                .zip(self.previous)
                .and_then(|(t, kind)| inet_octets(kind, t));
            if let Some(octets) = parsed {
                return octets;
            }
        }
        text.to_vec()
    }

    fn bracket_value(
        &self,
        encoding: IndexEncoding,
        syntax: Option<&Syntax>,
        text: &str,
    ) -> Result<IndexValue, LookupError> {
        let invalid = || LookupError::InvalidArc(format!("[{text}]"));
        Ok(match encoding {
            IndexEncoding::Integer => {
                if let Ok(n) = text.parse::<u32>() {
                    IndexValue::Integer(n)
                } else {
                    IndexValue::Integer(
                        syntax
                            .and_then(|s| enum_value(s, text))
                            .ok_or_else(invalid)?,
                    )
                }
            }
            IndexEncoding::IpAddress | IndexEncoding::NetworkAddress => {
                let text = match encoding {
                    IndexEncoding::NetworkAddress => text.strip_prefix("1.").unwrap_or(text),
                    _ => text,
                };
                IndexValue::IpAddress(text.parse::<Ipv4Addr>().map_err(|_| invalid())?)
            }
            IndexEncoding::FixedString(_) | IndexEncoding::String { .. } => {
                let raw = match split(text)?.as_slice() {
                    [Component::Quoted { text, .. }] => text.clone(),
                    _ => text
                        .strip_prefix("STRING: ")
                        .unwrap_or(text)
                        .as_bytes()
                        .to_vec(),
                };
                IndexValue::String(self.octets(syntax, &raw))
            }
            IndexEncoding::ObjectIdentifier { .. } => {
                IndexValue::ObjectIdentifier(self.mib.resolve_arcs(text).map_err(|e| match e {
                    LookupError::Empty => invalid(),
                    other => other,
                })?)
            }
        })
    }
}

fn enum_value(syntax: &Syntax, label: &str) -> Option<u32> {
    syntax
        .enums
        .iter()
        .find(|e| e.name == label)
        .and_then(|e| u32::try_from(e.value).ok())
}

fn length(text: &[u8]) -> Result<u32, LookupError> {
    u32::try_from(text.len()).map_err(|_| LookupError::InvalidArc("string too long".into()))
}

/// RFC 4001 InetAddress text as Net-SNMP prints it in indexes: `a.b.c.d`, sixteen hex
/// octets joined by colons (or the usual IPv6 text), a zone after `%`.
fn inet_octets(kind: u32, text: &str) -> Option<Vec<u8>> {
    let (address, zone) = match text.split_once('%') {
        Some((a, z)) => (a, Some(z.parse::<u32>().ok()?)),
        None => (text, None),
    };
    let mut octets = match kind {
        1 | 3 => address.parse::<Ipv4Addr>().ok()?.octets().to_vec(),
        2 | 4 => {
            let parts: Vec<&str> = address.split(':').collect();
            if parts.len() == 16 {
                parts
                    .iter()
                    .map(|p| u8::from_str_radix(p, 16).ok())
                    .collect::<Option<Vec<u8>>>()?
            } else {
                address.parse::<Ipv6Addr>().ok()?.octets().to_vec()
            }
        }
        _ => return None,
    };
    match (kind, zone) {
        (3 | 4, Some(zone)) => octets.extend_from_slice(&zone.to_be_bytes()),
        (1 | 2, None) => {}
        _ => return None,
    }
    Some(octets)
}

/// Splits a name at dots outside quotes and brackets; a bracket also ends the component
/// before it (`ifDescr[3]`).
pub(super) fn split(path: &str) -> Result<Vec<Component<'_>>, LookupError> {
    let bytes = path.as_bytes();
    let mut components = Vec::new();
    let mut i = 0;
    let mut start = 0;
    // Whether the text since `start` is a plain component still open.
    let mut open = true;
    while i < bytes.len() {
        match bytes.get(i).copied() {
            Some(b'.') => {
                if open {
                    components.push(Component::Plain(path.get(start..i).unwrap_or_default()));
                }
                i += 1;
                start = i;
                open = true;
            }
            Some(quote @ (b'"' | b'\'')) if i == start => {
                let (text, end) = quoted(bytes, i + 1, quote).ok_or_else(|| {
                    LookupError::InvalidArc(path.get(i..).unwrap_or_default().to_owned())
                })?;
                components.push(Component::Quoted { text, quote });
                i = end;
                open = false;
                if !matches!(bytes.get(i), None | Some(b'.' | b'[')) {
                    return Err(LookupError::InvalidArc(path.to_owned()));
                }
            }
            Some(b'[') => {
                if open && i > start {
                    components.push(Component::Plain(path.get(start..i).unwrap_or_default()));
                }
                let end = bracket_end(bytes, i + 1).ok_or_else(|| {
                    LookupError::InvalidArc(path.get(i..).unwrap_or_default().to_owned())
                })?;
                components.push(Component::Bracket(path.get(i + 1..end).unwrap_or_default()));
                i = end + 1;
                start = i;
                open = false;
                if !matches!(bytes.get(i), None | Some(b'.' | b'[')) {
                    return Err(LookupError::InvalidArc(path.to_owned()));
                }
            }
            _ => i += 1,
        }
    }
    if open {
        components.push(Component::Plain(path.get(start..).unwrap_or_default()));
    }
    Ok(components)
}

/// The unescaped text of a quoted string starting after its quote at `from`, and the
/// index after the closing quote.
fn quoted(bytes: &[u8], from: usize, quote: u8) -> Option<(Vec<u8>, usize)> {
    let mut text = Vec::new();
    let mut i = from;
    loop {
        match bytes.get(i).copied()? {
            b'\\' => {
                text.push(bytes.get(i + 1).copied()?);
                i += 2;
            }
            // A quote that does not end the component is text: Net-SNMP prints quotes in
            // index strings unescaped (`"a"b"`).
            b if b == quote && matches!(bytes.get(i + 1), None | Some(b'.' | b'[' | b']')) => {
                return Some((text, i + 1));
            }
            b => {
                text.push(b);
                i += 1;
            }
        }
    }
}

/// The index of the `]` closing a bracket opened before `from`, skipping quoted text.
fn bracket_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        match bytes.get(i).copied()? {
            b']' => return Some(i),
            quote @ (b'"' | b'\'') if i == from => {
                let (_, end) = quoted(bytes, i + 1, quote)?;
                i = end;
            }
            _ => i += 1,
        }
    }
}
