//! `/graphql` and `/graphiql`.

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::Extension;
use axum::extract::State;
use axum::response::Html;

use super::{AppState, RequestId};
use crate::graphql::errors::attach_request_id;
use crate::graphql::{Loaders, RequestContext};

/// Executes one GraphQL request (POST body or GET query string), with fresh
/// per-request loaders.
pub async fn execute(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let request = request
        .into_inner()
        .data(Loaders::new(&state.pool))
        .data(RequestContext {
            pool: state.pool.clone(),
            request_id: request_id.clone(),
        });
    let mut response = state.schema.execute(request).await;
    attach_request_id(&mut response, &request_id);
    response.into()
}

/// GraphiQL, pointed at `/graphql`.
pub async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .title("careergraph GraphiQL")
            .finish(),
    )
}
