use std::{path::PathBuf, process::ExitCode};

use anyhow::Context;
use atrium_control::{migrate::Progress, provision::NewTenant, Control};
use atrium_core::config::{Config, SecretName};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "atrium",
    version,
    about = "Atrium: multi-tenant CRM with built-in product analytics"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the data plane (tenant-scoped CRM API).
    Api {
        /// Learning mode: accept ?tid=<slug> without an API key. Never in production.
        #[arg(long)]
        dev_tenant_param: bool,
    },
    /// Run the control plane (operator API).
    Control,
    /// Run the collector sidecar: ship the event spool to ClickHouse.
    Collector,
    /// Apply control migrations, then pending tenant migrations to every tenant.
    Migrate {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// One-time superuser setup: database and the two login roles named in the
    /// configured database URLs. Reads the superuser URL from ATRIUM_SUPERUSER_URL(_FILE).
    Bootstrap,
    /// Tenant lifecycle from the command line (same actions as the operator API).
    Tenant {
        #[command(subcommand)]
        action: TenantAction,
    },
    /// The PostgreSQL clusters tenants are placed on (docs/scale-out.md).
    Cluster {
        #[command(subcommand)]
        action: ClusterAction,
    },
    /// Create an operator for the console, or set a new password for one (which ends
    /// their sessions and leaves a disabled operator disabled). The password comes from
    /// ATRIUM_OPERATOR_PASSWORD, or else the first line of stdin, never argv. With
    /// --disable or --enable, only that (audited); no password is read.
    Operator {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: Option<String>,
        /// Disable the operator and end their sessions.
        #[arg(long, conflicts_with_all = ["enable", "name"])]
        disable: bool,
        /// Enable a disabled operator again.
        #[arg(long, conflicts_with = "name")]
        enable: bool,
    },
    /// Backups with pgBackRest (configured by ATRIUM_CONTROL__BACKUP__PGBACKREST_CONFIG):
    /// the WAL archive plus full, differential and incremental backups.
    Backup {
        #[command(subcommand)]
        action: BackupAction,
    },
    /// Provision the demo tenants with sample data and print a key for each, as JSON.
    SeedDemo,
    /// Print a plane's OpenAPI document (what it serves at /v1/openapi.json) as JSON.
    Openapi {
        #[arg(value_enum)]
        plane: Plane,
    },
    /// Probe a local endpoint (for container health checks without curl): exits 0 on 2xx.
    Healthcheck {
        #[arg(default_value = "http://127.0.0.1:8080/livez")]
        url: String,
        #[arg(long, default_value_t = 1000)]
        timeout_ms: u64,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Plane {
    /// The tenant API (`atrium api`).
    Api,
    /// The operator API (`atrium control`).
    Control,
}

#[derive(Subcommand)]
enum BackupAction {
    /// Create the stanza (idempotent) and check that WAL archiving reaches the repository.
    Init,
    /// Take a backup now.
    Run {
        #[arg(long = "type", default_value = "incr", value_parser = ["full", "diff", "incr"])]
        kind: String,
    },
    /// The backups in the repository, oldest first, and the newest one's age.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Check archiving, then read every file in the repository against its checksum.
    Verify,
    /// Analytics: freeze the events table (ALTER TABLE … FREEZE; hard links, taken while
    /// inserts go on) and print the directory holding the copy. Runs beside ClickHouse.
    Analytics {
        /// ClickHouse's data directory (`path` in its config).
        #[arg(long)]
        data_dir: PathBuf,
    },
    /// Analytics: attach the parts of a frozen copy to the events table again.
    AnalyticsRestore {
        #[arg(long)]
        data_dir: PathBuf,
        /// The directory `atrium backup analytics` printed (or its copy).
        #[arg(long)]
        from: PathBuf,
    },
}

#[derive(Subcommand)]
enum ClusterAction {
    /// Register a bootstrapped cluster and open it for new tenants. URLs are given by
    /// reference, `env:NAME` or `file:/path`, resolved by each process in its own
    /// environment: the registry never holds a password.
    Add {
        name: String,
        #[arg(long)]
        control_url_ref: String,
        #[arg(long)]
        api_url_ref: String,
        /// Placement stops choosing the cluster at this many live tenants.
        #[arg(long)]
        max_tenants: Option<i32>,
        /// Placement stops choosing the cluster once its tenants' size reaches this.
        #[arg(long)]
        max_bytes: Option<i64>,
        /// One tenant only, provisioned with `--cluster NAME`.
        #[arg(long)]
        dedicated: bool,
        /// The API URL goes through a pooler in transaction mode (PgBouncer before
        /// 1.21): keep no prepared statement on the server.
        #[arg(long)]
        no_prepared_statements: bool,
    },
    /// Change how the data plane uses a cluster; every API process makes its pool again,
    /// reading the cluster's reference (with no flag, that is all it does).
    Set {
        name: String,
        /// false before a transaction-mode pooler goes in front of the cluster's API URL.
        #[arg(long)]
        prepared_statements: Option<bool>,
    },
    /// Every cluster with its state, capacity hints and live tenants.
    List,
    /// Place no new tenants on the cluster; its tenants stay and are served.
    Drain { name: String },
    /// Place new tenants on a drained cluster again.
    Open { name: String },
    /// Forget an empty cluster.
    Remove { name: String },
}

#[derive(Subcommand)]
enum TenantAction {
    Create {
        slug: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        plan: Option<String>,
        /// ISO 4217 (default: control.tenant_defaults.currency).
        #[arg(long)]
        currency: Option<String>,
        /// IANA time zone (default: control.tenant_defaults.timezone).
        #[arg(long)]
        timezone: Option<String>,
        /// `schema` (its own schema and role) or `pooled` (rows in a shared pool schema
        /// behind row-level security). Default: the plan's (free: pooled, else schema).
        #[arg(long)]
        tier: Option<String>,
        /// The cluster to place it on. Default: the open cluster with the most room.
        #[arg(long)]
        cluster: Option<String>,
    },
    List,
    Get {
        slug: String,
    },
    /// Stop serving the tenant; the reason is audited, never shown to its users.
    Suspend {
        slug: String,
        #[arg(long)]
        reason: String,
    },
    Resume {
        slug: String,
    },
    /// Suspend, export, drop schema and role, keep a tombstone.
    Delete {
        slug: String,
    },
    /// Export a live tenant now (a consistent snapshot while writes go on); prints the
    /// tenant, whose export_path names the file.
    Export {
        slug: String,
    },
    /// Provision SLUG from an export file (--file), or restore SLUG as it was at a
    /// moment (--at, from the backups): its own data replaced, or beside it as a copy
    /// under a new slug (--as).
    Restore {
        slug: String,
        #[arg(long, required_unless_present = "at", conflicts_with = "at")]
        file: Option<PathBuf>,
        /// The moment, RFC 3339 (2026-12-02T10:30:00Z).
        #[arg(long)]
        at: Option<chrono::DateTime<chrono::Utc>>,
        /// Restore as a new tenant with this slug instead of replacing SLUG's data.
        #[arg(long = "as", requires = "at")]
        as_slug: Option<String>,
    },
    /// Move the tenant to another isolation tier while it keeps working: its rows are
    /// copied and kept in sync, then its requests pause briefly while the placement
    /// flips (docs/isolation-tiers.md, "Moves").
    Move {
        slug: String,
        /// `schema` or `pooled`: another tier, on the tenant's cluster.
        #[arg(long, conflicts_with = "to", required_unless_present = "to")]
        tier: Option<String>,
        /// Another cluster, in the tenant's tier (docs/scale-out.md).
        #[arg(long)]
        to: Option<String>,
    },
    /// The tenant's moves (between tiers and between clusters), newest first.
    Moves {
        slug: String,
    },
    /// psql as the tenant (schema tier): a login role made for this session that can
    /// only become the tenant's role, with its search_path; dropped when psql exits.
    /// Arguments after `--` go to psql (`-- -c 'SELECT current_user'`).
    Psql {
        slug: String,
        /// How long the role may log in, at most (it is dropped on exit anyway).
        #[arg(long, default_value_t = atrium_control::sql_console::DEFAULT_MINUTES)]
        minutes: i32,
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Issue an API key (printed once).
    KeyCreate {
        slug: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// Revoke a key by its id.
    KeyRevoke {
        slug: String,
        id: String,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Healthcheck { url, timeout_ms } = &cli.command {
        return atrium_core::probe::run(url, *timeout_ms);
    }
    // Needs no config: the documents are built from the code alone.
    if let Command::Openapi { plane } = &cli.command {
        return print_openapi(*plane);
    }
    let config = match Config::load() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("atrium: {e}");
            return ExitCode::from(2);
        }
    };
    // Held to the end of main: dropping it flushes the lines still queued.
    let _log = atrium_core::telemetry::init(config.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.runtime_workers())
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("atrium: cannot start runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("atrium: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn print_openapi(plane: Plane) -> ExitCode {
    let doc = match plane {
        Plane::Api => atrium_api::http::openapi(),
        Plane::Control => atrium_control::http::openapi(),
    };
    match serde_json::to_string_pretty(&doc) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("atrium: {e}");
            ExitCode::FAILURE
        }
    }
}

fn actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

fn print(value: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

async fn run(command: Command, mut config: Config) -> anyhow::Result<ExitCode> {
    use SecretName::*;
    let needed: &[_] = match &command {
        Command::Api { .. } => &[ApiDatabaseUrl, ClickHouseReader],
        Command::Control => &[ControlDatabaseUrl, AdminToken, ClickHouseAdmin],
        Command::Collector => &[MaskSalt, ClickHouseWriter],
        Command::Bootstrap => &[ControlDatabaseUrl, ApiDatabaseUrl],
        Command::Migrate { .. } | Command::Tenant { .. } => &[ControlDatabaseUrl, ClickHouseAdmin],
        Command::Backup {
            action: BackupAction::Analytics { .. } | BackupAction::AnalyticsRestore { .. },
        } => &[ClickHouseAdmin],
        Command::Backup { .. } => &[ControlDatabaseUrl],
        Command::Operator { .. } | Command::SeedDemo | Command::Cluster { .. } => {
            &[ControlDatabaseUrl]
        }
        Command::Healthcheck { .. } | Command::Openapi { .. } => &[],
    };
    config.require_secrets(needed)?;
    if matches!(
        command,
        Command::Api { .. } | Command::Control | Command::Collector
    ) {
        config.refuse_superuser()?;
    }
    match command {
        Command::Api { dev_tenant_param } => {
            config.api.dev_tenant_param |= dev_tenant_param;
            config.validate()?;
            let app = atrium_api::Application::build(config).await?;
            atrium_http::shutdown_on_signals(app.server.lifecycle());
            app.run_until_stopped().await?;
        }
        Command::Control => {
            let app = atrium_control::http::Application::build(config).await?;
            atrium_http::shutdown_on_signals(app.server.lifecycle());
            app.run_until_stopped().await?;
        }
        Command::Collector => {
            let app = atrium_collector::Application::build(&config).await?;
            atrium_http::shutdown_on_signals(app.server.lifecycle());
            app.run_until_stopped().await?;
        }
        Command::Migrate { json } => {
            let control = Control::new(config.control.clone())?;
            let applied = control.migrate_control().await?;
            if !applied.is_empty() && !json {
                println!("control migrations applied: {applied:?}");
            }
            let mut clusters_failed = false;
            for c in control.migrate_clusters().await? {
                clusters_failed |= c.error.is_some();
                match (&c.error, json) {
                    (Some(e), _) => {
                        eprintln!("cluster {}: control migrations FAILED: {e}", c.cluster)
                    }
                    (None, false) if !c.applied.is_empty() => {
                        println!(
                            "cluster {}: control migrations applied: {:?}",
                            c.cluster, c.applied
                        )
                    }
                    _ => {}
                }
            }
            if !config.clickhouse.url.is_empty() {
                let ch = atrium_analytics::clickhouse::ClickHouse::new(
                    &config.clickhouse,
                    &config.clickhouse.admin,
                )?;
                let applied = ch.migrate().await.context("clickhouse migrations")?;
                if !applied.is_empty() && !json {
                    println!("clickhouse migrations applied: {applied:?}");
                }
            }
            let control = control.with_clickhouse(&config.clickhouse)?;
            let purged = control.purge_owed(&actor()).await?;
            if purged > 0 && !json {
                println!("owed analytics purges done: {purged}");
            }
            let bar = crate::progress::Bar::default();
            let progress: &dyn Progress =
                if std::io::IsTerminal::is_terminal(&std::io::stderr()) && !json {
                    &bar
                } else {
                    &()
                };
            let report = control
                .migrate_tenants(atrium_control::schema::TENANT, progress)
                .await?;
            if json {
                print(&report)?;
            } else {
                println!("{}", report.summary());
            }
            if !report.failed.is_empty() || !report.pools_failed.is_empty() || clusters_failed {
                return Ok(ExitCode::from(3));
            }
        }
        Command::Bootstrap => bootstrap(&config).await?,
        Command::Backup {
            action: BackupAction::Analytics { data_dir },
        } => {
            let frozen =
                atrium_analytics::backup::freeze_events(&clickhouse_admin(&config)?, &data_dir)
                    .await?;
            println!("{}", frozen.display());
        }
        Command::Backup {
            action: BackupAction::AnalyticsRestore { data_dir, from },
        } => {
            let ch = clickhouse_admin(&config)?;
            let attached = atrium_analytics::backup::restore_events(&ch, &data_dir, &from).await?;
            println!("partitions attached: {}", attached.join(", "));
        }
        Command::Backup { action } => backup(Control::new(config.control)?, action).await?,
        Command::Cluster { action } => cluster(Control::new(config.control)?, action).await?,
        Command::Tenant {
            action:
                TenantAction::Psql {
                    slug,
                    minutes,
                    args,
                },
        } => {
            let control = Control::new(config.control)?;
            return crate::psql::run(&control, &slug, &actor(), minutes, &args).await;
        }
        Command::Tenant { action } => {
            tenant(
                Control::new(config.control)?.with_clickhouse(&config.clickhouse)?,
                action,
            )
            .await?
        }
        Command::Operator {
            email,
            disable: true,
            ..
        } => set_operator_disabled(&config, &email, true).await?,
        Command::Operator {
            email,
            enable: true,
            ..
        } => set_operator_disabled(&config, &email, false).await?,
        Command::Operator { email, name, .. } => {
            let password = match std::env::var("ATRIUM_OPERATOR_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let control = Control::new(config.control.clone())?;
            control.migrate_control().await?;
            let op = control
                .upsert_operator(&email, name.as_deref(), &password, &actor())
                .await?;
            match op.disabled_at {
                None => println!("operator {} ({}) can sign in", op.email, op.id),
                Some(_) => println!(
                    "operator {} ({}) has a new password but is disabled (--enable to let them in)",
                    op.email, op.id
                ),
            }
        }
        Command::SeedDemo => {
            let control = Control::new(config.control.clone())?;
            control.migrate_control().await?;
            let demo = control
                .seed_demo(
                    &[
                        ("acme", "Acme Corporation"),
                        ("globex", "Globex Industries"),
                    ],
                    &actor(),
                )
                .await?;
            if config.analytics.enabled {
                seed_demo_events(&config, &demo)?;
            }
            print(&demo)?;
        }
        Command::Healthcheck { .. } | Command::Openapi { .. } => {
            unreachable!("handled before config loads")
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Eight weeks of tracking events per demo tenant, into the spool for the collector to
/// ship. Stable event ids make a rerun a no-op once ClickHouse dedups.
fn seed_demo_events(
    config: &Config,
    demo: &[atrium_control::demo::DemoTenant],
) -> anyhow::Result<()> {
    let (emitter, writer) = atrium_analytics::spool::start(&config.analytics)?;
    for (i, t) in demo.iter().enumerate() {
        for e in atrium_analytics::demo::weeks_of_events(&t.slug, i as u64 + 1) {
            emitter.emit_blocking(e);
        }
    }
    let stats = emitter.stats.clone();
    drop(emitter);
    let _ = writer.join();
    let spooled = stats.spooled.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!(
        "demo events spooled: {spooled} (dropped: {})",
        stats.dropped()
    );
    Ok(())
}

fn clickhouse_admin(config: &Config) -> anyhow::Result<atrium_analytics::clickhouse::ClickHouse> {
    anyhow::ensure!(
        !config.clickhouse.url.is_empty(),
        "no ClickHouse configured (ATRIUM_CLICKHOUSE__URL)"
    );
    atrium_analytics::clickhouse::ClickHouse::new(&config.clickhouse, &config.clickhouse.admin)
}

async fn backup(control: Control, action: BackupAction) -> anyhow::Result<()> {
    use atrium_control::backup::{BackupType, PgBackRest};
    match action {
        BackupAction::Init => {
            PgBackRest::require(&control.config.backup)?
                .create_stanza()
                .await?;
            println!(
                "backups ready: stanza '{}', WAL archiving checked",
                control.config.backup.stanza
            );
        }
        BackupAction::Run { kind } => {
            let set = control
                .run_backup(BackupType::parse(&kind)?, &actor())
                .await?;
            println!(
                "{} backup {} taken: {} MB of data, {} MB added to the repository",
                kind,
                set.label,
                set.database_bytes / 1_000_000,
                set.repository_bytes / 1_000_000
            );
        }
        BackupAction::List { json: true } => print(&control.backup_overview().await?)?,
        BackupAction::List { json: false } => {
            let o = control.backup_overview().await?;
            for b in &o.backups {
                println!(
                    "{:<36} {:<4} finished {}  {:>8} MB data  {:>8} MB in repository",
                    b.label,
                    format!("{:?}", b.r#type).to_lowercase(),
                    b.finished_at.to_rfc3339(),
                    b.database_bytes / 1_000_000,
                    b.repository_bytes / 1_000_000
                );
            }
            match (o.newest_age_s, o.stale) {
                (None, _) => println!("no backup yet"),
                (Some(age), stale) => println!(
                    "newest backup: {age} s old (bound {} s){}",
                    o.max_age_s,
                    if stale { ": STALE" } else { "" }
                ),
            }
        }
        BackupAction::Verify => {
            control.verify_backups(&actor()).await?;
            println!("backups verified: archiving works and every file matches its checksum");
        }
        BackupAction::Analytics { .. } | BackupAction::AnalyticsRestore { .. } => {
            unreachable!("handled without the control plane")
        }
    }
    Ok(())
}

async fn cluster(control: Control, action: ClusterAction) -> anyhow::Result<()> {
    let who = actor();
    match action {
        ClusterAction::Add {
            name,
            control_url_ref,
            api_url_ref,
            max_tenants,
            max_bytes,
            dedicated,
            no_prepared_statements,
        } => {
            let new = atrium_control::clusters::NewCluster {
                name,
                control_url_ref,
                api_url_ref,
                max_tenants,
                max_bytes,
                dedicated,
                prepared_statements: !no_prepared_statements,
            };
            print(&control.add_cluster(&new, &who).await?)?
        }
        ClusterAction::Set {
            name,
            prepared_statements,
        } => {
            let change = atrium_control::clusters::ClusterChange {
                prepared_statements,
            };
            print(&control.change_cluster(&name, &change, &who).await?)?
        }
        ClusterAction::List => print(&control.list_clusters().await?)?,
        ClusterAction::Drain { name } => print(&control.drain_cluster(&name, &who).await?)?,
        ClusterAction::Open { name } => print(&control.open_cluster(&name, &who).await?)?,
        ClusterAction::Remove { name } => print(&control.remove_cluster(&name, &who).await?)?,
    }
    Ok(())
}

async fn tenant(control: Control, action: TenantAction) -> anyhow::Result<()> {
    let who = actor();
    match action {
        TenantAction::Create {
            slug,
            name,
            plan,
            currency,
            timezone,
            tier,
            cluster,
        } => {
            let tenant = control
                .provision(
                    &NewTenant {
                        slug,
                        display_name: name,
                        plan,
                        currency,
                        timezone,
                        tier,
                        cluster,
                    },
                    &who,
                )
                .await?;
            print(&tenant)?;
        }
        TenantAction::List => {
            let conn = control.pool.get().await?;
            print(&atrium_control::registry::all(&**conn).await?)?;
        }
        TenantAction::Get { slug } => print(&control.get_tenant(&slug).await?)?,
        TenantAction::Suspend { slug, reason } => {
            print(&control.suspend(&slug, &who, &reason).await?)?
        }
        TenantAction::Resume { slug } => print(&control.resume(&slug, &who).await?)?,
        TenantAction::Delete { slug } => print(&control.delete(&slug, &who).await?)?,
        TenantAction::Export { slug } => print(&control.export_live(&slug, &who).await?)?,
        TenantAction::Restore {
            slug,
            file: Some(file),
            ..
        } => print(&control.restore(&slug, &file, &who).await?)?,
        TenantAction::Restore {
            slug, at, as_slug, ..
        } => {
            let at = at.context("--at or --file")?;
            let req = atrium_control::backup::point_in_time::RestoreAt { at, as_slug };
            print(&control.restore_at(&slug, &req, &who).await?)?
        }
        TenantAction::Move { slug, tier, to } => {
            let req = atrium_control::moves::MoveRequest { tier, cluster: to };
            print(&control.move_tenant(&slug, &req, &who).await?)?
        }
        TenantAction::Moves { slug } => print(&control.moves_of(&slug).await?)?,
        TenantAction::KeyCreate { slug, name } => {
            print(&control.create_key(&slug, &name, &who).await?)?
        }
        TenantAction::Psql { .. } => unreachable!("run handles it, for its exit code"),
        TenantAction::KeyRevoke { slug, id } => {
            let id = id.parse().context("key id must be a UUID")?;
            print(&control.revoke_key(&slug, id, &who).await?)?;
        }
    }
    Ok(())
}

async fn bootstrap(config: &Config) -> anyhow::Result<()> {
    use secrecy::ExposeSecret;
    let superuser = config
        .superuser_url
        .as_ref()
        .context("set ATRIUM_SUPERUSER_URL (or ATRIUM_SUPERUSER_URL_FILE)")?
        .expose_secret();
    let ctl: tokio_postgres::Config = config.control.database_url.expose_secret().parse()?;
    let api: tokio_postgres::Config = config.api.database_url.expose_secret().parse()?;
    let password = |c: &tokio_postgres::Config| {
        c.get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .context("database URL has no password")
    };
    let (ctl_pw, api_pw) = (password(&ctl)?, password(&api)?);
    let database = ctl
        .get_dbname()
        .context("control database URL names no database")?;
    anyhow::ensure!(
        api.get_dbname() == Some(database),
        "api and control URLs must name the same database"
    );
    let (ctl_user, api_user) = (
        ctl.get_user().context("no user")?,
        api.get_user().context("no user")?,
    );
    anyhow::ensure!(
        api_user == config.control.api_role,
        "control.api_role must match the api URL's user ({api_user})"
    );
    atrium_core::bootstrap::run(
        superuser,
        &atrium_core::bootstrap::Bootstrap {
            database,
            control_role: ctl_user,
            control_password: &ctl_pw,
            api_role: api_user,
            api_password: &api_pw,
            role_prefix: &config.control.role_prefix,
        },
    )
    .await?;
    println!(
        "bootstrap: database {database}, roles {ctl_user} (control) and {api_user} (api) ready"
    );
    Ok(())
}

async fn set_operator_disabled(config: &Config, email: &str, disabled: bool) -> anyhow::Result<()> {
    let control = Control::new(config.control.clone())?;
    control.migrate_control().await?;
    let op = control
        .operator_by_email(email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no operator {email}"))?;
    let op = control
        .set_operator_disabled(op.id, disabled, &actor())
        .await?;
    let state = if disabled { "disabled" } else { "enabled" };
    println!("operator {} ({}) {state}", op.email, op.id);
    Ok(())
}
