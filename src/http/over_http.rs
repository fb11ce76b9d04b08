//! GraphQL over HTTP (https://graphql.github.io/graphql-over-http/): reading
//! a request from GET or POST, choosing the response media type from
//! `Accept`, and the status codes that go with each. docs/conformance.md
//! lists the choices; graphql-http's audit checks them.

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{Request, Variables};
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::RequestId;
use super::persisted::PersistedQueries;
use crate::graphql::ErrorCode;

/// The two response media types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// `application/graphql-response+json`: status codes tell request errors
    /// (400, no `data`) from execution results (200).
    GraphqlResponse,
    /// `application/json`, for legacy clients: every well-formed request is
    /// answered 200.
    Json,
}

impl Media {
    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        })
    }
}

/// Picks the response media type from `Accept`: the GraphQL response type
/// when the client lists it, else JSON when it accepts JSON (`*/*`, a
/// missing header and `application/*` included); None when it accepts
/// neither.
pub fn negotiate(headers: &HeaderMap) -> Option<Media> {
    let Some(accept) = headers.get(header::ACCEPT) else { return Some(Media::Json) };
    let accept = accept.to_str().ok()?;
    let mut json = false;
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        let refused = parts.any(|param| {
            param.split_once('=').is_some_and(|(name, value)| {
                name.trim().eq_ignore_ascii_case("q") && value.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
            })
        });
        if refused {
            continue;
        }
        match media.as_str() {
            "application/graphql-response+json" => return Some(Media::GraphqlResponse),
            "application/json" | "application/*" | "*/*" => json = true,
            _ => {}
        }
    }
    json.then_some(Media::Json)
}

/// 406 for a client that accepts neither media type.
pub fn not_acceptable() -> Response {
    let body = json!({ "errors": [{ "message": "Accept application/graphql-response+json or application/json",
                                    "extensions": { "code": ErrorCode::BadUserInput.as_str() } }] });
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::NOT_ACCEPTABLE;
    response.headers_mut().insert(header::CONTENT_TYPE, Media::Json.content_type());
    response
}

/// A request that cannot be executed as sent.
#[derive(Debug)]
pub struct Refusal {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    /// Answered 200 to `application/json` clients, as a request error is.
    legacy_ok: bool,
}

impl Refusal {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), legacy_ok: false }
    }

    pub fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadUserInput, message)
    }

    pub fn mutation_over_get() -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, ErrorCode::BadUserInput, "Mutations are sent with POST")
    }

    /// Apollo's signal to send the document along with its hash: the message
    /// is the one Apollo clients look for.
    pub fn persisted_query_not_found() -> Self {
        Self {
            legacy_ok: true,
            ..Self::new(StatusCode::BAD_REQUEST, ErrorCode::PersistedQueryNotFound, "PersistedQueryNotFound")
        }
    }

    /// The refusal as a GraphQL response without `data`, in `media`.
    pub fn respond(self, media: Media, request_id: &RequestId) -> Response {
        let body = json!({ "errors": [{ "message": self.message,
            "extensions": { "code": self.code.as_str(), "requestId": request_id.as_str() } }] });
        let mut response = Response::new(Body::from(body.to_string()));
        *response.status_mut() = if self.legacy_ok && media == Media::Json { StatusCode::OK } else { self.status };
        response.headers_mut().insert(header::CONTENT_TYPE, media.content_type());
        if self.status == StatusCode::METHOD_NOT_ALLOWED {
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        response
    }
}

/// Reads the request's parameters: from the query string for GET, from a
/// JSON body for POST.
pub fn parse(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    persisted: &PersistedQueries,
) -> Result<Request, Refusal> {
    let mut parameters = if *method == Method::GET {
        from_query_string(uri.query().unwrap_or_default())?
    } else {
        let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or("");
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        if !essence.eq_ignore_ascii_case("application/json") {
            return Err(Refusal::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::BadUserInput,
                "Send the request as application/json",
            ));
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => map,
            Ok(Value::Array(_)) => return Err(Refusal::bad("Batched requests are not supported; send one at a time")),
            Ok(_) => return Err(Refusal::bad("The body must be a JSON object")),
            Err(err) => return Err(Refusal::bad(format!("The body is not valid JSON: {err}"))),
        }
    };
    persisted.resolve(&mut parameters)?;
    request_from(parameters)
}

/// Whether `headers` announce a multipart body (the GraphQL multipart
/// request specification: uploads).
pub fn is_multipart(headers: &HeaderMap) -> bool {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or("");
    content_type.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("multipart/form-data")
}

/// A multipart request (`operations`, `map`, then one file): the files
/// are bound to the variables `map` names. One file of at most
/// `max_file_bytes`; the rest (the operation and its variables) held to
/// `max_body_bytes`, as a JSON body is.
pub async fn parse_multipart(
    headers: &HeaderMap,
    body: axum::body::Bytes,
    max_file_bytes: usize,
    max_body_bytes: usize,
) -> Result<Request, Refusal> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).map(str::to_owned);
    let options = async_graphql::http::MultipartOptions::default().max_file_size(max_file_bytes).max_num_files(1);
    let reader = futures_util::io::Cursor::new(body);
    match async_graphql::http::receive_body(content_type, reader, options).await {
        Ok(request) => {
            let variables = serde_json::to_vec(&request.variables).map_or(usize::MAX, |json| json.len());
            if request.query.len().saturating_add(variables) > max_body_bytes {
                return Err(too_large(format!(
                    "The operation and its variables may have at most {max_body_bytes} bytes"
                )));
            }
            Ok(request)
        }
        Err(async_graphql::ParseRequestError::PayloadTooLarge) => {
            Err(too_large(format!("An uploaded file may have at most {max_file_bytes} bytes")))
        }
        Err(error) => Err(Refusal::bad(format!("The multipart request is malformed: {error}"))),
    }
}

/// 413, for a body past its bound.
pub fn too_large(message: String) -> Refusal {
    Refusal::new(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::BadUserInput, message)
}

/// GET parameters; `variables` and `extensions` are JSON text.
fn from_query_string(query: &str) -> Result<Map<String, Value>, Refusal> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query).map_err(|_| Refusal::bad("The query string is malformed"))?;
    let mut parameters = Map::new();
    for (name, value) in pairs {
        let value = match name.as_str() {
            "variables" | "extensions" => {
                serde_json::from_str(&value).map_err(|_| Refusal::bad(format!("`{name}` must be a JSON object")))?
            }
            _ => Value::String(value),
        };
        parameters.insert(name, value);
    }
    Ok(parameters)
}

fn request_from(mut parameters: Map<String, Value>) -> Result<Request, Refusal> {
    let query = match parameters.remove("query") {
        Some(Value::String(query)) => query,
        Some(_) => return Err(Refusal::bad("`query` must be a string")),
        None => return Err(Refusal::bad("`query` is missing")),
    };
    let mut request = Request::new(query);
    match parameters.remove("operationName") {
        None | Some(Value::Null) => {}
        Some(Value::String(name)) => request = request.operation_name(name),
        Some(_) => return Err(Refusal::bad("`operationName` must be a string or null")),
    }
    match parameters.remove("variables") {
        None | Some(Value::Null) => {}
        Some(variables @ Value::Object(_)) => request = request.variables(Variables::from_json(variables)),
        Some(_) => return Err(Refusal::bad("`variables` must be an object or null")),
    }
    match parameters.remove("extensions") {
        None | Some(Value::Null) => {}
        Some(Value::Object(extensions)) => {
            for (name, value) in extensions {
                let value = async_graphql::Value::from_json(value)
                    .map_err(|_| Refusal::bad("`extensions` must be an object or null"))?;
                request.extensions.insert(name, value);
            }
        }
        Some(_) => return Err(Refusal::bad("`extensions` must be an object or null")),
    }
    Ok(request)
}

/// The name and kind of the operation `document` selects by
/// `operation_name`; None when it names no such operation (execution
/// reports that).
pub fn selected_operation(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<(Option<String>, OperationType)> {
    let (name, operation) = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), name) => (name.map(str::to_owned), operation),
        (DocumentOperations::Multiple(operations), Some(name)) => (Some(name.to_owned()), operations.get(name)?),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            let (name, operation) = operations.iter().next()?;
            (Some(name.to_string()), operation)
        }
        (DocumentOperations::Multiple(_), None) => return None,
    };
    Some((name, operation.node.ty))
}

/// Whether the response failed before execution: a document that does not
/// parse or validate, variables that do not coerce, or a refused token.
/// Such errors have no path and leave no data.
pub fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty())
}

/// Seconds a client is told to wait before retrying a 503.
pub const RETRY_AFTER_SECS: u64 = 2;

/// Marks `response` as a 503 to retry after [`RETRY_AFTER_SECS`].
pub fn unavailable(mut response: Response) -> Response {
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    response
}

/// Whether an error says the service is unavailable (the database is
/// unreachable): the whole response is then a 503, whichever media type.
fn is_unavailable(response: &async_graphql::Response) -> bool {
    response.errors.iter().any(|error| {
        error.extensions.as_ref().and_then(|ext| ext.get("code")).is_some_and(
            |code| matches!(code, async_graphql::Value::String(code) if code == ErrorCode::ServiceUnavailable.as_str()),
        )
    })
}

/// The response in `media`: a request error is 400 without `data` for the
/// GraphQL response type, and 200 with it for plain JSON; an outage is 503
/// with `Retry-After` for both.
pub fn respond(media: Media, response: &async_graphql::Response) -> Response {
    let request_error = is_request_error(response);
    let without_data = request_error && media == Media::GraphqlResponse;
    let body = ResponseBody {
        data: (!without_data).then_some(SortedKeys(&response.data)),
        errors: &response.errors,
        extensions: &response.extensions,
    };
    let mut http = Response::new(Body::from(serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec())));
    *http.status_mut() = if without_data { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    http.headers_mut().insert(header::CONTENT_TYPE, media.content_type());
    if is_unavailable(response) { unavailable(http) } else { http }
}

/// A response body, written straight from the response (the fields of
/// async-graphql's `Response`, with `data` left out for a request error).
#[derive(serde::Serialize)]
struct ResponseBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<SortedKeys<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty", serialize_with = "sorted_json")]
    errors: &'a [async_graphql::ServerError],
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty", serialize_with = "sorted_map")]
    extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
}

/// The response's extensions (a map already in key order) with their values'
/// keys sorted too.
fn sorted_map<S: serde::Serializer>(
    map: &std::collections::BTreeMap<String, async_graphql::Value>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(map.iter().map(|(key, value)| (key, SortedKeys(value))))
}

/// A value written with every object's keys in byte order.
///
/// async-graphql builds each object in the order its fields finish
/// resolving, which changes from run to run; sorted keys make the same
/// answer the same bytes (docs/conformance.md). It is written in place,
/// where a detour through `serde_json::Value` sorted by copying the whole
/// response first.
struct SortedKeys<'a>(&'a async_graphql::Value);

impl serde::Serialize for SortedKeys<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            async_graphql::Value::Object(fields) => {
                let mut keys: Vec<_> = fields.iter().collect();
                keys.sort_unstable_by(|(a, _), (b, _)| a.as_str().cmp(b.as_str()));
                let mut map = serializer.serialize_map(Some(keys.len()))?;
                for (key, value) in keys {
                    map.serialize_entry(key.as_str(), &SortedKeys(value))?;
                }
                map.end()
            }
            async_graphql::Value::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&SortedKeys(item))?;
                }
                seq.end()
            }
            scalar => scalar.serialize(serializer),
        }
    }
}

/// Errors are rare and small: they are sorted through `serde_json::Value`.
fn sorted_json<S: serde::Serializer>(errors: &[async_graphql::ServerError], serializer: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&serde_json::to_value(errors).map_err(serde::ser::Error::custom)?, serializer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Option<Media> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        negotiate(&headers)
    }

    #[test]
    fn accept_picks_the_graphql_response_type_when_listed() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(Media::Json));
        assert_eq!(accept("application/graphql-response+json, application/json"), Some(Media::GraphqlResponse));
        assert_eq!(accept("application/json"), Some(Media::Json));
        assert_eq!(accept("*/*"), Some(Media::Json));
        assert_eq!(accept("text/html, application/*;q=0.8"), Some(Media::Json));
        assert_eq!(accept("application/graphql-response+json;q=0, application/json"), Some(Media::Json));
        assert_eq!(accept("text/html"), None);
    }
}
