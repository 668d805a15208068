//! Polled values and the poller's counters in the Prometheus text format (0.0.4).
//!
//! Each polled object becomes a metric named after it in snake case (`ifHCInOctets` →
//! `vigie_if_hc_in_octets_total`): counters end in `_total`, `sysUpTime` is given in seconds
//! as `vigie_sys_up_time_seconds`, the rest are gauges. Every sample has a `device` label;
//! IF-MIB rows add `ifIndex` and `ifName`, other table rows an `index`.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use vigie_snmp::Value;

use crate::poller::run::{Shared, Slot, Snapshot};

/// Appends the poller's metrics to `out`.
pub(super) fn render(shared: &Shared, out: &mut String) {
    let stats = shared.stats();
    header(
        out,
        "vigie_poller_polls_total",
        "Device polls made.",
        "counter",
    );
    let _ = writeln!(out, "vigie_poller_polls_total {}", stats.polls);
    header(
        out,
        "vigie_poller_timeouts_total",
        "Polls that got no answer after every retry.",
        "counter",
    );
    let _ = writeln!(out, "vigie_poller_timeouts_total {}", stats.timeouts);
    header(
        out,
        "vigie_poller_errors_total",
        "Polls that failed otherwise (SNMPv3 failures, agent errors, credentials).",
        "counter",
    );
    let _ = writeln!(out, "vigie_poller_errors_total {}", stats.errors);
    header(
        out,
        "vigie_poller_poll_duration_seconds",
        "Time spent polling devices.",
        "summary",
    );
    let sum = shared.counters.duration_ms.load(Ordering::Relaxed);
    let _ = writeln!(
        out,
        "vigie_poller_poll_duration_seconds_sum {}.{:03}",
        sum / 1_000,
        sum % 1_000
    );
    let _ = writeln!(
        out,
        "vigie_poller_poll_duration_seconds_count {}",
        stats.polls
    );
    header(out, "vigie_poller_devices", "Devices polled.", "gauge");
    let _ = writeln!(out, "vigie_poller_devices {}", stats.devices);

    let polled: Vec<(Arc<Slot>, Arc<Snapshot>)> = shared
        .slots()
        .into_iter()
        .filter_map(|slot| {
            let live = slot.live()?;
            Some((slot, live))
        })
        .collect();
    header(
        out,
        "vigie_device_up",
        "1 when the device answered its last poll, 0 when it did not.",
        "gauge",
    );
    for (slot, live) in &polled {
        let _ = writeln!(
            out,
            "vigie_device_up{{device=\"{}\"}} {}",
            escape(&slot.device.name),
            u8::from(live.reachable)
        );
    }
    for (at, object) in shared.config.objects.iter().enumerate() {
        let mut metric: Option<(String, bool)> = None;
        // A device whose last poll failed keeps its last values for the API, but they are
        // not exported as if they were current.
        for (slot, live) in polled.iter().filter(|(_, live)| live.current) {
            let device = escape(&slot.device.name);
            for ((object_at, row), value) in live.values.range((at, Vec::new())..) {
                if *object_at != at {
                    break;
                }
                let Some(sample) = sample_value(value) else {
                    continue;
                };
                let (name, _) = metric.get_or_insert_with(|| {
                    let (name, kind) = metric_name(&object.name, value);
                    header(out, &name, &format!("{} as polled.", object.name), kind);
                    (name, true)
                });
                let mut labels = format!("device=\"{device}\"");
                if let Some(if_index) = shared.if_index(at, row) {
                    let _ = write!(labels, ",ifIndex=\"{if_index}\"");
                    if let Some(label) = live.labels.get(&if_index) {
                        let _ = write!(labels, ",ifName=\"{}\"", escape(label));
                    }
                } else if !row.is_empty() {
                    let index: Vec<String> = row.iter().map(u32::to_string).collect();
                    let _ = write!(labels, ",index=\"{}\"", index.join("."));
                }
                let _ = writeln!(out, "{name}{{{labels}}} {sample}");
            }
        }
    }
}

/// The metric's name and type for an object whose values look like `value`.
fn metric_name(object: &str, value: &Value) -> (String, &'static str) {
    let base = format!("vigie_{}", snake_case(object));
    match value {
        Value::Counter32(_) | Value::Counter64(_) => (format!("{base}_total"), "counter"),
        Value::TimeTicks(_) => (format!("{base}_seconds"), "gauge"),
        _ => (base, "gauge"),
    }
}

/// The sample's text: integers exactly, time ticks in seconds.
fn sample_value(value: &Value) -> Option<String> {
    Some(match *value {
        Value::Integer(value) => value.to_string(),
        Value::Counter32(value) | Value::Gauge32(value) => value.to_string(),
        Value::Counter64(value) => value.to_string(),
        Value::TimeTicks(ticks) => format!("{}.{:02}", ticks / 100, ticks % 100),
        _ => return None,
    })
}

/// `ifHCInOctets` → `if_hc_in_octets`: a word starts at an upper-case letter that follows a
/// lower-case one, or that precedes a lower-case one after an upper-case run.
fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (at, &c) in chars.iter().enumerate() {
        let previous = at.checked_sub(1).and_then(|p| chars.get(p));
        let next = chars.get(at + 1);
        if c.is_ascii_uppercase() {
            let starts_word = previous
                .is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
                || (previous.is_some_and(char::is_ascii_uppercase)
                    && next.is_some_and(char::is_ascii_lowercase));
            if starts_word {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push('_');
        }
    }
    out
}

// Writing to a String cannot fail: the `let _ =` discard an always-Ok result.
fn header(out: &mut String, name: &str, help: &str, kind: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value with `\`, `"` and newlines escaped, as the text format requires.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_snake_case_with_the_prometheus_suffixes() {
        assert_eq!(snake_case("ifHCInOctets"), "if_hc_in_octets");
        assert_eq!(snake_case("ifInOctets"), "if_in_octets");
        assert_eq!(snake_case("sysUpTime"), "sys_up_time");
        assert_eq!(snake_case("hrProcessorLoad"), "hr_processor_load");
        assert_eq!(snake_case("ifOperStatus"), "if_oper_status");
        assert_eq!(
            metric_name("ifInOctets", &Value::Counter32(1)),
            ("vigie_if_in_octets_total".to_owned(), "counter")
        );
        assert_eq!(
            metric_name("sysUpTime", &Value::TimeTicks(1)),
            ("vigie_sys_up_time_seconds".to_owned(), "gauge")
        );
        assert_eq!(
            metric_name("ifOperStatus", &Value::Integer(1)),
            ("vigie_if_oper_status".to_owned(), "gauge")
        );
        assert_eq!(
            sample_value(&Value::TimeTicks(12_345)).as_deref(),
            Some("123.45")
        );
        assert_eq!(
            sample_value(&Value::Counter64(u64::MAX)).as_deref(),
            Some("18446744073709551615")
        );
        assert_eq!(escape("a\"b\\"), "a\\\"b\\\\");
    }
}
