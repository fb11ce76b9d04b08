//! The one async-graphql extension: every check and convention a request
//! goes through, in order.
//!
//! async-graphql runs each registered extension's `resolve` hook around
//! every field, one boxed future per extension even when the hook does
//! nothing. With five extensions that chain was the largest part of a
//! dashboard's CPU in the profile (docs/benchmarks.md). So the parts stay
//! where they belong, as plain functions of the conventions and of `auth`,
//! and this one extension calls them:
//!
//! - **Parsing the document**: from the parsed documents kept by their text
//!   (or parsed there), then the query limits, the auth gate and the input
//!   guard.
//! - **Around each field**: the output budget, then the error conventions
//!   (a failed nullable field answers `null`).
//! - **On the response**: the budget, then the error conventions.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextResolve, NextSubscribe, ResolveInfo,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerResult, Value, Variables};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;

use crate::auth::{Viewer, gate};
use crate::graphql::documents::{AlreadyParsed, ParsedDocuments};
use crate::graphql::{QueryLimits, RequestErrors, RequestId, Spending, input_guard};

/// Makes the pipeline of each request.
pub struct RequestPipeline {
    pub limits: QueryLimits,
    /// Shared by every request of the schema.
    pub documents: Arc<ParsedDocuments>,
}

impl ExtensionFactory for RequestPipeline {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Pipeline {
            limits: self.limits,
            documents: self.documents.clone(),
            spending: self.limits.output.spending(),
            errors: RequestErrors::default(),
        })
    }
}

/// One request's pipeline.
struct Pipeline {
    limits: QueryLimits,
    documents: Arc<ParsedDocuments>,
    spending: Spending,
    errors: RequestErrors,
}

#[async_trait::async_trait]
impl Extension for Pipeline {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        _next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // `next` is not run: async-graphql's own parse is the one
        // limits.rs explains we avoid.
        let document = match ctx.data_opt::<AlreadyParsed>().and_then(AlreadyParsed::take) {
            Some(document) => document,
            None => self.documents.parse(query)?,
        };
        self.limits.check_document(&document, variables)?;
        gate::check(ctx.data_opt::<Viewer>().copied(), &document)?;
        input_guard::check(&document, variables)?;
        Ok(document)
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let (name, return_type) = (info.alias.unwrap_or(info.name), info.return_type);
        let outcome = match self.spending.admit(&info) {
            Err(refused) => Err(refused),
            Ok(()) => next.run(ctx, info).await.inspect(|resolved| {
                self.spending.record(name, return_type, resolved.as_ref());
            }),
        };
        self.errors.settle(!return_type.ends_with('!'), outcome)
    }

    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = self.spending.finish(next.run(ctx).await);
        self.errors.finish(&mut response, None);
        response
    }

    /// Each event of a subscription is a response of its own, with a budget
    /// of its own and the connection's request id on its errors.
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let (spending, errors) = (self.spending.clone(), self.errors.clone());
        let request_id = ctx.data_opt::<RequestId>().cloned();
        next.run(ctx, stream)
            .map(move |response| {
                let mut response = spending.finish_event(response);
                errors.finish(&mut response, request_id.as_ref());
                response
            })
            .boxed()
    }
}
