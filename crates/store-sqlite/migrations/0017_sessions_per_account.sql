-- Sessions are capped per account (the oldest beyond the cap go at sign-in): the trim
-- reads one account's sessions newest first.
CREATE INDEX browser_sessions_account ON browser_sessions (account_id, created_at);
