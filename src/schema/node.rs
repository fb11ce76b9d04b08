//! The Relay `Node` interface and `node(id:)` / `nodes(ids:)`.

use async_graphql::{Context, ID, Interface, PathSegment};

use crate::applications::{Application, Interview, InterviewKit, InterviewQuestion, Scorecard};
use crate::companies::Company;
use crate::context::request;
use crate::documents::{self, Document};
use crate::graphql::{ApiError, ids};
use crate::jobs::Job;
use crate::profile::{Certification, Education, Project, Skill, WorkExperience};
use crate::resumes::{CoverLetter, Resume, ResumeVersion};
use crate::users::User;
use crate::{applications, companies, jobs, profile, resumes, users};

/// An object with a global id, fetchable again with `node(id:)`.
#[derive(Interface)]
#[graphql(field(
    name = "id",
    ty = "ID",
    desc = "Globally unique, opaque identifier; `node(id:)` fetches the object again."
))]
#[allow(
    clippy::large_enum_variant,
    reason = "one value per `node(id:)` answer, moved once; the derive needs the objects themselves"
)]
pub enum Node {
    Company(Company),
    User(User),
    WorkExperience(WorkExperience),
    Education(Education),
    Certification(Certification),
    Skill(Skill),
    Project(Project),
    Job(Job),
    Application(Application),
    Interview(Interview),
    InterviewKit(InterviewKit),
    InterviewQuestion(InterviewQuestion),
    Scorecard(Scorecard),
    Resume(Resume),
    ResumeVersion(ResumeVersion),
    CoverLetter(CoverLetter),
    Document(Document),
}

/// The most ids one `nodes` call accepts.
const MAX_IDS: usize = 100;

pub(super) async fn fetch_one(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<Option<Node>> {
    Ok(Some(load(ctx, id).await?))
}

pub(super) async fn fetch_many(ctx: &Context<'_>, ids: &[ID]) -> async_graphql::Result<Vec<Option<Node>>> {
    if ids.len() > MAX_IDS {
        return Err(ApiError::bad_user_input(format!("`ids` takes at most {MAX_IDS} ids; {} given", ids.len())).into());
    }
    // Loads run concurrently, so the DataLoaders batch them per type.
    let loads = ids.iter().map(|id| load(ctx, id));
    let results = futures_util::future::join_all(loads).await;
    let mut nodes = Vec::with_capacity(results.len());
    for (index, result) in results.into_iter().enumerate() {
        match result {
            Ok(node) => nodes.push(Some(node)),
            Err(err) => {
                let mut error = async_graphql::Error::from(err).into_server_error(ctx.item.pos);
                error.path = element_path(ctx, index);
                ctx.add_error(error);
                nodes.push(None);
            }
        }
    }
    Ok(nodes)
}

/// The response path of element `index` of the list this field returns.
fn element_path(ctx: &Context<'_>, index: usize) -> Vec<PathSegment> {
    let mut path: Vec<PathSegment> = ctx
        .path_node
        .map(|node| node.to_string_vec().into_iter().map(PathSegment::Field).collect())
        .unwrap_or_default();
    path.push(PathSegment::Index(index));
    path
}

async fn load(ctx: &Context<'_>, id: &ID) -> Result<Node, ApiError> {
    let Some((type_name, uuid)) = ids::decode(id) else {
        return Err(ids::not_found(id));
    };
    let node = match type_name.as_str() {
        Company::TYPE_NAME => {
            companies::loaders(ctx).companies.load_one(uuid).await?.map(|row| Node::Company(Company(row)))
        }
        User::TYPE_NAME => users::loaders(ctx)
            .users
            .load_one(uuid)
            .await?
            .map(|row| Node::User(User::seen_by(row, &request(ctx).viewer))),
        WorkExperience::TYPE_NAME => {
            profile::loaders(ctx).experiences.load_one(uuid).await?.map(|row| Node::WorkExperience(WorkExperience(row)))
        }
        Education::TYPE_NAME => {
            profile::loaders(ctx).educations.load_one(uuid).await?.map(|row| Node::Education(Education(row)))
        }
        Certification::TYPE_NAME => profile::loaders(ctx)
            .certifications
            .load_one(uuid)
            .await?
            .map(|row| Node::Certification(Certification(row))),
        Skill::TYPE_NAME => profile::loaders(ctx).skills.load_one(uuid).await?.map(|row| Node::Skill(Skill(row))),
        Application::TYPE_NAME => applications::loaders(ctx)
            .applications
            .load_one(uuid)
            .await?
            .map(|row| Node::Application(Application::from(row))),
        Interview::TYPE_NAME => {
            applications::loaders(ctx).interviews.load_one(uuid).await?.map(|row| Node::Interview(Interview(row)))
        }
        InterviewKit::TYPE_NAME => {
            applications::loaders(ctx).kits.load_one(uuid).await?.map(|row| Node::InterviewKit(InterviewKit(row)))
        }
        InterviewQuestion::TYPE_NAME => applications::loaders(ctx)
            .questions
            .load_one(uuid)
            .await?
            .map(|row| Node::InterviewQuestion(InterviewQuestion(row))),
        Scorecard::TYPE_NAME => {
            applications::loaders(ctx).scorecards.load_one(uuid).await?.map(|row| Node::Scorecard(Scorecard(row)))
        }
        Resume::TYPE_NAME => resumes::loaders(ctx).resumes.load_one(uuid).await?.map(|row| Node::Resume(Resume(row))),
        ResumeVersion::TYPE_NAME => resumes::loaders(ctx)
            .resume_versions
            .load_one(uuid)
            .await?
            .map(|row| Node::ResumeVersion(ResumeVersion(row))),
        CoverLetter::TYPE_NAME => {
            resumes::loaders(ctx).cover_letters.load_one(uuid).await?.map(|row| Node::CoverLetter(CoverLetter(row)))
        }
        Document::TYPE_NAME => {
            documents::loaders(ctx).documents.load_one(uuid).await?.map(|row| Node::Document(Document(row)))
        }
        Job::TYPE_NAME => jobs::visible_job(ctx, uuid).await?.map(Node::Job),
        Project::TYPE_NAME => {
            profile::loaders(ctx).projects.load_one(uuid).await?.map(|row| Node::Project(Project(row)))
        }
        _ => None,
    };
    node.ok_or_else(|| ids::not_found(id))
}
