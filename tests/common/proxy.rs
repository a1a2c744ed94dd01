//! A TCP proxy between the app and PostgreSQL that a test can cut, stall and restore, to watch
//! the service lose its database and get it back.
//!
//! Three faults: [`ChaosProxy::cut`] severs every connection and refuses new ones (a restart,
//! a failover); [`ChaosProxy::stall`] keeps every socket open but forwards nothing either way
//! (a proxy or NAT that silently drops); [`ChaosProxy::sever_on_next_use`] leaves the open
//! connections looking alive and closes each at the next byte the app sends, unforwarded (a
//! pooled connection whose backend died unnoticed: its next statement never reaches a server).

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicBool, AtomicU64, Ordering},
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::watch,
    task::AbortHandle,
};

pub struct ChaosProxy {
    pub port: u16,
    up: Arc<AtomicBool>,
    /// `true` while nothing is forwarded.
    stalled: watch::Sender<bool>,
    /// Links opened before this generation close at the app's next byte.
    poison: Arc<AtomicU64>,
    links: Arc<Mutex<Vec<AbortHandle>>>,
    accept: AbortHandle,
}

impl ChaosProxy {
    pub async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let up = Arc::new(AtomicBool::new(true));
        let stalled = watch::Sender::new(false);
        let poison = Arc::new(AtomicU64::new(0));
        let links: Arc<Mutex<Vec<AbortHandle>>> = Arc::default();
        let (up2, links2, stalled2, poison2) =
            (up.clone(), links.clone(), stalled.clone(), poison.clone());
        let accept = tokio::spawn(async move {
            loop {
                let Ok((inbound, _)) = listener.accept().await else {
                    continue;
                };
                if !up2.load(Ordering::SeqCst) {
                    drop(inbound); // refused: the database is "down"
                    continue;
                }
                let upstream = upstream.clone();
                let (stalled, poison) = (stalled2.subscribe(), poison2.clone());
                let born = poison.load(Ordering::SeqCst);
                let link = tokio::spawn(async move {
                    let Ok(outbound) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let (app_read, app_write) = inbound.into_split();
                    let (db_read, db_write) = outbound.into_split();
                    let to_db = forward(app_read, db_write, stalled.clone(), Some((poison, born)));
                    let to_app = forward(db_read, app_write, stalled, None);
                    tokio::select! { _ = to_db => {}, _ = to_app => {} }
                });
                links2.lock().expect("links").push(link.abort_handle());
            }
        })
        .abort_handle();
        Self {
            port,
            up,
            stalled,
            poison,
            links,
            accept,
        }
    }

    /// Severs every open connection and refuses new ones.
    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for link in self.links.lock().expect("links").drain(..) {
            link.abort();
        }
    }

    /// Forwards nothing, either way, on open and new connections alike; sockets stay open.
    pub fn stall(&self) {
        self.stalled.send_replace(true);
    }

    /// Each connection open now closes, unforwarded, at the next byte the app sends.
    pub fn sever_on_next_use(&self) {
        self.poison.fetch_add(1, Ordering::SeqCst);
    }

    /// Accepts and forwards again (connections cut are gone; stalled ones resume).
    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
        self.stalled.send_replace(false);
    }
}

/// Copies `from` to `to`, holding while stalled; with `poison`, ends (closing both sides)
/// instead of forwarding once the proxy's generation moved past the link's.
async fn forward(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut stalled: watch::Receiver<bool>,
    poison: Option<(Arc<AtomicU64>, u64)>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if stalled.wait_for(|s| !*s).await.is_err() {
            return;
        }
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if let Some((generation, born)) = &poison
            && generation.load(Ordering::SeqCst) > *born
        {
            return;
        }
        if stalled.wait_for(|s| !*s).await.is_err() {
            return;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

impl Drop for ChaosProxy {
    fn drop(&mut self) {
        self.cut();
        self.accept.abort();
    }
}
