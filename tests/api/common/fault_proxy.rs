//! A TCP proxy between the server and PostgreSQL that tests can break:
//! pass bytes through, stall them (connections stay open, nothing moves),
//! or cut the link (every connection closed, new ones dropped at once).
//! crates.io tests its database resilience with the same kind of proxy.

use std::net::SocketAddr;
use std::path::PathBuf;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UnixStream};
use tokio::sync::watch;

/// What the proxy does with the bytes of its connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Pass,
    Stall,
    Cut,
}

/// Where the proxy forwards to.
#[derive(Debug, Clone)]
enum Upstream {
    Tcp(String),
    Unix(PathBuf),
}

pub struct FaultProxy {
    link: watch::Sender<Link>,
    /// `database_url` with its host and port replaced by the proxy's.
    pub url: String,
}

impl FaultProxy {
    /// A proxy in front of the database `database_url` names (a unix socket
    /// given as `?host=/dir&port=N`, or `host:port`), passing bytes.
    pub async fn in_front_of(database_url: &str) -> Self {
        let (upstream, url_of) = upstream_of(database_url);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binding the proxy");
        let address = listener.local_addr().expect("the proxy's address");
        let (link, _) = watch::channel(Link::Pass);
        let links = link.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if *links.borrow() == Link::Cut {
                    drop(client);
                    continue;
                }
                let upstream = upstream.clone();
                let link = links.subscribe();
                tokio::spawn(async move {
                    match upstream {
                        Upstream::Tcp(address) => {
                            if let Ok(server) = TcpStream::connect(address).await {
                                relay(client, server, link).await;
                            }
                        }
                        Upstream::Unix(path) => {
                            if let Ok(server) = UnixStream::connect(path).await {
                                relay(client, server, link).await;
                            }
                        }
                    }
                });
            }
        });
        Self { link, url: url_of(address) }
    }

    pub fn set(&self, link: Link) {
        self.link.send_replace(link);
    }
}

/// The upstream of `url`, and how to write `url` for another address.
fn upstream_of(url: &str) -> (Upstream, impl Fn(SocketAddr) -> String + use<>) {
    let (scheme, rest) = url.split_once("://").expect("a postgres URL");
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = before_query.split_once('/').unwrap_or((before_query, ""));
    let (user, host_port) = authority.rsplit_once('@').map_or(("", authority), |(user, host)| (user, host));
    let params: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    let param = |name: &str| params.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone());
    let upstream = match param("host") {
        Some(dir) if dir.starts_with('/') => {
            let port = param("port").unwrap_or_else(|| "5432".to_owned());
            Upstream::Unix(PathBuf::from(dir).join(format!(".s.PGSQL.{port}")))
        }
        _ => Upstream::Tcp(if host_port.contains(':') { host_port.to_owned() } else { format!("{host_port}:5432") }),
    };
    let rest: Vec<(String, String)> = params.into_iter().filter(|(key, _)| key != "host" && key != "port").collect();
    let query = serde_urlencoded::to_string(rest).unwrap_or_default();
    let (scheme, user, path) = (scheme.to_owned(), user.to_owned(), path.to_owned());
    let url_of = move |address: SocketAddr| {
        let user = if user.is_empty() { String::new() } else { format!("{user}@") };
        let query = if query.is_empty() { String::new() } else { format!("?{query}") };
        format!("{scheme}://{user}{address}/{path}{query}")
    };
    (upstream, url_of)
}

/// Copies bytes both ways while the link passes; holds them while it
/// stalls; closes both sides when it is cut.
async fn relay(client: TcpStream, server: impl AsyncRead + AsyncWrite, mut link: watch::Receiver<Link>) {
    let (mut client_read, mut client_write) = tokio::io::split(client);
    let (mut server_read, mut server_write) = tokio::io::split(server);
    let mut up = vec![0u8; 16 * 1024];
    let mut down = vec![0u8; 16 * 1024];
    loop {
        let now = *link.borrow_and_update();
        match now {
            Link::Cut => return,
            Link::Stall => {
                if link.changed().await.is_err() {
                    return;
                }
                continue;
            }
            Link::Pass => {}
        }
        tokio::select! {
            changed = link.changed() => if changed.is_err() { return },
            read = client_read.read(&mut up) => match read {
                Ok(0) | Err(_) => return,
                Ok(n) => if server_write.write_all(&up[..n]).await.is_err() { return },
            },
            read = server_read.read(&mut down) => match read {
                Ok(0) | Err(_) => return,
                Ok(n) => if client_write.write_all(&down[..n]).await.is_err() { return },
            },
        }
    }
}
