//! The outbox's deliverer, whose channels change when the API changes the settings.

use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use vigie_notify::{Attempt, Channels, Deliverer, Notification};

/// The configured channels behind a lock: the worker delivers through the channels in
/// effect at each attempt, so a corrected password or a newly trusted certificate applies
/// to the notifications already queued.
#[derive(Debug, Clone, Default)]
pub struct SharedChannels(Arc<RwLock<Channels>>);

impl SharedChannels {
    /// Replaces every channel.
    pub fn replace(&self, channels: Channels) {
        match self.0.write() {
            Ok(mut current) => *current = channels,
            Err(poisoned) => *poisoned.into_inner() = channels,
        }
    }

    /// A copy of the channels in effect.
    pub fn current(&self) -> Channels {
        match self.0.read() {
            Ok(current) => current.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

impl Deliverer for SharedChannels {
    async fn deliver(&self, notification: &Notification, now: SystemTime) -> Attempt {
        // A copy, so that no lock is held across the attempt.
        let channels = self.current();
        channels.deliver(notification, now).await
    }
}
