-- Keyset paging (`WHERE <scope> = ? AND <key> > ? ORDER BY <key> LIMIT ?`) needs an index
-- that leads with the scope and then the key; without one SQLite read the whole scope and
-- sorted it into a temp b-tree on every page (issue 14: 0.14 s for one row at 1M rows).
-- `tests/paged_plans.rs` checks every paged list's plan against these.

-- The control API's `GET /customer-files/{id}/rows` (seq is the rowid; named for clarity).
CREATE INDEX customer_file_rows_page ON customer_file_rows (file_id, seq);

-- The control API's and the Admin Center's list of a channel's friend groups.
CREATE INDEX friend_groups_page ON friend_groups (channel_id, id);
