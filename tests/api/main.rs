//! The integration tests, as one binary (one build, one link, one throwaway
//! PostgreSQL for the whole suite): a module per area, all sharing the
//! harness in `common` (a fresh migrated database per test, the real router
//! over real HTTP, the real binary as a child process, a fault proxy).
//!
//! Run one area with `cargo test --test api auth::`, one test by its name.

mod common;

mod admin;
mod analytics;
mod api_docs;
mod applications;
mod auth;
mod clients;
mod demo;
mod documents;
mod embedded;
mod exports;
mod faults;
mod graphiql;
mod graphql;
mod health;
mod hostile;
mod http_surface;
mod interviewing;
mod jobs;
mod limits;
mod mail;
mod metrics;
mod migrations;
mod persisted;
mod profile;
mod replicas;
mod resumes;
mod scaling;
mod secrets;
mod statements;
mod subscriptions;
mod uploads;
