//! `/graphiql`: GraphiQL served from the binary. The page and its two
//! assets (built from `graphiql/` by esbuild, committed in `graphiql/dist/`)
//! load nothing from anywhere else, and the page's Content-Security-Policy
//! says so. Assets are named by their content's hash, cached for a year as
//! immutable, and sent gzipped to clients that take it.

use std::sync::OnceLock;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::AppState;

/// Only the server itself: its scripts, styles (and the `<style>` elements
/// GraphiQL's dialogs add, which carry this response's nonce), fonts and
/// images (GraphiQL's icons are data URLs), and its own `/graphql` over HTTP
/// and WebSocket.
fn content_security_policy(style_nonce: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-{style_nonce}'; \
         img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
}

/// One embedded file, plain and gzipped.
struct Asset {
    stem: &'static str,
    extension: &'static str,
    media_type: &'static str,
    plain: &'static [u8],
    gzipped: &'static [u8],
}

/// `graphiql/dist/graphiql.<extension>` and its gzip copy.
macro_rules! bundled {
    ($extension:literal, $media_type:literal) => {
        Asset {
            stem: "graphiql",
            extension: $extension,
            media_type: $media_type,
            plain: include_bytes!(concat!("../../graphiql/dist/graphiql.", $extension)),
            gzipped: include_bytes!(concat!("../../graphiql/dist/graphiql.", $extension, ".gz")),
        }
    };
}

const SCRIPT: Asset = bundled!("js", "text/javascript; charset=utf-8");
const STYLESHEET: Asset = bundled!("css", "text/css; charset=utf-8");

/// An asset's URL name (`graphiql.0123456789abcdef.js`), computed once.
struct Named {
    name: String,
    etag: HeaderValue,
    asset: &'static Asset,
}

fn named() -> &'static [Named; 2] {
    static NAMED: OnceLock<[Named; 2]> = OnceLock::new();
    NAMED.get_or_init(|| {
        [&SCRIPT, &STYLESHEET].map(|asset| {
            let digest = Sha256::digest(asset.plain);
            let hash: String = digest[..8].iter().map(|byte| format!("{byte:02x}")).collect();
            Named {
                name: format!("{}.{hash}.{}", asset.stem, asset.extension),
                etag: HeaderValue::from_str(&format!("\"{hash}\"")).expect("hex is a valid header value"),
                asset,
            }
        })
    })
}

/// The first tab: how to sign in, and a first query or two to run.
const WELCOME: &str = r#"# Welcome to careergraph.
#
# 1. Sign in: open the "Sign in" pane (the key on the left). With
#    `careergraph serve --demo` it lists the demo accounts. It puts
#      { "Authorization": "Bearer <accessToken>" }
#    into the Headers tab below and refreshes the token before it expires.
#    (Or run the Login mutation below and copy `accessToken` there.)
# 2. Run Dashboard or JobSearch. The other tabs hold the operations of
#    docs/examples; the Docs pane describes every field, and the Explorer
#    pane builds a query as you tick fields.
# 3. Subscriptions stream over WebSocket with the same Authorization.

mutation Login {
  login(input: { email: "candidate1@demo.careergraph.dev", password: "demo password 2026" }) {
    accessToken
    refreshToken
    userErrors { message }
  }
}

query Dashboard {
  viewer {
    fullName
    applications(first: 10) {
      nodes { status job { title company { name } } }
    }
  }
}

query JobSearch {
  jobs(first: 10, filter: { query: "engineer" }) {
    nodes { title company { name } match { score missingSkills } }
  }
}

subscription MyApplicationEvents {
  applicationEvents {
    kind
    toStatus
    application { job { title } }
  }
}
"#;

/// The operations of `docs/examples/`, each opened as a tab.
const EXAMPLES: [&str; 6] = [
    include_str!("../../docs/examples/dashboard.graphql"),
    include_str!("../../docs/examples/job-search.graphql"),
    include_str!("../../docs/examples/application-board.graphql"),
    include_str!("../../docs/examples/resume-editor.graphql"),
    include_str!("../../docs/examples/recruiter-pipeline.graphql"),
    include_str!("../../docs/examples/interviews.graphql"),
];

/// A tab of `document`, with the variables its `# GraphiQL variables: {…}`
/// line names (for the file's first operation) in the Variables tab.
fn tab(document: &str) -> serde_json::Value {
    let variables = document
        .lines()
        .find_map(|line| line.strip_prefix("# GraphiQL variables:"))
        .and_then(|json| serde_json::from_str::<serde_json::Value>(json.trim()).ok())
        .and_then(|variables| serde_json::to_string_pretty(&variables).ok());
    match variables {
        Some(variables) => serde_json::json!({ "query": document, "variables": variables }),
        None => serde_json::json!({ "query": document }),
    }
}

/// The page: the settings GraphiQL starts from, as a JSON block the bundle
/// reads (a data block, not a script, so the CSP needs no inline scripts).
pub async fn page(State(state): State<AppState>) -> Response {
    let [script, stylesheet] = named();
    let demo_logins: Vec<_> =
        state.demo_logins.iter().map(|(email, role)| serde_json::json!({ "email": email, "role": role })).collect();
    let tabs: Vec<_> = std::iter::once(WELCOME).chain(EXAMPLES).map(tab).collect();
    let style_nonce = crate::auth::secrets::random_token(16);
    let settings = serde_json::json!({
        "endpoint": "/graphql",
        "styleNonce": style_nonce,
        "examples": tabs,
        "demoLogins": demo_logins,
        "demoPassword": if state.demo_logins.is_empty() { "" } else { crate::demo::DEMO_PASSWORD },
    });
    // `<` escaped, so no text in the settings can close the block.
    let settings = settings.to_string().replace('<', "\\u003c");
    let html = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>careergraph GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/graphiql/assets/{stylesheet}">
<script src="/graphiql/assets/{script}" defer></script>
<script type="application/json" id="careergraph-settings">{settings}</script>
</head>
<body>
<div id="graphiql"></div>
</body>
</html>
"#,
        stylesheet = stylesheet.name,
        script = script.name,
    );
    let mut response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    let headers = response.headers_mut();
    // A base64url nonce always makes a valid header; were it not to, the
    // page would go out with a policy that allows nothing at all.
    let policy = HeaderValue::from_str(&content_security_policy(&style_nonce))
        .unwrap_or(HeaderValue::from_static("default-src 'none'"));
    headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// `/graphiql/assets/{name}`: an asset by its hashed name, or 404.
pub async fn asset(Path(name): Path<String>, request: HeaderMap) -> Response {
    let Some(found) = named().iter().find(|named| named.name == name) else {
        return super::not_found().await;
    };
    let mut response = if request.get(header::IF_NONE_MATCH).is_some_and(|tag| tag == found.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if accepts_gzip(&request) {
        ([(header::CONTENT_ENCODING, "gzip")], found.asset.gzipped).into_response()
    } else {
        found.asset.plain.into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(found.asset.media_type));
    headers.insert(header::ETAG, found.etag.clone());
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

/// Whether `Accept-Encoding` takes gzip (and does not refuse it with `q=0`).
fn accepts_gzip(request: &HeaderMap) -> bool {
    let codings = request.get_all(header::ACCEPT_ENCODING).iter().filter_map(|value| value.to_str().ok());
    codings.flat_map(|value| value.split(',')).any(|coding| {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let refused = parts.filter_map(|param| param.strip_prefix("q=")).any(|q| q.trim().parse::<f32>() == Ok(0.0));
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn gzip_is_sent_only_to_clients_that_take_it() {
        assert!(accepts_gzip(&with("gzip, deflate, br")));
        assert!(accepts_gzip(&with("br;q=1.0, gzip;q=0.8")));
        assert!(accepts_gzip(&with("*")));
        assert!(!accepts_gzip(&with("br")));
        assert!(!accepts_gzip(&with("gzip;q=0")));
        assert!(!accepts_gzip(&with("gzip; q=0.000")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
