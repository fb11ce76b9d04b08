-- Rate limits every replica shares: one row counts the attempts of one key
-- (a hashed email or client address) in one fixed window of one limit.
-- Counting is one upsert; rows of past windows are swept now and then.
CREATE TABLE rate_limit_hits (
    id           uuid PRIMARY KEY,
    scope        text NOT NULL CHECK (length(scope) BETWEEN 1 AND 64),
    key_hash     bytea NOT NULL CHECK (length(key_hash) = 32),
    window_start timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    hits         integer NOT NULL CHECK (hits > 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (expires_at > window_start),
    UNIQUE (scope, key_hash, window_start)
);
CREATE INDEX rate_limit_hits_expires_at_idx ON rate_limit_hits (expires_at);
SELECT careergraph_track_updated_at('rate_limit_hits');
