-- PostgreSQL dialect of `migrations/0004_event_names.sql`: the same tables, columns and version; identity
-- keys for rowid keys, BIGINT for SQLite's INTEGER, BOOLEAN for flags.

-- vigie-manager schema, version 4: the MIB name of an event's trap OID (`IF-MIB::linkDown`),
-- resolved when the notification was received. Older rows keep NULL; each varbind's name is
-- stored inside the `varbinds` JSON (an optional field), so older rows read as before.

ALTER TABLE events ADD COLUMN trap_name TEXT;
