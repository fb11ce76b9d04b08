//! Account mutations: registration, sessions, email verification, password
//! reset and change, account deletion.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::graphql::User;
use super::one_time::{self, Purpose};
use super::sessions::{self, Refresh};
use super::{UserRow, check_email, credentials_by_email, credentials_by_id, normalize_email};
use crate::auth::{Role, password, rate_limit};
use crate::context::{RequestContext, request};
use crate::db::tables::users;
use crate::graphql::scalars::DateTime;
use crate::graphql::validate::Checks;
use crate::graphql::{ApiError, ErrorCode, UserError, UserErrorCode, ids};
use crate::mail::{self, MailKind, NewMail};

/// A new account.
#[derive(InputObject)]
pub struct RegisterInput {
    /// The email address to sign in with; unique, compared case-insensitively.
    pub email: String,
    /// At least 10 and at most 256 characters.
    pub password: String,
    /// The name to go by (1–200 characters).
    pub full_name: String,
    /// CANDIDATE (the default) or RECRUITER. ADMIN accounts are made with
    /// `careergraph admin create`.
    #[graphql(default_with = "Role::Candidate")]
    pub role: Role,
}

/// Credentials to sign in with.
#[derive(InputObject)]
pub struct LoginInput {
    /// The account's email address (any case).
    pub email: String,
    /// The account's password.
    pub password: String,
}

/// A refresh token to exchange for a new session pair.
#[derive(InputObject)]
pub struct RefreshSessionInput {
    /// The refresh token from the last `AuthPayload`; it is used up by this call.
    pub refresh_token: String,
}

/// A token from a verification mail.
#[derive(InputObject)]
pub struct VerifyEmailInput {
    /// The token the verification mail carried.
    pub token: String,
}

/// Where to send a password-reset mail.
#[derive(InputObject)]
pub struct RequestPasswordResetInput {
    /// The account's email address.
    pub email: String,
}

/// A reset token and the new password.
#[derive(InputObject)]
pub struct ResetPasswordInput {
    /// The token the password-reset mail carried.
    pub token: String,
    /// The new password (10–256 characters).
    pub new_password: String,
}

/// The current password and the new one.
#[derive(InputObject)]
pub struct ChangePasswordInput {
    /// The password in use now.
    pub current_password: String,
    /// The new password (10–256 characters).
    pub new_password: String,
}

/// Confirmation for deleting the signed-in account.
#[derive(InputObject)]
pub struct DeleteAccountInput {
    /// The account's password.
    pub password: String,
}

/// A session: tokens to call the API with, or the reasons none were issued.
#[derive(SimpleObject, Default)]
pub struct AuthPayload {
    /// A JWT to send as `Authorization: Bearer <token>`; valid for 15 minutes.
    pub access_token: Option<String>,
    /// An opaque token for `refreshSession`; valid for 30 days and usable once.
    pub refresh_token: Option<String>,
    /// When `accessToken` expires.
    pub access_token_expires_at: Option<DateTime>,
    /// The signed-in user.
    pub user: Option<User>,
    /// Why no session was started, when the input was refused.
    pub user_errors: Vec<UserError>,
}

impl AuthPayload {
    fn refused(user_errors: Vec<UserError>) -> Self {
        Self { user_errors, ..Self::default() }
    }
}

/// The result of `logout`.
#[derive(SimpleObject)]
pub struct LogoutPayload {
    /// How many sessions ended (0 when this one had already ended).
    pub revoked_sessions: i32,
    /// Always empty: signing out cannot be refused.
    pub user_errors: Vec<UserError>,
}

/// The result of `logoutEverywhere`.
#[derive(SimpleObject)]
pub struct LogoutEverywherePayload {
    /// How many sessions ended.
    pub revoked_sessions: i32,
    /// Always empty: signing out cannot be refused.
    pub user_errors: Vec<UserError>,
}

/// The result of `requestEmailVerification`.
#[derive(SimpleObject)]
pub struct RequestEmailVerificationPayload {
    /// Whether a verification mail was queued.
    pub sent: bool,
    /// Why no mail was sent, e.g. the address is already verified.
    pub user_errors: Vec<UserError>,
}

/// The result of `verifyEmail`.
#[derive(SimpleObject)]
pub struct VerifyEmailPayload {
    /// Whether the address is now verified.
    pub verified: bool,
    /// Why the token was refused.
    pub user_errors: Vec<UserError>,
}

/// The result of `requestPasswordReset`: the same whether or not an account
/// has that address, so it reveals nothing.
#[derive(SimpleObject)]
pub struct RequestPasswordResetPayload {
    /// Problems with the input itself (a malformed address).
    pub user_errors: Vec<UserError>,
}

/// The result of `resetPassword`.
#[derive(SimpleObject)]
pub struct ResetPasswordPayload {
    /// Whether the password was changed; every session has then ended.
    pub password_reset: bool,
    /// Why the reset was refused.
    pub user_errors: Vec<UserError>,
}

/// The result of `changePassword`.
#[derive(SimpleObject)]
pub struct ChangePasswordPayload {
    /// Whether the password was changed; every other session has then ended.
    pub password_changed: bool,
    /// Why the change was refused.
    pub user_errors: Vec<UserError>,
}

/// The result of `deleteAccount`.
#[derive(SimpleObject)]
pub struct DeleteAccountPayload {
    /// The id of the deleted account, when it was deleted.
    pub deleted_user_id: Option<ID>,
    /// Why the account was not deleted.
    pub user_errors: Vec<UserError>,
}

/// Account and session mutations.
#[derive(Default)]
pub struct AccountMutations;

#[Object]
impl AccountMutations {
    /// Creates an account and signs it in. A verification mail is queued.
    async fn register(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RegisterInput,
    ) -> Result<AuthPayload, ApiError> {
        let request = request(ctx);
        // Counted before the password is hashed: the hash is the costly part.
        let limit = request.auth.limits.registrations_per_address;
        limit.acquire(&mut *request.db.conn().await?, &request.client_address.to_string()).await?;
        let email = normalize_email(&input.email);
        let mut checks = Checks::default();
        if let Err(message) = check_email(&email) {
            checks.fail(&["input", "email"], UserErrorCode::Invalid, message);
        }
        checks.errors.extend(password_problem("password", &input.password));
        let full_name = checks.text("fullName", &input.full_name, 200, true);
        if input.role == Role::Admin {
            checks.fail(&["input", "role"], UserErrorCode::Invalid, "Admin accounts cannot be self-registered");
        }
        let Some(full_name) = full_name.filter(|_| checks.is_ok()) else {
            return Ok(AuthPayload::refused(checks.errors));
        };
        let password_hash = password::hash(&input.password).await;
        let mut conn = request.db.conn().await?;
        let user_agent = request.user_agent.clone();
        let created = conn
            .transaction(async |conn| {
                let now = Utc::now();
                let row: UserRow = diesel::insert_into(users::table)
                    .values((
                        users::id.eq(Uuid::now_v7()),
                        users::email.eq(&email),
                        users::password_hash.eq(&password_hash),
                        users::full_name.eq(&full_name),
                        users::role.eq(input.role.as_db()),
                        users::created_at.eq(now),
                        users::updated_at.eq(now),
                    ))
                    .returning(UserRow::as_returning())
                    .get_result(conn)
                    .await?;
                queue_verification_mail(conn, &row).await?;
                let session = sessions::start(conn, row.id, user_agent.as_deref()).await?;
                Ok::<_, DieselError>((row, session))
            })
            .await;
        let (row, session) = match created {
            Ok(created) => created,
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                return Ok(AuthPayload::refused(vec![UserError::new(
                    &["input", "email"],
                    UserErrorCode::Taken,
                    "An account with this email already exists",
                )]));
            }
            Err(err) => return Err(err.into()),
        };
        tracing::info!(user_id = %row.id, role = row.role, "account registered");
        Ok(signed_in(request, row, session))
    }

    /// Signs in with email and password. Too many failures for one address
    /// or from one client answer RATE_LIMITED without checking the password.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: LoginInput,
    ) -> Result<AuthPayload, ApiError> {
        let request = request(ctx);
        let limits = &request.auth.limits;
        let email = normalize_email(&input.email);
        let address = request.client_address.to_string();
        let keys = [(limits.failed_logins_per_email, email.as_str()), (limits.failed_logins_per_address, &address)];
        let mut conn = request.db.conn().await?;
        if rate_limit::any_limited(&mut conn, &keys).await? {
            return Err(rate_limit::limited());
        }
        let credentials = credentials_by_email(&mut conn, &email).await?;
        // Unknown accounts are checked against a dummy hash: same answer, same time.
        let verified = password::verify(&input.password, credentials.as_ref().map(|c| c.password_hash.as_str())).await;
        let Some(credentials) = credentials.filter(|_| verified) else {
            rate_limit::record(&mut conn, &keys).await?;
            return Ok(AuthPayload::refused(vec![UserError::new(
                &["input", "password"],
                UserErrorCode::InvalidCredentials,
                "The email or password is wrong",
            )]));
        };
        limits.failed_logins_per_email.clear(&mut conn, &email).await?;
        let session = sessions::start(&mut conn, credentials.id, request.user_agent.as_deref()).await?;
        let row = users::table.find(credentials.id).select(UserRow::as_select()).first(&mut conn).await?;
        Ok(signed_in(request, row, session))
    }

    /// Exchanges a refresh token for a new access token and refresh token.
    /// A refresh token works once: presenting it again ends its session.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RefreshSessionInput,
    ) -> Result<AuthPayload, ApiError> {
        let request = request(ctx);
        let mut conn = request.db.conn().await?;
        let refused = || {
            ApiError::new(ErrorCode::Unauthenticated, "The refresh token is invalid, expired or revoked: sign in again")
        };
        let session =
            match sessions::rotate(&mut conn, input.refresh_token.trim(), request.user_agent.as_deref()).await? {
                Refresh::Rotated(session) => session,
                Refresh::Reused | Refresh::Invalid => return Err(refused()),
            };
        let row = users::table
            .find(session.user_id)
            .filter(users::deleted_at.is_null())
            .select(UserRow::as_select())
            .first(&mut conn)
            .await
            .optional()?
            .ok_or_else(refused)?;
        Ok(signed_in(request, row, session))
    }

    /// Ends the current session: its refresh token stops working. Access
    /// tokens already issued stay valid until they expire (15 minutes).
    async fn logout(&self, ctx: &Context<'_>) -> Result<LogoutPayload, ApiError> {
        let request = request(ctx);
        let me = request.viewer.require()?;
        let mut conn = request.db.conn().await?;
        let revoked = sessions::revoke_family(&mut conn, me.session_id).await?;
        Ok(LogoutPayload { revoked_sessions: i32::from(revoked > 0), user_errors: Vec::new() })
    }

    /// Ends every session of the signed-in user, on every device.
    async fn logout_everywhere(&self, ctx: &Context<'_>) -> Result<LogoutEverywherePayload, ApiError> {
        let request = request(ctx);
        let me = request.viewer.require()?;
        let mut conn = request.db.conn().await?;
        let revoked = sessions::revoke_all(&mut conn, me.user_id, None).await?;
        Ok(LogoutEverywherePayload { revoked_sessions: count(revoked), user_errors: Vec::new() })
    }

    /// Queues a new verification mail for the signed-in user's address.
    async fn request_email_verification(&self, ctx: &Context<'_>) -> Result<RequestEmailVerificationPayload, ApiError> {
        let request = request(ctx);
        let me = request.viewer.require()?;
        let mut conn = request.db.conn().await?;
        request.auth.limits.mail_requests_per_address.acquire(&mut conn, &request.client_address.to_string()).await?;
        let row = users::table.find(me.user_id).select(UserRow::as_select()).first(&mut conn).await?;
        if row.email_verified_at.is_some() {
            return Ok(RequestEmailVerificationPayload {
                sent: false,
                user_errors: vec![UserError::new(
                    &[],
                    UserErrorCode::AlreadyVerified,
                    "Your email address is already verified",
                )],
            });
        }
        conn.transaction(async |conn| queue_verification_mail(conn, &row).await).await?;
        Ok(RequestEmailVerificationPayload { sent: true, user_errors: Vec::new() })
    }

    /// Marks an email address verified with the token its mail carried.
    async fn verify_email(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: VerifyEmailInput,
    ) -> Result<VerifyEmailPayload, ApiError> {
        let request = request(ctx);
        let mut conn = request.db.conn().await?;
        let verified = conn
            .transaction(async |conn| {
                let Some(user_id) = one_time::consume(conn, input.token.trim(), Purpose::EmailVerification).await?
                else {
                    return Ok::<_, DieselError>(false);
                };
                let updated = diesel::update(users::table.find(user_id))
                    .filter(users::deleted_at.is_null())
                    .set((users::email_verified_at.eq(Utc::now()), users::updated_at.eq(Utc::now())))
                    .execute(conn)
                    .await?;
                Ok(updated == 1)
            })
            .await?;
        let user_errors = if verified { Vec::new() } else { vec![invalid_token()] };
        Ok(VerifyEmailPayload { verified, user_errors })
    }

    /// Queues a password-reset mail if an account has this address. The
    /// answer is the same either way.
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: RequestPasswordResetInput,
    ) -> Result<RequestPasswordResetPayload, ApiError> {
        let request = request(ctx);
        let mut conn = request.db.conn().await?;
        request.auth.limits.mail_requests_per_address.acquire(&mut conn, &request.client_address.to_string()).await?;
        let email = normalize_email(&input.email);
        if let Err(message) = check_email(&email) {
            return Ok(RequestPasswordResetPayload {
                user_errors: vec![UserError::new(&["input", "email"], UserErrorCode::Invalid, message)],
            });
        }
        conn.transaction(async |conn| {
            let Some(account) = credentials_by_email(conn, &email).await? else { return Ok(()) };
            let token = one_time::create(conn, account.id, Purpose::PasswordReset).await?;
            let body = format!(
                "Someone asked to reset the password of your careergraph account.\n\n\
                 Reset token: {token}\n\n\
                 Use it with the resetPassword mutation within {} minutes. If this was not you, ignore this mail.",
                Purpose::PasswordReset.lifetime().num_minutes()
            );
            let mail = NewMail {
                user_id: account.id,
                to: &email,
                kind: MailKind::PasswordReset,
                subject: "Reset your careergraph password",
                body,
            };
            mail::enqueue(conn, mail).await
        })
        .await?;
        Ok(RequestPasswordResetPayload { user_errors: Vec::new() })
    }

    /// Sets a new password with the token of a reset mail, and ends every
    /// session of the account.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ResetPasswordInput,
    ) -> Result<ResetPasswordPayload, ApiError> {
        let request = request(ctx);
        if let Some(problem) = password_problem("newPassword", &input.new_password) {
            return Ok(ResetPasswordPayload { password_reset: false, user_errors: vec![problem] });
        }
        let password_hash = password::hash(&input.new_password).await;
        let mut conn = request.db.conn().await?;
        let reset = conn
            .transaction(async |conn| {
                let Some(user_id) = one_time::consume(conn, input.token.trim(), Purpose::PasswordReset).await? else {
                    return Ok::<_, DieselError>(false);
                };
                if !set_password(conn, user_id, &password_hash).await? {
                    return Ok(false);
                }
                sessions::revoke_all(conn, user_id, None).await?;
                Ok(true)
            })
            .await?;
        let user_errors = if reset { Vec::new() } else { vec![invalid_token()] };
        Ok(ResetPasswordPayload { password_reset: reset, user_errors })
    }

    /// Changes the signed-in user's password; every other session ends.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: ChangePasswordInput,
    ) -> Result<ChangePasswordPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut conn = request.db.conn().await?;
        if !confirm_password(&mut conn, me.user_id, &input.current_password).await? {
            return Ok(ChangePasswordPayload {
                password_changed: false,
                user_errors: vec![incorrect_password("currentPassword")],
            });
        }
        if let Some(problem) = password_problem("newPassword", &input.new_password) {
            return Ok(ChangePasswordPayload { password_changed: false, user_errors: vec![problem] });
        }
        let password_hash = password::hash(&input.new_password).await;
        conn.transaction(async |conn| {
            set_password(conn, me.user_id, &password_hash).await?;
            sessions::revoke_all(conn, me.user_id, Some(me.session_id)).await
        })
        .await?;
        Ok(ChangePasswordPayload { password_changed: true, user_errors: Vec::new() })
    }

    /// Deletes the signed-in account after confirming its password. It can
    /// no longer sign in, every session ends, and its email address may be
    /// used for a new account.
    async fn delete_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mutation's input.")] input: DeleteAccountInput,
    ) -> Result<DeleteAccountPayload, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let mut conn = request.db.conn().await?;
        if !confirm_password(&mut conn, me.user_id, &input.password).await? {
            return Ok(DeleteAccountPayload {
                deleted_user_id: None,
                user_errors: vec![incorrect_password("password")],
            });
        }
        conn.transaction(async |conn| {
            diesel::update(users::table.find(me.user_id))
                .set((users::deleted_at.eq(Utc::now()), users::updated_at.eq(Utc::now())))
                .execute(conn)
                .await?;
            sessions::revoke_all(conn, me.user_id, None).await
        })
        .await?;
        tracing::info!(user_id = %me.user_id, "account deleted");
        Ok(DeleteAccountPayload {
            deleted_user_id: Some(ids::encode(User::TYPE_NAME, me.user_id)),
            user_errors: Vec::new(),
        })
    }
}

/// The payload of a session just started.
fn signed_in(request: &RequestContext, row: UserRow, session: sessions::Issued) -> AuthPayload {
    let (access_token, expires_at) = request.auth.tokens.issue(row.id, row.role(), session.family_id);
    AuthPayload {
        access_token: Some(access_token),
        refresh_token: Some(session.refresh_token),
        access_token_expires_at: Some(DateTime(expires_at)),
        user: Some(User::own(row)),
        user_errors: Vec::new(),
    }
}

async fn queue_verification_mail(conn: &mut AsyncPgConnection, user: &UserRow) -> Result<(), DieselError> {
    let token = one_time::create(conn, user.id, Purpose::EmailVerification).await?;
    let body = format!(
        "Welcome to careergraph, {}.\n\nVerification token: {token}\n\n\
         Use it with the verifyEmail mutation within {} hours.",
        user.full_name,
        Purpose::EmailVerification.lifetime().num_hours()
    );
    let mail = NewMail {
        user_id: user.id,
        to: &user.email,
        kind: MailKind::EmailVerification,
        subject: "Verify your careergraph email address",
        body,
    };
    mail::enqueue(conn, mail).await
}

/// Stores a new password hash for a live account; false when there is none.
async fn set_password(conn: &mut AsyncPgConnection, user_id: Uuid, hash: &str) -> Result<bool, DieselError> {
    let email: Option<String> = diesel::update(users::table.find(user_id))
        .filter(users::deleted_at.is_null())
        .set((users::password_hash.eq(hash), users::updated_at.eq(Utc::now())))
        .returning(users::email)
        .get_result(conn)
        .await
        .optional()?;
    let Some(email) = email else { return Ok(false) };
    let mail = NewMail {
        user_id,
        to: &email,
        kind: MailKind::PasswordChanged,
        subject: "Your careergraph password was changed",
        body: "The password of your careergraph account was just changed, and your other sessions were ended. \
               If this was not you, reset your password now."
            .to_owned(),
    };
    mail::enqueue(conn, mail).await?;
    Ok(true)
}

async fn confirm_password(conn: &mut AsyncPgConnection, user_id: Uuid, password: &str) -> Result<bool, ApiError> {
    let credentials = credentials_by_id(conn, user_id).await?;
    Ok(password::verify(password, credentials.as_ref().map(|c| c.password_hash.as_str())).await)
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn invalid_token() -> UserError {
    UserError::new(&["input", "token"], UserErrorCode::InvalidToken, "This link is invalid, expired or already used")
}

/// The user error for a password that is too short or too long, if it is.
fn password_problem(field: &str, candidate: &str) -> Option<UserError> {
    let message = password::check_new(candidate).err()?;
    let code =
        if candidate.chars().count() < password::MIN_LENGTH { UserErrorCode::TooShort } else { UserErrorCode::TooLong };
    Some(UserError::new(&["input", field], code, message))
}

fn incorrect_password(field: &str) -> UserError {
    UserError::new(&["input", field], UserErrorCode::IncorrectPassword, "The password is wrong")
}
