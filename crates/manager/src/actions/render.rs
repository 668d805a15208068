//! Rendering a batch of alarms into the text of a message, with minijinja templates.
//!
//! A template sees the batch's first alarm at the top level (`device`, `alarm`, `severity`,
//! `status`, `time`, `varbinds`, `notification`, `link`) and every alarm in `alerts`, with
//! `count`, `rule`, `group` and `reason`. Varbinds carry their MIB name and the value as
//! `snmptrapd` prints it: `IF-MIB::ifOperStatus.3 = down(2)`.

use std::sync::Arc;

use minijinja::value::StringInput;
use minijinja::{Environment, ErrorKind, State, UndefinedBehavior};
use serde::Serialize;

use crate::rules::{Batch, BatchReason, GroupedAlert, NamedVarBind, NotificationFacts, alarm_type};

/// The default subject (and syslog message).
pub const DEFAULT_SUBJECT: &str = "[vigie] {{ severity | upper }} {{ alarm.type }} on {{ device }}{% if status == 'cleared' %} cleared{% endif %}{% if count > 1 %} (+{{ count - 1 }} more){% endif %}";

/// The default e-mail body.
pub const DEFAULT_BODY: &str = "\
{% for a in alerts %}{{ a.alarm.type }} on {{ a.device }}: {{ a.status | upper }} ({{ a.severity }})
  {{ a.alarm.text }}
  first seen {{ a.alarm.first_seen }}, last seen {{ a.alarm.last_seen }}, {{ a.alarm.count }} time(s){% if a.transitions > 1 %}, {{ a.transitions }} changes since the last message{% endif %}
{% if a.notification %}  notification {{ a.notification.name }} from {{ a.notification.source }}
{% endif %}{% for v in a.varbinds %}  {{ v.name }} = {{ v.value }}
{% endfor %}{% if a.link %}  {{ a.link }}
{% endif %}
{% endfor %}-- 
vigie, rule {{ rule }}
";

/// What a template sees of one alarm.
#[derive(Debug, Clone, Serialize)]
pub struct AlertView {
    /// The device's name.
    pub device: String,
    /// The alarm.
    pub alarm: AlarmView,
    /// `critical`, `major`, …
    pub severity: &'static str,
    /// `firing` or `cleared`.
    pub status: &'static str,
    /// Changes since the last message (20 for a link that flapped twenty times).
    pub transitions: u32,
    /// When the alarm last changed, RFC 3339.
    pub time: String,
    /// The notification's varbinds (empty without a notification).
    pub varbinds: Vec<NamedVarBind>,
    /// The notification behind the alarm (undefined in templates when there is none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification: Option<NotificationFacts>,
    /// The alarm's page in the web UI, when a public URL is configured (undefined
    /// otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// What a template sees of an alarm record.
#[derive(Debug, Clone, Serialize)]
pub struct AlarmView {
    /// Its id.
    pub id: i64,
    /// Its key.
    pub key: String,
    /// Its type (`linkDown`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Its text.
    pub text: String,
    /// `active`, `acknowledged` or `cleared`.
    pub state: &'static str,
    /// Raises seen.
    pub count: u64,
    /// RFC 3339.
    pub first_seen: String,
    /// RFC 3339.
    pub last_seen: String,
}

/// The whole context of a template.
#[derive(Debug, Clone, Serialize)]
pub struct RenderContext {
    /// The first alarm, at the top level.
    #[serde(flatten)]
    pub first: AlertView,
    /// Every alarm of the batch.
    pub alerts: Vec<AlertView>,
    /// How many.
    pub count: usize,
    /// The rule's name.
    pub rule: String,
    /// The group's label values.
    pub group: String,
    /// `new`, `update` or `repeat`.
    pub reason: BatchReason,
}

/// A template that does not compile or render.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("template error: {0}")]
pub struct RenderError(pub String);

impl RenderContext {
    /// The context of `batch`; `public_url` builds the links. `None` for an empty batch.
    pub fn of(batch: &Batch<Arc<NotificationFacts>>, public_url: Option<&str>) -> Option<Self> {
        let alerts: Vec<AlertView> = batch
            .alerts
            .iter()
            .map(|alert| view(alert, public_url))
            .collect();
        let first = alerts.first()?.clone();
        Some(Self {
            first,
            count: alerts.len(),
            alerts,
            rule: batch.rule.clone(),
            group: batch.group.clone(),
            reason: batch.reason,
        })
    }

    /// Renders `template` (one line: line breaks become spaces, for a subject or a syslog
    /// message).
    pub fn render_line(&self, template: &str) -> Result<String, RenderError> {
        let text = self.render(template)?;
        Ok(text.split_whitespace().collect::<Vec<_>>().join(" "))
    }

    /// Renders `template`, within bounds: at most [`MAX_FUEL`] template instructions and
    /// [`MAX_TEXT`] bytes of text, so that an operator's template cannot hold the response
    /// worker or exhaust memory.
    pub fn render(&self, template: &str) -> Result<String, RenderError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Lenient);
        // Fuel bounds loops (two nested `range(100000)` are 10^10 steps); the two built-in
        // filters that multiply a text's length are replaced by bounded ones (the fuzzer's
        // `replace` then chained `join`s reached gigabytes in a few instructions).
        env.set_fuel(Some(MAX_FUEL));
        env.add_filter("replace", bounded_replace);
        env.add_filter("join", bounded_join);
        let text = env
            .render_str(template, self)
            .map_err(|e| RenderError(e.to_string()))?;
        if text.len() > MAX_TEXT {
            return Err(RenderError(too_large().to_string()));
        }
        Ok(text)
    }
}

/// minijinja's `replace`, refused when its result would exceed [`MAX_TEXT`].
fn bounded_replace(
    state: &State<'_, '_>,
    value: StringInput<'_>,
    from: StringInput<'_>,
    to: StringInput<'_>,
) -> Result<minijinja::Value, minijinja::Error> {
    let text = value.as_str();
    let occurrences = if from.as_str().is_empty() {
        text.chars().count().saturating_add(1)
    } else {
        text.matches(from.as_str()).count()
    };
    let growth = to.as_str().len().saturating_sub(from.as_str().len());
    let length = text
        .len()
        .saturating_add(occurrences.saturating_mul(growth));
    if length > MAX_TEXT {
        return Err(too_large());
    }
    minijinja::filters::replace(state, value, from, to)
}

/// minijinja's `join`, refused when its result would exceed [`MAX_TEXT`].
fn bounded_join(
    state: &State<'_, '_>,
    value: &minijinja::Value,
    joiner: Option<StringInput<'_>>,
) -> Result<minijinja::Value, minijinja::Error> {
    let separator = joiner.as_ref().map_or(0, |joiner| joiner.as_str().len());
    let items = value.len().unwrap_or(0);
    if items.saturating_sub(1).saturating_mul(separator) > MAX_TEXT {
        return Err(too_large());
    }
    let joined = minijinja::filters::join(state, value, joiner)?;
    if joined.as_str().is_some_and(|text| text.len() > MAX_TEXT) {
        return Err(too_large());
    }
    Ok(joined)
}

fn too_large() -> minijinja::Error {
    minijinja::Error::new(
        ErrorKind::InvalidOperation,
        format!("the text would exceed {MAX_TEXT} bytes"),
    )
}

fn view(alert: &GroupedAlert<Arc<NotificationFacts>>, public_url: Option<&str>) -> AlertView {
    let alarm = &alert.alarm;
    let facts = (!alert.payload.oid.is_empty()).then(|| (*alert.payload).clone());
    AlertView {
        device: alarm.device.clone(),
        alarm: AlarmView {
            id: alarm.id.0,
            key: alarm.key.to_string(),
            kind: alarm_type(alarm).to_owned(),
            text: alarm.text.clone(),
            state: alarm.state.name(),
            count: alarm.count,
            first_seen: alarm.first_seen.to_string(),
            last_seen: alarm.last_seen.to_string(),
        },
        severity: alarm.severity.name(),
        status: if alert.firing { "firing" } else { "cleared" },
        transitions: alert.transitions,
        time: alarm.cleared_at.unwrap_or(alarm.last_seen).to_string(),
        varbinds: facts
            .as_ref()
            .map(|f| f.varbinds.clone())
            .unwrap_or_default(),
        notification: facts,
        link: public_url.map(|url| format!("{}/alarms/{}", url.trim_end_matches('/'), alarm.id)),
    }
}

/// Template instructions one rendering may execute: the default body over a batch of a
/// thousand alarms takes well under a tenth of it.
pub const MAX_FUEL: u64 = 1_000_000;
/// The longest text a template may produce, or build on the way: 1 MiB.
pub const MAX_TEXT: usize = 1 << 20;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alarm::Severity;
    use crate::rules::tests::alarm;
    use crate::rules::{Change, GroupedAlert};

    fn batch() -> Batch<Arc<NotificationFacts>> {
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
        Batch {
            rule: "links".into(),
            group: "core-1/linkDown".into(),
            reason: BatchReason::New,
            alerts: vec![GroupedAlert {
                alarm: alarm("linkDown/core-1/3", "core-1", Severity::Major),
                change: Change::Raised,
                firing: true,
                transitions: 1,
                payload: Arc::new(facts),
            }],
        }
    }

    #[test]
    fn default_templates_name_the_device_and_the_varbinds() {
        let context = RenderContext::of(&batch(), Some("https://vigie.example/")).unwrap();
        assert_eq!(
            context.render_line(DEFAULT_SUBJECT).unwrap(),
            "[vigie] MAJOR linkDown on core-1"
        );
        let body = context.render(DEFAULT_BODY).unwrap();
        assert!(body.contains("IF-MIB::ifOperStatus.3 = down(2)"), "{body}");
        assert!(
            body.contains("notification IF-MIB::linkDown from 192.0.2.1:161"),
            "{body}"
        );
        assert!(body.contains("https://vigie.example/alarms/1"), "{body}");
        assert!(body.contains("rule links"), "{body}");
    }

    #[test]
    fn custom_templates_and_errors() {
        let context = RenderContext::of(&batch(), None).unwrap();
        let text = context
            .render("{{ device }} {% for v in varbinds %}{{ v.name }}={{ v.value }}{% endfor %} {{ link }}")
            .unwrap();
        assert_eq!(text, "core-1 IF-MIB::ifOperStatus.3=down(2) ");
        assert!(context.render("{% for %}").is_err());
        assert_eq!(context.render_line("a\nb").unwrap(), "a b");
    }

    /// Found by `fuzz/fuzz_targets/template.rs`: a `replace` then chained `join`s grew
    /// the text by a factor of thousands per filter, to gigabytes and a stalled worker.
    #[test]
    fn a_template_cannot_grow_its_text_without_bound() {
        let context = RenderContext::of(&batch(), None).unwrap();
        let exploding = format!(
            "{{{{ group|replace('/', '{wide}')|join('{wide}')|join('{wide}')|join('{wide}') }}}}",
            wide = "x".repeat(200)
        );
        let error = context.render(&exploding).unwrap_err();
        assert!(error.0.contains("would exceed"), "{error}");
        let joined = format!("{{{{ '{}'|join('--') }}}}", "y".repeat(MAX_TEXT / 2));
        assert!(context.render(&joined).is_err());
        let empty_pattern = format!("{{{{ '{}'|replace('', 'zz') }}}}", "y".repeat(MAX_TEXT / 2));
        assert!(context.render(&empty_pattern).is_err());
        // Within the bounds, the filters work as minijinja's own.
        assert_eq!(
            context
                .render("{{ group|replace('/', ' / ') }} {{ alerts|map(attribute='device')|join(', ') }}")
                .unwrap(),
            "core-1 / linkDown core-1"
        );
    }

    #[test]
    fn a_template_cannot_loop_without_bound() {
        let context = RenderContext::of(&batch(), None).unwrap();
        let nested =
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}";
        let error = context.render(nested).unwrap_err();
        assert!(error.0.contains("fuel"), "{error}");
    }
}
