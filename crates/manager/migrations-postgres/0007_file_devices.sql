-- PostgreSQL dialect of `migrations/0007_file_devices.sql`: the same tables, columns and version; identity
-- keys for rowid keys, BIGINT for SQLite's INTEGER, BOOLEAN for flags.

-- vigie-manager schema, version 7: the devices the configuration file declares
-- (`[[devices]]`), by name. A reload deletes from the inventory those the file no longer
-- declares, and leaves alone the devices created through the API or the web UI.

CREATE TABLE file_devices (
    name TEXT PRIMARY KEY
);
