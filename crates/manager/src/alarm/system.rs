//! Alarms vigie raises about itself.

use crate::alarm::{AlarmEvent, AlarmKey, Raise, Severity, Source};

/// A fault of vigie itself, raised and cleared by the component that sees it.
///
/// Each variant has a stable key, so a component that keeps failing counts repeats of one
/// alarm, and its recovery clears exactly that alarm.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SystemAlarm {
    /// The trap receiver could not bind its address.
    ReceiverCannotBind {
        /// The address, e.g. `0.0.0.0:162`.
        address: String,
        /// Why, with the fix, e.g. "permission denied: port 162 needs `CAP_NET_BIND_SERVICE`".
        reason: String,
    },
    /// A queue is full and drops what arrives.
    QueueFull {
        /// The queue, e.g. `trap intake`.
        queue: String,
    },
    /// Notifications arriving at a component fail authentication in a storm (unknown
    /// communities, unknown USM users, wrong digests): a misconfigured sender, whose
    /// notifications are lost, or someone guessing.
    AuthenticationFailures {
        /// The component, e.g. `receiver`.
        component: String,
        /// How many failed within the last minute.
        count: u64,
    },
    /// A delivery channel (e-mail relay, webhook) keeps failing.
    DeliveryChannelFailing {
        /// The channel's name.
        channel: String,
        /// The classified failure, never a secret.
        reason: String,
    },
    /// A certificate of the trust store expires within 30 days, or has expired.
    TrustedCertificateExpiring {
        /// The certificate's friendly name in the trust store.
        name: String,
        /// Its end of validity, RFC 3339.
        not_after: String,
    },
}

impl SystemAlarm {
    /// The device name of system alarms.
    pub const DEVICE: &'static str = "vigie";

    /// The event that raises this alarm.
    pub fn raise(&self) -> AlarmEvent {
        let (severity, text) = match self {
            Self::ReceiverCannotBind { address, reason } => (
                Severity::Critical,
                format!("trap receiver cannot bind {address}: {reason}"),
            ),
            Self::QueueFull { queue } => (
                Severity::Major,
                format!("{queue} queue is full: notifications are being dropped"),
            ),
            Self::AuthenticationFailures { component, count } => (
                Severity::Major,
                format!(
                    "{component}: {count} notifications failed authentication in the last \
                     minute (unknown community, unknown USM user or wrong digest): check the \
                     senders' credentials; counters in /metrics"
                ),
            ),
            Self::DeliveryChannelFailing { channel, reason } => (
                Severity::Major,
                format!("delivery channel {channel} is failing: {reason}"),
            ),
            Self::TrustedCertificateExpiring { name, not_after } => (
                Severity::Warning,
                format!(
                    "trusted certificate {name} expires at {not_after}: import its renewal before connections to the relay fail"
                ),
            ),
        };
        AlarmEvent::Raise(Raise {
            key: self.key(),
            device: Self::DEVICE.to_owned(),
            source: Source::System,
            severity,
            text,
        })
    }

    /// The event that clears this alarm once the fault is gone.
    pub fn clear(&self) -> AlarmEvent {
        AlarmEvent::Clear {
            key: self.key(),
            reason: "recovered".to_owned(),
        }
    }

    /// The de-duplication key: the component, not the reason, which may vary.
    pub fn key(&self) -> AlarmKey {
        AlarmKey::new(match self {
            Self::ReceiverCannotBind { address, .. } => format!("system/receiver-bind/{address}"),
            Self::QueueFull { queue } => format!("system/queue-full/{queue}"),
            Self::AuthenticationFailures { component, .. } => {
                format!("system/auth-failures/{component}")
            }
            Self::DeliveryChannelFailing { channel, .. } => format!("system/delivery/{channel}"),
            Self::TrustedCertificateExpiring { name, .. } => format!("system/trust-expiry/{name}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alarm::{AlarmBook, Decision};
    use crate::time::Timestamp;

    #[test]
    fn repeated_failures_are_one_alarm_and_recovery_clears_it() {
        let fault = |reason: &str| SystemAlarm::ReceiverCannotBind {
            address: "0.0.0.0:162".into(),
            reason: reason.into(),
        };
        let mut book = AlarmBook::new();
        let Decision::Raised(alarm) = book.apply(Timestamp(1), fault("permission denied").raise())
        else {
            panic!("raise");
        };
        assert_eq!(alarm.source, Source::System);
        assert_eq!(alarm.device, "vigie");
        assert_eq!(alarm.severity, Severity::Critical);
        assert!(alarm.text.contains("permission denied"));
        assert!(matches!(
            book.apply(Timestamp(2), fault("address in use").raise()),
            Decision::Repeated(_)
        ));
        assert!(matches!(
            book.apply(Timestamp(3), fault("").clear()),
            Decision::Cleared(_)
        ));
        assert!(book.is_empty());
    }
}
