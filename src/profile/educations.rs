//! Education: schools, degrees and fields of study.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use chrono::{DateTime as ChronoDateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::section::profile_section;
use crate::context::request;
use crate::db::tables::educations;
use crate::graphql::scalars::{Date, DateTime};
use crate::graphql::validate::{Checks, after, change};
use crate::graphql::{ApiError, Payload, ids, respond};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = educations, check_for_backend(diesel::pg::Pg))]
pub struct EducationRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub institution: String,
    pub degree: Option<String>,
    pub field_of_study: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub grade: Option<String>,
    pub description: Option<String>,
    pub position: i32,
    pub created_at: ChronoDateTime<Utc>,
    pub updated_at: ChronoDateTime<Utc>,
}

/// An education entry on a profile.
pub struct Education(pub EducationRow);

impl Education {
    pub const TYPE_NAME: &'static str = "Education";
}

/// A school, degree or course on the master profile.
#[Object]
impl Education {
    /// Globally unique, opaque identifier; `node(id:)` fetches the entry again.
    pub async fn id(&self) -> ID {
        ids::encode(Self::TYPE_NAME, self.0.id)
    }

    /// The school or institution.
    async fn institution(&self) -> &str {
        &self.0.institution
    }

    /// The degree, e.g. "BSc".
    async fn degree(&self) -> Option<&str> {
        self.0.degree.as_deref()
    }

    /// The field of study, e.g. "Computer Science".
    async fn field_of_study(&self) -> Option<&str> {
        self.0.field_of_study.as_deref()
    }

    /// When it started.
    async fn start_date(&self) -> Option<Date> {
        self.0.start_date.map(Date)
    }

    /// When it ended; null while ongoing.
    async fn end_date(&self) -> Option<Date> {
        self.0.end_date.map(Date)
    }

    /// The grade or honours.
    async fn grade(&self) -> Option<&str> {
        self.0.grade.as_deref()
    }

    /// Free text about it.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Place in the profile's order of educations, from 0.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// When the entry was added.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the entry last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}

/// An education entry to add (at the end).
#[derive(InputObject)]
pub struct AddEducationInput {
    /// The school or institution (1–200 characters).
    pub institution: String,
    /// The degree (at most 200 characters).
    pub degree: Option<String>,
    /// The field of study (at most 200 characters).
    pub field_of_study: Option<String>,
    /// When it started.
    pub start_date: Option<Date>,
    /// When it ended; not before `startDate`.
    pub end_date: Option<Date>,
    /// The grade or honours (at most 100 characters).
    pub grade: Option<String>,
    /// Free text (at most 10,000 characters).
    pub description: Option<String>,
}

/// Changes to one education entry. Omitted fields stay; `null` clears an
/// optional one.
#[derive(InputObject)]
pub struct UpdateEducationInput {
    /// The entry to change.
    pub id: ID,
    /// A new institution (1–200 characters).
    pub institution: Option<String>,
    /// A new degree.
    pub degree: MaybeUndefined<String>,
    /// A new field of study.
    pub field_of_study: MaybeUndefined<String>,
    /// A new start date.
    pub start_date: MaybeUndefined<Date>,
    /// A new end date; not before the start.
    pub end_date: MaybeUndefined<Date>,
    /// A new grade.
    pub grade: MaybeUndefined<String>,
    /// New free text.
    pub description: MaybeUndefined<String>,
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = educations)]
struct EducationChanges {
    institution: Option<String>,
    degree: Option<Option<String>>,
    field_of_study: Option<Option<String>>,
    start_date: Option<Option<NaiveDate>>,
    end_date: Option<Option<NaiveDate>>,
    grade: Option<Option<String>>,
    description: Option<Option<String>>,
}

/// Adding and changing education entries.
#[derive(Default)]
pub struct EducationMutations;

#[Object]
impl EducationMutations {
    /// Adds an education entry to the end of the signed-in user's list.
    async fn add_education(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: AddEducationInput,
    ) -> Result<AddEducationPayload, ApiError> {
        let request = request(ctx);
        let me = request.viewer.require()?;
        let mut checks = Checks::default();
        let institution = checks.text("institution", &input.institution, 200, true);
        let degree = checks.optional_text("degree", input.degree.as_deref(), 200);
        let field = checks.optional_text("fieldOfStudy", input.field_of_study.as_deref(), 200);
        let grade = checks.optional_text("grade", input.grade.as_deref(), 100);
        let description = checks.optional_text("description", input.description.as_deref(), 10_000);
        let (start, end) = (input.start_date.map(|d| d.0), input.end_date.map(|d| d.0));
        checks.date_order("endDate", start, end);
        let (Some(institution), Some(degree), Some(field), Some(grade), Some(description), true) =
            (institution, degree, field, grade, description, checks.is_ok())
        else {
            return Ok(AddEducationPayload::refused(checks.errors));
        };
        let mut conn = request.db.conn().await?;
        let added = async {
            let position = store::next_position(&mut conn, me.user_id).await?;
            let now = Utc::now();
            let row = diesel::insert_into(educations::table)
                .values((
                    educations::id.eq(Uuid::now_v7()),
                    educations::user_id.eq(me.user_id),
                    educations::institution.eq(institution),
                    educations::degree.eq(degree),
                    educations::field_of_study.eq(field),
                    educations::start_date.eq(start),
                    educations::end_date.eq(end),
                    educations::grade.eq(grade),
                    educations::description.eq(description),
                    educations::position.eq(position),
                    educations::created_at.eq(now),
                    educations::updated_at.eq(now),
                ))
                .returning(EducationRow::as_returning())
                .get_result(&mut conn)
                .await?;
            Ok(row)
        };
        respond(added.await)
    }

    /// Changes one of the signed-in user's education entries.
    async fn update_education(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateEducationInput,
    ) -> Result<UpdateEducationPayload, ApiError> {
        let request = request(ctx);
        let me = request.viewer.require()?;
        let id = ids::decode_as(&input.id, Education::TYPE_NAME)?;
        let mut checks = Checks::default();
        let changes = EducationChanges {
            institution: input.institution.as_deref().and_then(|text| checks.text("institution", text, 200, true)),
            degree: checks.change_text("degree", input.degree, 200),
            field_of_study: checks.change_text("fieldOfStudy", input.field_of_study, 200),
            start_date: change(input.start_date, |date| date.0),
            end_date: change(input.end_date, |date| date.0),
            grade: checks.change_text("grade", input.grade, 100),
            description: checks.change_text("description", input.description, 10_000),
        };
        let mut conn = request.db.conn().await?;
        let Some(current) = store::owned(&mut conn, me.user_id, id).await? else {
            return Err(ids::not_found(&input.id));
        };
        checks.date_order(
            "endDate",
            after(changes.start_date, current.start_date),
            after(changes.end_date, current.end_date),
        );
        if !checks.is_ok() {
            return Ok(UpdateEducationPayload::refused(checks.errors));
        }
        let row = diesel::update(educations::table.find(current.id))
            .set((&changes, educations::updated_at.eq(Utc::now())))
            .returning(EducationRow::as_returning())
            .get_result(&mut conn)
            .await?;
        Ok(UpdateEducationPayload::saved(row))
    }
}

profile_section! {
    table: educations,
    label: "educations",
    row: EducationRow,
    node: Education,
    payloads: (AddEducationPayload, UpdateEducationPayload, education),
    by_user: EducationsByUser,
    by_id: EducationById,
    store: store,
    mutations: EducationOrderMutations,
    delete: ("deleteEducation", DeleteEducationInput, DeleteEducationPayload, "Removes one of the signed-in user's education entries."),
    reorder: ("reorderEducations", ReorderEducationsInput, ReorderEducationsPayload, "educations", "Puts the signed-in user's education entries in a new order."),
}
