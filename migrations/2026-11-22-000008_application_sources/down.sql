DROP INDEX application_events_status_changes_idx;
ALTER TABLE applications DROP COLUMN source;
