//! Refuses requests that present an access token the server rejects, so an
//! expired or forged token is never silently treated as anonymous.
//!
//! The one exception is an operation made only of the mutations that
//! establish a session (`login`, `refreshSession`, …): clients commonly keep
//! sending a stale `Authorization` header while they sign in again.

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType, Selection};
use async_graphql::{ServerError, ServerResult};

use super::Viewer;
use crate::graphql::ErrorCode;

/// Root mutations that work without a valid access token.
pub const SESSION_MUTATIONS: [&str; 6] =
    ["register", "login", "refreshSession", "verifyEmail", "requestPasswordReset", "resetPassword"];

/// Refuses the parsed document when the request presented a token the
/// server rejected, unless it only establishes a session; the schema's
/// request pipeline calls it once the document is parsed. The viewer travels
/// as request data of its own, so `auth` needs nothing from the schema above it.
pub fn check(viewer: Option<Viewer>, document: &ExecutableDocument) -> ServerResult<()> {
    if let Some(Viewer::Rejected(reason)) = viewer
        && !only_session_mutations(document)
    {
        let mut error = ServerError::new(reason.message(), None);
        error.extensions.get_or_insert_with(Default::default).set("code", ErrorCode::Unauthenticated.as_str());
        return Err(error);
    }
    Ok(())
}

fn only_session_mutations(document: &ExecutableDocument) -> bool {
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(operation) => vec![&operation.node],
        DocumentOperations::Multiple(operations) => operations.values().map(|op| &op.node).collect(),
    };
    operations.iter().all(|operation| {
        operation.ty == OperationType::Mutation
            && operation.selection_set.node.items.iter().all(|item| match &item.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    name == "__typename" || SESSION_MUTATIONS.contains(&name)
                }
                _ => false,
            })
    })
}
