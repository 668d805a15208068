-- PostgreSQL dialect of `migrations/0002_inventory.sql`: the same tables, columns and version; identity
-- keys for rowid keys, BIGINT for SQLite's INTEGER, BOOLEAN for flags.

-- vigie-manager schema, version 2: the inventory. Each device gets its SNMP credentials and
-- what discovery learnt (sysName, when it was discovered); its interfaces (IF-MIB ifTable and
-- ifXTable) get a table of their own.
--
-- `credentials` is a JSON document: {"version":"v2c","community":"<hex>"} or
-- {"version":"v3","user":…,"auth":{"protocol":…,"key":"<hex>"},"privacy":…,"context":…}.
-- USM keys are master keys (Ku, RFC 3414 §2.6), never the passwords they came from.
-- Existing devices keep polling as v2c with the community `public`, Net-SNMP's default.

ALTER TABLE devices ADD COLUMN credentials TEXT NOT NULL
    DEFAULT '{"version":"v2c","community":"7075626c6963"}';
ALTER TABLE devices ADD COLUMN sys_name TEXT;
ALTER TABLE devices ADD COLUMN discovered_at BIGINT;

CREATE TABLE interfaces (
    device_id BIGINT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    if_index BIGINT NOT NULL,
    if_name TEXT,
    if_descr TEXT,
    if_alias TEXT,
    if_type INTEGER,
    speed_bps BIGINT,
    admin_status INTEGER,
    oper_status INTEGER,
    PRIMARY KEY (device_id, if_index)
);
