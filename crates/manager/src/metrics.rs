//! vigie's own counters, and their Prometheus text exposition (format 0.0.4).

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Mutex;
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
    /// Notifications in the intake journal not yet stored as events.
    journal_backlog: AtomicU64,
    /// The receiver's sockets, whose kernel receive-buffer drops are read at each scrape.
    sockets: Mutex<Vec<SocketAddr>>,
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

    /// The notifications in the intake journal not yet stored as events, now.
    pub fn journal_backlog(&self, waiting: u64) {
        self.journal_backlog.store(waiting, Ordering::Relaxed);
    }

    /// The receiver's bound sockets: the datagrams the kernel dropped because their receive
    /// buffer was full, before vigie could read them, are read from `/proc/net/udp` and
    /// `/proc/net/udp6` at each scrape.
    pub fn watch_sockets(&self, sockets: &[SocketAddr]) {
        if let Ok(mut watched) = self.sockets.lock() {
            watched.clone_from(&sockets.to_vec());
        }
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
        let sockets = self
            .sockets
            .lock()
            .map(|sockets| sockets.clone())
            .unwrap_or_default();
        if !sockets.is_empty() {
            header(
                &mut out,
                "vigie_receiver_kernel_drops_total",
                "Datagrams the kernel dropped at a receiver socket whose buffer was full.",
                "counter",
            );
            let v4 = std::fs::read_to_string("/proc/net/udp").unwrap_or_default();
            let v6 = std::fs::read_to_string("/proc/net/udp6").unwrap_or_default();
            for socket in sockets {
                let table = if socket.is_ipv4() { &v4 } else { &v6 };
                let drops = kernel_drops(table, socket.port());
                let _ = writeln!(
                    out,
                    "vigie_receiver_kernel_drops_total{{socket=\"udp:{}\"}} {drops}",
                    escape_label(&socket.to_string())
                );
            }
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
            "vigie_journal_backlog",
            "Notifications journaled and not yet stored as events.",
            "gauge",
        );
        let _ = writeln!(
            out,
            "vigie_journal_backlog {}",
            self.journal_backlog.load(Ordering::Relaxed)
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

/// The drops of the sockets bound to `port` in a `/proc/net/udp` or `/proc/net/udp6` table:
/// the last column (`drops`, the socket's `sk_drops`) of the lines whose local address ends
/// in `:PORT` (hexadecimal).
fn kernel_drops(table: &str, port: u16) -> u64 {
    let port = format!(":{port:04X}");
    table
        .lines()
        .skip(1)
        .filter(|line| {
            line.split_whitespace()
                .nth(1)
                .is_some_and(|local| local.ends_with(&port))
        })
        .filter_map(|line| line.split_whitespace().last()?.parse::<u64>().ok())
        .sum()
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

    #[test]
    fn kernel_drops_are_read_from_the_socket_table() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n\
              7: 0100007F:27D8 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4711 2 0000000000000000 1234\n\
              9: 00000000:00A2 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4712 2 0000000000000000 0\n";
        assert_eq!(kernel_drops(table, 10200), 1234);
        assert_eq!(kernel_drops(table, 162), 0);
        assert_eq!(kernel_drops(table, 161), 0);
        assert_eq!(kernel_drops("", 162), 0);
    }

    #[test]
    fn watched_sockets_count_what_the_kernel_dropped() {
        let metrics = Metrics::default();
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let address = socket.local_addr().unwrap();
        metrics.watch_sockets(&[address]);
        // Never read: past the receive buffer, loopback drops the rest at once.
        let sender = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        for _ in 0..2_000 {
            let _ = sender.send_to(&[0_u8; 1400], address);
        }
        let text = metrics.render(&[], &StatusRegistry::new());
        let prefix = format!("vigie_receiver_kernel_drops_total{{socket=\"udp:{address}\"}} ");
        let drops: u64 = text
            .lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("no line for {address}: {text}"))
            .parse()
            .unwrap();
        assert!(drops > 0, "{text}");
    }
}
