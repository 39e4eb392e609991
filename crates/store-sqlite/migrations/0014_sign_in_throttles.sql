-- Sign-in throttling: failures per key (a hash of a login name or a client address) in
-- a window, and the block they caused. Rows are small and purged once quiet.
CREATE TABLE sign_in_throttles (
    key           TEXT    PRIMARY KEY,
    failures      INTEGER NOT NULL CHECK (failures >= 0),
    window_start  INTEGER NOT NULL,
    lockouts      INTEGER NOT NULL CHECK (lockouts >= 0),
    blocked_until INTEGER
) STRICT, WITHOUT ROWID;

CREATE INDEX sign_in_throttles_window ON sign_in_throttles (window_start);
