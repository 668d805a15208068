-- vigie-manager schema, version 8: alarm decisions response management has not yet handed to
-- the outbox. Each raise, repeat and clear is written here in the same transaction as the
-- alarm's own change, and deleted only once the notification of every rule it fired is in
-- the outbox (or no rule fired); at start, the rows left are put through the rules again. So
-- a crash between the alarm's commit and the outbox's loses no notification.
--
-- AUTOINCREMENT (an identity column in PostgreSQL): ids must never be reused, since response
-- management reads the rows after the last id it has seen; SQLite's plain rowid would hand
-- out a deleted highest id again.

CREATE TABLE response_pending (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,      -- when the desk made the decision (ms since the Unix epoch)
    change TEXT NOT NULL,    -- raised, repeated or cleared
    alarm TEXT NOT NULL,     -- the alarm after the decision, as JSON
    cause TEXT               -- the notification that caused it, as JSON, when one did
);
