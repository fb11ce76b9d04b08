-- Structured interviews: interview kits (ordered questions per job), the
-- scorecards interviewers fill in for an interview, and each application's
-- overall interview score, kept on the application so a job's applicants can
-- be ranked by it through an index. Candidates never see any of it.

-- A job's interview kits: what to ask in one kind of interview.
CREATE TABLE interview_kits (
    id            uuid PRIMARY KEY,
    job_id        uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    kind          text NOT NULL CHECK (kind IN ('PHONE_SCREEN', 'TECHNICAL', 'BEHAVIORAL', 'ONSITE',
                                                'PANEL', 'TAKE_HOME', 'FINAL', 'OTHER')),
    -- Who wrote it; the kit stays when the account goes.
    created_by_id uuid REFERENCES users (id) ON DELETE SET NULL,
    deleted_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX interview_kits_job_idx ON interview_kits (job_id, created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX interview_kits_created_by_id_idx ON interview_kits (created_by_id) WHERE created_by_id IS NOT NULL;
SELECT careergraph_track_updated_at('interview_kits');

-- A kit's questions, in `position` order.
CREATE TABLE interview_questions (
    id          uuid PRIMARY KEY,
    kit_id      uuid NOT NULL REFERENCES interview_kits (id) ON DELETE CASCADE,
    position    integer NOT NULL CHECK (position >= 0),
    text        text NOT NULL CHECK (btrim(text) <> '' AND length(text) <= 2000),
    guidance    text CHECK (length(guidance) <= 5000),
    competency  text NOT NULL CHECK (btrim(competency) <> '' AND length(competency) <= 100),
    weight      integer NOT NULL DEFAULT 1 CHECK (weight BETWEEN 1 AND 10),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX interview_questions_kit_idx ON interview_questions (kit_id, position, id);
SELECT careergraph_track_updated_at('interview_questions');

-- The kit an interview is run with.
ALTER TABLE interviews ADD COLUMN kit_id uuid REFERENCES interview_kits (id) ON DELETE SET NULL;
CREATE INDEX interviews_kit_id_idx ON interviews (kit_id) WHERE kit_id IS NOT NULL;

-- One interviewer's scorecard for one interview, one row per revision: the
-- draft (at most one, `submitted_at` null) is edited in place; a submitted
-- revision is never changed again (a trigger refuses it), so a correction is
-- a new revision. Each rating keeps the question's text, competency and
-- weight as they were when it was rated, so later edits to the kit do not
-- rewrite a submitted scorecard.
CREATE TABLE scorecards (
    id              uuid PRIMARY KEY,
    interview_id    uuid NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    -- The interview's application, for reports over many applications.
    application_id  uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    interviewer_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    revision        integer NOT NULL CHECK (revision >= 1),
    -- 1 STRONG_NO, 2 NO, 3 YES, 4 STRONG_YES.
    recommendation  smallint CHECK (recommendation BETWEEN 1 AND 4),
    summary         text CHECK (length(summary) <= 10000),
    -- [{ "questionId", "question", "competency", "weight", "rating" (1–4), "notes" }]
    ratings         jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(ratings) = 'array'),
    submitted_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (interview_id, interviewer_id, revision),
    CHECK (submitted_at IS NULL OR recommendation IS NOT NULL)
);
CREATE UNIQUE INDEX scorecards_one_draft_idx ON scorecards (interview_id, interviewer_id) WHERE submitted_at IS NULL;
CREATE INDEX scorecards_application_idx ON scorecards (application_id, interview_id, interviewer_id, revision);
CREATE INDEX scorecards_interviewer_id_idx ON scorecards (interviewer_id);
SELECT careergraph_track_updated_at('scorecards');

CREATE FUNCTION careergraph_keep_submitted_scorecards() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.submitted_at IS NOT NULL THEN
        RAISE EXCEPTION 'a submitted scorecard is never changed; submit a new revision'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER keep_submitted BEFORE UPDATE ON scorecards
    FOR EACH ROW EXECUTE FUNCTION careergraph_keep_submitted_scorecards();

-- The weighted average rating (1–4) of the latest submitted revision of each
-- scorecard of the application; null until one is submitted. Unscored
-- applicants rank as 0.
ALTER TABLE applications ADD COLUMN interview_score double precision
    CHECK (interview_score BETWEEN 1 AND 4);
CREATE INDEX applications_job_score_idx ON applications (job_id, (coalesce(interview_score, 0)), id)
    WHERE deleted_at IS NULL;
-- `Job.applicants(orderBy: UPDATED_AT)`, the other new ordering of a job's applicants.
CREATE INDEX applications_job_updated_idx ON applications (job_id, updated_at DESC, id DESC)
    WHERE deleted_at IS NULL;

-- The score is the recruiters' business: changing it alone leaves the
-- application's `updated_at` (which its candidate sees and sorts by) as it
-- was. Fires after `set_updated_at` (triggers run in name order).
CREATE FUNCTION careergraph_score_leaves_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.interview_score IS DISTINCT FROM OLD.interview_score
       AND to_jsonb(NEW) - 'interview_score' - 'updated_at' = to_jsonb(OLD) - 'interview_score' - 'updated_at' THEN
        NEW.updated_at := OLD.updated_at;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER set_updated_at_unless_scored BEFORE UPDATE ON applications
    FOR EACH ROW EXECUTE FUNCTION careergraph_score_leaves_updated_at();

-- Timeline events only the recruiting side sees (a scorecard was submitted).
ALTER TABLE application_events ADD COLUMN internal boolean NOT NULL DEFAULT false;
ALTER TABLE application_events DROP CONSTRAINT application_events_kind_check;
ALTER TABLE application_events ADD CONSTRAINT application_events_kind_check
    CHECK (kind IN ('CREATED', 'STATUS_CHANGED', 'NOTE_ADDED', 'INTERVIEW_SCHEDULED', 'INTERVIEW_UPDATED',
                    'INTERVIEW_COMPLETED', 'FOLLOW_UP', 'ARCHIVED', 'UNARCHIVED', 'TAGGED',
                    'SCORECARD_SUBMITTED'));
ALTER TABLE application_events ADD CONSTRAINT application_events_scorecards_internal_check
    CHECK (kind <> 'SCORECARD_SUBMITTED' OR internal);

-- The append-only rule covers the new column too.
CREATE OR REPLACE FUNCTION careergraph_application_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
       AND (NEW.interview_id IS NULL OR NEW.interview_id = OLD.interview_id)
       AND (NEW.id, NEW.application_id, NEW.kind, NEW.from_status, NEW.to_status, NEW.note, NEW.payload, NEW.occurred_at, NEW.created_at, NEW.internal)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.application_id, OLD.kind, OLD.from_status, OLD.to_status, OLD.note, OLD.payload, OLD.occurred_at, OLD.created_at, OLD.internal)
    THEN
        NEW.updated_at := now();
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'application_events is append-only' USING ERRCODE = 'restrict_violation';
END;
$$;
