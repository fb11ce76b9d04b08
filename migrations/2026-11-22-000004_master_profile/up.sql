-- The master profile: everything a resume is cut from. Each list is ordered
-- by `position` (the user's order) and soft deleted.

CREATE TABLE work_experiences (
    id               uuid PRIMARY KEY,
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    company_id       uuid REFERENCES companies (id) ON DELETE SET NULL,
    company_name     text NOT NULL CHECK (btrim(company_name) <> '' AND length(company_name) <= 200),
    title            text NOT NULL CHECK (btrim(title) <> '' AND length(title) <= 200),
    location         text CHECK (length(location) <= 200),
    employment_type  text CHECK (employment_type IN ('FULL_TIME', 'PART_TIME', 'CONTRACT', 'INTERNSHIP', 'TEMPORARY')),
    start_date       date NOT NULL,
    -- NULL means the role is current.
    end_date         date,
    description      text CHECK (length(description) <= 10000),
    position         integer NOT NULL DEFAULT 0,
    deleted_at       timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX work_experiences_user_idx ON work_experiences (user_id, position, id) WHERE deleted_at IS NULL;
CREATE INDEX work_experiences_company_id_idx ON work_experiences (company_id) WHERE company_id IS NOT NULL;
SELECT careergraph_track_updated_at('work_experiences');

-- The bullet points of one role; they live and die with it.
CREATE TABLE achievements (
    id                  uuid PRIMARY KEY,
    work_experience_id  uuid NOT NULL REFERENCES work_experiences (id) ON DELETE CASCADE,
    description         text NOT NULL CHECK (btrim(description) <> '' AND length(description) <= 2000),
    position            integer NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX achievements_work_experience_idx ON achievements (work_experience_id, position, id);
SELECT careergraph_track_updated_at('achievements');

CREATE TABLE educations (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    institution     text NOT NULL CHECK (btrim(institution) <> '' AND length(institution) <= 200),
    degree          text CHECK (length(degree) <= 200),
    field_of_study  text CHECK (length(field_of_study) <= 200),
    start_date      date,
    end_date        date,
    grade           text CHECK (length(grade) <= 100),
    description     text CHECK (length(description) <= 10000),
    position        integer NOT NULL DEFAULT 0,
    deleted_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX educations_user_idx ON educations (user_id, position, id) WHERE deleted_at IS NULL;
SELECT careergraph_track_updated_at('educations');

CREATE TABLE certifications (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    issuer          text CHECK (length(issuer) <= 200),
    issued_on       date,
    expires_on      date,
    credential_id   text CHECK (length(credential_id) <= 200),
    credential_url  text CHECK (length(credential_url) <= 2048),
    position        integer NOT NULL DEFAULT 0,
    deleted_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (expires_on IS NULL OR issued_on IS NULL OR expires_on >= issued_on)
);
CREATE INDEX certifications_user_idx ON certifications (user_id, position, id) WHERE deleted_at IS NULL;
SELECT careergraph_track_updated_at('certifications');

CREATE TABLE skills (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 100),
    category    text CHECK (length(category) <= 100),
    level       text CHECK (level IN ('BEGINNER', 'INTERMEDIATE', 'ADVANCED', 'EXPERT')),
    years       smallint CHECK (years BETWEEN 0 AND 80),
    position    integer NOT NULL DEFAULT 0,
    deleted_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- A skill appears once per profile, whatever its spelling's case.
CREATE UNIQUE INDEX skills_user_name_key ON skills (user_id, lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX skills_user_idx ON skills (user_id, position, id) WHERE deleted_at IS NULL;
SELECT careergraph_track_updated_at('skills');

CREATE TABLE projects (
    id            uuid PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    description   text CHECK (length(description) <= 10000),
    url           text CHECK (length(url) <= 2048),
    technologies  text[] NOT NULL DEFAULT '{}',
    highlights    text[] NOT NULL DEFAULT '{}',
    -- [{"label": "Source", "url": "https://..."}]
    links         jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(links) = 'array'),
    start_date    date,
    end_date      date,
    position      integer NOT NULL DEFAULT 0,
    deleted_at    timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX projects_user_idx ON projects (user_id, position, id) WHERE deleted_at IS NULL;
SELECT careergraph_track_updated_at('projects');
