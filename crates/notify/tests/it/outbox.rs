//! The durable outbox: back-off, permanent failures, crash recovery, rate limits and the
//! troubleshooting log, first with an injected deliverer, then against the aiosmtpd relay.
//! Time is the outbox's `ManualClock`: no assertion depends on the wall clock.

use std::collections::HashSet;
use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::sync::mpsc;
use vigie_notify::{
    Accepted, Attempt, AttemptOutcome, AttemptQuery, Channel, ChannelFailure, Channels, Deliverer,
    DeliveryFailure, Encryption, FailReason, ManualClock, Notification, Origin, Outbox,
    OutboxEvent, RateLimit, RetryPolicy, Secret, Stage, State, Worker,
};

use vigie_interop::Postgres;
use vigie_notify::db::{Pool, PostgresUrl};

use super::peers::{self, Pki, Relay, ServerCert};
use super::{PASSWORD, USER, config, message, relay_args, with_auth};

const START: Duration = Duration::from_secs(1_795_464_600);

fn clock() -> ManualClock {
    ManualClock::new(UNIX_EPOCH + START)
}

/// The directories a backend-neutral test runs in, one per backend: SQLite's database is
/// a file in it; PostgreSQL's (when installed) a new database on the test process's private
/// server, whose URL the directory keeps in `postgres-url`, so that a reopening finds it.
fn test_dirs() -> Vec<tempfile::TempDir> {
    let mut dirs = vec![tempfile::tempdir().expect("test dir")];
    if let Some(server) = Postgres::shared() {
        let dir = tempfile::tempdir().expect("test dir");
        std::fs::write(dir.path().join("postgres-url"), server.create_database())
            .expect("test dir");
        dirs.push(dir);
    }
    dirs
}

async fn open(dir: &Path, clock: &ManualClock) -> Outbox {
    let outbox = match std::fs::read_to_string(dir.join("postgres-url")) {
        Ok(url) => {
            let url: PostgresUrl = url.parse().expect("test URL");
            let pool = Pool::connect_postgres(&url, 4)
                .await
                .expect("test database");
            Outbox::from_pool(pool).await
        }
        Err(_) => Outbox::open(dir.join("vigie.db")).await,
    };
    outbox
        .expect("test database")
        .with_clock(Arc::new(clock.clone()))
}

fn policy() -> RetryPolicy {
    RetryPolicy {
        initial: Duration::from_secs(10),
        max: Duration::from_secs(80),
        jitter: 0.0,
        give_up_after: Duration::from_secs(3600),
    }
}

/// What the scripted deliverer answers, attempt after attempt.
#[derive(Debug, Clone, Copy)]
enum Script {
    Accept,
    Transient,
    Permanent,
    Hang,
}

/// A deliverer that plays a script and records (key, time) of every attempt.
#[derive(Debug, Clone, Default)]
struct Scripted {
    script: Arc<Mutex<Vec<Script>>>,
    seen: Arc<Mutex<Vec<(String, SystemTime)>>>,
}

impl Scripted {
    fn new(script: &[Script]) -> Self {
        let mut script = script.to_vec();
        script.reverse();
        Self {
            script: Arc::new(Mutex::new(script)),
            seen: Arc::default(),
        }
    }

    fn seen(&self) -> Vec<(String, SystemTime)> {
        self.seen.lock().expect("test lock").clone()
    }
}

fn transient() -> ChannelFailure {
    ChannelFailure::Smtp(DeliveryFailure::TimedOut {
        stage: Stage::Greeting,
    })
}

impl Deliverer for Scripted {
    fn deliver(
        &self,
        notification: &Notification,
        now: SystemTime,
    ) -> impl Future<Output = Attempt> + Send {
        self.seen
            .lock()
            .expect("test lock")
            .push((notification.key.clone(), now));
        // An empty script accepts.
        let step = self
            .script
            .lock()
            .expect("test lock")
            .pop()
            .unwrap_or(Script::Accept);
        async move {
            let result = match step {
                Script::Accept => Ok(Accepted {
                    code: Some(250),
                    detail: "250 Ok".into(),
                }),
                Script::Transient => Err(transient()),
                Script::Permanent => Err(ChannelFailure::UnknownChannel("gone".into())),
                Script::Hang => std::future::pending().await,
            };
            Attempt {
                target: "relay.test:587".into(),
                result,
            }
        }
    }
}

fn webhook(n: u32) -> Notification {
    Notification::webhook("hooks", format!("{{\"n\":{n}}}")).with_origin(Origin {
        action: Some(format!("action-{}", n % 2)),
        rule: Some("rule-1".into()),
        alarm_id: Some(n.to_string()),
    })
}

#[tokio::test]
async fn transient_failures_back_off_exponentially_then_deliver() {
    for dir in test_dirs() {
        let clock = clock();
        let outbox = open(dir.path(), &clock).await;
        let deliverer = Scripted::new(&[Script::Transient, Script::Transient, Script::Transient]);
        let (events, mut received) = mpsc::unbounded_channel();
        let worker = Worker::new(outbox.clone(), deliverer.clone())
            .with_retry_policy(policy())
            .with_events(events);
        let id = outbox.enqueue(&webhook(1)).await.expect("enqueue").id;

        let mut delays = Vec::new();
        let mut last = clock.now_for_test();
        for expected in [10, 20, 40] {
            let pass = worker.run_once().await.expect("pass");
            assert_eq!(pass.retried, 1);
            let next = pass.next_due.expect("pending");
            delays.push(next.duration_since(last).expect("later"));
            // Nothing is attempted before it is due.
            clock.advance(Duration::from_secs(expected) - Duration::from_millis(1));
            assert_eq!(worker.run_once().await.expect("pass").retried, 0);
            clock.advance(Duration::from_millis(1));
            last = clock.now_for_test();
        }
        assert_eq!(
            delays,
            [10, 20, 40].map(Duration::from_secs).to_vec(),
            "exponential back-off"
        );
        let pass = worker.run_once().await.expect("pass");
        assert_eq!(pass.delivered, 1);
        assert_eq!(pass.next_due, None);
        let entry = outbox.get(id).await.expect("get").expect("stored");
        assert_eq!(entry.state, State::Delivered);
        assert_eq!(entry.attempts, 4);
        let mut kinds = Vec::new();
        while let Ok(event) = received.try_recv() {
            kinds.push(match event {
                OutboxEvent::Retrying { attempt, .. } => format!("retry {attempt}"),
                OutboxEvent::Delivered { attempt, .. } => format!("delivered {attempt}"),
                OutboxEvent::Failed { .. } => "failed".into(),
            });
        }
        assert_eq!(kinds, ["retry 1", "retry 2", "retry 3", "delivered 4"]);
    }
}

/// The clock's time, through the trait the outbox uses.
trait NowForTest {
    fn now_for_test(&self) -> SystemTime;
}

impl NowForTest for ManualClock {
    fn now_for_test(&self) -> SystemTime {
        vigie_notify::Clock::now(self)
    }
}

#[tokio::test]
async fn jitter_comes_from_the_injected_rng_and_only_shortens() {
    for dir in test_dirs() {
        let clock = clock();
        let outbox = open(dir.path(), &clock).await;
        let mut policy = policy();
        policy.jitter = 0.5;
        let next_due = |seed: u32| {
            let outbox = outbox.clone();
            async move {
                let worker = Worker::new(outbox.clone(), Scripted::new(&[Script::Transient]))
                    .with_retry_policy(policy)
                    .with_rng(StdRng::seed_from_u64(u64::from(seed)));
                outbox.enqueue(&webhook(seed)).await.expect("enqueue");
                worker.run_once().await.expect("pass");
                let entries = outbox.entries(Some(State::Pending)).await.expect("entries");
                let entry = entries.last().expect("pending");
                entry
                    .next_attempt
                    .duration_since(entry.created)
                    .expect("later")
            }
        };
        let a = next_due(1).await;
        let b = next_due(2).await;
        for delay in [a, b] {
            assert!(
                delay > Duration::from_secs(5) && delay <= Duration::from_secs(10),
                "{delay:?}"
            );
        }
        assert_ne!(a, b, "two seeds give two delays");
    }
}

#[tokio::test]
async fn permanent_failure_is_reported_once_and_never_retried() {
    for dir in test_dirs() {
        let clock = clock();
        let outbox = open(dir.path(), &clock).await;
        let deliverer = Scripted::new(&[Script::Permanent]);
        let (events, mut received) = mpsc::unbounded_channel();
        let worker = Worker::new(outbox.clone(), deliverer.clone())
            .with_retry_policy(policy())
            .with_events(events);
        let id = outbox.enqueue(&webhook(1)).await.expect("enqueue").id;
        let pass = worker.run_once().await.expect("pass");
        assert_eq!((pass.failed, pass.next_due), (1, None));
        match received.try_recv() {
            Ok(OutboxEvent::Failed {
                id: failed,
                channel,
                attempts: 1,
                reason: FailReason::Permanent(failure),
            }) => {
                assert_eq!((failed, channel.as_str()), (id, "hooks"));
                assert_eq!(failure.kind(), "unknown_channel");
            }
            other => panic!("expected a permanent failure event, got {other:?}"),
        }
        clock.advance(Duration::from_secs(86_400));
        assert_eq!(worker.run_once().await.expect("pass"), Default::default());
        assert_eq!(deliverer.seen().len(), 1, "never retried");
        // Once the channel is fixed, the operator can send it again.
        assert!(outbox.retry_failed(id).await.expect("retry"));
        assert_eq!(worker.run_once().await.expect("pass").delivered, 1);
    }
}

#[tokio::test]
async fn transient_failures_are_abandoned_after_the_retry_period() {
    for dir in test_dirs() {
        let clock = clock();
        let outbox = open(dir.path(), &clock).await;
        let worker = Worker::new(outbox.clone(), Scripted::new(&[Script::Transient; 100]))
            .with_retry_policy(policy());
        outbox.enqueue(&webhook(1)).await.expect("enqueue");
        let mut failed = 0;
        for _ in 0..100 {
            let pass = worker.run_once().await.expect("pass");
            failed += pass.failed;
            let Some(next) = pass.next_due else { break };
            clock.set(next);
        }
        assert_eq!(failed, 1);
        let entries = outbox.entries(Some(State::Failed)).await.expect("entries");
        assert_eq!(entries.len(), 1);
        let created = entries[0].created;
        assert!(
            clock.now_for_test().duration_since(created).expect("later")
                >= Duration::from_secs(3600)
        );
    }
}

#[tokio::test]
async fn an_attempt_interrupted_by_a_crash_is_retried_after_restart() {
    for dir in test_dirs() {
        let clock = clock();
        let key;
        {
            let outbox = open(dir.path(), &clock).await;
            let worker = Worker::new(outbox.clone(), Scripted::new(&[Script::Hang]));
            key = webhook(7);
            outbox.enqueue(&key).await.expect("enqueue");
            // The attempt never ends: dropping the pass mid-attempt is the process dying.
            let interrupted =
                tokio::time::timeout(Duration::from_millis(200), worker.run_once()).await;
            assert!(interrupted.is_err());
            let entries = outbox.entries(None).await.expect("entries");
            assert_eq!(entries[0].state, State::InFlight);
        }
        let outbox = open(dir.path(), &clock).await;
        let entries = outbox.entries(None).await.expect("entries");
        assert_eq!(entries[0].state, State::Pending, "recovered on open");
        let deliverer = Scripted::new(&[]);
        let worker = Worker::new(outbox.clone(), deliverer.clone());
        assert_eq!(worker.run_once().await.expect("pass").delivered, 1);
        assert_eq!(deliverer.seen()[0].0, key.key, "the same key is sent again");
        let entry = outbox
            .get(entries[0].id)
            .await
            .expect("get")
            .expect("stored");
        assert_eq!((entry.state, entry.attempts), (State::Delivered, 2));
    }
}

#[tokio::test]
async fn the_same_key_is_stored_once() {
    for dir in test_dirs() {
        let outbox = open(dir.path(), &clock()).await;
        let notification = webhook(1);
        let first = outbox.enqueue(&notification).await.expect("enqueue");
        let again = outbox.enqueue(&notification).await.expect("enqueue");
        assert!(first.new && !again.new);
        assert_eq!(first.id, again.id);
        assert_eq!(outbox.entries(None).await.expect("entries").len(), 1);
    }
}

#[tokio::test]
async fn one_per_second_spaces_attempts_and_drops_nothing() {
    for dir in test_dirs() {
        let clock = clock();
        let outbox = open(dir.path(), &clock).await;
        let deliverer = Scripted::new(&[]);
        let worker = Worker::new(outbox.clone(), deliverer.clone())
            .with_rate_limit("hooks", RateLimit::SES_SANDBOX);
        for n in 0..5 {
            outbox.enqueue(&webhook(n)).await.expect("enqueue");
        }
        let mut delivered = 0;
        for _ in 0..40 {
            delivered += worker.run_once().await.expect("pass").delivered;
            clock.advance(Duration::from_millis(250));
        }
        assert_eq!(delivered, 5, "every message goes, none is dropped");
        let times: Vec<SystemTime> = deliverer.seen().into_iter().map(|(_, t)| t).collect();
        for pair in times.windows(2) {
            assert!(
                pair[1].duration_since(pair[0]).expect("ordered") >= Duration::from_secs(1),
                "{times:?}"
            );
        }
        let keys: HashSet<String> = deliverer.seen().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys.len(), 5);
    }
}

#[tokio::test]
async fn the_day_window_survives_a_restart() {
    for dir in test_dirs() {
        let clock = clock();
        let limit = RateLimit {
            per_second: None,
            per_day: Some(2),
        };
        {
            let outbox = open(dir.path(), &clock).await;
            let worker =
                Worker::new(outbox.clone(), Scripted::new(&[])).with_rate_limit("hooks", limit);
            for n in 0..3 {
                outbox.enqueue(&webhook(n)).await.expect("enqueue");
            }
            let pass = worker.run_once().await.expect("pass");
            assert_eq!((pass.delivered, pass.rate_limited), (2, 1));
        }
        clock.advance(Duration::from_secs(3600));
        let outbox = open(dir.path(), &clock).await;
        let worker =
            Worker::new(outbox.clone(), Scripted::new(&[])).with_rate_limit("hooks", limit);
        let pass = worker.run_once().await.expect("pass");
        assert_eq!(
            pass.delivered, 0,
            "the restart did not reset the day's count"
        );
        let due = pass.next_due.expect("waiting");
        assert_eq!(due, UNIX_EPOCH + START + Duration::from_secs(86_400));
        clock.set(due);
        assert_eq!(worker.run_once().await.expect("pass").delivered, 1);
    }
}

#[tokio::test]
async fn the_troubleshooting_log_filters_and_caps() {
    for dir in test_dirs() {
        let clock = clock();
        let outbox = open(dir.path(), &clock).await.with_log_capacity(5);
        let worker = Worker::new(
            outbox.clone(),
            Scripted::new(&[
                Script::Transient,
                Script::Accept,
                Script::Transient,
                Script::Accept,
            ]),
        )
        .with_retry_policy(policy());
        for n in 0..4 {
            outbox.enqueue(&webhook(n)).await.expect("enqueue");
        }
        while let Some(next) = worker.run_once().await.expect("pass").next_due {
            clock.set(next);
        }
        // 4 notifications, 2 of which failed once: 6 attempts, capped at 5.
        let all = outbox
            .attempts(&AttemptQuery::default())
            .await
            .expect("log");
        assert_eq!(all.len(), 5);
        assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first");
        let failures = outbox
            .attempts(&AttemptQuery {
                failures_only: true,
                ..AttemptQuery::default()
            })
            .await
            .expect("log");
        assert!(!failures.is_empty());
        for record in &failures {
            assert_eq!(record.outcome, AttemptOutcome::Retry);
            assert_eq!(record.classification.as_deref(), Some("timed_out"));
            assert_eq!(record.stage.as_deref(), Some("greeting"));
            assert!(record.fix.as_deref().is_some_and(|f| !f.is_empty()));
            assert_eq!(record.target, "relay.test:587");
        }
        let last = outbox
            .attempts(&AttemptQuery {
                limit: 1,
                action: Some("action-1".into()),
                ..AttemptQuery::default()
            })
            .await
            .expect("log");
        assert_eq!(last.len(), 1);
        assert_eq!(last[0].action.as_deref(), Some("action-1"));
        assert_eq!(last[0].rule.as_deref(), Some("rule-1"));
    }
}

/// The relay configuration of the SMTP tests, as a channel.
fn smtp_channels(port: u16, pki: &Pki) -> Channels {
    let config = config(port, Encryption::StartTls, &pki.ca_der())
        .with_credentials(USER, Secret::new(PASSWORD));
    let mut channels = Channels::new();
    channels.insert("ses", Channel::Smtp(Box::new(config)));
    channels
}

fn email(n: u32) -> Notification {
    let mut message = message();
    message.subject = format!("Alarm {n}");
    Notification::email("ses", message).with_origin(Origin {
        action: Some("mail-ops".into()),
        rule: Some("link-down".into()),
        alarm_id: Some(n.to_string()),
    })
}

/// The Message-IDs the relay received, in order.
fn received_ids(relay: &Relay) -> Vec<String> {
    relay
        .received()
        .iter()
        .filter_map(|vigie_interop::Received { content, .. }| {
            content
                .split("\r\n")
                .find_map(|line| line.strip_prefix("Message-ID: <"))
                .map(|id| id.trim_end_matches('>').to_owned())
        })
        .collect()
}

#[tokio::test]
async fn relay_down_then_up_delivers_everything_exactly_once() {
    if !peers::aiosmtpd() {
        return;
    }
    let dir = tempfile::tempdir().expect("test dir");
    let clock = clock();
    let outbox = open(dir.path(), &clock).await;
    let pki = Pki::new("Vigie Test CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let port = peers::free_port();
    let worker = Worker::new(outbox.clone(), smtp_channels(port, &pki)).with_retry_policy(policy());
    let mut keys = Vec::new();
    for n in 0..3 {
        let notification = email(n);
        keys.push(notification.key.clone());
        outbox.enqueue(&notification).await.expect("enqueue");
    }
    // The relay is down: every attempt is refused and rescheduled.
    let pass = worker.run_once().await.expect("pass");
    assert_eq!((pass.retried, pass.delivered), (3, 0));
    let refused = outbox
        .attempts(&AttemptQuery::default())
        .await
        .expect("log");
    assert!(refused.iter().all(
        |r| r.classification.as_deref() == Some("connection_refused")
            && r.stage.as_deref() == Some("connect")
            && r.target == format!("127.0.0.1:{port}")
    ));

    let port_text = port.to_string();
    let mut args = with_auth(relay_args("starttls", &cert, &key));
    args.extend(["--port", &port_text]);
    let relay = Relay::start(&args);
    clock.advance(Duration::from_secs(10));
    let pass = worker.run_once().await.expect("pass");
    assert_eq!((pass.delivered, pass.next_due), (3, None));
    let mut received = received_ids(&relay);
    received.sort();
    keys.sort();
    assert_eq!(received, keys, "each Message-ID once");
    let delivered = outbox
        .attempts(&AttemptQuery {
            limit: 3,
            ..AttemptQuery::default()
        })
        .await
        .expect("log");
    for record in delivered {
        assert_eq!(record.outcome, AttemptOutcome::Delivered);
        assert_eq!(record.smtp_code, Some(250));
        assert!(
            record
                .server_text
                .as_deref()
                .is_some_and(|t| t.contains("queued as"))
        );
    }
}

#[tokio::test]
async fn restart_mid_way_loses_nothing() {
    if !peers::aiosmtpd() {
        return;
    }
    let dir = tempfile::tempdir().expect("test dir");
    let clock = clock();
    let pki = Pki::new("Vigie Test CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let relay = Relay::start(&with_auth(relay_args("starttls", &cert, &key)));
    let mut keys = Vec::new();
    {
        let outbox = open(dir.path(), &clock).await;
        // One per second: the first pass sends one message and leaves the rest waiting.
        let worker = Worker::new(outbox.clone(), smtp_channels(relay.port(), &pki))
            .with_rate_limit("ses", RateLimit::SES_SANDBOX);
        for n in 0..3 {
            let notification = email(n);
            keys.push(notification.key.clone());
            outbox.enqueue(&notification).await.expect("enqueue");
        }
        assert_eq!(worker.run_once().await.expect("pass").delivered, 1);
    }
    assert_eq!(received_ids(&relay).len(), 1);
    let outbox = open(dir.path(), &clock).await;
    let worker = Worker::new(outbox.clone(), smtp_channels(relay.port(), &pki))
        .with_rate_limit("ses", RateLimit::SES_SANDBOX);
    for _ in 0..20 {
        worker.run_once().await.expect("pass");
        clock.advance(Duration::from_millis(500));
    }
    let mut received = received_ids(&relay);
    received.sort();
    keys.sort();
    assert_eq!(received, keys, "all delivered, each once");
    assert_eq!(
        outbox
            .entries(Some(State::Delivered))
            .await
            .expect("entries")
            .len(),
        3
    );
}

#[tokio::test]
async fn bad_credentials_fail_permanently_and_the_log_never_holds_the_password() {
    if !peers::aiosmtpd() {
        return;
    }
    let dir = tempfile::tempdir().expect("test dir");
    let clock = clock();
    let outbox = open(dir.path(), &clock).await;
    let pki = Pki::new("Vigie Test CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let mut args = with_auth(relay_args("starttls", &cert, &key));
    args.push("--auth-reject");
    let relay = Relay::start(&args);
    let (events, mut received) = mpsc::unbounded_channel();
    let worker = Worker::new(outbox.clone(), smtp_channels(relay.port(), &pki))
        .with_retry_policy(policy())
        .with_events(events);
    outbox.enqueue(&email(1)).await.expect("enqueue");
    let pass = worker.run_once().await.expect("pass");
    assert_eq!((pass.failed, pass.next_due), (1, None));
    match received.try_recv() {
        Ok(OutboxEvent::Failed {
            channel,
            reason: FailReason::Permanent(failure),
            ..
        }) => {
            assert_eq!(channel, "ses");
            assert_eq!(failure.kind(), "bad_credentials");
            assert!(!failure.is_transient());
        }
        other => panic!("expected a broken channel, got {other:?}"),
    }
    clock.advance(Duration::from_secs(3600));
    assert_eq!(worker.run_once().await.expect("pass").failed, 0);
    assert!(relay.received().is_empty());

    let log = outbox
        .attempts(&AttemptQuery::default())
        .await
        .expect("log");
    assert_eq!(log.len(), 1, "one attempt, not retried");
    let record = &log[0];
    assert_eq!(record.outcome, AttemptOutcome::Failed);
    assert_eq!(record.stage.as_deref(), Some("AUTH"));
    assert_eq!(record.smtp_code, Some(535));
    assert_eq!(record.classification.as_deref(), Some("bad_credentials"));
    assert!(record.fix.as_deref().is_some_and(|f| f.contains("IAM")));
    assert_eq!(record.action.as_deref(), Some("mail-ops"));
    assert_eq!(record.alarm_id.as_deref(), Some("1"));

    // Neither the log nor the stored notification holds the password, plain or in base64.
    let plain = format!("\0{USER}\0{PASSWORD}");
    let encoded = base64(plain.as_bytes());
    let log_json = serde_json::to_string(&log).expect("json");
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT payload || coalesce(last_error, '') FROM outbox_notifications")
            .fetch_all(outbox.pool().sqlite().expect("SQLite"))
            .await
            .expect("rows");
    for text in std::iter::once(&log_json).chain(&rows) {
        assert!(!text.contains(PASSWORD), "{text}");
        assert!(!text.contains(&encoded), "{text}");
        assert!(!text.contains(&base64(PASSWORD.as_bytes())), "{text}");
    }
    // Nor any of the database's files (the WAL holds the recent pages).
    for file in std::fs::read_dir(dir.path()).expect("db dir") {
        let bytes = std::fs::read(file.expect("db file").path()).expect("db file");
        assert!(!String::from_utf8_lossy(&bytes).contains(PASSWORD));
    }
}

fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 0x3f) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[tokio::test]
async fn one_per_second_against_the_relay() {
    if !peers::aiosmtpd() {
        return;
    }
    let dir = tempfile::tempdir().expect("test dir");
    let clock = clock();
    let outbox = open(dir.path(), &clock).await;
    let pki = Pki::new("Vigie Test CA");
    let (cert, key) = pki.server("relay", ServerCert::Good);
    let relay = Relay::start(&with_auth(relay_args("starttls", &cert, &key)));
    let worker = Worker::new(outbox.clone(), smtp_channels(relay.port(), &pki))
        .with_rate_limit("ses", RateLimit::SES_SANDBOX);
    for n in 0..3 {
        outbox.enqueue(&email(n)).await.expect("enqueue");
    }
    for _ in 0..16 {
        worker.run_once().await.expect("pass");
        clock.advance(Duration::from_millis(250));
    }
    assert_eq!(relay.received().len(), 3);
    let mut log = outbox
        .attempts(&AttemptQuery::default())
        .await
        .expect("log");
    log.reverse();
    assert_eq!(log.len(), 3);
    for pair in log.windows(2) {
        assert!(
            pair[1].at_ms - pair[0].at_ms >= 1000,
            "{:?}",
            log.iter().map(|r| r.at_ms).collect::<Vec<_>>()
        );
    }
}

/// The database of the child process of [`kill_9_during_delivery_loses_nothing`].
const CHILD_DB: &str = "VIGIE_OUTBOX_CHILD_DB";

/// The process that `kill_9_during_delivery_loses_nothing` kills: it starts an attempt that
/// never ends. Not a test of its own: that test runs it in a child process.
#[tokio::test]
#[ignore = "run in a child process by kill_9_during_delivery_loses_nothing"]
async fn child_hangs_in_delivery() {
    let Ok(path) = std::env::var(CHILD_DB) else {
        return;
    };
    let outbox = Outbox::open(path).await.expect("child database");
    let worker = Worker::new(outbox, Scripted::new(&[Script::Hang]));
    let _ = worker.run_once().await;
}

#[tokio::test]
async fn kill_9_during_delivery_loses_nothing() {
    let dir = tempfile::tempdir().expect("test dir");
    let path = dir.path().join("vigie.db");
    let notification = webhook(9);
    let outbox = Outbox::open(&path).await.expect("test database");
    let id = outbox.enqueue(&notification).await.expect("enqueue").id;

    let mut child = std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args(["--ignored", "--exact", "outbox::child_hangs_in_delivery"])
        .env(CHILD_DB, &path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("child process");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let entry = outbox.get(id).await.expect("get").expect("stored");
        if entry.state == State::InFlight {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the child never started the attempt"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // SIGKILL: no destructor, no rollback, exactly what kill -9 does.
    child.kill().expect("kill -9");
    child.wait().expect("reaped");
    drop(outbox);

    let outbox = Outbox::open(&path).await.expect("reopened");
    let entry = outbox.get(id).await.expect("get").expect("still stored");
    assert_eq!((entry.state, entry.attempts), (State::Pending, 1));
    let deliverer = Scripted::new(&[]);
    let worker = Worker::new(outbox.clone(), deliverer.clone());
    assert_eq!(worker.run_once().await.expect("pass").delivered, 1);
    assert_eq!(deliverer.seen().len(), 1);
    assert_eq!(deliverer.seen()[0].0, notification.key);
    let entry = outbox.get(id).await.expect("get").expect("stored");
    assert_eq!((entry.state, entry.attempts), (State::Delivered, 2));
}

#[tokio::test]
async fn the_running_worker_wakes_on_enqueue_and_stops_on_shutdown() {
    let dir = tempfile::tempdir().expect("test dir");
    let outbox = open(dir.path(), &clock()).await;
    let (events, mut received) = mpsc::unbounded_channel();
    let worker = Arc::new(Worker::new(outbox.clone(), Scripted::new(&[])).with_events(events));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn({
        let worker = worker.clone();
        async move {
            worker
                .run(async {
                    let _ = stopped.await;
                })
                .await
        }
    });
    // Nothing is due: the worker sleeps (30 s at most) until the enqueue wakes it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let id = outbox.enqueue(&webhook(1)).await.expect("enqueue").id;
    let event = tokio::time::timeout(Duration::from_secs(10), received.recv())
        .await
        .expect("woken well before its 30 s idle sleep");
    assert!(
        matches!(event, Some(OutboxEvent::Delivered { id: delivered, .. }) if delivered == id),
        "{event:?}"
    );
    let _ = stop.send(());
    let result = tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("stopped");
    assert!(matches!(result, Ok(Ok(()))));
}

/// A deliverer whose "slow" channel finishes only after the "fast" one delivered.
#[derive(Debug, Default)]
struct Gate {
    fast_done: tokio::sync::Notify,
}

impl Deliverer for Gate {
    async fn deliver(&self, notification: &Notification, _now: SystemTime) -> Attempt {
        if notification.channel == "slow" {
            self.fast_done.notified().await;
        } else {
            self.fast_done.notify_one();
        }
        Attempt {
            target: notification.channel.clone(),
            result: Ok(Accepted {
                code: Some(250),
                detail: "250 Ok".into(),
            }),
        }
    }
}

#[tokio::test]
async fn a_slow_channel_does_not_hold_back_the_others() {
    let dir = tempfile::tempdir().expect("test dir");
    let outbox = open(dir.path(), &clock()).await;
    // The slow channel's notification is first in the queue: served one after the other,
    // the pass would wait for ever.
    let mut slow = webhook(1);
    slow.channel = "slow".into();
    let mut fast = webhook(2);
    fast.channel = "fast".into();
    outbox.enqueue(&slow).await.expect("enqueue");
    outbox.enqueue(&fast).await.expect("enqueue");
    let worker = Worker::new(outbox.clone(), Gate::default());
    let pass = tokio::time::timeout(Duration::from_secs(10), worker.run_once())
        .await
        .expect("channels are served concurrently")
        .expect("pass");
    assert_eq!(pass.delivered, 2);
}

#[tokio::test]
async fn an_unreadable_row_is_abandoned_and_reported_not_sent() {
    for dir in test_dirs() {
        let clock = clock();
        let outbox = open(dir.path(), &clock).await;
        let id = outbox.enqueue(&webhook(1)).await.expect("enqueue").id;
        vigie_notify::with_pool!(outbox.pool(), |pool| {
            sqlx::query(
                "UPDATE outbox_notifications SET payload = '{\"kind\":\"carrier pigeon\"}'",
            )
            .execute(pool)
            .await
            .expect("tamper");
        });
        let (events, mut received) = mpsc::unbounded_channel();
        let deliverer = Scripted::new(&[]);
        let worker = Worker::new(outbox.clone(), deliverer.clone()).with_events(events);
        assert_eq!(worker.run_once().await.expect("pass").failed, 1);
        assert!(deliverer.seen().is_empty());
        assert!(matches!(
            received.try_recv(),
            Ok(OutboxEvent::Failed { id: failed, reason: FailReason::Unreadable(_), .. }) if failed == id
        ));
        let entry = outbox.get(id).await.expect("get").expect("stored");
        assert_eq!(entry.state, State::Failed);
        assert!(entry.notification.is_err());
    }
}

#[tokio::test]
async fn the_outbox_shares_the_managers_database_and_migration_table() {
    let dir = tempfile::tempdir().expect("test dir");
    let migrations = dir.path().join("manager-migrations");
    std::fs::create_dir(&migrations).expect("test dir");
    std::fs::write(
        migrations.join("0001_manager.sql"),
        "CREATE TABLE alarms (id INTEGER PRIMARY KEY);",
    )
    .expect("test migration");
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.path().join("manager.db"))
        .create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options)
        .await
        .expect("test database");
    let mut manager = sqlx::migrate::Migrator::new(migrations.as_path())
        .await
        .expect("manager migrations");
    manager.set_ignore_missing(true);
    manager.run(&pool).await.expect("manager schema");

    let outbox = Outbox::from_pool(pool.clone())
        .await
        .expect("outbox beside the manager's tables");
    outbox.enqueue(&webhook(1)).await.expect("enqueue");
    // The manager's migrator, run again, accepts the outbox's version it does not know.
    manager.run(&pool).await.expect("manager schema again");
    Outbox::from_pool(pool.clone()).await.expect("outbox again");
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&pool)
            .await
            .expect("versions");
    assert_eq!(versions, [1, 1000, 1001]);
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' ORDER BY name",
    )
    .fetch_all(&pool)
    .await
    .expect("tables");
    assert_eq!(
        tables,
        [
            "alarms",
            "outbox_attempts",
            "outbox_notifications",
            "outbox_sends"
        ]
    );
}
