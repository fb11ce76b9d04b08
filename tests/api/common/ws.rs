//! A graphql-transport-ws client for the tests, over tokio-tungstenite.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a graphql-transport-ws connection as `token`; returns the socket
/// after `connection_ack`, or the close frame's code and reason when refused.
pub async fn connect(base_url: &str, token: &str) -> Result<Socket, (u16, String)> {
    let mut request = format!("{}/graphql", base_url.replacen("http://", "ws://", 1)).into_client_request().unwrap();
    request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
    let (mut socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(response.headers()["sec-websocket-protocol"], "graphql-transport-ws");
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    socket.send(Message::text(init.to_string())).await.unwrap();
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next()).await.expect("an answer to connection_init")
        {
            Some(Ok(Message::Text(text))) => {
                let message: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(message["type"], "connection_ack", "{message}");
                return Ok(socket);
            }
            Some(Ok(Message::Close(frame))) => {
                return Err(frame.map_or((0, String::new()), |frame| (u16::from(frame.code), frame.reason.to_string())));
            }
            Some(Ok(_)) => {}
            other => panic!("the connection ended: {other:?}"),
        }
    }
}

pub async fn subscribe(socket: &mut Socket, id: &str, query: &str, variables: Value) {
    let message = json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } });
    socket.send(Message::text(message.to_string())).await.unwrap();
}

/// The next `next`/`error`/`complete` message, or None within `wait`.
pub async fn next_message(socket: &mut Socket, wait: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let message = tokio::time::timeout_at(deadline, socket.next()).await.ok()??.ok()?;
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).unwrap();
            // The end of a subscription that failed is not news here.
            if !matches!(value["type"].as_str(), Some("ping" | "pong" | "complete")) {
                return Some(value);
            }
        }
    }
}
