//! Subscriptions: new timeline events as they happen, on any server process.
//! Each announced event is loaded again as the subscriber may see it, so a
//! subscriber only ever receives what a query would show them at that
//! moment.

use std::sync::Arc;

use async_graphql::{Context, ID, Subscription};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::graphql::{Application, ApplicationEvent};
use super::loaders;
use crate::context::request;
use crate::graphql::{ApiError, ErrorCode, ids};
use crate::jobs::Job;
use crate::live::{EventHub, EventNotice, LiveSubscription, SubscriptionGauge};

/// The subscription root.
#[derive(Default)]
pub struct SubscriptionRoot;

/// What a subscription needs from its connection.
fn feed(ctx: &Context<'_>) -> Result<(EventHub, LiveSubscription), ApiError> {
    let hub = ctx.data_opt::<EventHub>().cloned();
    let gauge = ctx.data_opt::<SubscriptionGauge>();
    match (hub, gauge) {
        (Some(hub), Some(gauge)) => Ok((hub, gauge.count())),
        _ => Err(ApiError::new(ErrorCode::BadUserInput, "Subscriptions are served over WebSocket at /graphql")),
    }
}

/// The next notice, or an error that ends the stream when the subscriber
/// fell too far behind.
async fn next_notice(
    receiver: &mut tokio::sync::broadcast::Receiver<EventNotice>,
) -> Option<Result<EventNotice, ApiError>> {
    match receiver.recv().await {
        Ok(notice) => Some(Ok(notice)),
        Err(RecvError::Lagged(missed)) => Some(Err(ApiError::new(
            ErrorCode::BadUserInput,
            format!("This subscription fell {missed} events behind and was ended; subscribe again"),
        ))),
        Err(RecvError::Closed) => None,
    }
}

/// The stream of what `load` makes of each accepted notice; notices that
/// load nothing (the subscriber may not see them) are skipped. Falling too
/// far behind ends the stream with an error.
fn watch<T, Load, Loaded>(
    hub: EventHub,
    live: LiveSubscription,
    accept: impl Fn(&EventNotice) -> bool + Send + 'static,
    load: Load,
) -> impl Stream<Item = Result<T, ApiError>>
where
    T: Send + 'static,
    Load: Fn(EventNotice) -> Loaded + Send + 'static,
    Loaded: std::future::Future<Output = Result<Option<T>, ApiError>> + Send,
{
    let receiver = hub.subscribe();
    let (accept, load) = (Arc::new(accept), Arc::new(load));
    futures_util::stream::unfold(Some((receiver, live)), move |state| {
        let (accept, load) = (accept.clone(), load.clone());
        async move {
            let (mut receiver, live) = state?;
            loop {
                match next_notice(&mut receiver).await? {
                    Err(error) => return Some((Err(error), None)),
                    Ok(notice) if !accept(&notice) => {}
                    Ok(notice) => match load(notice).await {
                        Ok(None) => {}
                        Ok(Some(item)) => return Some((Ok(item), Some((receiver, live)))),
                        Err(error) => return Some((Err(error), Some((receiver, live)))),
                    },
                }
            }
        }
    })
}

/// The feeds a client can subscribe to, over WebSocket at `/graphql` with
/// the graphql-transport-ws protocol, signed in by the access token in
/// `connection_init` (`{"Authorization": "Bearer …"}`).
#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// New events on the timelines of the applications the viewer may see
    /// (their own, and those sent to jobs they posted), or of one of them.
    async fn application_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "One application; every application the viewer may see when omitted.")] application_id: Option<
            ID,
        >,
    ) -> Result<impl Stream<Item = Result<ApplicationEvent, ApiError>>, ApiError> {
        let request = request(ctx);
        request.viewer.require()?;
        let only = match &application_id {
            Some(id) => {
                let uuid = ids::decode_as(id, Application::TYPE_NAME)?;
                loaders(ctx).applications.load_one(uuid).await?.ok_or_else(|| ids::not_found(id))?;
                Some(uuid)
            }
            None => None,
        };
        let (hub, live) = feed(ctx)?;
        let (db, viewer) = (request.db.clone(), request.viewer);
        let reloads = hub.clone();
        Ok(watch(
            hub,
            live,
            move |notice| only.is_none_or(|id| id == notice.application),
            move |notice| {
                let db = reloads.reloading(&db, &notice);
                async move { Ok(load::visible_event(&db, &viewer, notice).await?.map(ApplicationEvent::from)) }
            },
        ))
    }

    /// Applications to a job the viewer posted, each time one is sent or
    /// changes (status, notes, interviews). FORBIDDEN for anyone but the
    /// job's poster (and admins).
    async fn job_applications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The job.")] job_id: ID,
    ) -> Result<impl Stream<Item = Result<Application, ApiError>>, ApiError> {
        let request = request(ctx);
        let me = *request.viewer.require()?;
        let job_uuid = ids::decode_as(&job_id, Job::TYPE_NAME)?;
        let job = crate::jobs::visible_row(ctx, job_uuid).await?.ok_or_else(|| ids::not_found(&job_id))?;
        if job.posted_by_id != Some(me.user_id) && !me.is_admin() {
            return Err(ApiError::new(ErrorCode::Forbidden, "Only the job's poster follows its applications"));
        }
        let (hub, live) = feed(ctx)?;
        let (db, viewer) = (request.db.clone(), request.viewer);
        let reloads = hub.clone();
        Ok(watch(
            hub,
            live,
            move |notice| notice.job == job_uuid,
            move |notice| {
                let db = reloads.reloading(&db, &notice);
                async move { Ok(load::visible_application(&db, &viewer, notice.application).await?.map(Application::from)) }
            },
        ))
    }
}

/// Loading what a notice names, as the subscriber may see it. (Kept apart:
/// diesel's query traits in scope confuse the `Subscription` macro.)
mod load {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    use uuid::Uuid;

    use super::super::{ApplicationRow, EventRow, visible_to};
    use crate::auth::Viewer;
    use crate::db::Db;
    use crate::db::tables::{application_events, applications};
    use crate::graphql::ApiError;
    use crate::live::EventNotice;

    /// The application, if the viewer may see it (a recruiter only once sent).
    pub async fn visible_application(db: &Db, viewer: &Viewer, id: Uuid) -> Result<Option<ApplicationRow>, ApiError> {
        let Some(visible) = visible_to(viewer) else { return Ok(None) };
        let mut conn = db.conn().await?;
        Ok(applications::table
            .filter(applications::id.eq(id))
            .filter(visible)
            .select(ApplicationRow::as_select())
            .first(&mut conn)
            .await
            .optional()?)
    }

    /// The event, if the viewer may see its application (and, for its
    /// candidate, unless it is the recruiting side's own).
    pub async fn visible_event(db: &Db, viewer: &Viewer, notice: EventNotice) -> Result<Option<EventRow>, ApiError> {
        let Some(application) = visible_application(db, viewer, notice.application).await? else {
            return Ok(None);
        };
        let candidate = viewer.signed_in().is_some_and(|me| me.user_id == application.user_id);
        let mut conn = db.conn().await?;
        let mut event = application_events::table.filter(application_events::id.eq(notice.event)).into_boxed();
        if candidate {
            event = event.filter(application_events::internal.eq(false));
        }
        Ok(event.select(EventRow::as_select()).first(&mut conn).await.optional()?)
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;
    use uuid::Uuid;

    use super::*;
    use crate::live::CAPACITY;

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_is_ended_not_buffered() {
        let hub = EventHub::detached();
        let gauge = SubscriptionGauge::default();
        let stream = watch(
            hub.clone(),
            gauge.count(),
            |_| true,
            |notice: EventNotice| async move { Ok::<_, ApiError>(Some(notice.event)) },
        );
        assert_eq!(gauge.get(), 1);
        // Nobody reads while more events arrive than the hub holds.
        for _ in 0..CAPACITY + 10 {
            hub.publish(EventNotice { event: Uuid::now_v7(), application: Uuid::nil(), job: Uuid::nil(), position: 0 });
        }
        let items: Vec<Result<Uuid, ApiError>> = stream.collect().await;
        assert_eq!(items.len(), 1, "one error, then the end");
        let Err(ApiError::Public { message, .. }) = &items[0] else { panic!("expected the lag error") };
        assert!(message.contains("fell 10 events behind"), "{message}");
        assert_eq!(gauge.get(), 0, "an ended subscription is no longer counted");
    }
}
