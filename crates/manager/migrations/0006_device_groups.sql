-- Device groups managed through the API (/api/v1/device-groups), for the rules' device_group
-- condition. The configuration file's groups live beside them; a name defined in both is the
-- file's.

CREATE TABLE response_device_groups (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    devices TEXT NOT NULL,           -- JSON array of device names
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
