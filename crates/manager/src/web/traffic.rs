//! The device page's traffic charts: the last [`POINTS`] in/out bit rates of each interface,
//! kept in memory as the poller reports them, drawn as inline SVG polylines (no library, no
//! script: the interface table, refreshed every 5 seconds, redraws them).
//!
//! The poller keeps only its last poll; the history starts when the page is first opened
//! and is bounded ([`MAX_SERIES`] interfaces), so memory stays small whatever the network.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use serde::Serialize;

/// Points per chart.
pub(super) const POINTS: usize = 60;
/// Interfaces followed at most; beyond, new interfaces get no chart.
pub(super) const MAX_SERIES: usize = 4_096;
/// The chart's size in SVG user units.
const WIDTH: f64 = 120.0;
const HEIGHT: f64 = 28.0;

/// One poll's rates, in bits per second.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Point {
    at: i64,
    rx: f64,
    tx: f64,
}

/// The recent rates of every followed interface, by device id and ifIndex.
#[derive(Debug, Default)]
pub(super) struct History {
    series: Mutex<HashMap<(i64, u32), VecDeque<Point>>>,
}

/// A chart ready for the template: polyline points and the peak, for the label.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct Chart {
    /// `x,y x,y …` of the in rate.
    rx: String,
    /// `x,y x,y …` of the out rate.
    tx: String,
    /// The highest rate drawn, in bits per second.
    peak: f64,
    /// How many polls it shows.
    points: usize,
}

impl History {
    /// Records the rates of one interface at `at` (the poll's end, in milliseconds) and
    /// returns its chart. A poll already recorded is not recorded twice.
    pub(super) fn record(
        &self,
        device: i64,
        if_index: u32,
        at: i64,
        rx: f64,
        tx: f64,
    ) -> Option<Chart> {
        let mut series = match self.series.lock() {
            Ok(series) => series,
            Err(poisoned) => poisoned.into_inner(),
        };
        if !series.contains_key(&(device, if_index)) && series.len() >= MAX_SERIES {
            return None;
        }
        let points = series.entry((device, if_index)).or_default();
        if points.back().is_none_or(|last| last.at < at) {
            if points.len() == POINTS {
                points.pop_front();
            }
            points.push_back(Point { at, rx, tx });
        }
        chart(points)
    }
}

/// The chart of `points`, or `None` with fewer than two (a line needs two).
fn chart(points: &VecDeque<Point>) -> Option<Chart> {
    if points.len() < 2 {
        return None;
    }
    let peak = points
        .iter()
        .flat_map(|point| [point.rx, point.tx])
        .filter(|rate| rate.is_finite())
        .fold(0.0_f64, f64::max);
    let scale = if peak > 0.0 { peak } else { 1.0 };
    #[expect(
        clippy::cast_precision_loss,
        reason = "at most POINTS points: exact in f64"
    )]
    let step = WIDTH / (POINTS - 1) as f64;
    // Right-aligned: the newest point at the right edge.
    let offset = POINTS - points.len();
    let line = |rate: fn(&Point) -> f64| {
        points
            .iter()
            .enumerate()
            .map(|(index, point)| {
                #[expect(
                    clippy::cast_precision_loss,
                    reason = "at most POINTS points: exact in f64"
                )]
                let x = (offset + index) as f64 * step;
                let value = rate(point);
                let value = if value.is_finite() {
                    value.max(0.0)
                } else {
                    0.0
                };
                let y = HEIGHT - 1.0 - value / scale * (HEIGHT - 2.0);
                format!("{x:.1},{y:.1}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    Some(Chart {
        rx: line(|point| point.rx),
        tx: line(|point| point.tx),
        peak,
        points: points.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_need_two_polls_scale_to_the_peak_and_stay_bounded() {
        let history = History::default();
        assert!(history.record(1, 3, 1_000, 800.0, 0.0).is_none());
        // The same poll again is not a new point.
        assert!(history.record(1, 3, 1_000, 900.0, 0.0).is_none());
        let chart = history.record(1, 3, 2_000, 1_600.0, 400.0).unwrap();
        assert_eq!(chart.points, 2);
        assert_eq!(chart.peak, 1_600.0);
        assert_eq!(chart.rx, "118.0,14.0 120.0,1.0");
        assert_eq!(chart.tx, "118.0,27.0 120.0,20.5");
        for at in 3..200 {
            history.record(1, 3, at * 1_000, f64::NAN, 1.0);
        }
        let chart = history.record(1, 3, 500_000, 0.0, 0.0).unwrap();
        assert_eq!(chart.points, POINTS);
        assert!(!chart.rx.contains("NaN"));
    }
}
