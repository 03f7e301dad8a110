//! A server loop that binds at build time and drains on shutdown.

use std::{sync::Arc, time::Duration};

use atrium_core::health::Lifecycle;
use axum::Router;

/// A bound listener with its router and lifecycle, ready to serve. Binding happens at
/// build time so tests can ask for port 0 and learn the port before serving.
pub struct Server {
    port: u16,
    listener: tokio::net::TcpListener,
    router: Router,
    lifecycle: Arc<Lifecycle>,
    drain: Duration,
    name: &'static str,
}

impl Server {
    pub async fn bind(
        name: &'static str,
        listen: std::net::SocketAddr,
        router: Router,
        lifecycle: Arc<Lifecycle>,
        drain: Duration,
    ) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let port = listener.local_addr()?.port();
        lifecycle.mark_started();
        Ok(Self {
            port,
            listener,
            router,
            lifecycle,
            drain,
            name,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn lifecycle(&self) -> Arc<Lifecycle> {
        self.lifecycle.clone()
    }

    /// Serves until shutdown is requested, then stops accepting and drains in-flight
    /// requests for at most the configured drain time.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        tracing::info!(service = self.name, port = self.port, "listening");
        let graceful = self.lifecycle.clone();
        // The peer address goes into every request: sign-in throttling keys on it.
        let app = self
            .router
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        let server = axum::serve(self.listener, app).with_graceful_shutdown(async move {
            graceful.shutdown_requested().await;
        });
        let (lifecycle, drain) = (self.lifecycle, self.drain);
        tokio::select! {
            result = server => result,
            () = async { lifecycle.shutdown_requested().await; tokio::time::sleep(drain).await } => {
                tracing::warn!(drain_s = drain.as_secs(), "drain timeout reached; closing remaining connections");
                Ok(())
            }
        }
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
