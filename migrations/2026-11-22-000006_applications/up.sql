-- Applications, their append-only timeline, and interviews.

CREATE TABLE applications (
    id                 uuid PRIMARY KEY,
    user_id            uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Jobs are soft deleted; a hard delete of a job with applications is refused.
    job_id             uuid NOT NULL REFERENCES jobs (id) ON DELETE RESTRICT,
    resume_version_id  uuid REFERENCES resume_versions (id) ON DELETE SET NULL,
    cover_letter_id    uuid REFERENCES cover_letters (id) ON DELETE SET NULL,
    status             text NOT NULL DEFAULT 'SAVED' CHECK (status IN (
                           'SAVED', 'APPLIED', 'SCREENING', 'INTERVIEWING', 'OFFERED',
                           'ACCEPTED', 'REJECTED', 'WITHDRAWN')),
    status_changed_at  timestamptz NOT NULL DEFAULT now(),
    applied_at         timestamptz,
    notes              text CHECK (length(notes) <= 10000),
    tags               text[] NOT NULL DEFAULT '{}',
    archived           boolean NOT NULL DEFAULT false,
    deleted_at         timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (status IN ('SAVED', 'WITHDRAWN') OR applied_at IS NOT NULL OR status = 'REJECTED')
);
-- One live application per user and job. A withdrawn one no longer counts,
-- so the candidate may apply again and keep the old timeline.
CREATE UNIQUE INDEX applications_one_live_key ON applications (user_id, job_id)
    WHERE deleted_at IS NULL AND status <> 'WITHDRAWN';
CREATE INDEX applications_user_idx ON applications (user_id, updated_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX applications_user_created_idx ON applications (user_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX applications_job_created_idx ON applications (job_id, created_at DESC, id DESC)
    WHERE deleted_at IS NULL AND applied_at IS NOT NULL;
CREATE INDEX applications_job_idx ON applications (job_id, status) WHERE deleted_at IS NULL;
CREATE INDEX applications_resume_version_id_idx ON applications (resume_version_id) WHERE resume_version_id IS NOT NULL;
CREATE INDEX applications_cover_letter_id_idx ON applications (cover_letter_id) WHERE cover_letter_id IS NOT NULL;
CREATE INDEX applications_tags_idx ON applications USING gin (tags);
SELECT careergraph_track_updated_at('applications');

CREATE TABLE interviews (
    id                uuid PRIMARY KEY,
    application_id    uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    kind              text NOT NULL CHECK (kind IN ('PHONE_SCREEN', 'TECHNICAL', 'BEHAVIORAL', 'ONSITE',
                                                    'PANEL', 'TAKE_HOME', 'FINAL', 'OTHER')),
    scheduled_at      timestamptz NOT NULL,
    duration_minutes  integer CHECK (duration_minutes BETWEEN 1 AND 1440),
    location          text CHECK (length(location) <= 300),
    meeting_url       text CHECK (length(meeting_url) <= 2048),
    outcome           text NOT NULL DEFAULT 'PENDING' CHECK (outcome IN ('PENDING', 'PASSED', 'FAILED',
                                                                       'CANCELLED', 'NO_SHOW')),
    feedback          text CHECK (length(feedback) <= 10000),
    completed_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX interviews_application_idx ON interviews (application_id, scheduled_at, id);
SELECT careergraph_track_updated_at('interviews');

CREATE TABLE application_events (
    id              uuid PRIMARY KEY,
    application_id  uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    -- Who did it; the history stays when the account goes.
    actor_id        uuid REFERENCES users (id) ON DELETE SET NULL,
    kind            text NOT NULL CHECK (kind IN ('CREATED', 'STATUS_CHANGED', 'NOTE_ADDED',
                                                  'INTERVIEW_SCHEDULED', 'INTERVIEW_UPDATED',
                                                  'INTERVIEW_COMPLETED', 'FOLLOW_UP', 'ARCHIVED',
                                                  'UNARCHIVED', 'TAGGED')),
    from_status     text CHECK (from_status IN ('SAVED', 'APPLIED', 'SCREENING', 'INTERVIEWING',
                                                'OFFERED', 'ACCEPTED', 'REJECTED', 'WITHDRAWN')),
    to_status       text CHECK (to_status IN ('SAVED', 'APPLIED', 'SCREENING', 'INTERVIEWING',
                                              'OFFERED', 'ACCEPTED', 'REJECTED', 'WITHDRAWN')),
    note            text CHECK (length(note) <= 10000),
    interview_id    uuid REFERENCES interviews (id) ON DELETE SET NULL,
    payload         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(payload) = 'object'),
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (kind <> 'STATUS_CHANGED' OR to_status IS NOT NULL)
);
CREATE INDEX application_events_timeline_idx ON application_events (application_id, occurred_at, id);
CREATE INDEX application_events_actor_id_idx ON application_events (actor_id) WHERE actor_id IS NOT NULL;
CREATE INDEX application_events_interview_id_idx ON application_events (interview_id) WHERE interview_id IS NOT NULL;

-- The timeline is append-only: rows may be added (and go with their
-- application), never rewritten. ON DELETE SET NULL from users and
-- interviews is the one update allowed.
CREATE FUNCTION careergraph_application_events_append_only() RETURNS trigger
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
CREATE TRIGGER append_only BEFORE UPDATE ON application_events
    FOR EACH ROW EXECUTE FUNCTION careergraph_application_events_append_only();
