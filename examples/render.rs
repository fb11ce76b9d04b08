//! How long a resume takes to typeset (issue #14: a two-page resume in
//! under 200 ms). Renders a resume that fills about two pages in every
//! theme and paper size, `--rounds` times each with a different name (so
//! no round is served from Typst's memo of an earlier one) after one cold
//! render (the process's first also parses the fonts), and prints pages,
//! size and times.
//!
//!   cargo run --release --example render [-- --rounds 30] [--write DIR]
//!
//! `--write DIR` keeps the last rendering of each theme and paper there.

use std::time::{Duration, Instant};

use careergraph::resumes::render::{PaperSize, ResumeTheme, resume_pdf};
use serde_json::{Value, json};

/// Six roles of four or five highlights, three projects, education,
/// certificates, twenty skills and two languages.
fn two_page_resume() -> Value {
    let roles: Vec<Value> = (0..6)
        .map(|n| {
            let highlights: Vec<String> = (0..4 + n % 2)
                .map(|h| {
                    format!(
                        "Delivered improvement {h} for team {n}: cut the p99 latency of the order pipeline \
                                  by {}% while traffic doubled, and wrote the runbook the on-call rotation uses",
                        20 + h
                    )
                })
                .collect();
            json!({ "name": format!("Company {n}"), "position": format!("Engineer grade {n}"),
                    "location": "Berlin, Germany", "startDate": format!("{}-03", 2024 - 2 * n),
                    "endDate": format!("{}-02", 2026 - 2 * n), "summary": "Owned the storage layer end to end.",
                    "highlights": highlights })
        })
        .collect();
    let projects: Vec<Value> = (0..3)
        .map(|n| {
            json!({ "name": format!("Project {n}"), "description": "An open-source tool used by thousands.",
                         "url": format!("https://example.com/project-{n}"), "keywords": ["Rust", "PostgreSQL"],
                         "highlights": ["Reached 2,000 stars", "Adopted by three companies"] })
        })
        .collect();
    let skills: Vec<Value> = (0..20).map(|n| json!({ "name": format!("Skill {n}") })).collect();
    json!({
        "basics": { "name": "Zoë Ŝmith 李雷", "label": "Staff engineer", "email": "zoe@example.com",
                    "phone": "+49 30 1234567", "url": "https://zoe.example.com",
                    "location": { "city": "Berlin", "countryCode": "DE" },
                    "profiles": [{ "network": "GitHub", "url": "https://github.com/zoe" }],
                    "summary": "Builds data systems that stay fast as they grow; ten years of backend work." },
        "work": roles, "projects": projects,
        "education": [{ "institution": "University of London", "studyType": "BSc", "area": "Mathematics",
                        "startDate": "2011-09", "endDate": "2014-06" }],
        "certificates": [{ "name": "Certified Kubernetes Administrator", "issuer": "CNCF", "date": "2021-05-01" }],
        "skills": skills,
        "languages": [{ "language": "English", "fluency": "Native" }, { "language": "German", "fluency": "C1" }]
    })
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut rounds = 20;
    let mut write_to: Option<std::path::PathBuf> = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rounds" => rounds = args.next().and_then(|n| n.parse().ok()).expect("--rounds N"),
            "--write" => write_to = args.next().map(Into::into),
            other => panic!("unknown argument {other}"),
        }
    }
    let content = two_page_resume();
    let started = Instant::now();
    resume_pdf(&content, ResumeTheme::Classic, PaperSize::A4).expect("renders");
    println!("first render in the process (parses the fonts): {:.1} ms", millis(started.elapsed()));
    println!(
        "\n{:<8} {:<7} {:>5} {:>9} {:>8} {:>8} {:>8} {:>8}",
        "theme", "paper", "pages", "bytes", "min", "median", "p95", "max"
    );
    for theme in [ResumeTheme::Classic, ResumeTheme::Modern, ResumeTheme::Compact] {
        for paper in [PaperSize::A4, PaperSize::Letter] {
            let mut times = Vec::with_capacity(rounds);
            let mut last = None;
            for round in 0..rounds {
                // A new name each round: Typst memoizes whole compilations,
                // and a resume rendered before would come back from its cache.
                let mut content = content.clone();
                content["basics"]["name"] = format!("Zoë Ŝmith 李雷 {round}").into();
                let started = Instant::now();
                last = Some(resume_pdf(&content, theme, paper).expect("renders"));
                times.push(started.elapsed());
            }
            times.sort();
            let pdf = last.expect("at least one round");
            if let Some(dir) = &write_to {
                std::fs::write(dir.join(format!("{}-{}.pdf", theme.slug(), paper.slug())), &pdf.bytes)
                    .expect("writing");
            }
            let at = |q: f64| millis(times[((times.len() - 1) as f64 * q).round() as usize]);
            println!(
                "{:<8} {:<7} {:>5} {:>9} {:>6.1}ms {:>6.1}ms {:>6.1}ms {:>6.1}ms",
                theme.slug(),
                paper.slug(),
                pdf.pages,
                pdf.bytes.len(),
                at(0.0),
                at(0.5),
                at(0.95),
                at(1.0)
            );
        }
    }
}
