//! Certifications: name, issuer, validity and credential.

use super::fields::{OptionalDate, OptionalText, Text, WebUrl};
use super::section::profile_section;
use crate::db::tables::certifications;

profile_section! {
    /// A certification on the master profile, e.g. "AWS Solutions Architect".
    Certification(certification) in certifications as "certifications", dates issued_on .. expires_on {
        /// The certification's name.
        name: Text<200> ["The certification's name (1–200 characters).", "A new name (1–200 characters)."],
        /// Who issued it.
        issuer: OptionalText<200> ["Who issued it (at most 200 characters).", "A new issuer."],
        /// When it was issued.
        issued_on: OptionalDate ["When it was issued.", "A new issue date."],
        /// When it expires; null when it does not.
        expires_on: OptionalDate ["When it expires; not before `issuedOn`.", "A new expiry date; not before the issue date."],
        /// The credential's identifier at the issuer.
        credential_id: OptionalText<200> ["The credential's identifier (at most 200 characters).", "A new credential identifier."],
        /// Where the credential can be checked.
        credential_url: WebUrl ["Where it can be checked: an http or https URL.", "A new credential URL."],
    }
    id: "Globally unique, opaque identifier; `node(id:)` fetches it again.", position: "Place in the profile's order of certifications, from 0.", created_at: "When it was added.", updated_at: "When it last changed.";
    /// Adds a certification to the end of the signed-in user's list.
    add_certification: "A certification to add (at the end).";
    /// Changes one of the signed-in user's certifications.
    update_certification: "Changes to one certification. Omitted fields stay; `null` clears an\noptional one.", id "The certification to change.";
    /// Removes one of the signed-in user's certifications.
    /// Puts the signed-in user's certifications in a new order.
    delete_certification, reorder_certifications;
}
