-- vigie-manager schema, version 1: devices, events, alarms and their history, API tokens and
-- the admin account. Times are milliseconds since the Unix epoch (BIGINT). The manager owns
-- migration versions 1 to 999; other components sharing the database use 1000 and above.
-- SQLite dialect: `INTEGER PRIMARY KEY` is the rowid; PostgreSQL would use an identity column.

CREATE TABLE devices (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    address TEXT NOT NULL,
    port INTEGER NOT NULL,
    poll_interval_s BIGINT NOT NULL,
    enabled BOOLEAN NOT NULL,
    sys_descr TEXT,
    sys_object_id TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    received_at BIGINT NOT NULL,
    source_ip TEXT NOT NULL,
    source_port INTEGER NOT NULL,
    version TEXT NOT NULL,
    kind TEXT NOT NULL,
    security_name TEXT NOT NULL,
    trap_oid TEXT NOT NULL,
    uptime BIGINT,
    varbinds TEXT NOT NULL
);

CREATE INDEX events_received_at ON events (received_at);
CREATE INDEX events_source_ip ON events (source_ip, id);
CREATE INDEX events_trap_oid ON events (trap_oid, id);

CREATE TABLE alarms (
    id BIGINT PRIMARY KEY,
    alarm_key TEXT NOT NULL,
    device TEXT NOT NULL,
    source TEXT NOT NULL,
    severity TEXT NOT NULL,
    state TEXT NOT NULL,
    raise_count BIGINT NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    description TEXT NOT NULL,
    acknowledged_by TEXT,
    acknowledged_at BIGINT,
    cleared_by TEXT,
    cleared_at BIGINT
);

-- At most one open alarm per key, enforced by the database as well as by the alarm book.
CREATE UNIQUE INDEX alarms_open_key ON alarms (alarm_key) WHERE state <> 'cleared';
CREATE INDEX alarms_state ON alarms (state, id);

CREATE TABLE alarm_history (
    id INTEGER PRIMARY KEY,
    alarm_id BIGINT NOT NULL REFERENCES alarms (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    action TEXT NOT NULL,
    severity TEXT NOT NULL,
    raise_count BIGINT NOT NULL,
    actor TEXT
);

CREATE INDEX alarm_history_alarm ON alarm_history (alarm_id, id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE admin_accounts (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
