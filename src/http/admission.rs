//! Load shedding for `/graphql`: at most `max_in_flight` requests run at
//! once; past that, up to `max_queued` wait (each at most `queue_wait`) for
//! one to finish, and the rest are answered 503 SERVICE_UNAVAILABLE with
//! `Retry-After` at once. Past saturation, more concurrency only adds
//! contention (for the pool, the cores, the loaders' batches), so a bounded
//! number running keeps throughput where it peaks and latency bounded.
//!
//! The common case costs one `try_acquire`; only a request that must wait
//! arms a timer.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::{AppState, RequestId};
use crate::config::AdmissionLimits;
use crate::graphql::ErrorCode;

/// The shared state of admission control.
pub struct Admission {
    limits: AdmissionLimits,
    running: Semaphore,
    queued: AtomicUsize,
    shed: AtomicU64,
}

impl Admission {
    pub fn new(limits: AdmissionLimits) -> Self {
        Self {
            limits,
            running: Semaphore::new(limits.max_in_flight.max(1)),
            queued: AtomicUsize::new(0),
            shed: AtomicU64::new(0),
        }
    }

    /// A place to run, or None when the queue is full or the wait ran out.
    async fn admit(&self) -> Option<SemaphorePermit<'_>> {
        if let Ok(permit) = self.running.try_acquire() {
            return Some(permit);
        }
        if self.queued.fetch_add(1, Ordering::AcqRel) >= self.limits.max_queued {
            self.queued.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        let waited = tokio::time::timeout(self.limits.queue_wait, self.running.acquire()).await;
        self.queued.fetch_sub(1, Ordering::AcqRel);
        waited.ok().and_then(Result::ok)
    }

    /// A place to run, however long the wait: for the later parts of a
    /// response already under way (an export's next batch), which cannot
    /// be refused any more.
    pub async fn take_turn(&self) -> Option<SemaphorePermit<'_>> {
        self.running.acquire().await.ok()
    }

    /// Requests waiting for a place now.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    /// Requests answered 503 because the server was full.
    pub fn shed(&self) -> u64 {
        self.shed.load(Ordering::Relaxed)
    }
}

/// The middleware: runs the request once admitted, else answers 503.
pub async fn admit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(_running) = state.admission.admit().await else {
        state.admission.shed.fetch_add(1, Ordering::Relaxed);
        let id = request.extensions().get::<RequestId>().cloned();
        return super::over_http::unavailable(super::middleware::error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::ServiceUnavailable,
            "The server is busy; retry shortly",
            id.as_ref(),
        ));
    };
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn runs_a_bounded_number_queues_a_bounded_number_and_sheds_the_rest() {
        let admission =
            Admission::new(AdmissionLimits { max_in_flight: 2, max_queued: 1, queue_wait: Duration::from_millis(50) });
        let first = admission.admit().await.expect("room to run");
        let _second = admission.admit().await.expect("room to run");
        // The queue has room for one, which times out while nobody finishes…
        assert!(admission.admit().await.is_none());
        // …or runs once a place frees up.
        let (waiting, ()) = tokio::join!(admission.admit(), async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            // A second waiter finds the queue full and is refused at once.
            assert!(admission.admit().await.is_none());
            drop(first);
        });
        assert!(waiting.is_some());
        assert_eq!(admission.queued(), 0);
    }
}
