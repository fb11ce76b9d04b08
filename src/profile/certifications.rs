//! Certifications: name, issuer, validity and credential.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};

use super::section::{profile_section, section_item};
use crate::context::request;
use crate::db::tables::certifications;
use crate::graphql::scalars::Date;
use crate::graphql::validate::{Checks, after, change};
use crate::graphql::{ApiError, Payload, ids, respond};

section_item! {
    /// A certification on the master profile, e.g. "AWS Solutions Architect".
    Certification(CertificationRow, NewCertification, CertificationChanges) in certifications {
        id: "Globally unique, opaque identifier; `node(id:)` fetches it again.",
        /// The certification's name.
        name: String => text,
        /// Who issued it.
        issuer: Option<String> => optional_text,
        /// When it was issued.
        issued_on: Option<NaiveDate> => optional_date,
        /// When it expires; null when it does not.
        expires_on: Option<NaiveDate> => optional_date,
        /// The credential's identifier at the issuer.
        credential_id: Option<String> => optional_text,
        /// Where the credential can be checked.
        credential_url: Option<String> => optional_text,
    }
    position: "Place in the profile's order of certifications, from 0.",
    created_at: "When it was added.",
    updated_at: "When it last changed.",
}

/// A certification to add (at the end).
#[derive(InputObject)]
pub struct AddCertificationInput {
    /// The certification's name (1–200 characters).
    pub name: String,
    /// Who issued it (at most 200 characters).
    pub issuer: Option<String>,
    /// When it was issued.
    pub issued_on: Option<Date>,
    /// When it expires; not before `issuedOn`.
    pub expires_on: Option<Date>,
    /// The credential's identifier (at most 200 characters).
    pub credential_id: Option<String>,
    /// Where it can be checked: an http or https URL.
    pub credential_url: Option<String>,
}

/// Changes to one certification. Omitted fields stay; `null` clears an
/// optional one.
#[derive(InputObject)]
pub struct UpdateCertificationInput {
    /// The certification to change.
    pub id: ID,
    /// A new name (1–200 characters).
    pub name: Option<String>,
    /// A new issuer.
    pub issuer: MaybeUndefined<String>,
    /// A new issue date.
    pub issued_on: MaybeUndefined<Date>,
    /// A new expiry date; not before the issue date.
    pub expires_on: MaybeUndefined<Date>,
    /// A new credential identifier.
    pub credential_id: MaybeUndefined<String>,
    /// A new credential URL.
    pub credential_url: MaybeUndefined<String>,
}

/// Adding and changing certifications.
#[derive(Default)]
pub struct CertificationMutations;

#[Object]
impl CertificationMutations {
    /// Adds a certification to the end of the signed-in user's list.
    async fn add_certification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: AddCertificationInput,
    ) -> Result<AddCertificationPayload, ApiError> {
        let request = request(ctx);
        let me = request.viewer.require()?;
        let mut checks = Checks::default();
        let name = checks.text("name", &input.name, 200, true);
        let issuer = checks.optional_text("issuer", input.issuer.as_deref(), 200);
        let credential_id = checks.optional_text("credentialId", input.credential_id.as_deref(), 200);
        let credential_url = input.credential_url.as_deref().map(|url| checks.url(&["input", "credentialUrl"], url));
        let (issued, expires) = (input.issued_on.map(|d| d.0), input.expires_on.map(|d| d.0));
        checks.date_order("expiresOn", issued, expires);
        let (Some(name), Some(issuer), Some(credential_id), true) = (name, issuer, credential_id, checks.is_ok())
        else {
            return Ok(AddCertificationPayload::refused(checks.errors));
        };
        let mut conn = request.db.conn().await?;
        let new = NewCertification {
            name,
            issuer,
            issued_on: issued,
            expires_on: expires,
            credential_id,
            credential_url: credential_url.flatten(),
        };
        respond(store::append(&mut conn, me.user_id, &new).await)
    }

    /// Changes one of the signed-in user's certifications.
    async fn update_certification(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: UpdateCertificationInput,
    ) -> Result<UpdateCertificationPayload, ApiError> {
        let request = request(ctx);
        let me = request.viewer.require()?;
        let id = ids::decode_as(&input.id, Certification::TYPE_NAME)?;
        let mut checks = Checks::default();
        let credential_url =
            change(input.credential_url, |url| checks.url(&["input", "credentialUrl"], &url)).map(Option::flatten);
        let changes = CertificationChanges {
            name: input.name.as_deref().and_then(|text| checks.text("name", text, 200, true)),
            issuer: checks.change_text("issuer", input.issuer, 200),
            issued_on: change(input.issued_on, |date| date.0),
            expires_on: change(input.expires_on, |date| date.0),
            credential_id: checks.change_text("credentialId", input.credential_id, 200),
            credential_url,
        };
        let mut conn = request.db.conn().await?;
        let Some(current) = store::owned(&mut conn, me.user_id, id).await? else {
            return Err(ids::not_found(&input.id));
        };
        checks.date_order(
            "expiresOn",
            after(changes.issued_on, current.issued_on),
            after(changes.expires_on, current.expires_on),
        );
        if !checks.is_ok() {
            return Ok(UpdateCertificationPayload::refused(checks.errors));
        }
        let row = store::update(&mut conn, current.id, &changes).await?;
        Ok(UpdateCertificationPayload::saved(row))
    }
}

profile_section! {
    table: certifications,
    label: "certifications",
    row: CertificationRow,
    node: Certification,
    new: NewCertification,
    changes: CertificationChanges,
    payloads: (AddCertificationPayload, UpdateCertificationPayload, certification),
    by_user: CertificationsByUser,
    by_id: CertificationById,
    store: store,
    mutations: CertificationOrderMutations,
    delete: ("deleteCertification", DeleteCertificationInput, DeleteCertificationPayload, "Removes one of the signed-in user's certifications."),
    reorder: ("reorderCertifications", ReorderCertificationsInput, ReorderCertificationsPayload, "certifications", "Puts the signed-in user's certifications in a new order."),
}
