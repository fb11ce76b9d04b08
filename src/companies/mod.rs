//! Companies: the employers jobs are posted for. They are shared reference
//! data, readable by everyone.

mod graphql;
mod loaders;

pub use graphql::{Company, CompanySize};
pub use loaders::{Loaders, loaders};

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use crate::db::tables::companies;
use crate::db::{Db, OneOfKeys, Related};
use crate::graphql::ApiError;

/// A row of `companies`.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = companies, check_for_backend(diesel::pg::Pg))]
pub struct CompanyRow {
    pub id: Uuid,
    pub name: String,
    pub website: Option<String>,
    pub industry: Option<String>,
    pub size: Option<String>,
    pub location: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The company whose id is the parent statement's `id_column` (e.g.
/// `"jobs.company_id"`), read in that statement (see `db::Related`).
pub fn related(id_column: &'static str) -> Related<CompanyRow> {
    let same = diesel::dsl::sql::<diesel::sql_types::Bool>(&format!("companies.id = {id_column}"));
    Related::of(companies::table.filter(same).select(CompanyRow::as_select()))
}

/// Batches company look-ups by id: one statement per batch of keys.
pub struct CompanyLoader {
    db: Db,
}

impl CompanyLoader {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

impl Loader<Uuid> for CompanyLoader {
    type Value = CompanyRow;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, CompanyRow>, ApiError> {
        let mut conn = self.db.conn().await?;
        let rows =
            companies::table.filter(companies::id.one_of(keys)).select(CompanyRow::as_select()).load(&mut conn).await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}
