//! Drivers for `scripts/bench`. Each prints one JSON object on stdout.
mod analytics;
mod floor;
mod load;
mod noisy;
mod sqlfixture;
mod tenants;

use clap::{Parser, Subcommand};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Closed-loop order inserts through the API: N clients, random tenant per request.
    Load {
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
        /// JSON file: [{"slug": .., "api_key": ..}, ...]
        #[arg(long)]
        tenants: std::path::PathBuf,
        #[arg(long, default_value_t = 50)]
        concurrency: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// GET this path under each tenant (e.g. `/customers?limit=50`) instead of
        /// inserting orders.
        #[arg(long)]
        get: Option<String>,
    },
    /// Provision COUNT tenants named PREFIX_N, one after another; print a key per tenant.
    Provision {
        #[arg(long)]
        count: usize,
        #[arg(long, default_value = "bench")]
        prefix: String,
        /// Also issue one API key per tenant (listed in the output).
        #[arg(long)]
        keys: bool,
        /// free, pro or enterprise (the default plan when left out).
        #[arg(long)]
        plan: Option<String>,
        /// schema or pooled (the default tier when left out).
        #[arg(long)]
        tier: Option<String>,
    },
    /// A quiet tenant at a fixed rate beside (optionally) a noisy one at full tilt.
    Noisy {
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
        #[arg(long)]
        quiet_slug: String,
        #[arg(long)]
        quiet_key: String,
        /// Leave out for the "quiet tenant alone" phase.
        #[arg(long)]
        noisy_slug: Option<String>,
        #[arg(long)]
        noisy_key: Option<String>,
        /// Q's requests per second; 0 plays N alone.
        #[arg(long, default_value_t = 100)]
        rate: u64,
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        #[arg(long, default_value_t = 48)]
        workers: usize,
        #[arg(long, env = "ATRIUM_CONTROL__ADMIN_TOKEN")]
        chaos_token: String,
    },
    /// `atrium migrate` over every tenant with one extra migration, then again with none
    /// pending; optionally after adding registry-only rows to reach a tenant count.
    Migrate {
        #[arg(long, default_value_t = 0)]
        pad_registry_to: i64,
    },
    /// One new migration for every pool schema (all pooled tenants), then none pending.
    MigratePools,
    /// Spool N events, then time the collector shipping them to ClickHouse.
    CollectorThroughput {
        #[arg(long, default_value_t = 1_000_000)]
        events: usize,
    },
    /// Emit at RATE/s for SECONDS with the collector running; time until queryable.
    E2eLatency {
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        #[arg(long, default_value_t = 200)]
        rate: u64,
    },
    /// Dashboard query latency over EVENTS rows spread over TENANTS tenants.
    Dashboards {
        #[arg(long, default_value_t = 10_000_000)]
        events: u64,
        #[arg(long, default_value_t = 100)]
        tenants: u64,
        #[arg(long, default_value_t = 20)]
        samples: usize,
    },
    /// The seed's `GET /save` done with nothing else, until SIGTERM: the least CPU a Rust
    /// service can spend on it (docs/performance.md, "The floor").
    Floor {
        #[arg(long, default_value = "127.0.0.1:13001")]
        listen: std::net::SocketAddr,
        /// The seed's database (`tenant_1` … `tenant_10`, each with `orders`).
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        #[arg(long, default_value_t = 16)]
        connections: usize,
        /// Answer without touching PostgreSQL: the cost of HTTP alone.
        #[arg(long)]
        no_db: bool,
    },
    /// Schema, a fixed data set and every dashboard query, for scripts/sql-compat.
    SqlFixture {
        #[arg(long, default_value_t = 5_000)]
        events: usize,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let out = match Cli::parse().command {
        Command::Load {
            url,
            tenants,
            concurrency,
            seconds,
            get,
        } => load::run(&url, &tenants, concurrency, seconds, get.as_deref()).await?,
        Command::Provision {
            count,
            prefix,
            keys,
            plan,
            tier,
        } => tenants::provision(count, &prefix, keys, plan, tier).await?,
        Command::Noisy {
            url,
            quiet_slug,
            quiet_key,
            noisy_slug,
            noisy_key,
            rate,
            seconds,
            workers,
            chaos_token,
        } => {
            let noisy = noisy_slug
                .zip(noisy_key)
                .map(|(s, k)| noisy::tenant(&s, &k));
            noisy::run(noisy::Noisy {
                url,
                quiet: noisy::tenant(&quiet_slug, &quiet_key),
                noisy,
                rate,
                seconds,
                workers,
                chaos_token,
            })
            .await?
        }
        Command::Migrate { pad_registry_to } => tenants::migrate(pad_registry_to).await?,
        Command::MigratePools => tenants::migrate_pools().await?,
        Command::Floor {
            listen,
            database_url,
            connections,
            no_db,
        } => {
            // Its own single-threaded runtime, off this one's threads.
            std::thread::spawn(move || floor::run(listen, &database_url, connections, no_db))
                .join()
                .map_err(|_| anyhow::anyhow!("the floor server panicked"))??
        }
        Command::SqlFixture { events } => sqlfixture::build(events)?,
        Command::CollectorThroughput { events } => analytics::collector_throughput(events).await?,
        Command::E2eLatency { seconds, rate } => analytics::e2e_latency(seconds, rate).await?,
        Command::Dashboards {
            events,
            tenants,
            samples,
        } => analytics::dashboards(events, tenants, samples).await?,
    };
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

/// p-th percentile of sorted microsecond samples, in milliseconds.
pub fn percentile_ms(sorted_us: &[u64], p: f64) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let idx = ((sorted_us.len() as f64 - 1.0) * p).round() as usize;
    sorted_us[idx.min(sorted_us.len() - 1)] as f64 / 1000.0
}

/// Every dashboard query for one scope, named, exactly as the API builds them, in zones
/// with whole-hour, half-hour and DST offsets. The funnel is a page of a route template
/// → signup → purchase (optionally on the `pro` plan); retention's cohorts end with the
/// week that holds the scope's end.
pub fn dashboard_queries(
    scope: &atrium_analytics::query::Scope,
    pro_purchase: bool,
) -> anyhow::Result<Vec<(&'static str, String)>> {
    use atrium_analytics::{
        funnel::{self, Step},
        next_steps,
        query::{self, Filter},
        retention,
        zone::{Period, Zone},
    };
    let zone = |name: &str| Zone::parse(name).map_err(anyhow::Error::from);
    let (shanghai, kolkata, berlin) = (
        zone("Asia/Shanghai")?,
        zone("Asia/Kolkata")?,
        zone("Europe/Berlin")?,
    );
    let event = |name: &str| Step::Event { name: name.into() };
    let purchase = if pro_purchase {
        Step::Property {
            key: "plan".into(),
            value: "pro".into(),
            name: Some("purchase".into()),
        }
    } else {
        event("purchase")
    };
    let steps = [
        Step::Path {
            route: "/customers/:id".into(),
        },
        event("signup"),
        purchase,
    ];
    let pageviews = Filter {
        name: Some("pageview".into()),
        ..Filter::default()
    };
    let customer_pages = Filter {
        route: Some("/customers/:id".into()),
        ..Filter::default()
    };
    let (weeks, cohorts) = retention::plan(scope.tenant(), berlin, 4, scope.to())?;
    let first_week = weeks
        .first()
        .ok_or_else(|| anyhow::anyhow!("no cohort weeks"))?;
    Ok(vec![
        (
            "trends_day",
            query::trends(scope, shanghai, Period::Day, &Filter::default()),
        ),
        (
            "trends_hour_pageview",
            query::trends(scope, kolkata, Period::Hour, &pageviews),
        ),
        (
            "trends_day_route",
            query::trends(scope, berlin, Period::Day, &customer_pages),
        ),
        (
            "active_users",
            query::active_users(scope, shanghai, &["u1".into(), "u2".into()]),
        ),
        (
            "funnel",
            funnel::sql(scope, &steps, if pro_purchase { 86_400 } else { 3_600 }),
        ),
        ("retention", retention::sql(&cohorts, berlin, first_week)),
        ("paths_next", next_steps::sql(scope, "/customers/:id")),
        ("top_pages", query::top_pages(scope, 10)),
        ("dwell", query::dwell(scope, 10)),
    ])
}
