-- The user side: browser sessions, authorization codes and follow-channel results.
-- Only hashes of the session token, the code and the transaction id are stored.

CREATE TABLE browser_sessions (
    id_hash    TEXT        PRIMARY KEY,
    csrf_token TEXT        NOT NULL,
    account_id BIGINT      CONSTRAINT browser_sessions_account_id_fkey REFERENCES accounts (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX browser_sessions_expiry_idx ON browser_sessions (expires_at);

CREATE TABLE authorization_codes (
    code_hash    TEXT        PRIMARY KEY,
    app_id       BIGINT      NOT NULL,
    user_id      BIGINT      NOT NULL,
    redirect_uri TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT authorization_codes_app_user_fkey FOREIGN KEY (app_id, user_id)
        REFERENCES app_users (app_id, user_id) ON DELETE CASCADE
);

CREATE INDEX authorization_codes_expiry_idx ON authorization_codes (expires_at);

CREATE TABLE follow_results (
    trans_hash        TEXT        PRIMARY KEY,
    app_id            BIGINT      NOT NULL
        CONSTRAINT follow_results_app_id_fkey REFERENCES apps (id),
    channel_public_id TEXT        NOT NULL,
    status            TEXT        NOT NULL CHECK (status IN ('success', 'fail', 'error')),
    error_code        TEXT,
    expires_at        TIMESTAMPTZ NOT NULL
);

CREATE INDEX follow_results_expiry_idx ON follow_results (expires_at);
