//! Values as Net-SNMP prints them with MIBs loaded: the text after `= ` in `snmpget` and
//! `snmpwalk` output, type prefix included (`INTEGER: up(1)`, `STRING: eth0`,
//! `Timeticks: (123) 0:00:01.23`).
//!
//! The object's syntax chooses the printer, as Net-SNMP does: enumeration labels for
//! INTEGER, BITS labels, DISPLAY-HINTs for OCTET STRING and integers (RFC 2579 §3.1), UNITS.
//! A value whose type does not match the syntax is printed as Net-SNMP does,
//! `Wrong Type (should be …): ` then the value by its own type. Pure: value and syntax
//! in, text out.

use std::fmt::Write as _;

use vigie_snmp::Value;

use crate::instance::OidOptions;
use crate::tree::{BaseType, MibSet, Syntax};

/// The `-O` output flags that change how values are printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ValueOptions {
    /// `-Oq` (and `-OQ`): no type prefix, enumerations as bare labels, hex strings and BITS
    /// in quotes, TimeTicks as `d:h:mm:ss.cc`.
    pub quick: bool,
    /// `-Oe`: enumerations and BITS as numbers.
    pub numeric_enums: bool,
    /// `-Ot`: TimeTicks as a bare number.
    pub numeric_timeticks: bool,
    /// `-OU`: no UNITS suffix.
    pub no_units: bool,
    /// `-Ox`: OCTET STRINGs without DISPLAY-HINT always in hex.
    pub hex_strings: bool,
    /// `-Oa`: OCTET STRINGs without DISPLAY-HINT always as text.
    pub ascii_strings: bool,
    /// `-Ih`: DISPLAY-HINTs are not applied.
    pub no_hints: bool,
    /// How OBJECT IDENTIFIER values are named (`-On`, `-Os`, `-Of`, …), as the varbind
    /// names are.
    pub oid: OidOptions,
}

impl ValueOptions {
    /// Net-SNMP's defaults.
    pub fn new() -> Self {
        Self::default()
    }
}

impl MibSet {
    /// Formats the value of a varbind named `oid`, with the syntax and UNITS of the deepest
    /// object on its path (the object of `IF-MIB::ifDescr.3` is `ifDescr`), as `snmpwalk`
    /// prints it after `= `. OBJECT IDENTIFIER values are named from this set.
    pub fn format_value(&self, oid: &[u32], value: &Value, options: &ValueOptions) -> String {
        let object = self
            .describe(oid)
            .and_then(|instance| instance.node.object());
        let syntax = object.and_then(|o| o.syntax.as_ref());
        let units = object.and_then(|o| o.units.as_deref());
        render(Some(self), value, syntax, units, options)
    }
}

/// Formats `value` as Net-SNMP does for an object of `syntax` with `units`; without a
/// syntax, by the value's own type. OBJECT IDENTIFIER values print as numbers here;
/// [`MibSet::format_value`] names them.
pub fn format_value(
    value: &Value,
    syntax: Option<&Syntax>,
    units: Option<&str>,
    options: &ValueOptions,
) -> String {
    render(None, value, syntax, units, options)
}

fn render(
    mib: Option<&MibSet>,
    value: &Value,
    syntax: Option<&Syntax>,
    units: Option<&str>,
    options: &ValueOptions,
) -> String {
    let mut out = Vec::new();
    let units = units.filter(|_| !options.no_units);
    match value {
        Value::NoSuchObject => out.extend_from_slice(NO_SUCH_OBJECT.as_bytes()),
        Value::NoSuchInstance => out.extend_from_slice(NO_SUCH_INSTANCE.as_bytes()),
        Value::EndOfMibView => out.extend_from_slice(END_OF_MIB_VIEW.as_bytes()),
        _ => match syntax {
            Some(syntax) => by_syntax(&mut out, mib, value, syntax, units, options),
            None => by_type(&mut out, mib, value, None, options),
        },
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The text of an OCTET STRING formatted with a DISPLAY-HINT (RFC 2579 §3.1), without the
/// `STRING: ` prefix: `2d-1d-1d,1d:1d:1d.1d,1a1d:1d` gives `2024-1-15,10:30:0.0,+1:0`.
///
/// A hint that does not parse gives `None`; Net-SNMP then prints
/// `(Bad hint ignored: …)` and the string without hint.
pub fn format_octets_with_hint(octets: &[u8], hint: &str) -> Option<String> {
    let mut out = Vec::new();
    hinted_octets(&mut out, octets, hint.as_bytes()).ok()?;
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// Formats an integer with a DISPLAY-HINT (RFC 2579 §3.1: `d`, `d-2`, `x`, `o`, `b`), as
/// Net-SNMP does: `d-2` on 1234 gives `12.34`, on 5 gives `.05`.
pub fn format_integer_with_hint(value: i64, hint: &str) -> String {
    hinted_integer(value, hint, false)
}

fn by_syntax(
    out: &mut Vec<u8>,
    mib: Option<&MibSet>,
    value: &Value,
    syntax: &Syntax,
    units: Option<&str>,
    options: &ValueOptions,
) {
    let hint = syntax.hint.as_deref().filter(|_| !options.no_hints);
    let expected = match syntax.base {
        BaseType::Integer | BaseType::Integer32 => {
            if let Value::Integer(v) = value {
                integer(out, i64::from(*v), &syntax.enums, hint, options);
                return push_units(out, units);
            }
            "INTEGER"
        }
        BaseType::Unsigned32 | BaseType::Gauge32 => {
            if let Value::Gauge32(v) = value {
                prefix(out, "Gauge32: ", options);
                push_unsigned(out, *v, hint);
                return push_units(out, units);
            }
            "Gauge32 or Unsigned32"
        }
        BaseType::Counter32 => {
            if let Value::Counter32(v) = value {
                prefix(out, "Counter32: ", options);
                push(out, &v.to_string());
                return push_units(out, units);
            }
            "Counter32"
        }
        BaseType::Counter64 => {
            if let Value::Counter64(v) = value {
                prefix(out, "Counter64: ", options);
                push(out, &v.to_string());
                return push_units(out, units);
            }
            "Counter64"
        }
        BaseType::TimeTicks => {
            if let Value::TimeTicks(v) = value {
                timeticks(out, *v, options);
                return push_units(out, units);
            }
            "Timeticks"
        }
        BaseType::IpAddress if syntax.type_name.as_deref() == Some("NetworkAddress") => {
            if let Value::IpAddress(a) = value {
                prefix(out, "Network Address: ", options);
                let octets: Vec<String> = a.octets().iter().map(|o| format!("{o:02X}")).collect();
                push(out, &octets.join(":"));
                return;
            }
            "NetworkAddress"
        }
        BaseType::IpAddress => {
            if let Value::IpAddress(_) = value {
                return by_type(out, mib, value, units, options);
            }
            "IpAddress"
        }
        BaseType::OctetString => {
            if let Value::OctetString(bytes) = value {
                octet_string(out, bytes, hint, options);
                return push_units(out, units);
            }
            "OCTET STRING"
        }
        BaseType::Bits => {
            if let Value::OctetString(bytes) = value {
                bits(out, bytes, &syntax.bits, options);
                return;
            }
            "BITS"
        }
        BaseType::ObjectIdentifier => {
            if let Value::ObjectIdentifier(_) = value {
                return by_type(out, mib, value, units, options);
            }
            "OBJECT IDENTIFIER"
        }
        BaseType::Opaque => {
            if let Value::Opaque(_) = value {
                return by_type(out, mib, value, units, options);
            }
            "Opaque"
        }
        BaseType::SequenceOf | BaseType::Sequence | BaseType::Other => {
            return by_type(out, mib, value, units, options);
        }
    };
    push(out, &format!("Wrong Type (should be {expected}): "));
    by_type(out, mib, value, None, options);
}

/// Net-SNMP's `sprint_realloc_by_type`: the value by its own type, no MIB facts.
fn by_type(
    out: &mut Vec<u8>,
    mib: Option<&MibSet>,
    value: &Value,
    units: Option<&str>,
    options: &ValueOptions,
) {
    match value {
        Value::Integer(v) => integer(out, i64::from(*v), &[], None, options),
        Value::OctetString(bytes) => octet_string(out, bytes, None, options),
        Value::Null => {
            push(out, "NULL");
            return;
        }
        Value::ObjectIdentifier(oid) => {
            prefix(out, "OID: ", options);
            match mib {
                Some(mib) => push(out, &mib.format_oid(oid, &options.oid)),
                None => push(out, &format!(".{oid}")),
            }
        }
        Value::IpAddress(a) => {
            prefix(out, "IpAddress: ", options);
            push(out, &a.to_string());
        }
        Value::Counter32(v) => {
            prefix(out, "Counter32: ", options);
            push(out, &v.to_string());
        }
        Value::Gauge32(v) => {
            prefix(out, "Gauge32: ", options);
            push(out, &v.to_string());
        }
        Value::TimeTicks(v) => timeticks(out, *v, options),
        Value::Opaque(bytes) => {
            prefix(out, "OPAQUE: ", options);
            hex(out, bytes);
        }
        Value::NsapAddress(bytes) => {
            prefix(out, "NsapAddress: ", options);
            hex(out, bytes);
            return;
        }
        Value::Counter64(v) => {
            prefix(out, "Counter64: ", options);
            push(out, &v.to_string());
        }
        Value::NoSuchObject => push(out, NO_SUCH_OBJECT),
        Value::NoSuchInstance => push(out, NO_SUCH_INSTANCE),
        Value::EndOfMibView => push(out, END_OF_MIB_VIEW),
    }
    push_units(out, units);
}

fn integer(
    out: &mut Vec<u8>,
    value: i64,
    enums: &[crate::NamedNumber],
    hint: Option<&str>,
    options: &ValueOptions,
) {
    prefix(out, "INTEGER: ", options);
    let label = enums
        .iter()
        .find(|e| e.value == value)
        .map(|e| e.name.as_str());
    match label {
        Some(label) if !options.numeric_enums => {
            push(out, label);
            if !options.quick {
                push(out, &format!("({value})"));
            }
        }
        _ => match hint {
            Some(hint) => push(out, &hinted_integer(value, hint, false)),
            None => push(out, &value.to_string()),
        },
    }
}

fn push_unsigned(out: &mut Vec<u8>, value: u32, hint: Option<&str>) {
    match hint {
        Some(hint) => push(out, &hinted_integer(i64::from(value), hint, true)),
        None => push(out, &value.to_string()),
    }
}

/// Net-SNMP's `sprint_realloc_hinted_integer`: the number in the hint's base, then a
/// decimal point `n` digits from the right for `d-n`.
fn hinted_integer(value: i64, hint: &str, unsigned: bool) -> String {
    let bytes = hint.as_bytes();
    let shift = match bytes.get(1) {
        Some(b'-') => leading_number(hint.get(2..).unwrap_or_default()),
        _ => 0,
    };
    // C's `%lx`, `%lo` and `%lb` print the two's complement of a negative long.
    let bits = u64::from_ne_bytes(value.to_ne_bytes());
    let mut digits = match bytes.first() {
        Some(b'x') => format!("{bits:x}"),
        Some(b'o') => format!("{bits:o}"),
        Some(b'b') => format!("{bits:b}"),
        _ if unsigned => bits.to_string(),
        _ => value.to_string(),
    };
    if shift == 0 {
        return digits;
    }
    // Net-SNMP moves the last `shift` characters right and puts a dot before them, padding
    // with zeros when the number is shorter: `.05` for 5 with `d-2`.
    let len = digits.len();
    if shift <= len {
        digits.insert(len - shift, '.');
        digits
    } else {
        let mut padded = String::with_capacity(shift + 1);
        padded.push('.');
        padded.extend(std::iter::repeat_n('0', shift - len));
        padded.push_str(&digits);
        padded
    }
}

/// `atoi`: the decimal digits at the start of `text`, 0 when there are none.
fn leading_number(text: &str) -> usize {
    text.bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0usize, |n, d| {
            n.saturating_mul(10).saturating_add(usize::from(d - b'0'))
        })
        .min(MAX_SHIFT)
}

fn octet_string(out: &mut Vec<u8>, bytes: &[u8], hint: Option<&str>, options: &ValueOptions) {
    if let Some(hint) = hint {
        let start = out.len();
        prefix(out, "STRING: ", options);
        if hinted_octets(out, bytes, hint.as_bytes()).is_ok() {
            return;
        }
        out.truncate(start);
        push(out, &format!("(Bad hint ignored: {hint}) "));
    }
    let as_hex = if options.hex_strings {
        true
    } else if options.ascii_strings {
        false
    } else {
        bytes.iter().any(|&b| !is_print(b) && !is_space(b))
    };
    if bytes.is_empty() {
        push(out, "\"\"");
        return;
    }
    if as_hex {
        if options.quick {
            push(out, "\"");
        } else {
            push(out, "Hex-STRING: ");
        }
        hex(out, bytes);
        if options.quick {
            push(out, "\"");
        }
    } else {
        prefix(out, "STRING: ", options);
        push(out, "\"");
        escaped_text(out, bytes);
        push(out, "\"");
    }
}

/// Net-SNMP's `sprint_realloc_asciistring`: printable text and white space as is, `"` and
/// `\` escaped, anything else as a dot.
fn escaped_text(out: &mut Vec<u8>, bytes: &[u8]) {
    for &b in bytes {
        if is_print(b) || is_space(b) {
            if b == b'\\' || b == b'"' {
                out.push(b'\\');
            }
            out.push(b);
        } else {
            out.push(b'.');
        }
    }
}

/// A DISPLAY-HINT that Net-SNMP rejects (an unknown format letter).
#[derive(Debug)]
struct BadHint;

/// RFC 2579 §3.1 octet-string hints, interpreted as Net-SNMP's
/// `sprint_realloc_octet_string` does: repeat indicator `*`, width, format (`x d o a t`),
/// separator, terminator; the last specification repeats until the data ends.
fn hinted_octets(out: &mut Vec<u8>, bytes: &[u8], hint: &[u8]) -> Result<(), BadHint> {
    let mut h = 0;
    let mut cp = 0;
    let mut width = 1;
    let mut code = b'd';
    let mut separ: Option<u8> = None;
    let mut term: Option<u8> = None;
    let at = |i: usize| hint.get(i).copied();
    while cp < bytes.len() {
        let mut repeat = 1usize;
        if at(h).is_some() {
            if at(h) == Some(b'*') {
                repeat = usize::from(bytes.get(cp).copied().unwrap_or(0));
                cp += 1;
                h += 1;
            }
            width = 0usize;
            while let Some(d @ b'0'..=b'9') = at(h) {
                width = width
                    .saturating_mul(10)
                    .saturating_add(usize::from(d - b'0'));
                h += 1;
            }
            code = at(h).unwrap_or(0);
            h += 1;
            separ = hint_punctuation(at(h), width);
            if separ.is_some() {
                h += 1;
            }
            term = hint_punctuation(at(h), width);
            if term.is_some() {
                h += 1;
            }
            if width == 0 {
                width = 1;
            }
        }
        while repeat > 0 && cp < bytes.len() {
            match code {
                b'a' | b't' => {
                    let end = cp.saturating_add(width).min(bytes.len());
                    let chunk = bytes.get(cp..end).unwrap_or_default();
                    // Net-SNMP 5.9 copies text as is, unless it holds a NUL: then it
                    // escapes quotes and backslashes and shows other controls as dots.
                    if chunk.contains(&0) {
                        escaped_text(out, chunk);
                    } else {
                        out.extend_from_slice(chunk);
                    }
                    cp = end;
                }
                b'x' | b'd' | b'o' => {
                    // Net-SNMP reads `width` octets big-endian into a C long; past the end
                    // of the data it would read garbage, so this stops at the end.
                    let end = cp.saturating_add(width).min(bytes.len());
                    let value = bytes
                        .get(cp..end)
                        .unwrap_or_default()
                        .iter()
                        .fold(0u64, |v, &b| v.wrapping_mul(256).wrapping_add(u64::from(b)));
                    cp = end;
                    let text = match code {
                        b'x' => format!("{value:x}"),
                        b'o' => format!("{value:o}"),
                        _ => i64::from_ne_bytes(value.to_ne_bytes()).to_string(),
                    };
                    out.extend_from_slice(text.as_bytes());
                }
                _ => return Err(BadHint),
            }
            if cp < bytes.len() {
                if let Some(s) = separ {
                    out.push(s);
                }
            }
            repeat -= 1;
        }
        if cp < bytes.len() {
            if let Some(t) = term {
                out.push(t);
            }
        }
    }
    Ok(())
}

/// A separator or terminator character of an octet-string hint: anything but a digit and
/// `*`; after a zero width, the letters `x`, `d`, `o` start the next specification instead.
fn hint_punctuation(ch: Option<u8>, width: usize) -> Option<u8> {
    let ch = ch?;
    let is_punctuation =
        ch != b'*' && !ch.is_ascii_digit() && (width != 0 || !matches!(ch, b'x' | b'd' | b'o'));
    is_punctuation.then_some(ch)
}

fn bits(out: &mut Vec<u8>, bytes: &[u8], labels: &[crate::NamedNumber], options: &ValueOptions) {
    if options.quick {
        push(out, "\"");
    } else {
        push(out, "BITS: ");
    }
    hex(out, bytes);
    if options.quick {
        push(out, "\"");
        return;
    }
    for (octet, &byte) in bytes.iter().enumerate() {
        for bit in 0..8 {
            if byte & (0x80 >> bit) == 0 {
                continue;
            }
            let number = octet * 8 + bit;
            let label = labels
                .iter()
                .find(|l| usize::try_from(l.value).ok() == Some(number))
                .map(|l| l.name.as_str());
            match label {
                Some(label) if !options.numeric_enums => push(out, &format!("{label}({number}) ")),
                _ => push(out, &format!("{number} ")),
            }
        }
    }
}

fn timeticks(out: &mut Vec<u8>, ticks: u32, options: &ValueOptions) {
    if options.numeric_timeticks {
        push(out, &ticks.to_string());
        return;
    }
    if !options.quick {
        push(out, &format!("Timeticks: ({ticks}) "));
    }
    push(out, &uptime(ticks, options.quick));
}

/// Net-SNMP's `uptimeString`: `0:00:01.23`, `1 day, 2:03:04.05`, `3 days, …`; quick print
/// gives `d:h:mm:ss.cc`.
pub(crate) fn uptime(ticks: u32, quick: bool) -> String {
    let centis = ticks % 100;
    let seconds = ticks / 100;
    let days = seconds / 86_400;
    let hours = seconds % 86_400 / 3_600;
    let minutes = seconds % 3_600 / 60;
    let secs = seconds % 60;
    if quick {
        format!("{days}:{hours}:{minutes:02}:{secs:02}.{centis:02}")
    } else if days == 0 {
        format!("{hours}:{minutes:02}:{secs:02}.{centis:02}")
    } else if days == 1 {
        format!("1 day, {hours}:{minutes:02}:{secs:02}.{centis:02}")
    } else {
        format!("{days} days, {hours}:{minutes:02}:{secs:02}.{centis:02}")
    }
}

/// Net-SNMP's hex dump: `00 1A 2B ` (each octet followed by a space), 16 octets per line.
fn hex(out: &mut Vec<u8>, bytes: &[u8]) {
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % HEX_LINE == 0 {
            out.push(b'\n');
        }
        let _ = write!(HexSink(out), "{b:02X} ");
    }
}

fn prefix(out: &mut Vec<u8>, text: &str, options: &ValueOptions) {
    if !options.quick {
        push(out, text);
    }
}

fn push_units(out: &mut Vec<u8>, units: Option<&str>) {
    if let Some(units) = units {
        out.push(b' ');
        push(out, units);
    }
}

fn push(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(text.as_bytes());
}

/// C's `isprint` in the C locale.
fn is_print(b: u8) -> bool {
    (0x20..0x7f).contains(&b)
}

/// C's `isspace` in the C locale.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Lets `write!` append to the byte buffer.
struct HexSink<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for HexSink<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

const NO_SUCH_OBJECT: &str = "No Such Object available on this agent at this OID";
const NO_SUCH_INSTANCE: &str = "No Such Instance currently exists at this OID";
const END_OF_MIB_VIEW: &str =
    "No more variables left in this MIB View (It is past the end of the MIB tree)";

/// Octets per line of a hex dump (Net-SNMP's `sprint_realloc_hexstring`).
const HEX_LINE: usize = 16;

/// The largest decimal shift of an integer hint honoured (a long has at most 20 digits).
const MAX_SHIFT: usize = 64;

mod input;

pub use input::parse_octets_with_hint;

#[cfg(test)]
mod tests;
