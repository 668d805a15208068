//! Rules (pure): which alarm decisions fire which actions.
//!
//! A [`RuleSpec`] holds a [`Condition`] over what an alarm decision is about (the alarm's
//! type and key, its device and the device's groups, its severity and source, the
//! notification that caused it: OID, name and varbind values), the decisions it reacts to
//! ([`Triggers`]), the actions it fires, and how its notifications are grouped
//! ([`grouping::Grouping`]). [`RuleSpec::fires`] evaluates one [`Subject`]; the
//! [`grouping::Grouper`] then decides, with time passed in, when a group of alarms becomes
//! one notification, so a flapping link sends one mail, not a hundred.
//!
//! Nothing here reads the clock, the store or the network.

pub mod grouping;

use serde::{Deserialize, Serialize};

use crate::alarm::{Alarm, Decision, Severity, Source};

pub use grouping::{Batch, BatchReason, GroupLabel, GroupedAlert, Grouper, Grouping};

/// One rule: when its condition holds for a decision it reacts to, its actions fire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// The rule's name, unique; the troubleshooting log names it.
    pub name: String,
    /// A disabled rule fires nothing. Default: enabled.
    #[serde(default = "enabled")]
    pub enabled: bool,
    /// What the decision must be about. Default: everything.
    #[serde(default)]
    pub condition: Condition,
    /// The decisions the rule reacts to. Default: raised and cleared.
    #[serde(default)]
    pub triggers: Triggers,
    /// The names of the actions it fires, at least one.
    pub actions: Vec<String>,
    /// How its notifications are grouped and throttled.
    #[serde(default)]
    pub grouping: Grouping,
}

fn enabled() -> bool {
    true
}

/// Which alarm decisions a rule reacts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Triggers {
    /// A new alarm. Default: yes.
    pub raised: bool,
    /// An open alarm raised again. Default: no (grouping's repeat interval reminds instead).
    pub repeated: bool,
    /// An alarm cleared. Default: yes.
    pub cleared: bool,
}

impl Default for Triggers {
    fn default() -> Self {
        Self {
            raised: true,
            repeated: false,
            cleared: true,
        }
    }
}

/// What happened to the alarm, as rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// A new alarm.
    Raised,
    /// An open alarm raised again.
    Repeated,
    /// The alarm was cleared.
    Cleared,
}

impl Change {
    /// The change and the alarm of a decision, or `None` for decisions no rule sees
    /// (acknowledgements, nothing changed).
    pub fn of(decision: &Decision) -> Option<(Self, &Alarm)> {
        match decision {
            Decision::Raised(alarm) => Some((Self::Raised, alarm)),
            Decision::Repeated(alarm) => Some((Self::Repeated, alarm)),
            Decision::Cleared(alarm) => Some((Self::Cleared, alarm)),
            Decision::Acknowledged(_) | Decision::Unchanged(_) => None,
        }
    }

    /// `raised`, `repeated` or `cleared`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Raised => "raised",
            Self::Repeated => "repeated",
            Self::Cleared => "cleared",
        }
    }
}

/// A condition over a [`Subject`]. `All([])` (the default) always holds; `Any([])` never.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Condition {
    /// Every condition holds.
    All(Vec<Self>),
    /// At least one condition holds.
    Any(Vec<Self>),
    /// The condition does not hold.
    Not(Box<Self>),
    /// The alarm's type (its key up to the first `/`, e.g. `linkDown`) is this one.
    AlarmType(String),
    /// The alarm's key matches this pattern (`*` matches any run of characters).
    AlarmKey(String),
    /// The device's name matches this pattern.
    Device(String),
    /// The device belongs to this group.
    DeviceGroup(String),
    /// The severity is at least this one (for a cleared alarm: the severity it had).
    MinSeverity(Severity),
    /// The alarm comes from this source.
    Source(Source),
    /// The notification's OID is this one or below it (numeric, dotted).
    NotificationOid(String),
    /// The notification's name is this one: `IF-MIB::linkDown` or `linkDown`.
    NotificationName(String),
    /// A varbind of the notification satisfies the test.
    Varbind(VarbindTest),
}

impl Default for Condition {
    fn default() -> Self {
        Self::All(Vec::new())
    }
}

/// A test of a varbind's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VarbindTest {
    /// The object: a MIB name (`IF-MIB::ifAdminStatus`, `ifAdminStatus`, with or without
    /// instance) or a numeric OID prefix (`1.3.6.1.2.1.2.2.1.7`).
    pub object: String,
    /// The comparison.
    pub op: VarbindOp,
    /// The value compared, as text (`up`, `3`, `eth0`).
    pub value: String,
}

/// How a varbind's value is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VarbindOp {
    /// Equal to the formatted value, to its enumeration label (`up` for `up(1)`) or its
    /// number.
    Equals,
    /// Not equal (and the varbind is present).
    NotEquals,
    /// The formatted value contains the text.
    Contains,
    /// The formatted value matches the pattern (`*` wildcards).
    Matches,
}

/// What a rule is evaluated against: one alarm decision and the notification behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject<'a> {
    /// What happened.
    pub change: Change,
    /// The alarm after the decision.
    pub alarm: &'a Alarm,
    /// The groups the alarm's device belongs to.
    pub device_groups: &'a [String],
    /// The notification that caused it, if any.
    pub notification: Option<&'a NotificationFacts>,
}

/// A notification as rules and templates see it: OIDs resolved to MIB names, values
/// formatted.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct NotificationFacts {
    /// The notification OID, dotted.
    pub oid: String,
    /// Its MIB name, `IF-MIB::linkDown`, or the OID when no MIB knows it.
    pub name: String,
    /// Where it came from, `address:port`.
    pub source: String,
    /// The varbinds after `sysUpTime.0` and `snmpTrapOID.0`.
    pub varbinds: Vec<NamedVarBind>,
}

/// A varbind with its MIB name and its formatted value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedVarBind {
    /// The OID, dotted.
    pub oid: String,
    /// `IF-MIB::ifDescr.3`, or the OID when no MIB knows it.
    pub name: String,
    /// The SMI type, as Net-SNMP names it.
    #[serde(rename = "type")]
    pub type_name: String,
    /// The value as `snmptrapd` prints it with MIBs, e.g. `down(2)`.
    pub value: String,
}

impl RuleSpec {
    /// Whether this rule fires for `subject`.
    pub fn fires(&self, subject: &Subject<'_>) -> bool {
        let wanted = match subject.change {
            Change::Raised => self.triggers.raised,
            Change::Repeated => self.triggers.repeated,
            Change::Cleared => self.triggers.cleared,
        };
        self.enabled && wanted && self.condition.holds(subject)
    }
}

impl Condition {
    /// Whether the condition holds for `subject`.
    pub fn holds(&self, subject: &Subject<'_>) -> bool {
        let alarm = subject.alarm;
        match self {
            Self::All(all) => all.iter().all(|c| c.holds(subject)),
            Self::Any(any) => any.iter().any(|c| c.holds(subject)),
            Self::Not(inner) => !inner.holds(subject),
            Self::AlarmType(kind) => alarm_type(alarm) == kind,
            Self::AlarmKey(pattern) => wildcard(pattern, alarm.key.as_str()),
            Self::Device(pattern) => wildcard(pattern, &alarm.device),
            Self::DeviceGroup(group) => subject.device_groups.iter().any(|g| g == group),
            Self::MinSeverity(min) => alarm.severity >= *min,
            Self::Source(source) => alarm.source == *source,
            Self::NotificationOid(prefix) => subject.notification.is_some_and(|n| {
                let prefix = prefix.trim_start_matches('.');
                n.oid == prefix || n.oid.starts_with(&format!("{prefix}."))
            }),
            Self::NotificationName(name) => subject
                .notification
                .is_some_and(|n| same_name(&n.name, name)),
            Self::Varbind(test) => subject
                .notification
                .is_some_and(|n| n.varbinds.iter().any(|v| test.holds(v))),
        }
    }
}

impl VarbindTest {
    /// Whether `varbind` is this test's object and its value passes.
    pub fn holds(&self, varbind: &NamedVarBind) -> bool {
        if !names_object(varbind, &self.object) {
            return false;
        }
        let value = varbind.value.trim_matches('"');
        match self.op {
            VarbindOp::Equals => value_equals(value, &self.value),
            VarbindOp::NotEquals => !value_equals(value, &self.value),
            VarbindOp::Contains => value.contains(&self.value),
            VarbindOp::Matches => wildcard(&self.value, value),
        }
    }
}

/// The alarm's type: its key up to the first `/` (`linkDown` of `linkDown/r1/3`).
pub fn alarm_type(alarm: &Alarm) -> &str {
    let key = alarm.key.as_str();
    key.split_once('/').map_or(key, |(kind, _)| kind)
}

/// Whether `name` (`IF-MIB::linkDown`) is `wanted`, with or without its module.
fn same_name(name: &str, wanted: &str) -> bool {
    name == wanted
        || name
            .split_once("::")
            .is_some_and(|(_, short)| short == wanted)
}

/// Whether `object` names the varbind: its full or short MIB name with or without the
/// instance, or a numeric prefix of its OID.
fn names_object(varbind: &NamedVarBind, object: &str) -> bool {
    let below = |full: &str, prefix: &str| {
        full == prefix
            || full
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('.'))
    };
    if object.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return below(&varbind.oid, object.trim_start_matches('.'));
    }
    let short = varbind
        .name
        .split_once("::")
        .map_or(varbind.name.as_str(), |(_, short)| short);
    below(&varbind.name, object) || below(short, object)
}

/// Equality of a formatted value with a wanted text: the whole value, the label of
/// `label(n)`, or its number.
fn value_equals(value: &str, wanted: &str) -> bool {
    if value == wanted {
        return true;
    }
    match value.strip_suffix(')').and_then(|v| v.split_once('(')) {
        Some((label, number)) => label == wanted || number == wanted,
        None => false,
    }
}

/// Glob matching with `*` (any run, possibly empty); everything else literal.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return text.is_empty();
    };
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
pub(crate) mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::alarm::{AlarmId, AlarmKey, AlarmState};
    use crate::time::Timestamp;

    pub(crate) fn alarm(key: &str, device: &str, severity: Severity) -> Alarm {
        Alarm {
            id: AlarmId(1),
            key: AlarmKey::new(key),
            device: device.into(),
            source: Source::Trap,
            severity,
            state: AlarmState::Active,
            count: 1,
            first_seen: Timestamp(0),
            last_seen: Timestamp(0),
            text: "t".into(),
            acknowledged_by: None,
            acknowledged_at: None,
            cleared_by: None,
            cleared_at: None,
        }
    }

    fn link_down() -> NotificationFacts {
        NotificationFacts {
            oid: "1.3.6.1.6.3.1.1.5.3".into(),
            name: "IF-MIB::linkDown".into(),
            source: "192.0.2.1:161".into(),
            varbinds: vec![
                NamedVarBind {
                    oid: "1.3.6.1.2.1.2.2.1.1.3".into(),
                    name: "IF-MIB::ifIndex.3".into(),
                    type_name: "INTEGER".into(),
                    value: "3".into(),
                },
                NamedVarBind {
                    oid: "1.3.6.1.2.1.2.2.1.7.3".into(),
                    name: "IF-MIB::ifAdminStatus.3".into(),
                    type_name: "INTEGER".into(),
                    value: "up(1)".into(),
                },
            ],
        }
    }

    fn rule(condition: Condition) -> RuleSpec {
        RuleSpec {
            name: "r".into(),
            enabled: true,
            condition,
            triggers: Triggers::default(),
            actions: vec!["mail".into()],
            grouping: Grouping::default(),
        }
    }

    #[test]
    fn conditions_over_the_alarm_and_the_notification() {
        let alarm = alarm("linkDown/core-1/3", "core-1", Severity::Major);
        let facts = link_down();
        let groups = vec!["core".to_owned()];
        let subject = Subject {
            change: Change::Raised,
            alarm: &alarm,
            device_groups: &groups,
            notification: Some(&facts),
        };
        let varbind = |object: &str, op, value: &str| {
            Condition::Varbind(VarbindTest {
                object: object.into(),
                op,
                value: value.into(),
            })
        };
        let holding = [
            Condition::default(),
            Condition::AlarmType("linkDown".into()),
            Condition::AlarmKey("linkDown/core-*".into()),
            Condition::Device("core-?".replace('?', "*")),
            Condition::DeviceGroup("core".into()),
            Condition::MinSeverity(Severity::Minor),
            Condition::Source(Source::Trap),
            Condition::NotificationOid("1.3.6.1.6.3.1.1.5".into()),
            Condition::NotificationOid(".1.3.6.1.6.3.1.1.5.3".into()),
            Condition::NotificationName("IF-MIB::linkDown".into()),
            Condition::NotificationName("linkDown".into()),
            varbind("ifAdminStatus", VarbindOp::Equals, "up"),
            varbind("IF-MIB::ifAdminStatus.3", VarbindOp::Equals, "1"),
            varbind("1.3.6.1.2.1.2.2.1.1", VarbindOp::Equals, "3"),
            varbind("ifIndex", VarbindOp::NotEquals, "4"),
            varbind("ifAdminStatus", VarbindOp::Contains, "up"),
            Condition::Any(vec![
                Condition::Device("edge-*".into()),
                Condition::Source(Source::Trap),
            ]),
            Condition::Not(Box::new(Condition::Any(Vec::new()))),
        ];
        for condition in holding {
            assert!(condition.holds(&subject), "{condition:?}");
        }
        let failing = [
            Condition::AlarmType("link".into()),
            Condition::Device("edge-*".into()),
            Condition::DeviceGroup("edge".into()),
            Condition::MinSeverity(Severity::Critical),
            Condition::Source(Source::Poll),
            Condition::NotificationOid("1.3.6.1.6.3.1.1.5.30".into()),
            Condition::NotificationName("linkUp".into()),
            varbind("ifAdminStatus", VarbindOp::Equals, "down"),
            varbind("ifIndex.3", VarbindOp::Equals, "4"),
            varbind("ifAlias", VarbindOp::NotEquals, "x"),
            Condition::All(vec![
                Condition::Device("core-1".into()),
                Condition::Source(Source::Poll),
            ]),
            Condition::Any(Vec::new()),
        ];
        for condition in failing {
            assert!(!condition.holds(&subject), "{condition:?}");
        }
    }

    #[test]
    fn triggers_and_enabled_gate_the_rule() {
        let alarm = alarm("linkDown/core-1/3", "core-1", Severity::Major);
        let subject = |change| Subject {
            change,
            alarm: &alarm,
            device_groups: &[],
            notification: None,
        };
        let mut r = rule(Condition::default());
        assert!(r.fires(&subject(Change::Raised)));
        assert!(!r.fires(&subject(Change::Repeated)));
        assert!(r.fires(&subject(Change::Cleared)));
        r.triggers.repeated = true;
        assert!(r.fires(&subject(Change::Repeated)));
        r.enabled = false;
        assert!(!r.fires(&subject(Change::Raised)));
        // Notification conditions never hold without a notification (poll or system alarms).
        let r = rule(Condition::NotificationName("linkDown".into()));
        assert!(!r.fires(&subject(Change::Raised)));
    }

    #[test]
    fn rules_read_from_json_with_defaults() {
        let json = r#"{"name":"links","condition":{"all":[{"alarm_type":"linkDown"},
            {"varbind":{"object":"ifAdminStatus","op":"equals","value":"up"}}]},
            "actions":["noc-mail"]}"#;
        let r: RuleSpec = serde_json::from_str(json).unwrap();
        assert!(r.enabled);
        assert_eq!(r.triggers, Triggers::default());
        assert_eq!(r.grouping, Grouping::default());
        assert!(
            serde_json::from_str::<RuleSpec>(r#"{"name":"x","actions":[],"bogus":1}"#).is_err()
        );
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("*", ""));
        assert!(wildcard("a*c", "abbbc"));
        assert!(wildcard("a*b*c", "abc"));
        assert!(!wildcard("a*c", "ab"));
        assert!(!wildcard("abc", "abcd"));
        assert!(wildcard("*-1", "core-1"));
        assert!(!wildcard("a*a", "a"));
    }

    proptest! {
        #[test]
        fn a_literal_pattern_matches_only_itself(a in "[a-z/.-]{0,12}", b in "[a-z/.-]{0,12}") {
            prop_assert_eq!(wildcard(&a, &b), a == b);
        }

        #[test]
        fn star_prefix_and_suffix_match_what_they_surround(a in "[a-z]{0,6}", b in "[a-z]{0,6}", c in "[a-z]{0,6}") {
            let text = format!("{a}{b}{c}");
            let pattern = format!("{a}*{c}");
            prop_assert!(wildcard(&pattern, &text));
            prop_assert!(wildcard("*", &text));
        }
    }
}
