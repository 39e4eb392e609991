-- talkchannel schema for SQLite.
--
-- Timestamps are UTC milliseconds since the epoch (INTEGER); the domain clock truncates
-- to milliseconds, so values round-trip exactly. Tables are STRICT so a wrongly typed
-- bind fails loudly instead of being stored as something else.
-- Enumerations are lower/upper-case TEXT with CHECKs matching the domain's `as_str`.

CREATE TABLE accounts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    nickname     TEXT    NOT NULL,
    phone_number TEXT,
    email        TEXT,
    gender       TEXT    CHECK (gender IN ('female', 'male')),
    birth_date   TEXT,   -- YYYY-MM-DD
    region       TEXT,
    created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE apps (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Looked up by the key itself on every Kakao API call (key_owner).
CREATE TABLE app_keys (
    key        TEXT    PRIMARY KEY,
    app_id     INTEGER NOT NULL REFERENCES apps (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('rest_api', 'javascript', 'native', 'admin')),
    is_primary INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
    created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX app_keys_app_id ON app_keys (app_id);

CREATE TABLE channels (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id  TEXT    NOT NULL UNIQUE,
    search_id  TEXT    NOT NULL UNIQUE,
    name       TEXT    NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('active', 'sanctioned')),
    created_at INTEGER NOT NULL
) STRICT;

-- `seq` orders an app's connections; a reconnected channel goes to the end.
CREATE TABLE app_channels (
    app_id       INTEGER NOT NULL REFERENCES apps (id),
    channel_id   INTEGER NOT NULL REFERENCES channels (id),
    connected_at INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    PRIMARY KEY (app_id, channel_id)
) STRICT, WITHOUT ROWID;

-- Serves connected_channels (in order) and the next-seq lookup on connect.
CREATE UNIQUE INDEX app_channels_app_seq ON app_channels (app_id, seq);

CREATE TABLE app_users (
    app_id     INTEGER NOT NULL REFERENCES apps (id),
    user_id    INTEGER NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    scopes     TEXT    NOT NULL, -- space-separated, sorted
    linked_at  INTEGER NOT NULL,
    PRIMARY KEY (app_id, user_id),
    UNIQUE (app_id, account_id)
) STRICT, WITHOUT ROWID;

-- Only hashes are stored. Looked up by access_hash on every user-token call.
CREATE TABLE tokens (
    access_hash        TEXT    PRIMARY KEY,
    app_id             INTEGER NOT NULL,
    user_id            INTEGER NOT NULL,
    access_expires_at  INTEGER NOT NULL,
    refresh_hash       TEXT    NOT NULL UNIQUE,
    refresh_expires_at INTEGER NOT NULL,
    issued_at          INTEGER NOT NULL,
    FOREIGN KEY (app_id, user_id) REFERENCES app_users (app_id, user_id)
) STRICT, WITHOUT ROWID;

-- Absent rows mean NONE, never changed. The primary key serves the point lookup and
-- friendships_of; the account index serves account_friendships (the read cache's load).
CREATE TABLE friendships (
    channel_id     INTEGER NOT NULL REFERENCES channels (id),
    account_id     INTEGER NOT NULL REFERENCES accounts (id),
    relation       TEXT    NOT NULL CHECK (relation IN ('ADDED', 'BLOCKED', 'NONE')),
    first_added_at INTEGER,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (channel_id, account_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX friendships_account ON friendships (account_id, channel_id);

CREATE TABLE friendship_log (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id    INTEGER NOT NULL REFERENCES channels (id),
    account_id    INTEGER NOT NULL REFERENCES accounts (id),
    action        TEXT    NOT NULL CHECK (action IN ('add', 'block', 'unblock')),
    from_relation TEXT    NOT NULL CHECK (from_relation IN ('ADDED', 'BLOCKED', 'NONE')),
    to_relation   TEXT    NOT NULL CHECK (to_relation IN ('ADDED', 'BLOCKED', 'NONE')),
    source        TEXT    NOT NULL CHECK (source IN ('control_api', 'channel_page', 'admin_center')),
    at            INTEGER NOT NULL
) STRICT;

CREATE INDEX friendship_log_pair ON friendship_log (channel_id, account_id, seq);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
