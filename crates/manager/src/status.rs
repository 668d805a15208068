//! The shared registry of component health (receiver, poller, store, outbox, …).

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError, RwLock};

use serde::Serialize;

use crate::time::Timestamp;

/// Component health, written by each component and read by `health` and `/metrics`.
///
/// Cheap to clone: clones share one registry.
#[derive(Debug, Clone, Default)]
pub struct StatusRegistry {
    components: Arc<RwLock<BTreeMap<String, ComponentStatus>>>,
}

/// One component's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComponentStatus {
    /// `UP` or `DOWN`.
    pub status: Health,
    /// Why it is down, and the fix when there is one; absent when up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Since when it has been in this state.
    pub since: Timestamp,
}

/// Up or down, written as the API shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Health {
    /// Working.
    #[serde(rename = "UP")]
    Up,
    /// Not working; see the reason.
    #[serde(rename = "DOWN")]
    Down,
}

impl StatusRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks `component` up at `now` (keeping its `since` if it already was).
    pub fn set_up(&self, component: &str, now: Timestamp) {
        self.set(component, Health::Up, None, now);
    }

    /// Marks `component` down at `now`, with the reason (never a secret).
    pub fn set_down(&self, component: &str, reason: impl Into<String>, now: Timestamp) {
        self.set(component, Health::Down, Some(reason.into()), now);
    }

    /// Forgets `component`, e.g. a delivery channel whose action was deleted.
    pub fn remove(&self, component: &str) {
        self.components
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(component);
    }

    /// The status of `component`, if it reported one.
    pub fn get(&self, component: &str) -> Option<ComponentStatus> {
        self.components
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(component)
            .cloned()
    }

    /// Whether the station serves: every component up except the delivery channels (see
    /// [`is_delivery_channel`]). A relay down degrades the station, which still receives
    /// traps, stores alarms and queues the messages: a load balancer must keep it.
    pub fn serving(&self) -> bool {
        self.snapshot()
            .iter()
            .all(|(name, c)| c.status == Health::Up || is_delivery_channel(name))
    }

    /// The delivery channels that are down, by name.
    pub fn degraded(&self) -> Vec<String> {
        self.snapshot()
            .into_iter()
            .filter(|(name, c)| c.status == Health::Down && is_delivery_channel(name))
            .map(|(name, _)| name)
            .collect()
    }

    /// Every component's status, by name.
    pub fn snapshot(&self) -> BTreeMap<String, ComponentStatus> {
        // A panic elsewhere while holding the lock leaves whole entries: keep serving them.
        self.components
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set(&self, component: &str, status: Health, reason: Option<String>, now: Timestamp) {
        let mut components = self
            .components
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let since = match components.get(component) {
            Some(old) if old.status == status => old.since,
            _ => now,
        };
        components.insert(
            component.to_owned(),
            ComponentStatus {
                status,
                reason,
                since,
            },
        );
    }
}

/// Whether `component` is a delivery channel of response management: the SMTP relay
/// `smtp`, or `webhook/<action>`, `syslog/<action>`, `trap_forward/<action>`.
pub fn is_delivery_channel(component: &str) -> bool {
    component == "smtp"
        || ["webhook/", "syslog/", "trap_forward/"]
            .iter()
            .any(|prefix| component.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_changes_only_with_the_state() {
        let registry = StatusRegistry::new();
        let shared = registry.clone();
        registry.set_up("poller", Timestamp(1));
        registry.set_up("poller", Timestamp(2));
        assert_eq!(shared.snapshot()["poller"].since, Timestamp(1));
        registry.set_down("poller", "no route", Timestamp(3));
        registry.set_down("poller", "still no route", Timestamp(4));
        let down = &shared.snapshot()["poller"];
        assert_eq!(down.since, Timestamp(3));
        assert_eq!(down.reason.as_deref(), Some("still no route"));
        assert_eq!(
            serde_json::to_value(down).unwrap()["status"],
            serde_json::json!("DOWN")
        );
    }

    #[test]
    fn a_delivery_channel_down_degrades_but_serves() {
        let registry = StatusRegistry::new();
        registry.set_up("receiver", Timestamp(1));
        registry.set_down("smtp", "connection_refused: start the relay", Timestamp(2));
        registry.set_down("webhook/ops", "timed_out", Timestamp(2));
        assert!(registry.serving());
        assert_eq!(registry.degraded(), ["smtp", "webhook/ops"]);
        registry.set_down(
            "store",
            "the database does not answer queries",
            Timestamp(3),
        );
        assert!(!registry.serving());
        registry.remove("webhook/ops");
        assert!(registry.get("webhook/ops").is_none());
        assert_eq!(registry.degraded(), ["smtp"]);
        assert!(!is_delivery_channel("smtpd"));
        assert!(is_delivery_channel("trap_forward/nms"));
    }
}
