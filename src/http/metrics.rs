//! `GET /metrics` in the Prometheus text format: GraphQL requests by
//! operation and outcome, their latency and SQL statement counts as
//! histograms, the database pool, and live subscriptions.
//!
//! Operation names come from clients, so they are labels only while they
//! look like names and only for the first [`MAX_OPERATIONS`] seen; the rest
//! count as `other`, keeping the series bounded.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Mutex;

use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use super::AppState;

/// Most distinct operation names kept as labels.
pub const MAX_OPERATIONS: usize = 100;

const LATENCY_BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
const STATEMENT_BUCKETS: [f64; 9] = [0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0];

/// How a GraphQL request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Ran without errors.
    Ok,
    /// Ran, with errors in the response.
    Error,
    /// Refused before running (malformed, over a limit, unknown persisted query).
    Refused,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Error => "error",
            Self::Refused => "refused",
        }
    }
}

/// A cumulative histogram.
#[derive(Debug, Clone, Default)]
struct Histogram {
    counts: Vec<u64>,
    sum: f64,
    total: u64,
}

impl Histogram {
    fn observe(&mut self, bounds: &[f64], value: f64) {
        if self.counts.is_empty() {
            self.counts = vec![0; bounds.len()];
        }
        for (count, bound) in self.counts.iter_mut().zip(bounds) {
            if value <= *bound {
                *count += 1;
            }
        }
        self.sum += value;
        self.total += 1;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str, bounds: &[f64]) {
        let separator = if labels.is_empty() { "" } else { "," };
        for (count, bound) in self.counts.iter().zip(bounds) {
            let _ = writeln!(out, "{name}_bucket{{{labels}{separator}le=\"{bound}\"}} {count}");
        }
        let _ = writeln!(out, "{name}_bucket{{{labels}{separator}le=\"+Inf\"}} {}", self.total);
        let braces = if labels.is_empty() { String::new() } else { format!("{{{labels}}}") };
        let _ = writeln!(out, "{name}_sum{braces} {}", self.sum);
        let _ = writeln!(out, "{name}_count{braces} {}", self.total);
    }
}

#[derive(Default)]
struct Recorded {
    requests: HashMap<(String, Outcome), u64>,
    latency: HashMap<String, Histogram>,
    statements: Histogram,
}

/// The server's counters.
#[derive(Default)]
pub struct Metrics {
    recorded: Mutex<Recorded>,
    subscriptions: crate::live::SubscriptionGauge,
}

impl Metrics {
    /// The label for a client's operation name.
    fn operation_label(recorded: &Recorded, name: Option<&str>) -> String {
        let Some(name) = name else { return "anonymous".to_owned() };
        let looks_like_a_name = !name.is_empty()
            && name.len() <= 64
            && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        let known = recorded.latency.contains_key(name);
        if looks_like_a_name && (known || recorded.latency.len() < MAX_OPERATIONS) {
            name.to_owned()
        } else {
            "other".to_owned()
        }
    }

    /// Records one GraphQL request.
    pub fn record(&self, operation: Option<&str>, outcome: Outcome, elapsed: Duration, statements: usize) {
        let mut recorded = self.recorded.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let label = Self::operation_label(&recorded, operation);
        *recorded.requests.entry((label.clone(), outcome)).or_default() += 1;
        recorded.latency.entry(label).or_default().observe(&LATENCY_BUCKETS, elapsed.as_secs_f64());
        #[allow(clippy::cast_precision_loss, reason = "statement counts are small")]
        recorded.statements.observe(&STATEMENT_BUCKETS, statements as f64);
    }

    /// The gauge subscriptions count themselves on.
    pub fn subscriptions(&self) -> &crate::live::SubscriptionGauge {
        &self.subscriptions
    }

    /// Live subscriptions now.
    pub fn live_subscriptions(&self) -> i64 {
        self.subscriptions.get()
    }

    fn render(&self, pool: deadpool::Status, admission: &super::Admission) -> String {
        let recorded = self.recorded.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out = String::new();
        out.push_str("# HELP careergraph_graphql_requests_total GraphQL requests by operation name and outcome.\n");
        out.push_str("# TYPE careergraph_graphql_requests_total counter\n");
        let mut requests: Vec<_> = recorded.requests.iter().collect();
        requests.sort_by(|a, b| a.0.0.cmp(&b.0.0).then(a.0.1.label().cmp(b.0.1.label())));
        for ((operation, outcome), count) in requests {
            let _ = writeln!(
                out,
                "careergraph_graphql_requests_total{{operation=\"{operation}\",outcome=\"{}\"}} {count}",
                outcome.label()
            );
        }
        out.push_str("# HELP careergraph_graphql_request_duration_seconds Time to answer a GraphQL request.\n");
        out.push_str("# TYPE careergraph_graphql_request_duration_seconds histogram\n");
        let mut latency: Vec<_> = recorded.latency.iter().collect();
        latency.sort_by(|a, b| a.0.cmp(b.0));
        for (operation, histogram) in latency {
            let labels = format!("operation=\"{operation}\"");
            histogram.render(&mut out, "careergraph_graphql_request_duration_seconds", &labels, &LATENCY_BUCKETS);
        }
        out.push_str("# HELP careergraph_graphql_sql_statements SQL statements run per GraphQL request.\n");
        out.push_str("# TYPE careergraph_graphql_sql_statements histogram\n");
        let mut statements = recorded.statements.clone();
        if statements.counts.is_empty() {
            statements.counts = vec![0; STATEMENT_BUCKETS.len()];
        }
        statements.render(&mut out, "careergraph_graphql_sql_statements", "", &STATEMENT_BUCKETS);
        for (name, help, value) in [
            ("careergraph_db_pool_max_size", "Most connections the pool may open.", pool.max_size),
            ("careergraph_db_pool_size", "Connections the pool holds.", pool.size),
            ("careergraph_db_pool_available", "Idle connections ready for use.", pool.available),
            ("careergraph_db_pool_waiting", "Requests waiting for a connection.", pool.waiting),
            ("careergraph_requests_queued", "GraphQL requests waiting for a place to run.", admission.queued()),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
        }
        let _ = writeln!(
            out,
            "# HELP careergraph_requests_shed_total GraphQL requests answered 503 because the server was full.\n\
             # TYPE careergraph_requests_shed_total counter\ncareergraph_requests_shed_total {}",
            admission.shed()
        );
        let _ = writeln!(
            out,
            "# HELP process_resident_memory_bytes Resident memory size in bytes.\n\
             # TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes {}",
            resident_bytes()
        );
        let _ = writeln!(
            out,
            "# HELP careergraph_subscriptions_active Live GraphQL subscriptions.\n\
             # TYPE careergraph_subscriptions_active gauge\ncareergraph_subscriptions_active {}",
            self.live_subscriptions()
        );
        out
    }
}

/// This process's resident memory, from /proc (0 where there is none).
fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages = statm.split_whitespace().nth(1).and_then(|pages| pages.parse::<u64>().ok()).unwrap_or(0);
    // SAFETY: sysconf has no memory-safety preconditions.
    let page_size = u64::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
    pages * page_size
}

/// Each replica's state and lag, as gauges labelled by its (redacted) URL.
fn render_replicas(out: &mut String, replicas: &crate::db::Replicas) {
    use crate::db::replicas::ReplicaState;
    if replicas.all().is_empty() {
        return;
    }
    let label = |name: &str| name.replace('\\', "\\\\").replace('"', "\\\"");
    let _ = writeln!(
        out,
        "# HELP careergraph_replica_up Whether a read replica answers as a streaming standby (1) or not (0).\n\
         # TYPE careergraph_replica_up gauge"
    );
    for replica in replicas.all() {
        let up = matches!(replica.state(), ReplicaState::Streaming { .. });
        let _ = writeln!(out, "careergraph_replica_up{{replica=\"{}\"}} {}", label(&replica.name), u8::from(up));
    }
    let _ = writeln!(
        out,
        "# HELP careergraph_replica_lag_seconds How long ago the primary wrote the oldest WAL the replica has not replayed.\n\
         # TYPE careergraph_replica_lag_seconds gauge"
    );
    for replica in replicas.all() {
        if let ReplicaState::Streaming { lag, .. } = replica.state() {
            let _ = writeln!(
                out,
                "careergraph_replica_lag_seconds{{replica=\"{}\"}} {}",
                label(&replica.name),
                lag.as_secs_f64()
            );
        }
    }
    let _ = writeln!(
        out,
        "# HELP careergraph_database_reads_total GraphQL queries served, by the database they read from.\n\
         # TYPE careergraph_database_reads_total counter\n\
         careergraph_database_reads_total{{database=\"primary\"}} {}",
        replicas.primary_reads()
    );
    for replica in replicas.all() {
        let _ = writeln!(
            out,
            "careergraph_database_reads_total{{database=\"{}\"}} {}",
            label(&replica.name),
            replica.reads()
        );
    }
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut body = state.metrics.render(state.pool.status(), &state.admission);
    render_replicas(&mut body, &state.replicas);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_bounded_labels() {
        let metrics = Metrics::default();
        for n in 0..MAX_OPERATIONS + 5 {
            metrics.record(Some(&format!("Op{n}")), Outcome::Ok, Duration::from_millis(3), 2);
        }
        metrics.record(Some("not a name!"), Outcome::Error, Duration::from_millis(3), 0);
        metrics.record(None, Outcome::Refused, Duration::from_millis(3), 0);
        let recorded = metrics.recorded.lock().unwrap();
        assert_eq!(recorded.latency.len(), MAX_OPERATIONS + 2, "the names, `other` and `anonymous`");
        assert_eq!(recorded.requests[&("other".to_owned(), Outcome::Ok)], 5);
        assert_eq!(recorded.requests[&("other".to_owned(), Outcome::Error)], 1);
        assert_eq!(recorded.requests[&("anonymous".to_owned(), Outcome::Refused)], 1);
    }

    #[test]
    fn histograms_are_cumulative() {
        let mut histogram = Histogram::default();
        for value in [0.003, 0.02, 7.0] {
            histogram.observe(&LATENCY_BUCKETS, value);
        }
        let mut out = String::new();
        histogram.render(&mut out, "h", "operation=\"A\"", &LATENCY_BUCKETS);
        assert!(out.contains("h_bucket{operation=\"A\",le=\"0.005\"} 1\n"), "{out}");
        assert!(out.contains("h_bucket{operation=\"A\",le=\"0.025\"} 2\n"));
        assert!(out.contains("h_bucket{operation=\"A\",le=\"10\"} 3\n"));
        assert!(out.contains("h_bucket{operation=\"A\",le=\"+Inf\"} 3\n"));
        assert!(out.contains("h_count{operation=\"A\"} 3\n"));
    }
}
