//! The lexer: ASN.1 tokens of the SMI subset (RFC 2578 §3, X.680 §11), with positions.
//!
//! It accepts what vendors ship: underscores and trailing hyphens in names (the parser warns
//! about them), negative numbers, strings spanning lines, `--` comments closed by `--` or by
//! the end of the line (X.680 §11.6). It never fails: a character that starts no token
//! becomes a [`TokenKind::Unknown`] token for the parser to report, and input that is not
//! UTF-8 is decoded lossily by [`decode`] first.

use std::borrow::Cow;

use crate::diagnostic::{Diagnostic, DiagnosticKind, Pos};

/// Decodes a MIB file's bytes, replacing invalid UTF-8 with U+FFFD (vendors ship Latin-1).
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    // `from_utf8` checks ASCII a word at a time; the lossy decoder, byte by byte, is for the
    // files that need it.
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Splits `src` into tokens, ending with one [`TokenKind::Eof`] token.
///
/// Lexical problems (unterminated strings, bad `'…'H` strings) come back as diagnostics; the
/// module name is left empty for the parser to fill in.
pub fn tokenize(src: &str) -> (Vec<Token<'_>>, Vec<Diagnostic>) {
    let mut lexer = Lexer {
        src,
        bytes: src.as_bytes(),
        at: 0,
        pos: Pos { line: 1, column: 1 },
        diagnostics: Vec::new(),
    };
    // Net-SNMP's standard modules average one token per 26 bytes (their DESCRIPTION texts
    // are single tokens); reserving for one per 16 avoids most regrowth without reserving
    // memory that is never used.
    let mut tokens = Vec::with_capacity(src.len() / 16 + 16);
    loop {
        let token = lexer.next_token();
        let eof = token.kind == TokenKind::Eof;
        tokens.push(token);
        if eof {
            break;
        }
    }
    (tokens, lexer.diagnostics)
}

/// One token: its kind, its text in the source, and where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// What the token is.
    pub kind: TokenKind,
    /// Its text. For strings, the content between the quotes (with `""` still doubled); for
    /// `'…'H` and `'…'B` strings, the digits only.
    pub text: &'a str,
    /// Where it starts.
    pub pos: Pos,
}

/// The kinds of tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A name or keyword: a letter, then letters, digits, hyphens and underscores.
    Identifier,
    /// A decimal number, possibly negative (`-1`).
    Number,
    /// A `"…"` string.
    String,
    /// A `'…'H` string.
    HexString,
    /// A `'…'B` string.
    BinaryString,
    /// `::=`
    Assign,
    /// `..`
    Range,
    /// `.`
    Dot,
    /// `{`
    LeftBrace,
    /// `}`
    RightBrace,
    /// `(`
    LeftParen,
    /// `)`
    RightParen,
    /// `[`
    LeftBracket,
    /// `]`
    RightBracket,
    /// `,`
    Comma,
    /// `;`
    Semicolon,
    /// `|`
    Pipe,
    /// `:` not part of `::=`
    Colon,
    /// `-` not followed by a digit or another `-`.
    Minus,
    /// `<`
    Less,
    /// `>`
    Greater,
    /// A character that starts no token.
    Unknown,
    /// The end of the input.
    Eof,
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    at: usize,
    pos: Pos,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Lexer<'a> {
    fn next_token(&mut self) -> Token<'a> {
        self.skip_blanks_and_comments();
        let start = self.at;
        let pos = self.pos;
        let Some(b) = self.peek(0) else {
            return Token {
                kind: TokenKind::Eof,
                text: "",
                pos,
            };
        };
        let kind = match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                self.identifier();
                TokenKind::Identifier
            }
            b'0'..=b'9' => {
                self.digits();
                TokenKind::Number
            }
            b'-' if self.peek(1).is_some_and(|c| c.is_ascii_digit()) => {
                self.bump();
                self.digits();
                TokenKind::Number
            }
            b'"' => return self.string(pos),
            b'\'' => return self.quoted(pos),
            b':' if self.peek(1) == Some(b':') && self.peek(2) == Some(b'=') => {
                self.bump_n(3);
                TokenKind::Assign
            }
            b'.' if self.peek(1) == Some(b'.') => {
                self.bump_n(2);
                TokenKind::Range
            }
            _ => {
                self.bump_char();
                single(b)
            }
        };
        Token {
            kind,
            text: self.text(start, self.at),
            pos,
        }
    }

    fn skip_blanks_and_comments(&mut self) {
        loop {
            let rest = self.rest();
            let blanks = rest
                .iter()
                .position(|&b| !(b.is_ascii_whitespace() || b == 0x0b))
                .unwrap_or(rest.len());
            self.advance_to(self.at + blanks);
            if self.peek(0) == Some(b'-') && self.peek(1) == Some(b'-') {
                self.bump_ascii(2);
                self.comment();
            } else {
                return;
            }
        }
    }

    /// Skips a comment's body: up to and including the next `--`, or up to the end of line.
    fn comment(&mut self) {
        let rest = self.rest();
        let mut end = 0;
        while let Some(offset) = rest
            .get(end..)
            .and_then(|tail| tail.iter().position(|&b| matches!(b, b'-' | b'\n' | b'\r')))
        {
            end += offset;
            if rest.get(end) == Some(&b'-') {
                if rest.get(end + 1) == Some(&b'-') {
                    // No line break in between: only the column moves.
                    self.advance_on_line(end);
                    self.bump_ascii(2);
                    return;
                }
                end += 1;
                continue;
            }
            self.advance_on_line(end);
            return;
        }
        self.advance_on_line(rest.len());
    }

    fn identifier(&mut self) {
        let rest = self.rest();
        let len = (0..rest.len())
            .find(|&i| {
                let b = rest.get(i).copied().unwrap_or(b' ');
                let continues = b.is_ascii_alphanumeric()
                    || b == b'_'
                    // `--` starts a comment even right after a name (`ifIndex--comment`).
                    || (b == b'-' && rest.get(i + 1) != Some(&b'-'));
                !continues
            })
            .unwrap_or(rest.len());
        self.bump_ascii(len);
    }

    fn digits(&mut self) {
        let rest = self.rest();
        let len = rest
            .iter()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(rest.len());
        self.bump_ascii(len);
    }

    /// The bytes not read yet.
    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.at..).unwrap_or_default()
    }

    /// Advances over `n` ASCII bytes that hold no line break.
    fn bump_ascii(&mut self, n: usize) {
        let n = n.min(self.rest().len());
        self.at += n;
        self.pos.column = self
            .pos
            .column
            .saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
    }

    /// Advances over `n` bytes that hold no line break (a comment's body): the column moves
    /// by the characters among them.
    fn advance_on_line(&mut self, n: usize) {
        let passed = self.rest().get(..n).unwrap_or_default();
        let chars = passed.iter().filter(|&&b| b & 0xc0 != 0x80).count();
        self.at += passed.len();
        self.pos.column = self
            .pos
            .column
            .saturating_add(u32::try_from(chars).unwrap_or(u32::MAX));
    }

    /// Advances to `end`, keeping line and column as [`Self::bump`] would byte by byte: a line
    /// ends at `\n` and at a `\r` not followed by `\n`; columns count characters.
    fn advance_to(&mut self, end: usize) {
        let bytes = self.bytes;
        let start = self.at;
        let Some(passed) = bytes.get(start..end) else {
            return;
        };
        let is_break = |i: usize| match passed.get(i) {
            Some(b'\n') => true,
            Some(b'\r') => bytes.get(start + i + 1) != Some(&b'\n'),
            _ => false,
        };
        let mut breaks = passed.iter().filter(|&&b| b == b'\n').count();
        if passed.contains(&b'\r') {
            breaks += (0..passed.len())
                .filter(|&i| passed.get(i) == Some(&b'\r') && is_break(i))
                .count();
        }
        let tail = match (0..passed.len()).rev().find(|&i| is_break(i)) {
            Some(last) => {
                self.pos.line = self
                    .pos
                    .line
                    .saturating_add(u32::try_from(breaks).unwrap_or(u32::MAX));
                self.pos.column = 1;
                passed.get(last + 1..).unwrap_or_default()
            }
            None => passed,
        };
        let chars = tail.iter().filter(|&&b| b & 0xc0 != 0x80).count();
        self.pos.column = self
            .pos
            .column
            .saturating_add(u32::try_from(chars).unwrap_or(u32::MAX));
        self.at = end;
    }

    fn string(&mut self, pos: Pos) -> Token<'a> {
        self.bump_ascii(1);
        let start = self.at;
        let rest = self.rest();
        let mut end = 0;
        loop {
            let Some(offset) = rest
                .get(end..)
                .and_then(|tail| tail.iter().position(|&b| b == b'"'))
            else {
                self.advance_to(start + rest.len());
                self.diagnostics.push(Diagnostic::new(
                    DiagnosticKind::UnterminatedString,
                    pos,
                    "string is not closed before the end of the file",
                ));
                return Token {
                    kind: TokenKind::String,
                    text: self.text(start, self.at),
                    pos,
                };
            };
            end += offset;
            // A doubled quote stands for one quote inside the string (X.680 §11.14).
            if rest.get(end + 1) == Some(&b'"') {
                end += 2;
                continue;
            }
            self.advance_to(start + end);
            self.bump_ascii(1);
            return Token {
                kind: TokenKind::String,
                text: self.text(start, start + end),
                pos,
            };
        }
    }

    /// `'0A'H` or `'1010'B`; a lone `'` with no closing quote on its line is an unknown token.
    fn quoted(&mut self, pos: Pos) -> Token<'a> {
        let rest = self.bytes.get(self.at + 1..).unwrap_or_default();
        let close = rest
            .iter()
            .position(|&b| b == b'\'' || b == b'\n' || b == b'\r')
            .filter(|&i| rest.get(i) == Some(&b'\''));
        let Some(len) = close else {
            let start = self.at;
            self.bump();
            return Token {
                kind: TokenKind::Unknown,
                text: self.text(start, self.at),
                pos,
            };
        };
        self.bump();
        let start = self.at;
        self.bump_n(len);
        let end = self.at;
        self.bump();
        let digits = self.text(start, end);
        let kind = match self.peek(0) {
            Some(b'H' | b'h') => {
                self.bump();
                TokenKind::HexString
            }
            Some(b'B' | b'b') => {
                self.bump();
                TokenKind::BinaryString
            }
            _ => {
                self.diagnostics.push(Diagnostic::new(
                    DiagnosticKind::InvalidQuotedString,
                    pos,
                    format!("'{digits}' has no H or B suffix; read as hexadecimal"),
                ));
                TokenKind::HexString
            }
        };
        self.check_quoted_digits(kind, digits, pos);
        Token {
            kind,
            text: digits,
            pos,
        }
    }

    fn check_quoted_digits(&mut self, kind: TokenKind, digits: &str, pos: Pos) {
        let valid = match kind {
            TokenKind::BinaryString => digits.bytes().all(|b| b == b'0' || b == b'1'),
            _ => digits.bytes().all(|b| b.is_ascii_hexdigit()),
        };
        if !valid {
            self.diagnostics.push(Diagnostic::new(
                DiagnosticKind::InvalidQuotedString,
                pos,
                format!("'{digits}' has characters that are not digits of its base"),
            ));
        } else if kind == TokenKind::HexString && digits.len() % 2 == 1 {
            self.diagnostics.push(Diagnostic::new(
                DiagnosticKind::OddHexString,
                pos,
                format!(
                    "hexadecimal string '{digits}'H has {} digits, not a whole number of octets",
                    digits.len()
                ),
            ));
        }
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.at + ahead).copied()
    }

    /// Advances one byte, keeping line and column (columns count characters, not bytes).
    fn bump(&mut self) {
        let Some(&b) = self.bytes.get(self.at) else {
            return;
        };
        self.at += 1;
        let lone_cr = b == b'\r' && self.peek(0) != Some(b'\n');
        if b == b'\n' || lone_cr {
            self.pos.line = self.pos.line.saturating_add(1);
            self.pos.column = 1;
        } else if b & 0xc0 != 0x80 {
            self.pos.column = self.pos.column.saturating_add(1);
        }
    }

    fn bump_n(&mut self, n: usize) {
        for _ in 0..n {
            self.bump();
        }
    }

    /// Advances over one whole UTF-8 character.
    fn bump_char(&mut self) {
        self.bump();
        while self.peek(0).is_some_and(|b| b & 0xc0 == 0x80) {
            self.bump();
        }
    }

    fn text(&self, start: usize, end: usize) -> &'a str {
        // Token boundaries always fall on ASCII bytes or whole characters, so `get` succeeds;
        // the empty fallback keeps a mistake here from ever panicking.
        self.src.get(start..end).unwrap_or_default()
    }
}

fn single(b: u8) -> TokenKind {
    match b {
        b'{' => TokenKind::LeftBrace,
        b'}' => TokenKind::RightBrace,
        b'(' => TokenKind::LeftParen,
        b')' => TokenKind::RightParen,
        b'[' => TokenKind::LeftBracket,
        b']' => TokenKind::RightBracket,
        b',' => TokenKind::Comma,
        b';' => TokenKind::Semicolon,
        b'|' => TokenKind::Pipe,
        b':' => TokenKind::Colon,
        b'.' => TokenKind::Dot,
        b'-' => TokenKind::Minus,
        b'<' => TokenKind::Less,
        b'>' => TokenKind::Greater,
        _ => TokenKind::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(TokenKind, &str)> {
        tokenize(src)
            .0
            .into_iter()
            .map(|t| (t.kind, t.text))
            .collect()
    }

    /// Line and column of byte `offset`, counted byte by byte: the rule the lexer's bulk
    /// advances must keep.
    fn reference_pos(src: &str, offset: usize) -> Pos {
        let bytes = src.as_bytes();
        let mut pos = Pos { line: 1, column: 1 };
        for (i, &b) in bytes.iter().enumerate().take(offset) {
            let lone_cr = b == b'\r' && bytes.get(i + 1) != Some(&b'\n');
            if b == b'\n' || lone_cr {
                pos.line += 1;
                pos.column = 1;
            } else if b & 0xc0 != 0x80 {
                pos.column += 1;
            }
        }
        pos
    }

    #[test]
    fn positions_follow_lines_and_characters() {
        let src = "a -- é comment -- b\r\nc \"multi\r\nline é\rstring\" d\r-- to the end\n\
                   \u{b}e 'ff'H -1 f--g\n  \"doubled \"\" quote\" h -- - not closed\r\nz";
        let (tokens, _) = tokenize(src);
        for token in &tokens {
            let start = || token.text.as_ptr() as usize - src.as_ptr() as usize;
            let offset = match token.kind {
                TokenKind::String | TokenKind::HexString | TokenKind::BinaryString => start() - 1,
                TokenKind::Eof => src.len(),
                _ => start(),
            };
            assert_eq!(token.pos, reference_pos(src, offset), "{token:?}");
        }
        let texts: Vec<&str> = tokens.iter().map(|t| t.text).collect();
        assert_eq!(
            texts,
            [
                "a",
                "b",
                "c",
                "multi\r\nline é\rstring",
                "d",
                "e",
                "ff",
                "-1",
                "f",
                "doubled \"\" quote",
                "h",
                "z",
                ""
            ]
        );
    }

    #[test]
    fn assignment_of_an_oid_value() {
        use TokenKind::*;
        assert_eq!(
            kinds("ifMIB OBJECT IDENTIFIER ::= { mib-2 31 }"),
            vec![
                (Identifier, "ifMIB"),
                (Identifier, "OBJECT"),
                (Identifier, "IDENTIFIER"),
                (Assign, "::="),
                (LeftBrace, "{"),
                (Identifier, "mib-2"),
                (Number, "31"),
                (RightBrace, "}"),
                (Eof, ""),
            ]
        );
    }

    #[test]
    fn ranges_and_negative_numbers() {
        use TokenKind::*;
        assert_eq!(
            kinds("(-2147483648..-1 | 0..255)"),
            vec![
                (LeftParen, "("),
                (Number, "-2147483648"),
                (Range, ".."),
                (Number, "-1"),
                (Pipe, "|"),
                (Number, "0"),
                (Range, ".."),
                (Number, "255"),
                (RightParen, ")"),
                (Eof, ""),
            ]
        );
    }

    #[test]
    fn comments_end_at_double_hyphen_or_line_end() {
        use TokenKind::*;
        assert_eq!(
            kinds("a -- one -- b -- two\nc ---\nd\n-- e"),
            vec![
                (Identifier, "a"),
                (Identifier, "b"),
                (Identifier, "c"),
                (Identifier, "d"),
                (Eof, ""),
            ]
        );
    }

    #[test]
    fn comment_right_after_a_name() {
        use TokenKind::*;
        assert_eq!(
            kinds("ifIndex--the index\nx"),
            vec![(Identifier, "ifIndex"), (Identifier, "x"), (Eof, "")]
        );
    }

    #[test]
    fn vendor_names_with_underscores_and_trailing_hyphens() {
        use TokenKind::*;
        assert_eq!(
            kinds("rad_port s5735-L8T4X- x"),
            vec![
                (Identifier, "rad_port"),
                (Identifier, "s5735-L8T4X-"),
                (Identifier, "x"),
                (Eof, "")
            ]
        );
    }

    #[test]
    fn strings_span_lines_and_keep_positions() {
        let (tokens, diags) = tokenize("DESCRIPTION \"two\nlines \"\"q\"\"\" x");
        assert!(diags.is_empty());
        assert_eq!(tokens[1].kind, TokenKind::String);
        assert_eq!(tokens[1].text, "two\nlines \"\"q\"\"");
        assert_eq!(
            tokens[1].pos,
            Pos {
                line: 1,
                column: 13
            }
        );
        assert_eq!(tokens[2].text, "x");
        assert_eq!(
            tokens[2].pos,
            Pos {
                line: 2,
                column: 14
            }
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let (tokens, _) = tokenize("\"é\" x");
        assert_eq!(tokens[1].pos, Pos { line: 1, column: 5 });
    }

    #[test]
    fn carriage_returns_end_lines() {
        let (tokens, _) = tokenize("a\r\nb\rc");
        let lines: Vec<u32> = tokens.iter().map(|t| t.pos.line).collect();
        assert_eq!(lines, vec![1, 2, 3, 3]);
    }

    #[test]
    fn hex_and_binary_strings() {
        let (tokens, diags) = tokenize("'0aFF'H '1010'b");
        assert!(diags.is_empty());
        assert_eq!(
            (tokens[0].kind, tokens[0].text),
            (TokenKind::HexString, "0aFF")
        );
        assert_eq!(
            (tokens[1].kind, tokens[1].text),
            (TokenKind::BinaryString, "1010")
        );
    }

    #[test]
    fn odd_hex_string_is_a_warning_with_its_position() {
        let (tokens, diags) = tokenize("\n  DEFVAL { 'FFF'H }");
        assert_eq!(tokens[2].kind, TokenKind::HexString);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].kind, DiagnosticKind::OddHexString);
        assert_eq!((diags[0].line, diags[0].column), (2, 12));
    }

    #[test]
    fn bad_quoted_strings_are_reported() {
        let (_, diags) = tokenize("'12'X '1G'H '102'B");
        let found: Vec<DiagnosticKind> = diags.iter().map(|d| d.kind).collect();
        assert_eq!(found, vec![DiagnosticKind::InvalidQuotedString; 3]);
    }

    #[test]
    fn lone_apostrophe_is_an_unknown_token() {
        let (tokens, _) = tokenize("it's\nx");
        assert_eq!(tokens[1].kind, TokenKind::Unknown);
        assert_eq!(tokens[2].text, "s");
    }

    #[test]
    fn unterminated_string_is_an_error() {
        let (tokens, diags) = tokenize("x \"never closed");
        assert_eq!(tokens[1].kind, TokenKind::String);
        assert_eq!(diags[0].kind, DiagnosticKind::UnterminatedString);
        assert_eq!(diags[0].column, 3);
    }

    #[test]
    fn unknown_characters_become_tokens() {
        use TokenKind::*;
        assert_eq!(
            kinds("a € @ - b"),
            vec![
                (Identifier, "a"),
                (Unknown, "€"),
                (Unknown, "@"),
                (Minus, "-"),
                (Identifier, "b"),
                (Eof, "")
            ]
        );
    }

    #[test]
    fn never_panics_on_arbitrary_bytes() {
        let mut state = 0x1234_5678_u32;
        for len in 0..400 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    (state >> 16).to_le_bytes()[0]
                })
                .collect();
            let text = decode(&bytes);
            let (tokens, _) = tokenize(&text);
            assert_eq!(tokens.last().map(|t| t.kind), Some(TokenKind::Eof));
        }
        for src in ["'", "\"", "-", "--", "::", "..", "'1'", "'\n'H", "\u{fffd}"] {
            let (tokens, _) = tokenize(src);
            assert_eq!(tokens.last().map(|t| t.kind), Some(TokenKind::Eof));
        }
    }
}
