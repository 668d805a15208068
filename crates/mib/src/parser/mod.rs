//! The parser: SMIv1 and SMIv2 modules (RFC 1155, 1212, 1215; RFC 2578, 2579, 2580) into
//! the syntax tree of [`ast`].
//!
//! It is a recursive-descent parser over the token list, with two safety rails: nesting is
//! bounded (hostile input cannot overflow the stack), and after an error it resumes at the
//! next top-level assignment, so one bad definition does not lose the module. MACRO
//! definitions (in SNMPv2-SMI, RFC-1212 and the like) are skipped.

pub mod ast;
mod clauses;
mod syntax;
#[cfg(test)]
mod tests;

use core::mem;

use crate::diagnostic::{Diagnostic, DiagnosticKind, Pos};
use crate::lexer::{Token, TokenKind, tokenize};

use self::ast::{Body, Definition, Ident, Import, Module, SmiVersion};
pub(crate) use self::syntax::MAX_DEPTH;

/// Parses a whole file, which may hold several modules.
pub fn parse(src: &str) -> ParsedFile {
    parse_with(src, true)
}

/// [`parse`], keeping each definition's DESCRIPTION only when `descriptions` is set: the
/// text is most of a MIB file, and only a full description report (`-Td`) prints it.
pub(crate) fn parse_with(src: &str, descriptions: bool) -> ParsedFile {
    let (tokens, lexical) = tokenize(src);
    let mut parser = Parser::new(tokens);
    parser.keep_descriptions = descriptions;
    let mut modules = Vec::new();
    let mut spans = Vec::new();
    let mut outside = Vec::new();
    let mut reported_junk = false;
    while parser.peek().kind != TokenKind::Eof {
        if !parser.at_module_header() {
            // Text outside any module: report the first token of each stretch only.
            if !reported_junk {
                outside.push(parser.unexpected_diagnostic("a module definition"));
                reported_junk = true;
            }
            parser.bump();
            continue;
        }
        reported_junk = false;
        let start = parser.peek().pos;
        let module = parser.module();
        spans.push((start, parser.last_pos()));
        modules.push(module);
    }
    if modules.is_empty() {
        outside.push(Diagnostic::new(
            DiagnosticKind::NoModule,
            Pos { line: 1, column: 1 },
            "no `NAME DEFINITIONS ::= BEGIN` module definition found",
        ));
    }
    for diagnostic in lexical {
        let pos = Pos {
            line: diagnostic.line,
            column: diagnostic.column,
        };
        let owner = spans
            .iter()
            .position(|&(start, end)| start <= pos && pos <= end)
            .and_then(|i| modules.get_mut(i));
        match owner {
            Some(module) => module.diagnostics.push(diagnostic),
            None => outside.push(diagnostic),
        }
    }
    for module in &mut modules {
        module
            .diagnostics
            .sort_by_key(|d| (d.line, d.column, d.kind.code()));
        for diagnostic in &mut module.diagnostics {
            diagnostic.module.clone_from(&module.name);
        }
    }
    ParsedFile {
        modules,
        diagnostics: outside,
    }
}

/// The result of parsing one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFile {
    /// The modules, in file order; each carries its own diagnostics.
    pub modules: Vec<Module>,
    /// Problems outside any module (text before the first one, a file with none).
    pub diagnostics: Vec<Diagnostic>,
}

/// Marks a parse failure whose diagnostic is already recorded.
#[derive(Debug)]
struct Fail;

type PResult<T> = Result<T, Fail>;

struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    at: usize,
    eof: Token<'a>,
    diagnostics: Vec<Diagnostic>,
    depth: u32,
    /// The DESCRIPTION of the definition being read, if it had one yet.
    description: Option<String>,
    /// Whether DESCRIPTION texts are kept.
    keep_descriptions: bool,
}

impl<'a> Parser<'a> {
    fn new(tokens: Vec<Token<'a>>) -> Self {
        let eof = tokens.last().copied().unwrap_or(Token {
            kind: TokenKind::Eof,
            text: "",
            pos: Pos { line: 1, column: 1 },
        });
        Self {
            tokens,
            at: 0,
            eof,
            diagnostics: Vec::new(),
            depth: 0,
            description: None,
            keep_descriptions: true,
        }
    }

    /// `NAME [{ oid }] DEFINITIONS … ::= BEGIN body END`.
    fn module(&mut self) -> Module {
        let name = self.bump();
        if self.peek().kind == TokenKind::LeftBrace {
            self.skip_balanced();
        }
        self.bump(); // DEFINITIONS, checked by `at_module_header`
        // `IMPLICIT TAGS` and the like may sit between DEFINITIONS and `::=`.
        for _ in 0..3 {
            if self.peek().kind == TokenKind::Identifier && !self.is_word(0, "BEGIN") {
                self.bump();
            }
        }
        if !self.eat(TokenKind::Assign) {
            let d = self.unexpected_diagnostic("`::=` after DEFINITIONS");
            self.diagnostics.push(d);
        }
        if !self.eat_word("BEGIN") {
            let d = self.unexpected_diagnostic("BEGIN");
            self.diagnostics.push(d);
        }
        let mut module = Module {
            name: name.text.to_owned(),
            pos: name.pos,
            version: SmiVersion::V1,
            imports: Vec::new(),
            definitions: Vec::new(),
            diagnostics: Vec::new(),
        };
        if self.eat_word("EXPORTS") {
            self.skip_past(TokenKind::Semicolon);
        }
        if self.is_word(0, "IMPORTS") {
            module.imports = self.imports();
        }
        self.body(&mut module);
        module.version = version(&module);
        self.check_module(&module);
        module.diagnostics = mem::take(&mut self.diagnostics);
        module
    }

    fn body(&mut self, module: &mut Module) {
        loop {
            let token = self.peek();
            if token.kind == TokenKind::Eof || self.at_module_header() {
                self.report(
                    DiagnosticKind::MissingEnd,
                    token.pos,
                    format!("module {} has no END", module.name),
                );
                return;
            }
            if self.eat_word("END") {
                return;
            }
            let start = self.at;
            match self.assignment() {
                Ok(definition) => {
                    self.check_name(&definition);
                    module.definitions.push(definition);
                }
                Err(Fail) => self.recover(start),
            }
        }
    }

    /// `sym, sym FROM MODULE … ;`
    fn imports(&mut self) -> Vec<Import> {
        self.bump();
        let mut imports = Vec::new();
        let mut symbols = Vec::new();
        loop {
            let token = self.peek();
            match token.kind {
                TokenKind::Semicolon => {
                    self.bump();
                    break;
                }
                TokenKind::Comma => {
                    self.bump();
                }
                TokenKind::Identifier if token.text == "FROM" => {
                    self.bump();
                    let Ok(from) = self.expect_ident("a module name after FROM") else {
                        self.skip_past(TokenKind::Semicolon);
                        break;
                    };
                    if self.peek().kind == TokenKind::LeftBrace {
                        self.skip_balanced();
                    }
                    imports.push(Import {
                        module: from.text.to_owned(),
                        pos: from.pos,
                        symbols: mem::take(&mut symbols),
                    });
                    // A forgotten `;`: the next tokens already start a definition.
                    let next_is_list =
                        self.nth(2).kind == TokenKind::Comma || self.is_word(2, "FROM");
                    if self.starts_assignment(0) && !next_is_list {
                        let d = self.unexpected_diagnostic("`;` at the end of IMPORTS");
                        self.diagnostics.push(d);
                        break;
                    }
                }
                TokenKind::Identifier => {
                    symbols.push(ident(self.bump()));
                }
                _ => {
                    let d = self.unexpected_diagnostic("an imported symbol, FROM or `;`");
                    self.diagnostics.push(d);
                    self.skip_past(TokenKind::Semicolon);
                    break;
                }
            }
        }
        if let Some(first) = symbols.first() {
            self.report(
                DiagnosticKind::UnexpectedToken,
                first.pos,
                format!("imported symbol `{}` has no FROM clause", first.name),
            );
        }
        imports
    }

    /// One top-level assignment, dispatched on the token after the name.
    fn assignment(&mut self) -> PResult<Definition> {
        let name = self.peek();
        if name.kind != TokenKind::Identifier {
            return Err(self.unexpected("a definition"));
        }
        self.bump();
        self.description = None;
        let next = self.peek();
        let body = match (next.kind, next.text) {
            (TokenKind::Assign, _) => {
                self.bump();
                if self.eat_word("TEXTUAL-CONVENTION") {
                    self.textual_convention()?
                } else {
                    Body::Type(self.syntax()?)
                }
            }
            (TokenKind::Identifier, "MACRO") => {
                self.skip_macro()?;
                Body::Macro
            }
            (TokenKind::Identifier, "OBJECT") if self.is_word(1, "IDENTIFIER") => {
                self.bump_n(2);
                self.expect(TokenKind::Assign, "`::=`")?;
                Body::OidValue(self.oid_value()?)
            }
            (TokenKind::Identifier, word) if MACROS.contains(&word) => {
                self.bump();
                self.macro_value(word)?
            }
            _ => {
                self.syntax()?;
                self.skip_value()?;
                Body::OtherValue
            }
        };
        Ok(Definition {
            name: name.text.to_owned(),
            pos: name.pos,
            body,
            description: self.description.take(),
        })
    }

    /// The `::= value` of a value assignment whose value the compiler does not use.
    fn skip_value(&mut self) -> PResult<()> {
        self.expect(TokenKind::Assign, "`::=`")?;
        if self.peek().kind == TokenKind::LeftBrace {
            self.skip_balanced();
        } else {
            self.bump();
        }
        Ok(())
    }

    /// `NAME MACRO ::= BEGIN … END`: skipped up to its END.
    fn skip_macro(&mut self) -> PResult<()> {
        let start = self.peek().pos;
        while !self.eat_word("END") {
            if self.bump().kind == TokenKind::Eof {
                self.report(
                    DiagnosticKind::MissingEnd,
                    start,
                    "MACRO definition has no END",
                );
                return Err(Fail);
            }
        }
        Ok(())
    }

    /// After an error: skip to the next top-level assignment, END, or the end of the file.
    fn recover(&mut self, start: usize) {
        if self.at == start {
            self.bump();
        }
        loop {
            let token = self.peek();
            if token.kind == TokenKind::Eof
                || self.is_word(0, "END")
                || self.starts_assignment(0)
                || self.at_module_header()
            {
                return;
            }
            self.bump();
        }
    }

    /// True when the tokens from `n` look like the start of a top-level assignment.
    fn starts_assignment(&self, n: usize) -> bool {
        let token = self.nth(n);
        if token.kind != TokenKind::Identifier
            || CLAUSES.contains(&token.text)
            || ast::Status::from_keyword(token.text).is_some()
            || token.text == "END"
        {
            return false;
        }
        let next = self.nth(n + 1);
        match next.kind {
            // `Name ::=` is a type assignment; a lower-case word before `::=` is more likely
            // the tail of a broken clause (`DESCRIPTION "x" junk ::= { … }`).
            TokenKind::Assign => token.text.starts_with(|c: char| c.is_ascii_uppercase()),
            TokenKind::Identifier if next.text == "MACRO" => true,
            TokenKind::Identifier if next.text == "OBJECT" => {
                self.is_word(n + 2, "IDENTIFIER") && self.nth(n + 3).kind == TokenKind::Assign
            }
            TokenKind::Identifier => MACROS.contains(&next.text),
            _ => false,
        }
    }

    fn at_module_header(&self) -> bool {
        if self.peek().kind != TokenKind::Identifier {
            return false;
        }
        if self.is_word(1, "DEFINITIONS") {
            return true;
        }
        if self.nth(1).kind != TokenKind::LeftBrace {
            return false;
        }
        // `NAME { iso … } DEFINITIONS`: look past a short OID value.
        (2..40)
            .find(|&n| matches!(self.nth(n).kind, TokenKind::RightBrace | TokenKind::Eof))
            .is_some_and(|n| self.is_word(n + 1, "DEFINITIONS"))
    }

    fn check_name(&mut self, definition: &Definition) {
        let is_type = matches!(definition.body, Body::Type(_) | Body::TextualConvention(_));
        let name = definition.name.as_str();
        let Some(first) = name.chars().next() else {
            return;
        };
        if matches!(definition.body, Body::Macro | Body::OtherValue) {
            return;
        }
        if is_type && !first.is_ascii_uppercase() {
            self.report(
                DiagnosticKind::NameCase,
                definition.pos,
                format!("type name `{name}` should start with an upper-case letter"),
            );
        } else if !is_type && !first.is_ascii_lowercase() {
            self.report(
                DiagnosticKind::NameCase,
                definition.pos,
                format!("`{name}` should start with a lower-case letter"),
            );
        }
        if name.contains('_') || name.ends_with('-') {
            self.report(
                DiagnosticKind::NameCharacters,
                definition.pos,
                format!("`{name}` has an underscore or a trailing hyphen (RFC 2578 §3.1)"),
            );
        }
    }

    // Token helpers.

    fn peek(&self) -> Token<'a> {
        self.nth(0)
    }

    fn nth(&self, n: usize) -> Token<'a> {
        self.tokens.get(self.at + n).copied().unwrap_or(self.eof)
    }

    fn last_pos(&self) -> Pos {
        self.tokens
            .get(self.at.saturating_sub(1))
            .map_or(self.eof.pos, |t| t.pos)
    }

    fn bump(&mut self) -> Token<'a> {
        let token = self.peek();
        if token.kind != TokenKind::Eof {
            self.at += 1;
        }
        token
    }

    fn bump_n(&mut self, n: usize) {
        for _ in 0..n {
            self.bump();
        }
    }

    fn is_word(&self, n: usize, word: &str) -> bool {
        let token = self.nth(n);
        token.kind == TokenKind::Identifier && token.text == word
    }

    fn eat_word(&mut self, word: &str) -> bool {
        let found = self.is_word(0, word);
        if found {
            self.bump();
        }
        found
    }

    fn eat(&mut self, kind: TokenKind) -> bool {
        let found = self.peek().kind == kind;
        if found {
            self.bump();
        }
        found
    }

    fn expect(&mut self, kind: TokenKind, what: &str) -> PResult<Token<'a>> {
        if self.peek().kind == kind {
            return Ok(self.bump());
        }
        Err(self.unexpected(what))
    }

    fn expect_word(&mut self, word: &str) -> PResult<Pos> {
        if self.is_word(0, word) {
            return Ok(self.bump().pos);
        }
        Err(self.unexpected(word))
    }

    fn expect_ident(&mut self, what: &str) -> PResult<Token<'a>> {
        self.expect(TokenKind::Identifier, what)
    }

    /// Skips a `{ … }` or `( … )` group, nested ones included, starting on its opening token.
    fn skip_balanced(&mut self) {
        let (open, close) = match self.peek().kind {
            TokenKind::LeftParen => (TokenKind::LeftParen, TokenKind::RightParen),
            _ => (TokenKind::LeftBrace, TokenKind::RightBrace),
        };
        let mut depth = 0_usize;
        loop {
            let token = self.bump();
            if token.kind == open {
                depth += 1;
            } else if token.kind == close {
                depth = depth.saturating_sub(1);
            }
            if depth == 0 || token.kind == TokenKind::Eof {
                return;
            }
        }
    }

    fn skip_past(&mut self, kind: TokenKind) {
        loop {
            let token = self.bump();
            if token.kind == kind || token.kind == TokenKind::Eof {
                return;
            }
        }
    }

    fn report(&mut self, kind: DiagnosticKind, pos: Pos, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::new(kind, pos, message));
    }

    fn unexpected_diagnostic(&self, expected: &str) -> Diagnostic {
        let token = self.peek();
        let found = match token.kind {
            TokenKind::Eof => "the end of the file".to_owned(),
            TokenKind::String => "a string".to_owned(),
            TokenKind::Unknown => format!("the character `{}`", token.text),
            _ => format!("`{}`", token.text),
        };
        let kind = match token.kind {
            TokenKind::Unknown => DiagnosticKind::UnexpectedCharacter,
            _ => DiagnosticKind::UnexpectedToken,
        };
        Diagnostic::new(
            kind,
            token.pos,
            format!("expected {expected}, found {found}"),
        )
    }

    fn unexpected(&mut self, expected: &str) -> Fail {
        let diagnostic = self.unexpected_diagnostic(expected);
        self.diagnostics.push(diagnostic);
        Fail
    }
}

fn ident(token: Token<'_>) -> Ident {
    Ident {
        name: token.text.to_owned(),
        pos: token.pos,
    }
}

/// SMIv2 when the module imports the SMIv2 SMI or has a MODULE-IDENTITY (RFC 2578 §3).
fn version(module: &Module) -> SmiVersion {
    let v2 = module.name.starts_with("SNMPv2-")
        || module
            .imports
            .iter()
            .any(|i| i.module.starts_with("SNMPv2-SMI"))
        || module
            .definitions
            .iter()
            .any(|d| matches!(d.body, Body::ModuleIdentity(_)));
    if v2 { SmiVersion::V2 } else { SmiVersion::V1 }
}

/// The macros whose invocations are top-level value assignments.
const MACROS: &[&str] = &[
    "MODULE-IDENTITY",
    "OBJECT-IDENTITY",
    "OBJECT-TYPE",
    "NOTIFICATION-TYPE",
    "TRAP-TYPE",
    "OBJECT-GROUP",
    "NOTIFICATION-GROUP",
    "MODULE-COMPLIANCE",
    "AGENT-CAPABILITIES",
];

/// Clause keywords, which never start an assignment.
const CLAUSES: &[&str] = &[
    "SYNTAX",
    "UNITS",
    "MAX-ACCESS",
    "ACCESS",
    "MIN-ACCESS",
    "STATUS",
    "DESCRIPTION",
    "REFERENCE",
    "INDEX",
    "AUGMENTS",
    "DEFVAL",
    "OBJECTS",
    "NOTIFICATIONS",
    "VARIABLES",
    "ENTERPRISE",
    "LAST-UPDATED",
    "ORGANIZATION",
    "CONTACT-INFO",
    "REVISION",
    "DISPLAY-HINT",
    "MODULE",
    "MANDATORY-GROUPS",
    "GROUP",
    "OBJECT",
    "WRITE-SYNTAX",
    "PRODUCT-RELEASE",
    "SUPPORTS",
    "INCLUDES",
    "VARIATION",
    "CREATION-REQUIRES",
];
