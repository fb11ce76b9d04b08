//! Outgoing mail through an outbox: mails are rows of `email_outbox`, written
//! in the same transaction as whatever they announce, and a [`Mailer`]
//! delivers them afterwards. A real SMTP or API mailer plugs in by
//! implementing [`Mailer`]; [`LoggingMailer`] is the default.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::Pool;
use crate::db::tables::email_outbox;

/// What a mail is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    EmailVerification,
    PasswordReset,
    PasswordChanged,
}

impl MailKind {
    fn as_db(self) -> &'static str {
        match self {
            Self::EmailVerification => "EMAIL_VERIFICATION",
            Self::PasswordReset => "PASSWORD_RESET",
            Self::PasswordChanged => "PASSWORD_CHANGED",
        }
    }
}

/// A mail to queue.
pub struct NewMail<'a> {
    pub user_id: Uuid,
    pub to: &'a str,
    pub kind: MailKind,
    pub subject: &'a str,
    pub body: String,
}

/// Queues a mail; call it inside the transaction that makes it true.
pub async fn enqueue(conn: &mut AsyncPgConnection, mail: NewMail<'_>) -> Result<(), diesel::result::Error> {
    let now = Utc::now();
    diesel::insert_into(email_outbox::table)
        .values((
            email_outbox::id.eq(Uuid::now_v7()),
            email_outbox::user_id.eq(mail.user_id),
            email_outbox::to_address.eq(mail.to),
            email_outbox::kind.eq(mail.kind.as_db()),
            email_outbox::subject.eq(mail.subject),
            email_outbox::body.eq(&mail.body),
            email_outbox::created_at.eq(now),
            email_outbox::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A queued mail, as a mailer receives it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = email_outbox, check_for_backend(diesel::pg::Pg))]
pub struct OutboxMail {
    pub id: Uuid,
    pub to_address: String,
    pub kind: String,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// Delivers mail. Implement it for SMTP or a mail API.
pub trait Mailer: Send + Sync + 'static {
    fn send(&self, mail: &OutboxMail) -> impl Future<Output = Result<(), String>> + Send;
}

/// Writes mails to the log instead of sending them. The body carries
/// one-time tokens, so it is logged only at DEBUG (never at INFO).
pub struct LoggingMailer;

impl Mailer for LoggingMailer {
    async fn send(&self, mail: &OutboxMail) -> Result<(), String> {
        tracing::info!(to = %mail.to_address, kind = %mail.kind, subject = %mail.subject, "mail delivered to the log");
        tracing::debug!(to = %mail.to_address, body = %mail.body, "mail body");
        Ok(())
    }
}

/// A mail that failed this often is left for an operator to look at.
pub const MAX_ATTEMPTS: i32 = 10;

/// Sends up to `batch` unsent mails, oldest first; returns how many were
/// sent. Rows are locked with SKIP LOCKED, so several drainers (replicas)
/// never send one mail twice.
pub async fn drain_once(pool: &Pool, mailer: &impl Mailer, batch: i64) -> Result<usize, String> {
    let mut conn = pool.get().await.map_err(|err| err.to_string())?;
    conn.transaction(async |conn| {
        let mails: Vec<OutboxMail> = email_outbox::table
            .filter(email_outbox::sent_at.is_null())
            .filter(email_outbox::attempts.lt(MAX_ATTEMPTS))
            .order((email_outbox::created_at, email_outbox::id))
            .limit(batch)
            .for_update()
            .skip_locked()
            .select(OutboxMail::as_select())
            .load(conn)
            .await?;
        let mut sent = 0;
        for mail in &mails {
            let outcome = mailer.send(mail).await;
            let update = diesel::update(email_outbox::table.find(mail.id));
            match outcome {
                Ok(()) => {
                    sent += 1;
                    update
                        .set((
                            email_outbox::sent_at.eq(Utc::now()),
                            email_outbox::attempts.eq(email_outbox::attempts + 1),
                        ))
                        .execute(conn)
                        .await?;
                }
                Err(error) => {
                    tracing::warn!(mail_id = %mail.id, error, "mail delivery failed; will retry");
                    update
                        .set((
                            email_outbox::last_error.eq(error),
                            email_outbox::attempts.eq(email_outbox::attempts + 1),
                        ))
                        .execute(conn)
                        .await?;
                }
            }
        }
        Ok::<_, diesel::result::Error>(sent)
    })
    .await
    .map_err(|err| err.to_string())
}

/// Drains the outbox every `interval` until the process ends.
pub fn spawn_drainer(pool: Pool, mailer: Arc<impl Mailer>, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(interval);
        loop {
            ticker.tick().await;
            if let Err(error) = drain_once(&pool, mailer.as_ref(), 50).await {
                tracing::warn!(error, "draining the mail outbox failed");
            }
        }
    })
}
