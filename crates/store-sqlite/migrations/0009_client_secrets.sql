-- Kakao Login's client secret: an app may require it on every token request. Kept as
-- text, as the Kakao console shows it to the app's developers; no row means disabled.

CREATE TABLE app_client_secrets (
    app_id INTEGER PRIMARY KEY REFERENCES apps (id),
    secret TEXT    NOT NULL
) STRICT;
