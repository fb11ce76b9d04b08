//! What every profile section (experiences, educations, certifications,
//! skills, projects) shares: who may read it, its loaders, and its delete
//! and reorder mutations. Each section's own file adds its fields and its
//! add/update mutations.

use uuid::Uuid;

use crate::auth::Viewer;

/// The most live items one section of a profile keeps. Sections are short,
/// user-ordered lists, so the API returns them whole rather than paginated.
pub const MAX_ITEMS: i64 = 100;

/// Whose profile items a viewer may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Admins.
    Everyone,
    /// A signed-in user: their own.
    Owner(Uuid),
    /// Anonymous viewers.
    Nobody,
}

impl Scope {
    pub fn of(viewer: &Viewer) -> Self {
        match viewer.signed_in() {
            Some(me) if me.is_admin() => Self::Everyone,
            Some(me) => Self::Owner(me.user_id),
            None => Self::Nobody,
        }
    }
}

/// The user error for adding to a full section.
pub fn full(section: &str) -> crate::graphql::UserError {
    crate::graphql::UserError::new(
        &["input"],
        crate::graphql::UserErrorCode::TooLong,
        format!("A profile keeps at most {MAX_ITEMS} {section}"),
    )
}

/// Declares a section's loaders, its store functions and its
/// delete/reorder mutations.
macro_rules! profile_section {
    (
        table: $table:ident,
        label: $label:literal,
        row: $row:ident,
        node: $node:ident,
        payloads: ($add_payload:ident, $update_payload:ident, $field:ident),
        by_user: $by_user:ident,
        by_id: $by_id:ident,
        store: $store:ident,
        mutations: $mutations:ident,
        delete: ($delete_name:literal, $delete_input:ident, $delete_payload:ident, $delete_doc:literal),
        reorder: ($reorder_name:literal, $reorder_input:ident, $reorder_payload:ident, $reorder_field:literal, $reorder_doc:literal),
    ) => {
        /// Loads the live items of this section for many users at once,
        /// limited to the users whose profile the viewer may read.
        pub struct $by_user {
            db: $crate::db::Db,
            viewer: $crate::auth::Viewer,
        }

        impl $by_user {
            pub fn new(db: $crate::db::Db, viewer: $crate::auth::Viewer) -> Self {
                Self { db, viewer }
            }
        }

        impl async_graphql::dataloader::Loader<uuid::Uuid> for $by_user {
            type Value = Vec<$row>;
            type Error = $crate::graphql::ApiError;

            async fn load(
                &self,
                owners: &[uuid::Uuid],
            ) -> Result<std::collections::HashMap<uuid::Uuid, Vec<$row>>, $crate::graphql::ApiError> {
                use diesel::prelude::*;
                use diesel_async::RunQueryDsl;
                let mut query = $table::table
                    .filter($table::deleted_at.is_null())
                    .filter($table::user_id.eq_any(owners))
                    .into_boxed();
                match $crate::profile::section::Scope::of(&self.viewer) {
                    $crate::profile::section::Scope::Nobody => return Ok(Default::default()),
                    $crate::profile::section::Scope::Owner(me) => query = query.filter($table::user_id.eq(me)),
                    $crate::profile::section::Scope::Everyone => {}
                }
                let mut conn = self.db.conn().await?;
                let rows: Vec<$row> = query
                    .order(($table::position.asc(), $table::id.asc()))
                    .select($row::as_select())
                    .load(&mut conn)
                    .await?;
                let mut grouped: std::collections::HashMap<uuid::Uuid, Vec<$row>> = Default::default();
                for row in rows {
                    grouped.entry(row.user_id).or_default().push(row);
                }
                Ok(grouped)
            }
        }

        /// Loads items of this section by id, only those the viewer may read.
        pub struct $by_id {
            db: $crate::db::Db,
            viewer: $crate::auth::Viewer,
        }

        impl $by_id {
            pub fn new(db: $crate::db::Db, viewer: $crate::auth::Viewer) -> Self {
                Self { db, viewer }
            }
        }

        impl async_graphql::dataloader::Loader<uuid::Uuid> for $by_id {
            type Value = $row;
            type Error = $crate::graphql::ApiError;

            async fn load(
                &self,
                keys: &[uuid::Uuid],
            ) -> Result<std::collections::HashMap<uuid::Uuid, $row>, $crate::graphql::ApiError> {
                use diesel::prelude::*;
                use diesel_async::RunQueryDsl;
                let mut query =
                    $table::table.filter($table::deleted_at.is_null()).filter($table::id.eq_any(keys)).into_boxed();
                match $crate::profile::section::Scope::of(&self.viewer) {
                    $crate::profile::section::Scope::Nobody => return Ok(Default::default()),
                    $crate::profile::section::Scope::Owner(me) => query = query.filter($table::user_id.eq(me)),
                    $crate::profile::section::Scope::Everyone => {}
                }
                let mut conn = self.db.conn().await?;
                let rows: Vec<$row> = query.select($row::as_select()).load(&mut conn).await?;
                Ok(rows.into_iter().map(|row| (row.id, row)).collect())
            }
        }

        /// Writes to this section, always within one owner's items.
        pub mod $store {
            use diesel::prelude::*;
            use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
            use uuid::Uuid;

            use super::$row;
            use $crate::db::tables::$table;

            /// The owner's live item `id`.
            #[allow(dead_code, reason = "sections whose updates need the stored row use it")]
            pub async fn owned(conn: &mut AsyncPgConnection, owner: Uuid, id: Uuid) -> QueryResult<Option<$row>> {
                $table::table
                    .filter($table::id.eq(id))
                    .filter($table::user_id.eq(owner))
                    .filter($table::deleted_at.is_null())
                    .select($row::as_select())
                    .first(conn)
                    .await
                    .optional()
            }

            /// The position after the owner's last item, or the user error
            /// to return when the section is full.
            pub async fn next_position(
                conn: &mut AsyncPgConnection,
                owner: Uuid,
            ) -> $crate::graphql::Outcome<i32> {
                let (count, last): (i64, Option<i32>) = $table::table
                    .filter($table::user_id.eq(owner))
                    .filter($table::deleted_at.is_null())
                    .select((diesel::dsl::count_star(), diesel::dsl::max($table::position)))
                    .first(conn)
                    .await?;
                if count >= $crate::profile::section::MAX_ITEMS {
                    return Err($crate::profile::section::full($label).into());
                }
                Ok(last.map_or(0, |last| last + 1))
            }

            /// Soft-deletes the owner's item; false when there is none.
            pub async fn soft_delete(conn: &mut AsyncPgConnection, owner: Uuid, id: Uuid) -> QueryResult<bool> {
                let now = chrono::Utc::now();
                let updated = diesel::update($table::table)
                    .filter($table::id.eq(id))
                    .filter($table::user_id.eq(owner))
                    .filter($table::deleted_at.is_null())
                    .set(($table::deleted_at.eq(now), $table::updated_at.eq(now)))
                    .execute(conn)
                    .await?;
                Ok(updated == 1)
            }

            /// Puts the owner's items in the order of `ids`, which must name
            /// every live item exactly once; None when it does not. One
            /// UPDATE, whatever the number of items.
            pub async fn reorder(
                conn: &mut AsyncPgConnection,
                owner: Uuid,
                ids: &[Uuid],
            ) -> QueryResult<Option<Vec<$row>>> {
                let ids = ids.to_vec();
                conn.transaction(async |conn| {
                    let mut live: Vec<Uuid> = $table::table
                        .filter($table::user_id.eq(owner))
                        .filter($table::deleted_at.is_null())
                        .select($table::id)
                        .for_update()
                        .load(conn)
                        .await?;
                    let mut wanted = ids.clone();
                    live.sort_unstable();
                    wanted.sort_unstable();
                    if live != wanted {
                        return Ok(None);
                    }
                    let positions: Vec<i32> = (0..).take(ids.len()).collect();
                    diesel::sql_query(concat!(
                        "UPDATE ",
                        stringify!($table),
                        " AS t SET position = v.position, updated_at = now() ",
                        "FROM unnest($1::uuid[], $2::int4[]) AS v(id, position) ",
                        "WHERE t.id = v.id AND t.user_id = $3"
                    ))
                    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(&ids)
                    .bind::<diesel::sql_types::Array<diesel::sql_types::Integer>, _>(&positions)
                    .bind::<diesel::sql_types::Uuid, _>(owner)
                    .execute(conn)
                    .await?;
                    let rows = $table::table
                        .filter($table::user_id.eq(owner))
                        .filter($table::deleted_at.is_null())
                        .order(($table::position.asc(), $table::id.asc()))
                        .select($row::as_select())
                        .load(conn)
                        .await?;
                    Ok(Some(rows))
                })
                .await
            }
        }

        $crate::graphql::payload!(
            $add_payload,
            "The result of adding an item to a profile section.",
            $field: $node($row),
            "The added item; null when the input was refused.",
            "Why the input was refused."
        );

        $crate::graphql::payload!(
            $update_payload,
            "The result of changing an item of a profile section.",
            $field: $node($row),
            "The changed item; null when the input was refused.",
            "Why the input was refused."
        );

        /// Names the item to delete.
        #[derive(async_graphql::InputObject)]
        pub struct $delete_input {
            /// The id of the item to delete; it must be the signed-in user's.
            pub id: async_graphql::ID,
        }

        /// The result of deleting a profile item.
        #[derive(async_graphql::SimpleObject)]
        pub struct $delete_payload {
            /// The id of the deleted item.
            pub deleted_id: Option<async_graphql::ID>,
            /// Always empty: an id the user does not own is a NOT_FOUND error.
            pub user_errors: Vec<$crate::graphql::UserError>,
        }

        /// The new order of a profile section.
        #[derive(async_graphql::InputObject)]
        pub struct $reorder_input {
            /// Every item of the section, each once, in the new order.
            pub ids: Vec<async_graphql::ID>,
        }

        /// The result of reordering a profile section.
        #[derive(async_graphql::SimpleObject)]
        pub struct $reorder_payload {
            /// The section in its new order; null when the order was refused.
            #[graphql(name = $reorder_field)]
            pub items: Option<Vec<$node>>,
            /// Why the order was refused: `ids` must list every item once.
            pub user_errors: Vec<$crate::graphql::UserError>,
        }

        /// Deleting and reordering items of this section.
        #[derive(Default)]
        pub struct $mutations;

        #[async_graphql::Object]
        impl $mutations {
            #[doc = $delete_doc]
            #[graphql(name = $delete_name)]
            async fn delete(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(desc = "The mutation's input.")] input: $delete_input,
            ) -> Result<$delete_payload, $crate::graphql::ApiError> {
                let request = $crate::context::request(ctx);
                let me = request.viewer.require()?;
                let id = $crate::graphql::ids::decode_as(&input.id, $node::TYPE_NAME)?;
                let mut conn = request.db.conn().await?;
                if !$store::soft_delete(&mut conn, me.user_id, id).await? {
                    return Err($crate::graphql::ids::not_found(&input.id));
                }
                Ok($delete_payload { deleted_id: Some(input.id), user_errors: Vec::new() })
            }

            #[doc = $reorder_doc]
            #[graphql(name = $reorder_name)]
            async fn reorder(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(desc = "The mutation's input.")] input: $reorder_input,
            ) -> Result<$reorder_payload, $crate::graphql::ApiError> {
                let request = $crate::context::request(ctx);
                let me = request.viewer.require()?;
                let refused = || $reorder_payload {
                    items: None,
                    user_errors: vec![$crate::graphql::UserError::new(
                        &["input", "ids"],
                        $crate::graphql::UserErrorCode::Invalid,
                        "List every item of the section exactly once",
                    )],
                };
                let ids: Option<Vec<uuid::Uuid>> =
                    input.ids.iter().map(|id| $crate::graphql::ids::decode_as(id, $node::TYPE_NAME).ok()).collect();
                let Some(ids) = ids else { return Ok(refused()) };
                let mut conn = request.db.conn().await?;
                match $store::reorder(&mut conn, me.user_id, &ids).await? {
                    Some(rows) => Ok($reorder_payload {
                        items: Some(rows.into_iter().map($node).collect()),
                        user_errors: Vec::new(),
                    }),
                    None => Ok(refused()),
                }
            }
        }
    };
}

pub(crate) use profile_section;
