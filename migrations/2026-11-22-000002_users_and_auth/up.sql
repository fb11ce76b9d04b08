-- Accounts, sessions and the mail outbox.

CREATE TABLE companies (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    website     text CHECK (length(website) <= 2048),
    industry    text CHECK (length(industry) <= 200),
    size        text CHECK (size IN ('SIZE_1_10', 'SIZE_11_50', 'SIZE_51_200', 'SIZE_201_1000',
                                     'SIZE_1001_5000', 'SIZE_5001_PLUS')),
    location    text CHECK (length(location) <= 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- Companies are found or created by name, so the name is unique case-insensitively.
CREATE UNIQUE INDEX companies_name_key ON companies (lower(name));
SELECT careergraph_track_updated_at('companies');

CREATE TABLE users (
    id                 uuid PRIMARY KEY,
    -- Stored normalised (trimmed, lower case) by the application.
    email              text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%' AND length(email) <= 320),
    password_hash      text NOT NULL,
    full_name          text NOT NULL CHECK (btrim(full_name) <> '' AND length(full_name) <= 200),
    role               text NOT NULL DEFAULT 'CANDIDATE' CHECK (role IN ('CANDIDATE', 'RECRUITER', 'ADMIN')),
    headline           text CHECK (length(headline) <= 300),
    location           text CHECK (length(location) <= 200),
    -- [{"label": "GitHub", "url": "https://..."}]
    links              jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(links) = 'array'),
    -- The company a recruiter hires for; ON DELETE SET NULL keeps the account.
    company_id         uuid REFERENCES companies (id) ON DELETE SET NULL,
    email_verified_at  timestamptz,
    deleted_at         timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
-- One live account per email; a deleted account frees its address.
CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE deleted_at IS NULL;
CREATE INDEX users_company_id_idx ON users (company_id) WHERE company_id IS NOT NULL;
CREATE INDEX users_created_at_idx ON users (created_at, id);
SELECT careergraph_track_updated_at('users');

-- Opaque refresh tokens, stored only as hashes. Every rotation adds a row in
-- the same family; presenting a rotated token revokes the whole family.
CREATE TABLE refresh_tokens (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id    uuid NOT NULL,
    token_hash   bytea NOT NULL UNIQUE,
    expires_at   timestamptz NOT NULL,
    rotated_at   timestamptz,
    revoked_at   timestamptz,
    user_agent   text CHECK (length(user_agent) <= 512),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (expires_at > created_at)
);
CREATE INDEX refresh_tokens_user_id_idx ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family_id_idx ON refresh_tokens (family_id);
SELECT careergraph_track_updated_at('refresh_tokens');

CREATE TABLE one_time_tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('EMAIL_VERIFICATION', 'PASSWORD_RESET')),
    token_hash  bytea NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (expires_at > created_at)
);
CREATE INDEX one_time_tokens_user_id_idx ON one_time_tokens (user_id, purpose);
SELECT careergraph_track_updated_at('one_time_tokens');

-- Mails the system owes; a mailer drains the unsent ones in order.
CREATE TABLE email_outbox (
    id          uuid PRIMARY KEY,
    user_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    to_address  text NOT NULL CHECK (to_address LIKE '%_@_%'),
    kind        text NOT NULL CHECK (kind IN ('EMAIL_VERIFICATION', 'PASSWORD_RESET', 'PASSWORD_CHANGED')),
    subject     text NOT NULL,
    body        text NOT NULL,
    attempts    integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error  text,
    sent_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_outbox_user_id_idx ON email_outbox (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX email_outbox_unsent_idx ON email_outbox (created_at, id) WHERE sent_at IS NULL;
SELECT careergraph_track_updated_at('email_outbox');
