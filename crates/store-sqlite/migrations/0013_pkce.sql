-- PKCE (RFC 7636): the code challenge an authorization request bound to its code, kept
-- until the code is redeemed. Both columns are NULL for a code issued without one, which
-- is every code issued before this migration.
ALTER TABLE authorization_codes ADD COLUMN code_challenge TEXT;
ALTER TABLE authorization_codes ADD COLUMN code_challenge_method TEXT CHECK (
    (code_challenge IS NULL AND code_challenge_method IS NULL)
    OR (code_challenge IS NOT NULL AND code_challenge_method IN ('S256', 'plain'))
);
