//! The data model: every migration goes up, down to nothing and up again,
//! and the constraints the domain relies on hold in the database itself.

use crate::common;

use careergraph::db::migrations;
use common::TestDb;
use diesel::QueryableByName;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

const TABLES: [&str; 27] = [
    "achievements",
    "analytics_snapshots",
    "application_documents",
    "application_events",
    "applications",
    "certifications",
    "companies",
    "cover_letters",
    "document_contents",
    "documents",
    "educations",
    "email_outbox",
    "interview_kits",
    "interview_questions",
    "interviews",
    "job_bookmarks",
    "jobs",
    "one_time_tokens",
    "projects",
    "rate_limit_hits",
    "refresh_tokens",
    "resume_versions",
    "resumes",
    "scorecards",
    "skills",
    "users",
    "work_experiences",
];

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

async fn names(conn: &mut AsyncPgConnection, sql: &str) -> Vec<String> {
    diesel::sql_query(sql).load::<Name>(conn).await.unwrap().into_iter().map(|row| row.name).collect()
}

async fn tables(conn: &mut AsyncPgConnection) -> Vec<String> {
    names(
        conn,
        "SELECT table_name::text AS name FROM information_schema.tables
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' ORDER BY 1",
    )
    .await
}

#[tokio::test]
async fn migrations_go_up_down_to_zero_and_up_again() {
    let db = TestDb::empty().await;
    let all = migrations::embedded_versions().len();

    assert_eq!(migrations::run_pending(&db.url).await.unwrap().len(), all);
    let mut conn = db.connect().await;
    assert_eq!(tables(&mut conn).await, TABLES);
    assert!(migrations::pending_versions(&mut conn).await.unwrap().is_empty());

    assert_eq!(migrations::revert_all(&db.url).await.unwrap().len(), all);
    assert_eq!(tables(&mut conn).await, Vec::<String>::new());
    let leftovers = names(
        &mut conn,
        "SELECT proname::text AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'public'",
    )
    .await;
    assert_eq!(leftovers, Vec::<String>::new(), "functions left behind by down.sql");
    assert_eq!(migrations::pending_versions(&mut conn).await.unwrap().len(), all);

    assert_eq!(migrations::run_pending(&db.url).await.unwrap().len(), all);
    assert_eq!(tables(&mut conn).await, TABLES);
}

#[tokio::test]
async fn replicas_migrating_together_apply_each_migration_once() {
    let db = TestDb::empty().await;
    let runs = (0..3).map(|_| {
        let url = db.url.clone();
        tokio::spawn(async move { migrations::run_pending(&url).await })
    });
    let mut applied = Vec::new();
    for run in runs {
        applied.push(run.await.unwrap().expect("every replica starts").len());
    }
    applied.sort_unstable();
    assert_eq!(applied, [0, 0, migrations::embedded_versions().len()], "one applies, the others find nothing pending");
}

#[tokio::test]
async fn every_table_has_uuid_ids_timestamps_and_an_updated_at_trigger() {
    let db = TestDb::migrated().await;
    let mut conn = db.connect().await;
    for table in TABLES {
        let columns = names(
            &mut conn,
            &format!(
                "SELECT column_name::text || ':' || data_type AS name FROM information_schema.columns
                 WHERE table_schema = 'public' AND table_name = '{table}'
                   AND column_name IN ('id', 'created_at', 'updated_at') ORDER BY 1"
            ),
        )
        .await;
        assert_eq!(
            columns,
            ["created_at:timestamp with time zone", "id:uuid", "updated_at:timestamp with time zone"],
            "{table}"
        );
        let triggers = names(
            &mut conn,
            &format!(
                "SELECT tgname::text AS name FROM pg_trigger WHERE tgrelid = '{table}'::regclass AND NOT tgisinternal
                 ORDER BY tgname"
            ),
        )
        .await;
        // The timeline's append-only trigger keeps its updated_at itself, and
        // its new rows are announced to subscribers; ended sessions are
        // announced too.
        let expected: &[&str] = match table {
            "application_events" => &["announce", "append_only"],
            "refresh_tokens" => &["announce_revocation", "set_updated_at"],
            // A score change alone keeps the application's updated_at; a
            // submitted scorecard is never changed.
            "applications" => &["set_updated_at", "set_updated_at_unless_scored"],
            "scorecards" => &["keep_submitted", "set_updated_at"],
            _ => &["set_updated_at"],
        };
        assert_eq!(triggers, expected, "{table}");
    }
    // Every foreign key column is the leading column of some index.
    let unindexed = names(
        &mut conn,
        "SELECT c.conrelid::regclass::text || '.' || a.attname AS name
         FROM pg_constraint c
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f' AND NOT EXISTS (
             SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])
         ORDER BY 1",
    )
    .await;
    assert_eq!(unindexed, Vec::<String>::new(), "foreign keys without an index");
}

/// Runs `sql`; returns the SQLSTATE-ish error text if the database refused it.
async fn run(conn: &mut AsyncPgConnection, sql: &str) -> Result<(), String> {
    diesel::sql_query(sql).execute(conn).await.map(|_| ()).map_err(|err| err.to_string())
}

async fn refused(conn: &mut AsyncPgConnection, sql: &str, why: &str) {
    let outcome = run(conn, sql).await;
    assert!(outcome.is_err(), "the database accepted {why}: {sql}");
}

const USER_A: &str = "00000000-0000-7000-8000-00000000000a";
const USER_B: &str = "00000000-0000-7000-8000-00000000000b";
const COMPANY: &str = "00000000-0000-7000-8000-0000000000c0";
const JOB: &str = "00000000-0000-7000-8000-0000000000d0";

async fn seed(conn: &mut AsyncPgConnection) {
    for sql in [
        format!(
            "INSERT INTO users (id, email, password_hash, full_name) VALUES ('{USER_A}', 'ada@example.com', 'x', 'Ada')"
        ),
        format!(
            "INSERT INTO users (id, email, password_hash, full_name, role) VALUES ('{USER_B}', 'rec@example.com', 'x', 'Rec', 'RECRUITER')"
        ),
        format!("INSERT INTO companies (id, name) VALUES ('{COMPANY}', 'Acme')"),
        format!(
            "INSERT INTO jobs (id, company_id, posted_by_id, title, description, required_skills, status, posted_at)
             VALUES ('{JOB}', '{COMPANY}', '{USER_B}', 'Backend Engineer', 'Build GraphQL APIs in Rust',
                     '{{Rust,PostgreSQL}}', 'OPEN', now())"
        ),
    ] {
        run(conn, &sql).await.unwrap();
    }
}

#[tokio::test]
async fn user_constraints_case_insensitive_email_and_reuse_after_soft_delete() {
    let db = TestDb::migrated().await;
    let mut conn = db.connect().await;
    seed(&mut conn).await;
    let insert = |id: &str, email: &str| {
        format!("INSERT INTO users (id, email, password_hash, full_name) VALUES ('{id}', '{email}', 'x', 'Someone')")
    };
    refused(&mut conn, &insert("00000000-0000-7000-8000-000000000001", "ADA@example.com"), "an upper-case email").await;
    refused(&mut conn, &insert("00000000-0000-7000-8000-000000000001", "ada@example.com"), "a duplicate email").await;
    refused(&mut conn, &insert("00000000-0000-7000-8000-000000000001", "not-an-email"), "a malformed email").await;
    refused(&mut conn, &format!("UPDATE users SET role = 'SUPERUSER' WHERE id = '{USER_A}'"), "an unknown role").await;
    run(&mut conn, &format!("UPDATE users SET deleted_at = now() WHERE id = '{USER_A}'")).await.unwrap();
    run(&mut conn, &insert("00000000-0000-7000-8000-000000000001", "ada@example.com")).await.unwrap();
}

#[tokio::test]
async fn job_constraints_and_full_text_search() {
    let db = TestDb::migrated().await;
    let mut conn = db.connect().await;
    seed(&mut conn).await;
    let job = |id: &str, extra_cols: &str, extra_vals: &str| {
        format!(
            "INSERT INTO jobs (id, company_id, title{extra_cols}) VALUES ('{id}', '{COMPANY}', 'Engineer'{extra_vals})"
        )
    };
    refused(
        &mut conn,
        &job("00000000-0000-7000-8000-000000000002", ", salary_min, salary_max, salary_currency", ", 200, 100, 'EUR'"),
        "salary_min above salary_max",
    )
    .await;
    refused(
        &mut conn,
        &job("00000000-0000-7000-8000-000000000002", ", salary_min", ", 100"),
        "a salary without currency",
    )
    .await;
    refused(
        &mut conn,
        &job("00000000-0000-7000-8000-000000000002", ", remote_type", ", 'SOMETIMES'"),
        "an unknown remote type",
    )
    .await;
    refused(&mut conn, &job("00000000-0000-7000-8000-000000000002", ", status", ", 'ARCHIVED'"), "an unknown status")
        .await;

    let imported = ", source, external_id";
    run(&mut conn, &job("00000000-0000-7000-8000-000000000003", imported, ", 'board', 'X-1'")).await.unwrap();
    refused(
        &mut conn,
        &job("00000000-0000-7000-8000-000000000004", imported, ", 'board', 'X-1'"),
        "a duplicate import",
    )
    .await;
    run(&mut conn, &job("00000000-0000-7000-8000-000000000004", imported, ", 'other-board', 'X-1'")).await.unwrap();

    #[derive(QueryableByName)]
    struct Hit {
        #[diesel(sql_type = Bool)]
        hit: bool,
    }
    for (query, expected) in [("postgresql", true), ("graphql", true), ("cobol", false)] {
        let hits = diesel::sql_query(format!(
            "SELECT search @@ websearch_to_tsquery('english', '{query}') AS hit FROM jobs WHERE id = '{JOB}'"
        ))
        .load::<Hit>(&mut conn)
        .await
        .unwrap();
        assert_eq!(hits[0].hit, expected, "searching {query}");
    }
}

#[tokio::test]
async fn profile_dates_and_skill_names_are_checked() {
    let db = TestDb::migrated().await;
    let mut conn = db.connect().await;
    seed(&mut conn).await;
    refused(
        &mut conn,
        &format!(
            "INSERT INTO work_experiences (id, user_id, company_name, title, start_date, end_date)
             VALUES ('00000000-0000-7000-8000-000000000005', '{USER_A}', 'Acme', 'Dev', '2024-05-01', '2023-01-01')"
        ),
        "an end date before the start date",
    )
    .await;
    let skill =
        |id: &str, name: &str| format!("INSERT INTO skills (id, user_id, name) VALUES ('{id}', '{USER_A}', '{name}')");
    run(&mut conn, &skill("00000000-0000-7000-8000-000000000006", "Rust")).await.unwrap();
    refused(&mut conn, &skill("00000000-0000-7000-8000-000000000007", "rust"), "a duplicate skill").await;
}

#[tokio::test]
async fn one_live_application_per_user_and_job_and_an_append_only_timeline() {
    let db = TestDb::migrated().await;
    let mut conn = db.connect().await;
    seed(&mut conn).await;
    let apply = |id: &str| {
        format!(
            "INSERT INTO applications (id, user_id, job_id, status, applied_at)
             VALUES ('{id}', '{USER_A}', '{JOB}', 'APPLIED', now())"
        )
    };
    let first = "00000000-0000-7000-8000-0000000000a1";
    run(&mut conn, &apply(first)).await.unwrap();
    refused(&mut conn, &apply("00000000-0000-7000-8000-0000000000a2"), "a second live application").await;
    refused(
        &mut conn,
        &format!(
            "INSERT INTO applications (id, user_id, job_id, status)
             VALUES ('00000000-0000-7000-8000-0000000000a3', '{USER_B}', '{JOB}', 'INTERVIEWING')"
        ),
        "an interviewing application that was never applied",
    )
    .await;
    run(&mut conn, &format!("UPDATE applications SET status = 'WITHDRAWN' WHERE id = '{first}'")).await.unwrap();
    run(&mut conn, &apply("00000000-0000-7000-8000-0000000000a2")).await.unwrap();

    let event = "00000000-0000-7000-8000-0000000000e1";
    run(
        &mut conn,
        &format!(
            "INSERT INTO application_events (id, application_id, actor_id, kind, from_status, to_status)
             VALUES ('{event}', '{first}', '{USER_B}', 'STATUS_CHANGED', 'APPLIED', 'WITHDRAWN')"
        ),
    )
    .await
    .unwrap();
    refused(
        &mut conn,
        &format!("UPDATE application_events SET to_status = 'ACCEPTED' WHERE id = '{event}'"),
        "rewriting the timeline",
    )
    .await;
    // Deleting the actor's account keeps the history, with no actor.
    run(&mut conn, &format!("DELETE FROM users WHERE id = '{USER_B}'")).await.unwrap();
    let actors = names(
        &mut conn,
        &format!("SELECT coalesce(actor_id::text, 'none') AS name FROM application_events WHERE id = '{event}'"),
    )
    .await;
    assert_eq!(actors, ["none"]);
}

#[tokio::test]
async fn updated_at_moves_on_update_and_created_at_stays() {
    let db = TestDb::migrated().await;
    let mut conn = db.connect().await;
    seed(&mut conn).await;
    run(&mut conn, &format!("UPDATE companies SET created_at = now() - interval '1 day', updated_at = now() - interval '1 day' WHERE id = '{COMPANY}'")).await.unwrap();
    run(&mut conn, &format!("UPDATE companies SET website = 'https://acme.test' WHERE id = '{COMPANY}'"))
        .await
        .unwrap();
    #[derive(QueryableByName)]
    struct Fresh {
        #[diesel(sql_type = Bool)]
        updated_recently: bool,
        #[diesel(sql_type = Bool)]
        created_long_ago: bool,
    }
    let row = diesel::sql_query(format!(
        "SELECT updated_at > now() - interval '1 minute' AS updated_recently,
                created_at < now() - interval '1 hour' AS created_long_ago
         FROM companies WHERE id = '{COMPANY}'"
    ))
    .get_result::<Fresh>(&mut conn)
    .await
    .unwrap();
    assert!(row.updated_recently && row.created_long_ago);
}
