//! Live events across server processes: each process keeps one connection
//! that LISTENs on the channels the triggers announce new timeline events
//! and ended sessions on, and fans them out to its subscribers through
//! bounded broadcast channels. A subscriber that falls more than
//! [`CAPACITY`] events behind is told so and ended, rather than buffered
//! without bound.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::{FutureExt, StreamExt};
use serde::Deserialize;
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::db::replicas::{Lsn, primary_position, within_sample_timeout};
use crate::db::{Db, Pool, Replicas};

/// The channel `careergraph_announce_application_event` notifies.
pub const CHANNEL: &str = "careergraph_application_events";

/// The channel `careergraph_announce_session_revocation` notifies.
pub const REVOCATIONS: &str = "careergraph_session_revocations";

/// Events held for subscribers that have not read them yet.
pub const CAPACITY: usize = 1024;

/// How many subscriptions are live in this process (`/metrics` reports it).
#[derive(Debug, Clone, Default)]
pub struct SubscriptionGauge(Arc<AtomicI64>);

impl SubscriptionGauge {
    /// Counts one subscription for as long as the returned guard lives.
    pub fn count(&self) -> LiveSubscription {
        self.0.fetch_add(1, Ordering::Relaxed);
        LiveSubscription(self.0.clone())
    }

    /// Live subscriptions now.
    pub fn get(&self) -> i64 {
        AtomicI64::load(&self.0, Ordering::Relaxed)
    }
}

/// One counted subscription; dropping it (the stream ended) uncounts it.
pub struct LiveSubscription(Arc<AtomicI64>);

impl Drop for LiveSubscription {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A new timeline event, as announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct EventNotice {
    pub event: Uuid,
    pub application: Uuid,
    pub job: Uuid,
    /// A WAL position past the event's commit, which a replica must have
    /// replayed to reload it; 0 without replicas.
    #[serde(skip)]
    pub position: Lsn,
}

/// A session that ended (its refresh tokens were revoked), as announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Revocation {
    pub session: Uuid,
    pub user: Uuid,
}

/// How long an announced event waits for a replica to replay it before
/// subscribers reload it from the primary instead. Only a replica that is
/// usable but behind makes anyone wait; one streaming on the same network
/// has an event replayed within a few milliseconds of its commit.
pub const REPLAY_WAIT: Duration = Duration::from_millis(50);

/// The process's feed of announced events and ended sessions.
#[derive(Clone)]
pub struct EventHub {
    sender: broadcast::Sender<EventNotice>,
    revocations: broadcast::Sender<Revocation>,
    /// Where subscribers reload announced events from.
    replicas: Replicas,
}

impl EventHub {
    /// A hub fed by a listener on `database_url`, reconnecting when the
    /// connection drops; subscribers reload events from the primary.
    pub fn listen(database_url: String) -> Self {
        Self::spawn(database_url, None)
    }

    /// [`Self::listen`], with subscribers reloading each event from one of
    /// `replicas` once it has replayed the event (else from the primary),
    /// the event's position read from `primary`'s pool.
    pub fn listen_reading_from(database_url: String, replicas: Replicas, primary: Pool) -> Self {
        Self::spawn(database_url, Some((replicas, primary)))
    }

    fn spawn(database_url: String, reloads: Option<(Replicas, Pool)>) -> Self {
        let mut hub = Self::detached();
        // Without replicas there is no position to wait for.
        let primary = reloads.filter(|(replicas, _)| !replicas.all().is_empty()).map(|(replicas, primary)| {
            hub.replicas = replicas;
            primary
        });
        let feed = hub.clone();
        tokio::spawn(async move {
            loop {
                if let Err(reason) = forward(&database_url, &feed, primary.as_ref()).await {
                    tracing::warn!(%reason, "event listener lost its connection; reconnecting");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        hub
    }

    /// A hub fed by hand (tests of what subscribers do with events), or
    /// not yet listening.
    pub(crate) fn detached() -> Self {
        Self {
            sender: broadcast::channel(CAPACITY).0,
            revocations: broadcast::channel(CAPACITY).0,
            replicas: Replicas::none(),
        }
    }

    /// `db` as a subscriber reloading what `notice` announces reads with:
    /// from a replica that has replayed the event, else from `db` itself.
    pub fn reloading(&self, db: &Db, notice: &EventNotice) -> Db {
        self.replicas.reading(db, notice.position)
    }

    /// Announces `notice` to this process's subscribers only (tests).
    #[cfg(test)]
    pub(crate) fn publish(&self, notice: EventNotice) {
        drop(self.sender.send(notice));
    }

    /// A receiver of every event announced from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<EventNotice> {
        self.sender.subscribe()
    }

    /// A receiver of every session ended from now on.
    pub fn revocations(&self) -> broadcast::Receiver<Revocation> {
        self.revocations.subscribe()
    }
}

/// Most announcements handled as one batch, sharing one WAL position.
const BATCH: usize = 256;

/// Listens until the connection fails. Announcements that arrived together
/// are handled together: ended sessions at once, events once the position
/// past their commits is known (with replicas).
async fn forward(database_url: &str, feed: &EventHub, primary: Option<&Pool>) -> Result<(), String> {
    let mut conn = AsyncPgConnection::establish(database_url).await.map_err(|err| err.to_string())?;
    for channel in [CHANNEL, REVOCATIONS] {
        diesel::sql_query(format!("LISTEN {channel}")).execute(&mut conn).await.map_err(|err| err.to_string())?;
    }
    tracing::debug!("listening for application events and ended sessions");
    let mut notifications = std::pin::pin!(conn.notifications_stream());
    while let Some(first) = notifications.next().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match notifications.next().now_or_never() {
                Some(Some(more)) => batch.push(more),
                _ => break,
            }
        }
        let mut notices = Vec::new();
        for notification in batch {
            let notification = notification.map_err(|err| err.to_string())?;
            // No receivers is fine: nobody is subscribed right now.
            let parsed = if notification.channel == REVOCATIONS {
                serde_json::from_str::<Revocation>(&notification.payload)
                    .map(|ended| drop(feed.revocations.send(ended)))
            } else {
                serde_json::from_str::<EventNotice>(&notification.payload).map(|notice| notices.push(notice))
            };
            if let Err(err) = parsed {
                tracing::warn!(error = %err, channel = notification.channel.as_str(), "an announcement that does not parse");
            }
        }
        if notices.is_empty() {
            continue;
        }
        let position = match primary {
            Some(primary) => reload_position(primary, &feed.replicas).await,
            None => 0,
        };
        for notice in notices {
            drop(feed.sender.send(EventNotice { position, ..notice }));
        }
    }
    Err("the notification stream ended".to_owned())
}

/// The primary's WAL position now, past the commits of the events just
/// announced (a notification is delivered after its commit), once a
/// replica has replayed it or [`REPLAY_WAIT`] has passed. Unknown, it is
/// one no replica reaches: subscribers then reload from the primary.
async fn reload_position(primary: &Pool, replicas: &Replicas) -> Lsn {
    let Ok(position) = within_sample_timeout(primary_position(primary)).await else {
        tracing::warn!("could not read the primary's WAL position: subscribers reload from the primary");
        return Lsn::MAX;
    };
    replicas.await_replayed(position, REPLAY_WAIT).await;
    position
}
