//! One typed configuration for every subcommand.
//!
//! Defaults live in code ([`Config::default`]); `ATRIUM_`-prefixed environment variables
//! override them, with `__` between levels (`ATRIUM_API__LISTEN=0.0.0.0:8080`). Any
//! variable may instead be given as a file by appending `_FILE`
//! (`ATRIUM_API__DATABASE_URL_FILE=/run/secrets/api-db-url`), which is how secrets are
//! mounted in pods. Secrets are [`SecretString`]s: `Debug` prints `[REDACTED]`.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use figment::{
    providers::{Env, Serialized},
    Figment,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::tenancy::is_plain_identifier;

mod backup;
mod peers;
mod placement;
mod plans;
mod usage;
pub use backup::BackupConfig;
pub use peers::PeersConfig;
pub use placement::{PlacementConfig, PlacementPolicy};
pub use plans::{FairConfig, PlansConfig};
pub use usage::UsageConfig;

/// Marker that every committed development secret carries; production refuses it.
pub const DEV_SECRET_MARKER: &str = "dev-only-insecure";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Pretty,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    pub environment: Environment,
    pub log_format: LogFormat,
    /// Fault injection (`/chaos/*` on the API). Off unless `ATRIUM_CHAOS=true`; when off
    /// the routes don't exist at all.
    pub chaos: bool,
    /// Threads that run requests; 0 (the default) is half the CPUs this process may use,
    /// at least one. On one machine Atrium shares its cores with PostgreSQL: a thread
    /// per core makes the threads hand work to each other (a wake-up, a context switch)
    /// instead of doing it, which cost about a third of the API's CPU per request
    /// (docs/performance.md).
    #[serde(default)]
    pub worker_threads: usize,
    /// Only `atrium bootstrap` uses it (creating the database and login roles), from
    /// `ATRIUM_SUPERUSER_URL` or `ATRIUM_SUPERUSER_URL_FILE`.
    #[serde(skip_serializing, default)]
    pub superuser_url: Option<SecretString>,
    pub api: ApiConfig,
    pub control: ControlConfig,
    pub clickhouse: ClickHouseConfig,
    pub analytics: AnalyticsConfig,
    pub collector: CollectorConfig,
    /// What each plan allows a tenant (the API enforces, the control plane measures).
    #[serde(default)]
    pub plans: PlansConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClickHouseConfig {
    /// HTTP interface, e.g. http://127.0.0.1:8123. Empty disables analytics queries.
    pub url: String,
    pub database: String,
    /// Per-query timeout, in ms.
    pub timeout_ms: u64,
    /// Schema migrations and tenant purges: `atrium migrate` and the control plane.
    pub admin: ClickHouseUser,
    /// The API's dashboards: a read-only user.
    pub reader: ClickHouseUser,
    /// The collector: a user that inserts events and is kept from everything else
    /// that the server can keep it from (see "ClickHouse users" in README.md).
    pub writer: ClickHouseUser,
    /// Events over several shards (docs/scale-out.md, "Analytics over ClickHouse
    /// shards"): the `remote_servers` cluster every shard's configuration defines. Empty:
    /// one server, `url`.
    #[serde(default)]
    pub cluster: String,
    /// The HTTP URL of each shard of `cluster`, comma-separated: `atrium migrate` creates
    /// the tables on each, and a tenant's purge runs on each. `url` is one of them.
    #[serde(default)]
    pub shards: String,
}

impl ClickHouseConfig {
    /// The shards' URLs; empty for one server.
    pub fn shard_urls(&self) -> Vec<&str> {
        self.shards
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .collect()
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |msg: &str| Err(ConfigError::Invalid(format!("clickhouse: {msg}")));
        let shards = self.shard_urls();
        if self.cluster.is_empty() != shards.is_empty() {
            return bad("cluster and shards go together: both set, or neither");
        }
        if !self.cluster.is_empty() && !is_plain_identifier(&self.cluster) {
            return bad("cluster must be a lowercase identifier");
        }
        if shards
            .iter()
            .any(|u| !u.starts_with("http://") && !u.starts_with("https://"))
        {
            return bad("each of shards must be an http:// or https:// URL");
        }
        let url = self.url.trim_end_matches('/');
        if !shards.is_empty() && !shards.iter().any(|u| u.trim_end_matches('/') == url) {
            return bad("url must be one of shards");
        }
        Ok(())
    }
}

/// One ClickHouse login. Each process uses only its own, so a leaked API credential
/// can't write or drop, and a leaked collector credential can't read dashboards.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClickHouseUser {
    pub user: String,
    #[serde(skip_serializing, default = "default_clickhouse_password")]
    pub password: SecretString,
}

/// The emitting side (the API): a bounded queue in front of an append-only spool.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalyticsConfig {
    /// Emit tracking events at all.
    pub enabled: bool,
    /// Shared with the collector (the pod's emptyDir).
    pub spool_dir: PathBuf,
    /// Events queued in memory at most; past that they are dropped and counted.
    pub queue_capacity: usize,
    /// Spool size at most, in bytes; past that events are dropped and counted.
    pub spool_max_bytes: u64,
    /// A segment is closed and a new one started past this size, in bytes.
    pub segment_max_bytes: u64,
    /// ... or past this age, in ms, so closed segments can be deleted promptly.
    pub segment_max_age_ms: u64,
    /// Browser batches accepted per tenant per second (token bucket, burst = 2x).
    pub ingest_rate_per_tenant: u32,
}

/// The sidecar that ships the spool to ClickHouse.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CollectorConfig {
    pub listen: SocketAddr,
    pub batch_max_rows: usize,
    pub batch_max_bytes: usize,
    /// How long the collector lets new lines gather once it has shipped all there was,
    /// in ms: at most one insert per interval unless batches fill up. Every insert is a
    /// part that ClickHouse merges later, so a few large inserts cost it far less CPU
    /// than many small ones; dashboards see an event this much later at most.
    pub poll_interval_ms: u64,
    /// Replace e-mail addresses found in property values with a keyed hash.
    pub mask_emails: bool,
    /// Replace phone numbers found in property values with a keyed hash.
    pub mask_phones: bool,
    /// Property keys whose values are always hashed.
    pub mask_keys: Vec<String>,
    /// Salt for the PII hashes, so they can't be reversed by a dictionary of e-mails.
    #[serde(skip_serializing, default = "default_mask_salt")]
    pub mask_salt: SecretString,
    /// Longest wait between retries while ClickHouse is down, in ms.
    pub max_backoff_ms: u64,
    pub http: HttpConfig,
    pub dead_letter: DeadLetterConfig,
}

/// Rows the collector gives up on, kept in the spool directory for a person to read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeadLetterConfig {
    /// Bytes in `dead-letter.ndjson` at most; past that it becomes `dead-letter.ndjson.1`
    /// (the older one is deleted and counted). Both count against `analytics.spool_max_bytes`.
    pub max_bytes: u64,
}

/// What bounds one HTTP listener (every process has one; only the probes on the
/// collector's).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HttpConfig {
    /// Whole-request timeout, in ms.
    pub request_timeout_ms: u64,
    /// Largest accepted request body, in bytes.
    pub body_limit_bytes: usize,
    /// Requests handled at once; the rest wait in the listen backlog.
    pub max_concurrency: usize,
    /// How long SIGTERM waits for in-flight requests, in ms.
    pub shutdown_timeout_ms: u64,
    /// From accepting a connection (or the first byte of a later request on it) until
    /// the request's headers are complete, in ms; past it the connection is closed, so
    /// a client trickling header lines cannot hold a connection.
    pub header_read_timeout_ms: u64,
    /// How long a kept-alive connection may sit between requests, in ms.
    pub idle_timeout_ms: u64,
    /// Open connections at most; past it new ones are closed at once and counted
    /// (`http_connections_refused_total`).
    pub max_connections: usize,
    /// Where `/metrics` is served: an internal listener apart from `listen`, so the
    /// public port never shows it. Port 0 picks one.
    pub metrics_listen: SocketAddr,
    /// Distinct `tenant` label values in the request metrics; later tenants are
    /// counted under `_other`, so a scrape stays small however many tenants there are.
    pub metrics_tenant_labels: usize,
    /// One access-log line (INFO) for every this many requests; 0 writes none, 1 every
    /// one. Counts and latencies are in the metrics whatever this says, and a 5xx is
    /// always logged, as an error.
    pub access_log_every: u32,
}

impl HttpConfig {
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }
    pub fn shutdown_timeout(&self) -> Duration {
        Duration::from_millis(self.shutdown_timeout_ms)
    }
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_millis(self.header_read_timeout_ms)
    }
    pub fn idle_timeout(&self) -> Duration {
        Duration::from_millis(self.idle_timeout_ms)
    }

    /// The bounds every process shares; `metrics_port` is the process's own.
    fn defaults(
        request_timeout_ms: u64,
        body_limit_bytes: usize,
        max_concurrency: usize,
        shutdown_timeout_ms: u64,
        metrics_port: u16,
    ) -> Self {
        Self {
            request_timeout_ms,
            body_limit_bytes,
            max_concurrency,
            shutdown_timeout_ms,
            header_read_timeout_ms: 10_000,
            idle_timeout_ms: 60_000,
            max_connections: 10_000,
            metrics_listen: ([127, 0, 0, 1], metrics_port).into(),
            metrics_tenant_labels: 100,
            access_log_every: 0,
        }
    }

    fn validate(&self, name: &str) -> Result<(), ConfigError> {
        if self.body_limit_bytes < 1_024 || self.body_limit_bytes > 16 * 1024 * 1024 {
            return Err(ConfigError::Invalid(format!(
                "{name}.body_limit_bytes must be between 1 KiB and 16 MiB"
            )));
        }
        if self.request_timeout_ms == 0 || self.max_concurrency == 0 {
            return Err(ConfigError::Invalid(format!(
                "{name}.request_timeout_ms and {name}.max_concurrency must be positive"
            )));
        }
        // An hour at most: a bound that large is no bound, and deadlines stay far
        // from `Instant` overflow.
        let hour = 3_600_000;
        if !(1..=hour).contains(&self.header_read_timeout_ms)
            || !(1..=hour).contains(&self.idle_timeout_ms)
        {
            return Err(ConfigError::Invalid(format!(
                "{name}.header_read_timeout_ms and {name}.idle_timeout_ms must be between 1 and {hour}"
            )));
        }
        if self.max_connections == 0 || self.max_connections > 1_000_000 {
            return Err(ConfigError::Invalid(format!(
                "{name}.max_connections must be between 1 and 1000000"
            )));
        }
        if self.metrics_tenant_labels > 10_000 {
            return Err(ConfigError::Invalid(format!(
                "{name}.metrics_tenant_labels must be at most 10000"
            )));
        }
        Ok(())
    }
}

/// Who may try a password now. An address, and an account it has failed on, back off
/// exponentially after `free_failures`; callers with recent failures also share a ceiling
/// per scope (a tenant, or all operators) and a global budget. A caller with no recent
/// failures is refused only by its own address's backoff, so other people's guessing never
/// locks out the right password from elsewhere.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignInConfig {
    /// Failures an address (or an address on one account) may have before backing off.
    pub free_failures: u32,
    /// The first wait after those, in ms; it doubles with each further failure.
    pub backoff_base_ms: u64,
    /// The longest wait, in ms.
    pub backoff_max_ms: u64,
    /// Failures are forgotten after this long without attempts, in s.
    pub forget_after_s: u64,
    /// Attempts per second per scope by callers with recent failures (bursts of twice that).
    pub per_scope_per_second: u32,
    /// Attempts per second over every scope, unknown tenants included, by callers with
    /// recent failures (bursts of twice that).
    pub global_per_second: u32,
    /// Addresses, and accounts, remembered at most (least recently seen forgotten first).
    pub max_tracked: u64,
    /// Peers (reverse proxies, load balancers) whose `X-Forwarded-For` is believed, as
    /// CIDR blocks. Empty: the peer address is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Control plane: failed sign-ins audited one row each per minute at most; the rest
    /// are counted and summarised in one row per minute.
    pub failures_audited_per_minute: u32,
}

impl SignInConfig {
    fn defaults(per_scope_per_second: u32) -> Self {
        Self {
            free_failures: 5,
            backoff_base_ms: 1_000,
            backoff_max_ms: 15 * 60 * 1_000,
            forget_after_s: 15 * 60,
            per_scope_per_second,
            // One Argon2 verification is ~30 ms of a core: this keeps guessing from
            // callers with failures to a fifth of one, however many addresses they use.
            global_per_second: 6,
            max_tracked: 100_000,
            trusted_proxies: Vec::new(),
            failures_audited_per_minute: 30,
        }
    }

    fn validate(&self, name: &str) -> Result<(), ConfigError> {
        if self.backoff_base_ms == 0
            || self.backoff_max_ms < self.backoff_base_ms
            || self.forget_after_s == 0
            || self.max_tracked == 0
        {
            return Err(ConfigError::Invalid(format!(
                "{name}: backoff_base_ms, forget_after_s and max_tracked must be positive, \
                 backoff_max_ms at least backoff_base_ms"
            )));
        }
        Ok(())
    }
}

/// How many items a list returns by default and at most.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct PageConfig {
    pub default_limit: i64,
    pub max_limit: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PoolConfig {
    /// Connections in the pool at most.
    pub max_size: usize,
    /// Connections over all of the process's pools at most, one pool per PostgreSQL
    /// cluster its tenants live on (docs/scale-out.md); each gets an equal share, at most
    /// `max_size`. 0: `max_size` (one cluster's worth).
    #[serde(default)]
    pub max_total_size: usize,
    /// How long a request waits for a free connection before it gets a 503, in ms.
    pub wait_timeout_ms: u64,
    /// TCP connect timeout for new connections, in ms.
    pub connect_timeout_ms: u64,
    /// A tenant transaction idle between statements this long has its session ended by
    /// PostgreSQL, in ms (0: never). The data plane only; migrations are never idle.
    pub idle_in_transaction_timeout_ms: u32,
    /// High availability: how long a request waits for a writable primary while none
    /// answers (a failover or switchover) before it gets a 503, in ms. 0: no wait.
    pub failover_wait_ms: u64,
    /// How long a tenant transaction waits while a move between isolation tiers freezes
    /// its tenant, before a 503 with Retry-After, in ms. The data plane only.
    #[serde(default = "default_move_freeze_wait_ms")]
    pub move_freeze_wait_ms: u32,
    /// Whether a connection prepares each statement once and keeps it on the server (the
    /// fastest), or sends it as the unnamed statement every time, leaving nothing on the
    /// server past a transaction: false behind a pooler in transaction mode (PgBouncer
    /// before 1.21; docs/scale-out.md). The home cluster's; each other cluster's is in the
    /// registry.
    #[serde(default = "default_prepared_statements")]
    pub prepared_statements: bool,
    /// A connection idle in the pool and older than this is closed, in ms (0: kept until
    /// it breaks). A PostgreSQL session keeps the catalog entries of every tenant it has
    /// served, about 100 KiB each (docs/scale-out.md, "Memory"): ending sessions now and
    /// then gives that memory back. The data plane only.
    #[serde(default = "default_max_lifetime_ms")]
    pub max_lifetime_ms: u64,
}

fn default_move_freeze_wait_ms() -> u32 {
    crate::db::DEFAULT_FREEZE_WAIT_MS as u32
}

fn default_prepared_statements() -> bool {
    true
}

fn default_max_lifetime_ms() -> u64 {
    30 * 60 * 1_000
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiConfig {
    pub listen: SocketAddr,
    #[serde(skip_serializing, default = "default_api_database_url")]
    pub database_url: SecretString,
    /// PostgreSQL itself when `database_url` goes through a pooler in transaction mode:
    /// the LISTEN connection for registry changes needs one session of its own, which
    /// such a pooler does not keep. Unset: `database_url`.
    #[serde(skip_serializing, default)]
    pub direct_database_url: Option<SecretString>,
    pub pool: PoolConfig,
    pub http: HttpConfig,
    /// Lists of customers, contacts, deals and orders.
    pub page: PageConfig,
    /// Throttling of sign-ins and invite acceptances (`per_scope_per_second` is per tenant).
    pub sign_in: SignInConfig,
    /// How long a tenant or API key lookup is trusted without a NOTIFY, in ms.
    pub tenant_cache_ttl_ms: u64,
    /// Learning mode: accept `?tid=<slug>` without an API key. Never in production.
    pub dev_tenant_param: bool,
    /// Connection shares, rate limits and database-time budgets per tenant.
    #[serde(default)]
    pub fair: FairConfig,
    /// The built web app (`web/dist`), served at `/app`. Unset: no web app.
    #[serde(default)]
    pub web_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ControlConfig {
    pub listen: SocketAddr,
    #[serde(skip_serializing, default = "default_control_database_url")]
    pub database_url: SecretString,
    pub pool: PoolConfig,
    /// Bearer token for automation against the operator API.
    #[serde(skip_serializing, default = "default_admin_token")]
    pub admin_token: SecretString,
    /// The data plane's login role: made a NOINHERIT member of every tenant role.
    pub api_role: String,
    /// Prefix of tenant role names; roles are cluster-wide, so it must be unique per deployment.
    pub role_prefix: String,
    /// Where delete-with-export writes tenant exports.
    pub export_dir: PathBuf,
    /// Tenants migrated at once by `atrium migrate`.
    pub migrate_concurrency: usize,
    /// Default per-tenant statement timeout for new tenants, in ms.
    pub tenant_statement_timeout_ms: u32,
    pub http: HttpConfig,
    /// Lists of tenants, audit entries and tenant users.
    pub page: PageConfig,
    /// Throttling of operator sign-ins (`per_scope_per_second` is for all operators together).
    pub sign_in: SignInConfig,
    /// The built web app (`web/dist`), served at `/console`. Unset: no console.
    #[serde(default)]
    pub web_dir: Option<PathBuf>,
    /// Where browsers reach the data plane: the console links tenant apps there.
    pub public_api_url: String,
    #[serde(default)]
    pub backup: BackupConfig,
    /// What a new tenant starts with, unless its provisioning request says otherwise.
    #[serde(default)]
    pub tenant_defaults: TenantDefaults,
    /// The api and collector whose readiness the operator overview shows.
    #[serde(default)]
    pub peers: PeersConfig,
    /// How often tenants' storage and events are measured against their quotas.
    #[serde(default)]
    pub usage: UsageConfig,
    /// Moves of tenants between isolation tiers.
    #[serde(default)]
    pub moves: MovesConfig,
    /// How a new tenant's cluster is chosen (docs/scale-out.md).
    #[serde(default)]
    pub placement: PlacementConfig,
}

/// Moves between isolation tiers (docs/isolation-tiers.md, "Moves").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct MovesConfig {
    /// How long the old placement's rows are kept after the flip, in seconds: a
    /// process that has not heard of the flip yet is sent on meanwhile.
    pub grace_secs: u64,
    /// How long a move waits for the tenant's transactions in flight before it freezes
    /// the tenant, in ms; past it the move gives up and the tenant stays where it was.
    pub drain_timeout_ms: u64,
    /// How long the copy may take to catch up with the tenant's writes, in seconds.
    pub catch_up_timeout_secs: u64,
}

impl Default for MovesConfig {
    fn default() -> Self {
        Self {
            grace_secs: 300,
            drain_timeout_ms: 5_000,
            catch_up_timeout_secs: 600,
        }
    }
}

/// A new tenant's currency and time zone; its admins can change them later.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct TenantDefaults {
    /// ISO 4217, one of `domain::locale::CURRENCIES`.
    pub currency: String,
    /// IANA time zone name; dashboards count whole days in it.
    pub timezone: String,
}

impl Default for TenantDefaults {
    fn default() -> Self {
        TenantDefaults {
            currency: "USD".into(),
            timezone: "UTC".into(),
        }
    }
}

// Secrets are never serialized (so printing a config can't leak them); their
// development defaults come from these functions instead. Each carries DEV_SECRET_MARKER.
fn default_api_database_url() -> SecretString {
    dev_secret("postgres://atrium_api:dev-only-insecure-api@127.0.0.1:54329/atrium")
}
fn default_control_database_url() -> SecretString {
    dev_secret("postgres://atrium_ctl:dev-only-insecure-ctl@127.0.0.1:54329/atrium")
}
fn default_admin_token() -> SecretString {
    dev_secret("dev-only-insecure-admin-token")
}
/// The password of every ClickHouse user of the development stack and the tests
/// (atrium-testkit's users file holds its hash).
pub const DEV_CLICKHOUSE_PASSWORD: &str = "dev-only-insecure-clickhouse";
/// The `remote_servers` cluster of the development and test ClickHouse servers
/// (`clickhouse.cluster` when events go over shards).
pub const DEV_CLICKHOUSE_CLUSTER: &str = "atrium_events";
fn default_clickhouse_password() -> SecretString {
    dev_secret(DEV_CLICKHOUSE_PASSWORD)
}
fn default_mask_salt() -> SecretString {
    dev_secret("dev-only-insecure-mask-salt")
}

impl Default for Config {
    fn default() -> Self {
        let pool = PoolConfig {
            max_size: 16,
            max_total_size: 64,
            wait_timeout_ms: 2_000,
            connect_timeout_ms: 2_000,
            // A Patroni switchover leaves no primary for about a second.
            failover_wait_ms: 5_000,
            // Far above any pause between a request's statements (an argon2 check on a
            // busy host is well under a second), far below "held until restart".
            idle_in_transaction_timeout_ms: 10_000,
            move_freeze_wait_ms: default_move_freeze_wait_ms(),
            prepared_statements: default_prepared_statements(),
            max_lifetime_ms: default_max_lifetime_ms(),
        };
        Self {
            environment: Environment::Development,
            log_format: LogFormat::Pretty,
            chaos: false,
            worker_threads: 0,
            superuser_url: None,
            api: ApiConfig {
                listen: ([127, 0, 0, 1], 8080).into(),
                database_url: default_api_database_url(),
                direct_database_url: None,
                pool: pool.clone(),
                http: HttpConfig::defaults(10_000, 256 * 1024, 1_024, 20_000, 9464),
                page: PageConfig {
                    default_limit: 50,
                    max_limit: 200,
                },
                sign_in: SignInConfig::defaults(3),
                tenant_cache_ttl_ms: 5_000,
                dev_tenant_param: false,
                fair: FairConfig::default(),
                web_dir: None,
            },
            control: ControlConfig {
                listen: ([127, 0, 0, 1], 8090).into(),
                database_url: default_control_database_url(),
                pool: PoolConfig {
                    max_size: 8,
                    ..pool
                },
                admin_token: default_admin_token(),
                api_role: "atrium_api".into(),
                role_prefix: "atrium_".into(),
                export_dir: PathBuf::from(".atrium/exports"),
                migrate_concurrency: 4,
                tenant_statement_timeout_ms: 5_000,
                // Provisioning and deleting with export run inside the request.
                http: HttpConfig::defaults(120_000, 64 * 1024, 256, 20_000, 9465),
                page: PageConfig {
                    default_limit: 100,
                    max_limit: 500,
                },
                sign_in: SignInConfig::defaults(3),
                web_dir: None,
                public_api_url: "http://127.0.0.1:8080".into(),
                backup: BackupConfig::default(),
                tenant_defaults: TenantDefaults::default(),
                peers: PeersConfig::default(),
                usage: UsageConfig::default(),
                moves: MovesConfig::default(),
                placement: PlacementConfig::default(),
            },
            clickhouse: ClickHouseConfig {
                // Empty: no ClickHouse configured (migrate skips it, the collector refuses to start).
                url: String::new(),
                database: "atrium".into(),
                timeout_ms: 10_000,
                admin: ClickHouseUser {
                    user: "default".into(),
                    password: default_clickhouse_password(),
                },
                reader: ClickHouseUser {
                    user: "atrium_reader".into(),
                    password: default_clickhouse_password(),
                },
                writer: ClickHouseUser {
                    user: "atrium_writer".into(),
                    password: default_clickhouse_password(),
                },
                cluster: String::new(),
                shards: String::new(),
            },
            analytics: AnalyticsConfig {
                enabled: true,
                spool_dir: PathBuf::from(".atrium/spool"),
                queue_capacity: 10_000,
                spool_max_bytes: 512 * 1024 * 1024,
                segment_max_bytes: 8 * 1024 * 1024,
                segment_max_age_ms: 2_000,
                ingest_rate_per_tenant: 50,
            },
            collector: CollectorConfig {
                listen: ([127, 0, 0, 1], 8070).into(),
                batch_max_rows: 10_000,
                batch_max_bytes: 8 * 1024 * 1024,
                poll_interval_ms: 1_000,
                mask_emails: true,
                mask_phones: true,
                mask_keys: vec!["email".into(), "phone".into()],
                mask_salt: default_mask_salt(),
                max_backoff_ms: 5_000,
                // Only probes are served here (and /metrics on its own listener).
                http: HttpConfig::defaults(5_000, 1_024, 16, 5_000, 9466),
                dead_letter: DeadLetterConfig {
                    max_bytes: 16 * 1024 * 1024,
                },
            },
            plans: PlansConfig::default(),
        }
    }
}

fn dev_secret(value: &str) -> SecretString {
    SecretString::from(value.to_owned())
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration could not be read: {0}")]
    Load(#[from] Box<figment::Error>),
    #[error("could not read {var} from {path}: {source}")]
    SecretFile {
        var: String,
        path: String,
        source: std::io::Error,
    },
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Defaults, overridden by `ATRIUM_`-prefixed environment variables (`__` between
    /// levels), overridden in turn by `ATRIUM_..._FILE` variables naming a file to read.
    pub fn load() -> Result<Self, ConfigError> {
        // figment reads a value as the type it looks like (`0123` as the number 123,
        // `"x"` as x): right for settings, wrong for secrets, which stay verbatim text.
        let mut figment = Figment::from(Serialized::defaults(Config::default())).merge(
            Env::prefixed("ATRIUM_")
                .filter(|k| {
                    let key = config_key(k.as_str());
                    !key.ends_with("_file") && !VERBATIM_KEYS.contains(&key.as_str())
                })
                .split("__"),
        );
        for (var, value) in std::env::vars() {
            let Some(name) = var.strip_prefix("ATRIUM_") else {
                continue;
            };
            let (key, value) = match name.strip_suffix("_FILE") {
                // A trailing newline from `echo >` or a Kubernetes Secret is not part of it.
                Some(target) => {
                    let content = std::fs::read_to_string(&value).map_err(|source| {
                        ConfigError::SecretFile {
                            var: var.clone(),
                            path: value.clone(),
                            source,
                        }
                    })?;
                    let text = content.trim_end_matches(['\n', '\r']).to_owned();
                    (config_key(target), text)
                }
                None => (config_key(name), value),
            };
            if VERBATIM_KEYS.contains(&key.as_str()) {
                figment = figment.merge(Serialized::global(&key, value));
            } else if name.ends_with("_FILE") {
                let typed: figment::value::Value = value.parse().unwrap_or_else(|e| match e {});
                figment = figment.merge(Serialized::global(&key, typed));
            }
        }
        let config: Config = figment
            .extract()
            .map_err(|e| ConfigError::Load(Box::new(e)))?;
        config.validate()?;
        Ok(config)
    }

    /// [`Config::worker_threads`], with 0 resolved.
    pub fn runtime_workers(&self) -> usize {
        match self.worker_threads {
            0 => std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1)),
            n => n,
        }
    }

    /// Checks everything that can be checked before connecting anywhere.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |msg: String| Err(ConfigError::Invalid(msg));
        if self.worker_threads > 1_024 {
            return bad("worker_threads must be at most 1024 (0 picks half the CPUs)".into());
        }
        for (name, pool, http) in [
            ("api.pool", &self.api.pool, &self.api.http),
            ("control.pool", &self.control.pool, &self.control.http),
        ] {
            if pool.max_size == 0 || pool.max_size > 1_000 {
                return bad(format!("{name}.max_size must be between 1 and 1000"));
            }
            if pool.max_total_size > 10_000 {
                return bad(format!("{name}.max_total_size must be at most 10000"));
            }
            if pool.wait_timeout_ms == 0 || pool.connect_timeout_ms == 0 {
                return bad(format!("{name} timeouts must be positive"));
            }
            // A wait the request timeout cuts off would end in a 503 without its problem+json.
            if pool.failover_wait_ms >= http.request_timeout_ms
                || u64::from(pool.move_freeze_wait_ms) >= http.request_timeout_ms
            {
                return bad(format!(
                    "{name}.failover_wait_ms and move_freeze_wait_ms must be shorter than the request timeout"
                ));
            }
        }
        self.api.http.validate("api.http")?;
        self.control.http.validate("control.http")?;
        self.collector.http.validate("collector.http")?;
        self.api.sign_in.validate("api.sign_in")?;
        self.control.sign_in.validate("control.sign_in")?;
        for (name, page) in [
            ("api.page", self.api.page),
            ("control.page", self.control.page),
        ] {
            if !(1..=page.max_limit).contains(&page.default_limit) || page.max_limit > 10_000 {
                return bad(format!(
                    "{name}: 1 <= default_limit <= max_limit <= 10000 must hold"
                ));
            }
        }
        if !is_plain_identifier(&self.control.api_role) {
            return bad("control.api_role must be a lowercase identifier".into());
        }
        let prefix = &self.control.role_prefix;
        if prefix.len() > 20 || !(prefix.is_empty() || is_plain_identifier(prefix)) {
            return bad(
                "control.role_prefix must be a lowercase identifier of at most 20 characters"
                    .into(),
            );
        }
        self.control.backup.validate()?;
        let defaults = &self.control.tenant_defaults;
        crate::domain::locale::currency("control.tenant_defaults.currency", &defaults.currency)
            .and(crate::domain::locale::timezone(
                "control.tenant_defaults.timezone",
                &defaults.timezone,
            ))
            .map_err(|e| ConfigError::Invalid(e.to_string()))?;
        self.control.peers.validate()?;
        self.control.usage.validate()?;
        self.control.placement.validate()?;
        self.clickhouse.validate()?;
        self.plans.validate()?;
        self.api.fair.validate(self.api.pool.wait_timeout_ms)?;
        if self.control.migrate_concurrency == 0 || self.control.migrate_concurrency > 64 {
            return bad("control.migrate_concurrency must be between 1 and 64".into());
        }
        let dead_letter = self.collector.dead_letter.max_bytes;
        if dead_letter < 1024 * 1024 || 4 * dead_letter > self.analytics.spool_max_bytes {
            return bad(
                "collector.dead_letter.max_bytes must be at least 1 MiB and at most a quarter of analytics.spool_max_bytes (it keeps two files in the spool's volume)"
                    .into(),
            );
        }
        if self.environment == Environment::Production && self.api.dev_tenant_param {
            return bad("api.dev_tenant_param cannot be enabled in production".into());
        }
        if self.environment == Environment::Production && self.chaos {
            return bad("chaos cannot be enabled in production".into());
        }
        if self.environment == Environment::Production && !self.api.fair.enabled {
            return bad("api.fair.enabled cannot be turned off in production".into());
        }
        if self.control.admin_token.expose_secret().len() < 16 {
            return bad("control.admin_token must be at least 16 characters".into());
        }
        Ok(())
    }
}

/// Settings read as the exact text given, never as a number or a quoted string.
const VERBATIM_KEYS: &[&str] = &[
    "superuser_url",
    "api.database_url",
    "api.direct_database_url",
    "control.database_url",
    "control.admin_token",
    "clickhouse.admin.password",
    "clickhouse.reader.password",
    "clickhouse.writer.password",
    "collector.mask_salt",
];

/// `API__POOL__MAX_SIZE` → `api.pool.max_size`.
fn config_key(var: &str) -> String {
    var.to_ascii_lowercase().replace("__", ".")
}

/// The secrets a subcommand uses; only those must be real in production.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretName {
    ApiDatabaseUrl,
    ControlDatabaseUrl,
    AdminToken,
    MaskSalt,
    ClickHouseAdmin,
    ClickHouseReader,
    ClickHouseWriter,
}

impl Config {
    /// Long-running processes (api, control, collector) refuse the superuser URL in
    /// every environment: only the one-shot `atrium bootstrap` may hold it, so a
    /// compromised server process can't become the database superuser.
    pub fn refuse_superuser(&self) -> Result<(), ConfigError> {
        match self.superuser_url {
            Some(_) => Err(ConfigError::Invalid(
                "ATRIUM_SUPERUSER_URL is for the one-shot `atrium bootstrap` only; \
                 a long-running process must not receive it"
                    .into(),
            )),
            None => Ok(()),
        }
    }

    /// In production, refuses any of `needed` that still holds a development default.
    /// Each process checks only what it uses: the collector has no database URL.
    pub fn require_secrets(&self, needed: &[SecretName]) -> Result<(), ConfigError> {
        if self.environment != Environment::Production {
            return Ok(());
        }
        for name in needed {
            let (key, secret) = match name {
                SecretName::ApiDatabaseUrl => ("api.database_url", &self.api.database_url),
                SecretName::ControlDatabaseUrl => {
                    ("control.database_url", &self.control.database_url)
                }
                SecretName::AdminToken => ("control.admin_token", &self.control.admin_token),
                SecretName::MaskSalt => ("collector.mask_salt", &self.collector.mask_salt),
                SecretName::ClickHouseAdmin => {
                    ("clickhouse.admin.password", &self.clickhouse.admin.password)
                }
                SecretName::ClickHouseReader => (
                    "clickhouse.reader.password",
                    &self.clickhouse.reader.password,
                ),
                SecretName::ClickHouseWriter => (
                    "clickhouse.writer.password",
                    &self.clickhouse.writer.password,
                ),
            };
            let clickhouse = matches!(
                name,
                SecretName::ClickHouseAdmin
                    | SecretName::ClickHouseReader
                    | SecretName::ClickHouseWriter
            );
            // Without a ClickHouse there is no analytics, and no password to set.
            if clickhouse && self.clickhouse.url.is_empty() {
                continue;
            }
            if secret.expose_secret().contains(DEV_SECRET_MARKER) {
                return Err(ConfigError::Invalid(format!(
                    "{key} still holds a development default; set ATRIUM_{}",
                    key.to_ascii_uppercase().replace('.', "__")
                )));
            }
        }
        Ok(())
    }
}

impl PoolConfig {
    /// None: connections are kept until they break.
    pub fn max_lifetime(&self) -> Option<Duration> {
        (self.max_lifetime_ms > 0).then(|| Duration::from_millis(self.max_lifetime_ms))
    }

    pub fn wait_timeout(&self) -> Duration {
        Duration::from_millis(self.wait_timeout_ms)
    }
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }
    pub fn failover_wait(&self) -> Duration {
        Duration::from_millis(self.failover_wait_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use figment::Jail;

    /// Loads with exactly these variables set (Jail restores the environment after).
    // The closure's error type is figment's, whose size is not ours to choose.
    #[allow(clippy::result_large_err)]
    fn load_with(list: &[(&str, &str)]) -> Result<Config, String> {
        let mut out = Err(String::new());
        Jail::expect_with(|jail| {
            for (k, v) in list {
                jail.set_env(k, v);
            }
            out = Config::load().map_err(|e| e.to_string());
            Ok(())
        });
        out
    }

    #[test]
    fn defaults_validate() {
        load_with(&[]).expect("defaults are valid");
    }

    #[test]
    fn tenant_defaults_are_checked_at_startup() {
        let c = load_with(&[
            ("ATRIUM_CONTROL__TENANT_DEFAULTS__CURRENCY", "CNY"),
            ("ATRIUM_CONTROL__TENANT_DEFAULTS__TIMEZONE", "Asia/Shanghai"),
        ])
        .expect("valid");
        assert_eq!(
            (
                c.control.tenant_defaults.currency.as_str(),
                c.control.tenant_defaults.timezone.as_str()
            ),
            ("CNY", "Asia/Shanghai")
        );
        for (var, value) in [
            ("ATRIUM_CONTROL__TENANT_DEFAULTS__CURRENCY", "XYZ"),
            ("ATRIUM_CONTROL__TENANT_DEFAULTS__TIMEZONE", "China"),
        ] {
            let e = load_with(&[(var, value)]).expect_err("refused");
            assert!(e.to_string().contains("tenant_defaults"), "{e}");
        }
    }

    #[test]
    fn worker_threads_default_to_half_the_cpus_and_are_bounded() {
        let c = load_with(&[]).expect("defaults");
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(c.runtime_workers(), (cpus / 2).max(1));
        let c = load_with(&[("ATRIUM_WORKER_THREADS", "3")]).expect("valid");
        assert_eq!(c.runtime_workers(), 3);
        let err = load_with(&[("ATRIUM_WORKER_THREADS", "5000")]).expect_err("too many");
        assert!(err.to_string().contains("worker_threads"), "{err}");
    }

    #[test]
    fn env_overrides_nested_fields() {
        let c = load_with(&[
            ("ATRIUM_API__POOL__MAX_SIZE", "3"),
            ("ATRIUM_API__LISTEN", "0.0.0.0:9999"),
            ("ATRIUM_API__DEV_TENANT_PARAM", "true"),
            ("ATRIUM_CONTROL__HTTP__MAX_CONCURRENCY", "7"),
            ("UNRELATED", "x"),
        ])
        .expect("valid");
        assert_eq!(c.api.pool.max_size, 3);
        assert_eq!(c.control.http.max_concurrency, 7);
        assert_eq!(c.api.listen.port(), 9999);
        assert!(c.api.dev_tenant_param);
    }

    #[test]
    fn secrets_come_from_files_and_never_print() {
        let dir = std::env::temp_dir().join(format!("atrium-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("tmp");
        let file = dir.join("token");
        std::fs::write(&file, "file-token-0123456789\n").expect("write");
        let pin = dir.join("pin");
        std::fs::write(&pin, "12345\n").expect("write");
        let c = load_with(&[
            (
                "ATRIUM_CONTROL__ADMIN_TOKEN_FILE",
                file.to_str().expect("utf8"),
            ),
            (
                "ATRIUM_CLICKHOUSE__READER__PASSWORD_FILE",
                pin.to_str().expect("utf8"),
            ),
            ("ATRIUM_CLICKHOUSE__WRITER__USER", "ingest"),
        ])
        .expect("valid");
        assert_eq!(c.clickhouse.reader.password.expose_secret(), "12345");
        assert_eq!(c.clickhouse.writer.user, "ingest");
        assert_eq!(
            c.clickhouse.writer.password.expose_secret(),
            DEV_CLICKHOUSE_PASSWORD
        );
        assert_eq!(
            c.control.admin_token.expose_secret(),
            "file-token-0123456789"
        );
        let printed = format!("{c:?} {}", serde_json::to_string(&c).expect("json"));
        assert!(!printed.contains("file-token"));
        assert!(!printed.contains("dev-only-insecure-api"));
    }

    #[test]
    fn secrets_in_the_environment_stay_verbatim_and_unprinted() {
        let c = load_with(&[
            ("ATRIUM_COLLECTOR__MASK_SALT", "000123"),
            ("ATRIUM_CONTROL__ADMIN_TOKEN", "\"quoted-token-0123\""),
        ])
        .expect("digits and quotes are text in a secret");
        assert_eq!(c.collector.mask_salt.expose_secret(), "000123");
        assert_eq!(
            c.control.admin_token.expose_secret(),
            "\"quoted-token-0123\""
        );
        let err = load_with(&[
            ("ATRIUM_CONTROL__ADMIN_TOKEN", "short"),
            ("ATRIUM_API__POOL__MAX_SIZE", "many"),
        ])
        .expect_err("refused");
        assert!(!err.contains("short"), "{err}");
    }

    #[test]
    fn production_refuses_dev_secrets_a_process_uses() {
        let c = load_with(&[
            ("ATRIUM_ENVIRONMENT", "production"),
            ("ATRIUM_COLLECTOR__MASK_SALT", "a-real-salt"),
        ])
        .expect("loads");
        let err = c
            .require_secrets(&[SecretName::ApiDatabaseUrl])
            .expect_err("dev secret refused");
        assert!(err.to_string().contains("development default"), "{err}");
        c.require_secrets(&[SecretName::MaskSalt, SecretName::ClickHouseWriter])
            .expect("no ClickHouse configured: no ClickHouse password needed");
        let c = load_with(&[
            ("ATRIUM_ENVIRONMENT", "production"),
            ("ATRIUM_CLICKHOUSE__URL", "http://clickhouse:8123"),
            ("ATRIUM_CLICKHOUSE__WRITER__PASSWORD", "a-real-one"),
        ])
        .expect("loads");
        let err = c
            .require_secrets(&[SecretName::ClickHouseReader])
            .expect_err("dev password refused");
        assert!(
            err.to_string()
                .contains("ATRIUM_CLICKHOUSE__READER__PASSWORD"),
            "{err}"
        );
        c.require_secrets(&[SecretName::ClickHouseWriter])
            .expect("the writer's is real");
    }

    /// Item 15: `ATRIUM_ENVIRONMENT=production ATRIUM_CHAOS=true atrium api` started.
    #[test]
    fn chaos_is_refused_in_production() {
        let err = load_with(&[
            ("ATRIUM_ENVIRONMENT", "production"),
            ("ATRIUM_CHAOS", "true"),
        ])
        .expect_err("refused");
        assert!(err.contains("chaos"), "{err}");
        load_with(&[("ATRIUM_CHAOS", "true")]).expect("allowed in development");
    }

    /// The course's learning mode (`scripts/up --learn`): `?tid=` with no key.
    #[test]
    fn learning_mode_is_refused_in_production() {
        let err = load_with(&[
            ("ATRIUM_ENVIRONMENT", "production"),
            ("ATRIUM_API__DEV_TENANT_PARAM", "true"),
        ])
        .expect_err("refused");
        assert!(err.contains("dev_tenant_param"), "{err}");
        load_with(&[("ATRIUM_API__DEV_TENANT_PARAM", "true")]).expect("allowed in development");
    }

    /// Turning the tenants' fair shares off is for the benchmark's comparison phase.
    #[test]
    fn fair_shares_can_not_be_turned_off_in_production_and_plans_are_overridable() {
        let err = load_with(&[
            ("ATRIUM_ENVIRONMENT", "production"),
            ("ATRIUM_API__FAIR__ENABLED", "false"),
        ])
        .expect_err("refused");
        assert!(err.contains("api.fair.enabled"), "{err}");
        let c = load_with(&[("ATRIUM_PLANS__PRO__MAX_CONNECTIONS", "6")]).expect("loads");
        assert_eq!(c.plans.pro.max_connections, 6);
        let err = load_with(&[("ATRIUM_PLANS__FREE__BURST", "0")]).expect_err("refused");
        assert!(err.contains("plans.free.burst"), "{err}");
    }

    /// Item 2: every process's connection bounds, overridable and checked.
    #[test]
    fn connection_bounds_have_defaults_and_overrides() {
        let c =
            load_with(&[("ATRIUM_CONTROL__HTTP__HEADER_READ_TIMEOUT_MS", "2500")]).expect("loads");
        assert_eq!(c.control.http.header_read_timeout_ms, 2_500);
        for http in [&c.api.http, &c.collector.http] {
            assert_eq!(http.header_read_timeout_ms, 10_000);
            assert_eq!(http.idle_timeout_ms, 60_000);
            assert_eq!(http.max_connections, 10_000);
            assert!(http.metrics_listen.ip().is_loopback());
        }
        assert!(load_with(&[("ATRIUM_API__HTTP__MAX_CONNECTIONS", "0")]).is_err());
        assert!(load_with(&[("ATRIUM_COLLECTOR__HTTP__IDLE_TIMEOUT_MS", "0")]).is_err());
    }

    #[test]
    fn sign_in_settings_come_from_nested_variables() {
        let c = load_with(&[
            (
                "ATRIUM_API__SIGN_IN__TRUSTED_PROXIES",
                "[10.0.0.0/8, \"fd00::/8\"]",
            ),
            ("ATRIUM_CONTROL__SIGN_IN__FREE_FAILURES", "3"),
        ])
        .expect("valid");
        assert_eq!(c.api.sign_in.trusted_proxies.len(), 2);
        assert_eq!(c.control.sign_in.free_failures, 3);
        assert!(load_with(&[("ATRIUM_API__SIGN_IN__TRUSTED_PROXIES", "[nonsense]")]).is_err());
        assert!(load_with(&[("ATRIUM_CONTROL__SIGN_IN__BACKOFF_BASE_MS", "0")]).is_err());
    }

    #[test]
    fn bad_values_are_refused_at_startup() {
        assert!(load_with(&[("ATRIUM_API__POOL__MAX_SIZE", "0")]).is_err());
        assert!(load_with(&[("ATRIUM_CONTROL__ROLE_PREFIX", "x\";")]).is_err());
        assert!(load_with(&[("ATRIUM_API__LISTEN", "nope")]).is_err());
        assert!(load_with(&[("ATRIUM_API__PAGE__MAX_LIMIT", "0")]).is_err());
        let missing = load_with(&[("ATRIUM_API__DATABASE_URL_FILE", "/nonexistent/x")]);
        assert!(missing.is_err_and(|e| e.contains("/nonexistent/x")));
    }
}
