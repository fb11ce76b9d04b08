//! Parsed documents kept by their text, so an operation a client sends again
//! and again is parsed once. In the peer benchmark's profile parsing was
//! about 8 % of the CPU of a one-row lookup (docs/benchmarks.md): clients
//! send a handful of operations, each many times.
//!
//! Only what the text alone decides is kept: the document, after the
//! fragment checks of [`parse_document`]. The limits that depend on
//! variables (page sizes) are checked on every request, and async-graphql
//! validates every request against the schema as before.
//!
//! Memory stays bounded whatever clients send: at most `capacity` documents,
//! none parsed from more than [`MAX_CACHED_TEXT`] bytes (longer ones are
//! parsed every time), the least recently used evicted first. A failed
//! parse is never kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::ServerResult;
use async_graphql::parser::types::ExecutableDocument;

use super::limits::parse_document;

/// The longest document text kept. Application operations are a few
/// hundred bytes, GraphiQL's introspection query about 2 KB; a parsed
/// document takes several times its text, so this bounds the cache's memory
/// to a few megabytes.
pub const MAX_CACHED_TEXT: usize = 8 * 1024;

/// A request's document, already taken from the schema's
/// [`ParsedDocuments`] by the HTTP layer (which needed the operation before
/// execution), carried in the request's data so the request pipeline uses
/// it rather than look it up again.
///
/// It travels as data, not as async-graphql's parsed query: that one passes
/// through async-graphql's own document checks, which expand fragments
/// without the bounds of `limits.rs`.
#[derive(Default)]
pub struct AlreadyParsed(Mutex<Option<ExecutableDocument>>);

impl AlreadyParsed {
    pub fn new(document: ExecutableDocument) -> Self {
        Self(Mutex::new(Some(document)))
    }

    /// The document, once.
    pub fn take(&self) -> Option<ExecutableDocument> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// How many documents a server keeps by default.
const DEFAULT_CAPACITY: usize = 256;

/// Documents parsed so far, shared by every request of a schema.
pub struct ParsedDocuments {
    capacity: usize,
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    documents: HashMap<Arc<str>, Entry>,
    /// Counts lookups, to tell the least recently used entry.
    clock: u64,
}

struct Entry {
    document: ExecutableDocument,
    used: u64,
}

impl Default for ParsedDocuments {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }
}

impl ParsedDocuments {
    fn with_capacity(capacity: usize) -> Self {
        Self { capacity, kept: Mutex::default() }
    }

    /// The document `query` parses to, from the cache when it was parsed
    /// before; parse errors are answered as [`parse_document`] gives them.
    pub fn parse(&self, query: &str) -> ServerResult<ExecutableDocument> {
        if query.len() > MAX_CACHED_TEXT {
            return parse_document(query);
        }
        if let Some(document) = self.lookup(query) {
            return Ok(document);
        }
        // Parsed outside the lock: requests for other documents go on.
        let document = parse_document(query)?;
        self.keep(query, &document);
        Ok(document)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lookup(&self, query: &str) -> Option<ExecutableDocument> {
        let mut kept = self.lock();
        kept.clock += 1;
        let now = kept.clock;
        let entry = kept.documents.get_mut(query)?;
        entry.used = now;
        Some(entry.document.clone())
    }

    fn keep(&self, query: &str, document: &ExecutableDocument) {
        let mut kept = self.lock();
        if kept.documents.contains_key(query) {
            return;
        }
        if kept.documents.len() >= self.capacity {
            // A scan of at most `capacity` entries, only when a new
            // document arrives at a full cache.
            let oldest = kept.documents.iter().min_by_key(|(_, entry)| entry.used).map(|(text, _)| text.clone());
            if let Some(oldest) = oldest {
                kept.documents.remove(&oldest);
            }
        }
        kept.clock += 1;
        let used = kept.clock;
        kept.documents.insert(Arc::from(query), Entry { document: document.clone(), used });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operation_name(document: &ExecutableDocument) -> Option<String> {
        match &document.operations {
            async_graphql::parser::types::DocumentOperations::Single(_) => None,
            async_graphql::parser::types::DocumentOperations::Multiple(operations) => {
                operations.keys().next().map(ToString::to_string)
            }
        }
    }

    #[test]
    fn documents_are_kept_by_text_and_the_least_recently_used_leaves_first() {
        let cache = ParsedDocuments::with_capacity(2);
        let (a, b, c) = ("query A { __typename }", "query B { __typename }", "query C { __typename }");
        assert_eq!(operation_name(&cache.parse(a).unwrap()).as_deref(), Some("A"));
        cache.parse(b).unwrap();
        // A is used again, so B is the least recently used when C arrives.
        assert_eq!(operation_name(&cache.parse(a).unwrap()).as_deref(), Some("A"));
        cache.parse(c).unwrap();
        let kept = cache.lock();
        assert_eq!(kept.documents.len(), 2);
        assert!(kept.documents.contains_key(a) && kept.documents.contains_key(c), "B was evicted");
    }

    #[test]
    fn failures_and_long_texts_are_not_kept() {
        let cache = ParsedDocuments::with_capacity(8);
        assert!(cache.parse("{ unclosed").is_err());
        // A fragment spreading itself parses but is refused, every time.
        let cycle = "{ ...F } fragment F on Query { ...F }";
        assert!(cache.parse(cycle).is_err());
        assert!(cache.parse(cycle).is_err());
        let long = format!("{{ {} }}", "__typename ".repeat(MAX_CACHED_TEXT / 10));
        assert!(long.len() > MAX_CACHED_TEXT);
        assert!(cache.parse(&long).is_ok());
        assert_eq!(cache.lock().documents.len(), 0);
    }
}
