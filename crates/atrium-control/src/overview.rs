//! The operator's overview: tenants counted by state and plan, activity over the last 24
//! hours, each process's readiness and the busiest tenants. Every figure says where it
//! comes from; a source that can't be read is reported as such, never as zero.

use std::{collections::BTreeMap, time::Duration};

use atrium_core::domain::{Plan, Result, TenantState};
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    stats::TenantStats,
    usage::{top::UsageTop, Measure, Window},
    Control,
};

/// Hours of activity the overview shows.
const ACTIVITY_HOURS: i64 = 24;
/// How many of the busiest tenants it lists.
const TOP_TENANTS: usize = 10;
/// How many tenants each of its usage lists has.
const TOP_BY_MEASURE: u32 = 5;

#[derive(Debug, Serialize, ToSchema)]
pub struct Overview {
    pub generated_at: DateTime<Utc>,
    pub tenants: TenantCounts,
    pub activity: Activity,
    pub readiness: Vec<ProcessReadiness>,
    /// Live tenants with the most tracked events in the last 7 days (then by schema size
    /// when analytics are unavailable), at most 10.
    pub top_tenants: Vec<TenantStats>,
    /// Every tenant together: requests and database time over the last 24 hours,
    /// storage and events this month as last measured.
    pub total_usage: TotalUsage,
    /// The 5 tenants using the most of each measure (`GET /v1/usage/top` for more).
    pub top: TopUsage,
    /// The newest backup; null when backups are not configured or pgBackRest could not
    /// be asked (logged).
    pub last_backup: Option<LastBackup>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LastBackup {
    /// When the newest backup finished; null when there is none yet.
    pub finished_at: Option<DateTime<Utc>>,
    pub age_s: Option<i64>,
    /// Older than `control.backup.max_age_s`, or none at all.
    pub stale: bool,
    /// A backup is being taken now.
    pub running: bool,
}

/// Null where the source could not be read (the matching `top` list says why).
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalUsage {
    /// Always `24h`: what `requests` and `db_seconds` cover.
    pub window: Window,
    pub requests: Option<f64>,
    pub db_seconds: Option<f64>,
    pub storage_bytes: Option<f64>,
    pub events_month: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TopUsage {
    pub db_time: UsageTop,
    pub requests: UsageTop,
    pub storage: UsageTop,
    pub events: UsageTop,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TenantCounts {
    /// Every tenant in the registry, deleted tombstones included.
    pub total: i64,
    /// Every state, zeros included.
    pub by_state: BTreeMap<String, i64>,
    /// Live (active or suspended) tenants by plan, zeros included.
    pub by_plan: BTreeMap<String, i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Activity {
    /// `clickhouse` (the analytics events), or null when analytics are not configured.
    pub source: Option<String>,
    /// False when the source is not configured or could not be read; `series` is then empty.
    pub available: bool,
    /// Why it is unavailable.
    pub note: Option<String>,
    /// Hour buckets in UTC, oldest first, every hour present (zeros included); the last
    /// one is the current, incomplete hour.
    pub bucket: String,
    pub series: Vec<Series>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Series {
    /// `requests` or `events`.
    pub name: String,
    /// What is counted, in a sentence.
    pub counts: String,
    pub points: Vec<Point>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Point {
    /// The start of the hour.
    pub at: DateTime<Utc>,
    pub count: u64,
    /// True for the hour still in progress.
    pub partial: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Readiness {
    Ready,
    Unready,
    /// Not configured, so not checked.
    Unknown,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProcessReadiness {
    /// `control`, `postgres`, `clickhouse`, `api` or `collector`.
    pub process: String,
    pub status: Readiness,
    /// What was checked, or why it failed.
    pub detail: String,
}

#[derive(Deserialize)]
struct HourRow {
    hour: u64,
    requests: u64,
    events: u64,
}

impl Control {
    async fn last_backup(&self) -> Option<LastBackup> {
        self.config.backup.pgbackrest_config.as_ref()?;
        match self.backup_overview().await {
            Ok(o) => Some(LastBackup {
                finished_at: o.backups.last().map(|b| b.finished_at),
                age_s: o.newest_age_s,
                stale: o.stale,
                running: o.running,
            }),
            Err(e) => {
                tracing::warn!(error = %e, "overview: backups could not be listed");
                None
            }
        }
    }

    pub async fn overview(&self) -> Result<Overview> {
        let (tenants, activity, readiness, top, last_backup) = tokio::join!(
            self.tenant_counts(),
            self.activity(),
            self.readiness(),
            self.tenant_stats(),
            self.last_backup()
        );
        let by = |m| self.usage_top(m, Window::Day, TOP_BY_MEASURE);
        let (db_time, requests, storage, events) = tokio::join!(
            by(Measure::DbTime),
            by(Measure::Requests),
            by(Measure::Storage),
            by(Measure::Events)
        );
        let usage = TopUsage {
            db_time: db_time?,
            requests: requests?,
            storage: storage?,
            events: events?,
        };
        let mut top = top?;
        top.sort_by(|a, b| {
            (b.events_7d, b.schema_bytes)
                .cmp(&(a.events_7d, a.schema_bytes))
                .then_with(|| a.slug.cmp(&b.slug))
        });
        top.truncate(TOP_TENANTS);
        Ok(Overview {
            generated_at: Utc::now(),
            tenants: tenants?,
            activity,
            readiness,
            top_tenants: top,
            total_usage: TotalUsage {
                window: Window::Day,
                requests: usage.requests.total,
                db_seconds: usage.db_time.total,
                storage_bytes: usage.storage.total,
                events_month: usage.events.total,
            },
            top: usage,
            last_backup,
        })
    }

    async fn tenant_counts(&self) -> Result<TenantCounts> {
        let conn = self.pool.get().await?;
        let rows = conn
            .query(
                "SELECT state, plan, count(*) FROM atrium_control.tenants GROUP BY state, plan",
                &[],
            )
            .await?;
        let mut by_state: BTreeMap<String, i64> = TenantState::ALL
            .iter()
            .map(|s| (s.to_string(), 0))
            .collect();
        let mut by_plan: BTreeMap<String, i64> =
            Plan::ALL.iter().map(|p| (p.to_string(), 0)).collect();
        let mut total = 0;
        for r in &rows {
            let (state, plan, n): (TenantState, Plan, i64) = (r.get(0), r.get(1), r.get(2));
            total += n;
            *by_state.entry(state.to_string()).or_default() += n;
            if state.is_live() {
                *by_plan.entry(plan.to_string()).or_default() += n;
            }
        }
        Ok(TenantCounts {
            total,
            by_state,
            by_plan,
        })
    }

    async fn activity(&self) -> Activity {
        let unavailable = |source: Option<&str>, note: &str| Activity {
            source: source.map(str::to_owned),
            available: false,
            note: Some(note.to_owned()),
            bucket: "hour".into(),
            series: Vec::new(),
        };
        let Some(ch) = &self.clickhouse else {
            return unavailable(None, "analytics (ClickHouse) are not configured");
        };
        let rows = ch
            .query::<HourRow>(&format!(
                "SELECT toUInt64(toUnixTimestamp(toStartOfHour(ts))) AS hour,
                        uniqExactIf(event_id, name = 'api_request') AS requests,
                        uniqExactIf(event_id, name != 'api_request') AS events
                   FROM events
                  WHERE ts >= toStartOfHour(now()) - INTERVAL {} HOUR
                  GROUP BY hour",
                ACTIVITY_HOURS - 1
            ))
            .await;
        let rows = match rows {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "overview activity from ClickHouse unavailable");
                return unavailable(Some("clickhouse"), "ClickHouse could not be read");
            }
        };
        let now = Utc::now();
        let current = now.duration_trunc(TimeDelta::hours(1)).unwrap_or(now);
        let hours: Vec<DateTime<Utc>> = (0..ACTIVITY_HOURS)
            .rev()
            .map(|back| current - TimeDelta::hours(back))
            .collect();
        let series = |name: &str, counts: &str, pick: fn(&HourRow) -> u64| Series {
            name: name.into(),
            counts: counts.into(),
            points: hours
                .iter()
                .map(|at| Point {
                    at: *at,
                    count: rows
                        .iter()
                        .find(|r| r.hour as i64 == at.timestamp())
                        .map_or(0, pick),
                    partial: *at == current,
                })
                .collect(),
        };
        Activity {
            source: Some("clickhouse".into()),
            available: true,
            note: None,
            bucket: "hour".into(),
            series: vec![
                series(
                    "requests",
                    "tenant API requests answered by the data plane (its api_request events), all tenants",
                    |r| r.requests,
                ),
                series(
                    "events",
                    "tracked events other than API requests (pageviews, clicks, business events), all tenants, each counted once",
                    |r| r.events,
                ),
            ],
        }
    }

    async fn readiness(&self) -> Vec<ProcessReadiness> {
        let timeout = Duration::from_millis(self.config.peers.probe_timeout_ms);
        let peers = &self.config.peers;
        let (postgres, clickhouse, api, collector) = tokio::join!(
            self.postgres_ready(timeout),
            self.clickhouse_ready(timeout),
            probe("api", peers.api_url.as_deref(), timeout),
            probe("collector", peers.collector_url.as_deref(), timeout),
        );
        let control = ProcessReadiness {
            process: "control".into(),
            status: Readiness::Ready,
            detail: "answering this request".into(),
        };
        vec![control, postgres, clickhouse, api, collector]
    }

    async fn postgres_ready(&self, timeout: Duration) -> ProcessReadiness {
        let check = async {
            let conn = self.pool.get().await?;
            conn.execute("SELECT 1", &[]).await?;
            anyhow::Ok(())
        };
        let outcome = tokio::time::timeout(timeout, check).await;
        verdict("postgres", "SELECT 1 on the control pool", flatten(outcome))
    }

    async fn clickhouse_ready(&self, timeout: Duration) -> ProcessReadiness {
        let Some(ch) = &self.clickhouse else {
            return unknown("clickhouse", "analytics are not configured");
        };
        let outcome = tokio::time::timeout(timeout, ch.ping()).await;
        let outcome = outcome.map(|r| r.map_err(anyhow::Error::from));
        verdict("clickhouse", "GET /ping", flatten(outcome))
    }
}

/// `GET {base}/readyz` within `timeout`: 200 is ready, anything else unready.
async fn probe(process: &str, base: Option<&str>, timeout: Duration) -> ProcessReadiness {
    let Some(base) = base else {
        return unknown(process, &format!("control.peers.{process}_url is not set"));
    };
    let url = format!("{}/readyz", base.trim_end_matches('/'));
    let check = async {
        let client = reqwest::Client::builder().timeout(timeout).build()?;
        let status = client.get(&url).send().await?.status();
        anyhow::ensure!(status.is_success(), "{url} answered {status}");
        Ok(())
    };
    verdict(process, &format!("GET {url}"), check.await)
}

fn flatten<T>(
    r: std::result::Result<anyhow::Result<T>, tokio::time::error::Elapsed>,
) -> anyhow::Result<T> {
    r.map_err(|_| anyhow::anyhow!("no answer within the probe timeout"))?
}

fn verdict(process: &str, what: &str, outcome: anyhow::Result<()>) -> ProcessReadiness {
    let (status, detail) = match outcome {
        Ok(()) => (Readiness::Ready, what.to_owned()),
        Err(e) => (Readiness::Unready, format!("{what}: {e:#}")),
    };
    ProcessReadiness {
        process: process.into(),
        status,
        detail,
    }
}

fn unknown(process: &str, why: &str) -> ProcessReadiness {
    ProcessReadiness {
        process: process.into(),
        status: Readiness::Unknown,
        detail: why.into(),
    }
}
