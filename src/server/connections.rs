//! The accept loop and the life of each connection, so that no client can starve the server:
//! a request head must arrive whole within a deadline (which also closes idle kept-alive
//! connections), a head has a size cap, the number of open connections has a cap (the
//! longest-idle connection makes room for a new one), and running out of file descriptors
//! pauses accepting instead of failing requests.
//!
//! axum's own `serve` builds hyper's connections without a timer, so hyper's header-read
//! timeout never applies there; this loop builds them with one.

use std::{
    collections::HashMap,
    future::Future,
    net::SocketAddr,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{
    Router,
    extract::ConnectInfo,
    http::{HeaderValue, Request, header},
};
use futures::FutureExt as _;
use http_body::Body as _;
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::Notify,
};
use tower::Service as _;

use super::io::{ReadToEnd, SentWhile, StallGuard};
use crate::config::Config;

/// File descriptors kept for the database, photo files, upstream calls and logs.
const RESERVED_FILES: u64 = 128;
/// After a failed accept (no file descriptor left, most often), wait this long before the next.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);
/// How long a stopping server waits for answers still being sent before it exits anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// From when a connection starts waiting for a request until its head has arrived whole.
    pub header_read_timeout: Duration,
    /// The largest request head; hyper answers 431 beyond it.
    pub max_header_bytes: usize,
    pub max_connections: usize,
}

impl ConnectionLimits {
    pub fn from_config(config: &Config) -> Self {
        Self {
            header_read_timeout: Duration::from_millis(config.header_read_timeout_ms),
            max_header_bytes: usize::try_from(config.max_header_bytes).unwrap_or(usize::MAX),
            max_connections: usize::try_from(within_file_limit(config.max_connections))
                .unwrap_or(usize::MAX),
        }
    }
}

/// Raises the process's open-file limit as far as it may go (its hard limit): called once at
/// start, before the connection cap is worked out from it.
pub fn raise_open_file_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(files) => tracing::debug!(files, "open-file limit"),
        Err(error) => tracing::warn!(%error, "could not raise the open-file limit"),
    }
}

/// Keeps the connection cap under the open-file limit: a connection refused cleanly beats a
/// health check that cannot be accepted.
fn within_file_limit(wanted: u64) -> u64 {
    match rlimit::Resource::NOFILE.get() {
        Ok((files, _)) => {
            let cap = wanted.min(files.saturating_sub(RESERVED_FILES).max(1));
            if cap < wanted {
                tracing::warn!(
                    wanted,
                    cap,
                    file_limit = files,
                    "the open-file limit lowers the connection cap"
                );
            }
            cap
        }
        Err(error) => {
            tracing::warn!(%error, "could not read the open-file limit");
            wanted
        }
    }
}

/// Serves `app` until `shutdown` resolves, then stops accepting, lets every connection finish
/// the request it is on, and returns once all are closed.
///
/// Connections are accepted here and each is handed to one of [`connection_threads`] threads,
/// each running a single-threaded runtime, where it stays to its end. On tokio's work-stealing
/// runtime a request woken three times (its bytes in, then each upstream wait over) woke the
/// other, parked worker to share the queue: at 1,000 connections that was half the CPU per
/// request (perf: parking, `finish_task_switch`, futexes). A connection's waits are timers and
/// sockets of its own thread's runtime; other work (view-count writes, cache upkeep) runs on the
/// runtime `serve` was called on.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let registry = Arc::new(Registry::new(limits.max_connections));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_header_size(limits.max_header_bytes)
        // Also what a connection may hold of a head still arriving.
        .max_buf_size(limits.max_header_bytes);
    let http = Arc::new(http);
    let handoffs = (0..connection_threads())
        .map(|i| start_connection_thread(i, registry.clone(), &http, &app))
        .collect::<std::io::Result<Vec<_>>>()?;
    let mut next = 0usize;
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "could not accept a connection; pausing briefly");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Small answers go out at once rather than waiting on Nagle's algorithm.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
        match registry.admit(peer) {
            Some(slot) => {
                // Handed over as a plain socket: it joins the chosen runtime's reactor there.
                let handed = stream.into_std().map(|stream| (stream, slot));
                match (handed, handoffs.get(next % handoffs.len())) {
                    (Ok(handed), Some(thread)) => {
                        if thread.send(handed).is_err() {
                            tracing::error!("a connection thread has stopped; connection dropped");
                        }
                    }
                    (Err(error), _) => tracing::debug!(%error, "connection lost before hand-over"),
                    (Ok(_), None) => tracing::error!("no connection thread to hand over to"),
                }
                next = next.wrapping_add(1);
            }
            None => {
                tokio::spawn(refuse(stream));
            }
        }
    }
    drop(listener);
    // No more connections: each thread's runtime runs on until its connections are closed.
    drop(handoffs);
    registry.close_all();
    if tokio::time::timeout(SHUTDOWN_GRACE, registry.all_closed())
        .await
        .is_err()
    {
        tracing::warn!("stopping with connections still open after the grace period");
    }
    Ok(())
}

/// One connection thread per core (`TOKIO_WORKER_THREADS` when set, as for tokio's own runtime).
fn connection_threads() -> usize {
    std::env::var("TOKIO_WORKER_THREADS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
}

type Handoff = tokio::sync::mpsc::UnboundedSender<(std::net::TcpStream, Slot)>;

/// Starts a thread with a single-threaded runtime that serves the connections sent to it,
/// and, once no more can come, runs until they are all closed (or the grace period is over).
fn start_connection_thread(
    index: usize,
    registry: Arc<Registry>,
    http: &Arc<http1::Builder>,
    app: &Router,
) -> std::io::Result<Handoff> {
    let (handoff, mut arrivals) = tokio::sync::mpsc::unbounded_channel();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (http, app) = (http.clone(), app.clone());
    std::thread::Builder::new()
        .name(format!("connections-{index}"))
        .spawn(move || {
            runtime.block_on(async move {
                while let Some((stream, slot)) = arrivals.recv().await {
                    match TcpStream::from_std(stream) {
                        Ok(stream) => {
                            tokio::spawn(connection(&http, stream, app.clone(), slot));
                        }
                        Err(error) => tracing::warn!(%error, "connection not taken over"),
                    }
                }
                let _ = tokio::time::timeout(SHUTDOWN_GRACE, registry.all_closed()).await;
            });
        })?;
    Ok(handoff)
}

/// How late the kernel may end a connection thread's timed waits, so that one wake-up ends
/// several: 4 µs per connection the thread serves, from the kernel's default of 50 µs up to
/// 2 ms (500 connections).
///
/// A connection thread's timers are its requests' timeouts (which rarely fire) and, in
/// simulated mode, the upstream waits. A socket that becomes ready still wakes the thread at
/// once: pages and files are never delayed. A busy thread wakes often anyway, so a timer with
/// slack mostly ends at the next wake-up, a fraction of a millisecond later. At 1,000
/// connections each request woke its thread 1.96 times, at some 15 µs of CPU a wake-up on this
/// VM, and 1.24 times with 2 ms of slack: CPU per request 0.076 – 0.082 → 0.060 – 0.068 ms
/// (`bench/load.sh`), the mean wait 0.4 ms longer. A thread serving a few connections is idle
/// between its timers: slack would delay each by all of it and gather nothing, so it keeps the
/// default.
const SLACK_PER_CONNECTION_NS: u64 = 4_000;
const DEFAULT_SLACK_NS: u64 = 50_000;
const MOST_SLACK_NS: u64 = 2_000_000;

fn timer_slack_for(connections: usize) -> u64 {
    u64::try_from(connections)
        .unwrap_or(u64::MAX)
        .saturating_mul(SLACK_PER_CONNECTION_NS)
        .clamp(DEFAULT_SLACK_NS, MOST_SLACK_NS)
}

thread_local! {
    /// The connections open on this connection thread, and the timer slack last set for them.
    static SERVED: std::cell::Cell<(usize, u64)> = const { std::cell::Cell::new((0, DEFAULT_SLACK_NS)) };
}

/// A connection counted on the thread that serves it, for that thread's timer slack: made and
/// dropped on that thread (a single-threaded runtime never moves its tasks).
struct Served;

impl Served {
    fn count() -> Self {
        adjust_timer_slack(|open| open.saturating_add(1));
        Served
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        adjust_timer_slack(|open| open.saturating_sub(1));
    }
}

fn adjust_timer_slack(change: impl FnOnce(usize) -> usize) {
    let (open, set) = SERVED.get();
    let open = change(open);
    let slack = timer_slack_for(open);
    if slack != set {
        #[cfg(target_os = "linux")]
        if let Some(slack) = std::num::NonZeroU64::new(slack)
            && let Err(error) = rustix::thread::set_current_timer_slack(Some(slack))
        {
            tracing::debug!(%error, "timer slack not set: each timer wakes its thread on its own");
        }
    }
    SERVED.set((open, slack));
}

/// Serves one connection to its end; when it is shed to make room, or the server stops, it
/// finishes the request in flight (if any) and closes.
///
/// The connection is set up here and only what it needs is moved into the future, which is
/// the connection's task: an `async fn` would also keep its arguments (the socket, the router,
/// the peer's address) in the task for the connection's life. Each byte counts 10,000 times at
/// 10,000 connections, and a task over 1,024 bytes takes a 1,280-byte allocation.
fn connection(
    http: &http1::Builder,
    stream: TcpStream,
    app: Router,
    slot: Slot,
) -> impl Future<Output = ()> + use<> {
    let state = slot.state.clone();
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        // The peer address is the rate limit's key.
        request.extensions_mut().insert(ConnectInfo(state.peer));
        let busy = state.begin_request();
        let mut app = app.clone();
        let read_whole =
            (!request.body().is_end_stream()).then(|| Arc::new(AtomicBool::new(false)));
        let request = request.map(|body| ReadToEnd {
            body,
            read_whole: read_whole.clone(),
        });
        // Called at once (a router is always ready) and not boxed: the router's future is
        // `Unpin`, as polling the connection without shutting its socket (below) needs, and
        // hyper keeps the future in flight in one allocation per connection. Boxed here, each
        // request in flight took a 640-byte allocation of its own.
        app.call(request).map(move |response| {
            response.map(|mut response| {
                if read_whole.is_some_and(|read| !read.load(Ordering::Acquire)) {
                    busy.0.answered_early.store(true, Ordering::Release);
                    response
                        .headers_mut()
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                }
                // The connection is busy until the answer's last byte is sent, not only until
                // the handler returns: a large photo still being sent is not idle.
                response.map(|body| SentWhile { body, _busy: busy })
            })
        })
    });
    let stream = StallGuard {
        stream,
        stalled: None,
    };
    let mut connection = http.serve_connection(TokioIo::new(stream), service);
    let served = Served::count();
    async move {
        let mut done = std::future::poll_fn(|cx| connection.poll_without_shutdown(cx));
        let finished = tokio::select! {
            finished = &mut done => Some(finished),
            () = slot.state.shed.notified() => None,
        };
        let finished = match finished {
            Some(finished) => finished,
            None => {
                std::pin::Pin::new(&mut connection).graceful_shutdown();
                std::future::poll_fn(|cx| connection.poll_without_shutdown(cx)).await
            }
        };
        if let Err(error) = finished {
            // A client that goes away or is too slow is routine, not an error of ours.
            tracing::debug!(%error, "connection ended with an error");
        }
        // Boxed, with its buffer on the heap: inline, the closing's 16 KB sat in every open
        // connection's task (10,000 connections took 353 MiB instead of 150).
        if slot.state.answered_early.load(Ordering::Acquire) {
            Box::pin(linger(connection.into_parts().io.into_inner())).await;
        }
        drop(slot);
        drop(served);
    }
}

/// How long a closing connection reads what its client still sends: at most this long in all,
/// this long between reads, and this much (above the largest request body).
const LINGER_TOTAL: Duration = Duration::from_secs(10);
const LINGER_IDLE: Duration = Duration::from_secs(1);
const LINGER_BYTES: usize = 8 * 1024 * 1024;

/// Closes a connection whose client may still be sending, as nginx's lingering close does: an
/// answer given before the request's body was read (a refused form post, a body too large)
/// goes out, the sending side is closed, and what arrives after is read and dropped until the
/// client closes too. Closing with unread bytes would send a reset, which can reach the client
/// before the answer and discard it.
async fn linger(mut stream: StallGuard) {
    if stream.shutdown().await.is_err() {
        return;
    }
    let mut discarded = 0usize;
    let mut scratch = vec![0u8; 16 * 1024];
    let _ = tokio::time::timeout(LINGER_TOTAL, async {
        while discarded < LINGER_BYTES {
            match tokio::time::timeout(LINGER_IDLE, stream.read(&mut scratch)).await {
                Ok(Ok(read)) if read > 0 => discarded += read,
                _ => break,
            }
        }
    })
    .await;
}

/// The answer to a connection over the cap when no idle one can make room.
async fn refuse(mut stream: TcpStream) {
    const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
        content-type: text/plain; charset=utf-8\r\n\
        retry-after: 1\r\n\
        connection: close\r\n\
        content-length: 51\r\n\r\n\
        The server is busy. Please try again in a moment.\r\n";
    tracing::warn!("connection refused: at the connection cap and none idle");
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        // What the client sent is read first: closing with unread bytes would send a reset,
        // which can reach the client before the answer and discard it.
        let mut request = [0u8; 4096];
        let _ = tokio::time::timeout(Duration::from_millis(100), stream.read(&mut request)).await;
        stream.write_all(BUSY).await?;
        stream.shutdown().await
    })
    .await;
}

/// The open connections, for the cap and for a clean stop.
struct Registry {
    limit: usize,
    open: Mutex<HashMap<u64, Arc<ConnectionState>>>,
    next_id: AtomicU64,
    epoch: Instant,
    closed: Notify,
}

struct ConnectionState {
    /// The client's address, the rate limit's key.
    peer: SocketAddr,
    in_flight: AtomicUsize,
    /// Milliseconds from the registry's epoch to when the connection last went idle.
    idle_since_ms: AtomicU64,
    /// Set once it has been asked to close, so it is not chosen twice.
    shedding: AtomicBool,
    shed: Notify,
    /// Set when an answer went out before its request's body was read: only then can the
    /// client still be sending when the connection ends.
    answered_early: AtomicBool,
    epoch: Instant,
}

impl ConnectionState {
    fn begin_request(self: &Arc<Self>) -> Busy {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        Busy(self.clone())
    }
}

/// Marks a request in flight on its connection until dropped.
pub(super) struct Busy(Arc<ConnectionState>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0
            .idle_since_ms
            .store(millis_since(self.0.epoch), Ordering::SeqCst);
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A connection's place in the registry; it leaves when dropped.
struct Slot {
    id: u64,
    state: Arc<ConnectionState>,
    registry: Arc<Registry>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.registry.lock();
        open.remove(&self.id);
        if open.is_empty() {
            self.registry.closed.notify_waiters();
        }
    }
}

fn millis_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

impl Registry {
    fn new(limit: usize) -> Self {
        Self {
            limit,
            open: Mutex::default(),
            next_id: AtomicU64::new(0),
            epoch: Instant::now(),
            closed: Notify::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<ConnectionState>>> {
        // The map stays consistent whatever panicked while holding it: one insert or remove.
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A slot for a new connection: free under the cap; at the cap, the longest-idle
    /// connection is asked to close to make room; `None` when every connection is busy.
    fn admit(self: &Arc<Self>, peer: SocketAddr) -> Option<Slot> {
        let mut open = self.lock();
        if open.len() >= self.limit {
            let idlest = open
                .values()
                .filter(|c| {
                    c.in_flight.load(Ordering::SeqCst) == 0 && !c.shedding.load(Ordering::SeqCst)
                })
                .min_by_key(|c| c.idle_since_ms.load(Ordering::SeqCst))?;
            idlest.shedding.store(true, Ordering::SeqCst);
            // A stored permit: the connection sees it even if it is not waiting yet.
            idlest.shed.notify_one();
        }
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let state = Arc::new(ConnectionState {
            peer,
            in_flight: AtomicUsize::new(0),
            idle_since_ms: AtomicU64::new(millis_since(self.epoch)),
            shedding: AtomicBool::new(false),
            shed: Notify::new(),
            answered_early: AtomicBool::new(false),
            epoch: self.epoch,
        });
        open.insert(id, state.clone());
        Some(Slot {
            id,
            state,
            registry: self.clone(),
        })
    }

    /// Asks every open connection to close once its request in flight (if any) is answered:
    /// the server is stopping. A connection not yet started finds the request waiting.
    fn close_all(&self) {
        for connection in self.lock().values() {
            connection.shedding.store(true, Ordering::SeqCst);
            connection.shed.notify_one();
        }
    }

    async fn all_closed(&self) {
        loop {
            let closed = self.closed.notified();
            if self.lock().is_empty() {
                return;
            }
            closed.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timer_slack_grows_with_the_connections_a_thread_serves() {
        assert_eq!(timer_slack_for(0), DEFAULT_SLACK_NS);
        assert_eq!(timer_slack_for(10), DEFAULT_SLACK_NS);
        assert_eq!(timer_slack_for(100), 400_000);
        assert_eq!(timer_slack_for(500), MOST_SLACK_NS);
        assert_eq!(timer_slack_for(usize::MAX), MOST_SLACK_NS);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_thread_gets_the_slack_of_the_connections_it_serves_and_back() {
        // A thread of its own: the count and the slack are the thread's.
        let seen = std::thread::spawn(|| {
            let slack = || rustix::thread::current_timer_slack().unwrap_or(0);
            let at_rest = slack();
            let served: Vec<Served> = (0..600).map(|_| Served::count()).collect();
            let busy = slack();
            drop(served);
            (at_rest, busy, slack())
        })
        .join()
        .unwrap_or_default();
        assert_eq!(seen, (DEFAULT_SLACK_NS, MOST_SLACK_NS, DEFAULT_SLACK_NS));
    }

    #[test]
    fn at_the_cap_the_longest_idle_connection_makes_room() {
        let peer = SocketAddr::from(([127, 0, 0, 1], 50_000));
        let registry = Arc::new(Registry::new(2));
        let first = registry.admit(peer);
        let second = registry.admit(peer);
        let (Some(first), Some(second)) = (first, second) else {
            panic!("two slots fit under a cap of two");
        };
        // The first is busy; the second is idle, so it is the one asked to close.
        let _busy = first.state.begin_request();
        let third = registry.admit(peer);
        assert!(third.is_some());
        assert!(second.state.shedding.load(Ordering::SeqCst));
        assert!(!first.state.shedding.load(Ordering::SeqCst));
        // Every connection busy or already closing: nothing to shed, the new one is refused.
        let _third_busy = third.as_ref().map(|slot| slot.state.begin_request());
        assert!(registry.admit(peer).is_none());
        drop(second);
        assert_eq!(registry.lock().len(), 2);
    }
}
