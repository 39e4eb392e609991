-- Friend groups (issue 6) and the change tracking the segment engine catches up from.
--
-- Every change that can move a group count bumps the channel's `segment_versions` row in
-- its own transaction and stamps what it wrote with the new version: friendship rows and
-- customer-file rows carry it in `change_seq`; a file row that is deleted, or whose key
-- now names another account, leaves a tombstone for the account it named. An in-memory
-- index at version V catches up to the database by reading what is stamped above V.

CREATE TABLE friend_groups (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    channel_id INTEGER NOT NULL REFERENCES channels (id),
    name       TEXT    NOT NULL,
    tree       TEXT    NOT NULL, -- canonical condition tree (domain::segment::render)
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (channel_id, name)
) STRICT;

CREATE TABLE segment_versions (
    channel_id INTEGER PRIMARY KEY REFERENCES channels (id),
    version    INTEGER NOT NULL
) STRICT;

ALTER TABLE friendships ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX friendships_change ON friendships (channel_id, change_seq);

ALTER TABLE customer_file_rows ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX customer_file_rows_change ON customer_file_rows (file_id, change_seq);

CREATE TABLE segment_tombstones (
    channel_id INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    file_id    INTEGER NOT NULL,
    account_id INTEGER NOT NULL
) STRICT;
CREATE INDEX segment_tombstones_channel ON segment_tombstones (channel_id, version);
