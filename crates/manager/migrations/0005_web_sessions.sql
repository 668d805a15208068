-- Sessions of the web UI's operators. The cookie holds a random token; only its SHA-256 is
-- stored, as for API tokens, so a copy of the database opens no session. Each session has its
-- own CSRF token (the synchroniser token pattern), which the pages put in every form.
CREATE TABLE web_sessions (
    id INTEGER PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE,
    user_name TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL
);

CREATE INDEX web_sessions_last_seen ON web_sessions (last_seen);
