-- Resumes cut from the master profile, their immutable versions, and cover letters.

CREATE TABLE resumes (
    id                 uuid PRIMARY KEY,
    user_id            uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title              text NOT NULL CHECK (btrim(title) <> '' AND length(title) <= 200),
    -- The job this resume is aimed at; the resume outlives the posting.
    target_job_id      uuid REFERENCES jobs (id) ON DELETE SET NULL,
    -- The version the user chose to send; NULL means "the latest".
    pinned_version_id  uuid,
    archived_at        timestamptz,
    deleted_at         timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX resumes_user_idx ON resumes (user_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX resumes_target_job_id_idx ON resumes (target_job_id) WHERE target_job_id IS NOT NULL;
SELECT careergraph_track_updated_at('resumes');

-- A version is never edited: saving makes a new one with the next number.
CREATE TABLE resume_versions (
    id                   uuid PRIMARY KEY,
    resume_id            uuid NOT NULL REFERENCES resumes (id) ON DELETE CASCADE,
    version              integer NOT NULL CHECK (version >= 1),
    -- A JSON Resume document (https://jsonresume.org/schema).
    content              jsonb NOT NULL CHECK (jsonb_typeof(content) = 'object'),
    origin               text NOT NULL CHECK (origin IN ('SNAPSHOT', 'TAILORED', 'EDITED', 'DUPLICATED', 'IMPORTED')),
    tailored_for_job_id  uuid REFERENCES jobs (id) ON DELETE SET NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (resume_id, version)
);
CREATE INDEX resume_versions_tailored_for_job_id_idx ON resume_versions (tailored_for_job_id)
    WHERE tailored_for_job_id IS NOT NULL;
SELECT careergraph_track_updated_at('resume_versions');

ALTER TABLE resumes ADD CONSTRAINT resumes_pinned_version_id_fkey
    FOREIGN KEY (pinned_version_id) REFERENCES resume_versions (id) ON DELETE SET NULL;
CREATE INDEX resumes_pinned_version_id_idx ON resumes (pinned_version_id) WHERE pinned_version_id IS NOT NULL;

-- One row per version of a user's letter for one job; at most one pinned.
CREATE TABLE cover_letters (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    job_id      uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    version     integer NOT NULL CHECK (version >= 1),
    title       text CHECK (length(title) <= 200),
    body        text NOT NULL CHECK (length(body) <= 50000),
    pinned      boolean NOT NULL DEFAULT false,
    deleted_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, job_id, version)
);
CREATE UNIQUE INDEX cover_letters_one_pinned_key ON cover_letters (user_id, job_id)
    WHERE pinned AND deleted_at IS NULL;
CREATE INDEX cover_letters_job_id_idx ON cover_letters (job_id);
SELECT careergraph_track_updated_at('cover_letters');
