//! The HTTP surface: routes, middleware and the server loop.

mod admission;
mod client_address;
mod csv;
mod documents;
mod downloads;
mod exports;
mod graphiql;
mod graphql;
mod health;
mod metrics;
mod middleware;
mod over_http;
mod persisted;
mod socket;

pub use crate::graphql::RequestId;
pub use admission::Admission;
pub use metrics::Metrics;
pub use persisted::PersistedQueries;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;

use crate::auth::Auth;
use crate::config::{Cidr, ServerArgs};
use crate::db::Pool;
use crate::schema::AppSchema;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub schema: AppSchema,
    pub auth: Arc<Auth>,
    /// Report each request's SQL statement count in `extensions.sqlStatements`.
    pub debug_sql_count: bool,
    /// How long a subscription's DataLoader gathers keys before running its
    /// statement (over HTTP, loaders batch without a timer).
    pub batch_window: std::time::Duration,
    /// Documents clients name by hash.
    pub persisted: Arc<PersistedQueries>,
    /// What `/metrics` reports.
    pub metrics: Arc<Metrics>,
    /// Operations slower than this are logged.
    pub slow_operation: std::time::Duration,
    /// Announced timeline events, for subscriptions (none: subscriptions refused).
    pub events: Option<crate::live::EventHub>,
    /// Largest WebSocket message a client may send (the body limit's twin).
    pub max_message_bytes: usize,
    /// Largest uploaded file; a multipart request may be this much larger
    /// than any other.
    pub max_upload_bytes: usize,
    /// Peers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<[Cidr]>,
    /// How many `/graphql` requests run and wait at once.
    pub admission: Arc<Admission>,
    /// The sign-ins GraphiQL lists (the demo's, with `--demo`), as (email, role).
    pub demo_logins: Arc<[(String, &'static str)]>,
    /// The read replicas and what their monitor last saw.
    pub replicas: crate::db::Replicas,
}

impl AppState {
    pub fn new(pool: Pool, auth: Auth) -> Self {
        Self {
            pool,
            schema: crate::schema::build_schema(),
            auth: Arc::new(auth),
            debug_sql_count: false,
            batch_window: std::time::Duration::from_millis(1),
            persisted: Arc::new(PersistedQueries::default()),
            metrics: Arc::new(Metrics::default()),
            slow_operation: std::time::Duration::from_secs(1),
            events: None,
            max_message_bytes: crate::config::ServerArgs::default().max_body_bytes,
            max_upload_bytes: crate::documents::DEFAULT_MAX_UPLOAD_BYTES,
            trusted_proxies: Arc::from([]),
            admission: Arc::new(Admission::new(ServerArgs::default().admission_limits(0))),
            demo_logins: Arc::from([]),
            replicas: crate::db::Replicas::none(),
        }
    }

    /// Reports on these replicas (their monitor runs apart).
    pub fn with_replicas(mut self, replicas: crate::db::Replicas) -> Self {
        self.replicas = replicas;
        self
    }

    /// Turns `extensions.sqlStatements` on or off.
    pub fn with_sql_count(mut self, enabled: bool) -> Self {
        self.debug_sql_count = enabled;
        self
    }

    /// Enforces `limits` on every query (the default limits otherwise).
    pub fn with_limits(mut self, limits: crate::graphql::QueryLimits) -> Self {
        self.schema = crate::schema::build_schema_with(limits);
        self
    }

    /// Where documents named by hash come from (automatic by default).
    pub fn with_persisted_queries(mut self, persisted: PersistedQueries) -> Self {
        self.persisted = Arc::new(persisted);
        self
    }

    /// Serves subscriptions from `hub`.
    pub fn with_events(mut self, hub: crate::live::EventHub) -> Self {
        self.events = Some(hub);
        self
    }

    /// Lists these sign-ins in GraphiQL's sign-in pane.
    pub fn with_demo_logins(mut self, logins: Vec<(String, &'static str)>) -> Self {
        self.demo_logins = Arc::from(logins);
        self
    }

    /// Logs operations that take `threshold` or longer.
    pub fn with_slow_operation(mut self, threshold: std::time::Duration) -> Self {
        self.slow_operation = threshold;
        self
    }

    /// Sets how long a subscription's DataLoader gathers keys.
    pub fn with_batch_window(mut self, window: std::time::Duration) -> Self {
        self.batch_window = window;
        self
    }
}

/// The full router with its middleware. Tests serve exactly this.
pub fn router(mut state: AppState, config: &ServerArgs) -> Router {
    let request_timeout = config.request_timeout();
    state.max_message_bytes = config.max_body_bytes;
    state.max_upload_bytes = config.max_upload_bytes;
    state.trusted_proxies = Arc::from(config.trusted_proxies.as_slice());
    state.admission = Arc::new(Admission::new(config.admission_limits(state.pool.status().max_size)));
    let admitted = axum::middleware::from_fn_with_state(state.clone(), admission::admit);
    Router::new()
        .route("/graphql", get(graphql::get).post(graphql::execute).route_layer(admitted.clone()))
        .route("/documents/{collection}/{file}", get(documents::document).route_layer(admitted.clone()))
        .route("/exports/applications.csv", get(exports::applications).route_layer(admitted.clone()))
        .route("/exports/jobs/{id}/applicants.csv", get(exports::applicants).route_layer(admitted))
        .route("/graphiql", get(graphiql::page))
        .route("/graphiql/assets/{name}", get(graphiql::asset))
        .route("/metrics", get(metrics::metrics))
        .route("/health", get(health::live))
        .route("/health/ready", get(health::ready))
        .fallback(not_found)
        .with_state(state)
        // Innermost first: the request id wraps everything, so even a
        // rejected, timed-out or panicking request carries one.
        .layer(CatchPanicLayer::custom(middleware::panic_response))
        .layer(axum::middleware::from_fn(move |req, next| middleware::timeout(request_timeout, req, next)))
        // Room for an upload; `/graphql` holds other bodies to max_body_bytes.
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes.saturating_add(config.max_upload_bytes)))
        .layer(cors(&config.cors_origins))
        .layer(axum::middleware::from_fn(middleware::request_id))
}

fn cors(origins: &[String]) -> CorsLayer {
    let allow_origin = if origins.iter().any(|origin| origin == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|origin| HeaderValue::from_str(origin.trim()).ok()))
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static(graphql::READ_AFTER),
        ])
        .expose_headers([HeaderName::from_static("x-request-id"), HeaderName::from_static(graphql::READ_AFTER)])
        .max_age(Duration::from_secs(3600))
}

pub(super) async fn not_found() -> Response {
    let body = serde_json::json!({ "error": "not found", "routes": ["/graphql", "/graphiql", "/health", "/health/ready", "/metrics", "/documents/resume-versions/{id}.pdf", "/documents/cover-letters/{id}.pdf", "/exports/applications.csv", "/exports/jobs/{id}/applicants.csv"] });
    (StatusCode::NOT_FOUND, axum::Json(body)).into_response()
}

/// Serves until `shutdown` resolves, then lets in-flight requests finish for
/// at most `grace`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let (stopping_tx, mut stopping_rx) = tokio::sync::watch::channel(false);
    let graceful = async move {
        shutdown.await;
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = stopping_tx.send(true);
    };
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener, service).with_graceful_shutdown(graceful);
    let deadline = async move {
        let _ = stopping_rx.wait_for(|stopping| *stopping).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        result = server => result,
        () = deadline => {
            tracing::warn!(grace_secs = grace.as_secs(), "in-flight requests did not finish in time; closing them");
            Ok(())
        }
    }
}
