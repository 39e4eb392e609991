-- Per-app consent item settings (동의항목) that differ from the default (`optional`):
-- apps and links made before this table existed read as the default and keep what their
-- users granted.

CREATE TABLE app_consent_items (
    app_id      INTEGER NOT NULL REFERENCES apps (id),
    scope       TEXT    NOT NULL,
    requirement TEXT    NOT NULL CHECK (requirement IN ('required', 'optional', 'disabled')),
    PRIMARY KEY (app_id, scope)
) STRICT, WITHOUT ROWID;
