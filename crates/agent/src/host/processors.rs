//! Processors: per-CPU time from `/proc/stat` for `hrProcessorLoad`, and the description
//! of each CPU from `/proc/cpuinfo` for `hrDeviceDescr` (HOST-RESOURCES-MIB, RFC 2790).

use std::collections::VecDeque;
use std::time::Duration;
use std::time::Instant;

use super::HostPaths;

/// The cumulative times of one CPU, in clock ticks, from a `cpuN` line of `/proc/stat`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CpuTimes {
    /// Ticks spent doing anything but idling (user, nice, system, irq, softirq, steal).
    pub busy: u64,
    /// Ticks spent idle or waiting for I/O.
    pub idle: u64,
}

impl CpuTimes {
    /// All ticks.
    pub fn total(&self) -> u64 {
        self.busy.saturating_add(self.idle)
    }
}

/// Parses the per-CPU lines (`cpu0`, `cpu1`, …) of `/proc/stat`, in `N` order, leaving out
/// the aggregate `cpu` line and lines that do not carry at least four numbers.
pub fn parse_stat(text: &str) -> Vec<CpuTimes> {
    let mut cpus: Vec<(u32, CpuTimes)> = text.lines().filter_map(parse_cpu_line).collect();
    cpus.sort_by_key(|&(number, _)| number);
    cpus.dedup_by_key(|&mut (number, _)| number);
    cpus.into_iter().map(|(_, times)| times).collect()
}

/// The `hrDeviceDescr` of each CPU from `/proc/cpuinfo`: `"<vendor_id>: <model name>"`,
/// as Net-SNMP writes it, one per `processor` block, in file order. A block without a
/// model name gives `"An unknown processor"`.
pub fn parse_cpuinfo(text: &str) -> Vec<String> {
    text.split("\n\n")
        .filter(|block| block.lines().any(|line| key_of(line) == Some("processor")))
        .map(|block| {
            let field = |wanted: &str| {
                block.lines().find_map(|line| {
                    let (key, value) = line.split_once(':')?;
                    (key.trim() == wanted).then(|| value.trim().to_owned())
                })
            };
            match (field("vendor_id"), field("model name")) {
                (Some(vendor), Some(model)) => format!("{vendor}: {model}"),
                (None, Some(model)) => model,
                _ => UNKNOWN_PROCESSOR.to_owned(),
            }
        })
        .collect()
}

/// Per-CPU load over the last minute, from samples of `/proc/stat` taken at given times.
///
/// `hrProcessorLoad` is "the average, over the last minute, of the percentage of time that
/// this processor was not idle" (RFC 2790): [`loads`](Self::loads) compares the newest
/// sample with the oldest one kept, the latest that is at least a minute old. With samples
/// every few seconds the average spans about a minute; with sparser samples it spans the
/// time since the previous one. Until two samples exist, the load is the average since
/// boot.
#[derive(Clone, Debug, Default)]
pub struct LoadTracker {
    samples: VecDeque<(Instant, Vec<CpuTimes>)>,
}

impl LoadTracker {
    /// An empty tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the sample `cpus` taken at `now`, and forgets the samples that fell out of
    /// the one-minute window. Samples must come in time order; an older one is ignored.
    pub fn record(&mut self, now: Instant, cpus: Vec<CpuTimes>) {
        if self.samples.back().is_some_and(|&(last, _)| now < last) {
            return;
        }
        self.samples.push_back((now, cpus));
        // Keep the newest sample that is at least a minute old: it anchors the window.
        while self.samples.len() > 1
            && self
                .samples
                .get(1)
                .is_some_and(|&(time, _)| now.saturating_duration_since(time) >= WINDOW)
        {
            self.samples.pop_front();
        }
        while self.samples.len() > MAX_SAMPLES {
            self.samples.pop_front();
        }
    }

    /// Whether the newest sample is older than `interval` at `now` (or there is none):
    /// the caller then reads `/proc/stat` and [`record`](Self::record)s.
    pub fn due(&self, now: Instant, interval: Duration) -> bool {
        self.samples
            .back()
            .is_none_or(|&(last, _)| now.saturating_duration_since(last) >= interval)
    }

    /// The load of each CPU of the newest sample, in percent (0..=100).
    pub fn loads(&self) -> Vec<u8> {
        let Some((_, newest)) = self.samples.back() else {
            return Vec::new();
        };
        let oldest = match self.samples.front() {
            Some((_, oldest)) if self.samples.len() > 1 => Some(oldest),
            _ => None,
        };
        newest
            .iter()
            .enumerate()
            .map(|(cpu, now)| {
                let then = oldest
                    .and_then(|old| old.get(cpu))
                    .copied()
                    .unwrap_or_default();
                percent(
                    now.busy.saturating_sub(then.busy),
                    now.total().saturating_sub(then.total()),
                )
            })
            .collect()
    }
}

/// Reads the per-CPU times of the host (empty when `/proc/stat` is unreadable).
pub fn read_cpu_times(paths: &HostPaths) -> Vec<CpuTimes> {
    paths
        .proc_text("stat")
        .map(|text| parse_stat(&text))
        .unwrap_or_default()
}

/// Reads the CPU descriptions of the host (empty when `/proc/cpuinfo` is unreadable).
pub fn read_cpu_descriptions(paths: &HostPaths) -> Vec<String> {
    paths
        .proc_text("cpuinfo")
        .map(|text| parse_cpuinfo(&text))
        .unwrap_or_default()
}

/// A `cpuN user nice system idle [iowait irq softirq steal …]` line.
fn parse_cpu_line(line: &str) -> Option<(u32, CpuTimes)> {
    let mut fields = line.split_whitespace();
    let number = fields.next()?.strip_prefix("cpu")?.parse::<u32>().ok()?;
    let mut values = [0_u64; 8];
    let mut count = 0;
    for (slot, field) in values.iter_mut().zip(fields) {
        *slot = field.parse().ok()?;
        count += 1;
    }
    if count < 4 {
        return None;
    }
    let [user, nice, system, idle, iowait, irq, softirq, steal] = values;
    let busy = [user, nice, system, irq, softirq, steal]
        .into_iter()
        .fold(0_u64, u64::saturating_add);
    Some((
        number,
        CpuTimes {
            busy,
            idle: idle.saturating_add(iowait),
        },
    ))
}

/// The key of a `key : value` line.
fn key_of(line: &str) -> Option<&str> {
    line.split_once(':').map(|(key, _)| key.trim())
}

/// `part` as a percentage of `whole`, rounded down, 0 when `whole` is 0.
fn percent(part: u64, whole: u64) -> u8 {
    if whole == 0 {
        return 0;
    }
    let value = u128::from(part.min(whole)) * 100 / u128::from(whole);
    u8::try_from(value).unwrap_or(100)
}

/// The averaging window of `hrProcessorLoad`.
const WINDOW: Duration = Duration::from_secs(60);
/// A bound on kept samples, whatever the sampling rate.
const MAX_SAMPLES: usize = 120;
/// Net-SNMP's description of a CPU it cannot name.
const UNKNOWN_PROCESSOR: &str = "An unknown processor";

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn fixture(name: &str) -> String {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/host/proc")
            .join(name);
        std::fs::read_to_string(path).unwrap()
    }

    fn cpu(busy: u64, idle: u64) -> CpuTimes {
        CpuTimes { busy, idle }
    }

    #[test]
    fn parses_captured_stat() {
        let cpus = parse_stat(&fixture("stat"));
        assert_eq!(cpus.len(), 2);
        // cpu0 98566 0 21484 159763 2232 0 1924 1011 …
        assert_eq!(
            cpus[0],
            cpu(98_566 + 21_484 + 1_924 + 1_011, 159_763 + 2_232)
        );
    }

    #[test]
    fn stat_edge_cases() {
        let text = "cpu 1 2 3 4\ncpu1 1 1 1 1\ncpu0 5 0 0 5 0 0 0 0 0 0\ncpu2 1 2\n\
                    cpuX 1 2 3 4\ncpu3 1 2 x 4\nintr 1 2 3\ncpu1 9 9 9 9\n";
        // Old kernels give only four fields; garbage lines and the aggregate are skipped.
        assert_eq!(parse_stat(text), [cpu(5, 5), cpu(3, 1)]);
        assert!(parse_stat("").is_empty());
        let huge = format!("cpu0 {} {} 0 0\n", u64::MAX, u64::MAX);
        assert_eq!(parse_stat(&huge)[0].busy, u64::MAX);
    }

    #[test]
    fn parses_captured_cpuinfo() {
        assert_eq!(
            parse_cpuinfo(&fixture("cpuinfo")),
            ["AuthenticAMD: AMD EPYC", "AuthenticAMD: AMD EPYC"]
        );
        let arm = "processor\t: 0\nBogoMIPS\t: 48.00\n\nprocessor\t: 1\nmodel name\t: Cortex\n\n";
        assert_eq!(parse_cpuinfo(arm), ["An unknown processor", "Cortex"]);
        assert!(parse_cpuinfo("garbage").is_empty());
    }

    #[test]
    fn load_since_boot_then_over_the_window() {
        let start = Instant::now();
        let mut tracker = LoadTracker::new();
        assert!(tracker.loads().is_empty());
        assert!(tracker.due(start, Duration::from_secs(5)));
        tracker.record(start, vec![cpu(25, 75), cpu(0, 0)]);
        assert_eq!(tracker.loads(), [25, 0]);
        assert!(!tracker.due(start + Duration::from_secs(1), Duration::from_secs(5)));
        tracker.record(
            start + Duration::from_secs(30),
            vec![cpu(125, 75), cpu(10, 30)],
        );
        assert_eq!(tracker.loads(), [100, 25]);
        // 90 s after start the first sample is out of the window; the one at 30 s anchors it.
        tracker.record(
            start + Duration::from_secs(90),
            vec![cpu(125, 175), cpu(10, 130)],
        );
        assert_eq!(tracker.loads(), [0, 0]);
        tracker.record(
            start + Duration::from_secs(100),
            vec![cpu(175, 175), cpu(60, 130)],
        );
        assert_eq!(tracker.loads(), [33, 33]);
        // A sample from the past is ignored.
        tracker.record(start, vec![cpu(0, 0), cpu(0, 0)]);
        assert_eq!(tracker.loads(), [33, 33]);
    }

    #[test]
    fn samples_stay_bounded_and_counters_may_reset() {
        let start = Instant::now();
        let mut tracker = LoadTracker::new();
        for ms in 0..1_000_u64 {
            tracker.record(start + Duration::from_millis(ms), vec![cpu(ms, ms)]);
        }
        assert!(tracker.samples.len() <= MAX_SAMPLES);
        // Counters lower than before (CPU hot-plug): no underflow, no panic.
        tracker.record(start + Duration::from_secs(2), vec![cpu(0, 0), cpu(5, 5)]);
        assert_eq!(tracker.loads(), [0, 50]);
        assert_eq!(percent(5, 0), 0);
        assert_eq!(percent(7, 3), 100);
    }
}
