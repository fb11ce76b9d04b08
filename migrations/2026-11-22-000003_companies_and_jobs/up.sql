-- Job postings (written in careergraph or imported from elsewhere) and bookmarks.

-- Trigram matching for the location filter (ships with PostgreSQL).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE jobs (
    id               uuid PRIMARY KEY,
    -- Companies are shared reference data: one with postings cannot be deleted.
    company_id       uuid NOT NULL REFERENCES companies (id) ON DELETE RESTRICT,
    -- The recruiter who posted it, or the candidate who imported it.
    posted_by_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    title            text NOT NULL CHECK (btrim(title) <> '' AND length(title) <= 300),
    description      text NOT NULL DEFAULT '' CHECK (length(description) <= 100000),
    location         text CHECK (length(location) <= 200),
    remote_type      text CHECK (remote_type IN ('ONSITE', 'HYBRID', 'REMOTE')),
    employment_type  text CHECK (employment_type IN ('FULL_TIME', 'PART_TIME', 'CONTRACT', 'INTERNSHIP', 'TEMPORARY')),
    seniority        text CHECK (seniority IN ('INTERN', 'JUNIOR', 'MID', 'SENIOR', 'LEAD', 'PRINCIPAL', 'EXECUTIVE')),
    salary_min       integer CHECK (salary_min >= 0),
    salary_max       integer CHECK (salary_max >= 0),
    salary_currency  text CHECK (salary_currency ~ '^[A-Z]{3}$'),
    required_skills  text[] NOT NULL DEFAULT '{}',
    preferred_skills text[] NOT NULL DEFAULT '{}',
    status           text NOT NULL DEFAULT 'DRAFT' CHECK (status IN ('DRAFT', 'OPEN', 'CLOSED')),
    -- 'careergraph' for postings written here; otherwise where it was imported from.
    source           text NOT NULL DEFAULT 'careergraph' CHECK (btrim(source) <> '' AND length(source) <= 100),
    external_id      text CHECK (length(external_id) <= 500),
    external_url     text CHECK (length(external_url) <= 2048),
    posted_at        timestamptz,
    closed_at        timestamptz,
    deleted_at       timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    search           tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') ||
        setweight(to_tsvector('english', careergraph_join_text(required_skills) || ' ' ||
                                         careergraph_join_text(preferred_skills)), 'B') ||
        setweight(to_tsvector('english', coalesce(location, '')), 'C') ||
        setweight(to_tsvector('english', description), 'D')
    ) STORED,
    CHECK (salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max),
    CHECK (salary_currency IS NOT NULL OR (salary_min IS NULL AND salary_max IS NULL)),
    CHECK (external_id IS NULL OR source <> 'careergraph'),
    CHECK (closed_at IS NULL OR posted_at IS NULL OR closed_at >= posted_at)
);
-- An imported posting is the same job however often it is imported.
CREATE UNIQUE INDEX jobs_source_external_id_key ON jobs (source, external_id)
    WHERE external_id IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX jobs_company_id_idx ON jobs (company_id);
CREATE INDEX jobs_posted_by_id_idx ON jobs (posted_by_id, created_at DESC, id DESC);
-- Filters offered by `jobs(filter:)`.
CREATE INDEX jobs_search_idx ON jobs USING gin (search);
CREATE INDEX jobs_skills_idx ON jobs
    USING gin (careergraph_lower_text(required_skills || preferred_skills));
CREATE INDEX jobs_location_trgm_idx ON jobs USING gin (lower(location) gin_trgm_ops);
CREATE INDEX jobs_status_idx ON jobs (status) WHERE deleted_at IS NULL;
CREATE INDEX jobs_remote_type_idx ON jobs (remote_type) WHERE deleted_at IS NULL;
CREATE INDEX jobs_employment_type_idx ON jobs (employment_type) WHERE deleted_at IS NULL;
-- Orderings offered (and their keyset cursors): posted date, then salary.
-- Drafts have no posted_at yet and sort by creation.
CREATE INDEX jobs_posted_idx ON jobs ((coalesce(posted_at, created_at)) DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX jobs_salary_idx ON jobs ((coalesce(salary_max, salary_min, -1)) DESC, id DESC)
    WHERE deleted_at IS NULL;
SELECT careergraph_track_updated_at('jobs');

-- How well `skills` cover a job's skills, 0–100: required skills weigh 2,
-- preferred 1, names compare case-insensitively, a skill listed as both
-- counts as required. NULL when the job lists no skills. The API's
-- `Job.match` computes the same number in Rust.
CREATE FUNCTION careergraph_match_score(required text[], preferred text[], skills text[]) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH req AS (SELECT DISTINCT lower(item) AS skill FROM unnest(required) AS item),
         pref AS (SELECT DISTINCT lower(item) AS skill FROM unnest(preferred) AS item
                  WHERE lower(item) NOT IN (SELECT skill FROM req)),
         have AS (SELECT lower(item) AS skill FROM unnest(skills) AS item),
         totals AS (
             SELECT 2 * (SELECT count(*) FROM req) + (SELECT count(*) FROM pref) AS possible,
                    2 * (SELECT count(*) FROM req WHERE skill IN (SELECT skill FROM have))
                      + (SELECT count(*) FROM pref WHERE skill IN (SELECT skill FROM have)) AS earned
         )
    SELECT CASE WHEN possible = 0 THEN NULL ELSE ((earned * 100 + possible / 2) / possible)::integer END
    FROM totals
$$;

CREATE TABLE job_bookmarks (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    job_id      uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    favorite    boolean NOT NULL DEFAULT false,
    hidden      boolean NOT NULL DEFAULT false,
    notes       text CHECK (length(notes) <= 10000),
    tags        text[] NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, job_id)
);
CREATE INDEX job_bookmarks_job_id_idx ON job_bookmarks (job_id);
CREATE INDEX job_bookmarks_user_created_idx ON job_bookmarks (user_id, created_at DESC, id DESC);
SELECT careergraph_track_updated_at('job_bookmarks');
