//! Live events across server processes: each process keeps one connection
//! that LISTENs on the channel the timeline's trigger announces new events
//! on, and fans them out to its subscribers through a bounded broadcast
//! channel. A subscriber that falls more than [`CAPACITY`] events behind is
//! told so and ended, rather than buffered without bound.

use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::sync::broadcast;
use uuid::Uuid;

/// The channel `careergraph_announce_application_event` notifies.
pub const CHANNEL: &str = "careergraph_application_events";

/// Events held for subscribers that have not read them yet.
pub const CAPACITY: usize = 1024;

/// A new timeline event, as announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct EventNotice {
    pub event: Uuid,
    pub application: Uuid,
    pub job: Uuid,
}

/// The process's feed of announced events.
#[derive(Clone)]
pub struct EventHub {
    sender: broadcast::Sender<EventNotice>,
}

impl EventHub {
    /// A hub fed by a listener on `database_url`, reconnecting when the
    /// connection drops.
    pub fn listen(database_url: String) -> Self {
        let (sender, _) = broadcast::channel(CAPACITY);
        let hub = Self { sender };
        let feed = hub.sender.clone();
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

    /// A hub fed by hand, for tests of what subscribers do with events.
    #[cfg(test)]
    pub(crate) fn detached() -> Self {
        Self { sender: broadcast::channel(CAPACITY).0 }
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
}

/// Listens until the connection fails.
async fn forward(database_url: &str, feed: &broadcast::Sender<EventNotice>) -> Result<(), String> {
    let mut conn = AsyncPgConnection::establish(database_url).await.map_err(|err| err.to_string())?;
    diesel::sql_query(format!("LISTEN {CHANNEL}")).execute(&mut conn).await.map_err(|err| err.to_string())?;
    tracing::debug!("listening for application events");
    let mut notifications = std::pin::pin!(conn.notifications_stream());
    while let Some(notification) = notifications.next().await {
        let notification = notification.map_err(|err| err.to_string())?;
        match serde_json::from_str::<EventNotice>(&notification.payload) {
            // No receivers is fine: nobody is subscribed right now.
            Ok(notice) => drop(feed.send(notice)),
            Err(err) => tracing::warn!(error = %err, "an event announcement that does not parse"),
        }
    }
    Err("the notification stream ended".to_owned())
}
