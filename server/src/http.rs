//! The listener: the accept loop with its limits (a cap on connections, a timer on reading a
//! request's headers, another on a kept connection's idle time), and graceful shutdown on
//! SIGTERM or SIGINT.
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
    /// on it, which the client sees as a 502.
    pub keep_alive_idle: Duration,
    /// How long open connections get to finish after a shutdown signal.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
            keep_alive_idle: Duration::from_secs(75),
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
        let activity = Arc::new(Activity::default());
        let mut builder = builder.clone();
        builder.http1().timer(ConnectionTimer {
            activity: activity.clone(),
            header: limits.header_read_timeout,
            idle: limits.keep_alive_idle,
        });
        let service = TowerToHyperService::new(app.clone());
        let connection = builder
            .serve_connection(TokioIo::new(Watched { stream, activity }), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
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

/// What one connection's reads and writes tell its header timer.
#[derive(Debug, Default)]
struct Activity(Mutex<Seen>);

#[derive(Clone, Copy, Debug, Default)]
struct Seen {
    /// A response has begun on this connection, so the next request comes on a kept connection.
    answered: bool,
    /// When the first byte after the last one written arrived: the next request's start.
    request_began: Option<Instant>,
}

impl Activity {
    fn seen(&self) -> Seen {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn read(&self) {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        seen.request_began.get_or_insert_with(Instant::now);
    }

    fn wrote(&self) {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        seen.answered = true;
        seen.request_began = None;
    }
}

/// A connection's socket, noting in its [`Activity`] when bytes come and go.
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
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
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.wrote();
        }
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.wrote();
        }
        polled
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

/// One connection's timer for hyper's header-read timeout, which hyper arms both when a
/// connection opens and when a kept connection waits for its next request: one timer for two
/// limits. This one tells them apart by the connection's [`Activity`]:
/// - before the first answer, the headers are due `header` after the connection opened (a
///   client that connects and says nothing is cut off as before);
/// - on a kept connection, a request whose first byte has come has `header` from that byte;
/// - a kept connection with no new byte may idle for `idle`.
#[derive(Clone, Debug)]
struct ConnectionTimer {
    activity: Arc<Activity>,
    header: Duration,
    idle: Duration,
}

impl hyper::rt::Timer for ConnectionTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep_until(Instant::now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(HeaderDeadline {
            activity: self.activity.clone(),
            armed: deadline.checked_sub(self.header).unwrap_or(deadline),
            header: self.header,
            idle: self.idle,
            sleep: Box::pin(tokio::time::sleep_until(deadline.into())),
        })
    }
}

/// The deadline [`ConnectionTimer`] hands hyper; it moves as the connection's activity changes.
struct HeaderDeadline {
    activity: Arc<Activity>,
    /// When hyper armed the timer.
    armed: Instant,
    header: Duration,
    idle: Duration,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl HeaderDeadline {
    fn due(&self) -> Instant {
        due(self.activity.seen(), self.armed, self.header, self.idle)
    }
}

/// When a request's headers are due, from what the connection has seen (see
/// [`ConnectionTimer`]).
fn due(seen: Seen, armed: Instant, header: Duration, idle: Duration) -> Instant {
    match (seen.answered, seen.request_began) {
        (false, _) => armed + header,
        (true, Some(began)) => began.max(armed) + header,
        (true, None) => armed + idle,
    }
}

impl Future for HeaderDeadline {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // hyper polls this whenever the connection wakes while it waits for headers, which
        // includes each arrival of bytes, so the deadline follows the activity.
        let due = tokio::time::Instant::from_std(self.due());
        if self.sleep.deadline() != due {
            self.sleep.as_mut().reset(due);
        }
        self.sleep.as_mut().poll(cx)
    }
}

impl hyper::rt::Sleep for HeaderDeadline {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_due_by_what_the_connection_has_seen() {
        let armed = Instant::now();
        let (header, idle) = (Duration::from_secs(10), Duration::from_secs(75));
        let due = |seen| due(seen, armed, header, idle);
        let fresh = Seen::default();
        // A new connection: the headers are due 10 s after it opened, bytes or none.
        assert_eq!(due(fresh), armed + header);
        let began = armed + Duration::from_secs(3);
        let partial = Seen {
            request_began: Some(began),
            ..fresh
        };
        assert_eq!(due(partial), armed + header);
        // A kept connection waits for its next request for the idle limit...
        let kept = Seen {
            answered: true,
            request_began: None,
        };
        assert_eq!(due(kept), armed + idle);
        // ...and once that request's first byte comes, it has 10 s from there.
        let next = Seen {
            request_began: Some(began),
            ..kept
        };
        assert_eq!(due(next), began + header);
        // Bytes that came before the timer was armed (a pipelined request) count from the arming.
        let early = Seen {
            request_began: Some(armed - Duration::from_secs(1)),
            ..kept
        };
        assert_eq!(due(early), armed + header);
    }

    #[test]
    fn reads_start_a_request_and_writes_end_it() {
        let activity = Activity::default();
        activity.read();
        let first = activity.seen().request_began.unwrap();
        activity.read();
        assert_eq!(
            activity.seen().request_began,
            Some(first),
            "the first byte counts"
        );
        assert!(!activity.seen().answered);
        activity.wrote();
        assert!(activity.seen().answered);
        assert_eq!(activity.seen().request_began, None);
    }
}
