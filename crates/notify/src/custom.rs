//! Channels the application supplies: a payload the outbox stores as text, and a deliverer
//! that knows what it means. vigie-manager forwards SNMP traps this way, so that a forward
//! is stored before any attempt, retried and logged like an e-mail, while this crate knows
//! nothing of SNMP.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::outbox::Accepted;

/// A boxed future, as [`CustomChannel::deliver`] returns it.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A channel whose deliveries the application makes: the outbox hands it the stored text
/// of a [`crate::Payload::Custom`] notification at each attempt.
///
/// Its configuration (and any secret) lives in the channel, never in the stored payload.
pub trait CustomChannel: Send + Sync + fmt::Debug {
    /// The receiver, for the troubleshooting log (`host:port`).
    fn target(&self) -> String;

    /// Makes one attempt with the payload's `body`.
    fn deliver<'a>(&'a self, body: &'a str) -> BoxFuture<'a, Result<Accepted, CustomFailure>>;
}

/// Why a custom channel did not deliver, classified by the application.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CustomFailure {
    /// A stable snake-case classification, e.g. `no_acknowledgement`.
    pub kind: &'static str,
    /// What happened, one sentence; never a secret.
    pub message: String,
    /// What the operator should do.
    pub fix: String,
    /// The failing step, for the troubleshooting log.
    pub stage: Option<String>,
    /// Whether retrying later can succeed without a change of configuration.
    pub transient: bool,
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;
    use crate::outbox::{Channel, Channels, ManualClock, Notification, Outbox, State, Worker};
    use crate::{AttemptQuery, RateLimit, RateLimits};

    /// Records each body; fails transiently while `down`.
    #[derive(Debug, Default)]
    struct Recorder {
        bodies: Mutex<Vec<String>>,
        down: Mutex<bool>,
    }

    impl CustomChannel for Recorder {
        fn target(&self) -> String {
            "receiver.test:162".to_owned()
        }

        fn deliver<'a>(&'a self, body: &'a str) -> BoxFuture<'a, Result<Accepted, CustomFailure>> {
            Box::pin(async move {
                if *self.down.lock().unwrap() {
                    return Err(CustomFailure {
                        kind: "no_acknowledgement",
                        message: "no acknowledgement".to_owned(),
                        fix: "Check the receiver.".to_owned(),
                        stage: Some("inform".to_owned()),
                        transient: true,
                    });
                }
                self.bodies.lock().unwrap().push(body.to_owned());
                Ok(Accepted {
                    code: None,
                    detail: "acknowledged".to_owned(),
                })
            })
        }
    }

    #[tokio::test]
    async fn custom_payloads_are_stored_retried_and_logged() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(dir.path().join("o.db")).await.unwrap();
        let recorder = Arc::new(Recorder::default());
        *recorder.down.lock().unwrap() = true;
        let mut channels = Channels::new();
        channels.insert("forward/noc", Channel::Custom(recorder.clone()));
        let worker = Worker::new(outbox.clone(), channels);
        let queued = outbox
            .enqueue(&Notification::custom("forward/noc", r#"{"v":1}"#))
            .await
            .unwrap();
        let pass = worker.run_once().await.unwrap();
        assert_eq!(pass.retried, 1);
        let entry = outbox.get(queued.id).await.unwrap().unwrap();
        assert_eq!(entry.state, State::Pending);
        assert_eq!(
            entry.notification.unwrap().payload,
            crate::Payload::Custom {
                body: r#"{"v":1}"#.to_owned()
            }
        );
        let records = outbox.attempts(&AttemptQuery::default()).await.unwrap();
        assert_eq!(
            records[0].classification.as_deref(),
            Some("no_acknowledgement")
        );
        assert_eq!(records[0].stage.as_deref(), Some("inform"));
        assert_eq!(records[0].target, "receiver.test:162");
        assert_eq!(records[0].kind, "custom");
        assert!(recorder.bodies.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_rate_limit_changed_while_the_worker_runs_applies_at_the_next_pass() {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_800_000_000));
        let outbox = Outbox::open(dir.path().join("o.db"))
            .await
            .unwrap()
            .with_clock(Arc::new(clock.clone()));
        let recorder = Arc::new(Recorder::default());
        let mut channels = Channels::new();
        channels.insert("forward/noc", Channel::Custom(recorder.clone()));
        let limits = RateLimits::default();
        let worker = Worker::new(outbox.clone(), channels).with_rate_limits(limits.clone());
        for n in 0..3 {
            outbox
                .enqueue(&Notification::custom("forward/noc", format!("{n}")))
                .await
                .unwrap();
        }
        limits.set(
            "forward/noc",
            Some(RateLimit {
                per_second: Some(1),
                per_day: None,
            }),
        );
        assert_eq!(
            worker.rate_limits().get("forward/noc").unwrap().per_second,
            Some(1)
        );
        let pass = worker.run_once().await.unwrap();
        assert_eq!((pass.delivered, pass.rate_limited), (1, 2));
        // Two seconds later the limit would let one more through; removed, it lets both.
        clock.advance(Duration::from_secs(2));
        limits.set("forward/noc", None);
        let pass = worker.run_once().await.unwrap();
        assert_eq!((pass.delivered, pass.rate_limited), (2, 0));
        assert_eq!(recorder.bodies.lock().unwrap().len(), 3);
    }
}
