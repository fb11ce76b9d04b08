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
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::sync::broadcast;
use uuid::Uuid;

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
}

/// A session that ended (its refresh tokens were revoked), as announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Revocation {
    pub session: Uuid,
    pub user: Uuid,
}

/// The process's feed of announced events and ended sessions.
#[derive(Clone)]
pub struct EventHub {
    sender: broadcast::Sender<EventNotice>,
    revocations: broadcast::Sender<Revocation>,
}

impl EventHub {
    /// A hub fed by a listener on `database_url`, reconnecting when the
    /// connection drops.
    pub fn listen(database_url: String) -> Self {
        let hub = Self::detached();
        let feed = hub.clone();
        tokio::spawn(async move {
            loop {
                if let Err(reason) = forward(&database_url, &feed).await {
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
        Self { sender: broadcast::channel(CAPACITY).0, revocations: broadcast::channel(CAPACITY).0 }
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

/// Listens until the connection fails.
async fn forward(database_url: &str, feed: &EventHub) -> Result<(), String> {
    let mut conn = AsyncPgConnection::establish(database_url).await.map_err(|err| err.to_string())?;
    for channel in [CHANNEL, REVOCATIONS] {
        diesel::sql_query(format!("LISTEN {channel}")).execute(&mut conn).await.map_err(|err| err.to_string())?;
    }
    tracing::debug!("listening for application events and ended sessions");
    let mut notifications = std::pin::pin!(conn.notifications_stream());
    while let Some(notification) = notifications.next().await {
        let notification = notification.map_err(|err| err.to_string())?;
        // No receivers is fine: nobody is subscribed right now.
        let parsed = if notification.channel == REVOCATIONS {
            serde_json::from_str::<Revocation>(&notification.payload).map(|ended| drop(feed.revocations.send(ended)))
        } else {
            serde_json::from_str::<EventNotice>(&notification.payload).map(|notice| drop(feed.sender.send(notice)))
        };
        if let Err(err) = parsed {
            tracing::warn!(error = %err, channel = notification.channel.as_str(), "an announcement that does not parse");
        }
    }
    Err("the notification stream ended".to_owned())
}
