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

/// Declares a section's row, its node type and the node's fields, from one
/// list of columns in table order. Every item has `id`, `user_id`,
/// `position`, `created_at` and `updated_at`; the list names the rest, each
/// with how it is shown:
///
/// - `text` / `optional_text`: `String` / `Option<String>` as a string;
/// - `date` / `optional_date`: `NaiveDate` / `Option<NaiveDate>` as a `Date`;
/// - `code(Enum)`: `Option<String>` holding an enum's database value;
/// - `small_int`: `Option<i16>` as an `Int`;
/// - `list`: `Vec<Option<String>>` as `[String!]!`;
/// - `links`: the JSON array of links as `[Link!]!`;
///
/// or, for a field computed rather than stored, an `async fn` in place.
macro_rules! section_item {
    (
        $(#[doc = $type_doc:literal])*
        $node:ident($row:ident, $new:ident, $changes:ident) in $table:ident {
            id: $id_doc:literal,
            $($fields:tt)*
        }
        position: $position_doc:literal,
        created_at: $created_doc:literal,
        updated_at: $updated_doc:literal $(,)?
    ) => {
        $crate::profile::section::section_item!(@munch
            [$node $row $new $changes $table [$($type_doc)*] [$id_doc $position_doc $created_doc $updated_doc]]
            columns[] fields[] $($fields)*
        );
    };

    (@munch $head:tt columns[$($columns:tt)*] fields[$($fields:tt)*]
        $(#[doc = $doc:literal])* $name:ident: String => text, $($rest:tt)*) => {
        $crate::profile::section::section_item!(@munch $head
            columns[$($columns)* ($name: String)]
            fields[$($fields)* $(#[doc = $doc])* async fn $name(&self) -> &str { &self.0.$name }]
            $($rest)*
        );
    };
    (@munch $head:tt columns[$($columns:tt)*] fields[$($fields:tt)*]
        $(#[doc = $doc:literal])* $name:ident: Option<String> => optional_text, $($rest:tt)*) => {
        $crate::profile::section::section_item!(@munch $head
            columns[$($columns)* ($name: Option<String>)]
            fields[$($fields)* $(#[doc = $doc])* async fn $name(&self) -> Option<&str> { self.0.$name.as_deref() }]
            $($rest)*
        );
    };
    (@munch $head:tt columns[$($columns:tt)*] fields[$($fields:tt)*]
        $(#[doc = $doc:literal])* $name:ident: NaiveDate => date, $($rest:tt)*) => {
        $crate::profile::section::section_item!(@munch $head
            columns[$($columns)* ($name: chrono::NaiveDate)]
            fields[$($fields)* $(#[doc = $doc])* async fn $name(&self) -> $crate::graphql::scalars::Date {
                $crate::graphql::scalars::Date(self.0.$name)
            }]
            $($rest)*
        );
    };
    (@munch $head:tt columns[$($columns:tt)*] fields[$($fields:tt)*]
        $(#[doc = $doc:literal])* $name:ident: Option<NaiveDate> => optional_date, $($rest:tt)*) => {
        $crate::profile::section::section_item!(@munch $head
            columns[$($columns)* ($name: Option<chrono::NaiveDate>)]
            fields[$($fields)* $(#[doc = $doc])* async fn $name(&self) -> Option<$crate::graphql::scalars::Date> {
                self.0.$name.map($crate::graphql::scalars::Date)
            }]
            $($rest)*
        );
    };
    (@munch $head:tt columns[$($columns:tt)*] fields[$($fields:tt)*]
        $(#[doc = $doc:literal])* $name:ident: Option<String> => code($enum:ty), $($rest:tt)*) => {
        $crate::profile::section::section_item!(@munch $head
            columns[$($columns)* ($name: Option<String>)]
            fields[$($fields)* $(#[doc = $doc])* async fn $name(&self) -> Option<$enum> {
                self.0.$name.as_deref().and_then($crate::graphql::db_enum::from_db)
            }]
            $($rest)*
        );
    };
    (@munch $head:tt columns[$($columns:tt)*] fields[$($fields:tt)*]
        $(#[doc = $doc:literal])* $name:ident: Option<i16> => small_int, $($rest:tt)*) => {
        $crate::profile::section::section_item!(@munch $head
            columns[$($columns)* ($name: Option<i16>)]
            fields[$($fields)* $(#[doc = $doc])* async fn $name(&self) -> Option<i32> { self.0.$name.map(i32::from) }]
            $($rest)*
        );
    };
    (@munch $head:tt columns[$($columns:tt)*] fields[$($fields:tt)*]
        $(#[doc = $doc:literal])* $name:ident: Vec<Option<String>> => list, $($rest:tt)*) => {
        $crate::profile::section::section_item!(@munch $head
            columns[$($columns)* ($name: Vec<Option<String>>)]
            fields[$($fields)* $(#[doc = $doc])* async fn $name(&self) -> Vec<&str> {
                self.0.$name.iter().flatten().map(String::as_str).collect()
            }]
            $($rest)*
        );
    };
    (@munch $head:tt columns[$($columns:tt)*] fields[$($fields:tt)*]
        $(#[doc = $doc:literal])* $name:ident: Json => links, $($rest:tt)*) => {
        $crate::profile::section::section_item!(@munch $head
            columns[$($columns)* ($name: serde_json::Value)]
            fields[$($fields)* $(#[doc = $doc])* async fn $name(&self) -> Vec<$crate::graphql::link::Link> {
                $crate::graphql::link::links_from_json(&self.0.$name)
            }]
            $($rest)*
        );
    };
    (@munch $head:tt columns $columns:tt fields[$($fields:tt)*]
        $(#[doc = $doc:literal])* async fn $name:ident $args:tt -> $out:ty $body:block $($rest:tt)*) => {
        $crate::profile::section::section_item!(@munch $head
            columns $columns
            fields[$($fields)* $(#[doc = $doc])* async fn $name $args -> $out $body]
            $($rest)*
        );
    };

    (@munch [$node:ident $row:ident $new:ident $changes:ident $table:ident [$($type_doc:literal)*] [$id_doc:literal $position_doc:literal $created_doc:literal $updated_doc:literal]]
        columns[$(($column:ident: $type:ty))*] fields[$($fields:tt)*]) => {
        #[derive(Debug, Clone, diesel::Queryable, diesel::Selectable)]
        #[diesel(table_name = $table, check_for_backend(diesel::pg::Pg))]
        pub struct $row {
            pub id: uuid::Uuid,
            pub user_id: uuid::Uuid,
            $(pub $column: $type,)*
            pub position: i32,
            pub created_at: chrono::DateTime<chrono::Utc>,
            pub updated_at: chrono::DateTime<chrono::Utc>,
        }

        /// The section's own columns of an item to add (`store::append`
        /// sets the id, owner, position and times).
        #[derive(diesel::Insertable)]
        #[diesel(table_name = $table)]
        pub struct $new {
            $(pub $column: $type,)*
        }

        /// Changes to an item: `None` keeps a column (`Some(None)` clears a
        /// nullable one).
        #[derive(diesel::AsChangeset, Default)]
        #[diesel(table_name = $table)]
        pub struct $changes {
            $(pub $column: Option<$type>,)*
        }

        /// An item of a profile section, as the API shows it.
        pub struct $node(pub $row);

        impl $node {
            pub const TYPE_NAME: &'static str = stringify!($node);
        }

        $(#[doc = $type_doc])*
        #[async_graphql::Object]
        impl $node {
            #[doc = $id_doc]
            pub async fn id(&self) -> async_graphql::ID {
                $crate::graphql::ids::encode(Self::TYPE_NAME, self.0.id)
            }

            $($fields)*

            #[doc = $position_doc]
            async fn position(&self) -> i32 {
                self.0.position
            }

            #[doc = $created_doc]
            async fn created_at(&self) -> $crate::graphql::scalars::DateTime {
                self.0.created_at.into()
            }

            #[doc = $updated_doc]
            async fn updated_at(&self) -> $crate::graphql::scalars::DateTime {
                self.0.updated_at.into()
            }
        }
    };
}

pub(crate) use section_item;

/// Declares a section's loaders, its store functions and its
/// delete/reorder mutations.
macro_rules! profile_section {
    (
        table: $table:ident,
        label: $label:literal,
        row: $row:ident,
        node: $node:ident,
        new: $new:ident,
        changes: $changes:ident,
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
                use $crate::db::CacheStatement as _;
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
                    .cached()
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
                use $crate::db::CacheStatement as _;
                let mut query =
                    $table::table.filter($table::deleted_at.is_null()).filter($table::id.eq_any(keys)).into_boxed();
                match $crate::profile::section::Scope::of(&self.viewer) {
                    $crate::profile::section::Scope::Nobody => return Ok(Default::default()),
                    $crate::profile::section::Scope::Owner(me) => query = query.filter($table::user_id.eq(me)),
                    $crate::profile::section::Scope::Everyone => {}
                }
                let mut conn = self.db.conn().await?;
                let rows: Vec<$row> = query.select($row::as_select()).cached().load(&mut conn).await?;
                Ok(rows.into_iter().map(|row| (row.id, row)).collect())
            }
        }

        /// Writes to this section, always within one owner's items.
        pub mod $store {
            use diesel::prelude::*;
            use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
            use uuid::Uuid;

            use super::{$changes, $new, $row};
            use $crate::db::tables::$table;

            /// Adds `new` at `position` of the owner's section.
            pub async fn insert(
                conn: &mut AsyncPgConnection,
                owner: Uuid,
                position: i32,
                new: &$new,
            ) -> QueryResult<$row> {
                let now = chrono::Utc::now();
                diesel::insert_into($table::table)
                    .values((
                        $table::id.eq(Uuid::now_v7()),
                        $table::user_id.eq(owner),
                        $table::position.eq(position),
                        $table::created_at.eq(now),
                        $table::updated_at.eq(now),
                        new,
                    ))
                    .returning($row::as_returning())
                    .get_result(conn)
                    .await
            }

            /// Adds `new` after the owner's last item; refused when the
            /// section is full.
            #[allow(dead_code, reason = "sections that check more on insert use next_position and insert")]
            pub async fn append(conn: &mut AsyncPgConnection, owner: Uuid, new: &$new) -> $crate::graphql::Outcome<$row> {
                let position = next_position(conn, owner).await?;
                Ok(insert(conn, owner, position, new).await?)
            }

            /// Applies `changes` to item `id` (whose owner the caller checked).
            #[allow(dead_code, reason = "sections that check more on update filter by owner themselves")]
            pub async fn update(conn: &mut AsyncPgConnection, id: Uuid, changes: &$changes) -> QueryResult<$row> {
                diesel::update($table::table.find(id))
                    .set((changes, $table::updated_at.eq(chrono::Utc::now())))
                    .returning($row::as_returning())
                    .get_result(conn)
                    .await
            }

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
