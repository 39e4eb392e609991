-- Sign-in throttling: failures per key (a hash of a login name or a client address) in
-- a window, and the block they caused. Shared by every node; purged once quiet.
CREATE TABLE sign_in_throttles (
    key           TEXT        PRIMARY KEY,
    failures      INTEGER     NOT NULL CHECK (failures >= 0),
    window_start  TIMESTAMPTZ NOT NULL,
    lockouts      INTEGER     NOT NULL CHECK (lockouts >= 0),
    blocked_until TIMESTAMPTZ
);

CREATE INDEX sign_in_throttles_window_idx ON sign_in_throttles (window_start);
