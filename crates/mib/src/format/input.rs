//! Text typed by a user read back through an octet-string DISPLAY-HINT (RFC 2579 §3.1), as
//! Net-SNMP's `snmpset` reads an `s` value: `00:11:22:33:44:55` under `1x:` is six octets,
//! `2026-11-24,4:50:0.0` under DateAndTime's hint eight.
//!
//! Net-SNMP's reader is its own, and looser than the RFC: each number is read as C's
//! `strtol` reads it (leading blanks, a sign, `0x` before hexadecimal) and cut to its
//! octets, so `100` under `1x` is `00` and `-1` is `ff`; a separator may end the value; the
//! last specification repeats until the value is used up; `t` (UTF-8) is not a format it
//! knows, so under `255t` no value reads, and `snmpset` sends the text as typed.

/// The octets `value` stands for under the octet-string DISPLAY-HINT `hint`, or `None`
/// when it does not read (a format or separator that does not match, or a hint this reader
/// does not know): `snmpset` then sends the text as typed.
pub fn parse_octets_with_hint(hint: &str, value: &str) -> Option<Vec<u8>> {
    let mut reader = Reader {
        value: value.as_bytes(),
        at: 0,
        out: Vec::new(),
    };
    let mut spec = Spec::default();
    let mut state = State::Length;
    let hint = hint.as_bytes();
    let mut h = 0;
    while let Some(&ch) = hint.get(h) {
        if reader.at_end() {
            break;
        }
        match state {
            State::Length => {
                if ch == b'*' {
                    spec.repeat = true;
                } else if ch.is_ascii_digit() {
                    spec.add_digit(ch)?;
                } else {
                    return None;
                }
                state = State::Format;
            }
            State::Format => {
                if ch.is_ascii_digit() {
                    spec.add_digit(ch)?;
                } else if matches!(ch, b'x' | b'd' | b'o' | b'a') {
                    spec.format = ch;
                    state = State::Separator;
                } else {
                    return None;
                }
            }
            State::Separator | State::Terminator => {
                if ch == b'*' || ch.is_ascii_digit() {
                    reader.read(&spec)?;
                    spec = Spec::default();
                    if ch == b'*' {
                        spec.repeat = true;
                    } else {
                        spec.add_digit(ch)?;
                    }
                    state = State::Format;
                } else if state == State::Separator {
                    spec.separator = Some(ch);
                    state = State::Terminator;
                } else {
                    spec.terminator = Some(ch);
                    reader.read(&spec)?;
                    spec = Spec::default();
                    state = State::Length;
                }
            }
        }
        h += 1;
    }
    // What the hint leaves of the value is read with its last specification, again and
    // again. A specification that reads nothing (an empty hint, `0a`) would do so forever
    // (Net-SNMP loops there); here the value does not read.
    while !reader.at_end() {
        let before = reader.at;
        reader.read(&spec)?;
        if reader.at == before {
            return None;
        }
    }
    Some(reader.out)
}

/// Where the reader of the hint is (RFC 2579 §3.1's five parts of a specification).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the repeat indicator or the length.
    Length,
    /// In the length, before the format letter.
    Format,
    /// After the format: a separator, or the next specification.
    Separator,
    /// After the separator: a terminator, or the next specification.
    Terminator,
}

/// One specification of the hint: `*`, length, format, separator, terminator.
#[derive(Debug, Default)]
struct Spec {
    repeat: bool,
    length: usize,
    /// `x`, `d`, `o` or `a`; 0 before the format letter is read.
    format: u8,
    separator: Option<u8>,
    terminator: Option<u8>,
}

impl Spec {
    /// Appends a decimal digit of the length; `None` past any length an octet string can
    /// have, which keeps what a hostile hint can make this allocate bounded.
    fn add_digit(&mut self, digit: u8) -> Option<()> {
        self.length = self
            .length
            .checked_mul(10)?
            .checked_add(usize::from(digit - b'0'))
            .filter(|&length| length <= MAX_OCTETS)?;
        Some(())
    }
}

/// The largest value read: an SNMP octet string holds at most 65,535 octets (RFC 2578 §7.1.2).
const MAX_OCTETS: usize = 65_535;

/// The value being read and the octets read so far.
struct Reader<'a> {
    value: &'a [u8],
    at: usize,
    out: Vec<u8>,
}

impl Reader<'_> {
    fn at_end(&self) -> bool {
        self.at >= self.value.len()
    }

    fn peek(&self) -> Option<u8> {
        self.value.get(self.at).copied()
    }

    fn push(&mut self, octet: u8) -> Option<()> {
        if self.out.len() >= MAX_OCTETS {
            return None;
        }
        self.out.push(octet);
        Some(())
    }

    /// Reads one specification from the value: once, or while the value lasts for `*`
    /// (whose count is written before the octets, as Net-SNMP writes it).
    fn read(&mut self, spec: &Spec) -> Option<()> {
        let count_at = self.out.len();
        if spec.repeat {
            self.push(0)?;
        }
        let mut repeats: u32 = 0;
        loop {
            match spec.format {
                b'x' | b'd' | b'o' => {
                    let base = match spec.format {
                        b'x' => 16,
                        b'd' => 10,
                        _ => 8,
                    };
                    let (number, used) = strtol(self.value.get(self.at..)?, base)?;
                    self.at += used;
                    for i in 0..spec.length {
                        // C shifts a 64-bit `unsigned long` by a count the x86-64 shift
                        // instruction takes modulo 64; `wrapping_shr` does the same.
                        let shift = u32::try_from(8 * (spec.length - 1 - i)).unwrap_or(u32::MAX);
                        self.push(number.wrapping_shr(shift).to_le_bytes()[0])?;
                    }
                }
                b'a' => {
                    for _ in 0..spec.length {
                        let Some(octet) = self.peek() else {
                            break;
                        };
                        self.push(octet)?;
                        self.at += 1;
                    }
                }
                _ => {}
            }
            repeats = repeats.wrapping_add(1);
            if let (Some(separator), Some(next)) = (spec.separator, self.peek()) {
                if next != separator {
                    return None;
                }
                self.at += 1;
            }
            if spec.terminator.is_some() && self.peek() == spec.terminator {
                self.at += 1;
                break;
            }
            if !spec.repeat || self.at_end() {
                break;
            }
        }
        if spec.repeat {
            if let Some(count) = self.out.get_mut(count_at) {
                *count = repeats.to_le_bytes()[0];
            }
        }
        Some(())
    }
}

/// C's `strtol(text, &end, base)` on a 64-bit `long`, returned as the `unsigned long` it is
/// stored in, with the number of bytes it read; `None` when it reads no digit.
fn strtol(text: &[u8], base: u32) -> Option<(u64, usize)> {
    let mut at = text
        .iter()
        .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .count();
    let negative = match text.get(at) {
        Some(b'-') => {
            at += 1;
            true
        }
        Some(b'+') => {
            at += 1;
            false
        }
        _ => false,
    };
    let digit = |b: Option<&u8>| b.and_then(|&b| char::from(b).to_digit(base));
    // `0x` is part of a hexadecimal number only when a hexadecimal digit follows it.
    if base == 16
        && text.get(at) == Some(&b'0')
        && matches!(text.get(at + 1), Some(b'x' | b'X'))
        && digit(text.get(at + 2)).is_some()
    {
        at += 2;
    }
    let start = at;
    let mut magnitude: u64 = 0;
    let mut overflow = false;
    while let Some(d) = digit(text.get(at)) {
        match magnitude
            .checked_mul(u64::from(base))
            .and_then(|m| m.checked_add(u64::from(d)))
        {
            Some(m) => magnitude = m,
            None => overflow = true,
        }
        at += 1;
    }
    if at == start {
        return None;
    }
    // Out of range, strtol gives LONG_MAX or LONG_MIN.
    let limit = if negative {
        i64::MIN.unsigned_abs()
    } else {
        i64::MAX.unsigned_abs()
    };
    let value = if overflow || magnitude > limit {
        if negative { i64::MIN } else { i64::MAX }
    } else if negative {
        0i64.wrapping_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).unwrap_or(i64::MAX)
    };
    Some((u64::from_ne_bytes(value.to_ne_bytes()), at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(hint: &str, value: &str) -> Option<Vec<u8>> {
        parse_octets_with_hint(hint, value)
    }

    #[test]
    fn mac_addresses_and_their_looseness() {
        assert_eq!(
            parse("1x:", "00:11:22:33:44:55"),
            Some(vec![0, 0x11, 0x22, 0x33, 0x44, 0x55])
        );
        assert_eq!(parse("1x:", "a:b:c"), Some(vec![10, 11, 12]));
        // strtol's reading: one number per octet, cut to its low octet.
        assert_eq!(parse("1x:", "0011"), Some(vec![0x11]));
        assert_eq!(parse("1x:", "100:2"), Some(vec![0, 2]));
        assert_eq!(parse("1x:", "-1:2"), Some(vec![0xff, 2]));
        assert_eq!(parse("1x:", "+1:0x2"), Some(vec![1, 2]));
        assert_eq!(parse("1x:", " 1:2"), Some(vec![1, 2]));
        assert_eq!(parse("1x:", "1:2:"), Some(vec![1, 2]));
        assert_eq!(parse("1x:", ""), Some(vec![]));
        // Separators and digits that do not match: the value does not read.
        for value in ["zz", "00-11-22", "1::2", ":1", "1 2", "1:2 ", "1g"] {
            assert_eq!(parse("1x:", value), None, "{value}");
        }
    }

    #[test]
    fn date_and_time_reads_as_far_as_the_value_goes() {
        let hint = "2d-1d-1d,1d:1d:1d.1d,1a1d:1d";
        assert_eq!(
            parse(hint, "2026-11-24,4:50:00.0"),
            Some(vec![0x07, 0xea, 11, 24, 4, 50, 0, 0])
        );
        assert_eq!(
            parse(hint, "2026-1-2,3:4:5.6,-2:30"),
            Some(vec![0x07, 0xea, 1, 2, 3, 4, 5, 6, b'-', 2, 30])
        );
        assert_eq!(parse(hint, "2026-11-24"), Some(vec![0x07, 0xea, 11, 24]));
        assert_eq!(parse(hint, "x"), None);
    }

    #[test]
    fn text_hints_and_unknown_formats() {
        assert_eq!(parse("255a", "a:b"), Some(b"a:b".to_vec()));
        // `t` is not a format Net-SNMP reads: the text goes as typed.
        assert_eq!(parse("255t", "abc"), None);
        assert_eq!(parse("", "abc"), None);
        assert_eq!(parse("0a", "abc"), None);
        assert_eq!(parse("1d.1d.1d.1d", "192.0.2.1"), Some(vec![192, 0, 2, 1]));
        assert_eq!(
            parse("1d.1d.1d.1d:2d", "10.0.0.1:161"),
            Some(vec![10, 0, 0, 1, 0, 161])
        );
        // `*`: a count octet, then the repeated octets.
        assert_eq!(parse("*1x:", "1:2:3"), Some(vec![3, 1, 2, 3]));
        assert_eq!(parse("1o", "17"), Some(vec![0o17]));
    }

    #[test]
    fn hostile_hints_stay_bounded() {
        assert_eq!(parse("99999999999999999999x", "1"), None);
        assert_eq!(parse("65535x", "1").map(|v| v.len()), Some(65_535));
        assert_eq!(parse("1x", "ffffffffffffffffffffffff"), Some(vec![0xff]));
        assert_eq!(parse("1x", "-ffffffffffffffffffffffff"), Some(vec![0]));
        // `0x` without a digit after it is the number 0, then an `x` that does not read.
        assert_eq!(parse("2x", "0x"), None);
        assert_eq!(parse("2x", "0x1"), Some(vec![0, 1]));
    }
}
