//! Types and values: SYNTAX and type assignments (RFC 2578 §7.1, §9; RFC 1155 §3.2),
//! subtype constraints, enumerations, OBJECT IDENTIFIER values and DEFVAL.

use crate::diagnostic::{DiagnosticKind, Pos};
use crate::lexer::{Token, TokenKind};

use super::ast::{
    Constraint, DefVal, Ident, NamedNumber, OidComponent, OidValue, Range, Syntax, SyntaxKind,
};
use super::{Fail, PResult, Parser, ident};

impl Parser<'_> {
    /// A type, with its constraint; nesting deeper than [`MAX_DEPTH`] is refused.
    pub(super) fn syntax(&mut self) -> PResult<Syntax> {
        if self.depth >= MAX_DEPTH {
            let pos = self.peek().pos;
            self.report(
                DiagnosticKind::NestingTooDeep,
                pos,
                format!("types nested more than {MAX_DEPTH} deep"),
            );
            return Err(Fail);
        }
        self.depth += 1;
        let syntax = self.syntax_inner();
        self.depth -= 1;
        syntax
    }

    fn syntax_inner(&mut self) -> PResult<Syntax> {
        let token = self.peek();
        let pos = token.pos;
        let kind = match (token.kind, token.text) {
            (TokenKind::LeftBracket, _) => self.tagged()?,
            (TokenKind::Identifier, "INTEGER") => {
                self.bump();
                SyntaxKind::Integer {
                    enums: self.named_numbers_if_any()?,
                    constraint: self.constraint_if_any()?,
                }
            }
            (TokenKind::Identifier, "OCTET") => {
                self.bump();
                self.expect_word("STRING")?;
                SyntaxKind::OctetString(self.constraint_if_any()?)
            }
            (TokenKind::Identifier, "OBJECT") => {
                self.bump();
                self.expect_word("IDENTIFIER")?;
                SyntaxKind::ObjectIdentifier
            }
            (TokenKind::Identifier, "BITS") => {
                self.bump();
                SyntaxKind::Bits(self.named_numbers_if_any()?)
            }
            (TokenKind::Identifier, "SEQUENCE") => {
                self.bump();
                if self.eat_word("OF") {
                    SyntaxKind::SequenceOf(ident(self.expect_ident("the entry type")?))
                } else {
                    SyntaxKind::Sequence(self.fields()?)
                }
            }
            (TokenKind::Identifier, "CHOICE") => {
                self.bump();
                SyntaxKind::Choice(self.fields()?)
            }
            (TokenKind::Identifier, "NULL") => {
                self.bump();
                SyntaxKind::Null
            }
            (TokenKind::Identifier, _) => {
                self.bump();
                SyntaxKind::Named {
                    name: ident(token),
                    enums: self.named_numbers_if_any()?,
                    constraint: self.constraint_if_any()?,
                }
            }
            _ => return Err(self.unexpected("a type")),
        };
        Ok(Syntax { kind, pos })
    }

    /// `[APPLICATION n] IMPLICIT Type`, as the SMI modules define their application types.
    fn tagged(&mut self) -> PResult<SyntaxKind> {
        self.bump();
        if self.peek().kind == TokenKind::Identifier {
            self.bump(); // APPLICATION, UNIVERSAL, PRIVATE
        }
        let token = self.expect(TokenKind::Number, "a tag number")?;
        let number = self.u32_of(token)?;
        self.expect(TokenKind::RightBracket, "`]`")?;
        if !self.eat_word("IMPLICIT") {
            self.eat_word("EXPLICIT");
        }
        let inner = self.syntax()?;
        Ok(SyntaxKind::Tagged {
            number,
            inner: Box::new(inner),
        })
    }

    /// `{ name Type, … }` of SEQUENCE and CHOICE; a trailing comma is tolerated.
    fn fields(&mut self) -> PResult<Vec<(Ident, Syntax)>> {
        self.expect(TokenKind::LeftBrace, "`{`")?;
        let mut fields = Vec::new();
        loop {
            if self.eat(TokenKind::RightBrace) {
                return Ok(fields);
            }
            if self.eat(TokenKind::Comma) {
                continue;
            }
            let name = ident(self.expect_ident("a field name")?);
            let syntax = self.syntax()?;
            fields.push((name, syntax));
        }
    }

    fn named_numbers_if_any(&mut self) -> PResult<Vec<NamedNumber>> {
        if self.peek().kind != TokenKind::LeftBrace {
            return Ok(Vec::new());
        }
        self.bump();
        let mut list = Vec::new();
        loop {
            if self.eat(TokenKind::RightBrace) {
                return Ok(list);
            }
            if self.eat(TokenKind::Comma) {
                continue;
            }
            let name = self.expect_ident("a label")?;
            self.expect(TokenKind::LeftParen, "`(`")?;
            let number = self.expect(TokenKind::Number, "a number")?;
            let value = self.i128_of(number)?;
            let Ok(value) = i64::try_from(value) else {
                self.report(
                    DiagnosticKind::NumberOutOfRange,
                    number.pos,
                    format!("{} does not fit in 64 bits", number.text),
                );
                return Err(Fail);
            };
            self.expect(TokenKind::RightParen, "`)`")?;
            list.push(NamedNumber {
                name: name.text.to_owned(),
                value,
            });
        }
    }

    fn constraint_if_any(&mut self) -> PResult<Option<Constraint>> {
        if self.peek().kind != TokenKind::LeftParen {
            return Ok(None);
        }
        self.bump();
        let constraint = if self.eat_word("SIZE") {
            self.expect(TokenKind::LeftParen, "`(`")?;
            let ranges = self.ranges()?;
            self.expect(TokenKind::RightParen, "`)`")?;
            Constraint::Size(ranges)
        } else {
            Constraint::Range(self.ranges()?)
        };
        self.expect(TokenKind::RightParen, "`)`")?;
        Ok(Some(constraint))
    }

    /// `a..b | c | …`
    fn ranges(&mut self) -> PResult<Vec<Range>> {
        let mut ranges = Vec::new();
        loop {
            let low = self.bound()?;
            let high = if self.eat(TokenKind::Range) {
                self.bound()?
            } else {
                low
            };
            ranges.push(Range { low, high });
            if !self.eat(TokenKind::Pipe) {
                return Ok(ranges);
            }
        }
    }

    fn bound(&mut self) -> PResult<i128> {
        let token = self.peek();
        let value = match (token.kind, token.text) {
            (TokenKind::Number, _) => self.i128_of(token)?,
            (TokenKind::HexString, digits) => self.radix_of(token, digits, 16)?,
            (TokenKind::BinaryString, digits) => self.radix_of(token, digits, 2)?,
            (TokenKind::Identifier, "MIN") => i128::MIN,
            (TokenKind::Identifier, "MAX") => i128::MAX,
            _ => return Err(self.unexpected("a number, MIN or MAX")),
        };
        self.bump();
        Ok(value)
    }

    /// `{ parent 1 }`, `{ iso org(3) dod(6) 1 }`.
    pub(super) fn oid_value(&mut self) -> PResult<OidValue> {
        let open = self.expect(TokenKind::LeftBrace, "`{` and an OID value")?;
        let mut components = Vec::new();
        loop {
            let token = self.peek();
            match token.kind {
                TokenKind::RightBrace => {
                    self.bump();
                    break;
                }
                TokenKind::Number => {
                    self.bump();
                    components.push(OidComponent::Number(self.u32_of(token)?));
                }
                TokenKind::Identifier => {
                    self.bump();
                    // `SNMPv2-SMI.enterprises`: the module qualifier is redundant here.
                    let name = if self.peek().kind == TokenKind::Dot
                        && self.nth(1).kind == TokenKind::Identifier
                    {
                        self.bump();
                        self.bump()
                    } else {
                        token
                    };
                    if self.eat(TokenKind::LeftParen) {
                        let number = self.expect(TokenKind::Number, "a number")?;
                        let arc = self.u32_of(number)?;
                        self.expect(TokenKind::RightParen, "`)`")?;
                        components.push(OidComponent::NamedNumber(ident(name), arc));
                    } else {
                        components.push(OidComponent::Name(ident(name)));
                    }
                }
                _ => return Err(self.unexpected("an OID component or `}`")),
            }
        }
        if components.is_empty() {
            self.report(
                DiagnosticKind::UnexpectedToken,
                open.pos,
                "empty OBJECT IDENTIFIER value",
            );
            return Err(Fail);
        }
        Ok(OidValue {
            components,
            pos: open.pos,
        })
    }

    /// `DEFVAL { value }` (RFC 2578 §7.9).
    pub(super) fn defval(&mut self) -> PResult<(DefVal, Pos)> {
        let open = self.expect(TokenKind::LeftBrace, "`{`")?;
        let token = self.peek();
        let value = match token.kind {
            TokenKind::Number => {
                self.bump();
                DefVal::Integer(self.i128_of(token)?)
            }
            TokenKind::String => {
                self.bump();
                DefVal::String(token.text.replace("\"\"", "\""))
            }
            TokenKind::HexString => {
                self.bump();
                DefVal::Hex(token.text.to_owned())
            }
            TokenKind::BinaryString => {
                self.bump();
                DefVal::Binary(token.text.to_owned())
            }
            TokenKind::Identifier => {
                self.bump();
                DefVal::Name(token.text.to_owned())
            }
            TokenKind::LeftBrace => self.braced_defval(),
            _ => DefVal::Other,
        };
        if self.eat(TokenKind::RightBrace) {
            return Ok((value, open.pos));
        }
        // Anything else inside (an OID written as `1.3.6`, say) is kept unparsed.
        self.skip_to_close()?;
        Ok((DefVal::Other, open.pos))
    }

    /// `{ a, b }` is a BITS value; `{ 0 0 }` and the like are OID values, kept unparsed.
    fn braced_defval(&mut self) -> DefVal {
        let start = self.at;
        self.bump();
        let mut labels = Vec::new();
        loop {
            let token = self.peek();
            match token.kind {
                TokenKind::RightBrace => {
                    self.bump();
                    return DefVal::Bits(labels);
                }
                TokenKind::Comma => {
                    self.bump();
                }
                TokenKind::Identifier if self.nth(1).kind != TokenKind::LeftParen => {
                    self.bump();
                    labels.push(token.text.to_owned());
                }
                _ => {
                    self.at = start;
                    self.skip_balanced();
                    return DefVal::Other;
                }
            }
        }
    }

    /// Skips to just past the `}` closing the group the parser is in.
    fn skip_to_close(&mut self) -> PResult<()> {
        let mut depth = 1_usize;
        loop {
            let token = self.bump();
            match token.kind {
                TokenKind::LeftBrace => depth += 1,
                TokenKind::RightBrace => depth -= 1,
                TokenKind::Eof => return Err(self.unexpected("`}`")),
                _ => {}
            }
            if depth == 0 {
                return Ok(());
            }
        }
    }

    fn i128_of(&mut self, token: Token<'_>) -> PResult<i128> {
        if let Ok(value) = token.text.parse::<i128>() {
            return Ok(value);
        }
        self.report(
            DiagnosticKind::NumberOutOfRange,
            token.pos,
            format!("{} is too large", token.text),
        );
        Err(Fail)
    }

    fn u32_of(&mut self, token: Token<'_>) -> PResult<u32> {
        if let Ok(value) = token.text.parse::<u32>() {
            return Ok(value);
        }
        self.report(
            DiagnosticKind::NumberOutOfRange,
            token.pos,
            format!("{} is not in 0..4294967295", token.text),
        );
        Err(Fail)
    }

    fn radix_of(&mut self, token: Token<'_>, digits: &str, radix: u32) -> PResult<i128> {
        if digits.is_empty() {
            return Ok(0);
        }
        if let Ok(value) = i128::from_str_radix(digits, radix) {
            return Ok(value);
        }
        self.report(
            DiagnosticKind::NumberOutOfRange,
            token.pos,
            format!("'{digits}' is not a usable bound"),
        );
        Err(Fail)
    }
}

/// How deep types may nest (`SEQUENCE { a CHOICE { b [APPLICATION 1] … } }`); real modules
/// stay under 5.
pub(crate) const MAX_DEPTH: u32 = 32;
