//! SMTP replies (RFC 5321 §4.2) and their enhanced status codes (RFC 3463, RFC 2034).

use std::fmt;

/// An enhanced mail system status code such as `5.7.8` (RFC 3463 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnhancedCode {
    /// Class: 2 (success), 4 (persistent transient failure) or 5 (permanent failure).
    pub class: u8,
    /// Subject (0–7 in RFC 3463; up to three digits allowed).
    pub subject: u16,
    /// Detail (up to three digits).
    pub detail: u16,
}

impl EnhancedCode {
    /// Parses `class.subject.detail` at the start of `text`, as RFC 2034 places it after
    /// the reply code; returns the code and the rest of the text.
    fn parse_prefix(text: &str) -> Option<(Self, &str)> {
        let end = text.find(' ').unwrap_or(text.len());
        let mut parts = text[..end].split('.');
        let class = parts.next()?;
        let subject = parts.next()?;
        let detail = parts.next()?;
        if parts.next().is_some() {
            return None;
        }
        let class: u8 = match class {
            "2" => 2,
            "4" => 4,
            "5" => 5,
            _ => return None,
        };
        let number = |s: &str| -> Option<u16> {
            if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        let code = Self {
            class,
            subject: number(subject)?,
            detail: number(detail)?,
        };
        Some((code, text[end..].trim_start()))
    }
}

impl fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// A complete SMTP reply: the three-digit code, the enhanced status code if the server gave
/// one, and the text of every line (RFC 5321 §4.2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The reply code, 200–599.
    pub code: u16,
    /// The enhanced status code of the first line, if present.
    pub enhanced: Option<EnhancedCode>,
    /// The text of each line, without the code, the separator and the enhanced code.
    pub lines: Vec<String>,
}

impl Reply {
    /// The text of all lines joined by a space.
    pub fn text(&self) -> String {
        self.lines.join(" ")
    }

    /// Whether the code is 2xx.
    pub fn is_positive(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// Whether the code is 4xx (transient negative completion, RFC 5321 §4.2.1).
    pub fn is_transient(&self) -> bool {
        (400..500).contains(&self.code)
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(enhanced) = self.enhanced {
            write!(f, " {enhanced}")?;
        }
        write!(f, " {}", self.text())
    }
}

/// Why a reply line could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplyError {
    /// The line does not start with three digits (2–5, 0–5, 0–9).
    #[error("reply line does not start with a three-digit code")]
    BadCode,
    /// The fourth character is neither a space, a hyphen nor the end of the line.
    #[error("reply line has no space or hyphen after the code")]
    BadSeparator,
    /// A continuation line carries a different code from the first line.
    #[error("multi-line reply changes its code")]
    CodeChanged,
    /// The reply has more lines than a client accepts.
    #[error("reply has too many lines")]
    TooManyLines,
}

/// Accumulates the lines of one reply.
#[derive(Debug, Default)]
pub(crate) struct ReplyBuilder {
    code: Option<u16>,
    lines: Vec<String>,
}

/// A bound on the lines of one reply: EHLO answers have a dozen; a hostile server must not
/// make the client grow without end.
const MAX_REPLY_LINES: usize = 256;

impl ReplyBuilder {
    /// Feeds one line (without CRLF); returns the reply when it is the last line.
    pub(crate) fn push(&mut self, line: &str) -> Result<Option<Reply>, ReplyError> {
        let bytes = line.as_bytes();
        if bytes.len() < 3 || !bytes[..3].iter().all(u8::is_ascii_digit) {
            return Err(ReplyError::BadCode);
        }
        let code = u16::from(bytes[0] - b'0') * 100
            + u16::from(bytes[1] - b'0') * 10
            + u16::from(bytes[2] - b'0');
        if !(200..600).contains(&code) {
            return Err(ReplyError::BadCode);
        }
        if *self.code.get_or_insert(code) != code {
            return Err(ReplyError::CodeChanged);
        }
        let last = match bytes.get(3) {
            None | Some(b' ') => true,
            Some(b'-') => false,
            Some(_) => return Err(ReplyError::BadSeparator),
        };
        if self.lines.len() >= MAX_REPLY_LINES {
            return Err(ReplyError::TooManyLines);
        }
        self.lines.push(line.get(4..).unwrap_or("").to_owned());
        if !last {
            return Ok(None);
        }
        let mut lines = std::mem::take(&mut self.lines);
        let enhanced = lines
            .first()
            .and_then(|first| EnhancedCode::parse_prefix(first))
            .map(|(code, _)| code);
        // RFC 2034 §4: every line repeats the enhanced code; keep only the text.
        if let Some(enhanced) = enhanced {
            for line in &mut lines {
                if let Some((same, rest)) = EnhancedCode::parse_prefix(line)
                    && same == enhanced
                {
                    *line = rest.to_owned();
                }
            }
        }
        self.code = None;
        Ok(Some(Reply {
            code,
            enhanced,
            lines,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(lines: &[&str]) -> Result<Option<Reply>, ReplyError> {
        let mut builder = ReplyBuilder::default();
        let mut out = None;
        for line in lines {
            out = builder.push(line)?;
        }
        Ok(out)
    }

    #[test]
    fn single_line_with_enhanced_code() {
        let reply = parse(&["535 5.7.8 Authentication credentials invalid"])
            .ok()
            .flatten();
        let reply = reply.as_ref();
        assert_eq!(reply.map(|r| r.code), Some(535));
        assert_eq!(
            reply.and_then(|r| r.enhanced).map(|e| e.to_string()),
            Some("5.7.8".to_owned())
        );
        assert_eq!(
            reply.map(Reply::text),
            Some("Authentication credentials invalid".to_owned())
        );
    }

    #[test]
    fn multi_line_ehlo() {
        let reply = parse(&["250-mail.example", "250-STARTTLS", "250 SIZE 1000"])
            .ok()
            .flatten();
        assert_eq!(
            reply.map(|r| r.lines),
            Some(vec![
                "mail.example".to_owned(),
                "STARTTLS".to_owned(),
                "SIZE 1000".to_owned()
            ])
        );
    }

    #[test]
    fn continuation_returns_none_until_the_last_line() {
        let mut builder = ReplyBuilder::default();
        assert_eq!(builder.push("250-first"), Ok(None));
        assert!(matches!(builder.push("250 last"), Ok(Some(_))));
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(parse(&["\u{16}\u{3}\u{1}"]), Err(ReplyError::BadCode));
        assert_eq!(parse(&["250x"]), Err(ReplyError::BadSeparator));
        assert_eq!(parse(&["250-a", "251 b"]), Err(ReplyError::CodeChanged));
        assert_eq!(parse(&["999 no"]), Err(ReplyError::BadCode));
    }

    #[test]
    fn no_enhanced_code_when_absent() {
        let reply = parse(&["220 mail.example ESMTP"]).ok().flatten();
        assert_eq!(reply.and_then(|r| r.enhanced), None);
    }
}
