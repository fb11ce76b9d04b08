#![recursion_limit = "256"]
//! careergraph: a GraphQL backend for the resume and job-search domain.
//!
//! Shared plumbing (`config`, `db`, `http`, `graphql`, `telemetry`) sits beside
//! one module per domain (`companies`, `users`, …); each domain module holds its diesel
//! models, queries, GraphQL types and loaders. `docs/architecture.md` walks
//! through how a request flows through them.

pub mod analytics;
pub mod applications;
pub mod auth;
pub mod bulk;
pub mod cli;
pub mod companies;
pub mod config;
pub mod context;
pub mod db;
pub mod demo;
pub mod documents;
pub mod graphql;
pub mod http;
pub mod jobs;
pub mod live;
pub mod mail;
pub mod profile;
pub mod resumes;
pub mod schema;
pub mod telemetry;
pub mod typeset;
pub mod users;

/// The crate version, reported by `/health` and `--version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
