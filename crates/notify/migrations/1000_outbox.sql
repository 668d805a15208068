-- vigie-notify's durable outbox. Versions from 1000 up, tables prefixed `outbox_`, so that the
-- outbox can share the manager's database file and migration table.

-- One row per notification, stored before any delivery attempt.
CREATE TABLE outbox_notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The channel (a configured relay, webhook or syslog receiver) that delivers it.
    channel TEXT NOT NULL,
    -- email, webhook or syslog.
    kind TEXT NOT NULL,
    -- The stable identity of the notification: the Message-ID of an e-mail, the delivery id of
    -- a webhook or syslog message. Enqueueing the same key twice stores it once.
    dedup_key TEXT NOT NULL UNIQUE,
    action TEXT,
    rule TEXT,
    alarm_id TEXT,
    -- The payload as JSON; never a password (credentials stay in the channel configuration).
    payload TEXT NOT NULL,
    -- pending, in_flight, delivered or failed.
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- Milliseconds since the Unix epoch.
    next_attempt_ms INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    last_error TEXT
);

CREATE INDEX outbox_notifications_due ON outbox_notifications (state, next_attempt_ms);

-- Every attempt that reached a channel, for the rate limits: rolling windows per channel that
-- survive a restart.
CREATE TABLE outbox_sends (
    channel TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    delivered INTEGER NOT NULL
);

CREATE INDEX outbox_sends_channel_at ON outbox_sends (channel, at_ms);

-- The troubleshooting log: one row per delivery attempt.
CREATE TABLE outbox_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_id INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    channel TEXT NOT NULL,
    kind TEXT NOT NULL,
    action TEXT,
    rule TEXT,
    alarm_id TEXT,
    target TEXT NOT NULL,
    stage TEXT,
    smtp_code INTEGER,
    enhanced_code TEXT,
    server_text TEXT,
    classification TEXT,
    fix TEXT,
    -- The failure as one sentence, when the attempt failed.
    detail TEXT,
    duration_ms INTEGER NOT NULL,
    -- delivered, retry or failed.
    outcome TEXT NOT NULL
);

CREATE INDEX outbox_attempts_action ON outbox_attempts (action, id);
