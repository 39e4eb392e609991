-- Keyset paging (`WHERE <scope> = $1 AND <key> > $2 ORDER BY <key> LIMIT $3`) needs an
-- index that leads with the scope and then the key; without one PostgreSQL walked the
-- primary key in key order, filtering out every other file's rows (or sorted the scope).
-- `tests/paged_plans.rs` checks every paged list's plan against these.

-- The control API's `GET /customer-files/{id}/rows`.
CREATE INDEX customer_file_rows_page_idx ON customer_file_rows (file_id, seq);

-- The control API's and the Admin Center's list of a channel's friend groups.
CREATE INDEX friend_groups_page_idx ON friend_groups (channel_id, id);
