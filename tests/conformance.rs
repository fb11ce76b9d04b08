//! GraphQL over HTTP conformance, judged by the tool client authors use:
//! graphql-http's server audit (npm, pinned in tests/conformance) runs
//! against a live server. Every MUST and every SHOULD passes;
//! docs/conformance.md lists the choices behind them.

mod common;

use std::path::PathBuf;

use common::TestApp;
use tokio::process::Command;

fn audit_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")
}

/// Installs the audit's pinned packages when they are missing.
async fn install() {
    let dir = audit_dir();
    if dir.join("node_modules/graphql-http/package.json").exists() {
        return;
    }
    let output = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .output()
        .await
        .expect("npm (Node.js) is needed for the conformance audit");
    assert!(output.status.success(), "npm ci failed: {}", String::from_utf8_lossy(&output.stderr));
}

#[tokio::test]
async fn the_graphql_http_audit_passes_every_must_and_should() {
    install().await;
    let app = TestApp::spawn().await;
    let output = Command::new("node")
        .arg("audit.mjs")
        .arg(app.url("/graphql"))
        .current_dir(audit_dir())
        .output()
        .await
        .expect("node runs the audit");
    let report = String::from_utf8_lossy(&output.stdout);
    println!("{report}");
    assert!(output.status.success(), "a MUST failed:\n{report}\n{}", String::from_utf8_lossy(&output.stderr));
    let summary = report.lines().last().unwrap_or_default();
    assert!(summary.contains(" 0 warnings (SHOULD), 0 failures (MUST)"), "{summary}");
    let passed: usize = summary.split_whitespace().nth(2).and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(passed >= 60, "the audit ran too few items: {summary}");
}
