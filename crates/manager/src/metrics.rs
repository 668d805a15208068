//! vigie's own counters, and their Prometheus text exposition (format 0.0.4).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::alarm::Severity;
use crate::event::SnmpVersion;
use crate::status::{Health, StatusRegistry};

/// Counters shared by the components that count and `/metrics` that reads them.
#[derive(Debug, Default)]
pub struct Metrics {
    received: [AtomicU64; 3],
    dropped: [AtomicU64; DropReason::ALL.len()],
    stored: AtomicU64,
}

/// Why a notification was dropped; every drop is counted under one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DropReason {
    /// Not authorised: unknown community or user, or outside the notify view.
    Unauthorised,
    /// Not a valid SNMP message.
    Malformed,
    /// The intake queue was full.
    QueueFull,
    /// The store refused it (informs are then left unacknowledged).
    StoreFailed,
}

impl Metrics {
    /// Counts a received notification.
    pub fn received(&self, version: SnmpVersion) {
        let index = match version {
            SnmpVersion::V1 => 0,
            SnmpVersion::V2c => 1,
            SnmpVersion::V3 => 2,
        };
        if let Some(counter) = self.received.get(index) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts a dropped notification.
    pub fn dropped(&self, reason: DropReason) {
        if let Some(counter) = self.dropped.get(reason.index()) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Counts stored events.
    pub fn stored(&self, events: u64) {
        self.stored.fetch_add(events, Ordering::Relaxed);
    }

    /// The exposition: the counters, the open alarms by severity and each component's health.
    pub fn render(&self, alarms: &[(Severity, usize)], status: &StatusRegistry) -> String {
        let mut out = String::new();
        header(
            &mut out,
            "vigie_notifications_received_total",
            "Notifications received, by SNMP version.",
            "counter",
        );
        for (version, counter) in ["v1", "v2c", "v3"].iter().zip(&self.received) {
            let value = counter.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "vigie_notifications_received_total{{version=\"{version}\"}} {value}"
            );
        }
        header(
            &mut out,
            "vigie_notifications_dropped_total",
            "Notifications dropped, by reason.",
            "counter",
        );
        for (reason, counter) in DropReason::ALL.iter().zip(&self.dropped) {
            let value = counter.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "vigie_notifications_dropped_total{{reason=\"{}\"}} {value}",
                reason.name()
            );
        }
        header(
            &mut out,
            "vigie_events_stored_total",
            "Notifications stored as events.",
            "counter",
        );
        let _ = writeln!(
            out,
            "vigie_events_stored_total {}",
            self.stored.load(Ordering::Relaxed)
        );
        header(
            &mut out,
            "vigie_alarms_open",
            "Open alarms (active or acknowledged), by severity.",
            "gauge",
        );
        for (severity, count) in alarms {
            let _ = writeln!(
                out,
                "vigie_alarms_open{{severity=\"{}\"}} {count}",
                severity.name()
            );
        }
        header(
            &mut out,
            "vigie_component_up",
            "1 when the component is up, 0 when it is down.",
            "gauge",
        );
        for (name, component) in status.snapshot() {
            let up = u8::from(component.status == Health::Up);
            let _ = writeln!(
                out,
                "vigie_component_up{{component=\"{}\"}} {up}",
                escape_label(&name)
            );
        }
        out
    }
}

impl DropReason {
    /// Every reason, in exposition order.
    pub const ALL: [Self; 4] = [
        Self::Unauthorised,
        Self::Malformed,
        Self::QueueFull,
        Self::StoreFailed,
    ];

    /// The label value.
    pub fn name(self) -> &'static str {
        match self {
            Self::Unauthorised => "unauthorised",
            Self::Malformed => "malformed",
            Self::QueueFull => "queue_full",
            Self::StoreFailed => "store_failed",
        }
    }

    fn index(self) -> usize {
        match self {
            Self::Unauthorised => 0,
            Self::Malformed => 1,
            Self::QueueFull => 2,
            Self::StoreFailed => 3,
        }
    }
}

// Writing to a String cannot fail: the `let _ =` above and below discard an always-Ok result.
fn header(out: &mut String, name: &str, help: &str, kind: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value with `\`, `"` and newlines escaped, as the text format requires.
fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Timestamp;

    #[test]
    fn renders_counters_alarms_and_components() {
        let metrics = Metrics::default();
        metrics.received(SnmpVersion::V2c);
        metrics.received(SnmpVersion::V2c);
        metrics.dropped(DropReason::Unauthorised);
        metrics.stored(2);
        let status = StatusRegistry::new();
        status.set_down("receiver \"udp\"", "permission denied", Timestamp(0));
        let text = metrics.render(&[(Severity::Major, 3)], &status);
        for line in [
            "vigie_notifications_received_total{version=\"v2c\"} 2",
            "vigie_notifications_received_total{version=\"v1\"} 0",
            "vigie_notifications_dropped_total{reason=\"unauthorised\"} 1",
            "vigie_notifications_dropped_total{reason=\"queue_full\"} 0",
            "vigie_events_stored_total 2",
            "vigie_alarms_open{severity=\"major\"} 3",
            "vigie_component_up{component=\"receiver \\\"udp\\\"\"} 0",
            "# TYPE vigie_alarms_open gauge",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in\n{text}"
            );
        }
    }
}
