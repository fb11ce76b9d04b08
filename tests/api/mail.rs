//! The outbox: mails are delivered oldest first, exactly once, and a failed
//! delivery is retried with its error recorded.

use crate::common;

use std::sync::Mutex;

use careergraph::db;
use careergraph::mail::{self, MailKind, Mailer, NewMail, OutboxMail};
use common::TestDb;
use diesel::QueryableByName;
use diesel::sql_types::{Integer, Nullable, Text};
use diesel_async::RunQueryDsl;

struct Recording(Mutex<Vec<String>>);

impl Mailer for Recording {
    async fn send(&self, mail: &OutboxMail) -> Result<(), String> {
        self.0.lock().unwrap().push(mail.subject.clone());
        Ok(())
    }
}

struct Failing;

impl Mailer for Failing {
    async fn send(&self, _mail: &OutboxMail) -> Result<(), String> {
        Err("smtp: connection refused".to_owned())
    }
}

#[derive(QueryableByName)]
struct State {
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Nullable<Text>)]
    last_error: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    sent: bool,
}

#[tokio::test]
async fn outbox_delivers_in_order_once_and_retries_failures() {
    let db = TestDb::migrated().await;
    let mut conn = db.connect().await;
    diesel::sql_query(
        "INSERT INTO users (id, email, password_hash, full_name)
         VALUES ('00000000-0000-7000-8000-000000000001', 'mail@example.com', 'x', 'Mail')",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let user = uuid::Uuid::parse_str("00000000-0000-7000-8000-000000000001").unwrap();
    for subject in ["first", "second", "third"] {
        let mail = NewMail {
            user_id: user,
            to: "mail@example.com",
            kind: MailKind::PasswordChanged,
            subject,
            body: "hi".into(),
        };
        mail::enqueue(&mut conn, mail).await.unwrap();
    }
    let pool = db::build_pool(&db.url, 2).unwrap();

    assert_eq!(mail::drain_once(&pool, &Failing, 10).await.unwrap(), 0);
    let states: Vec<State> = diesel::sql_query(
        "SELECT attempts, last_error, sent_at IS NOT NULL AS sent FROM email_outbox ORDER BY created_at",
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert!(
        states
            .iter()
            .all(|s| s.attempts == 1 && !s.sent && s.last_error.as_deref() == Some("smtp: connection refused"))
    );

    let recording = Recording(Mutex::new(Vec::new()));
    assert_eq!(mail::drain_once(&pool, &recording, 2).await.unwrap(), 2);
    assert_eq!(mail::drain_once(&pool, &recording, 10).await.unwrap(), 1);
    assert_eq!(mail::drain_once(&pool, &recording, 10).await.unwrap(), 0, "nothing is sent twice");
    assert_eq!(*recording.0.lock().unwrap(), ["first", "second", "third"]);
}
