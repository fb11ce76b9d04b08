-- One snapshot of a user's metrics per day, for trends over time.
CREATE TABLE analytics_snapshots (
    id             uuid PRIMARY KEY,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    snapshot_date  date NOT NULL,
    metrics        jsonb NOT NULL CHECK (jsonb_typeof(metrics) = 'object'),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, snapshot_date)
);
SELECT careergraph_track_updated_at('analytics_snapshots');
