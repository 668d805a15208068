-- Response management: the SMTP relay, actions, rules and the links between them.
-- Secrets (the SMTP password, webhook secrets, communities) are kept in their own columns,
-- never in the JSON that the API shows.

CREATE TABLE response_smtp (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    settings TEXT NOT NULL,          -- SmtpSettings as JSON, without the password
    password TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
);

CREATE TABLE response_actions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,              -- email, webhook, syslog, trap_forward
    spec TEXT NOT NULL,              -- ActionSpec as JSON, without its secret
    secret TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE response_rules (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    enabled INTEGER NOT NULL,
    spec TEXT NOT NULL,              -- RuleSpec as JSON
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- An action linked to a rule cannot be deleted while the link exists.
CREATE TABLE response_rule_actions (
    rule_id INTEGER NOT NULL REFERENCES response_rules (id) ON DELETE CASCADE,
    action_id INTEGER NOT NULL REFERENCES response_actions (id) ON DELETE RESTRICT,
    position INTEGER NOT NULL,
    PRIMARY KEY (rule_id, action_id)
);

CREATE INDEX response_rule_actions_action ON response_rule_actions (action_id);
