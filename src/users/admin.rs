//! Making admin accounts, which nobody can register for: the operator runs
//! `careergraph admin create --email …` and types the password.

use chrono::Utc;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::{check_email, normalize_email};
use crate::auth::{Role, password};
use crate::db::tables::users;

/// Creates an admin account with a verified email; returns its id, or why
/// it was refused.
pub async fn create_admin(
    conn: &mut AsyncPgConnection,
    email: &str,
    full_name: &str,
    new_password: &str,
) -> Result<Uuid, String> {
    let email = normalize_email(email);
    check_email(&email).map_err(str::to_owned)?;
    password::check_new(new_password)?;
    let full_name = full_name.trim();
    if full_name.is_empty() || full_name.chars().count() > 200 {
        return Err("the full name must be 1 to 200 characters".to_owned());
    }
    let hash = password::hash(new_password).await;
    let now = Utc::now();
    let id = Uuid::now_v7();
    let inserted = diesel::insert_into(users::table)
        .values((
            users::id.eq(id),
            users::email.eq(&email),
            users::password_hash.eq(&hash),
            users::full_name.eq(full_name),
            users::role.eq(Role::Admin.as_db()),
            users::email_verified_at.eq(now),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(conn)
        .await;
    match inserted {
        Ok(_) => Ok(id),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            Err(format!("an account with the email {email} already exists"))
        }
        Err(err) => Err(format!("could not create the account: {err}")),
    }
}
