//! Threshold rules on polled values: raise after N consecutive breaches, clear at the first
//! poll that no longer breaches.
//!
//! A rule names a polled object (`ifOperStatus`, `ifHCInOctets`, `hrProcessorLoad`), whether
//! it applies to the value or to its rate per second, a condition, how many consecutive polls
//! must breach it, and a severity; an optional guard restricts it to the rows where another
//! column has a given value (`ifOperStatus ≠ up` only where `ifAdminStatus = up`). Each
//! (rule, device, row) is tracked on its own and gives one alarm key.
//!
//! After a start, the first poll that does not breach a rule clears its key once, so an
//! alarm left open by a previous run is closed when the fault is gone.
//!
//! Pure: observations in, [`AlarmEvent`]s out.

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;

use crate::alarm::{AlarmEvent, AlarmKey, Raise, Severity, Source};

/// One threshold rule.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdRule {
    /// The rule's name, part of its alarms' keys, e.g. `if-down`.
    pub name: String,
    /// The polled object it watches, by name (see `PolledObject`).
    pub object: String,
    /// The value itself or its rate per second.
    #[serde(default)]
    pub measure: Measure,
    /// When a reading breaches the rule.
    pub condition: Condition,
    /// How many consecutive breaching polls raise the alarm (at least 1).
    #[serde(default = "one")]
    pub polls: u32,
    /// The severity of the alarm.
    pub severity: Severity,
    /// Only rows where this other object has this value are watched.
    #[serde(default)]
    pub guard: Option<Guard>,
}

/// What a rule compares.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    /// The polled value (a status, a gauge, a counter's raw value).
    #[default]
    Value,
    /// The counter's rate per second between the last two polls.
    Rate,
}

/// A comparison with a number.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Breached when greater than the number.
    Above(f64),
    /// Breached when less than the number.
    Below(f64),
    /// Breached when equal to the number.
    Equal(f64),
    /// Breached when not equal to the number.
    NotEqual(f64),
}

/// A rule's restriction to some rows: `object` in the same row equals `equals`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guard {
    /// The other object, in the same table.
    pub object: String,
    /// The value it must have.
    pub equals: f64,
}

/// One poll's readings of a device: values and rates by (object, row index), and a label
/// per row (an interface's `ifName`) for the alarm texts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observations {
    readings: HashMap<(String, Vec<u32>), Reading>,
    labels: HashMap<Vec<u32>, String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Reading {
    value: Option<f64>,
    rate: Option<f64>,
}

/// The rules' state for one device.
#[derive(Debug, Clone)]
pub struct Thresholds {
    rules: Vec<ThresholdRule>,
    tracks: HashMap<(usize, Vec<u32>), Track>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Track {
    breaches: u32,
    /// Whether the alarm is raised; `None` before the first reading after a start.
    raised: Option<bool>,
}

impl ThresholdRule {
    /// The rule vigie applies by default: an interface that is administratively up but not
    /// operationally up (RFC 2863 §3.1.13) raises a major alarm.
    pub fn interface_down() -> Self {
        Self {
            name: "if-down".to_owned(),
            object: "ifOperStatus".to_owned(),
            measure: Measure::Value,
            condition: Condition::NotEqual(1.0),
            polls: 1,
            severity: Severity::Major,
            guard: Some(Guard {
                object: "ifAdminStatus".to_owned(),
                equals: 1.0,
            }),
        }
    }
}

impl Condition {
    /// Whether `value` breaches the condition.
    pub fn breached_by(self, value: f64) -> bool {
        match self {
            Self::Above(limit) => value > limit,
            Self::Below(limit) => value < limit,
            Self::Equal(limit) => value == limit,
            Self::NotEqual(limit) => value != limit,
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Above(limit) => write!(f, "> {limit}"),
            Self::Below(limit) => write!(f, "< {limit}"),
            Self::Equal(limit) => write!(f, "= {limit}"),
            Self::NotEqual(limit) => write!(f, "≠ {limit}"),
        }
    }
}

impl Observations {
    /// No readings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the value of `object` at row `index` (empty for a scalar).
    pub fn value(&mut self, object: &str, index: &[u32], value: f64) {
        self.reading(object, index).value = Some(value);
    }

    /// Records the rate per second of `object` at row `index`.
    pub fn rate(&mut self, object: &str, index: &[u32], rate: f64) {
        self.reading(object, index).rate = Some(rate);
    }

    /// Names row `index` for people, e.g. the interface's `ifName`.
    pub fn label(&mut self, index: &[u32], label: impl Into<String>) {
        self.labels.insert(index.to_vec(), label.into());
    }

    fn reading(&mut self, object: &str, index: &[u32]) -> &mut Reading {
        self.readings
            .entry((object.to_owned(), index.to_vec()))
            .or_default()
    }

    fn get(&self, object: &str, index: &[u32], measure: Measure) -> Option<f64> {
        // A lookup by borrowed parts would need a custom key type; rows are few per device.
        let reading = self.readings.get(&(object.to_owned(), index.to_vec()))?;
        match measure {
            Measure::Value => reading.value,
            Measure::Rate => reading.rate,
        }
    }
}

impl Thresholds {
    /// The state of `rules` for one device, nothing seen yet.
    pub fn new(rules: Vec<ThresholdRule>) -> Self {
        Self {
            rules,
            tracks: HashMap::new(),
        }
    }

    /// The rules.
    pub fn rules(&self) -> &[ThresholdRule] {
        &self.rules
    }

    /// Applies one poll's `observations` of `device`; returns the raises and clears.
    pub fn evaluate(&mut self, device: &str, observations: &Observations) -> Vec<AlarmEvent> {
        let mut events = Vec::new();
        for (at, rule) in self.rules.iter().enumerate() {
            let mut rows: Vec<&Vec<u32>> = observations
                .readings
                .keys()
                .filter(|(object, _)| *object == rule.object)
                .map(|(_, index)| index)
                .collect();
            rows.sort();
            for index in rows {
                let Some(reading) = observations.get(&rule.object, index, rule.measure) else {
                    continue;
                };
                let guarded = rule.guard.as_ref().is_some_and(|guard| {
                    observations.get(&guard.object, index, Measure::Value) != Some(guard.equals)
                });
                let breached = !guarded && rule.condition.breached_by(reading);
                let track = self.tracks.entry((at, index.clone())).or_default();
                let key = alarm_key(&rule.name, device, index);
                if breached {
                    track.breaches = track.breaches.saturating_add(1);
                    if track.breaches >= rule.polls.max(1) && track.raised != Some(true) {
                        track.raised = Some(true);
                        events.push(AlarmEvent::Raise(Raise {
                            key,
                            device: device.to_owned(),
                            source: Source::Poll,
                            severity: rule.severity,
                            text: describe(rule, index, observations, reading),
                        }));
                    }
                    continue;
                }
                track.breaches = 0;
                if track.raised != Some(false) {
                    track.raised = Some(false);
                    events.push(AlarmEvent::Clear {
                        key,
                        reason: format!("{} no longer {}", rule.object, rule.condition),
                    });
                }
            }
        }
        events
    }
}

/// `threshold/<rule>/<device>` and, for a table row, `/<index>`.
pub fn alarm_key(rule: &str, device: &str, index: &[u32]) -> AlarmKey {
    let mut key = format!("threshold/{rule}/{device}");
    if !index.is_empty() {
        key.push('/');
        key.push_str(&dotted(index));
    }
    AlarmKey::new(key)
}

fn describe(
    rule: &ThresholdRule,
    index: &[u32],
    observations: &Observations,
    value: f64,
) -> String {
    let mut text = rule.object.clone();
    if !index.is_empty() {
        text.push('.');
        text.push_str(&dotted(index));
    }
    if let Some(label) = observations.labels.get(index) {
        text.push_str(&format!(" ({label})"));
    }
    let what = match rule.measure {
        Measure::Value => "is",
        Measure::Rate => "rate is",
    };
    let polls = match rule.polls.max(1) {
        1 => String::new(),
        n => format!(" for {n} polls"),
    };
    format!(
        "{text} {what} {value}, {}{polls} (rule {})",
        rule.condition, rule.name
    )
}

fn dotted(index: &[u32]) -> String {
    index
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

fn one() -> u32 {
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cpu_rule() -> ThresholdRule {
        ThresholdRule {
            name: "cpu".into(),
            object: "hrProcessorLoad".into(),
            measure: Measure::Value,
            condition: Condition::Above(90.0),
            polls: 3,
            severity: Severity::Minor,
            guard: None,
        }
    }

    fn cpu(load: f64) -> Observations {
        let mut observations = Observations::new();
        observations.value("hrProcessorLoad", &[768], load);
        observations
    }

    fn kinds(events: &[AlarmEvent]) -> Vec<String> {
        events
            .iter()
            .map(|event| match event {
                AlarmEvent::Raise(raise) => format!("raise {}", raise.key),
                AlarmEvent::Clear { key, .. } => format!("clear {key}"),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn three_consecutive_breaches_raise_and_one_good_poll_clears() {
        let mut thresholds = Thresholds::new(vec![cpu_rule()]);
        // The first good reading after a start clears any alarm left by a previous run.
        assert_eq!(
            kinds(&thresholds.evaluate("r1", &cpu(10.0))),
            ["clear threshold/cpu/r1/768"]
        );
        assert!(thresholds.evaluate("r1", &cpu(95.0)).is_empty());
        assert!(thresholds.evaluate("r1", &cpu(95.0)).is_empty());
        // An interruption restarts the count.
        assert!(thresholds.evaluate("r1", &cpu(50.0)).is_empty());
        assert!(thresholds.evaluate("r1", &cpu(91.0)).is_empty());
        assert!(thresholds.evaluate("r1", &cpu(92.0)).is_empty());
        let raised = thresholds.evaluate("r1", &cpu(93.0));
        assert_eq!(kinds(&raised), ["raise threshold/cpu/r1/768"]);
        let AlarmEvent::Raise(raise) = &raised[0] else {
            unreachable!()
        };
        assert_eq!(raise.severity, Severity::Minor);
        assert_eq!(raise.source, Source::Poll);
        assert_eq!(
            raise.text,
            "hrProcessorLoad.768 is 93, > 90 for 3 polls (rule cpu)"
        );
        // Raised once, not at every poll.
        assert!(thresholds.evaluate("r1", &cpu(99.0)).is_empty());
        assert_eq!(
            kinds(&thresholds.evaluate("r1", &cpu(20.0))),
            ["clear threshold/cpu/r1/768"]
        );
        assert!(thresholds.evaluate("r1", &cpu(20.0)).is_empty());
    }

    #[test]
    fn interface_down_is_guarded_by_admin_status() {
        let mut thresholds = Thresholds::new(vec![ThresholdRule::interface_down()]);
        let mut observations = Observations::new();
        // eth0 up, eth1 down but up administratively, eth2 shut down.
        for (index, admin, oper) in [(2, 1.0, 1.0), (3, 1.0, 2.0), (4, 2.0, 2.0)] {
            observations.value("ifAdminStatus", &[index], admin);
            observations.value("ifOperStatus", &[index], oper);
        }
        observations.label(&[3], "eth1");
        let events = thresholds.evaluate("sw1", &observations);
        assert_eq!(
            kinds(&events),
            [
                "clear threshold/if-down/sw1/2",
                "raise threshold/if-down/sw1/3",
                "clear threshold/if-down/sw1/4"
            ]
        );
        let AlarmEvent::Raise(raise) = &events[1] else {
            unreachable!()
        };
        assert_eq!(raise.text, "ifOperStatus.3 (eth1) is 2, ≠ 1 (rule if-down)");
    }

    #[test]
    fn rate_rules_wait_for_a_rate() {
        let rule = ThresholdRule {
            name: "in-bps".into(),
            object: "ifHCInOctets".into(),
            measure: Measure::Rate,
            condition: Condition::Above(1e6),
            polls: 1,
            severity: Severity::Warning,
            guard: None,
        };
        let mut thresholds = Thresholds::new(vec![rule]);
        let mut first = Observations::new();
        first.value("ifHCInOctets", &[2], 5e9);
        // No rate yet (first poll, or an agent restart): nothing is decided.
        assert!(thresholds.evaluate("r1", &first).is_empty());
        let mut second = first.clone();
        second.rate("ifHCInOctets", &[2], 2e6);
        assert_eq!(
            kinds(&thresholds.evaluate("r1", &second)),
            ["raise threshold/if-down/r1/2".replace("if-down", "in-bps")]
        );
    }

    #[test]
    fn rules_deserialize_from_their_configuration_form() {
        let rule: ThresholdRule = serde_json::from_value(serde_json::json!({
            "name": "cpu", "object": "hrProcessorLoad", "condition": {"above": 90.0},
            "polls": 3, "severity": "minor"
        }))
        .unwrap();
        assert_eq!(rule, cpu_rule());
        let rule: Result<ThresholdRule, _> = serde_json::from_value(serde_json::json!({
            "name": "x", "object": "y", "condition": {"above": 1.0}, "severity": "minor",
            "typo": 1
        }));
        assert!(rule.is_err());
    }
}
