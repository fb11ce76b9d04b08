//! Bookmarks: a user's private marks on jobs (favorite, hidden, notes, tags).

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime as ChronoDateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::graphql::Job;
use super::{JobRow, visible_to};
use crate::auth::Viewer;
use crate::context::request;
use crate::db::tables::{job_bookmarks, jobs};
use crate::db::{CacheStatement, Db, OneOfKeys};
use crate::graphql::pagination::{Page, PageArgs, TimeKey, TimeOrder, TotalCount};
use crate::graphql::scalars::DateTime;
use crate::graphql::validate::Checks;
use crate::graphql::{ApiError, UserError, ids};

/// The most tags one bookmark carries.
const MAX_TAGS: usize = 20;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = job_bookmarks, check_for_backend(Pg))]
pub struct BookmarkRow {
    pub id: Uuid,
    pub job_id: Uuid,
    pub favorite: bool,
    pub hidden: bool,
    pub notes: Option<String>,
    pub tags: Vec<Option<String>>,
    pub created_at: ChronoDateTime<Utc>,
    pub updated_at: ChronoDateTime<Utc>,
}

/// A bookmark as the API shows it.
pub struct JobBookmark(pub BookmarkRow);

/// The signed-in user's private mark on a job.
#[Object]
impl JobBookmark {
    /// The bookmarked job.
    async fn job(&self, ctx: &Context<'_>) -> Result<Option<Job>, ApiError> {
        super::visible_job(ctx, self.0.job_id).await
    }

    /// Marked as a favourite.
    async fn favorite(&self) -> bool {
        self.0.favorite
    }

    /// Hidden from the user's job searches.
    async fn hidden(&self) -> bool {
        self.0.hidden
    }

    /// The user's notes on the job.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }

    /// The user's tags, e.g. ["dream-job", "remote"].
    async fn tags(&self) -> Vec<&str> {
        self.0.tags.iter().flatten().map(String::as_str).collect()
    }

    /// When the job was bookmarked.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the bookmark last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

crate::connection!(
    JobBookmarkConnection,
    JobBookmarkEdge,
    JobBookmark,
    TimeKey,
    "A page of the viewer's bookmarks, newest first.",
    "A bookmark in a `JobBookmarkConnection`, with its cursor."
);

/// Narrows the viewer's bookmarks.
#[derive(Debug, Clone, Default, InputObject)]
pub struct JobBookmarkFilter {
    /// Only favourites (true) or only non-favourites (false).
    pub favorite: Option<bool>,
    /// Only hidden (true) or only visible (false) bookmarks.
    pub hidden: Option<bool>,
    /// Only bookmarks carrying this tag.
    pub tag: Option<String>,
}

type BookmarkQuery =
    diesel::helper_types::IntoBoxed<'static, diesel::helper_types::InnerJoin<job_bookmarks::table, jobs::table>, Pg>;

/// The user's bookmarks of live jobs, matching `filter`. (A bookmark exists
/// only for a job its owner could see; after that, a job can only leave
/// their sight by being deleted.)
fn bookmarks_of(user: Uuid, filter: &JobBookmarkFilter) -> BookmarkQuery {
    let mut query = job_bookmarks::table
        .inner_join(jobs::table)
        .filter(job_bookmarks::user_id.eq(user))
        .filter(jobs::deleted_at.is_null())
        .into_boxed();
    if let Some(favorite) = filter.favorite {
        query = query.filter(job_bookmarks::favorite.eq(favorite));
    }
    if let Some(hidden) = filter.hidden {
        query = query.filter(job_bookmarks::hidden.eq(hidden));
    }
    if let Some(tag) = &filter.tag {
        query = query.filter(job_bookmarks::tags.contains(vec![Some(tag.trim().to_owned())]));
    }
    query
}

/// One page of the viewer's bookmarks.
pub async fn bookmark_page(
    ctx: &Context<'_>,
    user: Uuid,
    filter: JobBookmarkFilter,
    args: PageArgs,
) -> Result<JobBookmarkConnection, ApiError> {
    let request = request(ctx);
    let page: Page<TimeKey> = args.page()?;
    let mut query = bookmarks_of(user, &filter);
    for condition in page.conditions("job_bookmarks.created_at, job_bookmarks.id", TimeOrder::NewestFirst) {
        query = query.filter(condition);
    }
    query = if page.reads_newest_first(TimeOrder::NewestFirst) {
        query.order((job_bookmarks::created_at.desc(), job_bookmarks::id.desc()))
    } else {
        query.order((job_bookmarks::created_at.asc(), job_bookmarks::id.asc()))
    };
    let mut conn = request.db.conn().await?;
    let rows: Vec<BookmarkRow> =
        query.select(BookmarkRow::as_select()).limit(page.fetch_limit()).load(&mut conn).await?;
    let (edges, more) = page.finish(rows, |row| TimeKey { at: row.created_at, id: row.id });
    let db = request.db.clone();
    let total_count = TotalCount::new(move || {
        let (db, filter) = (db.clone(), filter.clone());
        async move {
            let mut conn = db.conn().await?;
            Ok(bookmarks_of(user, &filter).count().get_result(&mut conn).await?)
        }
    });
    let edges = edges.into_iter().map(|(key, row)| (key, JobBookmark(row))).collect();
    Ok(JobBookmarkConnection::new(edges, more, total_count))
}

/// Loads the viewer's bookmark of each of many jobs.
pub struct ViewerBookmarks {
    db: Db,
    viewer: Viewer,
}

impl ViewerBookmarks {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer }
    }
}

impl Loader<Uuid> for ViewerBookmarks {
    type Value = BookmarkRow;
    type Error = ApiError;

    async fn load(&self, job_ids: &[Uuid]) -> Result<HashMap<Uuid, BookmarkRow>, ApiError> {
        let Some(me) = self.viewer.signed_in() else { return Ok(HashMap::new()) };
        let mut conn = self.db.conn().await?;
        let rows: Vec<BookmarkRow> = job_bookmarks::table
            .filter(job_bookmarks::user_id.eq(me.user_id))
            .filter(job_bookmarks::job_id.one_of(job_ids))
            .select(BookmarkRow::as_select())
            .cached()
            .load(&mut conn)
            .await?;
        Ok(rows.into_iter().map(|row| (row.job_id, row)).collect())
    }
}

/// A bookmark to create or change. Omitted fields keep their value (or
/// their default on a new bookmark).
#[derive(InputObject)]
pub struct BookmarkJobInput {
    /// The job to bookmark.
    pub job_id: ID,
    /// Mark as a favourite.
    pub favorite: Option<bool>,
    /// Hide the job from the viewer's searches.
    pub hidden: Option<bool>,
    /// Notes (at most 10,000 characters); `null` clears them.
    pub notes: MaybeUndefined<String>,
    /// Replaces the tags (at most 20, each at most 50 characters).
    pub tags: Option<Vec<String>>,
}

/// Names a bookmarked job.
#[derive(InputObject)]
pub struct UnbookmarkJobInput {
    /// The job whose bookmark to remove.
    pub job_id: ID,
}

/// The result of `bookmarkJob`.
#[derive(SimpleObject)]
pub struct BookmarkJobPayload {
    /// The bookmark as saved.
    pub bookmark: Option<JobBookmark>,
    /// Why the input was refused.
    pub user_errors: Vec<UserError>,
}

/// The result of `unbookmarkJob`.
#[derive(SimpleObject)]
pub struct UnbookmarkJobPayload {
    /// The job whose bookmark was removed; null when there was none.
    pub unbookmarked_job_id: Option<ID>,
    /// Always empty.
    pub user_errors: Vec<UserError>,
}

/// Bookmarking jobs.
#[derive(Default)]
pub struct BookmarkMutations;

#[Object]
impl BookmarkMutations {
    /// Bookmarks a job for the signed-in user, or changes their bookmark.
    async fn bookmark_job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: BookmarkJobInput,
    ) -> Result<BookmarkJobPayload, ApiError> {
        let request = request(ctx);
        let me = request.viewer.require()?;
        let job = ids::decode_as(&input.job_id, Job::TYPE_NAME)?;
        let mut checks = Checks::default();
        let notes = checks.change_text("notes", input.notes, 10_000);
        let tags = input.tags.and_then(|tags| checks.text_list("tags", &tags, MAX_TAGS, 50));
        if !checks.is_ok() {
            return Ok(BookmarkJobPayload { bookmark: None, user_errors: checks.errors });
        }
        let mut conn = request.db.conn().await?;
        if !job_visible(&mut conn, &request.viewer, job).await? {
            return Err(ids::not_found(&input.job_id));
        }
        let now = Utc::now();
        let tags: Option<Vec<Option<String>>> = tags.map(|tags| tags.into_iter().map(Some).collect());
        let changes = BookmarkChanges { favorite: input.favorite, hidden: input.hidden, notes, tags };
        let row = diesel::insert_into(job_bookmarks::table)
            .values((
                job_bookmarks::id.eq(Uuid::now_v7()),
                job_bookmarks::user_id.eq(me.user_id),
                job_bookmarks::job_id.eq(job),
                job_bookmarks::favorite.eq(changes.favorite.unwrap_or(false)),
                job_bookmarks::hidden.eq(changes.hidden.unwrap_or(false)),
                job_bookmarks::notes.eq(changes.notes.clone().flatten()),
                job_bookmarks::tags.eq(changes.tags.clone().unwrap_or_default()),
                job_bookmarks::created_at.eq(now),
                job_bookmarks::updated_at.eq(now),
            ))
            .on_conflict((job_bookmarks::user_id, job_bookmarks::job_id))
            .do_update()
            .set((&changes, job_bookmarks::updated_at.eq(now)))
            .returning(BookmarkRow::as_returning())
            .get_result(&mut conn)
            .await?;
        Ok(BookmarkJobPayload { bookmark: Some(JobBookmark(row)), user_errors: Vec::new() })
    }

    /// Removes the signed-in user's bookmark of a job.
    async fn unbookmark_job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UnbookmarkJobInput,
    ) -> Result<UnbookmarkJobPayload, ApiError> {
        let request = request(ctx);
        let me = request.viewer.require()?;
        let job = ids::decode_as(&input.job_id, Job::TYPE_NAME)?;
        let mut conn = request.db.conn().await?;
        let removed = diesel::delete(
            job_bookmarks::table.filter(job_bookmarks::user_id.eq(me.user_id)).filter(job_bookmarks::job_id.eq(job)),
        )
        .execute(&mut conn)
        .await?;
        Ok(UnbookmarkJobPayload { unbookmarked_job_id: (removed > 0).then_some(input.job_id), user_errors: Vec::new() })
    }
}

#[derive(AsChangeset)]
#[diesel(table_name = job_bookmarks)]
struct BookmarkChanges {
    favorite: Option<bool>,
    hidden: Option<bool>,
    notes: Option<Option<String>>,
    tags: Option<Vec<Option<String>>>,
}

async fn job_visible(conn: &mut AsyncPgConnection, viewer: &Viewer, job: Uuid) -> Result<bool, ApiError> {
    let found: Option<JobRow> = jobs::table
        .filter(jobs::id.eq(job))
        .filter(visible_to(viewer))
        .select(JobRow::as_select())
        .first(conn)
        .await
        .optional()?;
    Ok(found.is_some())
}
