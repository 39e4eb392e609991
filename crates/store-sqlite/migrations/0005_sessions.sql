-- The user side: browser sessions, authorization codes and follow-channel results.
-- Only hashes of the session token, the code and the transaction id are stored.

CREATE TABLE browser_sessions (
    id_hash    TEXT    PRIMARY KEY,
    csrf_token TEXT    NOT NULL,
    account_id INTEGER REFERENCES accounts (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX browser_sessions_expiry ON browser_sessions (expires_at);

CREATE TABLE authorization_codes (
    code_hash    TEXT    PRIMARY KEY,
    app_id       INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    redirect_uri TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    FOREIGN KEY (app_id, user_id) REFERENCES app_users (app_id, user_id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE INDEX authorization_codes_expiry ON authorization_codes (expires_at);

CREATE TABLE follow_results (
    trans_hash        TEXT    PRIMARY KEY,
    app_id            INTEGER NOT NULL REFERENCES apps (id),
    channel_public_id TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('success', 'fail', 'error')),
    error_code        TEXT,
    expires_at        INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX follow_results_expiry ON follow_results (expires_at);
