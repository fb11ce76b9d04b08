//! What each request carries into the resolvers: who is asking (the viewer,
//! the client's address), the database handle and the request id. The schema
//! roof builds it, beside one loader set per domain (`schema::request_data`);
//! it sits below the domains and knows none of them.

use std::future::Future;
use std::net::IpAddr;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::time::Duration;

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use futures_util::stream::FuturesUnordered;

use crate::auth::{Auth, Viewer};
use crate::db::Db;
use crate::graphql::RequestId;

/// Per-request state. Made fresh for every request, never shared.
#[derive(Clone)]
pub struct RequestContext {
    /// The pool as this request uses it (statements are counted per request).
    pub db: Db,
    pub request_id: RequestId,
    pub viewer: Viewer,
    pub auth: Arc<Auth>,
    /// The client's address, for rate limits.
    pub client_address: IpAddr,
    pub user_agent: Option<String>,
}

/// How a request's DataLoaders dispatch their batches.
#[derive(Clone)]
pub enum Batching {
    /// A batch runs as soon as every resolver of the current pass has asked
    /// for its keys and no batch is still in flight: the loaders queue their
    /// fetches here and [`Batching::run`] starts them when the executor has
    /// polled every pending resolver once and the batches before have
    /// answered. No timer, and the same batches on an idle and on a busy
    /// machine.
    Driven(Arc<Mutex<Vec<BoxFuture<'static, ()>>>>),
    /// A batch runs in a task of its own after gathering keys for the window
    /// (subscriptions, whose resolvers run inside a stream nobody else polls).
    Windowed(Duration),
}

impl Batching {
    /// Batching driven by the request's own execution (see [`Batching::run`]).
    pub fn driven() -> Self {
        Self::Driven(Arc::default())
    }

    /// Runs `execution` (the request's resolvers), starting each queued batch
    /// once a pass over the resolvers has ended; with `Windowed`, just runs it.
    pub async fn run<F: Future>(&self, execution: F) -> F::Output {
        match self {
            Self::Driven(queue) => {
                Driven { execution: Box::pin(execution), queue: queue.clone(), fetches: FuturesUnordered::new() }.await
            }
            Self::Windowed(_) => execution.await,
        }
    }
}

/// A DataLoader of this request, dispatching as `batching` says. Each
/// domain's per-request loader set (e.g. `jobs::Loaders`) is made of these
/// (through [`Lazy`]), so that cached rows never outlive the request (stale
/// data) or cross to another viewer (leaked authorization).
fn batched<T: Send + Sync + 'static>(loader: T, batching: &Batching) -> DataLoader<T> {
    match batching {
        Batching::Driven(queue) => {
            let queue = queue.clone();
            let enqueue = move |fetch| queue.lock().unwrap_or_else(PoisonError::into_inner).push(fetch);
            DataLoader::new(loader, enqueue).delay(Duration::ZERO)
        }
        Batching::Windowed(window) => DataLoader::new(loader, tokio::spawn).delay(*window),
    }
}

/// What a request's loaders are made from: one per request, shared by all
/// of them.
pub struct LoaderSeed {
    pub db: Db,
    pub viewer: Viewer,
    pub batching: Batching,
}

/// A DataLoader of this request made on its first use (see [`batched`]). A
/// request touches a handful of the schema's relations; making every
/// loader up front cost each request two dozen allocations for nothing.
pub struct Lazy<T> {
    loader: OnceLock<DataLoader<T>>,
    seed: Arc<LoaderSeed>,
    make: fn(&LoaderSeed) -> T,
}

impl<T> Lazy<T> {
    /// A loader of `make(seed)`, made when a resolver first asks for it.
    pub fn new(seed: &Arc<LoaderSeed>, make: fn(&LoaderSeed) -> T) -> Self {
        Self { loader: OnceLock::new(), seed: seed.clone(), make }
    }
}

impl<T: Send + Sync + 'static> Deref for Lazy<T> {
    type Target = DataLoader<T>;

    fn deref(&self) -> &DataLoader<T> {
        self.loader.get_or_init(|| batched((self.make)(&self.seed), &self.seed.batching))
    }
}

/// The most passes over the resolvers one poll makes before yielding.
const MAX_PASSES: usize = 64;

/// A request's execution with its queued batches (see [`Batching::Driven`]).
struct Driven<F: Future> {
    execution: Pin<Box<F>>,
    queue: Arc<Mutex<Vec<BoxFuture<'static, ()>>>>,
    fetches: FuturesUnordered<BoxFuture<'static, ()>>,
}

impl<F: Future> Future for Driven<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        let this = &mut *self;
        for _ in 0..MAX_PASSES {
            let pass = Arc::new(PassWaker { outer: cx.waker().clone(), woken: AtomicBool::new(false) });
            let waker = Waker::from(pass.clone());
            if let Poll::Ready(output) = this.execution.as_mut().poll(&mut TaskContext::from_waker(&waker)) {
                return Poll::Ready(output);
            }
            // The executor yielded before polling every resolver (a join
            // of many futures does): finish the pass before dispatching.
            if pass.woken.load(Ordering::Acquire) {
                continue;
            }
            // A level's batches start together, once the previous level's
            // have all answered: a relation asked for under two parents of
            // one level (a job's poster and an event's actor) is then one
            // statement, whichever of the parents' batches answers first.
            if this.fetches.is_empty() {
                let queued = std::mem::take(&mut *this.queue.lock().unwrap_or_else(PoisonError::into_inner));
                this.fetches.extend(queued);
            }
            let mut finished = false;
            while let Poll::Ready(Some(())) = this.fetches.poll_next_unpin(cx) {
                finished = true;
            }
            // A finished batch has answered its resolvers: run the next pass
            // now rather than through the scheduler. Otherwise the batches
            // wait on the database and wake this task when they answer.
            if !finished {
                return Poll::Pending;
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// Wakes the request's task and notes that the execution was woken.
struct PassWaker {
    outer: Waker,
    woken: AtomicBool,
}

impl Wake for PassWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.outer.wake_by_ref();
    }
}

/// The request being resolved.
pub fn request<'a>(ctx: &Context<'a>) -> &'a RequestContext {
    ctx.data_unchecked::<RequestContext>()
}

/// The path `/documents/{collection}/{id}{suffix}` of document
/// `type_name:uuid`, `query` (if any) and a signed `token` in its query
/// string letting the viewer open it for a while without an
/// `Authorization` header (`auth::downloads`).
pub fn signed_document_path(
    ctx: &async_graphql::Context<'_>,
    (type_name, uuid): (&str, uuid::Uuid),
    (collection, suffix): (&str, &str),
    query: &str,
) -> Result<String, crate::graphql::ApiError> {
    let request = request(ctx);
    let me = request.viewer.require()?;
    let id = crate::graphql::ids::encode(type_name, uuid);
    let token = request.auth.downloads.sign(me, &id);
    let query = if query.is_empty() { String::new() } else { format!("{query}&") };
    Ok(format!("/documents/{collection}/{}{suffix}?{query}token={token}", id.as_str()))
}
