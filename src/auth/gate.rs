//! Refuses requests that present an access token the server rejects, so an
//! expired or forged token is never silently treated as anonymous.
//!
//! The one exception is an operation made only of the mutations that
//! establish a session (`login`, `refreshSession`, …): clients commonly keep
//! sending a stale `Authorization` header while they sign in again.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType, Selection};
use async_graphql::{ServerError, ServerResult, Variables};

use super::Viewer;
use crate::graphql::ErrorCode;

/// Root mutations that work without a valid access token.
pub const SESSION_MUTATIONS: [&str; 6] =
    ["register", "login", "refreshSession", "verifyEmail", "requestPasswordReset", "resetPassword"];

pub struct AuthGate;

impl ExtensionFactory for AuthGate {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AuthGate)
    }
}

#[async_trait::async_trait]
impl Extension for AuthGate {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        // The viewer travels as request data of its own, so `auth` needs
        // nothing from the schema above it.
        let viewer = ctx.data_opt::<Viewer>().copied();
        if let Some(Viewer::Rejected(reason)) = viewer
            && !only_session_mutations(&document)
        {
            let mut error = ServerError::new(reason.message(), None);
            error.extensions.get_or_insert_with(Default::default).set("code", ErrorCode::Unauthenticated.as_str());
            return Err(error);
        }
        Ok(document)
    }
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
