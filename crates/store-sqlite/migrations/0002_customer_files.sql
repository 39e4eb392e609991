-- Customer files (spec §3). The counts live on the file row so the Admin Center reads
-- them without scanning: `registered` and `friends` are kept exact by every write of
-- rows and by friendship changes (see crates/store/src/customer_files.rs).

CREATE TABLE customer_files (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id     INTEGER NOT NULL REFERENCES apps (id),
    channel_id INTEGER NOT NULL REFERENCES channels (id),
    name       TEXT    NOT NULL,
    schema     TEXT    NOT NULL, -- {"field":"string"|"number",...}
    attempted  INTEGER NOT NULL DEFAULT 0,
    registered INTEGER NOT NULL DEFAULT 0,
    friends    INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (channel_id, name)
) STRICT;

-- `fields` is the row's values as compact JSON text; `account_id` is the account the key
-- named when the row was written (NULL when none did).
CREATE TABLE customer_file_rows (
    seq        INTEGER PRIMARY KEY,
    file_id    INTEGER NOT NULL REFERENCES customer_files (id),
    user_type  TEXT    NOT NULL CHECK (user_type IN ('app', 'phone')),
    user_key   TEXT    NOT NULL,
    fields     TEXT    NOT NULL,
    account_id INTEGER,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX customer_file_rows_key ON customer_file_rows (file_id, user_type, user_key);
-- Serves the friends adjustment when an account adds or blocks the file's channel.
CREATE INDEX customer_file_rows_account ON customer_file_rows (file_id, account_id)
    WHERE account_id IS NOT NULL;

CREATE TABLE customer_file_imports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    file_id     INTEGER NOT NULL REFERENCES customer_files (id),
    user_type   TEXT    NOT NULL CHECK (user_type IN ('app', 'phone')),
    status      TEXT    NOT NULL CHECK (status IN ('applied', 'rejected')),
    rows_read   INTEGER NOT NULL,
    error_count INTEGER NOT NULL,
    errors      TEXT    NOT NULL, -- [[line, "reason"], ...]
    created_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX customer_file_imports_file ON customer_file_imports (file_id);

-- Phone-keyed rows resolve their account by number.
CREATE INDEX accounts_phone_number ON accounts (phone_number) WHERE phone_number IS NOT NULL;
