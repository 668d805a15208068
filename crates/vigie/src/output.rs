//! Varbind, value and OID text, as Net-SNMP 5.9 prints them.
//!
//! With no MIB loaded every rule here was read from the real tools (`snmpget -m ''`), byte
//! for byte: the `iso.3.6.1…` OID prefix, `STRING:` versus `Hex-STRING:` (Net-SNMP's
//! printable test), hex lines of 16 octets, the Timeticks forms, Opaque-wrapped
//! Float/Double/Int64/UInt64, and the `-O` output flags, which toggle or set as
//! `snmp_out_options` does. With modules loaded ([`crate::mibs`]), names, indexes and values
//! come from vigie-mib's Net-SNMP printers (`SNMPv2-MIB::sysDescr.0 = STRING: …`).

use std::fmt::Write as _;

use vigie_mib::{MibSet, OidOptions, ValueOptions};
use vigie_snmp::{Oid, Value, VarBind};

/// The `-O` output options, in the state Net-SNMP's `snmp_out_options` leaves them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OutputOptions {
    /// How OIDs print (`-On`, `-Of`, `-Os`, `-OS`, `-Ou`: the last one given wins).
    pub(crate) oid_format: OidFormat,
    /// How octet strings print (`-Oa`, `-Ox`).
    pub(crate) string_format: StringFormat,
    /// `-Oq`: value without its type label, OID and value separated by a space.
    pub(crate) quick: bool,
    /// `-OQ`: like `-Oq` but with ` = ` (Net-SNMP toggles both flags for `Q`).
    pub(crate) quick_equals: bool,
    /// `-Ov`: the value only.
    pub(crate) bare_value: bool,
    /// `-Ot`: Timeticks as a bare number.
    pub(crate) numeric_timeticks: bool,
    /// `-OT`: hex strings followed by their printable text.
    pub(crate) hex_text: bool,
    /// `-Op FORMAT`: the printf width/precision of floating-point values.
    pub(crate) precision: Option<String>,
    /// `-Oj` (a vigie extension) or `--json`: one JSON document instead of text.
    pub(crate) json: bool,
    /// Flags that only matter with MIBs loaded (`0 b e E U X`): kept so that they toggle.
    pub(crate) mib_only: MibOnlyFlags,
}

/// `-O` flags accepted for compatibility that change nothing while no MIB is loaded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct MibOnlyFlags {
    /// `-O0`: leading 0 for single-digit hex in DISPLAY-HINTs.
    pub(crate) two_digit_hex: bool,
    /// `-Ob`: do not break OID indexes down.
    pub(crate) dont_break_indexes: bool,
    /// `-Oe`: enums numerically.
    pub(crate) numeric_enums: bool,
    /// `-OE`: escape quotes in string indexes.
    pub(crate) escape_quotes: bool,
    /// `-OU`: no units.
    pub(crate) no_units: bool,
    /// `-OX`: extended index format.
    pub(crate) extended_index: bool,
}

/// OID output format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum OidFormat {
    /// The default, `-OS`: `IF-MIB::ifDescr.3`; with no MIB, `iso.3.6.1.2.1`.
    #[default]
    Module,
    /// `-Os`: `ifDescr.3`; with no MIB as `-OS`.
    Suffix,
    /// `-Of`: `.iso.org.dod.internet.mgmt.mib-2.interfaces.ifTable.ifEntry.ifDescr.3`; with
    /// no MIB, `.iso.3.6.1.2.1`.
    Full,
    /// `-Ou`: `interfaces.ifTable.ifEntry.ifDescr.3`; with no MIB as `-Of`.
    Ucd,
    /// `-On`: `.1.3.6.1.2.1`.
    Numeric,
}

/// Octet string output format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum StringFormat {
    /// Text when every octet is printable or white space, hex otherwise.
    #[default]
    Guess,
    /// `-Oa`: always text, unprintable octets as `.`.
    Ascii,
    /// `-Ox`: always hex.
    Hex,
}

/// An `-O` letter Net-SNMP does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Unknown output option passed to -O: {0}.")]
pub(crate) struct UnknownOutputOption(pub(crate) char);

impl OutputOptions {
    /// Applies the letters of one `-O` argument in order. `p` takes the rest of the argument
    /// or, when nothing follows it, the next command-line argument (`next`).
    pub(crate) fn apply(
        &mut self,
        letters: &str,
        next: impl FnOnce() -> Option<String>,
    ) -> Result<(), UnknownOutputOption> {
        for (at, letter) in letters.char_indices() {
            match letter {
                '0' => toggle(&mut self.mib_only.two_digit_hex),
                'a' => self.string_format = StringFormat::Ascii,
                'b' => toggle(&mut self.mib_only.dont_break_indexes),
                'e' => toggle(&mut self.mib_only.numeric_enums),
                'E' => toggle(&mut self.mib_only.escape_quotes),
                'f' => self.oid_format = OidFormat::Full,
                'u' => self.oid_format = OidFormat::Ucd,
                'n' => self.oid_format = OidFormat::Numeric,
                's' => self.oid_format = OidFormat::Suffix,
                'S' => self.oid_format = OidFormat::Module,
                'q' => toggle(&mut self.quick),
                'Q' => {
                    toggle(&mut self.quick_equals);
                    toggle(&mut self.quick);
                }
                't' => toggle(&mut self.numeric_timeticks),
                'T' => toggle(&mut self.hex_text),
                'U' => toggle(&mut self.mib_only.no_units),
                'v' => toggle(&mut self.bare_value),
                'x' => self.string_format = StringFormat::Hex,
                'X' => toggle(&mut self.mib_only.extended_index),
                'j' => self.json = true,
                'p' => {
                    let rest = &letters[at + letter.len_utf8()..];
                    self.precision = if rest.is_empty() {
                        next()
                    } else {
                        Some(rest.to_owned())
                    };
                    return Ok(());
                }
                other => return Err(UnknownOutputOption(other)),
            }
        }
        Ok(())
    }

    /// One varbind as `print_variable` prints it, without the final newline.
    pub(crate) fn varbind(&self, varbind: &VarBind) -> String {
        self.varbind_with(crate::mibs::current(), varbind)
    }

    /// One varbind, named and valued with `mib` when modules are loaded.
    pub(crate) fn varbind_with(&self, mib: Option<&MibSet>, varbind: &VarBind) -> String {
        let value = match mib {
            Some(mib) => self.mib_value(mib, varbind.name.arcs(), &varbind.value),
            None => self.value(&varbind.value),
        };
        if self.bare_value {
            return value;
        }
        let separator = if self.quick && !self.quick_equals {
            " "
        } else {
            " = "
        };
        let mut line = self.oid_with(mib, &varbind.name);
        line.reserve(separator.len() + value.len());
        line.push_str(separator);
        line.push_str(&value);
        line
    }

    /// An OID in the selected format: `IF-MIB::ifDescr.3` … with modules loaded,
    /// `iso.3.6.1`, `.iso.3.6.1` or `.1.3.6.1` without.
    pub(crate) fn oid(&self, oid: &Oid) -> String {
        self.oid_with(crate::mibs::current(), oid)
    }

    /// An OID in the selected format, named from `mib` when given.
    pub(crate) fn oid_with(&self, mib: Option<&MibSet>, oid: &Oid) -> String {
        match mib {
            Some(mib) => mib.format_oid(oid, &self.oid_options()),
            None => oid_text(oid.arcs(), self.oid_format),
        }
    }

    /// OID arcs in the selected format, including the single arc of a typed root
    /// (`joint-iso-ccitt` for `2`), which no [`Oid`] holds.
    pub(crate) fn arcs(&self, arcs: &[u32]) -> String {
        match crate::mibs::current() {
            Some(mib) => mib.format_arcs(arcs, &self.oid_options()),
            None => oid_text(arcs, self.oid_format),
        }
    }

    /// The options of vigie-mib's OID printer.
    pub(crate) fn oid_options(&self) -> OidOptions {
        let format = match self.oid_format {
            OidFormat::Module => vigie_mib::OidFormat::Module,
            OidFormat::Suffix => vigie_mib::OidFormat::Suffix,
            OidFormat::Full => vigie_mib::OidFormat::Full,
            OidFormat::Ucd => vigie_mib::OidFormat::Ucd,
            OidFormat::Numeric => vigie_mib::OidFormat::Numeric,
        };
        let mut options = OidOptions::new();
        options.format = format;
        options.numeric_index = self.mib_only.dont_break_indexes;
        options.extended_index = self.mib_only.extended_index;
        options
    }

    /// The options of vigie-mib's value printer.
    pub(crate) fn value_options(&self) -> ValueOptions {
        let mut options = ValueOptions::new();
        options.quick = self.quick;
        options.numeric_enums = self.mib_only.numeric_enums;
        options.numeric_timeticks = self.numeric_timeticks;
        options.no_units = self.mib_only.no_units;
        options.hex_strings = self.string_format == StringFormat::Hex;
        options.ascii_strings = self.string_format == StringFormat::Ascii;
        options.oid = self.oid_options();
        options
    }

    /// A value as Net-SNMP prints it with modules loaded: by the syntax of the object `oid`
    /// names. Opaque values keep the printer above, which knows Net-SNMP's wrapped types and
    /// `-Op`.
    pub(crate) fn mib_value(&self, mib: &MibSet, oid: &[u32], value: &Value) -> String {
        match value {
            Value::Opaque(_) | Value::NsapAddress(_) => self.value(value),
            _ => {
                let text = mib.format_value(oid, value, &self.value_options());
                // `-OT` adds the text after each hex line, which vigie-mib does not know.
                let hex_text = match value {
                    Value::OctetString(bytes) if self.hex_text && !bytes.is_empty() => Some(bytes),
                    _ => None,
                };
                if let Some(bytes) = hex_text {
                    if text.starts_with("Hex-STRING: ") {
                        return format!("Hex-STRING: {}", hex_lines(bytes, true));
                    }
                    if self.quick && text == format!("\"{}\"", hex_lines(bytes, false)) {
                        return format!("\"{}\"", hex_lines(bytes, true));
                    }
                    // BITS: the octets in hex, then the labels set.
                    if let Some(labels) = text
                        .strip_prefix("BITS: ")
                        .and_then(|rest| rest.get(bytes.len() * 3..))
                    {
                        return format!("BITS: {}{labels}", hex_lines(bytes, true));
                    }
                }
                text
            }
        }
    }

    /// A value as `sprint_realloc_by_type` prints it.
    pub(crate) fn value(&self, value: &Value) -> String {
        match value {
            Value::Integer(n) => self.labelled("INTEGER: ", &n.to_string()),
            Value::OctetString(bytes) => self.octet_string(bytes),
            Value::Null => "NULL".to_owned(),
            Value::ObjectIdentifier(oid) => self.labelled("OID: ", &self.oid(oid)),
            Value::IpAddress(ip) => self.labelled("IpAddress: ", &ip.to_string()),
            Value::Counter32(n) => self.labelled("Counter32: ", &n.to_string()),
            Value::Gauge32(n) => self.labelled("Gauge32: ", &n.to_string()),
            Value::TimeTicks(ticks) => self.timeticks(*ticks),
            Value::Opaque(bytes) => self.opaque(bytes),
            Value::Counter64(n) => self.labelled("Counter64: ", &n.to_string()),
            // Net-SNMP 5.9 has no printer for NsapAddress.
            Value::NsapAddress(_) => "Variable has bad type".to_owned(),
            Value::NoSuchObject => NO_SUCH_OBJECT.to_owned(),
            Value::NoSuchInstance => NO_SUCH_INSTANCE.to_owned(),
            Value::EndOfMibView => END_OF_MIB_VIEW.to_owned(),
        }
    }

    fn labelled(&self, label: &str, text: &str) -> String {
        if self.quick {
            text.to_owned()
        } else {
            format!("{label}{text}")
        }
    }

    fn octet_string(&self, bytes: &[u8]) -> String {
        // An empty string prints as "" whatever the format, with no type label.
        if bytes.is_empty() {
            return "\"\"".to_owned();
        }
        let as_hex = match self.string_format {
            StringFormat::Hex => true,
            StringFormat::Ascii => false,
            StringFormat::Guess => !bytes.iter().copied().all(is_print_or_space),
        };
        if as_hex {
            let hex = hex_lines(bytes, self.hex_text);
            if self.quick {
                format!("\"{hex}\"")
            } else {
                format!("Hex-STRING: {hex}")
            }
        } else {
            let text = format!("\"{}\"", ascii_text(bytes));
            self.labelled("STRING: ", &text)
        }
    }

    fn timeticks(&self, ticks: u32) -> String {
        if self.numeric_timeticks {
            return ticks.to_string();
        }
        if self.quick {
            return uptime_text(ticks, true);
        }
        format!("Timeticks: ({ticks}) {}", uptime_text(ticks, false))
    }

    fn opaque(&self, bytes: &[u8]) -> String {
        let Some(special) = OpaqueValue::decode(bytes) else {
            let hex = hex_lines(bytes, self.hex_text);
            return self.labelled("OPAQUE: ", &hex);
        };
        let (label, text) = match special {
            OpaqueValue::Float(f) => ("Float: ", self.float(f64::from(f))),
            // Net-SNMP labels doubles "Float" too.
            OpaqueValue::Double(d) => ("Float: ", self.float(d)),
            OpaqueValue::Int64(n) => ("Int64: ", n.to_string()),
            OpaqueValue::UInt64(n) => ("UInt64: ", n.to_string()),
            OpaqueValue::Counter64(n) => ("Counter64: ", n.to_string()),
        };
        if self.quick {
            text
        } else {
            format!("Opaque: {label}{text}")
        }
    }

    fn float(&self, value: f64) -> String {
        match self.precision.as_deref() {
            None => c_float(value, None, None),
            Some(spec) => match parse_precision(spec) {
                Some((width, precision)) => c_float(value, width, precision),
                // `printf("%" spec "f")` with a spec that starts with `%` prints the format's
                // own text: "%%.2ff" gives "%.2ff".
                None if spec.starts_with('%') => format!("{spec}f"),
                None => c_float(value, None, None),
            },
        }
    }
}

/// A value carried inside an Opaque, as Net-SNMP encodes it (a `0x9f` extension tag).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum OpaqueValue {
    /// `0x9f 0x78`, 4 octets IEEE 754.
    Float(f32),
    /// `0x9f 0x79`, 8 octets IEEE 754.
    Double(f64),
    /// `0x9f 0x7a`, two's complement.
    Int64(i64),
    /// `0x9f 0x7b`, unsigned.
    UInt64(u64),
    /// `0x9f 0x76`, unsigned.
    Counter64(u64),
}

impl OpaqueValue {
    /// Decodes the Opaque's contents, if they are exactly one of these wrapped values.
    pub(crate) fn decode(bytes: &[u8]) -> Option<Self> {
        let [OPAQUE_TAG1, tag, length, contents @ ..] = bytes else {
            return None;
        };
        if usize::from(*length) != contents.len() {
            return None;
        }
        match *tag {
            OPAQUE_FLOAT => <[u8; 4]>::try_from(contents)
                .ok()
                .map(|b| Self::Float(f32::from_be_bytes(b))),
            OPAQUE_DOUBLE => <[u8; 8]>::try_from(contents)
                .ok()
                .map(|b| Self::Double(f64::from_be_bytes(b))),
            OPAQUE_INT64 => signed(contents).map(Self::Int64),
            OPAQUE_UINT64 => unsigned(contents).map(Self::UInt64),
            OPAQUE_COUNTER64 => unsigned(contents).map(Self::Counter64),
            _ => None,
        }
    }

    /// The Opaque contents Net-SNMP's `snmpset` builds for this value (`F`, `D`, `I`, `U`).
    pub(crate) fn encode(self) -> Vec<u8> {
        let (tag, contents) = match self {
            Self::Float(f) => (OPAQUE_FLOAT, f.to_be_bytes().to_vec()),
            Self::Double(d) => (OPAQUE_DOUBLE, d.to_be_bytes().to_vec()),
            Self::Int64(n) => (OPAQUE_INT64, minimal_signed(n)),
            Self::UInt64(n) => (OPAQUE_UINT64, minimal_unsigned(n)),
            Self::Counter64(n) => (OPAQUE_COUNTER64, minimal_unsigned(n)),
        };
        let mut out = Vec::with_capacity(contents.len() + 3);
        out.push(OPAQUE_TAG1);
        out.push(tag);
        // At most 9 content octets, so the length fits one octet.
        out.push(u8::try_from(contents.len()).unwrap_or(u8::MAX));
        out.extend_from_slice(&contents);
        out
    }
}

/// Dotted text of `arcs` in `format`; the first arc is named as Net-SNMP's built-in tree does.
pub(crate) fn oid_text(arcs: &[u32], format: OidFormat) -> String {
    let mut out = String::with_capacity(arcs.len() * 4 + 4);
    let Some((first, rest)) = arcs.split_first() else {
        return out;
    };
    match format {
        OidFormat::Numeric => {
            out.push('.');
            push_decimal(&mut out, *first);
        }
        OidFormat::Module | OidFormat::Suffix | OidFormat::Full | OidFormat::Ucd => {
            if matches!(format, OidFormat::Full | OidFormat::Ucd) {
                out.push('.');
            }
            match root_name(*first) {
                Some(name) => out.push_str(name),
                // No root carries it, and Net-SNMP prints such an OID numerically: `.3.1`.
                None => {
                    if !matches!(format, OidFormat::Full | OidFormat::Ucd) {
                        out.push('.');
                    }
                    push_decimal(&mut out, *first);
                }
            }
        }
    }
    for arc in rest {
        out.push('.');
        push_decimal(&mut out, *arc);
    }
    out
}

/// Appends `n` in decimal to `out`.
///
/// A walk prints every arc of thousands of OIDs; going through `core::fmt` for each one took
/// 17% of `vigie walk`'s instructions, so the digits are written by hand.
pub(crate) fn push_decimal(out: &mut String, mut n: u32) {
    // u32::MAX has 10 decimal digits.
    let mut digits = [0u8; 10];
    let mut start = digits.len();
    loop {
        start -= 1;
        // `n % 10` is below 10, so the conversion never fails.
        digits[start] = b'0' + u8::try_from(n % 10).unwrap_or(0);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &digit in &digits[start..] {
        out.push(char::from(digit));
    }
}

/// The name of a top-level arc in Net-SNMP's built-in tree.
pub(crate) fn root_name(arc: u32) -> Option<&'static str> {
    match arc {
        0 => Some("ccitt"),
        1 => Some("iso"),
        2 => Some("joint-iso-ccitt"),
        _ => None,
    }
}

/// Timeticks as `uptime_string` prints them: `14 days, 6:56:07.89`, or `14:6:56:07.89` when
/// `quick`.
pub(crate) fn uptime_text(ticks: u32, quick: bool) -> String {
    let centis = ticks % 100;
    let seconds_total = ticks / 100;
    let days = seconds_total / 86_400;
    let hours = seconds_total % 86_400 / 3600;
    let minutes = seconds_total % 3600 / 60;
    let seconds = seconds_total % 60;
    if quick {
        return format!("{days}:{hours}:{minutes:02}:{seconds:02}.{centis:02}");
    }
    match days {
        0 => format!("{hours}:{minutes:02}:{seconds:02}.{centis:02}"),
        1 => format!("1 day, {hours}:{minutes:02}:{seconds:02}.{centis:02}"),
        _ => format!("{days} days, {hours}:{minutes:02}:{seconds:02}.{centis:02}"),
    }
}

/// Octets as Net-SNMP's hex dump: `XX ` per octet, a newline after every 16 octets but the
/// last, and with `-OT` each line followed by `  [text]`.
pub(crate) fn hex_lines(bytes: &[u8], with_text: bool) -> String {
    let mut out = String::with_capacity(bytes.len() * 3 + 8);
    if bytes.is_empty() && with_text {
        // Net-SNMP prints one empty line, and so its empty text.
        out.push_str("  []");
    }
    for (index, line) in bytes.chunks(HEX_LINE).enumerate() {
        if index > 0 {
            out.push('\n');
        }
        for byte in line {
            let _ = write!(out, "{byte:02X} ");
        }
        if with_text {
            out.push_str("  [");
            out.extend(line.iter().map(|&b| {
                if is_print_or_space(b) {
                    char::from(b)
                } else {
                    '.'
                }
            }));
            out.push(']');
        }
    }
    out
}

/// Net-SNMP's printable test in the C locale: `isprint(c) || isspace(c)`.
pub(crate) fn is_print_or_space(byte: u8) -> bool {
    (0x20..=0x7e).contains(&byte) || (0x09..=0x0d).contains(&byte)
}

/// Text of a string value: `"` and `\` escaped, unprintable octets as `.`.
fn ascii_text(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    for &byte in bytes {
        if is_print_or_space(byte) {
            if byte == b'"' || byte == b'\\' {
                out.push('\\');
            }
            out.push(char::from(byte));
        } else {
            out.push('.');
        }
    }
    out
}

/// `printf("%*.*f")` for finite values, and C's spellings of the others.
fn c_float(value: f64, width: Option<usize>, precision: Option<usize>) -> String {
    let precision = precision.unwrap_or(6);
    let text = if value.is_nan() {
        if value.is_sign_negative() {
            "-nan".to_owned()
        } else {
            "nan".to_owned()
        }
    } else if value.is_infinite() {
        if value < 0.0 {
            "-inf".to_owned()
        } else {
            "inf".to_owned()
        }
    } else {
        format!("{value:.precision$}")
    };
    match width {
        Some(width) => format!("{text:>width$}"),
        None => text,
    }
}

/// A `-Op` argument of the form `[width][.precision]`.
fn parse_precision(spec: &str) -> Option<(Option<usize>, Option<usize>)> {
    let (width, precision) = match spec.split_once('.') {
        Some((width, precision)) => (width, Some(precision)),
        None => (spec, None),
    };
    let number = |s: &str| -> Option<Option<usize>> {
        if s.is_empty() {
            return Some(None);
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok().map(Some)
    };
    let width = number(width)?;
    let precision = match precision {
        // printf reads "%.f" as precision 0.
        Some(p) => Some(number(p)?.unwrap_or(0)),
        None => None,
    };
    Some((width, precision))
}

fn toggle(flag: &mut bool) {
    *flag = !*flag;
}

fn signed(contents: &[u8]) -> Option<i64> {
    if contents.is_empty() || contents.len() > 8 {
        return None;
    }
    let fill = if contents.first().is_some_and(|b| b & 0x80 != 0) {
        0xff
    } else {
        0x00
    };
    let mut buf = [fill; 8];
    buf.get_mut(8 - contents.len()..)?.copy_from_slice(contents);
    Some(i64::from_be_bytes(buf))
}

fn unsigned(contents: &[u8]) -> Option<u64> {
    let contents = match contents {
        [0, rest @ ..] if contents.len() == 9 => rest,
        _ => contents,
    };
    if contents.is_empty() || contents.len() > 8 {
        return None;
    }
    let mut buf = [0u8; 8];
    buf.get_mut(8 - contents.len()..)?.copy_from_slice(contents);
    Some(u64::from_be_bytes(buf))
}

fn minimal_signed(n: i64) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let mut start = 0;
    // Drop leading octets that only repeat the sign of the next one.
    while start < 7 {
        let (Some(&b), Some(&next)) = (bytes.get(start), bytes.get(start + 1)) else {
            break;
        };
        if (b == 0x00 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    bytes.get(start..).map(<[u8]>::to_vec).unwrap_or_default()
}

fn minimal_unsigned(n: u64) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(7);
    let mut out = Vec::with_capacity(9);
    // A set high bit needs a leading zero octet to stay positive.
    if bytes.get(start).is_some_and(|b| b & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out
}

/// The text of a noSuchObject exception.
pub(crate) const NO_SUCH_OBJECT: &str = "No Such Object available on this agent at this OID";
/// The text of a noSuchInstance exception.
pub(crate) const NO_SUCH_INSTANCE: &str = "No Such Instance currently exists at this OID";
/// The text of an endOfMibView exception.
pub(crate) const END_OF_MIB_VIEW: &str =
    "No more variables left in this MIB View (It is past the end of the MIB tree)";

const HEX_LINE: usize = 16;
const OPAQUE_TAG1: u8 = 0x9f;
const OPAQUE_COUNTER64: u8 = 0x76;
const OPAQUE_FLOAT: u8 = 0x78;
const OPAQUE_DOUBLE: u8 = 0x79;
const OPAQUE_INT64: u8 = 0x7a;
const OPAQUE_UINT64: u8 = 0x7b;

#[cfg(test)]
mod tests;
