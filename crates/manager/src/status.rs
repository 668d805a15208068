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
}
