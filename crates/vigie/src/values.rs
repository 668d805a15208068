//! Input text: OIDs and the `TYPE VALUE` pairs of `set`, `trap` and `inform`, parsed as
//! Net-SNMP's `read_objid` and `snmp_add_var` parse them, with their error texts.

use std::net::Ipv4Addr;

use bytes::Bytes;
use vigie_mib::{BaseType, IndexValue, LookupError, MibSet, NodeKind, Syntax};
use vigie_snmp::{Oid, Value};

use crate::output::OpaqueValue;

/// An OID as typed, parsed with the modules loaded for this process ([`crate::mibs`]).
pub(crate) fn parse_oid_arcs(text: &str) -> Result<Vec<u32>, OidTextError> {
    match crate::mibs::current() {
        Some(mib) => parse_named_oid(mib, text),
        None => parse_numeric_oid(text),
    }
}

/// An OID as typed, parsed the way Net-SNMP's tools parse it with modules loaded
/// (`snmp_parse_oid`): `SNMPv2-MIB::sysDescr.0`, `sysDescr.0` (a bare name is looked up in
/// every module, as `-IR` does), `IF-MIB::ifDescr.3`, `iso.org.dod.internet.mgmt`,
/// `vacmGroupName.3."public"`, numeric OIDs. The errors carry Net-SNMP's texts.
pub(crate) fn parse_named_oid(mib: &MibSet, text: &str) -> Result<Vec<u32>, OidTextError> {
    let arcs = mib
        .resolve_arcs(text)
        .map_err(|error| lookup_error(mib, text, &error))?;
    check_index_ranges(mib, &arcs)?;
    Ok(arcs)
}

/// Net-SNMP's `read_objid` checks the integer index values after a column against their
/// ranges (`ifDescr.0`: `Index out of range: 0 (ifIndex)`), numbers included.
fn check_index_ranges(mib: &MibSet, arcs: &[u32]) -> Result<(), OidTextError> {
    let Some(instance) = mib.describe(arcs) else {
        return Ok(());
    };
    if instance.node.kind() != NodeKind::Column || instance.index.is_empty() {
        return Ok(());
    }
    let Ok(row) = mib.row_index(instance.node.id()) else {
        return Ok(());
    };
    let mut rest: &[u32] = &instance.index;
    for (position, field) in row.fields.iter().enumerate() {
        if rest.is_empty() {
            break;
        }
        let Ok((value, used)) = row.decode_field(position, rest) else {
            break;
        };
        if let IndexValue::Integer(number) = value {
            let ranges = field
                .node
                .and_then(|id| mib.node(id))
                .and_then(|node| node.object())
                .and_then(|object| object.syntax.as_ref())
                .map(|syntax| syntax.ranges.as_slice())
                .unwrap_or_default();
            let n = i128::from(number);
            if !ranges.is_empty() && !ranges.iter().any(|r| r.low <= n && n <= r.high) {
                return Err(OidTextError::IndexOutOfRange {
                    value: number.to_string(),
                    index: field.name.clone(),
                });
            }
        }
        rest = rest.get(used..).unwrap_or_default();
    }
    Ok(())
}

/// Net-SNMP's `read_objid` message for a failed lookup.
fn lookup_error(mib: &MibSet, text: &str, error: &LookupError) -> OidTextError {
    let qualified = text
        .split_once("::")
        .filter(|(module, _)| !module.contains(['.', '"', '\'', '[']));
    match error {
        LookupError::Empty => OidTextError::SubIdNotFound {
            name: String::new(),
        },
        LookupError::UnknownModule(_) => OidTextError::Unknown,
        LookupError::UnknownName(_) if qualified.is_some() => OidTextError::Unknown,
        LookupError::UnknownName(name) => OidTextError::SubIdNotFound { name: name.clone() },
        _ => {
            let path = qualified.map_or(text, |(_, path)| path);
            index_error(mib, text, path)
        }
    }
}

/// Where a name stops resolving: below a named node, in an index, or past the tree.
fn index_error(mib: &MibSet, text: &str, path: &str) -> OidTextError {
    let labels: Vec<&str> = path.trim_start_matches('.').split('.').collect();
    // The longest prefix that resolves, and the label after it.
    let mut known = None;
    for end in (1..labels.len()).rev() {
        let prefix = labels.get(..end).unwrap_or_default().join(".");
        let prefix = if path.starts_with('.') {
            format!(".{prefix}")
        } else {
            prefix
        };
        let full = match text.split_once("::") {
            Some((module, _)) if text.len() > path.len() => format!("{module}::{prefix}"),
            _ => prefix,
        };
        if let Ok(arcs) = mib.resolve_arcs(&full) {
            known = Some((arcs, end));
            break;
        }
    }
    let Some((arcs, end)) = known else {
        return OidTextError::BadComponent {
            rest: path.to_owned(),
        };
    };
    let label = labels.get(end).copied().unwrap_or_default().to_owned();
    let rest = labels.get(end..).unwrap_or_default().join(".");
    let Some(instance) = mib.describe(&arcs) else {
        return OidTextError::BadComponent { rest };
    };
    let node = instance.node;
    if node.kind() == NodeKind::Column {
        if let Ok(row) = mib.row_index(node.id()) {
            let mut used = 0;
            let mut index: &[u32] = &instance.index;
            while let Ok((_, n)) = row.decode_field(used, index) {
                if index.is_empty() {
                    break;
                }
                index = index.get(n..).unwrap_or_default();
                used += 1;
            }
            return match (row.fields.get(used), used.checked_sub(1)) {
                (Some(field), _) => OidTextError::IndexOutOfRange {
                    value: label,
                    index: field.name.clone(),
                },
                (None, Some(last)) => OidTextError::SubIdNotFoundBelow {
                    parent: row
                        .fields
                        .get(last)
                        .map_or_else(String::new, |f| f.name.clone()),
                    name: label,
                },
                (None, None) => OidTextError::BadComponent { rest },
            };
        }
    }
    if instance.index.is_empty() && node.kind() != NodeKind::Scalar {
        return OidTextError::SubIdNotFoundBelow {
            parent: node.name().unwrap_or_default().to_owned(),
            name: label,
        };
    }
    OidTextError::BadComponent { rest }
}

/// An OID as typed, parsed the way Net-SNMP parses it with no MIB loaded: dotted decimal with
/// an optional leading dot, the first arc possibly named `iso`, `ccitt` or `joint-iso-ccitt`.
///
/// Arcs above 2^32-1 wrap, as Net-SNMP's do.
pub(crate) fn parse_numeric_oid(text: &str) -> Result<Vec<u32>, OidTextError> {
    let body = text.strip_prefix('.').unwrap_or(text);
    let mut arcs = Vec::with_capacity(16);
    let mut rest = body;
    let mut first = true;
    loop {
        let (component, tail) = match rest.split_once('.') {
            Some((component, tail)) => (component, Some(tail)),
            None => (rest, None),
        };
        match arc_value(component, first) {
            Some(arc) => arcs.push(arc),
            None if first => {
                return Err(OidTextError::SubIdNotFound {
                    name: component.to_owned(),
                });
            }
            None => {
                return Err(OidTextError::BadComponent {
                    rest: rest.to_owned(),
                });
            }
        }
        first = false;
        match tail {
            Some(tail) => rest = tail,
            None => return Ok(arcs),
        }
    }
}

/// An OID as typed, checked against SNMP's limits: Net-SNMP finds these only when it builds
/// the message, and so do we.
///
/// A single arc `0`, `1` or `2` is encoded by Net-SNMP 5.9.3 as the one subidentifier it is
/// (`snmpgetnext … 1` sends `06 01 01`), which X.690 §8.19.4 reads as `0.1`: that is the OID
/// sent here, so the bytes on the wire are the same. Above 2 Net-SNMP cannot build it.
pub(crate) fn build_oid(arcs: &[u32]) -> Result<Oid, OidBuildError> {
    match *arcs {
        [arc] if arc <= 2 => Oid::new(&[0, arc]).map_err(|_| OidBuildError),
        _ => Oid::new(arcs).map_err(|_| OidBuildError),
    }
}

/// Why an OID text was refused (`read_objid`'s messages).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum OidTextError {
    /// The first component is neither a number nor a top-level name.
    #[error("Unknown Object Identifier (Sub-id not found: (top) -> {name})")]
    SubIdNotFound {
        /// The component as typed.
        name: String,
    },
    /// A later component is not a number; `rest` is the text from there on.
    #[error("Unknown Object Identifier ({rest})")]
    BadComponent {
        /// The text from the bad component to the end.
        rest: String,
    },
    /// A name that is not a child of the node before it.
    #[error("Unknown Object Identifier (Sub-id not found: {parent} -> {name})")]
    SubIdNotFoundBelow {
        /// The node (or last index object) before it.
        parent: String,
        /// The component as typed.
        name: String,
    },
    /// An index value that does not fit its INDEX object.
    #[error("Unknown Object Identifier (Index out of range: {value} ({index}))")]
    IndexOutOfRange {
        /// The value as typed.
        value: String,
        /// The INDEX object.
        index: String,
    },
    /// `MODULE::name` that the module does not define, or an unknown module.
    #[error("Unknown Object Identifier")]
    Unknown,
}

/// An OID that cannot be encoded (fewer than two arcs, or a first pair BER cannot carry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Can't build OID for variable")]
pub(crate) struct OidBuildError;

/// The result of parsing one value: the value, and whether Net-SNMP would have warned that
/// it truncated an integer wider than 32 bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedValue {
    /// The value to send.
    pub(crate) value: Value,
    /// Print "truncating integer value > 32 bits" on stderr.
    pub(crate) truncated: bool,
}

/// Parses `text` as a value of `kind`, one of Net-SNMP's type letters:
/// `i u t a o s x d b n U I F D` (and `3`, an alias of `u`), plus vigie's `c` (Counter32) and
/// `C` (Counter64).
pub(crate) fn parse_value(kind: char, text: &str) -> Result<ParsedValue, ValueError> {
    let plain = |value| {
        Ok(ParsedValue {
            value,
            truncated: false,
        })
    };
    let bad_notation = || ValueError::BadNotation(text.to_owned());
    match kind {
        'i' => {
            if text.is_empty() {
                return Err(bad_notation());
            }
            let n = strtol(text).ok_or_else(|| ValueError::OutOfRange(text.to_owned()))?;
            let truncated = i32::try_from(n).is_err();
            Ok(ParsedValue {
                value: Value::Integer(low_32_signed(n)),
                truncated,
            })
        }
        'u' | '3' | 't' | 'c' => {
            let n = strtoul(text).ok_or_else(bad_notation)?;
            // A negative number wraps silently, as strtoul's result does in Net-SNMP.
            let negative = text.trim_start().starts_with('-');
            let truncated = !negative && u32::try_from(n).is_err();
            let low = low_32(n);
            let value = match kind {
                't' => Value::TimeTicks(low),
                'c' => Value::Counter32(low),
                _ => Value::Gauge32(low),
            };
            Ok(ParsedValue { value, truncated })
        }
        'C' => plain(Value::Counter64(strtoul(text).ok_or_else(bad_notation)?)),
        'a' => plain(Value::IpAddress(inet_aton(text).ok_or_else(bad_notation)?)),
        'o' => {
            let arcs = parse_oid_arcs(text).map_err(ValueError::Oid)?;
            let oid = build_oid(&arcs).map_err(|_| ValueError::OidBuild)?;
            plain(Value::ObjectIdentifier(oid))
        }
        's' => plain(Value::OctetString(Bytes::copy_from_slice(text.as_bytes()))),
        'x' => plain(Value::OctetString(
            hex_octets(text).ok_or_else(bad_notation)?.into(),
        )),
        'd' => plain(Value::OctetString(
            decimal_octets(text).ok_or_else(bad_notation)?.into(),
        )),
        'b' => plain(Value::OctetString(bits(text)?.into())),
        'n' => plain(Value::Null),
        'U' => opaque(OpaqueValue::UInt64(read64(text).ok_or_else(bad_notation)?)),
        'I' => {
            let n = read64(text).ok_or_else(bad_notation)?;
            opaque(OpaqueValue::Int64(i64::from_be_bytes(n.to_be_bytes())))
        }
        'F' => {
            let f: f32 = c_float(text).ok_or_else(bad_notation)?;
            opaque(OpaqueValue::Float(f))
        }
        'D' => opaque(OpaqueValue::Double(c_float(text).ok_or_else(bad_notation)?)),
        other => Err(ValueError::BadVariableType(other.to_string())),
    }
}

/// Parses `text` for the object at `arcs` as `snmpset` does with modules loaded
/// (`snmp_add_var`): the `=` type takes the letter from the object's SYNTAX, a letter that
/// does not fit the SYNTAX is refused (`Type of attribute is OCTET STRING, not INTEGER`),
/// `i` takes enumeration labels (`i down`), `b` takes bit labels (`b ipv4 ipv6`) and pads the
/// octets to the highest defined bit, and INTEGER values and string lengths are checked
/// against the SYNTAX's ranges. Without modules, or for an object whose SYNTAX is unknown,
/// this is [`parse_value`].
pub(crate) fn parse_value_for(
    mib: Option<&MibSet>,
    arcs: &[u32],
    kind: char,
    text: &str,
) -> Result<ParsedValue, ValueError> {
    let syntax = mib
        .and_then(|mib| mib.describe(arcs))
        .and_then(|instance| instance.node.object())
        .and_then(|object| object.syntax.as_ref())
        .filter(|syntax| simple_type_name(syntax.base).is_some());
    let Some(syntax) = syntax else {
        return parse_value(kind, text);
    };
    let kind = if kind == '=' {
        assigned_letter(syntax.base).unwrap_or('=')
    } else {
        kind
    };
    if let Some(expected) = required_type(kind, syntax) {
        return Err(ValueError::WrongType {
            actual: simple_type_name(syntax.base).unwrap_or_default(),
            expected,
        });
    }
    match kind {
        'i' => {
            let number = match strtol(text) {
                Some(number) if !text.is_empty() => number,
                _ if text.is_empty() => return Err(ValueError::BadNotation(String::new())),
                _ => syntax
                    .enums
                    .iter()
                    .find(|named| named.name == text)
                    .map(|named| named.value)
                    .ok_or_else(|| ValueError::OutOfRange(text.to_owned()))?,
            };
            check_range(&syntax.ranges, i128::from(number), text)?;
            Ok(ParsedValue {
                value: Value::Integer(low_32_signed(number)),
                truncated: i32::try_from(number).is_err(),
            })
        }
        's' | 'x' | 'd' => {
            // snmpset reads an `s` value through the object's DISPLAY-HINT first
            // (`00:11:22:33:44:55` under `1x:` is six octets) and names the size check
            // after it; a value the hint does not read goes as typed.
            let hinted = syntax
                .hint
                .as_deref()
                .filter(|_| kind == 's')
                .and_then(|hint| vigie_mib::parse_octets_with_hint(hint, text));
            if let Some(octets) = hinted {
                let length = i128::try_from(octets.len()).unwrap_or(i128::MAX);
                check_range(&syntax.sizes, length, "Value does not match DISPLAY-HINT")?;
                return Ok(ParsedValue {
                    value: Value::OctetString(octets.into()),
                    truncated: false,
                });
            }
            let parsed = parse_value(kind, text)?;
            if let Value::OctetString(bytes) = &parsed.value {
                let length = i128::try_from(bytes.len()).unwrap_or(i128::MAX);
                check_range(&syntax.sizes, length, "Bad string length")?;
            }
            Ok(parsed)
        }
        'b' => Ok(ParsedValue {
            value: Value::OctetString(labelled_bits(syntax, text)?.into()),
            truncated: false,
        }),
        other => parse_value(other, text),
    }
}

/// The letter `=` stands for, from the object's base type (`snmp_add_var`).
fn assigned_letter(base: BaseType) -> Option<char> {
    Some(match base {
        BaseType::Integer | BaseType::Integer32 => 'i',
        BaseType::Gauge32 | BaseType::Unsigned32 => 'u',
        BaseType::Counter32 => 'c',
        BaseType::Counter64 => 'C',
        BaseType::TimeTicks => 't',
        BaseType::OctetString => 's',
        BaseType::Bits => 'b',
        BaseType::IpAddress => 'a',
        BaseType::ObjectIdentifier => 'o',
        _ => return None,
    })
}

/// Net-SNMP's name of a simple SMI type (`TYPE_*` in `snmp_add_var`'s error), or `None` for
/// tables, rows and types it does not check.
fn simple_type_name(base: BaseType) -> Option<&'static str> {
    Some(match base {
        BaseType::ObjectIdentifier => "OBJECT IDENTIFIER",
        BaseType::OctetString => "OCTET STRING",
        BaseType::Integer => "INTEGER",
        BaseType::IpAddress => "IpAddress",
        BaseType::Counter32 => "Counter32",
        BaseType::Gauge32 => "Gauge32",
        BaseType::TimeTicks => "Timeticks",
        BaseType::Opaque => "Opaque",
        BaseType::Counter64 => "Counter64",
        BaseType::Bits => "BITS",
        BaseType::Unsigned32 => "Unsigned32",
        BaseType::Integer32 => "Integer32",
        _ => return None,
    })
}

/// The type `kind` needs when the object's SYNTAX is not one it may set: `Some("INTEGER")`
/// for `i` on an OCTET STRING. `None` when the letter fits (or is not checked).
fn required_type(kind: char, syntax: &Syntax) -> Option<&'static str> {
    let base = syntax.base;
    let (fits, expected) = match kind {
        'i' => (
            matches!(base, BaseType::Integer | BaseType::Integer32),
            "INTEGER",
        ),
        'u' => (
            matches!(base, BaseType::Gauge32 | BaseType::Unsigned32),
            "Unsigned32",
        ),
        // vigie-mib reads UInteger32 as Unsigned32.
        '3' => (
            matches!(base, BaseType::Gauge32 | BaseType::Unsigned32),
            "UInteger32",
        ),
        'c' => (base == BaseType::Counter32, "Counter32"),
        'C' => (base == BaseType::Counter64, "Counter64"),
        't' => (base == BaseType::TimeTicks, "Timeticks"),
        'a' => (base == BaseType::IpAddress, "IpAddress"),
        'o' => (base == BaseType::ObjectIdentifier, "OBJECT IDENTIFIER"),
        's' | 'x' | 'd' => (
            matches!(base, BaseType::OctetString | BaseType::Bits),
            "OCTET STRING",
        ),
        'b' => (base == BaseType::Bits && !syntax.bits.is_empty(), "BITS"),
        _ => (true, ""),
    };
    (!fits).then_some(expected)
}

/// `_check_range`: `value` must fall in one of `ranges` when there are any; the error names
/// them as Net-SNMP does (`5 :: {(1..3), (7)}`).
fn check_range(ranges: &[vigie_mib::Range], value: i128, what: &str) -> Result<(), ValueError> {
    if ranges.is_empty() || ranges.iter().any(|r| r.low <= value && value <= r.high) {
        return Ok(());
    }
    let listed: Vec<String> = ranges
        .iter()
        .map(|r| {
            if r.low == r.high {
                format!("({})", r.low)
            } else {
                format!("({}..{})", r.low, r.high)
            }
        })
        .collect();
    Err(ValueError::OutOfRange(format!(
        "{what} :: {{{}}}",
        listed.join(", ")
    )))
}

/// A BITS value from bit numbers (C `strtoul` base 0: `0x10`, `010`) and labels (a part that
/// starts with a label names it, as Net-SNMP's `strncmp` does), padded to the octet of the
/// highest bit the SYNTAX defines.
fn labelled_bits(syntax: &Syntax, text: &str) -> Result<Vec<u8>, ValueError> {
    let defined = syntax
        .bits
        .iter()
        .filter_map(|named| usize::try_from(named.value).ok())
        .map(|bit| bit / 8 + 1)
        .max()
        .unwrap_or(0);
    let mut out = vec![0u8; defined];
    for part in text.split([',', ' ', '\t']).filter(|p| !p.is_empty()) {
        let bit = match c_integer(part) {
            Some(bit) => usize::try_from(bit).ok(),
            None => syntax
                .bits
                .iter()
                .find(|named| part.starts_with(named.name.as_str()))
                .and_then(|named| usize::try_from(named.value).ok()),
        }
        .filter(|&bit| bit < MAX_BITS)
        .ok_or_else(|| ValueError::OutOfRange(part.to_owned()))?;
        let byte = bit / 8;
        if out.len() <= byte {
            out.resize(byte + 1, 0);
        }
        if let Some(octet) = out.get_mut(byte) {
            *octet |= 0x80 >> (bit % 8);
        }
    }
    Ok(out)
}

/// The type letters `snmpset` accepts before it looks at any value.
pub(crate) fn is_set_type(kind: char) -> bool {
    matches!(
        kind,
        '=' | 'i'
            | 'u'
            | '3'
            | 't'
            | 'a'
            | 'o'
            | 's'
            | 'x'
            | 'd'
            | 'b'
            | 'n'
            | 'U'
            | 'I'
            | 'F'
            | 'D'
            | 'c'
            | 'C'
    )
}

/// Why a value was refused (`snmp_add_var`'s messages, printed after `OID: `).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ValueError {
    /// The text does not fit the type's notation.
    #[error("Bad value notation ({0})")]
    BadNotation(String),
    /// An INTEGER or BITS element that is not a number.
    #[error("Value out of range ({0})")]
    OutOfRange(String),
    /// An unknown type letter.
    #[error("Bad variable type (\"{0}\")")]
    BadVariableType(String),
    /// An `o` value that is not an OID.
    #[error("{0}")]
    Oid(OidTextError),
    /// An `o` value that cannot be encoded.
    #[error("Can't build OID for variable")]
    OidBuild,
    /// A type letter that does not fit the object's SYNTAX.
    #[error("Bad variable type (Type of attribute is {actual}, not {expected})")]
    WrongType {
        /// Net-SNMP's name of the object's type.
        actual: &'static str,
        /// The type the letter stands for.
        expected: &'static str,
    },
}

/// The text printed when an integer wider than 32 bits is cut down.
pub(crate) const TRUNCATION_WARNING: &str = "truncating integer value > 32 bits";

fn opaque(value: OpaqueValue) -> Result<ParsedValue, ValueError> {
    Ok(ParsedValue {
        value: Value::Opaque(value.encode().into()),
        truncated: false,
    })
}

fn arc_value(component: &str, first: bool) -> Option<u32> {
    if first {
        match component {
            "ccitt" => return Some(0),
            "iso" => return Some(1),
            "joint-iso-ccitt" => return Some(2),
            _ => {}
        }
    }
    if component.is_empty() || !component.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Net-SNMP reads arcs into an unsigned long and keeps the low 32 bits.
    let wide = component.bytes().fold(0u64, |acc, b| {
        acc.wrapping_mul(10).wrapping_add(u64::from(b - b'0'))
    });
    Some(low_32(wide))
}

/// C `strtol(text, &end, 10)` that must consume the whole text (leading white space allowed).
/// Saturates like strtol.
pub(crate) fn strtol(text: &str) -> Option<i64> {
    let (negative, digits) = sign_and_digits(text)?;
    let magnitude = digits.bytes().try_fold(0u64, |acc, b| {
        acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
    });
    Some(match (negative, magnitude) {
        (false, Some(m)) => i64::try_from(m).unwrap_or(i64::MAX),
        (true, Some(m)) => 0i64.checked_sub_unsigned(m).unwrap_or(i64::MIN),
        (false, None) => i64::MAX,
        (true, None) => i64::MIN,
    })
}

/// C `strtoul`/`strtoull` that must consume the whole text: a minus sign negates modulo 2^64,
/// overflow saturates.
pub(crate) fn strtoul(text: &str) -> Option<u64> {
    let (negative, digits) = sign_and_digits(text)?;
    let magnitude = digits
        .bytes()
        .try_fold(0u64, |acc, b| {
            acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        })
        .unwrap_or(u64::MAX);
    Some(if negative {
        magnitude.wrapping_neg()
    } else {
        magnitude
    })
}

/// Net-SNMP's `read64`: an optional `-`, then decimal digits, modulo 2^64.
fn read64(text: &str) -> Option<u64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = digits.bytes().fold(0u64, |acc, b| {
        acc.wrapping_mul(10).wrapping_add(u64::from(b - b'0'))
    });
    Some(if negative {
        magnitude.wrapping_neg()
    } else {
        magnitude
    })
}

fn sign_and_digits(text: &str) -> Option<(bool, &str)> {
    let trimmed = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let (negative, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, trimmed.get(1..)?),
        Some(b'+') => (false, trimmed.get(1..)?),
        _ => (false, trimmed),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((negative, digits))
}

fn low_32(n: u64) -> u32 {
    u32::try_from(n & 0xffff_ffff).unwrap_or(u32::MAX)
}

fn low_32_signed(n: i64) -> i32 {
    // Keep the low 32 bits, reinterpreted as two's complement, as a C cast does.
    i32::from_be_bytes(low_32(u64::from_be_bytes(n.to_be_bytes())).to_be_bytes())
}

/// `strtod`/`strtof` on the whole text: decimal and exponent forms, `nan`, `inf`.
fn c_float<T: std::str::FromStr>(text: &str) -> Option<T> {
    let trimmed = text.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let lower = trimmed.to_ascii_lowercase();
    let body = lower.strip_prefix(['-', '+']).unwrap_or(&lower);
    let normalised = match body {
        "nan" | "inf" | "infinity" => trimmed.to_owned(),
        _ if body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'-' | b'+')) =>
        {
            trimmed.to_owned()
        }
        _ => return None,
    };
    normalised.parse().ok()
}

/// `inet_aton`: one to four parts, each decimal, octal (`0` prefix) or hex (`0x`); the last
/// part fills the remaining octets.
fn inet_aton(text: &str) -> Option<Ipv4Addr> {
    let parts: Vec<u64> = text.split('.').map(c_integer).collect::<Option<_>>()?;
    let (last, leading) = parts.split_last()?;
    if leading.len() > 3 || leading.iter().any(|&p| p > 0xff) {
        return None;
    }
    let remaining_bits = 8 * (4 - u32::try_from(leading.len()).ok()?);
    if remaining_bits < 64 && *last >= 1u64 << remaining_bits {
        return None;
    }
    let mut address = leading.iter().fold(0u64, |acc, &p| (acc << 8) | p);
    address = (address << remaining_bits) | last;
    Some(Ipv4Addr::from(u32::try_from(address).ok()?))
}

fn c_integer(part: &str) -> Option<u64> {
    if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
        return u64::from_str_radix(hex, 16).ok();
    }
    if part.len() > 1 && part.starts_with('0') {
        return u64::from_str_radix(part, 8).ok();
    }
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

/// `x` values: pairs of hex digits, white space between octets, an optional `0x` prefix.
fn hex_octets(text: &str) -> Option<Vec<u8>> {
    let body = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    let mut out = Vec::with_capacity(body.len() / 2);
    let mut digits = body.bytes().peekable();
    while let Some(b) = digits.next() {
        if b.is_ascii_whitespace() {
            continue;
        }
        let high = hex_digit(b)?;
        let low = hex_digit(digits.next()?)?;
        out.push(high << 4 | low);
    }
    Some(out)
}

fn hex_digit(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// `d` values: decimal octets separated by dots or white space.
fn decimal_octets(text: &str) -> Option<Vec<u8>> {
    text.split(|c: char| c == '.' || c.is_ascii_whitespace())
        .filter(|part| !part.is_empty())
        .map(|part| {
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            part.parse::<u8>().ok()
        })
        .collect()
}

/// `b` values: bit numbers separated by commas or white space; bit 0 is the high bit of the
/// first octet (RFC 2578 §7.1.4).
fn bits(text: &str) -> Result<Vec<u8>, ValueError> {
    let mut out = Vec::new();
    for part in text
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|p| !p.is_empty())
    {
        let bit = part
            .parse::<u16>()
            .ok()
            .filter(|&bit| usize::from(bit) < MAX_BITS)
            .ok_or_else(|| ValueError::OutOfRange(part.to_owned()))?;
        let byte = usize::from(bit / 8);
        if out.len() <= byte {
            out.resize(byte + 1, 0);
        }
        if let Some(octet) = out.get_mut(byte) {
            *octet |= 0x80 >> (bit % 8);
        }
    }
    Ok(out)
}

/// The highest bit number a BITS value may name; keeps a typo from building a huge string.
const MAX_BITS: usize = 65_536;

#[cfg(test)]
mod tests;
