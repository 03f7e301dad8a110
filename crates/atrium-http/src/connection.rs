//! One accepted connection, served with bounds hyper alone does not give: hyper's
//! header-read timeout also runs while a kept-alive connection waits for its next
//! request, so it cannot tell "slow headers" (cut soon) from "idle between requests"
//! (allowed longer). A watchdog here tracks which of the two a connection is in.

use std::{
    io,
    net::SocketAddr,
    pin::{pin, Pin},
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::Duration,
};

use atrium_core::health::Lifecycle;
use axum::{extract::ConnectInfo, Router};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::conn::auto::Builder,
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
    sync::{watch, OwnedSemaphorePermit},
    time::Instant,
};
use tower::ServiceExt;

/// The per-connection time bounds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timeouts {
    pub header_read: Duration,
    pub idle: Duration,
}

/// What a connection is doing, as far as the time bounds care.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Waiting for a request's headers to be complete, since the connection was
    /// accepted or the first byte of this request arrived.
    Head { since: Instant },
    /// Between requests, with no byte moved since.
    Idle { since: Instant },
    /// Requests being handled; the whole-request timeout bounds them.
    Busy { requests: usize },
}

struct Activity(Mutex<Phase>);

impl Activity {
    fn update(&self, f: impl FnOnce(Phase) -> Phase) {
        if let Ok(mut phase) = self.0.lock() {
            *phase = f(*phase);
        }
    }

    fn phase(&self) -> Phase {
        self.0
            .lock()
            .map(|p| *p)
            .unwrap_or(Phase::Busy { requests: 0 })
    }

    fn bytes_read(&self) {
        self.update(|p| match p {
            Phase::Idle { .. } => Phase::Head {
                since: Instant::now(),
            },
            other => other,
        });
    }

    /// A response streaming to a slow reader is not idleness.
    fn bytes_written(&self) {
        self.update(|p| match p {
            Phase::Idle { .. } => Phase::Idle {
                since: Instant::now(),
            },
            other => other,
        });
    }

    /// The head is parsed once hyper calls the service.
    fn request_started(self: &Arc<Self>) -> RequestGuard {
        self.update(|p| match p {
            Phase::Busy { requests } => Phase::Busy {
                requests: requests + 1,
            },
            _ => Phase::Busy { requests: 1 },
        });
        RequestGuard(self.clone())
    }

    /// When the connection must be closed, and why; `None` while requests run.
    fn deadline(&self, t: Timeouts) -> Option<(Instant, &'static str)> {
        match self.phase() {
            Phase::Head { since } => Some((since + t.header_read, "header_read")),
            Phase::Idle { since } => Some((since + t.idle, "idle")),
            Phase::Busy { .. } => None,
        }
    }
}

/// Ends a request's busy time even when its future is dropped (client gone, timeout).
struct RequestGuard(Arc<Activity>);

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.0.update(|p| match p {
            Phase::Busy { requests } if requests > 1 => Phase::Busy {
                requests: requests - 1,
            },
            _ => Phase::Idle {
                since: Instant::now(),
            },
        });
    }
}

/// The socket, reporting every byte moved to the connection's [`Activity`].
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            this.activity.bytes_read();
        }
        result
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let result = Pin::new(&mut this.inner).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            this.activity.bytes_written();
        }
        result
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Everything one connection task needs besides its socket.
pub(crate) struct Serving {
    pub service: &'static str,
    pub router: Router,
    pub timeouts: Timeouts,
    pub lifecycle: Arc<Lifecycle>,
    /// Dropped when the connection ends; the server waits for all of them to drain.
    pub open: watch::Receiver<()>,
    pub permit: OwnedSemaphorePermit,
}

/// Serves HTTP/1 and HTTP/2 on `stream` until the client leaves, a time bound passes, or
/// shutdown lets the request in flight finish.
pub(crate) async fn serve(stream: TcpStream, remote: SocketAddr, s: Serving) {
    let activity = Arc::new(Activity(Mutex::new(Phase::Head {
        since: Instant::now(),
    })));
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: activity.clone(),
    });
    let (router, tracked) = (s.router, activity.clone());
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        let guard = tracked.request_started();
        req.extensions_mut().insert(ConnectInfo(remote));
        let call = router.clone().oneshot(req.map(axum::body::Body::new));
        async move {
            let response = call.await;
            drop(guard);
            response
        }
    });
    let builder = Builder::new(TokioExecutor::new());
    let mut conn = pin!(builder.serve_connection_with_upgrades(io, service));
    let mut shutdown = pin!(s.lifecycle.shutdown_requested());
    let mut draining = false;
    metrics::gauge!("http_connections_open", "service" => s.service).increment(1.0);
    loop {
        let deadline = activity.deadline(s.timeouts);
        // Look again within one header-read bound whatever the phase: a byte on an idle
        // keep-alive connection starts a head whose (earlier) deadline must not wait
        // for the idle one. While busy, the whole-request timeout ends a request.
        let soon = Instant::now() + s.timeouts.header_read;
        let wake = deadline.map_or(soon, |(at, _)| at.min(soon));
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
                break;
            }
            () = &mut shutdown, if !draining => {
                draining = true;
                conn.as_mut().graceful_shutdown();
            }
            () = tokio::time::sleep_until(wake) => {
                if let Some((at, reason)) = activity.deadline(s.timeouts) {
                    if at <= Instant::now() {
                        metrics::counter!("http_connections_timed_out_total",
                            "service" => s.service, "reason" => reason).increment(1);
                        tracing::debug!(%remote, reason, "closing connection past its time bound");
                        break;
                    }
                }
            }
        }
    }
    metrics::gauge!("http_connections_open", "service" => s.service).decrement(1.0);
    drop((s.open, s.permit));
}
