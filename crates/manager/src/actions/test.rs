//! Test Action: a real message now, through the real path, with the classified outcome.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use serde::Serialize;
use vigie_notify::{Accepted, AttemptLog, Channel, ChannelFailure, Channels, Deliverer, Origin};

use super::{
    ActionKind, ActionSpec, ForwardChannel, RenderContext, ResponseService, channel_of, render,
};
use crate::alarm::{Alarm, AlarmId, AlarmKey, AlarmState, Severity, Source};
use crate::rules::{Batch, BatchReason, Change, GroupedAlert, NamedVarBind, NotificationFacts};
use crate::time::Timestamp;

/// What a Test Action did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestOutcome {
    /// Whether the relay or receiver accepted the message.
    pub ok: bool,
    /// The action's name.
    pub action: String,
    /// The relay or receiver, `host:port` or the URL.
    pub target: String,
    /// The accepting reply, e.g. `250 Ok: queued as …` (SES puts its message ID there).
    pub reply: Option<String>,
    /// Why it was not accepted.
    pub failure: Option<FailureView>,
    /// The attempt as one troubleshooting-log line.
    pub log_line: String,
    /// How long the attempt took, in milliseconds.
    pub duration_ms: u64,
}

/// A classified failure, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureView {
    /// The stable classification, e.g. `bad_credentials`, `unverified_sender`.
    pub kind: String,
    /// What happened, one sentence; never a secret.
    pub message: String,
    /// What to do.
    pub fix: String,
    /// The failing stage: connect, TLS, AUTH, MAIL, RCPT, DATA…
    pub stage: Option<String>,
    /// The SMTP reply code or HTTP status.
    pub code: Option<u16>,
    /// The enhanced status code (RFC 3463).
    pub enhanced_code: Option<String>,
    /// The server's text.
    pub server_text: Option<String>,
    /// Whether retrying later may succeed as is.
    pub transient: bool,
    /// For an untrusted chain: where to capture it and import it.
    pub capture: Option<String>,
}

pub(super) async fn run(service: &ResponseService, action: &ActionSpec) -> TestOutcome {
    let started = Instant::now();
    let at = SystemTime::now();
    let Some(context) = RenderContext::of(&sample(), None) else {
        return configuration_failure(action, "no sample alarm".to_owned(), started, at);
    };
    let smtp = service.smtp();
    let outgoing = match render(action, &context, smtp.as_ref()) {
        Ok(outgoing) => outgoing,
        Err(error) => return configuration_failure(action, error.to_string(), started, at),
    };
    let attempt = match &action.kind {
        // The action under test may not be saved yet: its own channel, not the stored one.
        ActionKind::TrapForward(forward) => {
            let mut channels = Channels::new();
            channels.insert(
                outgoing.channel.clone(),
                Channel::Custom(Arc::new(ForwardChannel::new(forward))),
            );
            channels.deliver(&outgoing, at).await
        }
        _ => service.channels().current().deliver(&outgoing, at).await,
    };
    // The troubleshooting log keeps tests too, of every kind, so `vigie log actions` shows
    // them.
    let origin = Origin {
        action: Some(action.name.clone()),
        rule: Some("test".to_owned()),
        alarm_id: None,
    };
    let log = AttemptLog::from_pool(service.store().pool().clone());
    if let Err(error) = log
        .record_direct_kind(
            action.kind.name(),
            &outgoing.channel,
            &origin,
            &attempt,
            at,
            started.elapsed(),
        )
        .await
    {
        tracing::error!(error = %error, "a Test Action could not be logged");
    }
    // A Test Action of a saved action proves or disproves its channel like a delivery; an
    // unsaved trap-forward test has its own channel, not the one the status shows.
    if service.action(&action.name).as_ref() == Some(action)
        || matches!(action.kind, ActionKind::Email(_))
    {
        service.record_attempt(&outgoing.channel, attempt.result.as_ref().err());
    }
    let (ok, reply, failure) = match attempt.result {
        Ok(Accepted { code, detail }) => (
            true,
            Some(match code {
                Some(code) if !detail.starts_with(&code.to_string()) => format!("{code} {detail}"),
                _ => detail,
            }),
            None,
        ),
        Err(failure) => (false, None, Some(view(&failure))),
    };
    finish(action, attempt.target, ok, reply, failure, started, at)
}

fn finish(
    action: &ActionSpec,
    target: String,
    ok: bool,
    reply: Option<String>,
    failure: Option<FailureView>,
    started: Instant,
    at: SystemTime,
) -> TestOutcome {
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let log_line = log_line(
        action,
        &target,
        ok,
        reply.as_deref(),
        failure.as_ref(),
        duration_ms,
        at,
    );
    TestOutcome {
        ok,
        action: action.name.clone(),
        target,
        reply,
        failure,
        log_line,
        duration_ms,
    }
}

fn configuration_failure(
    action: &ActionSpec,
    message: String,
    started: Instant,
    at: SystemTime,
) -> TestOutcome {
    let failure = FailureView {
        fix: "Correct the action (addresses, templates) or configure the SMTP relay, then test again.".to_owned(),
        ..failure_of_text("configuration", message)
    };
    finish(
        action,
        String::new(),
        false,
        None,
        Some(failure),
        started,
        at,
    )
}

fn failure_of_text(kind: &str, message: String) -> FailureView {
    FailureView {
        kind: kind.to_owned(),
        fix:
            "Check the receiver's address and port, that it listens, and the community it expects."
                .to_owned(),
        message,
        stage: None,
        code: None,
        enhanced_code: None,
        server_text: None,
        transient: false,
        capture: None,
    }
}

/// The API's view of a channel failure.
pub(crate) fn view(failure: &ChannelFailure) -> FailureView {
    let (code, enhanced_code, server_text) = match failure {
        ChannelFailure::Smtp(smtp) => match smtp.reply() {
            Some(reply) => (
                Some(reply.code),
                reply.enhanced.map(|e| e.to_string()),
                Some(reply.text()),
            ),
            None => (None, None, None),
        },
        _ => (None, None, None),
    };
    let untrusted = failure.kind().contains("certificate") || failure.kind().contains("untrusted");
    FailureView {
        kind: failure.kind().to_owned(),
        message: failure.to_string(),
        fix: failure.fix().to_owned(),
        stage: failure.stage(),
        code,
        enhanced_code,
        server_text,
        transient: failure.is_transient(),
        capture: untrusted.then(|| {
            "POST /api/v1/smtp/certs captures the chain the relay presents; import the CA you checked with \"import\"".to_owned()
        }),
    }
}

/// One line in the troubleshooting log's shape: `key=value` pairs, quoted when they hold
/// spaces.
fn log_line(
    action: &ActionSpec,
    target: &str,
    ok: bool,
    reply: Option<&str>,
    failure: Option<&FailureView>,
    duration_ms: u64,
    at: SystemTime,
) -> String {
    let mut fields: Vec<(&str, String)> = vec![
        ("at", Timestamp::from_system_time(at).to_string()),
        ("action", action.name.clone()),
        ("channel", channel_of(action)),
        ("target", target.to_owned()),
        (
            "outcome",
            if ok { "delivered" } else { "failed" }.to_owned(),
        ),
        ("duration_ms", duration_ms.to_string()),
    ];
    if let Some(reply) = reply {
        fields.push(("reply", reply.to_owned()));
    }
    if let Some(f) = failure {
        if let Some(stage) = &f.stage {
            fields.push(("stage", stage.clone()));
        }
        if let Some(code) = f.code {
            fields.push(("code", code.to_string()));
        }
        if let Some(enhanced) = &f.enhanced_code {
            fields.push(("enhanced", enhanced.clone()));
        }
        if let Some(text) = &f.server_text {
            fields.push(("server_text", text.clone()));
        }
        fields.push(("classification", f.kind.clone()));
        fields.push(("fix", f.fix.clone()));
    }
    fields
        .into_iter()
        .map(|(key, value)| {
            if value.contains([' ', '"', '=']) || value.is_empty() {
                format!("{key}={value:?}")
            } else {
                format!("{key}={value}")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A linkDown on `test-device`, interface 3, as a sample for templates.
fn sample() -> Batch<Arc<NotificationFacts>> {
    let now = Timestamp::from_system_time(SystemTime::now());
    let varbind = |oid: &str, name: &str, type_name: &str, value: &str| NamedVarBind {
        oid: oid.into(),
        name: name.into(),
        type_name: type_name.into(),
        value: value.into(),
    };
    let facts = NotificationFacts {
        oid: "1.3.6.1.6.3.1.1.5.3".into(),
        name: "IF-MIB::linkDown".into(),
        source: "192.0.2.1:161".into(),
        varbinds: vec![
            varbind("1.3.6.1.2.1.2.2.1.1.3", "IF-MIB::ifIndex.3", "INTEGER", "3"),
            varbind(
                "1.3.6.1.2.1.2.2.1.7.3",
                "IF-MIB::ifAdminStatus.3",
                "INTEGER",
                "up(1)",
            ),
            varbind(
                "1.3.6.1.2.1.2.2.1.8.3",
                "IF-MIB::ifOperStatus.3",
                "INTEGER",
                "down(2)",
            ),
        ],
    };
    let alarm = Alarm {
        id: AlarmId(0),
        key: AlarmKey::new("linkDown/test-device/3"),
        device: "test-device".into(),
        source: Source::Trap,
        severity: Severity::Major,
        state: AlarmState::Active,
        count: 1,
        first_seen: now,
        last_seen: now,
        text: "vigie Test Action: linkDown ifIndex=3".into(),
        acknowledged_by: None,
        acknowledged_at: None,
        cleared_by: None,
        cleared_at: None,
    };
    Batch {
        rule: "test".into(),
        group: "test-device/linkDown".into(),
        reason: BatchReason::New,
        alerts: vec![GroupedAlert {
            alarm,
            change: Change::Raised,
            firing: true,
            transitions: 1,
            payload: Arc::new(facts),
        }],
    }
}
