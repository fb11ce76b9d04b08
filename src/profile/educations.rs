//! Education: schools, degrees and fields of study.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};

use super::section::{profile_section, section_item};
use crate::context::request;
use crate::db::tables::educations;
use crate::graphql::scalars::Date;
use crate::graphql::validate::{Checks, after, change};
use crate::graphql::{ApiError, Payload, ids, respond};

section_item! {
    /// A school, degree or course on the master profile.
    Education(EducationRow, NewEducation, EducationChanges) in educations {
        id: "Globally unique, opaque identifier; `node(id:)` fetches the entry again.",
        /// The school or institution.
        institution: String => text,
        /// The degree, e.g. "BSc".
        degree: Option<String> => optional_text,
        /// The field of study, e.g. "Computer Science".
        field_of_study: Option<String> => optional_text,
        /// When it started.
        start_date: Option<NaiveDate> => optional_date,
        /// When it ended; null while ongoing.
        end_date: Option<NaiveDate> => optional_date,
        /// The grade or honours.
        grade: Option<String> => optional_text,
        /// Free text about it.
        description: Option<String> => optional_text,
    }
    position: "Place in the profile's order of educations, from 0.",
    created_at: "When the entry was added.",
    updated_at: "When the entry last changed.",
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
        let new = NewEducation {
            institution,
            degree,
            field_of_study: field,
            start_date: start,
            end_date: end,
            grade,
            description,
        };
        respond(store::append(&mut conn, me.user_id, &new).await)
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
        let row = store::update(&mut conn, current.id, &changes).await?;
        Ok(UpdateEducationPayload::saved(row))
    }
}

profile_section! {
    table: educations,
    label: "educations",
    row: EducationRow,
    node: Education,
    new: NewEducation,
    changes: EducationChanges,
    payloads: (AddEducationPayload, UpdateEducationPayload, education),
    by_user: EducationsByUser,
    by_id: EducationById,
    store: store,
    mutations: EducationOrderMutations,
    delete: ("deleteEducation", DeleteEducationInput, DeleteEducationPayload, "Removes one of the signed-in user's education entries."),
    reorder: ("reorderEducations", ReorderEducationsInput, ReorderEducationsPayload, "educations", "Puts the signed-in user's education entries in a new order."),
}
