//! A server loop that binds at build time, bounds every connection, and drains on
//! shutdown. `/metrics` is served on a listener of its own (`metrics_listen`, internal
//! by default) and never on the public one.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use atrium_core::{config::HttpConfig, health::Lifecycle};
use axum::{routing::get, Router};
use tokio::{
    net::TcpListener,
    sync::{watch, Semaphore},
};

use crate::connection::{self, Serving, Timeouts};

/// Bound listeners with their routers and lifecycle, ready to serve. Binding happens at
/// build time so tests can ask for port 0 and learn the ports before serving.
pub struct Server {
    public: Listener,
    metrics: Listener,
    lifecycle: Arc<Lifecycle>,
    drain: Duration,
    name: &'static str,
}

struct Listener {
    port: u16,
    socket: TcpListener,
    router: Router,
    timeouts: Timeouts,
    /// Open connections at most; one permit per connection.
    slots: Arc<Semaphore>,
}

impl Listener {
    async fn bind(addr: SocketAddr, router: Router, http: &HttpConfig) -> std::io::Result<Self> {
        let socket = TcpListener::bind(addr).await?;
        Ok(Self {
            port: socket.local_addr()?.port(),
            socket,
            router,
            timeouts: Timeouts {
                header_read: http.header_read_timeout(),
                idle: http.idle_timeout(),
            },
            slots: Arc::new(Semaphore::new(http.max_connections)),
        })
    }

    /// Accepts until shutdown is requested; each connection gets a task, and a permit
    /// or, past `max_connections`, an immediate close. Returns the receiver every
    /// connection holds a clone of, so the caller can wait for them to end.
    async fn accept_until_shutdown(
        self,
        name: &'static str,
        lifecycle: Arc<Lifecycle>,
    ) -> watch::Sender<()> {
        let (open_tx, open_rx) = watch::channel(());
        let mut shutdown = std::pin::pin!(lifecycle.shutdown_requested());
        loop {
            let (stream, remote) = tokio::select! {
                accepted = self.socket.accept() => match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // Out of file descriptors and the like: back off, don't spin.
                        tracing::warn!(service = name, error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let Ok(permit) = self.slots.clone().try_acquire_owned() else {
                metrics::counter!("http_connections_refused_total", "service" => name).increment(1);
                drop(stream);
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(connection::serve(
                stream,
                remote,
                Serving {
                    service: name,
                    router: self.router.clone(),
                    timeouts: self.timeouts,
                    lifecycle: lifecycle.clone(),
                    open: open_rx.clone(),
                    permit,
                },
            ));
        }
        open_tx
    }
}

impl Server {
    /// Binds `listen` for `router` and `http.metrics_listen` for `/metrics`.
    pub async fn bind(
        name: &'static str,
        listen: SocketAddr,
        router: Router,
        http: &HttpConfig,
        lifecycle: Arc<Lifecycle>,
    ) -> std::io::Result<Self> {
        let public = Listener::bind(listen, router, http).await?;
        // Readiness as a gauge, checked when Prometheus scrapes (bounded like /readyz), so
        // an alert can say "not ready for 2 minutes" where no orchestrator polls /readyz.
        let ready = lifecycle.clone();
        let metrics_router = Router::new().route(
            "/metrics",
            get(move || async move {
                let ok = ready.readiness().await.is_ok();
                metrics::gauge!("process_ready").set(if ok { 1.0 } else { 0.0 });
                crate::metrics::render()
            }),
        );
        let metrics = Listener::bind(http.metrics_listen, metrics_router, http).await?;
        lifecycle.mark_started();
        Ok(Self {
            public,
            metrics,
            lifecycle,
            drain: http.shutdown_timeout(),
            name,
        })
    }

    pub fn port(&self) -> u16 {
        self.public.port
    }

    /// The internal listener's port, where `/metrics` is.
    pub fn metrics_port(&self) -> u16 {
        self.metrics.port
    }

    pub fn lifecycle(&self) -> Arc<Lifecycle> {
        self.lifecycle.clone()
    }

    /// Serves until shutdown is requested, then stops accepting and drains in-flight
    /// requests for at most the configured drain time.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let (name, lifecycle, drain) = (self.name, self.lifecycle, self.drain);
        tracing::info!(
            service = name,
            port = self.public.port,
            metrics_port = self.metrics.port,
            "listening"
        );
        let (public, metrics) = tokio::join!(
            self.public.accept_until_shutdown(name, lifecycle.clone()),
            self.metrics.accept_until_shutdown(name, lifecycle.clone()),
        );
        let drained = async { tokio::join!(public.closed(), metrics.closed()) };
        if tokio::time::timeout(drain, drained).await.is_err() {
            tracing::warn!(
                drain_s = drain.as_secs(),
                "drain timeout reached; closing remaining connections"
            );
        }
        Ok(())
    }
}

/// SIGTERM or Ctrl-C begins shutdown.
pub fn shutdown_on_signals(lifecycle: Arc<Lifecycle>) {
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot install SIGTERM handler");
                        return;
                    }
                };
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        lifecycle.begin_shutdown();
    });
}
