//! An e-mail message and its rendering to RFC 5322 text.
//!
//! Headers are folded (RFC 5322 §2.2.3), non-ASCII header text is encoded as RFC 2047
//! encoded-words, lines end in CRLF. A body that is 7-bit and has short lines is sent as is;
//! any other body is sent in base64 (RFC 2045 §6.8), so the message never needs 8BITMIME.
//! Dot-stuffing (RFC 5321 §4.5.2) happens when the message is written in DATA, see
//! [`dot_stuff`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::MessageError;

/// A mailbox: an address and an optional display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// The display name, e.g. `Vigie`.
    pub name: Option<String>,
    /// The address, `local@domain`.
    pub address: String,
}

impl Mailbox {
    /// A mailbox without a display name; the address is checked.
    pub fn new(address: impl Into<String>) -> Result<Self, MessageError> {
        let address = address.into();
        check_address(&address)?;
        Ok(Self {
            name: None,
            address,
        })
    }

    /// A mailbox with a display name.
    pub fn with_name(
        name: impl Into<String>,
        address: impl Into<String>,
    ) -> Result<Self, MessageError> {
        let mut mailbox = Self::new(address)?;
        let name = name.into();
        if name.contains(['\r', '\n']) {
            return Err(MessageError::LineBreakInHeader);
        }
        mailbox.name = Some(name);
        Ok(mailbox)
    }

    fn render(&self) -> String {
        match &self.name {
            None => self.address.clone(),
            Some(name) if name.is_ascii() && !name.contains(['"', '\\']) => {
                format!("\"{name}\" <{}>", self.address)
            }
            Some(name) => format!("{} <{}>", encode_word(name), self.address),
        }
    }
}

/// Checks what the envelope and headers need of an address: one `@` with text on each
/// side, printable ASCII, no spaces or angle brackets (which would break `MAIL FROM:<…>`).
fn check_address(address: &str) -> Result<(), MessageError> {
    let valid = address
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>')
        && matches!(address.rsplit_once('@'), Some((local, domain)) if !local.is_empty() && !domain.is_empty());
    if valid {
        Ok(())
    } else {
        Err(MessageError::InvalidAddress(address.to_owned()))
    }
}

/// An e-mail message: one text body, no attachments.
///
/// The Message-ID and Date are fixed when the message is built, so that every delivery
/// attempt of the same notification sends the same header and duplicates are recognisable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The `From` mailbox (and the envelope sender).
    pub from: Mailbox,
    /// `To` recipients.
    pub to: Vec<Mailbox>,
    /// `Cc` recipients.
    pub cc: Vec<Mailbox>,
    /// The subject, any Unicode text.
    pub subject: String,
    /// The body, plain text; line ends are normalised to CRLF.
    pub body: String,
    /// The Message-ID without angle brackets, `id@domain`.
    pub message_id: String,
    /// The origination date.
    pub date: SystemTime,
}

/// Makes Message-IDs unique within a process that sends twice in the same nanosecond.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

impl Message {
    /// A message dated now, with a fresh Message-ID in the sender's domain.
    pub fn new(
        from: Mailbox,
        to: Vec<Mailbox>,
        subject: impl Into<String>,
        body: impl Into<String>,
    ) -> Result<Self, MessageError> {
        let subject = subject.into();
        if subject.contains(['\r', '\n']) {
            return Err(MessageError::LineBreakInHeader);
        }
        if to.is_empty() {
            return Err(MessageError::NoRecipient);
        }
        let date = SystemTime::now();
        let nanos = date.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let sequence = SEQUENCE.fetch_add(1, Ordering::Relaxed);
        let domain = from.address.rsplit_once('@').map_or("vigie", |(_, d)| d);
        let message_id = format!("{nanos:x}.{:x}.{sequence:x}@{domain}", std::process::id());
        Ok(Self {
            from,
            to,
            cc: Vec::new(),
            subject,
            body: body.into(),
            message_id,
            date,
        })
    }

    /// Every envelope recipient: `To` then `Cc`.
    pub fn recipients(&self) -> impl Iterator<Item = &Mailbox> {
        self.to.iter().chain(&self.cc)
    }

    /// The message as RFC 5322 text with CRLF line ends, before dot-stuffing.
    pub fn render(&self) -> String {
        let mut out = String::new();
        header(&mut out, "Date", &rfc5322_date(self.date));
        header(&mut out, "From", &self.from.render());
        let list = |boxes: &[Mailbox]| {
            boxes
                .iter()
                .map(Mailbox::render)
                .collect::<Vec<_>>()
                .join(", ")
        };
        header(&mut out, "To", &list(&self.to));
        if !self.cc.is_empty() {
            header(&mut out, "Cc", &list(&self.cc));
        }
        let subject = if self.subject.is_ascii() {
            self.subject.clone()
        } else {
            encode_words(&self.subject)
        };
        header(&mut out, "Subject", &subject);
        header(&mut out, "Message-ID", &format!("<{}>", self.message_id));
        header(&mut out, "MIME-Version", "1.0");
        header(&mut out, "Content-Type", "text/plain; charset=utf-8");
        let body = normalise_line_ends(&self.body);
        let seven_bit = body.is_ascii() && body.split("\r\n").all(|line| line.len() <= 998);
        if seven_bit {
            header(&mut out, "Content-Transfer-Encoding", "7bit");
            out.push_str("\r\n");
            out.push_str(&body);
        } else {
            header(&mut out, "Content-Transfer-Encoding", "base64");
            out.push_str("\r\n");
            let encoded = base64(body.as_bytes());
            // RFC 2045 §6.8: encoded lines are at most 76 characters.
            for chunk in encoded.as_bytes().chunks(76) {
                out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
                out.push_str("\r\n");
            }
        }
        if !out.ends_with("\r\n") {
            out.push_str("\r\n");
        }
        out
    }
}

/// Appends `name: value`, folded at whitespace so that lines stay under 78 characters
/// where possible (RFC 5322 §2.2.3).
fn header(out: &mut String, name: &str, value: &str) {
    let mut line_len = name.len() + 1;
    out.push_str(name);
    out.push(':');
    for word in value.split(' ') {
        if line_len + 1 + word.len() > 78 && line_len > name.len() + 1 {
            out.push_str("\r\n");
            line_len = 0;
        }
        out.push(' ');
        out.push_str(word);
        line_len += 1 + word.len();
    }
    out.push_str("\r\n");
}

fn normalise_line_ends(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\r\n");
            }
            '\n' => out.push_str("\r\n"),
            _ => out.push(c),
        }
    }
    out
}

/// One RFC 2047 B encoded-word for short text (display names).
fn encode_word(text: &str) -> String {
    format!("=?utf-8?B?{}?=", base64(text.as_bytes()))
}

/// RFC 2047 B encoded-words, split on character boundaries so that each word stays within
/// the 75-character limit of RFC 2047 §2; words are separated by spaces (folding points).
fn encode_words(text: &str) -> String {
    // 39 bytes of input make 52 base64 characters, a 64-character word: with `Subject: `
    // in front the first line stays within 78 characters (RFC 5322 §2.1.1).
    const MAX_CHUNK: usize = 39;
    let mut words = Vec::new();
    let mut start = 0;
    let mut end = 0;
    for (index, c) in text.char_indices() {
        let next = index + c.len_utf8();
        if next - start > MAX_CHUNK {
            words.push(encode_word(&text[start..end]));
            start = end;
        }
        end = next;
    }
    if start < text.len() {
        words.push(encode_word(&text[start..]));
    }
    words.join(" ")
}

/// Standard base64 with padding (RFC 4648 §4).
pub(crate) fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextet = |shift: u32| char::from(ALPHABET[((n >> shift) & 0x3f) as usize]);
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if chunk.len() > 1 { sextet(6) } else { '=' });
        out.push(if chunk.len() > 2 { sextet(0) } else { '=' });
    }
    out
}

/// Doubles a leading `.` on every line (RFC 5321 §4.5.2), so that a line holding a single
/// dot in the body cannot end the DATA phase early.
pub fn dot_stuff(rendered: &str) -> String {
    let mut out = String::with_capacity(rendered.len() + 16);
    for line in rendered.split_inclusive("\r\n") {
        if line.starts_with('.') {
            out.push('.');
        }
        out.push_str(line);
    }
    out
}

/// `Mon, 23 Nov 2026 20:10:21 +0000` (RFC 5322 §3.3), in UTC.
fn rfc5322_date(time: SystemTime) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{}, {day} {} {year} {:02}:{:02}:{:02} +0000",
        DAYS[(days % 7) as usize],
        MONTHS[usize::from(month - 1)],
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u8, u8) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    // day ≤ 31 and month ≤ 12 by construction of the algorithm.
    (
        year,
        u8::try_from(month).unwrap_or(1),
        u8::try_from(day).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn message(subject: &str, body: &str) -> Message {
        let from = Mailbox::new("vigie@example.com").ok();
        let to = Mailbox::new("ops@example.com").ok();
        let (Some(from), Some(to)) = (from, to) else {
            panic!("valid test addresses")
        };
        let mut message = Message::new(from, vec![to], subject, body)
            .unwrap_or_else(|e| panic!("valid message: {e}"));
        message.date = UNIX_EPOCH + Duration::from_secs(1_795_464_621);
        message
    }

    #[test]
    fn base64_vectors_from_rfc4648() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, expected) in vectors {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn date_is_rfc5322() {
        assert_eq!(
            rfc5322_date(UNIX_EPOCH + Duration::from_secs(1_795_464_621)),
            "Mon, 23 Nov 2026 20:10:21 +0000"
        );
        assert_eq!(rfc5322_date(UNIX_EPOCH), "Thu, 1 Jan 1970 00:00:00 +0000");
        assert_eq!(
            rfc5322_date(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "Tue, 29 Feb 2000 00:00:00 +0000"
        );
    }

    #[test]
    fn renders_headers_and_crlf_body() {
        let text = message("Link down", "line one\nline two").render();
        assert!(text.contains("\r\nSubject: Link down\r\n"));
        assert!(text.contains("From: vigie@example.com\r\n"));
        assert!(text.contains("Date: Mon, 23 Nov 2026 20:10:21 +0000\r\n"));
        assert!(text.ends_with("\r\n\r\nline one\r\nline two\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn non_ascii_subject_is_encoded_and_folded() {
        let subject = "Alarme: lien coupé sur le routeur de Besançon, interface GigabitEthernet0/1 — état critique";
        let text = message(subject, "x").render();
        let line = text
            .split("\r\n")
            .find(|l| l.starts_with("Subject:"))
            .unwrap_or_default();
        assert!(line.starts_with("Subject: =?utf-8?B?"));
        for line in text.split("\r\n") {
            assert!(line.len() <= 78, "line too long: {line}");
        }
        assert!(text.contains("\r\n =?utf-8?B?"), "the subject is folded");
    }

    #[test]
    fn dot_stuffing_doubles_leading_dots() {
        assert_eq!(
            dot_stuff("a\r\n.\r\n..b\r\nc.\r\n"),
            "a\r\n..\r\n...b\r\nc.\r\n"
        );
    }

    #[test]
    fn non_ascii_body_is_base64() {
        let text = message("s", "été").render();
        assert!(text.contains("Content-Transfer-Encoding: base64\r\n"));
        assert!(text.ends_with(&format!("\r\n\r\n{}\r\n", base64("été".as_bytes()))));
    }

    #[test]
    fn rejects_header_injection_and_bad_addresses() {
        assert!(Mailbox::new("a b@example.com").is_err());
        assert!(Mailbox::new("noat").is_err());
        assert!(Mailbox::new("x@example.com>\r\nRCPT TO:<y@z").is_err());
        assert!(Mailbox::with_name("A\r\nBcc: x", "a@example.com").is_err());
    }
}
