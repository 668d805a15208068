//! The message templates of response management (`vigie_manager::actions::render`): arbitrary
//! text as an e-mail subject and body and as a syslog message, rendered over a batch of two
//! alarms and turned into the outgoing message. Nothing may panic, and a template must not
//! hold the worker: libFuzzer's `-timeout` catches one that runs away.
//!
//! The input is the subject, a NUL, then the body (without a NUL, both are the whole input).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vigie_manager::actions::render::{AlarmView, AlertView};
use vigie_manager::actions::{
    ActionKind, ActionSpec, EmailAction, RenderContext, SmtpSettings, SyslogAction,
};
use vigie_manager::rules::{BatchReason, NamedVarBind, NotificationFacts};

fuzz_target!(|data: &[u8]| {
    static CONTEXT: OnceLock<RenderContext> = OnceLock::new();
    let context = CONTEXT.get_or_init(context);
    let text = String::from_utf8_lossy(data);
    let (subject, body) = text.split_once('\0').unwrap_or((&text, &text));
    let smtp = SmtpSettings::new("relay.example", 587, "vigie@example.net");
    let email = ActionSpec {
        name: "mail".into(),
        kind: ActionKind::Email(EmailAction {
            to: vec!["noc@example.net".into()],
            cc: Vec::new(),
            subject: Some(subject.to_owned()),
            body: Some(body.to_owned()),
        }),
    };
    let _ = vigie_manager::actions::render(&email, context, Some(&smtp));
    let syslog = ActionSpec {
        name: "log".into(),
        kind: ActionKind::Syslog(SyslogAction {
            host: "127.0.0.1".into(),
            port: None,
            transport: Default::default(),
            facility: 16,
            message: Some(subject.to_owned()),
        }),
    };
    let _ = vigie_manager::actions::render(&syslog, context, None);
});

/// Two alarms of one batch, the first from a linkDown trap.
fn context() -> RenderContext {
    let facts = NotificationFacts {
        oid: "1.3.6.1.6.3.1.1.5.3".into(),
        name: "IF-MIB::linkDown".into(),
        source: "192.0.2.1:161".into(),
        varbinds: vec![NamedVarBind {
            oid: "1.3.6.1.2.1.2.2.1.8.3".into(),
            name: "IF-MIB::ifOperStatus.3".into(),
            type_name: "INTEGER".into(),
            value: "down(2)".into(),
        }],
    };
    let alert = |id: i64, device: &str, firing: bool| AlertView {
        device: device.into(),
        alarm: AlarmView {
            id,
            key: format!("linkDown/{device}/3"),
            kind: "linkDown".into(),
            text: "ifIndex 3 down".into(),
            state: "active",
            count: 2,
            first_seen: "2026-01-02T03:04:05Z".into(),
            last_seen: "2026-01-02T03:05:05Z".into(),
        },
        severity: "major",
        status: if firing { "firing" } else { "cleared" },
        transitions: 1,
        time: "2026-01-02T03:05:05Z".into(),
        varbinds: facts.varbinds.clone(),
        notification: Some(facts.clone()),
        link: Some(format!("https://vigie.example/alarms/{id}")),
    };
    let alerts = vec![alert(1, "core-1", true), alert(2, "core-2", false)];
    RenderContext {
        first: alerts[0].clone(),
        count: alerts.len(),
        alerts,
        rule: "links".into(),
        group: "core-1/linkDown".into(),
        reason: BatchReason::New,
    }
}
