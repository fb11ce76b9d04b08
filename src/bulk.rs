//! `careergraph seed --users N --jobs N --applications N`: generated data in
//! bulk, for benchmarks. PostgreSQL generates the rows (`INSERT … SELECT`
//! over `generate_series`), so a run is a handful of statements whatever
//! its size. Every run is tagged, so runs can be repeated on one database.
//!
//! Generated accounts sign in with the demo password, as
//! `bench-<run>-<n>@example.com`; one user in ten is a recruiter.

use diesel::sql_types::{Array, BigInt, Text};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::auth::password;
use crate::config::SeedVolume;
use crate::demo::DEMO_PASSWORD;

/// What a run added.
#[derive(Debug, Clone, Default)]
pub struct Added {
    /// The tag in this run's email addresses.
    pub run: String,
    /// Users numbered below this are recruiters.
    pub recruiters: usize,
    pub users: usize,
    pub jobs: usize,
    pub applications: usize,
    pub events: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// The skills jobs ask for and candidates list.
const SKILLS: [&str; 20] = [
    "Rust",
    "Go",
    "Python",
    "TypeScript",
    "React",
    "PostgreSQL",
    "Kubernetes",
    "AWS",
    "Terraform",
    "GraphQL",
    "Java",
    "Kotlin",
    "Swift",
    "SQL",
    "Docker",
    "Linux",
    "Kafka",
    "Redis",
    "Machine Learning",
    "Figma",
];

/// Job titles, combined with a seniority.
const TITLES: [&str; 8] = [
    "Backend Engineer",
    "Frontend Engineer",
    "Platform Engineer",
    "Data Engineer",
    "Site Reliability Engineer",
    "Mobile Engineer",
    "Product Designer",
    "Full-Stack Developer",
];

const CITIES: [&str; 6] = ["Berlin", "Lisbon", "London", "New York", "Toronto", "Remote"];

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

fn count(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl Added {
    /// The email of generated user `n`.
    pub fn email(&self, n: usize) -> String {
        format!("bench-{}-{n}@example.com", self.run)
    }
}

/// Adds the generated data in one transaction.
pub async fn seed(conn: &mut AsyncPgConnection, volume: SeedVolume) -> Result<Added, BulkError> {
    let recruiters = volume.users / 10;
    let candidates = volume.users - recruiters;
    if volume.jobs > 0 && recruiters == 0 {
        return Err(BulkError::Refused("jobs need recruiters: pass --users 10 or more".into()));
    }
    if volume.applications > 0 && (candidates == 0 || volume.jobs == 0) {
        return Err(BulkError::Refused("applications need candidates (--users) and --jobs".into()));
    }
    if volume.applications > candidates.saturating_mul(volume.jobs) {
        return Err(BulkError::Refused(format!(
            "at most one application per candidate and job: {candidates} candidates × {} jobs",
            volume.jobs
        )));
    }
    // One hash for every generated account: hashing is deliberately slow.
    let hash = password::hash(DEMO_PASSWORD).await;
    // The random tail of a v7 id tells runs apart.
    let run = uuid::Uuid::now_v7().simple().to_string()[24..].to_owned();
    let skills: Vec<String> = SKILLS.iter().map(|s| (*s).to_owned()).collect();
    let titles: Vec<String> = TITLES.iter().map(|s| (*s).to_owned()).collect();
    let cities: Vec<String> = CITIES.iter().map(|s| (*s).to_owned()).collect();
    conn.transaction(async |conn| {
        // Generated timelines are not news: no announcement per event.
        sql_query("SET LOCAL careergraph.quiet_events = 'on'").execute(conn).await?;
        // Numbered users of this run; recruiters are n < recruiters.
        sql_query(
            "CREATE TEMP TABLE bench_users ON COMMIT DROP AS
             SELECT n, gen_random_uuid() AS id, n < $2 AS recruiter FROM generate_series(0, $1 - 1) AS n",
        )
        .bind::<BigInt, _>(count(volume.users))
        .bind::<BigInt, _>(count(recruiters))
        .execute(conn)
        .await?;
        sql_query(
            "CREATE TEMP TABLE bench_companies ON COMMIT DROP AS
             SELECT n, gen_random_uuid() AS id FROM generate_series(0, greatest($1 / 2, 1) - 1) AS n",
        )
        .bind::<BigInt, _>(count(recruiters))
        .execute(conn)
        .await?;
        sql_query(
            "INSERT INTO companies (id, name, industry, location)
             SELECT c.id, 'Bench ' || $1 || ' Company ' || c.n, 'Software', ($2::text[])[1 + c.n % cardinality($2)]
             FROM bench_companies c WHERE $3 > 0",
        )
        .bind::<Text, _>(&run)
        .bind::<Array<Text>, _>(&cities)
        .bind::<BigInt, _>(count(recruiters))
        .execute(conn)
        .await?;
        sql_query(
            "INSERT INTO users (id, email, password_hash, full_name, role, headline, location, company_id,
                                email_verified_at, created_at)
             SELECT u.id, 'bench-' || $1 || '-' || u.n || '@example.com', $2,
                    CASE WHEN u.recruiter THEN 'Recruiter ' ELSE 'Candidate ' END || u.n,
                    CASE WHEN u.recruiter THEN 'RECRUITER' ELSE 'CANDIDATE' END,
                    CASE WHEN u.recruiter THEN 'Talent partner' ELSE 'Software engineer' END,
                    ($3::text[])[1 + u.n % cardinality($3)],
                    CASE WHEN u.recruiter THEN (SELECT c.id FROM bench_companies c
                                                 WHERE c.n = u.n % greatest($4 / 2, 1)) END,
                    now(), now() - (u.n % 365) * interval '1 day'
             FROM bench_users u",
        )
        .bind::<Text, _>(&run)
        .bind::<Text, _>(&hash)
        .bind::<Array<Text>, _>(&cities)
        .bind::<BigInt, _>(count(recruiters))
        .execute(conn)
        .await?;
        // Three skills per candidate, consecutive in the list.
        sql_query(
            "INSERT INTO skills (id, user_id, name, level, years, position)
             SELECT gen_random_uuid(), u.id, ($1::text[])[1 + (u.n + k) % cardinality($1)],
                    (ARRAY['INTERMEDIATE', 'ADVANCED', 'EXPERT'])[1 + k], 1 + (u.n + k) % 10, k
             FROM bench_users u CROSS JOIN generate_series(0, 2) AS k
             WHERE NOT u.recruiter",
        )
        .bind::<Array<Text>, _>(&skills)
        .execute(conn)
        .await?;
        sql_query(
            "CREATE TEMP TABLE bench_jobs ON COMMIT DROP AS
             SELECT j.n, gen_random_uuid() AS id, u.id AS poster
             FROM generate_series(0, $1 - 1) AS j (n)
             JOIN bench_users u ON u.recruiter AND u.n = j.n % $2",
        )
        .bind::<BigInt, _>(count(volume.jobs))
        .bind::<BigInt, _>(count(recruiters.max(1)))
        .execute(conn)
        .await?;
        let jobs = sql_query(
            "INSERT INTO jobs (id, company_id, posted_by_id, title, description, location, remote_type,
                               employment_type, seniority, salary_min, salary_max, salary_currency,
                               required_skills, preferred_skills, status, posted_at, created_at)
             SELECT j.id, u.company_id, j.poster,
                    (ARRAY['Junior', 'Mid-level', 'Senior', 'Lead'])[1 + j.n % 4] || ' '
                        || ($2::text[])[1 + j.n % cardinality($2)],
                    'Join our team to build and run ' || ($1::text[])[1 + j.n % cardinality($1)]
                        || ' systems used by millions. You will work with '
                        || ($1::text[])[1 + (j.n + 1) % cardinality($1)] || ' and '
                        || ($1::text[])[1 + (j.n + 2) % cardinality($1)] || '.',
                    ($3::text[])[1 + j.n % cardinality($3)],
                    (ARRAY['ONSITE', 'HYBRID', 'REMOTE'])[1 + j.n % 3],
                    (ARRAY['FULL_TIME', 'FULL_TIME', 'CONTRACT', 'PART_TIME'])[1 + j.n % 4],
                    (ARRAY['JUNIOR', 'MID', 'SENIOR', 'LEAD'])[1 + j.n % 4],
                    40000 + (j.n % 12) * 10000, 60000 + (j.n % 12) * 12000, 'USD',
                    ARRAY[($1::text[])[1 + j.n % cardinality($1)], ($1::text[])[1 + (j.n + 1) % cardinality($1)]],
                    ARRAY[($1::text[])[1 + (j.n + 5) % cardinality($1)]],
                    'OPEN',
                    now() - (j.n % 90) * interval '1 day' - (j.n % 24) * interval '1 hour',
                    now() - (j.n % 90) * interval '1 day' - (j.n % 24) * interval '1 hour'
             FROM bench_jobs j JOIN users u ON u.id = j.poster",
        )
        .bind::<Array<Text>, _>(&skills)
        .bind::<Array<Text>, _>(&titles)
        .bind::<Array<Text>, _>(&cities)
        .execute(conn)
        .await?;
        // Application i goes from candidate i mod C to job (i div C + i mod C)
        // mod J: distinct pairs while i < C × J. Its status follows i mod 10.
        sql_query(
            "CREATE TEMP TABLE bench_applications ON COMMIT DROP AS
             SELECT a.n, gen_random_uuid() AS id, c.id AS user_id, j.id AS job_id,
                    (ARRAY['SAVED', 'APPLIED', 'APPLIED', 'APPLIED', 'SCREENING', 'SCREENING', 'INTERVIEWING',
                           'INTERVIEWING', 'OFFERED', 'REJECTED'])[1 + a.n % 10] AS status,
                    now() - (a.n % 60) * interval '1 day' - interval '6 hours' AS started
             FROM generate_series(0, $1 - 1) AS a (n)
             JOIN bench_users c ON NOT c.recruiter AND c.n = $3 + a.n % $2
             JOIN bench_jobs j ON j.n = (a.n / $2 + a.n % $2) % $4",
        )
        .bind::<BigInt, _>(count(volume.applications))
        .bind::<BigInt, _>(count(candidates.max(1)))
        .bind::<BigInt, _>(count(recruiters))
        .bind::<BigInt, _>(count(volume.jobs.max(1)))
        .execute(conn)
        .await?;
        // The path each status took, one step a day after the start.
        sql_query(
            "CREATE TEMP TABLE bench_steps ON COMMIT DROP AS
             SELECT a.id AS application_id, a.user_id, step.status, step.ord,
                    a.started + (step.ord - 1) * interval '1 day' AS at
             FROM bench_applications a
             CROSS JOIN LATERAL unnest(CASE a.status
                 WHEN 'SAVED' THEN ARRAY['SAVED']
                 WHEN 'APPLIED' THEN ARRAY['APPLIED']
                 WHEN 'SCREENING' THEN ARRAY['APPLIED', 'SCREENING']
                 WHEN 'INTERVIEWING' THEN ARRAY['APPLIED', 'SCREENING', 'INTERVIEWING']
                 WHEN 'OFFERED' THEN ARRAY['APPLIED', 'SCREENING', 'INTERVIEWING', 'OFFERED']
                 ELSE ARRAY['APPLIED', 'REJECTED'] END) WITH ORDINALITY AS step (status, ord)",
        )
        .execute(conn)
        .await?;
        let applications = sql_query(
            "INSERT INTO applications (id, user_id, job_id, status, status_changed_at, applied_at, source,
                                       created_at, updated_at)
             SELECT a.id, a.user_id, a.job_id, a.status, last.at,
                    CASE WHEN a.status <> 'SAVED' THEN a.started END,
                    CASE WHEN a.status <> 'SAVED' THEN (ARRAY['LinkedIn', 'Referral', 'Company site', NULL])[1 + a.n % 4] END,
                    a.started, a.started
             FROM bench_applications a
             JOIN (SELECT application_id, max(at) AS at FROM bench_steps GROUP BY application_id) AS last
               ON last.application_id = a.id",
        )
        .execute(conn)
        .await?;
        let events = sql_query(
            "INSERT INTO application_events (id, application_id, actor_id, kind, from_status, to_status,
                                             occurred_at, created_at)
             SELECT gen_random_uuid(), s.application_id,
                    CASE WHEN s.ord = 1 THEN s.user_id ELSE j.posted_by_id END,
                    CASE WHEN s.ord = 1 THEN 'CREATED' ELSE 'STATUS_CHANGED' END,
                    lag(s.status) OVER (PARTITION BY s.application_id ORDER BY s.ord),
                    s.status, s.at, s.at
             FROM bench_steps s
             JOIN applications a ON a.id = s.application_id
             JOIN jobs j ON j.id = a.job_id",
        )
        .execute(conn)
        .await?;
        let users: Count = sql_query("SELECT count(*) AS count FROM bench_users").get_result(conn).await?;
        Ok::<_, BulkError>(Added {
            run: run.clone(),
            recruiters,
            users: usize::try_from(users.count).unwrap_or(0),
            jobs,
            applications,
            events,
        })
    })
    .await
}
