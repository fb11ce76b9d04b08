//! What every profile section (experiences, educations, certifications,
//! skills, projects) shares: who may read it, and the one macro that
//! declares a section — its row, node, inputs, loaders, store and mutations
//! — from the list of its fields. Each section's own file holds that list
//! and whatever only it has.

use std::marker::PhantomData;

use diesel::QueryResult;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::db::Db;
use crate::graphql::{Outcome, UserError, UserErrorCode};

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

/// A loader of one section's items (`Section` is its node type), keyed by
/// owner or by id (`Key` is [`ByOwner`] or [`ByKey`]).
pub struct ItemLoader<Section, Key> {
    pub db: Db,
    pub viewer: Viewer,
    kind: PhantomData<fn() -> (Section, Key)>,
}

impl<Section, Key> ItemLoader<Section, Key> {
    pub fn new(db: Db, viewer: Viewer) -> Self {
        Self { db, viewer, kind: PhantomData }
    }
}

/// Keys items by their owner's user id: each owner's live items in order.
pub struct ByOwner;

/// Keys items by their own id.
pub struct ByKey;

/// The user error for adding to a full section.
pub fn full(section: &str) -> UserError {
    UserError::new(&["input"], UserErrorCode::TooLong, format!("A profile keeps at most {MAX_ITEMS} {section}"))
}

/// The TAKEN user error for `value` of the unique `column`, e.g. `Your
/// profile already lists the skill "Rust"`.
pub fn taken(column: &str, message: &str, value: &str) -> UserError {
    UserError::new(&["input", column], UserErrorCode::Taken, format!("{message} \"{value}\""))
}

/// A write's outcome: a unique violation is the user error `taken` gives
/// (for a section with a unique column), any other failure a top-level error.
pub fn refuse_taken<T>(written: QueryResult<T>, taken: impl FnOnce() -> Option<UserError>) -> Outcome<T> {
    match written {
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)) => match taken() {
            Some(error) => Err(error.into()),
            None => Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info).into()),
        },
        written => Ok(written?),
    }
}

/// Declares a whole profile section from one list of its fields in table
/// order: in the section's module, `Row`, `New` and `Changes` (the table's
/// row, insert and change structs), the node type, `AddInput` and
/// `UpdateInput`, the loaders `ByUser` and `ById`, the `store` functions,
/// the payloads and `Mutations` (add, update, delete, reorder). GraphQL names
/// come from the node's: `AddSkillInput`, `ReorderSkillsPayload`, …
///
/// ```text
/// profile_section! {
///     /// The node's doc.
///     Skill(skill) in skills as "skills" [, dates start .. end] [, unique column "message"] {
///         /// The node field's doc.
///         name: Text<100> ["add input doc", "update input doc"],
///         …
///     }
///     id: "doc", position: "doc", created_at: "doc", updated_at: "doc";
///     /// The add mutation's doc.
///     add_skill: "the add input's doc";
///     /// The update mutation's doc.
///     update_skill: "the update input's doc", id "its id's doc";
///     /// The delete mutation's doc (one line).
///     /// The reorder mutation's doc (one line).
///     delete_skill, reorder_skills;
/// }
/// ```
///
/// `skill` names the payloads' field, the table's name the reorder payload's.
/// A field's kind is one of [`fields`](super::fields); `= default` before
/// its docs gives the add input an empty default. A field computed rather
/// than stored is an `async fn` in place. A field only the inputs have, kept
/// elsewhere, is `name: saved_by function, Kind [docs]`: the function stores
/// the checked value in the transaction that writes the item. `dates`
/// refuses an end before the start; `unique` turns the table's unique
/// violation into a TAKEN user error on that column. Every item also has
/// `id`, `user_id`, `position`, `created_at` and `updated_at`.
macro_rules! profile_section {
    (
        $(#[doc = $type_doc:literal])*
        $node:ident($field:ident) in $table:ident as $label:literal
            $(, dates $start:ident .. $end:ident)? $(, unique $unique:ident $taken:literal)? {
            $($fields:tt)*
        }
        $($section:tt)*
    ) => {
        $crate::profile::section::profile_section!(@munch
            [$node $field $table $label [$($type_doc)*] [$($start $end)?] [$($unique $taken)?] [$($section)*]]
            columns[] fields[] inputs[] extras[] $($fields)*
        );
    };

    (@munch $head:tt columns $columns:tt fields $fields:tt inputs $inputs:tt extras $extras:tt) => {
        $crate::profile::section::profile_section!(@emit $head
            columns $columns fields $fields inputs $inputs extras $extras
        );
    };
    (@munch $head:tt columns $columns:tt fields[$($fields:tt)*] inputs $inputs:tt extras $extras:tt
        $(#[doc = $doc:literal])* async fn $name:ident $args:tt -> $out:ty $body:block $($rest:tt)*) => {
        $crate::profile::section::profile_section!(@munch $head
            columns $columns
            fields[$($fields)* $(#[doc = $doc])* async fn $name $args -> $out $body]
            inputs $inputs extras $extras
            $($rest)*
        );
    };
    (@munch $head:tt columns $columns:tt fields $fields:tt inputs[$($inputs:tt)*] extras[$($extras:tt)*]
        $name:ident: saved_by $save:path, $kind:ty $(= $default:ident)? [$add_doc:literal, $update_doc:literal], $($rest:tt)*) => {
        $crate::profile::section::profile_section!(@munch $head
            columns $columns fields $fields
            inputs[$($inputs)* ($name $kind [$($default)?] $add_doc $update_doc)]
            extras[$($extras)* ($name $kind, $save)]
            $($rest)*
        );
    };
    (@munch $head:tt columns[$($columns:tt)*] fields[$($fields:tt)*] inputs[$($inputs:tt)*] extras $extras:tt
        $(#[doc = $doc:literal])* $name:ident: $kind:ty $(= $default:ident)? [$add_doc:literal, $update_doc:literal], $($rest:tt)*) => {
        $crate::profile::section::profile_section!(@munch $head
            columns[$($columns)* ($name $kind)]
            fields[$($fields)* $(#[doc = $doc])* async fn $name(&self) -> <$kind as $crate::profile::fields::Field>::Shown {
                <$kind as $crate::profile::fields::Field>::show(&self.0.$name)
            }]
            inputs[$($inputs)* ($name $kind [$($default)?] $add_doc $update_doc)]
            extras $extras
            $($rest)*
        );
    };

    (@emit
        [$node:ident $field:ident $table:ident $label:literal [$($type_doc:literal)*]
            [$($start:ident $end:ident)?] [$($unique:ident $taken:literal)?] [
            id: $id_doc:literal, position: $position_doc:literal, created_at: $created_doc:literal, updated_at: $updated_doc:literal;
            $(#[doc = $add_doc:literal])* $add:ident: $add_input_doc:literal;
            $(#[doc = $update_doc:literal])* $update:ident: $update_input_doc:literal, id $update_id_doc:literal;
            #[doc = $delete_doc:literal] #[doc = $reorder_doc:literal] $delete:ident, $reorder:ident;
        ]]
        columns[$(($column:ident $column_kind:ty))*]
        fields[$($fields:tt)*]
        inputs[$(($input:ident $input_kind:ty [$($input_default:ident)?] $input_add_doc:literal $input_update_doc:literal))*]
        extras[$(($extra:ident $extra_kind:ty, $extra_save:path))*]
    ) => {
        #[derive(Debug, Clone, diesel::Queryable, diesel::Selectable)]
        #[diesel(table_name = $table, check_for_backend(diesel::pg::Pg))]
        pub struct Row {
            pub id: uuid::Uuid,
            pub user_id: uuid::Uuid,
            $(pub $column: <$column_kind as $crate::profile::fields::Field>::Stored,)*
            pub position: i32,
            pub created_at: chrono::DateTime<chrono::Utc>,
            pub updated_at: chrono::DateTime<chrono::Utc>,
        }

        /// The section's own columns of an item to add (`store::insert`
        /// sets the id, owner, position and times).
        #[derive(diesel::Insertable)]
        #[diesel(table_name = $table)]
        pub struct New {
            $(pub $column: <$column_kind as $crate::profile::fields::Field>::Stored,)*
        }

        /// Changes to an item: `None` keeps a column (`Some(None)` clears a
        /// nullable one).
        #[derive(diesel::AsChangeset, Default)]
        #[diesel(table_name = $table)]
        pub struct Changes {
            $(pub $column: Option<<$column_kind as $crate::profile::fields::Field>::Stored>,)*
        }

        /// An item of a profile section, as the API shows it.
        pub struct $node(pub Row);

        impl $node {
            pub const TYPE_NAME: &'static str = stringify!($node);
            /// Whether writing an item also stores fields kept elsewhere, so
            /// that the writes share a transaction.
            const WRITES_ELSEWHERE: bool = !<[&str]>::is_empty(&[$(stringify!($extra)),*]);
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

        #[doc = $add_input_doc]
        #[derive(async_graphql::InputObject)]
        #[graphql(name_type)]
        pub struct AddInput {
            $(
                #[doc = $input_add_doc]
                $(#[graphql($input_default)])?
                pub $input: <$input_kind as $crate::profile::fields::Field>::Add,
            )*
        }

        #[doc = $update_input_doc]
        #[derive(async_graphql::InputObject)]
        #[graphql(name_type)]
        pub struct UpdateInput {
            #[doc = $update_id_doc]
            pub id: async_graphql::ID,
            $(
                #[doc = $input_update_doc]
                pub $input: <$input_kind as $crate::profile::fields::Field>::Update,
            )*
        }
        /// Loads the live items of this section for many users at once,
        /// limited to the users whose profile the viewer may read.
        pub type ByUser = $crate::profile::section::ItemLoader<$node, $crate::profile::section::ByOwner>;
        /// Loads items of this section by id, only those the viewer may read.
        pub type ById = $crate::profile::section::ItemLoader<$node, $crate::profile::section::ByKey>;

        impl $node {
            /// The viewer's readable live items, or None when it may read none.
            fn readable(viewer: &$crate::auth::Viewer) -> Option<$table::BoxedQuery<'static, diesel::pg::Pg>> {
                use diesel::prelude::*;
                let query = $table::table.filter($table::deleted_at.is_null()).into_boxed();
                match $crate::profile::section::Scope::of(viewer) {
                    $crate::profile::section::Scope::Nobody => None,
                    $crate::profile::section::Scope::Owner(me) => Some(query.filter($table::user_id.eq(me))),
                    $crate::profile::section::Scope::Everyone => Some(query),
                }
            }
        }

        impl async_graphql::dataloader::Loader<uuid::Uuid> for ByUser {
            type Value = Vec<Row>;
            type Error = $crate::graphql::ApiError;

            async fn load(
                &self,
                owners: &[uuid::Uuid],
            ) -> Result<std::collections::HashMap<uuid::Uuid, Vec<Row>>, $crate::graphql::ApiError> {
                use diesel::prelude::*;
                use diesel_async::RunQueryDsl;
                use $crate::db::{CacheStatement as _, OneOfKeys as _};
                let Some(query) = $node::readable(&self.viewer) else { return Ok(Default::default()) };
                let mut conn = self.db.conn().await?;
                let rows: Vec<Row> = query
                    .filter($table::user_id.one_of(owners))
                    .order(($table::position.asc(), $table::id.asc()))
                    .select(Row::as_select())
                    .cached()
                    .load(&mut conn)
                    .await?;
                let mut grouped: std::collections::HashMap<uuid::Uuid, Vec<Row>> = Default::default();
                for row in rows {
                    grouped.entry(row.user_id).or_default().push(row);
                }
                Ok(grouped)
            }
        }

        impl async_graphql::dataloader::Loader<uuid::Uuid> for ById {
            type Value = Row;
            type Error = $crate::graphql::ApiError;

            async fn load(
                &self,
                keys: &[uuid::Uuid],
            ) -> Result<std::collections::HashMap<uuid::Uuid, Row>, $crate::graphql::ApiError> {
                use diesel::prelude::*;
                use diesel_async::RunQueryDsl;
                use $crate::db::{CacheStatement as _, OneOfKeys as _};
                let Some(query) = $node::readable(&self.viewer) else { return Ok(Default::default()) };
                let mut conn = self.db.conn().await?;
                let rows: Vec<Row> =
                    query.filter($table::id.one_of(keys)).select(Row::as_select()).cached().load(&mut conn).await?;
                Ok(rows.into_iter().map(|row| (row.id, row)).collect())
            }
        }

        /// Writes to this section, always within one owner's items.
        pub mod store {
            use diesel::prelude::*;
            use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
            use uuid::Uuid;

            use super::{Changes, New, Row};
            use $crate::db::tables::$table;

            /// Adds `new` at `position` of the owner's section.
            pub async fn insert(
                conn: &mut AsyncPgConnection,
                owner: Uuid,
                position: i32,
                new: &New,
            ) -> QueryResult<Row> {
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
                    .returning(Row::as_returning())
                    .get_result(conn)
                    .await
            }

            /// Applies `changes` to the owner's live item `id`; None when
            /// there is none.
            pub async fn update(
                conn: &mut AsyncPgConnection,
                owner: Uuid,
                id: Uuid,
                changes: &Changes,
            ) -> QueryResult<Option<Row>> {
                diesel::update($table::table)
                    .filter($table::id.eq(id))
                    .filter($table::user_id.eq(owner))
                    .filter($table::deleted_at.is_null())
                    .set((changes, $table::updated_at.eq(chrono::Utc::now())))
                    .returning(Row::as_returning())
                    .get_result(conn)
                    .await
                    .optional()
            }

            /// The owner's live item `id`.
            #[allow(dead_code, reason = "only sections with `dates:` compare with the stored row")]
            pub async fn owned(conn: &mut AsyncPgConnection, owner: Uuid, id: Uuid) -> QueryResult<Option<Row>> {
                $table::table
                    .filter($table::id.eq(id))
                    .filter($table::user_id.eq(owner))
                    .filter($table::deleted_at.is_null())
                    .select(Row::as_select())
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
            ) -> QueryResult<Option<Vec<Row>>> {
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
                        .select(Row::as_select())
                        .load(conn)
                        .await?;
                    Ok(Some(rows))
                })
                .await
            }
        }

        $crate::graphql::payload!(AddPayload named concat!("Add", stringify!($node), "Payload"),
            "The result of adding an item to a profile section.", $field: $node(Row),
            "The added item; null when the input was refused.", "Why the input was refused.");

        $crate::graphql::payload!(UpdatePayload named concat!("Update", stringify!($node), "Payload"),
            "The result of changing an item of a profile section.", $field: $node(Row),
            "The changed item; null when the input was refused.", "Why the input was refused.");

        /// Names the item to delete.
        #[derive(async_graphql::InputObject)]
        #[graphql(name_type)]
        pub struct DeleteInput {
            /// The id of the item to delete; it must be the signed-in user's.
            pub id: async_graphql::ID,
        }

        /// The result of deleting a profile item.
        #[derive(async_graphql::SimpleObject)]
        #[graphql(name_type)]
        pub struct DeletePayload {
            /// The id of the deleted item.
            pub deleted_id: Option<async_graphql::ID>,
            /// Always empty: an id the user does not own is a NOT_FOUND error.
            pub user_errors: Vec<$crate::graphql::UserError>,
        }

        /// The new order of a profile section.
        #[derive(async_graphql::InputObject)]
        #[graphql(name_type)]
        pub struct ReorderInput {
            /// Every item of the section, each once, in the new order.
            pub ids: Vec<async_graphql::ID>,
        }

        /// The result of reordering a profile section.
        #[derive(async_graphql::SimpleObject)]
        #[graphql(name_type)]
        pub struct ReorderPayload {
            /// The section in its new order; null when the order was refused.
            pub $table: Option<Vec<$node>>,
            /// Why the order was refused: `ids` must list every item once.
            pub user_errors: Vec<$crate::graphql::UserError>,
        }

        $crate::graphql::type_names! {
            AddInput => concat!("Add", stringify!($node), "Input");
            UpdateInput => concat!("Update", stringify!($node), "Input");
            DeleteInput => concat!("Delete", stringify!($node), "Input");
            DeletePayload => concat!("Delete", stringify!($node), "Payload");
            ReorderInput => concat!("Reorder", stringify!($node), "sInput");
            ReorderPayload => concat!("Reorder", stringify!($node), "sPayload");
            Mutations => concat!(stringify!($node), "Mutations");
        }

        /// Adding, changing, deleting and reordering items of this section.
        #[derive(Default)]
        pub struct Mutations;

        #[async_graphql::Object(name_type)]
        impl Mutations {
            $(#[doc = $add_doc])*
            async fn $add(&self, ctx: &async_graphql::Context<'_>, #[graphql(desc = "The mutation's input.")] input: AddInput) -> Result<AddPayload, $crate::graphql::ApiError> {
                use diesel_async::AsyncConnection as _;
                use $crate::graphql::Payload as _;
                use $crate::profile::fields::{Field, input_name};
                let request = $crate::context::request(ctx);
                let (me, mut checks) = (request.viewer.require()?, $crate::graphql::validate::Checks::default());
                $(let $column = <$column_kind as Field>::add(&mut checks, &input_name(stringify!($column)), input.$column);)*
                $(let $extra = <$extra_kind as Field>::add(&mut checks, &input_name(stringify!($extra)), input.$extra);)*
                $(if let (Some(start), Some(end)) = ($start, $end) {
                    checks.date_order(
                        &input_name(stringify!($end)),
                        $crate::profile::fields::Dated::date(start),
                        $crate::profile::fields::Dated::date(end),
                    );
                })?
                let ($(Some($column),)* $(Some($extra),)* true) = ($($column,)* $($extra,)* checks.is_ok()) else {
                    return Ok(AddPayload::refused(checks.errors));
                };
                let new = New { $($column),* };
                let mut conn = request.db.conn().await?;
                let added = async {
                    let position = store::next_position(&mut conn, me.user_id).await?;
                    let written = if $node::WRITES_ELSEWHERE {
                        conn.transaction(async |conn| {
                            let row = store::insert(conn, me.user_id, position, &new).await?;
                            $($extra_save(conn, row.id, &$extra).await?;)*
                            Ok::<_, diesel::result::Error>(row)
                        })
                        .await
                    } else {
                        store::insert(&mut conn, me.user_id, position, &new).await
                    };
                    $crate::profile::section::refuse_taken(written, || {
                        [$($crate::profile::section::taken(stringify!($unique), $taken, &new.$unique))?].into_iter().next()
                    })
                };
                $crate::graphql::respond(added.await)
            }

            $(#[doc = $update_doc])*
            async fn $update(&self, ctx: &async_graphql::Context<'_>, #[graphql(desc = "The mutation's input.")] input: UpdateInput) -> Result<UpdatePayload, $crate::graphql::ApiError> {
                use diesel_async::AsyncConnection as _;
                use $crate::graphql::Payload as _;
                use $crate::profile::fields::{Field, input_name};
                let request = $crate::context::request(ctx);
                let me = request.viewer.require()?;
                let id = $crate::graphql::ids::decode_as(&input.id, $node::TYPE_NAME)?;
                let mut checks = $crate::graphql::validate::Checks::default();
                let changes = Changes {
                    $($column: <$column_kind as Field>::change(&mut checks, &input_name(stringify!($column)), input.$column),)*
                };
                $(let $extra = <$extra_kind as Field>::change(&mut checks, &input_name(stringify!($extra)), input.$extra);)*
                let mut conn = request.db.conn().await?;
                $(
                    let Some(current) = store::owned(&mut conn, me.user_id, id).await? else {
                        return Err($crate::graphql::ids::not_found(&input.id));
                    };
                    checks.date_order(
                        &input_name(stringify!($end)),
                        $crate::profile::fields::Dated::date(changes.$start.unwrap_or(current.$start)),
                        $crate::profile::fields::Dated::date(changes.$end.unwrap_or(current.$end)),
                    );
                )?
                if !checks.is_ok() {
                    return Ok(UpdatePayload::refused(checks.errors));
                }
                let updated = async {
                    let written = if $node::WRITES_ELSEWHERE {
                        conn.transaction(async |conn| {
                            let row = store::update(conn, me.user_id, id, &changes).await?;
                            $(if let (Some(row), Some(value)) = (&row, &$extra) {
                                $extra_save(conn, row.id, value).await?;
                            })*
                            Ok::<_, diesel::result::Error>(row)
                        })
                        .await
                    } else {
                        store::update(&mut conn, me.user_id, id, &changes).await
                    };
                    let row = $crate::profile::section::refuse_taken(written, || {
                        [$($crate::profile::section::taken(
                            stringify!($unique),
                            $taken,
                            changes.$unique.as_deref().unwrap_or_default(),
                        ))?]
                        .into_iter()
                        .next()
                    })?;
                    row.ok_or_else(|| $crate::graphql::ids::not_found(&input.id).into())
                };
                $crate::graphql::respond(updated.await)
            }

            #[doc = $delete_doc]
            async fn $delete(&self, ctx: &async_graphql::Context<'_>, #[graphql(desc = "The mutation's input.")] input: DeleteInput) -> Result<DeletePayload, $crate::graphql::ApiError> {
                let request = $crate::context::request(ctx);
                let me = request.viewer.require()?;
                let id = $crate::graphql::ids::decode_as(&input.id, $node::TYPE_NAME)?;
                let mut conn = request.db.conn().await?;
                if !store::soft_delete(&mut conn, me.user_id, id).await? {
                    return Err($crate::graphql::ids::not_found(&input.id));
                }
                Ok(DeletePayload { deleted_id: Some(input.id), user_errors: Vec::new() })
            }

            #[doc = $reorder_doc]
            async fn $reorder(&self, ctx: &async_graphql::Context<'_>, #[graphql(desc = "The mutation's input.")] input: ReorderInput) -> Result<ReorderPayload, $crate::graphql::ApiError> {
                let request = $crate::context::request(ctx);
                let me = request.viewer.require()?;
                let refused = || ReorderPayload {
                    $table: None,
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
                match store::reorder(&mut conn, me.user_id, &ids).await? {
                    Some(rows) => Ok(ReorderPayload {
                        $table: Some(rows.into_iter().map($node).collect()),
                        user_errors: Vec::new(),
                    }),
                    None => Ok(refused()),
                }
            }
        }
    };
}

pub(crate) use profile_section;
