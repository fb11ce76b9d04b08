-- Files a user uploads (a CV, a cover letter, a portfolio…): what they are,
-- as checked from their bytes, and the bytes themselves, kept apart so
-- listing documents never reads them.
CREATE TABLE documents (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('CV', 'COVER_LETTER', 'PORTFOLIO', 'OTHER')),
    file_name   text NOT NULL CHECK (btrim(file_name) <> '' AND length(file_name) <= 255),
    media_type  text NOT NULL CHECK (media_type IN (
                    'application/pdf',
                    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
                    'text/plain', 'image/png', 'image/jpeg')),
    size_bytes  bigint NOT NULL CHECK (size_bytes > 0),
    sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    -- Plain text read from PDFs and text files in the background, for the
    -- owner to search; other types are NOT_APPLICABLE.
    text_status text NOT NULL DEFAULT 'PENDING' CHECK (text_status IN ('PENDING', 'DONE', 'FAILED', 'NOT_APPLICABLE')),
    text        text CHECK (length(text) <= 1000000),
    text_search tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(text, ''))) STORED,
    deleted_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_user_created_idx ON documents (user_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX documents_text_search_idx ON documents USING gin (text_search);
-- The extraction worker's queue.
CREATE INDEX documents_pending_text_idx ON documents (created_at, id) WHERE text_status = 'PENDING';
SELECT careergraph_track_updated_at('documents');

-- The bytes of each document (the default store: PostgreSQL), under the
-- document's id.
CREATE TABLE document_contents (
    id          uuid PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    bytes       bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
SELECT careergraph_track_updated_at('document_contents');

-- Documents sent with an application (`applyToJob(input: { documentIds })`):
-- the job's recruiter may read them, even after the candidate deletes the
-- document from their own list.
CREATE TABLE application_documents (
    id             uuid PRIMARY KEY,
    -- The applicant, whose document it is.
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    application_id uuid NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    document_id    uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (application_id, document_id)
);
CREATE INDEX application_documents_document_idx ON application_documents (document_id);
CREATE INDEX application_documents_user_idx ON application_documents (user_id);
SELECT careergraph_track_updated_at('application_documents');
