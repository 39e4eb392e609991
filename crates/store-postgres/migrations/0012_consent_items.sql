-- Per-app consent item settings (동의항목) that differ from the default (`optional`):
-- apps and links made before this table existed read as the default and keep what their
-- users granted.

CREATE TABLE app_consent_items (
    app_id      BIGINT NOT NULL REFERENCES apps (id),
    scope       TEXT   NOT NULL,
    requirement TEXT   NOT NULL,
    CONSTRAINT app_consent_items_pkey PRIMARY KEY (app_id, scope),
    CONSTRAINT app_consent_items_requirement_check
        CHECK (requirement IN ('required', 'optional', 'disabled'))
);
