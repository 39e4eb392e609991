-- Kakao Login: an app's registered redirect URIs and the accounts' password hashes.

CREATE TABLE app_redirect_uris (
    app_id   INTEGER NOT NULL REFERENCES apps (id),
    position INTEGER NOT NULL,
    uri      TEXT    NOT NULL,
    PRIMARY KEY (app_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE account_passwords (
    account_id    INTEGER PRIMARY KEY REFERENCES accounts (id),
    password_hash TEXT    NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

-- Sign-in finds accounts by email or phone number.
CREATE INDEX accounts_email ON accounts (email);
-- Sign-in by phone number uses the partial phone index of 0002 (customer files).

-- Logout and unlink delete an app user's tokens.
CREATE INDEX tokens_app_user ON tokens (app_id, user_id);
