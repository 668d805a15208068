//! The poller: `[poller]` and `[[thresholds]]` into `vigie_manager::poller::PollerConfig`,
//! and the task started over the inventory (the built-in agent as `localhost` included).

use std::sync::Arc;

use anyhow::Context as _;
use vigie_manager::desk::AlarmDesk;
use vigie_manager::poller::{
    Condition, Guard, Measure, PolledObject, Poller, PollerConfig, ThresholdRule,
};
use vigie_manager::status::StatusRegistry;
use vigie_manager::store::Store;

use crate::config::{Comparison, Config, ThresholdSettings};

/// Starts polling the inventory.
pub(crate) async fn start_poller(
    config: &Config,
    store: Store,
    desk: Arc<AlarmDesk>,
    status: StatusRegistry,
) -> anyhow::Result<Poller> {
    Poller::start(poller_config(config), store, desk, status)
        .await
        .context("starting the poller")
}

/// The poller's configuration: vigie's defaults, `[poller]`'s values, and each threshold's
/// objects added to those polled.
pub(crate) fn poller_config(config: &Config) -> PollerConfig {
    let mut poller = PollerConfig {
        interval: config.poller.interval,
        concurrency: config.poller.concurrency,
        timeout: config.poller.timeout,
        retries: config.poller.retries,
        ..PollerConfig::default()
    };
    for threshold in &config.thresholds {
        let guard = threshold.guard.as_ref().map(|(object, _)| object.as_str());
        for name in std::iter::once(threshold.object.as_str()).chain(guard) {
            if poller.objects.iter().any(|object| object.name == name) {
                continue;
            }
            // Validation accepted only names `PolledObject::standard` knows.
            if let Some(object) = PolledObject::standard(name) {
                poller.objects.push(object);
            }
        }
        poller.thresholds.push(rule(threshold));
    }
    poller
}

fn rule(threshold: &ThresholdSettings) -> ThresholdRule {
    let value = threshold.value;
    ThresholdRule {
        name: threshold.name.clone(),
        object: threshold.object.clone(),
        measure: if threshold.rate {
            Measure::Rate
        } else {
            Measure::Value
        },
        condition: match threshold.condition {
            Comparison::Above => Condition::Above(value),
            Comparison::Below => Condition::Below(value),
            Comparison::Equal => Condition::Equal(value),
            Comparison::NotEqual => Condition::NotEqual(value),
        },
        polls: threshold.polls,
        severity: threshold.severity,
        guard: threshold.guard.as_ref().map(|(object, equals)| Guard {
            object: object.clone(),
            equals: *equals,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_add_their_objects_and_rules() {
        let config = Config::parse(
            "vigie.toml",
            "[poller]\ninterval = \"30s\"\n[[thresholds]]\nname = \"cpu\"\nobject = \
             \"HOST-RESOURCES-MIB::hrProcessorLoad\"\ncondition = \">\"\nvalue = 90\npolls = 3\n",
        )
        .unwrap();
        let poller = poller_config(&config);
        assert_eq!(poller.interval, std::time::Duration::from_secs(30));
        assert!(poller.objects.iter().any(|o| o.name == "hrProcessorLoad"));
        let cpu = poller.thresholds.iter().find(|r| r.name == "cpu").unwrap();
        assert_eq!(cpu.condition, Condition::Above(90.0));
        assert_eq!(cpu.polls, 3);
        // vigie's default rule stays.
        assert!(poller.thresholds.iter().any(|r| r.name == "if-down"));
    }
}
