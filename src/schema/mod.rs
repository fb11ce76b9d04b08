//! The roof: assembles the executable schema from the domains' roots, holds
//! the `Node` interface that names every domain type, the objects whose
//! fields reach into domains above their own (`User`, `Job`), and builds
//! what each request carries (`request_data`). Only `http` and `cli` import
//! it.

mod job;
mod node;
mod pipeline;
mod request;
mod user;

pub use node::Node;
pub use request::request_data;

use std::sync::Arc;

use async_graphql::{MergedObject, Object, SDLExportOptions, Schema};

use crate::analytics::{AnalyticsMutations, AnalyticsQuery};
use crate::applications::{
    ApplicationMutations, InterviewMutations, KitMutations, ScorecardMutations, SubscriptionRoot,
};
use crate::documents::DocumentMutations;
use crate::graphql::documents::ParsedDocuments;
use crate::graphql::{QueryLimits, scalars};
use crate::jobs::{BookmarkMutations, JobMutations, JobQuery};
use crate::profile::ProfileMutations;
use crate::resumes::{CoverLetterMutations, ImportMutations, ResumeMutations};
use crate::users::{AccountMutations, UserMutations, UserQuery};

/// The executable schema.
pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the schema. It holds no connections: the pool and the loaders
/// arrive with each request (see [`request_data`]), so `careergraph schema`
/// needs no database.
pub fn build_schema() -> AppSchema {
    build_schema_with(QueryLimits::default())
}

/// Builds the schema with the given query limits.
pub fn build_schema_with(limits: QueryLimits) -> AppSchema {
    let documents = Arc::new(ParsedDocuments::default());
    Schema::build(QueryRoot::default(), MutationRoot::default(), SubscriptionRoot)
        // The only extension: each one wraps every field (see pipeline.rs).
        .extension(pipeline::RequestPipeline { limits, documents: documents.clone() })
        // The HTTP layer reads operations from the same cache.
        .data(documents)
        // The domain types use these soon; registering them now keeps the
        // contract stable for clients generating code today.
        .register_output_type::<scalars::Date>()
        .register_output_type::<scalars::Json>()
        .limit_recursive_depth(64)
        .finish()
}

/// The SDL that `schema.graphql` must equal.
pub fn sdl() -> String {
    build_schema().sdl_with_options(SDLExportOptions::new().include_specified_by())
}

/// The entry points for reading: start from `viewer` (the signed-in user)
/// or `node` (any object by id).
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(NodeQuery, UserQuery, JobQuery, AnalyticsQuery);

/// The entry points for changing data. Each mutation takes one `input` and
/// returns a payload whose `userErrors` lists what the user can fix.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    AccountMutations,
    UserMutations,
    ProfileMutations,
    JobMutations,
    BookmarkMutations,
    ApplicationMutations,
    InterviewMutations,
    KitMutations,
    ScorecardMutations,
    ResumeMutations,
    ImportMutations,
    CoverLetterMutations,
    DocumentMutations,
    AnalyticsMutations,
);

/// Fetching objects by global id.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Fetches any object by its global id. An id that names nothing the
    /// viewer may see is null with a NOT_FOUND error.
    async fn node(
        &self,
        ctx: &async_graphql::Context<'_>,
        #[graphql(desc = "The global id of the object.")] id: async_graphql::ID,
    ) -> async_graphql::Result<Option<Node>> {
        node::fetch_one(ctx, &id).await
    }

    /// Fetches up to 100 objects by global id, in the order given. Each id
    /// that names nothing the viewer may see is null in the list, with a
    /// NOT_FOUND error whose path points at it.
    async fn nodes(
        &self,
        ctx: &async_graphql::Context<'_>,
        #[graphql(desc = "The global ids of the objects (at most 100).")] ids: Vec<async_graphql::ID>,
    ) -> async_graphql::Result<Vec<Option<Node>>> {
        node::fetch_many(ctx, &ids).await
    }
}
