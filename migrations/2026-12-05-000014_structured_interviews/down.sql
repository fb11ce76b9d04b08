CREATE OR REPLACE FUNCTION careergraph_application_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
       AND (NEW.interview_id IS NULL OR NEW.interview_id = OLD.interview_id)
       AND (NEW.id, NEW.application_id, NEW.kind, NEW.from_status, NEW.to_status, NEW.note, NEW.payload, NEW.occurred_at, NEW.created_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.application_id, OLD.kind, OLD.from_status, OLD.to_status, OLD.note, OLD.payload, OLD.occurred_at, OLD.created_at)
    THEN
        NEW.updated_at := now();
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'application_events is append-only' USING ERRCODE = 'restrict_violation';
END;
$$;
ALTER TABLE application_events DROP CONSTRAINT application_events_scorecards_internal_check;
DELETE FROM application_events WHERE kind = 'SCORECARD_SUBMITTED';
ALTER TABLE application_events DROP CONSTRAINT application_events_kind_check;
ALTER TABLE application_events ADD CONSTRAINT application_events_kind_check
    CHECK (kind IN ('CREATED', 'STATUS_CHANGED', 'NOTE_ADDED', 'INTERVIEW_SCHEDULED', 'INTERVIEW_UPDATED',
                    'INTERVIEW_COMPLETED', 'FOLLOW_UP', 'ARCHIVED', 'UNARCHIVED', 'TAGGED'));
ALTER TABLE application_events DROP COLUMN internal;

DROP TRIGGER set_updated_at_unless_scored ON applications;
DROP FUNCTION careergraph_score_leaves_updated_at();
DROP INDEX applications_job_score_idx;
DROP INDEX applications_job_updated_idx;
ALTER TABLE applications DROP COLUMN interview_score;

DROP TABLE scorecards;
DROP FUNCTION careergraph_keep_submitted_scorecards();
DROP INDEX interviews_kit_id_idx;
ALTER TABLE interviews DROP COLUMN kit_id;
DROP TABLE interview_questions;
DROP TABLE interview_kits;
