//! Persisted queries: Apollo's automatic persisted queries (a client sends
//! the SHA-256 of its document and the document only when the server asks
//! for it), and a safelist mode that runs registered documents only.
//!
//! The document a hash names is put back into the request before anything
//! else sees it, so limits and the token check apply to it as to any query.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::Mutex;

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::over_http::Refusal;
use crate::graphql::ErrorCode;

/// How many documents the automatic cache keeps (oldest out first).
const CACHE_CAPACITY: usize = 10_000;

/// Where documents named by hash come from.
pub enum PersistedQueries {
    /// Clients register documents as they go (Apollo APQ).
    Automatic(Mutex<Cache>),
    /// Only the documents of a file run (`--persisted-only`).
    Safelist(HashMap<String, String>),
}

/// The automatic cache: hash → document, bounded.
#[derive(Default)]
pub struct Cache {
    documents: HashMap<String, String>,
    order: VecDeque<String>,
}

impl Cache {
    fn insert(&mut self, hash: String, document: String) {
        if self.documents.insert(hash.clone(), document).is_none() {
            self.order.push_back(hash);
            if self.order.len() > CACHE_CAPACITY
                && let Some(oldest) = self.order.pop_front()
            {
                self.documents.remove(&oldest);
            }
        }
    }
}

fn sha256(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

/// Apollo's persisted query manifest.
#[derive(Deserialize)]
struct Manifest {
    operations: Vec<ManifestOperation>,
}

#[derive(Deserialize)]
struct ManifestOperation {
    id: String,
    body: String,
}

impl Default for PersistedQueries {
    fn default() -> Self {
        Self::Automatic(Mutex::new(Cache::default()))
    }
}

impl PersistedQueries {
    /// The safelist in `path`: an Apollo persisted query manifest
    /// (`{"operations": [{"id", "body", …}]}`) or a map of SHA-256 hash to
    /// document (graphql-codegen's `persisted-documents.json`). Every hash
    /// must be the SHA-256 of its document.
    pub fn safelist(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
        let value: Value =
            serde_json::from_str(&text).map_err(|err| format!("{} is not JSON: {err}", path.display()))?;
        let pairs: Vec<(String, String)> = if value.get("operations").is_some() {
            let manifest: Manifest = serde_json::from_value(value)
                .map_err(|err| format!("{} is not a persisted query manifest: {err}", path.display()))?;
            manifest.operations.into_iter().map(|operation| (operation.id, operation.body)).collect()
        } else {
            let map: HashMap<String, String> = serde_json::from_value(value)
                .map_err(|_| format!("{} must map SHA-256 hashes to documents", path.display()))?;
            map.into_iter().collect()
        };
        let mut documents = HashMap::new();
        for (hash, document) in pairs {
            if sha256(&document) != hash.to_ascii_lowercase() {
                return Err(format!("{}: {hash} is not the SHA-256 of its document", path.display()));
            }
            documents.insert(hash.to_ascii_lowercase(), document);
        }
        if documents.is_empty() {
            return Err(format!("{} registers no operations", path.display()));
        }
        Ok(Self::Safelist(documents))
    }

    /// What `--persisted-only` asks for: the safelist it names, else the
    /// automatic cache.
    pub fn configured(config: &crate::config::ServerArgs) -> Result<Self, String> {
        match &config.persisted_only {
            Some(path) => Self::safelist(path),
            None => Ok(Self::default()),
        }
    }

    /// How many documents the safelist holds (None in automatic mode).
    pub fn safelist_len(&self) -> Option<usize> {
        match self {
            Self::Safelist(documents) => Some(documents.len()),
            Self::Automatic(_) => None,
        }
    }

    /// Fills in `query` from the `persistedQuery` extension, registers a
    /// document sent with its hash, and enforces the safelist.
    pub fn resolve(&self, parameters: &mut Map<String, Value>) -> Result<(), Refusal> {
        let hash = persisted_hash(parameters)?;
        let query = match parameters.get("query") {
            Some(Value::String(query)) => Some(query.clone()),
            _ => None,
        };
        match (self, query, hash) {
            (_, None, None) => Ok(()),
            (Self::Automatic(cache), Some(query), Some(hash)) => {
                if sha256(&query) != hash {
                    return Err(Refusal::bad("provided sha does not match query"));
                }
                cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(hash, query);
                Ok(())
            }
            (Self::Automatic(_), Some(_), None) => Ok(()),
            (Self::Automatic(cache), None, Some(hash)) => {
                let found =
                    cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner).documents.get(&hash).cloned();
                fill(parameters, found)
            }
            (Self::Safelist(documents), query, hash) => {
                // A document sent whole is known by its own hash.
                let Some(hash) = query.as_deref().map(sha256).or(hash) else { return Ok(()) };
                match documents.get(&hash) {
                    Some(document) => fill(parameters, Some(document.clone())),
                    None => Err(Refusal::new(
                        StatusCode::BAD_REQUEST,
                        ErrorCode::Forbidden,
                        "This server runs registered operations only",
                    )),
                }
            }
        }
    }
}

/// Puts a found document in as `query`, or asks the client to send it.
fn fill(parameters: &mut Map<String, Value>, document: Option<String>) -> Result<(), Refusal> {
    match document {
        Some(document) => {
            parameters.insert("query".to_owned(), Value::String(document));
            Ok(())
        }
        None => Err(Refusal::persisted_query_not_found()),
    }
}

/// The hash of `extensions.persistedQuery` (version 1), taken out of the
/// extensions.
fn persisted_hash(parameters: &mut Map<String, Value>) -> Result<Option<String>, Refusal> {
    let Some(Value::Object(extensions)) = parameters.get_mut("extensions") else { return Ok(None) };
    let Some(persisted) = extensions.remove("persistedQuery") else { return Ok(None) };
    let version = persisted.get("version").and_then(Value::as_i64);
    let hash = persisted.get("sha256Hash").and_then(Value::as_str);
    match (version, hash) {
        (Some(1), Some(hash)) if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(Some(hash.to_ascii_lowercase()))
        }
        (Some(1), _) => Err(Refusal::bad("persistedQuery.sha256Hash must be a SHA-256 in hex")),
        _ => Err(Refusal::bad("Only version 1 of the persistedQuery extension is supported")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parameters(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn automatic_persisted_queries_register_then_resolve() {
        let queries = PersistedQueries::default();
        let document = "{ __typename }";
        let hash = sha256(document);
        let by_hash = json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } });
        assert!(queries.resolve(&mut parameters(by_hash.clone())).is_err(), "unknown until registered");
        let mut both = parameters(json!({ "query": document,
            "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } }));
        queries.resolve(&mut both).unwrap();
        assert_eq!(both["extensions"], json!({}), "the extension is consumed");
        let mut again = parameters(by_hash);
        queries.resolve(&mut again).unwrap();
        assert_eq!(again["query"], document);
        let mut wrong = parameters(json!({ "query": "{ other }",
            "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } }));
        assert!(queries.resolve(&mut wrong).is_err());
    }

    #[test]
    fn the_cache_forgets_the_oldest_past_its_capacity() {
        let mut cache = Cache::default();
        for n in 0..=CACHE_CAPACITY {
            cache.insert(n.to_string(), String::new());
        }
        assert_eq!(cache.documents.len(), CACHE_CAPACITY);
        assert!(!cache.documents.contains_key("0"));
    }
}
