//! Alarms: the pure state machine that turns events into decisions.
//!
//! An [`AlarmBook`] holds the open alarms (active or acknowledged) and applies
//! [`AlarmEvent`]s: a raise opens an alarm or counts a repeat of the open one with the same
//! [`AlarmKey`], a clear closes it, an acknowledgement records who saw it. Each call returns a
//! [`Decision`] that the shell stores. Nothing here reads the clock or touches storage: the time
//! is an argument.
//!
//! Severities follow ITU-T X.733 §8.1.2.3 (perceived severity), ordered from `Cleared` to
//! `Critical`.

mod book;
mod system;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

pub use book::{AlarmBook, Decision, Unchanged};
pub use system::SystemAlarm;

/// An alarm's identity, allocated by the [`AlarmBook`] and kept by the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AlarmId(pub i64);

impl fmt::Display for AlarmId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The de-duplication key: raises with the same key count as repeats of one alarm.
///
/// Built from what identifies the fault, e.g. `linkDown/192.0.2.1/ifIndex=3`, never from
/// what changes between repeats (time, uptime).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AlarmKey(String);

impl AlarmKey {
    /// A key from its text.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AlarmKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an alarm came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A received trap or inform.
    Trap,
    /// A polled value (threshold, reachability).
    Poll,
    /// vigie itself (a receiver that cannot bind, a full queue, a failing channel).
    System,
}

/// Perceived severity (ITU-T X.733 §8.1.2.3), ordered: `Cleared < Info < … < Critical`.
///
/// X.733's "indeterminate" is `Info` here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The fault is gone.
    Cleared,
    /// Worth recording, no action needed.
    Info,
    /// A potential fault, before it affects service.
    Warning,
    /// A fault that does not affect service yet.
    Minor,
    /// Service is degraded.
    Major,
    /// Service is out; act now.
    Critical,
}

impl Severity {
    /// Every severity, from `Cleared` to `Critical`.
    pub const ALL: [Self; 6] = [
        Self::Cleared,
        Self::Info,
        Self::Warning,
        Self::Minor,
        Self::Major,
        Self::Critical,
    ];

    /// The lowercase name used in the API, the store and metrics labels.
    pub fn name(self) -> &'static str {
        match self {
            Self::Cleared => "cleared",
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Minor => "minor",
            Self::Major => "major",
            Self::Critical => "critical",
        }
    }
}

/// Where an alarm is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlarmState {
    /// Open and not yet seen by an operator.
    Active,
    /// Open, and an operator has said they are on it.
    Acknowledged,
    /// Closed: by its clearing event, a clear of the same key, or an operator.
    Cleared,
}

impl AlarmState {
    /// The lowercase name used in the API and the store.
    pub fn name(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Acknowledged => "acknowledged",
            Self::Cleared => "cleared",
        }
    }

    /// Whether the alarm is still open (active or acknowledged).
    pub fn is_open(self) -> bool {
        self != Self::Cleared
    }
}

/// An alarm: one fault on one device, however many times it was raised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alarm {
    /// Its identity.
    pub id: AlarmId,
    /// The de-duplication key.
    pub key: AlarmKey,
    /// The device it is about: its inventory name or address, or `vigie` for system alarms.
    pub device: String,
    /// Trap, poll or system.
    pub source: Source,
    /// The severity of the last raise.
    pub severity: Severity,
    /// Active, acknowledged or cleared.
    pub state: AlarmState,
    /// How many raises it has seen (1 when new).
    pub count: u64,
    /// When it was first raised.
    pub first_seen: Timestamp,
    /// When it was last raised.
    pub last_seen: Timestamp,
    /// What the last raise said.
    pub text: String,
    /// Who acknowledged it, if anyone.
    pub acknowledged_by: Option<String>,
    /// When it was acknowledged.
    pub acknowledged_at: Option<Timestamp>,
    /// What cleared it: an operator's name or the clearing event's description.
    pub cleared_by: Option<String>,
    /// When it was cleared.
    pub cleared_at: Option<Timestamp>,
}

/// What a raise says about a fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raise {
    /// The de-duplication key.
    pub key: AlarmKey,
    /// The device it is about.
    pub device: String,
    /// Trap, poll or system.
    pub source: Source,
    /// How bad it is; `Cleared` makes the raise a clear of `key`.
    pub severity: Severity,
    /// A human description.
    pub text: String,
}

/// An input of the [`AlarmBook`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlarmEvent {
    /// A fault was seen (again).
    Raise(Raise),
    /// The fault with this key is gone, e.g. linkUp after linkDown.
    Clear {
        /// The key of the alarm to clear.
        key: AlarmKey,
        /// What cleared it, kept in the alarm's `cleared_by`.
        reason: String,
    },
    /// An operator acknowledged an alarm.
    Ack {
        /// The alarm.
        id: AlarmId,
        /// The operator.
        user: String,
    },
    /// An operator cleared an alarm by hand.
    ClearById {
        /// The alarm.
        id: AlarmId,
        /// The operator.
        user: String,
    },
}

/// A text that is not one of the lowercase names of a [`Severity`], [`Source`] or
/// [`AlarmState`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown name {0:?}")]
pub struct UnknownName(pub String);

impl FromStr for Severity {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|severity| severity.name() == s)
            .ok_or_else(|| UnknownName(s.to_owned()))
    }
}

impl Source {
    /// The lowercase name used in the API and the store.
    pub fn name(self) -> &'static str {
        match self {
            Self::Trap => "trap",
            Self::Poll => "poll",
            Self::System => "system",
        }
    }
}

impl FromStr for Source {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Trap, Self::Poll, Self::System]
            .into_iter()
            .find(|source| source.name() == s)
            .ok_or_else(|| UnknownName(s.to_owned()))
    }
}

impl FromStr for AlarmState {
    type Err = UnknownName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Active, Self::Acknowledged, Self::Cleared]
            .into_iter()
            .find(|state| state.name() == s)
            .ok_or_else(|| UnknownName(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_are_ordered_by_seriousness() {
        assert!(Severity::Critical > Severity::Major);
        assert!(Severity::Major > Severity::Minor);
        assert!(Severity::Minor > Severity::Warning);
        assert!(Severity::Warning > Severity::Info);
        assert!(Severity::Info > Severity::Cleared);
    }

    #[test]
    fn names_round_trip() {
        for severity in Severity::ALL {
            assert_eq!(severity.name().parse::<Severity>(), Ok(severity));
        }
        for state in [
            AlarmState::Active,
            AlarmState::Acknowledged,
            AlarmState::Cleared,
        ] {
            assert_eq!(state.name().parse::<AlarmState>(), Ok(state));
        }
        for source in [Source::Trap, Source::Poll, Source::System] {
            assert_eq!(source.name().parse::<Source>(), Ok(source));
        }
        assert_eq!(
            "fatal".parse::<Severity>(),
            Err(UnknownName("fatal".into()))
        );
    }

    #[test]
    fn serde_uses_the_same_names() {
        assert_eq!(
            serde_json::to_string(&Severity::Critical).unwrap(),
            "\"critical\""
        );
        assert_eq!(
            serde_json::to_string(&AlarmState::Acknowledged).unwrap(),
            "\"acknowledged\""
        );
    }
}
