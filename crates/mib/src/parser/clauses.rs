//! Macro invocations: the clauses of MODULE-IDENTITY, OBJECT-TYPE, NOTIFICATION-TYPE,
//! TRAP-TYPE, TEXTUAL-CONVENTION and the conformance macros (RFC 2578, 2579, 2580, 1212,
//! 1215), and the module-level checks on MODULE-IDENTITY.

use crate::diagnostic::{DiagnosticKind, Pos};
use crate::lexer::TokenKind;

use super::ast::{
    Access, AccessClause, Body, DefVal, Group, GroupKind, Ident, IndexItem, Module, ModuleIdentity,
    Notification, ObjectIdentity, ObjectType, Status, Syntax, TextualConvention, Trap,
};
use super::{Fail, PResult, Parser, ident};

/// Every clause any macro may carry; each macro takes the ones it has.
#[derive(Default)]
struct Clauses {
    syntax: Option<Syntax>,
    units: Option<String>,
    access: Option<AccessClause>,
    status: Option<(Status, Pos)>,
    index: Vec<IndexItem>,
    augments: Option<Ident>,
    defval: Option<(DefVal, Pos)>,
    members: Vec<Ident>,
    enterprise: Option<Ident>,
    hint: Option<String>,
    last_updated: Option<(String, Pos)>,
    revisions: Vec<(String, Pos)>,
}

impl Parser<'_> {
    /// The clauses and the `::= value` of the macro `word`, whose keyword is consumed.
    pub(super) fn macro_value(&mut self, word: &str) -> PResult<Body> {
        if matches!(word, "MODULE-COMPLIANCE" | "AGENT-CAPABILITIES") {
            // Their clauses (MODULE, GROUP, OBJECT, VARIATION …) carry no facts the compiler
            // keeps but the first DESCRIPTION, the macro's own; none of them contains `::=`,
            // so skipping to it is exact.
            self.skip_to(TokenKind::Assign)?;
            self.bump();
            let oid = self.oid_value()?;
            return Ok(match word {
                "MODULE-COMPLIANCE" => Body::Compliance(oid),
                _ => Body::Capabilities(oid),
            });
        }
        let clauses = self.clauses(false)?;
        self.expect(TokenKind::Assign, "`::=`")?;
        if word == "TRAP-TYPE" {
            return self.trap(clauses);
        }
        let oid = self.oid_value()?;
        Ok(match word {
            "MODULE-IDENTITY" => Body::ModuleIdentity(ModuleIdentity {
                last_updated: clauses.last_updated,
                revisions: clauses.revisions,
                oid,
            }),
            "OBJECT-IDENTITY" => Body::ObjectIdentity(ObjectIdentity {
                status: clauses.status,
                oid,
            }),
            "OBJECT-TYPE" => {
                if clauses.syntax.is_none() {
                    self.report(
                        DiagnosticKind::UnexpectedToken,
                        oid.pos,
                        "OBJECT-TYPE without a SYNTAX clause",
                    );
                }
                Body::ObjectType(Box::new(ObjectType {
                    syntax: clauses.syntax,
                    units: clauses.units,
                    access: clauses.access,
                    status: clauses.status,
                    index: clauses.index,
                    augments: clauses.augments,
                    defval: clauses.defval,
                    oid,
                }))
            }
            "NOTIFICATION-TYPE" => Body::Notification(Notification {
                objects: clauses.members,
                status: clauses.status,
                oid,
            }),
            "OBJECT-GROUP" | "NOTIFICATION-GROUP" => Body::Group(Group {
                kind: if word == "OBJECT-GROUP" {
                    GroupKind::Objects
                } else {
                    GroupKind::Notifications
                },
                members: clauses.members,
                status: clauses.status,
                oid,
            }),
            _ => Body::OtherValue,
        })
    }

    /// `Name ::= TEXTUAL-CONVENTION [DISPLAY-HINT] STATUS DESCRIPTION [REFERENCE] SYNTAX`.
    pub(super) fn textual_convention(&mut self) -> PResult<Body> {
        let pos = self.peek().pos;
        let clauses = self.clauses(true)?;
        let Some(syntax) = clauses.syntax else {
            self.report(
                DiagnosticKind::UnexpectedToken,
                pos,
                "TEXTUAL-CONVENTION without a SYNTAX clause",
            );
            return Err(Fail);
        };
        Ok(Body::TextualConvention(TextualConvention {
            hint: clauses.hint,
            status: clauses.status,
            syntax,
        }))
    }

    /// RFC 1215: `::= number` after ENTERPRISE and VARIABLES.
    fn trap(&mut self, clauses: Clauses) -> PResult<Body> {
        let token = self.expect(TokenKind::Number, "a trap number")?;
        let Ok(number) = token.text.parse::<u32>() else {
            self.report(
                DiagnosticKind::NumberOutOfRange,
                token.pos,
                format!("trap number {} is not in 0..4294967295", token.text),
            );
            return Err(Fail);
        };
        let Some(enterprise) = clauses.enterprise else {
            self.report(
                DiagnosticKind::UnexpectedToken,
                token.pos,
                "TRAP-TYPE without an ENTERPRISE clause",
            );
            return Err(Fail);
        };
        Ok(Body::Trap(Trap {
            enterprise,
            variables: clauses.members,
            number,
        }))
    }

    /// Reads clauses up to `::=` (or, for a TEXTUAL-CONVENTION, up to its last clause).
    fn clauses(&mut self, textual_convention: bool) -> PResult<Clauses> {
        let mut clauses = Clauses::default();
        loop {
            let token = self.peek();
            if token.kind == TokenKind::Assign && !textual_convention {
                return Ok(clauses);
            }
            if token.kind != TokenKind::Identifier {
                if textual_convention {
                    return Ok(clauses);
                }
                return Err(self.unexpected("a clause or `::=`"));
            }
            match token.text {
                "SYNTAX" => {
                    self.bump();
                    clauses.syntax = Some(self.syntax()?);
                }
                "UNITS" => {
                    self.bump();
                    clauses.units = Some(self.string()?);
                }
                "MAX-ACCESS" | "ACCESS" | "MIN-ACCESS" => {
                    self.bump();
                    clauses.access = self.access(token.text == "ACCESS", token.pos)?;
                }
                "STATUS" => {
                    self.bump();
                    clauses.status = self.status()?;
                }
                "DISPLAY-HINT" => {
                    self.bump();
                    clauses.hint = Some(self.string()?);
                }
                "LAST-UPDATED" => {
                    self.bump();
                    let pos = self.peek().pos;
                    clauses.last_updated = Some((self.string()?, pos));
                }
                "REVISION" => {
                    self.bump();
                    let pos = self.peek().pos;
                    clauses.revisions.push((self.string()?, pos));
                }
                "DESCRIPTION" => {
                    self.bump();
                    let text = self.expect(TokenKind::String, "a quoted string")?.text;
                    // A REVISION's DESCRIPTION comes after the macro's own.
                    if self.description.is_none() && self.keep_descriptions {
                        self.description = Some(text.to_owned());
                    }
                }
                "REFERENCE" | "ORGANIZATION" | "CONTACT-INFO" => {
                    self.bump();
                    self.expect(TokenKind::String, "a quoted string")?;
                }
                "INDEX" => {
                    self.bump();
                    clauses.index = self.index()?;
                }
                "AUGMENTS" => {
                    self.bump();
                    self.expect(TokenKind::LeftBrace, "`{`")?;
                    clauses.augments = Some(ident(self.expect_ident("the augmented entry")?));
                    self.expect(TokenKind::RightBrace, "`}`")?;
                }
                "DEFVAL" => {
                    self.bump();
                    clauses.defval = Some(self.defval()?);
                }
                "OBJECTS" | "NOTIFICATIONS" | "VARIABLES" => {
                    self.bump();
                    clauses.members = self.name_list()?;
                }
                "ENTERPRISE" => {
                    self.bump();
                    clauses.enterprise = Some(self.enterprise()?);
                }
                _ if textual_convention => return Ok(clauses),
                _ => return Err(self.unexpected("a clause or `::=`")),
            }
        }
    }

    fn string(&mut self) -> PResult<String> {
        let token = self.expect(TokenKind::String, "a quoted string")?;
        Ok(token.text.replace("\"\"", "\""))
    }

    fn access(&mut self, smiv1_keyword: bool, pos: Pos) -> PResult<Option<AccessClause>> {
        let token = self.expect_ident("an access value")?;
        let Some(access) = Access::from_keyword(token.text) else {
            // `not-implemented` and vendor inventions: the clause is kept out, not the object.
            self.report(
                DiagnosticKind::UnexpectedToken,
                token.pos,
                format!("`{}` is not an access value", token.text),
            );
            return Ok(None);
        };
        Ok(Some(AccessClause {
            access,
            smiv1_keyword,
            pos,
        }))
    }

    fn status(&mut self) -> PResult<Option<(Status, Pos)>> {
        let token = self.expect_ident("a status value")?;
        let Some(status) = Status::from_keyword(token.text) else {
            self.report(
                DiagnosticKind::UnexpectedToken,
                token.pos,
                format!("`{}` is not a status value", token.text),
            );
            return Ok(None);
        };
        Ok(Some((status, token.pos)))
    }

    /// `{ [IMPLIED] name, … }`; bare type names (`INTEGER`, `OCTET STRING`) are kept as
    /// names for the resolver to diagnose.
    fn index(&mut self) -> PResult<Vec<IndexItem>> {
        self.expect(TokenKind::LeftBrace, "`{`")?;
        let mut items = Vec::new();
        loop {
            if self.eat(TokenKind::RightBrace) {
                return Ok(items);
            }
            if self.eat(TokenKind::Comma) {
                continue;
            }
            let implied = self.eat_word("IMPLIED");
            let token = self.expect_ident("an index object")?;
            let mut name = ident(token);
            let second = match token.text {
                "OCTET" => Some("STRING"),
                "OBJECT" => Some("IDENTIFIER"),
                _ => None,
            };
            if let Some(second) = second.filter(|s| self.is_word(0, s)) {
                self.bump();
                name.name = format!("{} {second}", token.text);
            }
            items.push(IndexItem { name, implied });
        }
    }

    /// `{ name, name … }`, possibly empty.
    fn name_list(&mut self) -> PResult<Vec<Ident>> {
        self.expect(TokenKind::LeftBrace, "`{`")?;
        let mut names = Vec::new();
        loop {
            if self.eat(TokenKind::RightBrace) {
                return Ok(names);
            }
            if self.eat(TokenKind::Comma) {
                continue;
            }
            names.push(ident(self.expect_ident("a name")?));
        }
    }

    /// `ENTERPRISE name`, or the rarer `ENTERPRISE { name }`.
    fn enterprise(&mut self) -> PResult<Ident> {
        if !self.eat(TokenKind::LeftBrace) {
            return Ok(ident(self.expect_ident("an enterprise name")?));
        }
        let name = ident(self.expect_ident("an enterprise name")?);
        self.skip_to(TokenKind::RightBrace)?;
        self.bump();
        Ok(name)
    }

    /// Skips to the next `kind` token, which is left unconsumed.
    fn skip_to(&mut self, kind: TokenKind) -> PResult<()> {
        let mut after_description = false;
        loop {
            let token = self.peek();
            if token.kind == kind {
                return Ok(());
            }
            if token.kind == TokenKind::Eof {
                return Err(self.unexpected("`::=`"));
            }
            if after_description
                && token.kind == TokenKind::String
                && self.description.is_none()
                && self.keep_descriptions
            {
                self.description = Some(token.text.to_owned());
            }
            after_description = token.kind == TokenKind::Identifier && token.text == "DESCRIPTION";
            self.bump();
        }
    }

    /// MODULE-IDENTITY comes first and its revisions run newest first (RFC 2578 §3, §5.5);
    /// LAST-UPDATED names one of them.
    pub(super) fn check_module(&mut self, module: &Module) {
        let Some((at, definition, identity)) =
            module
                .definitions
                .iter()
                .enumerate()
                .find_map(|(i, d)| match &d.body {
                    Body::ModuleIdentity(identity) => Some((i, d, identity)),
                    _ => None,
                })
        else {
            return;
        };
        let before = module
            .definitions
            .iter()
            .take(at)
            .any(|d| !matches!(d.body, Body::Macro));
        if before {
            self.report(
                DiagnosticKind::ModuleIdentityNotFirst,
                definition.pos,
                format!(
                    "MODULE-IDENTITY `{}` is not the first definition of {}",
                    definition.name, module.name
                ),
            );
        }
        let mut previous: Option<String> = None;
        for (date, pos) in &identity.revisions {
            let date = normalized_date(date);
            if previous.as_ref().is_some_and(|p| date > *p) {
                self.report(
                    DiagnosticKind::RevisionOrder,
                    *pos,
                    "REVISION is newer than the one before it; revisions run newest first",
                );
            }
            previous = Some(date);
        }
        if let Some((date, pos)) = &identity.last_updated {
            let date = normalized_date(date);
            let listed = identity
                .revisions
                .iter()
                .any(|(r, _)| normalized_date(r) == date);
            if !identity.revisions.is_empty() && !listed {
                self.report(
                    DiagnosticKind::LastUpdatedWithoutRevision,
                    *pos,
                    "LAST-UPDATED names a date no REVISION clause has",
                );
            }
        }
    }
}

/// `YYMMDDHHMMZ` (SMIv2's two-digit years are 19xx, RFC 2578 §3.1.3) as `YYYYMMDDHHMMZ`.
fn normalized_date(date: &str) -> String {
    let date = date.trim();
    if date.len() == 11 {
        format!("19{date}")
    } else {
        date.to_owned()
    }
}
