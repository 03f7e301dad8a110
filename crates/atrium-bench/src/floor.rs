//! The floor: the least CPU any Rust service can spend on the seed's request.
//!
//! It serves the prototype's `GET /save` (`../shared/bench/seed-compare/index.js`) and does
//! exactly its job, `SET search_path` and one `INSERT` into the tenant's `orders`, with
//! nothing else: no authentication, no transaction of its own, no logging, no metrics, no
//! analytics, no routing beyond one path. It uses the same building blocks as Atrium
//! (tokio on one worker thread, hyper, the vendored tokio-postgres with one `Sync` per
//! request) and the cheapest way to use them (connections shared by concurrent requests
//! with no pool checkout, a prepared statement per tenant per connection). What it costs per
//! request under the kit's load is a lower bound for Atrium's API, which does all of
//! that and more (docs/performance.md, "The floor").
//!
//! `--no-db` answers without touching PostgreSQL: the cost of HTTP alone.

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc,
    },
};

use anyhow::Context;
use bytes::Bytes;
use http_body_util::Full;
use hyper::{server::conn::http1, service::service_fn, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio_postgres::{pipeline::Step, Client, NoTls, Statement};

/// The seed's tenants: `tenant_1` … `tenant_10` (its `tenants.sql`).
const TENANTS: usize = 10;

struct Connection {
    client: Client,
    enter: Statement,
    /// One copy of the insert per tenant, so that none is planned again when the
    /// search path changes between executions: its text and its statement.
    insert: Vec<(String, Statement)>,
}

const ENTER: &str = "SELECT set_config('search_path', $1, true)";

struct Floor {
    connections: Vec<Connection>,
    /// Per tenant, made once: its schema name and its answer's body.
    schemas: Vec<String>,
    bodies: Vec<Bytes>,
    next: AtomicUsize,
    served: AtomicU64,
    no_db: bool,
}

pub fn run(
    listen: SocketAddr,
    database_url: &str,
    connections: usize,
    no_db: bool,
) -> anyhow::Result<serde_json::Value> {
    // One worker, as Atrium runs on a 2-core machine (`ATRIUM_WORKER_THREADS`).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(listen, database_url, connections, no_db))
}

async fn serve(
    listen: SocketAddr,
    database_url: &str,
    connections: usize,
    no_db: bool,
) -> anyhow::Result<serde_json::Value> {
    let mut pool = Vec::new();
    for _ in 0..if no_db { 0 } else { connections.max(1) } {
        pool.push(connect(database_url).await?);
    }
    let floor = Arc::new(Floor {
        connections: pool,
        schemas: (1..=TENANTS).map(|t| format!("tenant_{t}")).collect(),
        bodies: (1..=TENANTS)
            .map(|t| {
                Bytes::from(format!(
                    r#"{{"status":"Action Success","tid":"tenant_{t}"}}"#
                ))
            })
            .collect(),
        next: AtomicUsize::new(0),
        served: AtomicU64::new(0),
        no_db,
    });
    let listener = tokio::net::TcpListener::bind(listen).await?;
    eprintln!("floor listening on {listen}; Ctrl-C or SIGTERM ends it");
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = accepted?;
                stream.set_nodelay(true)?;
                let floor = floor.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let floor = floor.clone();
                        async move { Ok::<_, std::convert::Infallible>(floor.handle(req).await) }
                    });
                    // A client that goes away mid-request is not the floor's concern.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            _ = tokio::signal::ctrl_c() => break,
            _ = term.recv() => break,
        }
    }
    Ok(serde_json::json!({ "served": floor.served.load(Ordering::Relaxed) }))
}

async fn connect(url: &str) -> anyhow::Result<Connection> {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .context("connecting to the seed's database")?;
    tokio::spawn(connection);
    let enter = client.prepare(ENTER).await?;
    let mut insert = Vec::with_capacity(TENANTS);
    for t in 1..=TENANTS {
        // Prepared under the tenant's search path, as the seed's insert runs.
        client
            .batch_execute(&format!("SET search_path TO tenant_{t}"))
            .await?;
        let sql =
            format!("/* tenant_{t} */ INSERT INTO orders (item, amount) VALUES ($1, $2::int4)");
        let statement = client.prepare(&sql).await?;
        insert.push((sql, statement));
    }
    Ok(Connection {
        client,
        enter,
        insert,
    })
}

impl Floor {
    async fn handle(&self, req: Request<hyper::body::Incoming>) -> Response<Full<Bytes>> {
        if req.uri().path() != "/save" {
            return reply(StatusCode::NOT_FOUND, Bytes::from_static(b"Not Found"));
        }
        // The seed takes any header value; the floor only its ten tenants.
        let Some(tenant) = req
            .headers()
            .get("x-tenant-id")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("tenant_"))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| (1..=TENANTS).contains(n))
        else {
            return reply(
                StatusCode::BAD_REQUEST,
                Bytes::from_static(b"Missing Tenant ID"),
            );
        };
        if !self.no_db {
            let amount = i32::try_from(self.served.load(Ordering::Relaxed) % 1000).unwrap_or(0);
            if self.insert(tenant, amount).await.is_err() {
                return reply(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Bytes::from_static(b"Internal Error"),
                );
            }
        }
        self.served.fetch_add(1, Ordering::Relaxed);
        reply(StatusCode::OK, self.bodies[tenant - 1].clone())
    }

    async fn insert(&self, tenant: usize, amount: i32) -> Result<(), tokio_postgres::Error> {
        let n = self.next.fetch_add(1, Ordering::Relaxed) % self.connections.len();
        let c = &self.connections[n];
        let schema = &self.schemas[tenant - 1];
        let item = "SaaS_Order";
        // Both under one Sync: one implicit transaction, one answer.
        let answers = c
            .client
            .pipeline(&[
                Step {
                    statement: &c.enter,
                    text: ENTER,
                    params: &[schema],
                },
                Step {
                    statement: &c.insert[tenant - 1].1,
                    text: &c.insert[tenant - 1].0,
                    params: &[&item, &amount],
                },
            ])
            .await?;
        for answer in answers {
            answer?;
        }
        Ok(())
    }
}

fn reply(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    if status == StatusCode::OK {
        response.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/json"),
        );
    }
    response
}
