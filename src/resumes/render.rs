//! Resume versions and cover letters as PDFs: the theme and paper a reader
//! chose, and the content laid out by a Typst template (`themes/`). The
//! content is turned into a plain view (strings and lists of strings, in
//! reading order) first, so the template never meets JSON Resume's
//! optional and free-form fields, and only `http(s):` and `mailto:` links
//! are made clickable.

use async_graphql::Enum;
use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::typeset::{self, Pdf, TypesetError};

/// The look of a rendered resume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Enum, Default)]
pub enum ResumeTheme {
    /// Serif, a centred header, ruled section headings.
    #[default]
    Classic,
    /// Sans-serif, a left-aligned header, coloured headings.
    Modern,
    /// Serif at a smaller size with narrow margins: the most on a page.
    Compact,
}

/// The page size of a rendered document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Enum, Default)]
pub enum PaperSize {
    /// ISO A4 (210 × 297 mm).
    #[default]
    A4,
    /// US Letter (8.5 × 11 in).
    Letter,
}

impl ResumeTheme {
    /// The name in URLs (`?theme=modern`).
    pub fn slug(self) -> &'static str {
        match self {
            Self::Classic => "classic",
            Self::Modern => "modern",
            Self::Compact => "compact",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        [Self::Classic, Self::Modern, Self::Compact].into_iter().find(|theme| theme.slug() == slug)
    }

    /// The style the template reads. Droid Sans Fallback comes last in
    /// every list: Typst uses it for the characters the theme's font lacks
    /// (Chinese, Japanese, Korean).
    fn style(self) -> Value {
        match self {
            Self::Classic => json!({
                "fonts": ["Libertinus Serif", "Droid Sans Fallback"], "size": 10.5, "name_size": 22,
                "leading": 0.6, "margin_x": 20, "margin_y": 18, "centered": true, "small_caps": true,
                "rules": true, "accent": "#222222", "link": "#1a4f8b", "section_gap": 1.1, "entry_gap": 0.8,
            }),
            Self::Modern => json!({
                "fonts": ["DejaVu Sans", "Droid Sans Fallback"], "size": 9.5, "name_size": 24,
                "leading": 0.62, "margin_x": 18, "margin_y": 16, "centered": false, "small_caps": false,
                "rules": false, "accent": "#0b6e4f", "link": "#0b6e4f", "section_gap": 1.2, "entry_gap": 0.8,
            }),
            Self::Compact => json!({
                "fonts": ["Libertinus Serif", "Droid Sans Fallback"], "size": 9, "name_size": 16,
                "leading": 0.5, "margin_x": 12, "margin_y": 10, "centered": false, "small_caps": true,
                "rules": true, "accent": "#000000", "link": "#1a4f8b", "section_gap": 0.7, "entry_gap": 0.45,
            }),
        }
    }
}

impl PaperSize {
    /// The name in URLs (`?paper=letter`).
    pub fn slug(self) -> &'static str {
        match self {
            Self::A4 => "a4",
            Self::Letter => "letter",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        [Self::A4, Self::Letter].into_iter().find(|paper| paper.slug() == slug)
    }

    /// Typst's name for it.
    fn typst(self) -> &'static str {
        match self {
            Self::A4 => "a4",
            Self::Letter => "us-letter",
        }
    }
}

const RESUME_TEMPLATE: &str = include_str!("themes/resume.typ");
const LETTER_TEMPLATE: &str = include_str!("themes/letter.typ");

/// A JSON Resume document typeset in `theme` on `paper`.
pub fn resume_pdf(content: &Value, theme: ResumeTheme, paper: PaperSize) -> Result<Pdf, TypesetError> {
    let mut view = resume_view(content);
    view["style"] = theme.style();
    view["paper"] = paper.typst().into();
    typeset::pdf(RESUME_TEMPLATE, &view)
}

/// A JSON Resume document as an HTML page in `theme`: the same view in
/// the same order as the PDF, for previews. Every value is escaped, and
/// the page carries no script (the route also forbids any by CSP).
pub fn resume_html(content: &Value, theme: ResumeTheme) -> String {
    let view = resume_view(content);
    let style = theme.style();
    let field = |value: &Value, key: &str| value.get(key).and_then(Value::as_str).map(escape);
    let accent = style["accent"].as_str().unwrap_or("#222222");
    let link = style["link"].as_str().unwrap_or("#1a4f8b");
    let font = if style["fonts"][0] == "DejaVu Sans" {
        "'DejaVu Sans', Verdana, sans-serif"
    } else {
        "'Libertinus Serif', Georgia, serif"
    };
    let align = if style["centered"] == true { "center" } else { "left" };
    let size = style["size"].as_f64().unwrap_or(10.5) * 1.35;
    let mut html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>\
         body{{font-family:{font};font-size:{size:.1}px;line-height:1.45;max-width:46em;margin:2em auto;padding:0 1em;color:#111}}\
         header{{text-align:{align}}}h1{{color:{accent};margin:0}}h2{{color:{accent};border-bottom:1px solid {accent};\
         font-size:1.1em;margin-top:1.4em}}a{{color:{link}}}.entry{{margin:.6em 0}}.dates{{font-style:italic}}\
         ul{{margin:.3em 0}}</style></head><body><header><h1>{name}</h1>",
        title = field(&view, "title").unwrap_or_default(),
        name = field(&view, "name").unwrap_or_default(),
    );
    if let Some(label) = field(&view, "label") {
        html.push_str(&format!("<p>{label}</p>"));
    }
    let contact: Vec<String> = entries(&view, "contact")
        .iter()
        .map(|item| match field(item, "url") {
            Some(url) => format!("<a href=\"{url}\">{}</a>", field(item, "text").unwrap_or_default()),
            None => field(item, "text").unwrap_or_default(),
        })
        .collect();
    html.push_str(&format!("<p>{}</p></header>", contact.join(" · ")));
    if let Some(summary) = field(&view, "summary") {
        html.push_str(&format!("<p>{summary}</p>"));
    }
    for section in entries(&view, "sections") {
        html.push_str(&format!("<section><h2>{}</h2>", field(section, "title").unwrap_or_default()));
        if section["tags"].is_array() {
            let tags: Vec<String> = texts(section, "tags").iter().map(|tag| escape(tag)).collect();
            html.push_str(&format!("<p>{}</p>", tags.join(", ")));
        }
        for entry in entries(section, "entries") {
            html.push_str(&format!(
                "<div class=\"entry\"><strong>{}</strong>",
                field(entry, "heading").unwrap_or_default()
            ));
            if let Some(sub) = field(entry, "sub") {
                html.push_str(&format!(" — {sub}"));
            }
            if let Some(dates) = field(entry, "dates") {
                html.push_str(&format!(" · <span class=\"dates\">{dates}</span>"));
            }
            if let Some(url) = field(entry, "url") {
                html.push_str(&format!("<br><a href=\"{url}\">{url}</a>"));
            }
            if let Some(text) = field(entry, "text") {
                html.push_str(&format!("<p>{text}</p>"));
            }
            let bullets: Vec<String> =
                texts(entry, "bullets").iter().map(|bullet| format!("<li>{}</li>", escape(bullet))).collect();
            if !bullets.is_empty() {
                html.push_str(&format!("<ul>{}</ul>", bullets.concat()));
            }
            html.push_str("</div>");
        }
        html.push_str("</section>");
    }
    html.push_str("</body></html>");
    html
}

/// Text safe in HTML content and in double-quoted attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A cover letter typeset in `theme` on `paper`.
pub fn letter_pdf(letter: &Letter, theme: ResumeTheme, paper: PaperSize) -> Result<Pdf, TypesetError> {
    let mut view = letter_view(letter);
    view["style"] = theme.style();
    view["paper"] = paper.typst().into();
    typeset::pdf(LETTER_TEMPLATE, &view)
}

/// What a cover letter shows: who wrote it, to which job, when, and what.
pub struct Letter {
    pub author: String,
    pub job_title: String,
    pub company: String,
    pub written_on: NaiveDate,
    pub heading: Option<String>,
    pub body: String,
}

/// The letter's view: its paragraphs are the body's blank-line-separated
/// blocks (a single line break stays inside its paragraph).
fn letter_view(letter: &Letter) -> Value {
    let paragraphs: Vec<String> = letter
        .body
        .replace("\r\n", "\n")
        .split("\n\n")
        .map(|block| block.split('\n').map(str::trim).collect::<Vec<_>>().join(" ").trim().to_owned())
        .filter(|paragraph| !paragraph.is_empty())
        .collect();
    let heading = letter.heading.as_deref().map(str::trim).filter(|heading| !heading.is_empty());
    json!({
        "title": format!("{} — Cover letter, {}", letter.author, letter.job_title),
        "name": letter.author,
        "date": letter.written_on.format("%-d %B %Y").to_string(),
        "recipient": format!("{} — {}", letter.company, letter.job_title),
        "heading": heading,
        "paragraphs": paragraphs,
    })
}

/// The text at `path` in `value`, trimmed, if there is any.
fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::trim).filter(|text| !text.is_empty()).map(str::to_owned)
}

/// The non-empty strings of the list at `key`.
fn texts(value: &Value, key: &str) -> Vec<String> {
    let items = value.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    items.iter().filter_map(Value::as_str).map(str::trim).filter(|text| !text.is_empty()).map(str::to_owned).collect()
}

/// The entries of the section at `key`.
fn entries<'a>(content: &'a Value, key: &str) -> &'a [Value] {
    content.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default()
}

/// `url` when a reader's PDF viewer may safely follow it.
fn safe_link(url: Option<String>) -> Option<String> {
    url.filter(|url| {
        let lower = url.to_ascii_lowercase();
        lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
    })
}

/// "Jan 2020" for `2020-01-15` or `2020-01`, "2020" for `2020`; the text
/// itself for anything else.
fn month(date: &str) -> String {
    let padded = match date.len() {
        4 => format!("{date}-01-01"),
        7 => format!("{date}-01"),
        _ => date.to_owned(),
    };
    match NaiveDate::parse_from_str(&padded, "%Y-%m-%d") {
        Ok(parsed) if date.len() == 4 => parsed.format("%Y").to_string(),
        Ok(parsed) => parsed.format("%b %Y").to_string(),
        Err(_) => date.to_owned(),
    }
}

/// "Jan 2020 – Present", "Jan 2020 – Mar 2022", "2019", or nothing.
fn dates(entry: &Value, start: &str, end: &str) -> Option<String> {
    match (text(entry, start), text(entry, end)) {
        (Some(from), Some(to)) => Some(format!("{} – {}", month(&from), month(&to))),
        (Some(from), None) if start != end => Some(format!("{} – Present", month(&from))),
        (Some(only), None) | (None, Some(only)) => Some(month(&only)),
        (None, None) => None,
    }
}

/// " · "-joined parts that are present.
fn joined(parts: &[Option<String>]) -> Option<String> {
    let present: Vec<&str> = parts.iter().flatten().map(String::as_str).collect();
    (!present.is_empty()).then(|| present.join(" · "))
}

fn entry(heading: Option<String>, sub: Option<String>, dates: Option<String>, body: Option<String>) -> Value {
    json!({ "heading": heading.unwrap_or_default(), "sub": sub, "dates": dates, "text": body, "url": null,
            "bullets": [] })
}

/// The view the template lays out, in reading order: name, headline and
/// contact line, summary, then experience, projects, education,
/// certificates, skills and languages (sections without entries left out).
pub fn resume_view(content: &Value) -> Value {
    let empty = json!({});
    let basics = content.get("basics").unwrap_or(&empty);
    let name = text(basics, "name").unwrap_or_else(|| "Resume".to_owned());
    let mut contact = Vec::new();
    if let Some(email) = text(basics, "email") {
        contact.push(json!({ "text": email, "url": safe_link(Some(format!("mailto:{email}"))) }));
    }
    for field in ["phone"] {
        if let Some(value) = text(basics, field) {
            contact.push(json!({ "text": value, "url": null }));
        }
    }
    if let Some(address) = basics.get("location").and_then(|location| {
        joined(&[
            text(location, "address"),
            text(location, "city"),
            text(location, "region"),
            text(location, "countryCode"),
        ])
    }) {
        contact.push(json!({ "text": address, "url": null }));
    }
    if let Some(url) = safe_link(text(basics, "url")) {
        contact.push(json!({ "text": url, "url": url }));
    }
    for profile in entries(basics, "profiles") {
        let url = safe_link(text(profile, "url"));
        let label = text(profile, "network").or_else(|| text(profile, "username")).or_else(|| url.clone());
        if let Some(label) = label {
            contact.push(json!({ "text": label, "url": url }));
        }
    }

    let mut sections = Vec::new();
    let mut section = |title: &str, entries: Vec<Value>, tags: Option<Vec<String>>| {
        if !entries.is_empty() || tags.as_ref().is_some_and(|tags| !tags.is_empty()) {
            sections.push(json!({ "title": title, "entries": entries, "tags": tags }));
        }
    };
    let work = entries(content, "work")
        .iter()
        .map(|role| {
            let mut item = entry(
                text(role, "position"),
                joined(&[text(role, "name"), text(role, "location")]),
                dates(role, "startDate", "endDate"),
                text(role, "summary"),
            );
            item["url"] = safe_link(text(role, "url")).into();
            item["bullets"] = texts(role, "highlights").into();
            item
        })
        .collect();
    section("Experience", work, None);
    let projects = entries(content, "projects")
        .iter()
        .map(|project| {
            let keywords = texts(project, "keywords");
            let mut item = entry(
                text(project, "name"),
                (!keywords.is_empty()).then(|| keywords.join(", ")),
                dates(project, "startDate", "endDate"),
                text(project, "description"),
            );
            item["url"] = safe_link(text(project, "url")).into();
            item["bullets"] = texts(project, "highlights").into();
            item
        })
        .collect();
    section("Projects", projects, None);
    let education = entries(content, "education")
        .iter()
        .map(|school| {
            let degree = joined(&[text(school, "studyType"), text(school, "area")]);
            let mut item = entry(
                text(school, "institution"),
                degree,
                dates(school, "startDate", "endDate"),
                text(school, "score").map(|score| format!("Grade: {score}")),
            );
            item["bullets"] = texts(school, "courses").into();
            item
        })
        .collect();
    section("Education", education, None);
    let certificates = entries(content, "certificates")
        .iter()
        .map(|certificate| {
            let mut item =
                entry(text(certificate, "name"), text(certificate, "issuer"), dates(certificate, "date", "date"), None);
            item["url"] = safe_link(text(certificate, "url")).into();
            item
        })
        .collect();
    section("Certificates", certificates, None);
    let skills: Vec<String> = entries(content, "skills").iter().filter_map(|skill| text(skill, "name")).collect();
    section("Skills", Vec::new(), Some(skills));
    let languages: Vec<String> = entries(content, "languages")
        .iter()
        .filter_map(|language| {
            let name = text(language, "language")?;
            Some(match text(language, "fluency") {
                Some(fluency) => format!("{name} ({fluency})"),
                None => name,
            })
        })
        .collect();
    section("Languages", Vec::new(), Some(languages));

    json!({
        "title": format!("{name} — Resume"),
        "name": name,
        "label": text(basics, "label"),
        "contact": contact,
        "summary": text(basics, "summary"),
        "sections": sections,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_keeps_reading_order_and_only_safe_links() {
        let content = json!({
            "basics": { "name": " Zoë Ŝmith ", "email": "zoe@example.com", "url": "javascript:alert(1)",
                        "profiles": [{ "network": "GitHub", "url": "https://github.com/zoe" }] },
            "work": [{ "name": "Acme", "position": "Engineer", "startDate": "2020-01-15",
                       "highlights": ["Shipped", " ", 7] }],
            "skills": [{ "name": "Rust" }, { "name": "SQL" }, { "level": "no name" }],
        });
        let view = resume_view(&content);
        assert_eq!(view["name"], "Zoë Ŝmith");
        let contact = view["contact"].as_array().unwrap();
        assert_eq!(contact[0], json!({ "text": "zoe@example.com", "url": "mailto:zoe@example.com" }));
        assert!(!view.to_string().contains("javascript:"), "{view}");
        assert_eq!(contact[1], json!({ "text": "GitHub", "url": "https://github.com/zoe" }));
        let titles: Vec<&str> =
            view["sections"].as_array().unwrap().iter().map(|s| s["title"].as_str().unwrap()).collect();
        assert_eq!(titles, ["Experience", "Skills"]);
        let role = &view["sections"][0]["entries"][0];
        assert_eq!(role["dates"], "Jan 2020 – Present");
        assert_eq!(role["bullets"], json!(["Shipped"]));
        assert_eq!(view["sections"][1]["tags"], json!(["Rust", "SQL"]));
    }
}

#[cfg(test)]
mod previews {
    use super::*;

    #[test]
    fn the_preview_escapes_everything_the_user_wrote() {
        let content = json!({ "basics": { "name": "<script>alert(1)</script> & \"Zoë\"",
                                          "url": "https://example.com/?a=1&b=\"><script>" },
                              "work": [{ "position": "<b>Engineer</b>", "highlights": ["<img src=x onerror=alert(1)>"] }] });
        let html = resume_html(&content, ResumeTheme::Modern);
        assert!(!html.contains("<script>") && !html.contains("<img") && !html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Zoë&quot;"), "{html}");
        assert!(html.contains("href=\"https://example.com/?a=1&amp;b=&quot;&gt;&lt;script&gt;\""), "{html}");
    }
}

#[cfg(test)]
mod rendering {
    use super::*;

    #[test]
    fn every_theme_and_paper_renders_a_pdf() {
        let content = json!({ "basics": { "name": "李雷 Renée Ørsted", "label": "Engineer" },
                              "work": [{ "name": "Acme", "position": "Engineer", "highlights": ["Built it"] }],
                              "skills": [{ "name": "Rust" }] });
        for theme in [ResumeTheme::Classic, ResumeTheme::Modern, ResumeTheme::Compact] {
            for paper in [PaperSize::A4, PaperSize::Letter] {
                let pdf = resume_pdf(&content, theme, paper).unwrap_or_else(|err| panic!("{theme:?} {paper:?}: {err}"));
                assert!(pdf.bytes.starts_with(b"%PDF-"));
                assert_eq!(pdf.pages, 1);
            }
        }
    }
}
