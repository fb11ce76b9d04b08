-- Where a candidate found the job ("LinkedIn", "Referral", …), for the
-- recruiter pipeline's source breakdown. Free text, as sources vary.
ALTER TABLE applications
    ADD COLUMN source text CHECK (btrim(source) <> '' AND length(source) <= 100);

-- The recruiter pipeline and its medians walk status changes per
-- application in time order; this partial index holds only those events.
CREATE INDEX application_events_status_changes_idx ON application_events (application_id, occurred_at, id)
    WHERE kind IN ('CREATED', 'STATUS_CHANGED');
