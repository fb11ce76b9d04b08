// @generated automatically by Diesel CLI.

pub mod sql_types {
    #[derive(diesel::sql_types::SqlType)]
    #[diesel(postgres_type(name = "tsvector", schema = "pg_catalog"))]
    pub struct Tsvector;
}

diesel::table! {
    achievements (id) {
        id -> Uuid,
        work_experience_id -> Uuid,
        description -> Text,
        position -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    analytics_snapshots (id) {
        id -> Uuid,
        user_id -> Uuid,
        snapshot_date -> Date,
        metrics -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    application_events (id) {
        id -> Uuid,
        application_id -> Uuid,
        actor_id -> Nullable<Uuid>,
        kind -> Text,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        note -> Nullable<Text>,
        interview_id -> Nullable<Uuid>,
        payload -> Jsonb,
        occurred_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        internal -> Bool,
    }
}

diesel::table! {
    application_documents (id) {
        id -> Uuid,
        user_id -> Uuid,
        application_id -> Uuid,
        document_id -> Uuid,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    applications (id) {
        id -> Uuid,
        user_id -> Uuid,
        job_id -> Uuid,
        resume_version_id -> Nullable<Uuid>,
        cover_letter_id -> Nullable<Uuid>,
        status -> Text,
        status_changed_at -> Timestamptz,
        applied_at -> Nullable<Timestamptz>,
        notes -> Nullable<Text>,
        tags -> Array<Nullable<Text>>,
        archived -> Bool,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        source -> Nullable<Text>,
        interview_score -> Nullable<Float8>,
    }
}

diesel::table! {
    certifications (id) {
        id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        issuer -> Nullable<Text>,
        issued_on -> Nullable<Date>,
        expires_on -> Nullable<Date>,
        credential_id -> Nullable<Text>,
        credential_url -> Nullable<Text>,
        position -> Int4,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    companies (id) {
        id -> Uuid,
        name -> Text,
        website -> Nullable<Text>,
        industry -> Nullable<Text>,
        size -> Nullable<Text>,
        location -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    cover_letters (id) {
        id -> Uuid,
        user_id -> Uuid,
        job_id -> Uuid,
        version -> Int4,
        title -> Nullable<Text>,
        body -> Text,
        pinned -> Bool,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    document_contents (id) {
        id -> Uuid,
        bytes -> Bytea,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    documents (id) {
        id -> Uuid,
        user_id -> Uuid,
        kind -> Text,
        file_name -> Text,
        media_type -> Text,
        size_bytes -> Int8,
        sha256 -> Text,
        text_status -> Text,
        text -> Nullable<Text>,
        text_search -> Nullable<Tsvector>,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    educations (id) {
        id -> Uuid,
        user_id -> Uuid,
        institution -> Text,
        degree -> Nullable<Text>,
        field_of_study -> Nullable<Text>,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        grade -> Nullable<Text>,
        description -> Nullable<Text>,
        position -> Int4,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    email_outbox (id) {
        id -> Uuid,
        user_id -> Nullable<Uuid>,
        to_address -> Text,
        kind -> Text,
        subject -> Text,
        body -> Text,
        attempts -> Int4,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    interviews (id) {
        id -> Uuid,
        application_id -> Uuid,
        kind -> Text,
        scheduled_at -> Timestamptz,
        duration_minutes -> Nullable<Int4>,
        location -> Nullable<Text>,
        meeting_url -> Nullable<Text>,
        outcome -> Text,
        feedback -> Nullable<Text>,
        completed_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        kit_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    interview_kits (id) {
        id -> Uuid,
        job_id -> Uuid,
        name -> Text,
        kind -> Text,
        created_by_id -> Nullable<Uuid>,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    interview_questions (id) {
        id -> Uuid,
        kit_id -> Uuid,
        position -> Int4,
        text -> Text,
        guidance -> Nullable<Text>,
        competency -> Text,
        weight -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    job_bookmarks (id) {
        id -> Uuid,
        user_id -> Uuid,
        job_id -> Uuid,
        favorite -> Bool,
        hidden -> Bool,
        notes -> Nullable<Text>,
        tags -> Array<Nullable<Text>>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use super::sql_types::Tsvector;

    jobs (id) {
        id -> Uuid,
        company_id -> Uuid,
        posted_by_id -> Nullable<Uuid>,
        title -> Text,
        description -> Text,
        location -> Nullable<Text>,
        remote_type -> Nullable<Text>,
        employment_type -> Nullable<Text>,
        seniority -> Nullable<Text>,
        salary_min -> Nullable<Int4>,
        salary_max -> Nullable<Int4>,
        salary_currency -> Nullable<Text>,
        required_skills -> Array<Nullable<Text>>,
        preferred_skills -> Array<Nullable<Text>>,
        status -> Text,
        source -> Text,
        external_id -> Nullable<Text>,
        external_url -> Nullable<Text>,
        posted_at -> Nullable<Timestamptz>,
        closed_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        search -> Nullable<Tsvector>,
    }
}

diesel::table! {
    one_time_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        purpose -> Text,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    projects (id) {
        id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        description -> Nullable<Text>,
        url -> Nullable<Text>,
        technologies -> Array<Nullable<Text>>,
        highlights -> Array<Nullable<Text>>,
        links -> Jsonb,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        position -> Int4,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    rate_limit_hits (id) {
        id -> Uuid,
        scope -> Text,
        key_hash -> Bytea,
        window_start -> Timestamptz,
        expires_at -> Timestamptz,
        hits -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        family_id -> Uuid,
        token_hash -> Bytea,
        expires_at -> Timestamptz,
        rotated_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        user_agent -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    resume_versions (id) {
        id -> Uuid,
        resume_id -> Uuid,
        version -> Int4,
        content -> Jsonb,
        origin -> Text,
        tailored_for_job_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    resumes (id) {
        id -> Uuid,
        user_id -> Uuid,
        title -> Text,
        target_job_id -> Nullable<Uuid>,
        pinned_version_id -> Nullable<Uuid>,
        archived_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    scorecards (id) {
        id -> Uuid,
        interview_id -> Uuid,
        application_id -> Uuid,
        interviewer_id -> Uuid,
        revision -> Int4,
        recommendation -> Nullable<Int2>,
        summary -> Nullable<Text>,
        ratings -> Jsonb,
        submitted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    skills (id) {
        id -> Uuid,
        user_id -> Uuid,
        name -> Text,
        category -> Nullable<Text>,
        level -> Nullable<Text>,
        years -> Nullable<Int2>,
        position -> Int4,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        password_hash -> Text,
        full_name -> Text,
        role -> Text,
        headline -> Nullable<Text>,
        location -> Nullable<Text>,
        links -> Jsonb,
        company_id -> Nullable<Uuid>,
        email_verified_at -> Nullable<Timestamptz>,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    work_experiences (id) {
        id -> Uuid,
        user_id -> Uuid,
        company_id -> Nullable<Uuid>,
        company_name -> Text,
        title -> Text,
        location -> Nullable<Text>,
        employment_type -> Nullable<Text>,
        start_date -> Date,
        end_date -> Nullable<Date>,
        description -> Nullable<Text>,
        position -> Int4,
        deleted_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::joinable!(achievements -> work_experiences (work_experience_id));
diesel::joinable!(analytics_snapshots -> users (user_id));
diesel::joinable!(application_events -> applications (application_id));
diesel::joinable!(application_events -> interviews (interview_id));
diesel::joinable!(application_events -> users (actor_id));
diesel::joinable!(applications -> cover_letters (cover_letter_id));
diesel::joinable!(applications -> jobs (job_id));
diesel::joinable!(applications -> resume_versions (resume_version_id));
diesel::joinable!(applications -> users (user_id));
diesel::joinable!(certifications -> users (user_id));
diesel::joinable!(cover_letters -> jobs (job_id));
diesel::joinable!(cover_letters -> users (user_id));
diesel::joinable!(educations -> users (user_id));
diesel::joinable!(application_documents -> applications (application_id));
diesel::joinable!(application_documents -> documents (document_id));
diesel::joinable!(application_documents -> users (user_id));
diesel::joinable!(document_contents -> documents (id));
diesel::joinable!(documents -> users (user_id));
diesel::joinable!(email_outbox -> users (user_id));
diesel::joinable!(interview_kits -> jobs (job_id));
diesel::joinable!(interview_kits -> users (created_by_id));
diesel::joinable!(interview_questions -> interview_kits (kit_id));
diesel::joinable!(interviews -> applications (application_id));
diesel::joinable!(interviews -> interview_kits (kit_id));
diesel::joinable!(job_bookmarks -> jobs (job_id));
diesel::joinable!(job_bookmarks -> users (user_id));
diesel::joinable!(jobs -> companies (company_id));
diesel::joinable!(jobs -> users (posted_by_id));
diesel::joinable!(one_time_tokens -> users (user_id));
diesel::joinable!(projects -> users (user_id));
diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(resume_versions -> jobs (tailored_for_job_id));
diesel::joinable!(resumes -> jobs (target_job_id));
diesel::joinable!(resumes -> users (user_id));
diesel::joinable!(scorecards -> applications (application_id));
diesel::joinable!(scorecards -> interviews (interview_id));
diesel::joinable!(scorecards -> users (interviewer_id));
diesel::joinable!(skills -> users (user_id));
diesel::joinable!(users -> companies (company_id));
diesel::joinable!(work_experiences -> companies (company_id));
diesel::joinable!(work_experiences -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    achievements,
    analytics_snapshots,
    application_documents,
    application_events,
    applications,
    certifications,
    companies,
    cover_letters,
    document_contents,
    documents,
    educations,
    email_outbox,
    interview_kits,
    interview_questions,
    interviews,
    job_bookmarks,
    jobs,
    one_time_tokens,
    projects,
    rate_limit_hits,
    refresh_tokens,
    resume_versions,
    resumes,
    scorecards,
    skills,
    users,
    work_experiences,
);
