//! Subscriptions over WebSocket (graphql-transport-ws at `/graphql`).
//!
//! async-graphql speaks the protocol; this loop carries its messages and
//! ends the connection as the protocol asks: a refused `connection_init`,
//! an access token that expires while the socket is open and a session
//! ended by `logout` (on any replica) all close it with 4403 Forbidden, and
//! protocol errors get the protocol's codes.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use async_graphql::http::{WebSocket as Protocol, WebSocketProtocols, WsMessage};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{SinkExt, StreamExt, future};

use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;

use super::graphql::{bearer, claims_of, request_data, viewer_of};
use super::{AppState, RequestId};
use crate::auth::Viewer;
use crate::live::Revocation;

/// graphql-transport-ws's close code for a connection that may not go on.
const FORBIDDEN: u16 = 4403;

/// What the connection's `connection_init` decided.
#[derive(Debug, Default)]
struct Admission {
    /// The token was refused.
    refused: bool,
    /// When the viewer's access token expires (never for anonymous viewers).
    expires_at: Option<tokio::time::Instant>,
    /// The session the access token belongs to.
    session: Option<uuid::Uuid>,
}

/// Serves one WebSocket connection until either side ends it.
pub async fn serve(
    state: AppState,
    socket: WebSocket,
    protocol: WebSocketProtocols,
    request_id: Option<RequestId>,
    peer: Option<IpAddr>,
) {
    let (mut sink, stream) = socket.split();
    let input = stream.take_while(|message| future::ready(message.is_ok())).filter_map(|message| {
        future::ready(match message {
            Ok(Message::Text(text)) => Some(axum::body::Bytes::from(text)),
            Ok(Message::Binary(bytes)) => Some(bytes),
            _ => None,
        })
    });
    let admission = Arc::new(Mutex::new(Admission::default()));
    let decided = admission.clone();
    // Subscribed before `connection_init`, so no revocation slips between
    // admission and the loop.
    let mut revocations = state.events.as_ref().map(crate::live::EventHub::revocations);
    let schema = state.schema.clone();
    let messages = Protocol::new(schema, input, protocol).on_connection_init(move |payload| async move {
        let (data, outcome) = admit(&state, &payload, request_id, peer);
        *decided.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = outcome;
        data
    });
    futures_util::pin_mut!(messages);
    loop {
        // Read each time round: the ack that follows `connection_init` is the
        // first message after the expiry is known.
        let (expires_at, session) = {
            let admission = admission.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            (admission.expires_at, admission.session)
        };
        let expiry = async move {
            match expires_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => future::pending().await,
            }
        };
        let outgoing = tokio::select! {
            message = messages.next() => match message {
                None => return,
                Some(WsMessage::Text(text)) => Message::Text(text.into()),
                Some(WsMessage::Close(code, reason)) => {
                    let refused = admission.lock().unwrap_or_else(std::sync::PoisonError::into_inner).refused;
                    close(&mut sink, close_code(protocol, code, refused), &reason).await;
                    return;
                }
            },
            () = expiry => {
                close(&mut sink, FORBIDDEN, "The access token has expired: reconnect with a fresh one").await;
                return;
            }
            () = ended(&mut revocations, session) => {
                close(&mut sink, FORBIDDEN, "The session has ended: sign in again").await;
                return;
            }
        };
        if sink.send(outgoing).await.is_err() {
            return;
        }
    }
}

/// Resolves once `session` is announced as ended. A receiver that lagged
/// may have missed it, so lagging ends the socket too (the client
/// reconnects if its token is still good).
async fn ended(revocations: &mut Option<Receiver<Revocation>>, session: Option<uuid::Uuid>) {
    let (Some(receiver), Some(session)) = (revocations.as_mut(), session) else {
        return future::pending().await;
    };
    loop {
        match receiver.recv().await {
            Ok(ended) if ended.session == session => return,
            Ok(_) => {}
            Err(RecvError::Lagged(_)) => return,
            Err(RecvError::Closed) => return future::pending().await,
        }
    }
}

/// The code graphql-transport-ws asks for where async-graphql closes with
/// a generic one: 4403 for a refused `connection_init` (async-graphql: 1002),
/// 4400 for a message that is not the protocol's (1002), 4401 for a
/// subscription before the connection is acknowledged (1011).
fn close_code(protocol: WebSocketProtocols, code: u16, refused: bool) -> u16 {
    match (protocol, code) {
        (WebSocketProtocols::GraphQLWS, 1002) if refused => FORBIDDEN,
        (WebSocketProtocols::GraphQLWS, 1002) => 4400,
        (WebSocketProtocols::GraphQLWS, 1011) => 4401,
        _ => code,
    }
}

async fn close(sink: &mut futures_util::stream::SplitSink<WebSocket, Message>, code: u16, reason: &str) {
    let frame = CloseFrame { code, reason: reason.into() };
    let _ = sink.send(Message::Close(Some(frame))).await;
}

/// The data of one WebSocket connection: the viewer its `connection_init`
/// payload names (`{"Authorization": "Bearer …"}`, or `accessToken`), and
/// what subscriptions read with; and what was decided. A refused token
/// refuses the connection.
fn admit(
    state: &AppState,
    payload: &serde_json::Value,
    request_id: Option<RequestId>,
    peer: Option<IpAddr>,
) -> (async_graphql::Result<async_graphql::Data>, Admission) {
    let token = ["Authorization", "authorization"]
        .iter()
        .find_map(|key| payload.get(*key).and_then(serde_json::Value::as_str))
        .map(|value| bearer(value).unwrap_or(value))
        .or_else(|| payload.get("accessToken").and_then(serde_json::Value::as_str));
    let (viewer, signed_in) = match token.map(|token| claims_of(state, token)) {
        None => (Viewer::Anonymous, None),
        Some(Ok(claims)) => (viewer_of(&claims), Some((instant_of(claims.exp), claims.sid))),
        Some(Err(reason)) => {
            let refused = Admission { refused: true, ..Admission::default() };
            return (Err(async_graphql::Error::new(reason.message())), refused);
        }
    };
    let request_id = request_id.unwrap_or_else(RequestId::generate);
    let peer = peer.unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    let mut data = async_graphql::Data::default();
    // A subscription's resolvers run inside its stream, so its loaders
    // batch in tasks of their own, on the window.
    let batching = crate::context::Batching::Windowed(state.batch_window);
    let db = crate::db::Db::new(state.pool.clone());
    request_data(&mut data, state, db, (viewer, request_id.clone()), peer, None, &batching);
    data.insert(request_id);
    data.insert(state.metrics.subscriptions().clone());
    if let Some(hub) = &state.events {
        data.insert(hub.clone());
    }
    let (expires_at, session) = (signed_in.map(|(at, _)| at), signed_in.map(|(_, session)| session));
    (Ok(data), Admission { refused: false, expires_at, session })
}

/// The monotonic instant of a token's `exp` (seconds since the epoch).
fn instant_of(exp: i64) -> tokio::time::Instant {
    let left = exp.saturating_sub(chrono::Utc::now().timestamp());
    tokio::time::Instant::now() + std::time::Duration::from_secs(u64::try_from(left).unwrap_or(0))
}
