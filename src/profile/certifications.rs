//! Certifications: name, issuer, validity and credential.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use chrono::{DateTime as ChronoDateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::section::profile_section;
use crate::context::request;
use crate::db::tables::certifications;
use crate::graphql::scalars::{Date, DateTime};
use crate::graphql::validate::{Checks, after, change};
use crate::graphql::{ApiError, Payload, ids, respond};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = certifications, check_for_backend(diesel::pg::Pg))]
pub struct CertificationRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub credential_id: Option<String>,
    pub credential_url: Option<String>,
    pub position: i32,
    pub created_at: ChronoDateTime<Utc>,
    pub updated_at: ChronoDateTime<Utc>,
}

/// A certification on a profile.
pub struct Certification(pub CertificationRow);

impl Certification {
    pub const TYPE_NAME: &'static str = "Certification";
}

/// A certification on the master profile, e.g. "AWS Solutions Architect".
#[Object]
impl Certification {
    /// Globally unique, opaque identifier; `node(id:)` fetches it again.
    pub async fn id(&self) -> ID {
        ids::encode(Self::TYPE_NAME, self.0.id)
    }

    /// The certification's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Who issued it.
    async fn issuer(&self) -> Option<&str> {
        self.0.issuer.as_deref()
    }

    /// When it was issued.
    async fn issued_on(&self) -> Option<Date> {
        self.0.issued_on.map(Date)
    }

    /// When it expires; null when it does not.
    async fn expires_on(&self) -> Option<Date> {
        self.0.expires_on.map(Date)
    }

    /// The credential's identifier at the issuer.
    async fn credential_id(&self) -> Option<&str> {
        self.0.credential_id.as_deref()
    }

    /// Where the credential can be checked.
    async fn credential_url(&self) -> Option<&str> {
        self.0.credential_url.as_deref()
    }

    /// Place in the profile's order of certifications, from 0.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// When it was added.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
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

#[derive(AsChangeset, Default)]
#[diesel(table_name = certifications)]
struct CertificationChanges {
    name: Option<String>,
    issuer: Option<Option<String>>,
    issued_on: Option<Option<NaiveDate>>,
    expires_on: Option<Option<NaiveDate>>,
    credential_id: Option<Option<String>>,
    credential_url: Option<Option<String>>,
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
        let added = async {
            let position = store::next_position(&mut conn, me.user_id).await?;
            let now = Utc::now();
            let row = diesel::insert_into(certifications::table)
                .values((
                    certifications::id.eq(Uuid::now_v7()),
                    certifications::user_id.eq(me.user_id),
                    certifications::name.eq(name),
                    certifications::issuer.eq(issuer),
                    certifications::issued_on.eq(issued),
                    certifications::expires_on.eq(expires),
                    certifications::credential_id.eq(credential_id),
                    certifications::credential_url.eq(credential_url.flatten()),
                    certifications::position.eq(position),
                    certifications::created_at.eq(now),
                    certifications::updated_at.eq(now),
                ))
                .returning(CertificationRow::as_returning())
                .get_result(&mut conn)
                .await?;
            Ok(row)
        };
        respond(added.await)
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
        let row = diesel::update(certifications::table.find(current.id))
            .set((&changes, certifications::updated_at.eq(Utc::now())))
            .returning(CertificationRow::as_returning())
            .get_result(&mut conn)
            .await?;
        Ok(UpdateCertificationPayload::saved(row))
    }
}

profile_section! {
    table: certifications,
    label: "certifications",
    row: CertificationRow,
    node: Certification,
    payloads: (AddCertificationPayload, UpdateCertificationPayload, certification),
    by_user: CertificationsByUser,
    by_id: CertificationById,
    store: store,
    mutations: CertificationOrderMutations,
    delete: ("deleteCertification", DeleteCertificationInput, DeleteCertificationPayload, "Removes one of the signed-in user's certifications."),
    reorder: ("reorderCertifications", ReorderCertificationsInput, ReorderCertificationsPayload, "certifications", "Puts the signed-in user's certifications in a new order."),
}
