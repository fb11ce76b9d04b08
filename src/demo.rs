//! Demo data: a believable data set to explore in GraphiQL — companies,
//! recruiters, candidates with full profiles, a few hundred jobs, and
//! applications at every stage with their timelines. It is written only
//! into an empty database, in one transaction, with batched inserts.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::applications::{RatingEntry, weighted_average};
use crate::auth::password;
use crate::db::tables::{
    achievements, application_events, applications, companies, educations, interview_kits, interview_questions,
    interviews, job_bookmarks, jobs, scorecards, skills, users, work_experiences,
};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo password 2026";

/// What was seeded, for the operator.
#[derive(Debug, Default)]
pub struct Seeded {
    pub logins: Vec<(String, &'static str)>,
    pub jobs: usize,
    pub applications: usize,
}

/// A small deterministic generator, so every demo data set is the same.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const COMPANIES: [(&str, &str, &str); 8] = [
    ("Northwind Labs", "Developer tools", "Berlin"),
    ("Acme Robotics", "Robotics", "Munich"),
    ("Globex Finance", "Fintech", "London"),
    ("Initech Health", "Healthcare", "Amsterdam"),
    ("Umbrella Data", "Data infrastructure", "Lisbon"),
    ("Stark Mobility", "Mobility", "Paris"),
    ("Wayne Logistics", "Logistics", "Rotterdam"),
    ("Hooli Cloud", "Cloud", "Dublin"),
];

const TITLES: [&str; 12] = [
    "Backend Engineer",
    "Senior Backend Engineer",
    "Platform Engineer",
    "Data Engineer",
    "Site Reliability Engineer",
    "Frontend Engineer",
    "Full-Stack Engineer",
    "Engineering Manager",
    "Machine Learning Engineer",
    "Security Engineer",
    "Mobile Engineer",
    "Staff Engineer",
];

const SKILLS: [&str; 16] = [
    "Rust",
    "Go",
    "Python",
    "TypeScript",
    "PostgreSQL",
    "Kubernetes",
    "AWS",
    "GraphQL",
    "React",
    "Kafka",
    "Terraform",
    "Java",
    "Docker",
    "Redis",
    "gRPC",
    "Linux",
];

const REMOTE: [&str; 3] = ["ONSITE", "HYBRID", "REMOTE"];
const SENIORITY: [&str; 4] = ["JUNIOR", "MID", "SENIOR", "LEAD"];
const STAGES: [&str; 6] = ["SAVED", "APPLIED", "SCREENING", "INTERVIEWING", "OFFERED", "ACCEPTED"];

/// The questions of the demo's interview kits: (text, guidance, competency, weight).
const KIT_QUESTIONS: [(&str, &str, &str, i32); 4] = [
    (
        "Walk me through a service you designed end to end.",
        "Strong answers name the trade-offs they made and what they would change.",
        "System design",
        3,
    ),
    (
        "How do you find the cause of a slow database query?",
        "Listen for EXPLAIN, indexes and measuring before changing anything.",
        "PostgreSQL",
        2,
    ),
    (
        "Tell me about a code review where you disagreed.",
        "Look for respect, specifics and a resolution.",
        "Collaboration",
        1,
    ),
    (
        "Explain your last project to a non-engineer.",
        "Clear, jargon-free, checks for understanding.",
        "Communication",
        1,
    ),
];

/// Seeds the demo data set unless the database already has users.
pub async fn seed_if_empty(conn: &mut AsyncPgConnection) -> Result<Option<Seeded>, diesel::result::Error> {
    let existing: i64 = users::table.count().get_result(conn).await?;
    if existing > 0 {
        return Ok(None);
    }
    let hash = password::hash(DEMO_PASSWORD).await;
    conn.transaction(async |conn| seed(conn, &hash).await.map(Some)).await
}

async fn seed(conn: &mut AsyncPgConnection, hash: &str) -> Result<Seeded, diesel::result::Error> {
    let mut dice = Dice(2026);
    let now = Utc::now();
    let mut seeded = Seeded::default();

    let company_ids: Vec<Uuid> = COMPANIES.iter().map(|_| Uuid::now_v7()).collect();
    let rows: Vec<_> = COMPANIES
        .iter()
        .zip(&company_ids)
        .map(|((name, industry, city), id)| {
            (
                companies::id.eq(*id),
                companies::name.eq(*name),
                companies::industry.eq(*industry),
                companies::location.eq(*city),
            )
        })
        .collect();
    diesel::insert_into(companies::table).values(rows).execute(conn).await?;

    let people = people();
    let user_ids: Vec<Uuid> = people.iter().map(|_| Uuid::now_v7()).collect();
    let rows: Vec<_> = people
        .iter()
        .zip(&user_ids)
        .map(|((email, name, role, company), id)| {
            (
                users::id.eq(*id),
                users::email.eq(email),
                users::password_hash.eq(hash),
                users::full_name.eq(*name),
                users::role.eq(*role),
                users::company_id.eq(company.map(|n| company_ids[n])),
                users::headline.eq(match *role {
                    "RECRUITER" => Some("Technical recruiter"),
                    "CANDIDATE" => Some("Software engineer"),
                    _ => None,
                }),
                users::email_verified_at.eq(Some(now)),
            )
        })
        .collect();
    diesel::insert_into(users::table).values(rows).execute(conn).await?;
    seeded.logins = logins();
    let recruiters = &user_ids[1..4];
    let candidates = &user_ids[4..];

    // Profiles.
    let mut experience_rows = Vec::new();
    let mut achievement_rows = Vec::new();
    let mut education_rows = Vec::new();
    let mut skill_rows = Vec::new();
    for (n, candidate) in candidates.iter().enumerate() {
        for position in 0..2 {
            let id = Uuid::now_v7();
            let start =
                NaiveDate::from_ymd_opt(2016 + position * 4 + (n as i32 % 2), 1 + n as u32, 1).unwrap_or_default();
            let end = (position == 0).then(|| start + Duration::days(365 * 3));
            experience_rows.push((
                work_experiences::id.eq(id),
                work_experiences::user_id.eq(*candidate),
                work_experiences::company_name.eq(COMPANIES[(n + position as usize) % COMPANIES.len()].0),
                work_experiences::title.eq(*dice.pick(&TITLES)),
                work_experiences::start_date.eq(start),
                work_experiences::end_date.eq(end),
                work_experiences::position.eq(position),
            ));
            for (index, text) in
                ["Shipped a service used by a million people", "Cut p99 latency by 40%"].iter().enumerate()
            {
                achievement_rows.push((
                    achievements::id.eq(Uuid::now_v7()),
                    achievements::work_experience_id.eq(id),
                    achievements::description.eq(*text),
                    achievements::position.eq(index as i32),
                ));
            }
        }
        education_rows.push((
            educations::id.eq(Uuid::now_v7()),
            educations::user_id.eq(*candidate),
            educations::institution.eq("Technical University"),
            educations::degree.eq("MSc"),
            educations::field_of_study.eq("Computer Science"),
        ));
        let mut chosen: Vec<&str> = Vec::new();
        while chosen.len() < 6 {
            let skill = *dice.pick(&SKILLS);
            if !chosen.contains(&skill) {
                chosen.push(skill);
            }
        }
        for (position, skill) in chosen.iter().enumerate() {
            skill_rows.push((
                skills::id.eq(Uuid::now_v7()),
                skills::user_id.eq(*candidate),
                skills::name.eq(*skill),
                skills::level.eq(*dice.pick(&["INTERMEDIATE", "ADVANCED", "EXPERT"])),
                skills::position.eq(position as i32),
            ));
        }
    }
    diesel::insert_into(work_experiences::table).values(experience_rows).execute(conn).await?;
    diesel::insert_into(achievements::table).values(achievement_rows).execute(conn).await?;
    diesel::insert_into(educations::table).values(education_rows).execute(conn).await?;
    diesel::insert_into(skills::table).values(skill_rows).execute(conn).await?;
    // A resume cut from each profile, so GraphiQL has versions to render.
    for candidate in candidates {
        crate::resumes::resume_from_profile(conn, *candidate, "General", None).await?;
    }

    // Jobs: mostly open, some closed, a few drafts.
    let mut job_rows = Vec::new();
    let mut job_ids = Vec::new();
    for n in 0..240 {
        let id = Uuid::now_v7();
        let poster = n % recruiters.len();
        let title = *dice.pick(&TITLES);
        let required: Vec<Option<String>> = (0..3).map(|_| Some((*dice.pick(&SKILLS)).to_owned())).collect();
        let preferred: Vec<Option<String>> = (0..2).map(|_| Some((*dice.pick(&SKILLS)).to_owned())).collect();
        let base = 50_000 + 5_000 * dice.below(16) as i32;
        let status = match n % 20 {
            0 => "DRAFT",
            1 | 2 => "CLOSED",
            _ => "OPEN",
        };
        let posted_at: Option<DateTime<Utc>> = (status != "DRAFT").then(|| now - Duration::hours(3 * n as i64 + 1));
        let company = company_ids[(poster + 3 * (n % 2)) % company_ids.len()];
        job_rows.push((
            (
                jobs::id.eq(id),
                jobs::company_id.eq(company),
                jobs::posted_by_id.eq(recruiters[poster]),
                jobs::title.eq(title),
                jobs::description.eq(format!("{title} at a growing team. You will design, build and run services.")),
                jobs::location.eq(COMPANIES[(poster + n) % COMPANIES.len()].2),
                jobs::remote_type.eq(*dice.pick(&REMOTE)),
                jobs::employment_type.eq("FULL_TIME"),
                jobs::seniority.eq(*dice.pick(&SENIORITY)),
            ),
            (
                jobs::salary_min.eq(base),
                jobs::salary_max.eq(base + 20_000),
                jobs::salary_currency.eq("EUR"),
                jobs::required_skills.eq(required),
                jobs::preferred_skills.eq(preferred),
                jobs::status.eq(status),
                jobs::posted_at.eq(posted_at),
                jobs::closed_at.eq((status == "CLOSED").then_some(now)),
            ),
        ));
        if status == "OPEN" {
            job_ids.push((id, recruiters[poster]));
        }
    }
    seeded.jobs = job_rows.len();
    // 240 rows of 17 values stay well under PostgreSQL's 65,535 parameters.
    diesel::insert_into(jobs::table).values(job_rows).execute(conn).await?;

    // Applications at every stage, with their timelines and interviews.
    let mut application_rows = Vec::new();
    // Timeline events: (application, kind, from, to, actor, when).
    let mut timeline = Vec::new();
    let mut interview_rows = Vec::new();
    let mut bookmark_rows = Vec::new();
    // One technical interview kit per job that interviews, and a submitted
    // scorecard by the job's recruiter for every interview that passed.
    let mut kits: Vec<(Uuid, Uuid, Uuid)> = Vec::new();
    let mut scored: Vec<Scored> = Vec::new();
    for (n, candidate) in candidates.iter().enumerate() {
        for k in 0..PER_CANDIDATE {
            let (job, poster) = job_ids[spread(n, k, job_ids.len())];
            let id = Uuid::now_v7();
            // Mostly one application per stage; one withdrawn, one rejected after screening.
            let (stage, final_status) = match k {
                7 => (1, "WITHDRAWN"),
                8 => (2, "REJECTED"),
                _ => (k % STAGES.len(), STAGES[k % STAGES.len()]),
            };
            let started = now - Duration::days(30 - k as i64 * 3);
            let applied_at = (final_status != "SAVED").then_some(started);
            let mut at = started;
            let mut events =
                vec![("CREATED", None, Some(if applied_at.is_some() { "APPLIED" } else { "SAVED" }), *candidate, at)];
            let mut current = if applied_at.is_some() { "APPLIED" } else { "SAVED" };
            for next in STAGES.iter().skip(2).take(stage.saturating_sub(1)) {
                at += Duration::days(2);
                let actor = if *next == "ACCEPTED" { *candidate } else { poster };
                events.push(("STATUS_CHANGED", Some(current), Some(*next), actor, at));
                current = next;
            }
            if final_status != current {
                at += Duration::days(1);
                let actor = if final_status == "WITHDRAWN" { *candidate } else { poster };
                events.push(("STATUS_CHANGED", Some(current), Some(final_status), actor, at));
            }
            application_rows.push((
                applications::id.eq(id),
                applications::user_id.eq(*candidate),
                applications::job_id.eq(job),
                applications::status.eq(final_status),
                applications::status_changed_at.eq(at),
                applications::applied_at.eq(applied_at),
                applications::created_at.eq(started),
            ));
            timeline.extend(events.into_iter().map(|(kind, from, to, actor, at)| (id, kind, from, to, actor, at)));
            if stage >= 3 {
                let kit = match kits.iter().find(|(_, of, _)| *of == job) {
                    Some((kit, ..)) => *kit,
                    None => {
                        let kit = Uuid::now_v7();
                        kits.push((kit, job, poster));
                        kit
                    }
                };
                let interview = Uuid::now_v7();
                let scheduled_at = started + Duration::days(5);
                interview_rows.push((
                    interviews::id.eq(interview),
                    interviews::application_id.eq(id),
                    interviews::kind.eq("TECHNICAL"),
                    interviews::scheduled_at.eq(scheduled_at),
                    interviews::duration_minutes.eq(60),
                    interviews::outcome.eq(if stage > 3 { "PASSED" } else { "PENDING" }),
                    interviews::kit_id.eq(kit),
                ));
                if stage > 3 {
                    scored.push(Scored {
                        interview,
                        application: id,
                        kit,
                        recruiter: poster,
                        at: scheduled_at + Duration::hours(2),
                    });
                }
            }
            if k % 3 == 0 {
                bookmark_rows.push((
                    job_bookmarks::id.eq(Uuid::now_v7()),
                    job_bookmarks::user_id.eq(*candidate),
                    job_bookmarks::job_id.eq(job),
                    job_bookmarks::favorite.eq(true),
                ));
            }
        }
    }
    // A flagship opening of the first recruiter's that every candidate
    // reached the interviews of, so a ranked list of applicants shows.
    let open_jobs = job_ids.len();
    let taken: Vec<Uuid> = (0..candidates.len())
        .flat_map(|n| (0..PER_CANDIDATE).map(move |k| spread(n, k, open_jobs)))
        .map(|index| job_ids[index].0)
        .collect();
    if let Some(&(flagship, poster)) =
        job_ids.iter().find(|(job, poster)| *poster == recruiters[0] && !taken.contains(job))
    {
        let kit = Uuid::now_v7();
        kits.push((kit, flagship, poster));
        for (n, candidate) in candidates.iter().enumerate() {
            let id = Uuid::now_v7();
            let started = now - Duration::days(20 - n as i64);
            let steps = [
                ("CREATED", None, "APPLIED", *candidate, started),
                ("STATUS_CHANGED", Some("APPLIED"), "SCREENING", poster, started + Duration::days(2)),
                ("STATUS_CHANGED", Some("SCREENING"), "INTERVIEWING", poster, started + Duration::days(4)),
            ];
            application_rows.push((
                applications::id.eq(id),
                applications::user_id.eq(*candidate),
                applications::job_id.eq(flagship),
                applications::status.eq("INTERVIEWING"),
                applications::status_changed_at.eq(started + Duration::days(4)),
                applications::applied_at.eq(Some(started)),
                applications::created_at.eq(started),
            ));
            timeline.extend(steps.into_iter().map(|(kind, from, to, actor, at)| (id, kind, from, Some(to), actor, at)));
            let interview = Uuid::now_v7();
            let scheduled_at = started + Duration::days(6);
            // The first four were interviewed and scored; the others wait.
            let held = n < 4;
            interview_rows.push((
                interviews::id.eq(interview),
                interviews::application_id.eq(id),
                interviews::kind.eq("TECHNICAL"),
                interviews::scheduled_at.eq(if held { scheduled_at } else { now + Duration::days(3) }),
                interviews::duration_minutes.eq(60),
                interviews::outcome.eq(if held { "PASSED" } else { "PENDING" }),
                interviews::kit_id.eq(kit),
            ));
            if held {
                scored.push(Scored {
                    interview,
                    application: id,
                    kit,
                    recruiter: poster,
                    at: scheduled_at + Duration::hours(2),
                });
            }
        }
    }
    seeded.applications = application_rows.len();
    diesel::insert_into(applications::table).values(application_rows).execute(conn).await?;
    let event_rows: Vec<_> = timeline
        .into_iter()
        .map(|(application, kind, from, to, actor, at)| {
            (
                application_events::id.eq(Uuid::now_v7()),
                application_events::application_id.eq(application),
                application_events::actor_id.eq(actor),
                application_events::kind.eq(kind),
                application_events::from_status.eq(from),
                application_events::to_status.eq(to),
                application_events::occurred_at.eq(at),
            )
        })
        .collect();
    diesel::insert_into(application_events::table).values(event_rows).execute(conn).await?;
    let questions = seed_kits(conn, &kits).await?;
    diesel::insert_into(interviews::table).values(interview_rows).execute(conn).await?;
    seed_scorecards(conn, &mut dice, &questions, &scored).await?;
    diesel::insert_into(job_bookmarks::table).values(bookmark_rows).execute(conn).await?;
    Ok(seeded)
}

/// Each candidate's applications across the pipeline (the flagship's aside).
const PER_CANDIDATE: usize = 9;

/// Which of `jobs` open jobs candidate `n`'s application `k` goes to.
fn spread(n: usize, k: usize, jobs: usize) -> usize {
    (n * 11 + k * 5) % jobs
}

/// The kits (id, job, recruiter), each with [`KIT_QUESTIONS`]; returns each
/// kit's question ids in order.
async fn seed_kits(conn: &mut AsyncPgConnection, kits: &[(Uuid, Uuid, Uuid)]) -> QueryResult<HashMap<Uuid, Vec<Uuid>>> {
    let kit_rows: Vec<_> = kits
        .iter()
        .map(|(kit, job, poster)| {
            (
                interview_kits::id.eq(*kit),
                interview_kits::job_id.eq(*job),
                interview_kits::name.eq("Technical interview"),
                interview_kits::kind.eq("TECHNICAL"),
                interview_kits::created_by_id.eq(*poster),
            )
        })
        .collect();
    diesel::insert_into(interview_kits::table).values(kit_rows).execute(conn).await?;
    let questions: HashMap<Uuid, Vec<Uuid>> =
        kits.iter().map(|(kit, ..)| (*kit, KIT_QUESTIONS.iter().map(|_| Uuid::now_v7()).collect())).collect();
    let question_rows: Vec<_> = questions
        .iter()
        .flat_map(|(kit, ids)| {
            ids.iter().zip(KIT_QUESTIONS.iter()).enumerate().map(
                move |(position, (id, (text, guidance, competency, weight)))| {
                    (
                        interview_questions::id.eq(*id),
                        interview_questions::kit_id.eq(*kit),
                        interview_questions::position.eq(position as i32),
                        interview_questions::text.eq(*text),
                        interview_questions::guidance.eq(*guidance),
                        interview_questions::competency.eq(*competency),
                        interview_questions::weight.eq(*weight),
                    )
                },
            )
        })
        .collect();
    diesel::insert_into(interview_questions::table).values(question_rows).execute(conn).await?;
    Ok(questions)
}

/// An interview that passed, to be scored by its job's recruiter.
struct Scored {
    interview: Uuid,
    application: Uuid,
    kit: Uuid,
    recruiter: Uuid,
    /// When the scorecard was submitted.
    at: DateTime<Utc>,
}

/// A submitted scorecard for each of `scored`, rating the first three
/// questions of its kit (`questions`: each kit's question ids in order),
/// with the applications' scores and the submissions on their timelines,
/// in one statement each.
async fn seed_scorecards(
    conn: &mut AsyncPgConnection,
    dice: &mut Dice,
    questions: &HashMap<Uuid, Vec<Uuid>>,
    scored: &[Scored],
) -> QueryResult<()> {
    let mut card_rows = Vec::new();
    let mut event_rows = Vec::new();
    let (mut applications_scored, mut scores) = (Vec::new(), Vec::new());
    for card in scored {
        let ids = questions.get(&card.kit).map(Vec::as_slice).unwrap_or_default();
        let entries: Vec<RatingEntry> = KIT_QUESTIONS
            .iter()
            .enumerate()
            .take(3)
            .map(|(position, (text, _, competency, weight))| RatingEntry {
                question_id: ids.get(position).copied(),
                question: (*text).to_owned(),
                competency: (*competency).to_owned(),
                weight: *weight,
                rating: 2 + dice.below(3) as i16,
                notes: Some("Clear, specific answer with a worked example.".to_owned()),
            })
            .collect();
        let score = weighted_average(&entries).unwrap_or(0.0);
        card_rows.push((
            scorecards::id.eq(Uuid::now_v7()),
            scorecards::interview_id.eq(card.interview),
            scorecards::application_id.eq(card.application),
            scorecards::interviewer_id.eq(card.recruiter),
            scorecards::revision.eq(1),
            scorecards::recommendation.eq(if score >= 3.0 { 4_i16 } else { 3 }),
            scorecards::summary.eq("Solid technical depth; would work well with the team."),
            scorecards::ratings.eq(serde_json::to_value(&entries).unwrap_or_default()),
            scorecards::submitted_at.eq(card.at),
        ));
        event_rows.push((
            application_events::id.eq(Uuid::now_v7()),
            application_events::application_id.eq(card.application),
            application_events::actor_id.eq(card.recruiter),
            application_events::kind.eq("SCORECARD_SUBMITTED"),
            application_events::interview_id.eq(card.interview),
            application_events::internal.eq(true),
            application_events::occurred_at.eq(card.at),
        ));
        applications_scored.push(card.application);
        scores.push(score);
    }
    diesel::insert_into(scorecards::table).values(card_rows).execute(conn).await?;
    diesel::insert_into(application_events::table).values(event_rows).execute(conn).await?;
    // One scorecard per application here, so its score is its own.
    diesel::sql_query(
        "UPDATE applications SET interview_score = s.score
         FROM unnest($1::uuid[], $2::float8[]) AS s (id, score) WHERE applications.id = s.id",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(applications_scored)
    .bind::<diesel::sql_types::Array<diesel::sql_types::Double>, _>(scores)
    .execute(conn)
    .await?;
    Ok(())
}

/// The demo's people: an admin, three recruiters (each with the company of
/// the same index in `COMPANIES`), six candidates, as (email, name, role,
/// company).
fn people() -> Vec<(String, &'static str, &'static str, Option<usize>)> {
    let mut people = vec![("admin@demo.careergraph.dev".to_owned(), "Avery Admin", "ADMIN", None)];
    for (n, name) in ["Rita Ramos", "Sam Okafor", "Lena Fischer"].into_iter().enumerate() {
        people.push((format!("recruiter{}@demo.careergraph.dev", n + 1), name, "RECRUITER", Some(n)));
    }
    let candidates =
        ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson", "Linus Lee", "Margaret Hamilton"];
    for (n, name) in candidates.into_iter().enumerate() {
        people.push((format!("candidate{}@demo.careergraph.dev", n + 1), name, "CANDIDATE", None));
    }
    people
}

/// The demo's sign-ins (email, role), all with [`DEMO_PASSWORD`].
pub fn logins() -> Vec<(String, &'static str)> {
    people().into_iter().map(|(email, _, role, _)| (email, role)).collect()
}
