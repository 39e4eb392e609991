-- Channel messages (issue 6): drafts, schedules, sends, and what happened to them.
--
-- A sent message's recipients are ONE blob: a serialized RoaringTreemap of account ids
-- (portable format), written in the same transaction that marks the message sent. That
-- write is the delivery: an account's chat lists the sent messages whose set holds it.
-- Per-recipient state (read, clicked) is sparse: a receipt row exists only once an
-- account has read or clicked.

CREATE TABLE messages (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id   INTEGER NOT NULL REFERENCES channels (id),
    body         TEXT    NOT NULL, -- MessageBody as JSON (content, buttons, ad)
    group_id     INTEGER,          -- NULL: all friends (groups may be deleted later)
    state        TEXT    NOT NULL CHECK (state IN ('draft', 'scheduled', 'sent', 'cancelled')),
    scheduled_at INTEGER,
    test_of      INTEGER REFERENCES messages (id),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    sent_at      INTEGER,
    recipient_count INTEGER,
    recipients   BLOB,
    delivery_seq INTEGER UNIQUE
) STRICT;
CREATE INDEX messages_channel ON messages (channel_id, id);
CREATE INDEX messages_due ON messages (state, scheduled_at);
CREATE INDEX messages_delivered ON messages (channel_id, delivery_seq);

CREATE TABLE message_receipts (
    message_id INTEGER NOT NULL REFERENCES messages (id),
    account_id INTEGER NOT NULL,
    read_at    INTEGER,
    clicked_at INTEGER,
    PRIMARY KEY (message_id, account_id)
) STRICT, WITHOUT ROWID;

-- Idempotency keys of message calls: a key in a scope (one channel) names the message
-- its first call made or sent, and a fingerprint of what that call asked for.
CREATE TABLE idempotency_keys (
    scope       TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    message_id  INTEGER NOT NULL REFERENCES messages (id),
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) STRICT, WITHOUT ROWID;

CREATE INDEX friendships_blocked ON friendships (channel_id, relation, updated_at);
