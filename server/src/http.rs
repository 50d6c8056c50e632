//! The listener: the accept loop with its limits (a cap on connections, a timer on reading a
//! request's headers, another on a kept connection's idle time, shortened while slots run low),
//! and graceful shutdown on SIGTERM or SIGINT.
//!
//! `axum::serve` sets no timer and no cap, so a slow or idle client could hold a connection for
//! ever; this loop is hyper-util's connection builder with those set, speaking HTTP/1.1 only
//! (see [`serve`]). On shutdown the listener
//! closes first, then [`Shutdown`] tells the open event streams to send their final
//! `reconnect` event, then open connections get [`Limits::shutdown_grace`] to finish.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

/// The listener's limits.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Connections open at once; the next waits in the kernel's backlog.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers: from the moment it connects,
    /// and on a kept connection from the next request's first byte.
    pub header_read_timeout: Duration,
    /// How long a kept connection may sit idle between requests. Longer than the 60 s a load
    /// balancer keeps its side open by default (AWS ALB), so that the balancer, not this server,
    /// closes an idle connection: a server that closes first races the balancer's next request
    /// on it, which the client sees as a 502. While fewer than an eighth of the
    /// `max_connections` slots are free, an idle kept connection gets only
    /// `header_read_timeout` from its last answer instead, and answers close their
    /// connections (see [`Crowding`]).
    pub keep_alive_idle: Duration,
    /// How long a write may wait for a client that reads nothing before the connection is given
    /// up: a client that stops reading an answer (or an event stream) would otherwise hold its
    /// slot for ever. Any progress starts the wait again, so a slow reader is served.
    pub write_stall: Duration,
    /// How long open connections get to finish after a shutdown signal.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
            keep_alive_idle: Duration::from_secs(75),
            write_stall: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(8),
        }
    }
}

/// The server-wide "we are stopping" signal that long-lived responses (event streams) listen to.
#[derive(Clone, Debug)]
pub struct Shutdown {
    tx: Arc<watch::Sender<bool>>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Shutdown {
            tx: Arc::new(watch::channel(false).0),
        }
    }
}

impl Shutdown {
    /// Tells every listener that the server is stopping.
    pub fn trigger(&self) {
        self.tx.send_replace(true);
    }

    pub fn is_triggered(&self) -> bool {
        *self.tx.borrow()
    }

    /// Resolves once the server is stopping.
    pub fn wait(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.tx.subscribe();
        async move {
            let _ = rx.wait_for(|stopping| *stopping).await;
        }
    }
}

/// Resolves on SIGTERM (a container runtime's stop) or SIGINT (Ctrl-C).
pub async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Serves `app` on `listener` until `stop` resolves, then shuts down gracefully: no new
/// connections, `shutdown` triggered (event streams end with their final event), and open
/// connections given `limits.shutdown_grace` to finish. Answers whether every connection
/// finished in time.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: Shutdown,
    stop: impl Future<Output = ()>,
) -> bool {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let crowding = Crowding::new(limits.max_connections.max(1));
    let graceful = GracefulShutdown::new();
    // HTTP/1.1 only. Browsers speak HTTP/2 only over TLS, which a proxy in front of this
    // server ends, and proxies speak HTTP/1.1 to their targets by default. Sniffing for
    // HTTP/2's preface had no timer: a connection that sent nothing, or only the preface, held
    // its slot for ever. HTTP/1's header timer runs from the connection's start and between
    // keep-alive requests; each connection's timer ([`ConnectionTimer`]) tells the two apart.
    let mut builder = auto::Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .header_read_timeout(limits.header_read_timeout);
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut stop => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before accept: wait a little.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        crowding.opened();
        let activity = Arc::new(Activity::default());
        let mut builder = builder.clone();
        builder.http1().timer(ConnectionTimer {
            activity: activity.clone(),
            header: limits.header_read_timeout,
            idle: limits.keep_alive_idle,
            crowded: crowding.subscribe(),
        });
        let closing = crowding.clone();
        let service = TowerToHyperService::new(ServiceExt::<
            axum::http::Request<hyper::body::Incoming>,
        >::map_response(
            app.clone(),
            move |mut answer: axum::response::Response| {
                if closing.is_crowded() {
                    answer.headers_mut().insert(
                        axum::http::header::CONNECTION,
                        axum::http::HeaderValue::from_static("close"),
                    );
                }
                answer
            },
        ));
        let connection = builder
            .serve_connection(
                TokioIo::new(Watched {
                    stream,
                    activity,
                    write_stall: limits.write_stall,
                    stalled: None,
                }),
                service,
            )
            .into_owned();
        let connection = graceful.watch(connection);
        let crowding = crowding.clone();
        tokio::spawn(async move {
            let _ = connection.await;
            // Counted closed before its slot is free: the accept loop cannot count the next
            // connection while this one still counts.
            crowding.closed();
            drop(permit);
        });
    }
    drop(listener);
    tracing::info!("stopping: no new connections; telling event streams to reconnect");
    shutdown.trigger();
    match tokio::time::timeout(limits.shutdown_grace, graceful.shutdown()).await {
        Ok(()) => true,
        Err(_) => {
            tracing::warn!(
                "stopping: some connections were still open after {:?}",
                limits.shutdown_grace
            );
            false
        }
    }
}

/// Whether the connection slots are running low: crowded once fewer than an eighth of them
/// are free, and not again until a quarter are (so that turnover near the line does not flip it
/// back and forth). While crowded:
/// - answers carry `Connection: close`, so their clients (a load balancer's pool) know not to
///   send on those connections again, and slots come free without a race;
/// - idle kept connections get the header timeout instead of the idle limit, so those already
///   idle longer are closed. This may race a balancer's reuse of one (a 502), the lesser harm
///   than new clients left waiting in the backlog.
///
/// Without this, a client sending a small request on each connection every minute or so
/// (about 14 a second for 1024 slots) could hold every slot; now it must send one on each
/// about every 9 s (over 100 a second), and every answer closes its connection. The accept loop
/// counts connections as they open and close; idle waits ([`HeaderDeadline`]) watch the state.
#[derive(Clone, Debug)]
struct Crowding {
    /// Whether crowded, and the open connections, counted under the channel's lock so that a
    /// late count never overwrites a newer one.
    crowded: Arc<watch::Sender<(bool, usize)>>,
    slots: usize,
    /// Crowded below this many free slots...
    low: usize,
    /// ...until at least this many are free again.
    high: usize,
}

impl Crowding {
    fn new(slots: usize) -> Crowding {
        let low = (slots / 8).max(1);
        Crowding {
            crowded: Arc::new(watch::channel((false, 0)).0),
            slots,
            low,
            high: (slots / 4).max(low + 1),
        }
    }

    fn opened(&self) {
        self.count(|open| open + 1);
    }

    fn closed(&self) {
        self.count(|open| open.saturating_sub(1));
    }

    /// Counts a connection; watchers hear of a change of the crowded flag only.
    fn count(&self, next: impl FnOnce(usize) -> usize) {
        self.crowded.send_if_modified(|(crowded, open)| {
            *open = next(*open);
            let free = self.slots.saturating_sub(*open);
            let now = if *crowded {
                free < self.high
            } else {
                free < self.low
            };
            let changed = *crowded != now;
            *crowded = now;
            changed
        });
    }

    fn is_crowded(&self) -> bool {
        self.crowded.borrow().0
    }

    fn subscribe(&self) -> watch::Receiver<(bool, usize)> {
        self.crowded.subscribe()
    }
}

/// What one connection's reads tell its header timer, and which wait for headers is on.
#[derive(Debug, Default)]
struct Activity(Mutex<Seen>);

#[derive(Clone, Copy, Debug, Default)]
struct Seen {
    /// How many times hyper has armed the header timer: once when the connection opens, then
    /// once each time a kept connection waits for its next request.
    armings: u64,
    /// Whether the latest arming's wait is on (its deadline not yet dropped).
    waiting: bool,
    /// When the first byte read during the current wait came: the next request's start.
    /// hyper arms the timer only once a request and its answer are whole, so every byte read
    /// during a wait is the next request's.
    request_began: Option<tokio::time::Instant>,
}

impl Activity {
    fn lock(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn read(&self) {
        let mut seen = self.lock();
        if seen.waiting {
            seen.request_began
                .get_or_insert_with(tokio::time::Instant::now);
        }
    }

    /// A new wait for headers: answers its number (1 for the connection's first request).
    fn arm(&self) -> u64 {
        let mut seen = self.lock();
        seen.armings += 1;
        seen.waiting = true;
        seen.request_began = None;
        seen.armings
    }

    /// The wait numbered `arming` is over (its headers came, or it timed out).
    fn disarm(&self, arming: u64) {
        let mut seen = self.lock();
        if seen.armings == arming {
            seen.waiting = false;
        }
    }
}

/// A connection's socket, noting in its [`Activity`] when bytes come, and giving up a write
/// that makes no progress for `write_stall`.
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
    write_stall: Duration,
    /// Runs while a write waits for the client to read.
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Watched {
    /// A write that could not proceed: an error once it has waited `write_stall`.
    fn stall<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let limit = self.write_stall;
        let sleep = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client read nothing for too long",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }

    /// What a write gave: a stall timer runs while it is pending and stops when it is not.
    fn written<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match polled {
            Poll::Pending => self.stall(cx),
            done => {
                self.stalled = None;
                done
            }
        }
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.activity.read();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.written(cx, polled)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.written(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// One connection's timer for hyper's header-read timeout. hyper arms that one timer both when
/// a connection opens and each time a kept connection waits for its next request (only once
/// the last request and its answer are whole): one timer for two limits. This one tells them
/// apart by counting the armings, and reads the connection's [`Activity`]:
/// - the first request's headers are due `header` after the connection opened (a client that
///   connects and says nothing is cut off as before);
/// - on a kept connection, a request whose first byte has come has `header` from that byte;
/// - a kept connection with no new byte may idle for `idle`, or for `header` while the slots
///   are running low ([`Crowding`]). A request already partly received when the wait began
///   (pipelined) counts as idle until the wait ends.
///
/// Its clock is tokio's, so that a test with tokio's paused clock sees one clock.
#[derive(Clone, Debug)]
struct ConnectionTimer {
    activity: Arc<Activity>,
    header: Duration,
    idle: Duration,
    crowded: watch::Receiver<(bool, usize)>,
}

impl hyper::rt::Timer for ConnectionTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep_until(self.now() + duration)
    }

    fn sleep_until(&self, _hypers: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        // hyper's deadline is its arming time plus the header timeout; the deadline here is
        // computed from the arming time and the wait's kind instead.
        let armed = tokio::time::Instant::now();
        let arming = self.activity.arm();
        Box::pin(HeaderDeadline {
            activity: self.activity.clone(),
            arming,
            armed,
            header: self.header,
            idle: self.idle,
            sleep: Box::pin(tokio::time::sleep_until(armed + self.header)),
            crowding_changed: Mutex::new(crowding_change(&self.crowded)),
            crowded: self.crowded.clone(),
        })
    }

    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }
}

/// The deadline [`ConnectionTimer`] hands hyper; it moves as the connection's activity changes.
struct HeaderDeadline {
    activity: Arc<Activity>,
    /// Which arming of the connection this is (1: its first request).
    arming: u64,
    armed: tokio::time::Instant,
    header: Duration,
    idle: Duration,
    sleep: Pin<Box<tokio::time::Sleep>>,
    crowded: watch::Receiver<(bool, usize)>,
    /// Resolves when the slots' crowding changes, so that an idle wait's deadline moves then.
    /// In a mutex because hyper's `Sleep` must be `Sync`; only `get_mut` is used.
    crowding_changed: Mutex<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

/// A future that resolves at the next change of `crowded` after its first poll.
fn crowding_change(
    crowded: &watch::Receiver<(bool, usize)>,
) -> Pin<Box<dyn Future<Output = ()> + Send>> {
    let mut crowded = crowded.clone();
    Box::pin(async move {
        crowded.borrow_and_update();
        if crowded.changed().await.is_err() {
            // The listener is gone: no more changes.
            std::future::pending::<()>().await;
        }
    })
}

/// When a request's headers are due, from which wait this is (`arming`), when it was armed,
/// when the next request's first byte came and whether the slots are running low (see
/// [`ConnectionTimer`]).
fn due(
    arming: u64,
    armed: tokio::time::Instant,
    request_began: Option<tokio::time::Instant>,
    header: Duration,
    idle: Duration,
    crowded: bool,
) -> tokio::time::Instant {
    match (arming, request_began) {
        (1, _) => armed + header,
        (_, Some(began)) => began + header,
        (_, None) if crowded => armed + header,
        (_, None) => armed + idle,
    }
}

impl Future for HeaderDeadline {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // hyper polls this whenever the connection wakes while it waits for headers, which
        // includes each arrival of bytes, so the deadline follows the activity.
        let this = &mut *self;
        let began = this.activity.lock().request_began;
        // Only an idle wait (a kept connection, no byte of its next request yet) listens for
        // the crowding: the first request's wait and a begun request's do not depend on it.
        let idle = this.arming > 1 && began.is_none();
        let crowded = idle && {
            let changes = this
                .crowding_changed
                .get_mut()
                .unwrap_or_else(|e| e.into_inner());
            // Registers for the next change (and takes any that came since the last poll)
            // before reading the state, so that no change goes unheard.
            while changes.as_mut().poll(cx).is_ready() {
                *changes = crowding_change(&this.crowded);
            }
            this.crowded.borrow().0
        };
        let due = due(
            this.arming,
            this.armed,
            began,
            this.header,
            this.idle,
            crowded,
        );
        if this.sleep.deadline() != due {
            this.sleep.as_mut().reset(due);
        }
        this.sleep.as_mut().poll(cx)
    }
}

impl Drop for HeaderDeadline {
    fn drop(&mut self) {
        self.activity.disarm(self.arming);
    }
}

impl hyper::rt::Sleep for HeaderDeadline {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_due_by_which_wait_it_is_and_when_its_first_byte_came() {
        let armed = tokio::time::Instant::now();
        let (header, idle) = (Duration::from_secs(10), Duration::from_secs(75));
        let began = armed + Duration::from_secs(3);
        // A new connection: the headers are due 10 s after it opened, bytes or none.
        for crowded in [false, true] {
            assert_eq!(due(1, armed, None, header, idle, crowded), armed + header);
            assert_eq!(
                due(1, armed, Some(began), header, idle, crowded),
                armed + header
            );
        }
        // A kept connection waits for its next request for the idle limit...
        assert_eq!(due(2, armed, None, header, idle, false), armed + idle);
        // ...or, while the slots run low, for the header timeout...
        assert_eq!(due(2, armed, None, header, idle, true), armed + header);
        // ...and once that request's first byte comes, it has 10 s from there.
        for crowded in [false, true] {
            assert_eq!(
                due(7, armed, Some(began), header, idle, crowded),
                began + header
            );
        }
    }

    #[test]
    fn the_slots_are_crowded_below_an_eighth_free_until_a_quarter_are() {
        let crowding = Crowding::new(16);
        let mut heard = crowding.subscribe();
        let crowded = |heard: &mut watch::Receiver<(bool, usize)>| heard.borrow_and_update().0;
        for _ in 0..14 {
            crowding.opened();
        }
        // 2 of 16 free: an eighth, not below it.
        assert!(!crowded(&mut heard));
        assert!(!heard.has_changed().unwrap());
        crowding.opened();
        assert!(heard.has_changed().unwrap());
        assert!(crowded(&mut heard));
        // Crowded until 4 (a quarter) are free; only changes are told.
        crowding.closed();
        crowding.closed();
        assert!(!heard.has_changed().unwrap(), "3 free: still crowded");
        crowding.closed();
        assert!(heard.has_changed().unwrap());
        assert!(!crowded(&mut heard), "4 free");
        crowding.opened();
        assert!(!heard.has_changed().unwrap(), "3 free: not crowded again");
    }

    #[test]
    fn only_bytes_read_during_a_wait_start_a_request() {
        let activity = Activity::default();
        // Bytes before any wait (none is on) start nothing.
        activity.read();
        assert_eq!(activity.lock().request_began, None);
        let first = activity.arm();
        assert_eq!(first, 1);
        activity.read();
        let began = activity.lock().request_began.expect("a request began");
        activity.read();
        assert_eq!(
            activity.lock().request_began,
            Some(began),
            "the first byte counts"
        );
        activity.disarm(first);
        // A request's body, read after its headers came, starts nothing.
        let body_time = activity.lock().request_began;
        activity.read();
        assert_eq!(activity.lock().request_began, body_time);
        // The next wait starts afresh; an older wait's end does not end it.
        let second = activity.arm();
        assert_eq!(second, 2);
        assert_eq!(activity.lock().request_began, None);
        activity.disarm(first);
        activity.read();
        assert!(activity.lock().request_began.is_some());
    }
}
