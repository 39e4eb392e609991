-- Channel webhooks: per-app settings, the outbox written in the friendship change's
-- transaction, and the log of every delivery attempt.

CREATE TABLE webhook_settings (
    app_id                  INTEGER PRIMARY KEY REFERENCES apps (id),
    url                     TEXT    NOT NULL,
    enabled                 INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    legacy_fields           INTEGER NOT NULL CHECK (legacy_fields IN (0, 1)),
    signing_secret          TEXT,
    previous_signing_secret TEXT,
    retry_limit_secs        INTEGER NOT NULL,
    pause_threshold         INTEGER NOT NULL,
    open_id_secret          TEXT    NOT NULL,
    paused                  INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    consecutive_failures    INTEGER NOT NULL DEFAULT 0,
    updated_at              INTEGER NOT NULL
) STRICT;

-- `claimed_until` is the lease of the node delivering the event (NULL: unclaimed).
CREATE TABLE webhook_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    resource_id     TEXT    NOT NULL UNIQUE,
    app_id          INTEGER NOT NULL REFERENCES apps (id),
    channel_id      INTEGER NOT NULL REFERENCES channels (id),
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    kind            TEXT    NOT NULL CHECK (kind IN ('added', 'blocked')),
    user_id         INTEGER,
    occurred_at     INTEGER NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    retry_from      INTEGER NOT NULL,
    claimed_until   INTEGER
) STRICT;

-- The claim scans pending events in id order; the pair index answers "is an earlier
-- event of this (app, account) still pending?".
CREATE INDEX webhook_events_pending ON webhook_events (id) WHERE state = 'pending';
CREATE INDEX webhook_events_pair_pending ON webhook_events (app_id, account_id, id)
    WHERE state = 'pending';
-- Listing an app's events (not (app_id, state, id), which could lure the planner away
-- from the pair index in the claim's pending check).
CREATE INDEX webhook_events_app ON webhook_events (app_id, id);

CREATE TABLE webhook_attempts (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id   INTEGER NOT NULL REFERENCES webhook_events (id),
    app_id     INTEGER NOT NULL REFERENCES apps (id),
    at         INTEGER NOT NULL,
    status     INTEGER,
    latency_ms INTEGER NOT NULL,
    error      TEXT
) STRICT;

CREATE INDEX webhook_attempts_app ON webhook_attempts (app_id, seq);
CREATE INDEX app_channels_channel ON app_channels (channel_id);
