-- Kakao Login: an app's registered redirect URIs and the accounts' password hashes.

CREATE TABLE app_redirect_uris (
    app_id   BIGINT NOT NULL,
    position INTEGER NOT NULL,
    uri      TEXT NOT NULL,
    CONSTRAINT app_redirect_uris_pkey PRIMARY KEY (app_id, position),
    CONSTRAINT app_redirect_uris_app_id_fkey FOREIGN KEY (app_id) REFERENCES apps (id)
);

CREATE TABLE account_passwords (
    account_id    BIGINT NOT NULL,
    password_hash TEXT NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    CONSTRAINT account_passwords_pkey PRIMARY KEY (account_id),
    CONSTRAINT account_passwords_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id)
);

-- Sign-in finds accounts by email or phone number.
CREATE INDEX accounts_email_idx ON accounts (email);
-- Sign-in by phone number uses the partial phone index of 0002 (customer files).
